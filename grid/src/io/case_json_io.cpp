// The vvc JSON case format (docs/formats/case.md): a strict reader that names the file and the JSON path of
// every problem, and an atomic writer whose numbers read back to the same doubles.
#include <cmath>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"
#include "vvc/common/units.hpp"
#include "vvc/grid/io/case_io.hpp"

namespace vvc::grid {

namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

constexpr const char* kFormatTag = "vvc.case";
constexpr int kFormatVersion = 1;
constexpr double kDefaultSwitchRPu = 1e-6;
constexpr double kNoQLimit = 1e30;

std::string quoted_list(std::initializer_list<std::string_view> names) {
  std::string out;
  for (const auto name : names) {
    if (!out.empty()) out += ", ";
    out += "'" + std::string(name) + "'";
  }
  return out;
}

/// A JSON value together with its JSON-pointer path, so that every complaint can say where it is.
class Node {
 public:
  Node(const Json& value, std::string path, const std::string& source)
      : value_(value), path_(std::move(path)), source_(source) {}

  const Json& value() const { return value_; }
  const std::string& path() const { return path_; }

  [[noreturn]] void fail(const std::string& message) const {
    throw InputError::at_path(source_, path_, message);
  }

  void expect_object() const {
    if (!value_.is_object()) fail(std::string("expected an object, got ") + value_.type_name());
  }

  /// Rejects keys outside `allowed`: a misspelt optional field must not be silently ignored.
  void allow_only(std::initializer_list<std::string_view> allowed) const {
    expect_object();
    for (const auto& item : value_.items()) {
      bool known = false;
      for (const auto name : allowed) known = known || item.key() == name;
      if (!known) child(item.key()).fail("unknown field (expected one of " + quoted_list(allowed) + ")");
    }
  }

  bool has(const std::string& key) const { return value_.contains(key); }

  Node child(const std::string& key) const { return Node(value_.at(key), path_ + "/" + key, source_); }

  Node required(const std::string& key) const {
    if (!has(key)) fail("missing required field '" + key + "'");
    return child(key);
  }

  std::vector<Node> elements() const {
    if (!value_.is_array()) fail(std::string("expected an array, got ") + value_.type_name());
    std::vector<Node> out;
    out.reserve(value_.size());
    for (size_t i = 0; i < value_.size(); ++i)
      out.emplace_back(value_[i], path_ + "/" + std::to_string(i), source_);
    return out;
  }

  /// The elements of an optional array field (none when absent).
  std::vector<Node> optional_elements(const std::string& key) const {
    return has(key) ? child(key).elements() : std::vector<Node>{};
  }

  std::string as_string() const {
    if (!value_.is_string()) fail(std::string("expected a string, got ") + value_.type_name());
    return value_.get<std::string>();
  }

  std::string as_name() const {
    std::string name = as_string();
    if (name.empty()) fail("expected a non-empty name");
    return name;
  }

  bool as_bool() const {
    if (!value_.is_boolean()) fail(std::string("expected true or false, got ") + value_.type_name());
    return value_.get<bool>();
  }

  double as_number() const {
    if (!value_.is_number()) fail(std::string("expected a number, got ") + value_.type_name());
    const double x = value_.get<double>();
    if (!std::isfinite(x)) fail("expected a finite number, got " + value_.dump());
    return x;
  }

  double as_nonnegative() const {
    const double x = as_number();
    if (x < 0.0) fail("expected a finite number >= 0, got " + value_.dump());
    return x;
  }

  double as_positive() const {
    const double x = as_number();
    if (x <= 0.0) fail("expected a finite number > 0, got " + value_.dump());
    return x;
  }

  int as_integer() const {
    if (!value_.is_number_integer()) fail(std::string("expected an integer, got ") + value_.dump());
    return value_.get<int>();
  }

  template <size_t N>
  std::array<double, N> as_numbers() const {
    const auto items = elements();
    if (items.size() != N)
      fail("expected " + std::to_string(N) + " numbers, got " + std::to_string(items.size()));
    std::array<double, N> out{};
    for (size_t i = 0; i < N; ++i) out[i] = items[i].as_number();
    return out;
  }

 private:
  const Json& value_;
  std::string path_;
  const std::string& source_;
};

/// Remembers the names of one kind of element, to reject duplicates with the path of the first occurrence.
class NameRegistry {
 public:
  explicit NameRegistry(std::string kind) : kind_(std::move(kind)) {}

  void add(const Node& name_node, const std::string& name) {
    const auto [it, inserted] = first_path_.emplace(name, name_node.path());
    if (!inserted)
      name_node.fail("duplicate " + kind_ + " name '" + name + "' (first at " + it->second + ")");
  }

