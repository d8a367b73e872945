// The vvc JSON case format (docs/formats/case.md): a strict reader that names the file and the JSON path of
// every problem, and an atomic writer whose numbers read back to the same doubles.
#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"
#include "vvc/common/json_io.hpp"
#include "vvc/common/units.hpp"
#include "vvc/grid/io/case_io.hpp"

namespace vvc::grid {

namespace {

using OrderedJson = nlohmann::ordered_json;

constexpr const char* kFormatTag = "vvc.case";
constexpr int kFormatVersion = 1;
constexpr double kDefaultSwitchRPu = 1e-6;
constexpr double kNoQLimit = 1e30;

/// Remembers the names of one kind of element, to reject duplicates with the path of the first occurrence.
class NameRegistry {
 public:
  explicit NameRegistry(std::string kind) : kind_(std::move(kind)) {}

  void add(const JsonNode& name_node, const std::string& name) {
    const auto [it, inserted] = first_path_.emplace(name, name_node.path());
    if (!inserted)
      name_node.fail("duplicate " + kind_ + " name '" + name + "' (first at " + it->second + ")");
  }

 private:
  std::string kind_;
  std::unordered_map<std::string, std::string> first_path_;
};

/// Bus indices by name, so that finding the buses of a large case's elements takes linear time.
using BusIndex = std::unordered_map<std::string, int>;

int bus_index(const JsonNode& node, const BusIndex& buses) {
  const std::string name = node.string();
  const auto it = buses.find(name);
  if (it == buses.end()) node.fail("unknown bus '" + name + "'");
  return it->second;
}

/// A non-empty string.
std::string name_of(const JsonNode& node) {
  std::string name = node.string();
  if (name.empty()) node.fail_expected("a non-empty name");
  return name;
}

/// An array of exactly N numbers.
template <size_t N>
std::array<double, N> fixed_numbers(const JsonNode& node) {
  const std::vector<double> values = node.numbers();
  if (values.size() != N) node.fail_expected("an array of " + std::to_string(N) + " numbers");
  std::array<double, N> out{};
  std::copy(values.begin(), values.end(), out.begin());
  return out;
}

Bus read_bus(const JsonNode& node) {
  node.allow_only({"name", "base_kv", "vmin_pu", "vmax_pu", "xy"});
  Bus bus;
  bus.name = name_of(node.at("name"));
  bus.base_kv = node.at("base_kv").number(greater_than(0.0));
  if (const auto v = node.find("vmin_pu")) bus.vmin_pu = v->number(greater_than(0.0));
  if (const auto v = node.find("vmax_pu")) bus.vmax_pu = v->number(greater_than(0.0));
  if (bus.vmin_pu > bus.vmax_pu) node.fail("vmin_pu must not exceed vmax_pu");
  if (const auto xy = node.find("xy")) bus.xy = fixed_numbers<2>(*xy);
  return bus;
}

Branch read_line(const JsonNode& node, const Network& network, const BusIndex& buses) {
  node.allow_only({"name", "from", "to", "r_pu", "x_pu", "b_pu", "r_ohm", "x_ohm", "b_us", "in_service"});
  Branch line;
  line.name = name_of(node.at("name"));
  line.from = bus_index(node.at("from"), buses);
  line.to = bus_index(node.at("to"), buses);
  const bool per_unit = node.has("r_pu") || node.has("x_pu") || node.has("b_pu");
  const bool physical = node.has("r_ohm") || node.has("x_ohm") || node.has("b_us");
  if (per_unit && physical) node.fail("give either r_pu, x_pu, b_pu or r_ohm, x_ohm, b_us, not both");
  if (physical) {
    const double kv_from = network.buses[static_cast<size_t>(line.from)].base_kv;
    const double kv_to = network.buses[static_cast<size_t>(line.to)].base_kv;
    if (kv_from != kv_to)
      node.fail("a line in ohm needs equal base_kv at both ends (transformers are not supported)");
    const double z_base = network.z_base_ohm(line.from);
    line.r_pu = node.at("r_ohm").number(at_least(0.0)) / z_base;
    line.x_pu = node.at("x_ohm").number(at_least(0.0)) / z_base;
    if (const auto b = node.find("b_us")) line.b_pu = b->number() * 1e-6 * z_base;
  } else {
    line.r_pu = node.at("r_pu").number(at_least(0.0));
    line.x_pu = node.at("x_pu").number(at_least(0.0));
    if (const auto b = node.find("b_pu")) line.b_pu = b->number();
  }
  if (const auto in_service = node.find("in_service")) line.in_service = in_service->boolean();
  return line;
}

Branch read_switch(const JsonNode& node, const BusIndex& buses) {
  node.allow_only({"name", "from", "to", "closed", "r_pu", "x_pu"});
  Branch sw;
  sw.is_switch = true;
  sw.name = name_of(node.at("name"));
  sw.from = bus_index(node.at("from"), buses);
  sw.to = bus_index(node.at("to"), buses);
  if (const auto closed = node.find("closed")) sw.in_service = closed->boolean();
  sw.r_pu = kDefaultSwitchRPu;
  if (const auto r = node.find("r_pu")) sw.r_pu = r->number(at_least(0.0));
  if (const auto x = node.find("x_pu")) sw.x_pu = x->number(at_least(0.0));
  return sw;
}

std::string_view load_model_name(LoadModel model) {
  switch (model) {
    case LoadModel::kConstantPower:
      return "pq";
    case LoadModel::kConstantCurrent:
      return "i";
    case LoadModel::kConstantImpedance:
      return "z";
    case LoadModel::kZip:
      return "zip";
  }
  VVC_ASSERT(false);
  return "";
}

std::array<double, 3> read_zip(const JsonNode& node) {
  const auto zip = fixed_numbers<3>(node);
  if (std::abs(zip[0] + zip[1] + zip[2] - 1.0) >= 1e-9) node.fail("ZIP fractions [z, i, p] must sum to 1");
  return zip;
}

Load read_load(const JsonNode& node, const BusIndex& buses) {
  node.allow_only({"name", "bus", "p_mw", "q_mvar", "model", "zip_p", "zip_q"});
  Load load;
  load.name = name_of(node.at("name"));
  load.bus = bus_index(node.at("bus"), buses);
  load.p_mw = node.at("p_mw").number();
  load.q_mvar = node.at("q_mvar").number();
  if (const auto model = node.find("model")) {
    load.model = model->choice<LoadModel>({{"pq", LoadModel::kConstantPower},
                                           {"i", LoadModel::kConstantCurrent},
                                           {"z", LoadModel::kConstantImpedance},
                                           {"zip", LoadModel::kZip}});
  }
  if (load.model == LoadModel::kZip) {
    load.zip_p = read_zip(node.at("zip_p"));
    load.zip_q = read_zip(node.at("zip_q"));
  } else if (node.has("zip_p") || node.has("zip_q")) {
    node.fail("zip_p and zip_q are only used with \"model\": \"zip\"");
  }
  return load;
}

Generator read_generator(const JsonNode& node, const BusIndex& buses) {
  node.allow_only({"name", "bus", "p_mw", "q_mvar", "q_min_mvar", "q_max_mvar", "s_max_mva"});
  Generator gen;
  gen.name = name_of(node.at("name"));
  gen.bus = bus_index(node.at("bus"), buses);
  if (const auto p = node.find("p_mw")) gen.p_mw = p->number();
  if (const auto q = node.find("q_mvar")) gen.q_mvar = q->number();
  if (const auto q = node.find("q_min_mvar")) gen.q_min_mvar = q->number();
  if (const auto q = node.find("q_max_mvar")) gen.q_max_mvar = q->number();
  if (gen.q_min_mvar > gen.q_max_mvar) node.fail("q_min_mvar must not exceed q_max_mvar");
  if (const auto s = node.find("s_max_mva")) gen.s_max_mva = s->number(greater_than(0.0));
  return gen;
}

Slack read_slack(const JsonNode& node, const BusIndex& buses) {
  node.allow_only({"bus", "vm_pu", "va_deg"});
  Slack slack;
  slack.bus = bus_index(node.at("bus"), buses);
  if (const auto vm = node.find("vm_pu")) slack.vm_pu = vm->number(greater_than(0.0));
  if (const auto va = node.find("va_deg")) slack.va_rad = deg_to_rad(va->number());
  return slack;
}

/// The elements of an optional array field (none when absent).
std::vector<JsonNode> optional_elements(const JsonNode& node, std::string_view key) {
  const auto array = node.find(key);
  return array ? array->elements() : std::vector<JsonNode>{};
}

/// Degrees that convert back to exactly `rad`, so that a written case reads back to the same slack angle.
double degrees_for_exact_round_trip(double rad) {
  double deg = rad_to_deg(rad);
  for (const double direction : {-HUGE_VAL, HUGE_VAL}) {
    double candidate = deg;
    for (int step = 0; step < 4; ++step) {
      if (deg_to_rad(candidate) == rad) return candidate;
      candidate = std::nextafter(candidate, direction);
    }
  }
  return deg;
}

}  // namespace

Network parse_case_json(const std::string& text, const std::string& source) {
  const JsonDocument document(text, source,
                              JsonLimits{.max_array_elements = static_cast<size_t>(kMaxCaseElements)});
  const JsonNode top = document.root();
  top.allow_only({"format", "version", "name", "base_mva", "buses", "slack", "lines", "switches", "loads",
                  "generators"});
  top.expect_format(kFormatTag, kFormatVersion);

  Network network;
  network.name = top.at("name").string();
  network.base_mva = top.at("base_mva").number(greater_than(0.0));

  NameRegistry bus_names("bus");
  for (const JsonNode& node : top.at("buses").elements()) {
    network.buses.push_back(read_bus(node));
    bus_names.add(node.at("name"), network.buses.back().name);
  }
  const BusIndex buses = bus_indices(network);
  if (network.buses.empty()) top.at("buses").fail("a case needs at least one bus");
  network.slack = read_slack(top.at("slack"), buses);

  NameRegistry branch_names("line or switch");
  for (const JsonNode& node : optional_elements(top, "lines")) {
    network.branches.push_back(read_line(node, network, buses));
    branch_names.add(node.at("name"), network.branches.back().name);
  }
  for (const JsonNode& node : optional_elements(top, "switches")) {
    network.branches.push_back(read_switch(node, buses));
    branch_names.add(node.at("name"), network.branches.back().name);
  }
  NameRegistry load_names("load");
  for (const JsonNode& node : optional_elements(top, "loads")) {
    network.loads.push_back(read_load(node, buses));
    load_names.add(node.at("name"), network.loads.back().name);
  }
  NameRegistry generator_names("generator");
  for (const JsonNode& node : optional_elements(top, "generators")) {
    network.generators.push_back(read_generator(node, buses));
    generator_names.add(node.at("name"), network.generators.back().name);
  }

  validate(network, source);
  return network;
}

Network read_case_json(const std::filesystem::path& path) {
  return parse_case_json(read_text_file(path), path.string());
}

std::string case_to_json_text(const Network& network) {
  // nlohmann prints each double in the shortest form that reads back to the same value (never more than 17
  // significant digits), so a written case round-trips exactly.
  OrderedJson root;
  root["format"] = kFormatTag;
  root["version"] = kFormatVersion;
  root["name"] = network.name;
  root["base_mva"] = network.base_mva;
  auto bus_name = [&network](int index) { return network.buses[static_cast<size_t>(index)].name; };

  OrderedJson buses = OrderedJson::array();
  for (const Bus& bus : network.buses) {
    OrderedJson b;
    b["name"] = bus.name;
    b["base_kv"] = bus.base_kv;
    b["vmin_pu"] = bus.vmin_pu;
    b["vmax_pu"] = bus.vmax_pu;
    if (bus.xy) b["xy"] = {(*bus.xy)[0], (*bus.xy)[1]};
    buses.push_back(std::move(b));
  }
  root["buses"] = std::move(buses);
  root["slack"] = {{"bus", bus_name(network.slack.bus)},
                   {"vm_pu", network.slack.vm_pu},
                   {"va_deg", degrees_for_exact_round_trip(network.slack.va_rad)}};

  OrderedJson lines = OrderedJson::array();
  OrderedJson switches = OrderedJson::array();
  for (const Branch& br : network.branches) {
    OrderedJson b;
    b["name"] = br.name;
    b["from"] = bus_name(br.from);
    b["to"] = bus_name(br.to);
    if (br.is_switch) {
      b["closed"] = br.in_service;
      b["r_pu"] = br.r_pu;
      b["x_pu"] = br.x_pu;
      switches.push_back(std::move(b));
    } else {
      b["r_pu"] = br.r_pu;
      b["x_pu"] = br.x_pu;
      b["b_pu"] = br.b_pu;
      if (!br.in_service) b["in_service"] = false;
      lines.push_back(std::move(b));
    }
  }
  root["lines"] = std::move(lines);
  root["switches"] = std::move(switches);

  OrderedJson loads = OrderedJson::array();
  for (const Load& load : network.loads) {
    OrderedJson l;
    l["name"] = load.name;
    l["bus"] = bus_name(load.bus);
    l["p_mw"] = load.p_mw;
    l["q_mvar"] = load.q_mvar;
    l["model"] = load_model_name(load.model);
    if (load.model == LoadModel::kZip) {
      l["zip_p"] = load.zip_p;
      l["zip_q"] = load.zip_q;
    }
    loads.push_back(std::move(l));
  }
  root["loads"] = std::move(loads);

  OrderedJson generators = OrderedJson::array();
  for (const Generator& gen : network.generators) {
    OrderedJson g;
    g["name"] = gen.name;
    g["bus"] = bus_name(gen.bus);
    g["p_mw"] = gen.p_mw;
    g["q_mvar"] = gen.q_mvar;
    // +-1e30 (the default) means "no limit" and is left out, as a hand-written case would.
    if (gen.q_min_mvar != -kNoQLimit) g["q_min_mvar"] = gen.q_min_mvar;
    if (gen.q_max_mvar != kNoQLimit) g["q_max_mvar"] = gen.q_max_mvar;
    if (gen.s_max_mva) g["s_max_mva"] = *gen.s_max_mva;
    generators.push_back(std::move(g));
  }
  root["generators"] = std::move(generators);
  return root.dump(2) + "\n";
}

void write_case_json(const Network& network, const std::filesystem::path& path) {
  write_file_atomically(path, case_to_json_text(network));
}

}  // namespace vvc::grid