 private:
  std::string kind_;
  std::unordered_map<std::string, std::string> first_path_;
};

int bus_index(const Node& node, const Network& network) {
  const std::string name = node.as_string();
  const int index = network.find_bus(name);
  if (index < 0) node.fail("unknown bus '" + name + "'");
  return index;
}

Bus read_bus(const Node& node) {
  node.allow_only({"name", "base_kv", "vmin_pu", "vmax_pu", "xy"});
  Bus bus;
  bus.name = node.required("name").as_name();
  bus.base_kv = node.required("base_kv").as_positive();
  if (node.has("vmin_pu")) bus.vmin_pu = node.child("vmin_pu").as_positive();
  if (node.has("vmax_pu")) bus.vmax_pu = node.child("vmax_pu").as_positive();
  if (bus.vmin_pu > bus.vmax_pu) node.fail("vmin_pu must not exceed vmax_pu");
  if (node.has("xy")) bus.xy = node.child("xy").as_numbers<2>();
  return bus;
}

Branch read_line(const Node& node, const Network& network) {
  node.allow_only({"name", "from", "to", "r_pu", "x_pu", "b_pu", "r_ohm", "x_ohm", "b_us", "in_service"});
  Branch line;
  line.name = node.required("name").as_name();
  line.from = bus_index(node.required("from"), network);
  line.to = bus_index(node.required("to"), network);
  const bool per_unit = node.has("r_pu") || node.has("x_pu") || node.has("b_pu");
  const bool physical = node.has("r_ohm") || node.has("x_ohm") || node.has("b_us");
  if (per_unit && physical) node.fail("give either r_pu, x_pu, b_pu or r_ohm, x_ohm, b_us, not both");
  if (physical) {
    const double kv_from = network.buses[static_cast<size_t>(line.from)].base_kv;
    const double kv_to = network.buses[static_cast<size_t>(line.to)].base_kv;
    if (kv_from != kv_to)
      node.fail("a line in ohm needs equal base_kv at both ends (transformers are not supported)");
    const double z_base = network.z_base_ohm(line.from);
    line.r_pu = node.required("r_ohm").as_nonnegative() / z_base;
    line.x_pu = node.required("x_ohm").as_nonnegative() / z_base;
    if (node.has("b_us")) line.b_pu = node.child("b_us").as_number() * 1e-6 * z_base;
  } else {
    line.r_pu = node.required("r_pu").as_nonnegative();
    line.x_pu = node.required("x_pu").as_nonnegative();
    if (node.has("b_pu")) line.b_pu = node.child("b_pu").as_number();
  }
  if (node.has("in_service")) line.in_service = node.child("in_service").as_bool();
  return line;
}

Branch read_switch(const Node& node, const Network& network) {
  node.allow_only({"name", "from", "to", "closed", "r_pu", "x_pu"});
  Branch sw;
  sw.is_switch = true;
  sw.name = node.required("name").as_name();
  sw.from = bus_index(node.required("from"), network);
  sw.to = bus_index(node.required("to"), network);
  if (node.has("closed")) sw.in_service = node.child("closed").as_bool();
  sw.r_pu = node.has("r_pu") ? node.child("r_pu").as_nonnegative() : kDefaultSwitchRPu;
  if (node.has("x_pu")) sw.x_pu = node.child("x_pu").as_nonnegative();
  return sw;
}

LoadModel parse_load_model(const Node& node) {
  const std::string text = node.as_string();
  if (text == "pq") return LoadModel::kConstantPower;
  if (text == "i") return LoadModel::kConstantCurrent;
  if (text == "z") return LoadModel::kConstantImpedance;
  if (text == "zip") return LoadModel::kZip;
  node.fail("unknown load model '" + text + "' (expected 'pq', 'i', 'z' or 'zip')");
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

std::array<double, 3> read_zip(const Node& node) {
  const auto zip = node.as_numbers<3>();
  if (std::abs(zip[0] + zip[1] + zip[2] - 1.0) >= 1e-9) node.fail("ZIP fractions [z, i, p] must sum to 1");
  return zip;
}

Load read_load(const Node& node, const Network& network) {
  node.allow_only({"name", "bus", "p_mw", "q_mvar", "model", "zip_p", "zip_q"});
  Load load;
  load.name = node.required("name").as_name();
  load.bus = bus_index(node.required("bus"), network);
  load.p_mw = node.required("p_mw").as_number();
  load.q_mvar = node.required("q_mvar").as_number();
  if (node.has("model")) load.model = parse_load_model(node.child("model"));
  if (load.model == LoadModel::kZip) {
    load.zip_p = read_zip(node.required("zip_p"));
    load.zip_q = read_zip(node.required("zip_q"));
  } else if (node.has("zip_p") || node.has("zip_q")) {
    node.fail("zip_p and zip_q are only used with \"model\": \"zip\"");
  }
  return load;
}

Generator read_generator(const Node& node, const Network& network) {
  node.allow_only({"name", "bus", "p_mw", "q_mvar", "q_min_mvar", "q_max_mvar", "s_max_mva"});
  Generator gen;
  gen.name = node.required("name").as_name();
  gen.bus = bus_index(node.required("bus"), network);
  if (node.has("p_mw")) gen.p_mw = node.child("p_mw").as_number();
  if (node.has("q_mvar")) gen.q_mvar = node.child("q_mvar").as_number();
  if (node.has("q_min_mvar")) gen.q_min_mvar = node.child("q_min_mvar").as_number();
  if (node.has("q_max_mvar")) gen.q_max_mvar = node.child("q_max_mvar").as_number();
  if (gen.q_min_mvar > gen.q_max_mvar) node.fail("q_min_mvar must not exceed q_max_mvar");
  if (node.has("s_max_mva")) gen.s_max_mva = node.child("s_max_mva").as_positive();
  return gen;
}

Slack read_slack(const Node& node, const Network& network) {
  node.allow_only({"bus", "vm_pu", "va_deg"});
  Slack slack;
  slack.bus = bus_index(node.required("bus"), network);
  if (node.has("vm_pu")) slack.vm_pu = node.child("vm_pu").as_positive();
  if (node.has("va_deg")) slack.va_rad = deg_to_rad(node.child("va_deg").as_number());
  return slack;
}

/// Rejects a key that appears twice in one object: the JSON library would silently keep the last one.
class DuplicateKeyCheck {
 public:
  explicit DuplicateKeyCheck(const std::string& source) : source_(source) {}

  bool operator()(int /*depth*/, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) {
      keys_.emplace_back();
    } else if (event == Json::parse_event_t::object_end) {
      keys_.pop_back();
    } else if (event == Json::parse_event_t::key) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!keys_.back().insert(key).second) {
        throw InputError(source_ + ": invalid JSON: the key '" + key + "' appears twice in one object");
      }
    }
    return true;
  }

 private:
  const std::string& source_;
  std::vector<std::unordered_set<std::string>> keys_;
};

/// nlohmann's messages start with "[json.exception.parse_error.101] "; the tag means nothing to a user.
std::string without_exception_tag(const char* what) {
  std::string message = what;
  if (!message.empty() && message.front() == '[') {
    if (const auto end = message.find("] "); end != std::string::npos) message.erase(0, end + 2);
  }
  return message;
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
  Json root;
  try {
    root = Json::parse(text, DuplicateKeyCheck(source));
  } catch (const Json::exception& e) {
    throw InputError(source + ": invalid JSON: " + without_exception_tag(e.what()));
  }
  const Node top(root, "", source);
  top.allow_only({"format", "version", "name", "base_mva", "buses", "slack", "lines", "switches", "loads",
                  "generators"});
  const Node format = top.required("format");
  if (format.as_string() != kFormatTag) {
    format.fail("expected \"" + std::string(kFormatTag) + "\", got " + format.value().dump());
  }
  const Node version = top.required("version");
  if (version.as_integer() != kFormatVersion) {
    version.fail("unsupported version " + version.value().dump() + " (this program reads version " +
                 std::to_string(kFormatVersion) + ")");
  }

  Network network;
  network.name = top.required("name").as_string();
  network.base_mva = top.required("base_mva").as_positive();

  NameRegistry bus_names("bus");
  for (const Node& node : top.required("buses").elements()) {
    network.buses.push_back(read_bus(node));
    bus_names.add(node.child("name"), network.buses.back().name);
  }
  if (network.buses.empty()) top.child("buses").fail("a case needs at least one bus");
  network.slack = read_slack(top.required("slack"), network);

  NameRegistry branch_names("line or switch");
  for (const Node& node : top.optional_elements("lines")) {
    network.branches.push_back(read_line(node, network));
    branch_names.add(node.child("name"), network.branches.back().name);
  }
  for (const Node& node : top.optional_elements("switches")) {
    network.branches.push_back(read_switch(node, network));
    branch_names.add(node.child("name"), network.branches.back().name);
  }
  NameRegistry load_names("load");
  for (const Node& node : top.optional_elements("loads")) {
    network.loads.push_back(read_load(node, network));
    load_names.add(node.child("name"), network.loads.back().name);
  }
  NameRegistry generator_names("generator");
  for (const Node& node : top.optional_elements("generators")) {
    network.generators.push_back(read_generator(node, network));
    generator_names.add(node.child("name"), network.generators.back().name);
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
