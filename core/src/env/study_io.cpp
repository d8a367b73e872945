#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "vvc/common/errors.hpp"
#include "vvc/common/json_io.hpp"
#include "vvc/core/env/scenarios.hpp"
#include "vvc/core/env/study.hpp"
#include "vvc/grid/io/case_io.hpp"
#include "vvc/grid/io/opendss.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"

namespace vvc::core {

SeedRange parse_seed_range(const std::string& text, const std::string& what) {
  const auto colon = text.find(':');
  SeedRange r;
  auto parse = [&](std::string_view part, long& out) {
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc() && ptr == part.data() + part.size() && out >= 0;
  };
  if (colon == std::string::npos || !parse(std::string_view(text).substr(0, colon), r.first) ||
      !parse(std::string_view(text).substr(colon + 1), r.last)) {
    throw InputError(what + ": expected a seed range A:B (0 <= A < B), got '" + text + "'");
  }
  if (r.last <= r.first) throw InputError(what + ": the seed range '" + text + "' is empty (need A < B)");
  return r;
}

std::string content_hash(const std::string& bytes) {
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a, 64 bits
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return std::string("fnv1a64:") + hex;
}

Eigen::VectorXd Study::q_min() const {
  Eigen::VectorXd q(num_inverters());
  for (int i = 0; i < num_inverters(); ++i) q[i] = inverters[static_cast<size_t>(i)].q_min_mvar;
  return q;
}

Eigen::VectorXd Study::q_max() const {
  Eigen::VectorXd q(num_inverters());
  for (int i = 0; i < num_inverters(); ++i) q[i] = inverters[static_cast<size_t>(i)].q_max_mvar;
  return q;
}

std::vector<int> Study::inverter_points() const {
  std::vector<int> out;
  for (const auto& inv : inverters) out.push_back(inv.point);
  return out;
}

std::vector<int> Study::inverter_buses() const {
  std::vector<int> buses;
  for (const auto& inv : inverters) buses.push_back(inv.bus);
  return buses;
}

namespace {

bool is_opendss(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".dss";
}

/// The balanced study's inverters: a generator of the case, or a bus (its first generator, else a new one).
void read_balanced_inverters(const JsonNode& inverters, const std::filesystem::path& network_path,
                             Study& study) {
  // Indices by name and the first generator of each bus, so that a study of many inverters reads in linear time.
  std::unordered_map<std::string, int> generator_of_name;
  std::unordered_map<int, int> generator_at_bus;
  for (size_t g = 0; g < study.network.generators.size(); ++g) {
    generator_of_name.emplace(study.network.generators[g].name, static_cast<int>(g));
    generator_at_bus.emplace(study.network.generators[g].bus, static_cast<int>(g));
  }
  const std::unordered_map<std::string, int> bus_of_name = grid::bus_indices(study.network);
  std::unordered_set<int> listed;
  for (const JsonNode& f : inverters.elements()) {
    f.allow_only({"generator", "bus", "q_min_mvar", "q_max_mvar", "s_max_mva"});
    Inverter inv;
    if (const auto generator = f.find("generator")) {
      inv.generator = generator->string();
      const auto it = generator_of_name.find(inv.generator);
      if (it == generator_of_name.end())
        generator->fail("unknown generator '" + inv.generator + "' in " + network_path.string());
      inv.generator_index = it->second;
    } else {
      const JsonNode bus_node = f.at("bus");
      const std::string bus = bus_node.string();
      const auto b = bus_of_name.find(bus);
      if (b == bus_of_name.end()) bus_node.fail("unknown bus '" + bus + "' in " + network_path.string());
      if (const auto g = generator_at_bus.find(b->second); g != generator_at_bus.end()) {
        inv.generator_index = g->second;
      } else {
        study.network.generators.push_back(
            grid::Generator{"inv" + bus, b->second, 0.0, 0.0, -1e30, 1e30, {}});
        inv.generator_index = static_cast<int>(study.network.generators.size()) - 1;
        generator_at_bus.emplace(b->second, inv.generator_index);
      }
      inv.generator = study.network.generators[static_cast<size_t>(inv.generator_index)].name;
    }
    inv.bus = study.network.generators[static_cast<size_t>(inv.generator_index)].bus;
    inv.point = inv.bus;
    if (inv.bus == study.network.slack.bus) {
      f.fail("inverter '" + inv.generator + "' sits on the slack bus '" +
             study.network.buses[static_cast<size_t>(inv.bus)].name +
             "', whose voltage the source holds: it cannot control voltage");
    }
    inv.q_min_mvar = f.at("q_min_mvar").number();
    inv.q_max_mvar = f.at("q_max_mvar").number();
    if (inv.q_min_mvar > inv.q_max_mvar) f.at("q_min_mvar").fail("q_min_mvar exceeds q_max_mvar");
    if (const auto s_max = f.find("s_max_mva")) inv.s_max_mva = s_max->number(at_least(0.0));
    if (!listed.insert(inv.generator_index).second)
      f.fail("inverter '" + inv.generator + "' is listed twice");
    study.inverters.push_back(inv);
  }
}

constexpr const char* kPhaseLetters = "abc";

std::string lower_text(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// A single-phase wye element of a power element (a PVSystem or Generator), or the whole element when it
/// has one phase.
grid::PhaseLoad phase_of(const grid::PhaseLoad& element, int k) {
  grid::PhaseLoad one = element;
  one.phases = 1;
  one.nodes = {element.nodes[static_cast<size_t>(k)], element.nodes.back()};
  return one;
}

/// The three-phase study's inverters, each phase an action on its own single-phase element: an existing
/// PVSystem or Generator of the script (split into one element per phase), or a bus and phases (a new
/// single-phase model-1 Generator per phase, wye to ground, at the bus's base voltage, named
/// generator.<name>_<n>). Limits in kvar per phase, or an apparent-power rating in kVA per phase.
void read_three_phase_inverters(const JsonNode& inverters, const std::filesystem::path& network_path,
                                Study& study) {
  grid::MultiphaseNetwork& net = study.phase_network;
  std::vector<grid::PhaseLoad> split;  // replaces the named elements, keeping the others in order
  std::vector<char> named(net.loads.size(), 0);
  std::vector<JsonNode> nodes = inverters.elements();
  std::vector<std::vector<grid::PhaseLoad>> created(nodes.size());
  std::vector<Inverter> templates(nodes.size());
  for (size_t k = 0; k < nodes.size(); ++k) {
    const JsonNode& f = nodes[k];
    f.allow_only({"element", "bus", "phases", "name", "q_min_kvar", "q_max_kvar", "s_max_kva"});
    Inverter& inv = templates[k];
    const bool has_q = f.has("q_min_kvar") || f.has("q_max_kvar");
    if (has_q) {
      inv.q_min_mvar = f.at("q_min_kvar").number() / 1000.0;
      inv.q_max_mvar = f.at("q_max_kvar").number() / 1000.0;
      if (inv.q_min_mvar > inv.q_max_mvar) f.at("q_min_kvar").fail("q_min_kvar exceeds q_max_kvar");
    }
    if (const auto s_max = f.find("s_max_kva")) {
      inv.s_max_mva = s_max->number(greater_than(0.0)) / 1000.0;
      if (!has_q) {
        inv.q_min_mvar = -inv.s_max_mva;
        inv.q_max_mvar = inv.s_max_mva;
      }
    } else if (!has_q) {
      f.fail("an inverter needs q_min_kvar and q_max_kvar, or s_max_kva");
    }
    if (const auto element = f.find("element")) {
      if (f.has("bus") || f.has("phases") || f.has("name"))
        f.fail("an inverter is an element, or a bus with phases, not both");
      const std::string name = lower_text(element->string());
      if (name.rfind("pvsystem.", 0) != 0 && name.rfind("generator.", 0) != 0) {
        element->fail("'" + element->string() +
                      "' is not a PV system or a generator: an inverter is an element PVSystem.<name> or "
                      "Generator.<name> of the script");
      }
      const int index = grid::find_power_element(net, name);
      if (index < 0) element->fail("unknown element '" + element->string() + "' in " + network_path.string());
      if (named[static_cast<size_t>(index)]) f.fail("inverter '" + element->string() + "' is listed twice");
      named[static_cast<size_t>(index)] = 1;
      const grid::PhaseLoad& e = net.loads[static_cast<size_t>(index)];
      if (e.connection != grid::Connection::kWye) {
        element->fail("'" + element->string() +
                      "' is connected in delta: per-phase control needs a wye-connected element");
      }
      for (int p = 0; p < e.phases; ++p) {
        grid::PhaseLoad one = phase_of(e, p);
        if (e.phases > 1) one.name = e.name + "_" + std::to_string(p + 1);
        created[k].push_back(std::move(one));
      }
      continue;
    }
    const JsonNode bus_node = f.at("bus");
    const int b = net.find_bus(lower_text(bus_node.string()));
    if (b < 0) bus_node.fail("unknown bus '" + bus_node.string() + "' in " + network_path.string());
    const grid::PhaseBus& bus = net.buses[static_cast<size_t>(b)];
    if (!(bus.base_kv_ll > 0.0)) {
      bus_node.fail("bus '" + bus.name +
                    "' has no voltage base (the script needs Set voltagebases and CalcV)");
    }
    const JsonNode phases = f.at("phases");
    const std::string letters = lower_text(phases.string());
    if (letters.empty()) phases.fail_expected("phases such as \"abc\", \"bc\" or \"a\"");
    const std::string name = f.has("name") ? f.at("name").string() : "inv" + bus.name;
    for (size_t c = 0; c < letters.size(); ++c) {
      const char* at = std::strchr(kPhaseLetters, letters[c]);
      if (letters[c] == '\0' || at == nullptr || letters.find(letters[c]) != c)
        phases.fail_expected("phases from a, b and c, each at most once");
      const int number = static_cast<int>(at - kPhaseLetters) + 1;
      const int node = bus.node_of(number);
      if (node < 0) {
        std::string present;
        for (int n : bus.node_numbers) {
          if (n >= 1 && n <= 3) present += kPhaseLetters[n - 1];
        }
        phases.fail("bus '" + bus.name + "' has no phase " + std::string(1, letters[c]) + " (it has " +
                    (present.empty() ? std::string("none") : present) + ")");
      }
      grid::PhaseLoad g;
      g.name = "generator." + lower_text(name) + "_" + std::to_string(number);
      g.connection = grid::Connection::kWye;
      g.phases = 1;
      g.nodes = {node, grid::kGroundNode};
      g.model = 1;
      g.v_base_v = grid::node_base_volts(net, node);
      g.vminpu = 0.9;  // OpenDSS Generator defaults
      g.vmaxpu = 1.1;
      g.vlowpu = 0.0;
      if (grid::find_power_element(net, g.name) >= 0) f.fail("an element '" + g.name + "' exists already");
      created[k].push_back(std::move(g));
    }
  }
  for (size_t l = 0; l < net.loads.size(); ++l) {
    if (!named[l]) split.push_back(net.loads[l]);
  }
  for (size_t k = 0; k < nodes.size(); ++k) {
    for (grid::PhaseLoad& one : created[k]) {
      for (const grid::PhaseLoad& other : split) {
        if (other.name == one.name) nodes[k].fail("inverter '" + one.name + "' is listed twice");
      }
      Inverter inv = templates[k];
      inv.generator = one.name;
      inv.generator_index = static_cast<int>(split.size());
      const int node = one.nodes.front();
      inv.bus = net.nodes[static_cast<size_t>(node)].bus;
      inv.phase = net.nodes[static_cast<size_t>(node)].number;
      study.inverters.push_back(inv);
      split.push_back(std::move(one));
    }
  }
  net.loads = std::move(split);
}

/// Every node of the network, bus by bus in circuit order and phase by phase, and which the band monitors.
void read_points(const std::optional<JsonNode>& monitored, Study& study) {
  const grid::MultiphaseNetwork& net = study.phase_network;
  std::vector<int> point_of_node(static_cast<size_t>(net.num_nodes()), -1);
  std::vector<std::vector<int>> bus_points(net.buses.size());
  for (size_t b = 0; b < net.buses.size(); ++b) {
    const grid::PhaseBus& bus = net.buses[b];
    for (size_t k = 0; k < bus.nodes.size(); ++k) {
      if (!(bus.base_kv_ll > 0.0)) {
        throw InputError(study.network_file.string() + ": bus '" + bus.name +
                         "' has no voltage base: a study needs every bus's (Set voltagebases and CalcV)");
      }
      const int node = bus.nodes[k];
      point_of_node[static_cast<size_t>(node)] = study.num_points();
      bus_points[b].push_back(study.num_points());
      study.points.push_back({bus.name, bus.node_numbers[k], node, grid::node_base_volts(net, node)});
    }
  }
  for (Inverter& inv : study.inverters) {
    const int node = study.phase_network.loads[static_cast<size_t>(inv.generator_index)].nodes.front();
    inv.point = point_of_node[static_cast<size_t>(node)];
  }
  std::vector<char> chosen(study.points.size(), 0);
  auto choose_bus = [&](size_t b) {
    for (int p : bus_points[b]) chosen[static_cast<size_t>(p)] = 1;
  };
  if (!monitored || (monitored->is_string() && monitored->string() == "all")) {
    std::fill(chosen.begin(), chosen.end(), 1);
  } else if (monitored->is_string()) {
    if (monitored->one_of({"all", "inverter buses"}) == "inverter buses") {
      for (const Inverter& inv : study.inverters) choose_bus(static_cast<size_t>(inv.bus));
    }
  } else {
    for (const JsonNode& bus : monitored->elements()) {
      const int b = net.find_bus(lower_text(bus.string()));
      if (b < 0) bus.fail("unknown bus '" + bus.string() + "' in " + study.network_file.string());
      choose_bus(static_cast<size_t>(b));
    }
    if (monitored->elements().empty()) monitored->fail_expected("at least one bus");
  }
  for (size_t p = 0; p < chosen.size(); ++p) {
    if (chosen[p]) study.monitored.push_back(static_cast<int>(p));
  }
}

/// The kinds of the random generator: [{"name": ..., "load": [lo, hi], "pv": [lo, hi]}, ...].
std::vector<RandomScenarioKind> parse_random_kinds(const JsonNode& node) {
  constexpr std::size_t kMaxKinds = 1000;
  const std::vector<JsonNode> entries = node.elements();
  if (entries.empty() || entries.size() > kMaxKinds) {
    node.fail("expected from 1 to " + std::to_string(kMaxKinds) + " kinds, got " +
              std::to_string(entries.size()));
  }
  std::vector<RandomScenarioKind> kinds;
  for (const JsonNode& entry : entries) {
    entry.allow_only({"name", "load", "pv"});
    RandomScenarioKind kind;
    if (const auto name = entry.find("name")) kind.name = name->string();
    for (auto [key, lo, hi] :
         {std::tuple{"load", &kind.load_min, &kind.load_max}, std::tuple{"pv", &kind.pv_min, &kind.pv_max}}) {
      const JsonNode range = entry.at(key);
      const std::vector<double> v = range.numbers({.min = 0.0});
      if (v.size() != 2) range.fail_expected("[lo, hi], two multipliers");
      if (v[0] > v[1]) range.fail("the low end exceeds the high end in " + range.abbreviated());
      *lo = v[0];
      *hi = v[1];
    }
    kinds.push_back(std::move(kind));
  }
  return kinds;
}

}  // namespace

Study parse_study(const std::string& text, const std::filesystem::path& source,
                  const grid::SourceFiles& files) {
  const std::string src = source.string();
  const JsonDocument document(text, src);
  const JsonNode root = document.root();
  root.allow_only({"format", "version", "name", "network", "inverters", "voltage_band", "cost", "scenarios",
                   "steps", "discount", "evaluation_seeds", "training_seeds", "monitored", "regulators"});
  root.expect_format("vvc.study", 1);

  Study study;
  study.path = source;
  const auto name = root.find("name");
  study.name = name ? name->string() : source.parent_path().filename().string();
  const JsonNode network = root.at("network");
  const std::filesystem::path network_path = source.parent_path() / network.string();
  study.kind = is_opendss(network_path) ? NetworkKind::kThreePhase : NetworkKind::kBalanced;
  try {
    if (study.three_phase()) {
      study.network_file = network_path;
      study.phase_network = grid::read_opendss(network_path, files).network;
    } else {
      study.network = grid::read_case(network_path, files);
      study.network_file = grid::resolve_case_path(network_path, files);
    }
    study.network_hash = content_hash(files.read(study.network_file));
  } catch (const InputError& e) {
    network.fail(e.what());
  }
  if (!study.three_phase()) {
    for (const char* key : {"monitored", "regulators"}) {
      if (const auto node = root.find(key)) {
        node->fail("a field of three-phase studies (whose network is an OpenDSS script)");
      }
    }
  }

  const JsonNode band = root.at("voltage_band");
  band.allow_only({"vmin_pu", "vmax_pu"});
  study.vmin_pu = band.at("vmin_pu").number(greater_than(0.0));
  study.vmax_pu = band.at("vmax_pu").number();
  if (!(study.vmin_pu < study.vmax_pu)) band.fail_expected("vmin_pu < vmax_pu");

  const JsonNode inverters = root.at("inverters");
  if (inverters.elements().empty()) inverters.fail_expected("at least one inverter");
  if (study.three_phase()) {
    read_three_phase_inverters(inverters, network_path, study);
    read_points(root.find("monitored"), study);
    if (const auto regulators = root.find("regulators")) {
      study.regulators = regulators->choice<RegulatorMode>(
          {{"frozen", RegulatorMode::kFrozen}, {"control", RegulatorMode::kControl}});
    }
  } else {
    read_balanced_inverters(inverters, network_path, study);
    for (int b = 0; b < study.network.num_buses(); ++b) {
      study.points.push_back({study.network.buses[static_cast<size_t>(b)].name, 0, b, 1.0});
      study.monitored.push_back(b);
    }
  }
  const int m = study.num_inverters();
  const std::string actions = study.three_phase() ? "inverter phase" : "inverter";

  const JsonNode cost = root.at("cost");
  cost.allow_only({"form", "c", "action_weight", "violation_weight", "action_unit_kvar"});
  if (const auto form = cost.find("form")) {
    study.cost_form = form->choice<CostForm>({{"f", CostForm::kF}, {"stable-ddpg", CostForm::kStableDdpg}});
  }
  if (study.cost_form == CostForm::kF) {
    for (const char* key : {"action_weight", "violation_weight", "action_unit_kvar"}) {
      if (const auto node = cost.find(key)) node->fail("a field of the cost form \"stable-ddpg\"");
    }
  } else {
    if (const auto w = cost.find("action_weight")) study.action_weight = w->number(at_least(0.0));
    if (const auto w = cost.find("violation_weight")) study.violation_weight = w->number(at_least(0.0));
    if (const auto u = cost.find("action_unit_kvar"))
      study.action_unit_mvar = u->number(greater_than(0.0)) / 1000.0;
  }
  const auto c = study.cost_form == CostForm::kF ? std::optional<JsonNode>(cost.at("c")) : cost.find("c");
  if (c) {
    std::vector<double> weights;
    if (c->is_number()) {
      weights.assign(static_cast<size_t>(m), c->number(at_least(0.0)));
    } else {
      weights = c->numbers(at_least(0.0));
    }
    if (weights.size() != static_cast<size_t>(m)) {
      c->fail("expected " + std::to_string(m) + " weights (one per " + actions + "), got " +
              std::to_string(weights.size()));
    }
    study.cost_c =
        Eigen::Map<const Eigen::VectorXd>(weights.data(), static_cast<Eigen::Index>(weights.size()));
  } else {
    study.cost_c = Eigen::VectorXd::Constant(m, kDefaultPolicyWeight);
  }

  const JsonNode scenarios = root.at("scenarios");
  scenarios.allow_only({"type", "path", "stride", "pv_kw", "normalize", "kinds"});
  const JsonNode type = scenarios.at("type");
  study.scenarios.type =
      study.three_phase()
          ? type.one_of({"file", "loadshape", "day", "random", "stable-ddpg-13", "stable-ddpg-123"})
          : type.one_of({"tasrl13", "file"});
  const bool day = study.scenarios.type == "day";
  const bool random = study.scenarios.type == "random";
  if (study.scenarios.type == "file" || day) {
    study.scenarios.file = source.parent_path() / scenarios.at("path").string();
    study.scenarios.text = files.read(study.scenarios.file);
  }
  for (const char* key : {"stride", "normalize"}) {
    if (const auto node = scenarios.find(key); node && !day) {
      node->fail(std::string(key) + " applies to the day scenarios only");
    }
  }
  if (const auto node = scenarios.find("pv_kw"); node && !day && !random)
    node->fail("pv_kw applies to the day and random scenarios only");
  if (const auto node = scenarios.find("kinds"); node && !random)
    node->fail("kinds applies to the random scenarios only");
  if (const auto stride = scenarios.find("stride"))
    study.scenarios.stride = stride->integer<int>(1, kMaxStudySteps);
  if (const auto pv_kw = scenarios.find("pv_kw")) study.scenarios.pv_kw = pv_kw->number({.min = 0.0});
  if (const auto normalize = scenarios.find("normalize")) {
    study.scenarios.normalize = normalize->choice<DayNormalization>(
        {{"mean", DayNormalization::kMean}, {"peak", DayNormalization::kPeak}});
  }
  if (random) study.scenarios.kinds = parse_random_kinds(scenarios.at("kinds"));
  const bool generator =
      random || study.scenarios.type == "tasrl13" || study.scenarios.type.rfind("stable-ddpg", 0) == 0;

  if (const auto steps = root.find("steps")) study.steps = steps->integer(1, kMaxStudySteps);
  if (const auto discount = root.find("discount")) {
    study.discount = discount->number({.min = 0.0, .max = 1.0, .min_open = true});
  }
  if (const auto seeds = root.find("evaluation_seeds")) {
    study.evaluation_seeds = parse_seed_range(seeds->string(), src + ": " + seeds->path());
  }
  if (const auto seeds = root.find("training_seeds")) {
    study.training_seeds = parse_seed_range(seeds->string(), src + ": " + seeds->path());
  }
  if (!generator) {
    // Scenario ids of a file or a load shape are its rows or points: both ranges default to all of them and
    // must stay inside.
    const long count = make_scenarios(study)->size();
    const std::string what = study.scenarios.type == "loadshape" ? std::string("the load shapes")
                                                                 : study.scenarios.file.filename().string();
    for (auto [key, range] : {std::pair{"evaluation_seeds", &study.evaluation_seeds},
                              std::pair{"training_seeds", &study.training_seeds}}) {
      const auto node = root.find(key);
      if (!node) {
        *range = SeedRange{0, count};
      } else if (range->last > count) {
        node->fail("the range " + std::to_string(range->first) + ":" + std::to_string(range->last) +
                   " lies outside the " + std::to_string(count) + " scenarios of " + what +
                   " (ids 0:" + std::to_string(count) + ")");
      }
    }
  }
  return study;
}

std::string format_study(const ThreePhaseStudySpec& spec) {
  using nlohmann::ordered_json;
  ordered_json root;
  root["format"] = "vvc.study";
  root["version"] = 1;
  root["name"] = spec.name;
  root["network"] = spec.network.generic_string();
  ordered_json inverters = ordered_json::array();
  for (const PhaseInverterSpec& inv : spec.inverters) {
    ordered_json f;
    f["bus"] = inv.bus;
    f["phases"] = inv.phases;
    if (!inv.name.empty()) f["name"] = inv.name;
    if (inv.has_q_limits) {
      f["q_min_kvar"] = inv.q_min_kvar;
      f["q_max_kvar"] = inv.q_max_kvar;
    }
    if (inv.s_max_kva > 0.0) f["s_max_kva"] = inv.s_max_kva;
    inverters.push_back(std::move(f));
  }
  root["inverters"] = std::move(inverters);
  if (spec.monitored.empty()) {
    root["monitored"] = spec.monitored_buses;
  } else {
    root["monitored"] = spec.monitored;
  }
  root["regulators"] = spec.regulators == RegulatorMode::kFrozen ? "frozen" : "control";
  root["voltage_band"] = {{"vmin_pu", spec.vmin_pu}, {"vmax_pu", spec.vmax_pu}};
  ordered_json cost;
  if (spec.cost_form == CostForm::kF) {
    cost["form"] = "f";
    cost["c"] = spec.c;
  } else {
    cost["form"] = "stable-ddpg";
    cost["action_weight"] = spec.action_weight;
    cost["violation_weight"] = spec.violation_weight;
    cost["action_unit_kvar"] = spec.action_unit_kvar;
    cost["c"] = spec.c;
  }
  root["cost"] = std::move(cost);
  ordered_json scenarios;
  scenarios["type"] = spec.scenarios;
  if (spec.scenarios == "file" || spec.scenarios == "day")
    scenarios["path"] = spec.scenario_file.generic_string();
  if (spec.scenarios == "day") {
    scenarios["stride"] = spec.day_stride;
    scenarios["pv_kw"] = spec.day_pv_kw;
  }
  root["scenarios"] = std::move(scenarios);
  root["steps"] = spec.steps;
  root["discount"] = spec.discount;
  auto range = [](const SeedRange& r) { return std::to_string(r.first) + ":" + std::to_string(r.last); };
  if (spec.evaluation_seeds) root["evaluation_seeds"] = range(*spec.evaluation_seeds);
  if (spec.training_seeds) root["training_seeds"] = range(*spec.training_seeds);
  return root.dump(2) + "\n";
}

void write_study(const ThreePhaseStudySpec& spec, const std::filesystem::path& path) {
  const std::string text = format_study(spec);
  parse_study(text, path);
  write_file_atomically(path, text);
}

Study parse_study(const std::string& text, const std::filesystem::path& source) {
  return parse_study(text, source, grid::DiskSourceFiles());
}

Study read_study(const std::filesystem::path& path) { return read_study(path, grid::DiskSourceFiles()); }

Study read_study(const std::filesystem::path& path, const grid::SourceFiles& files) {
  const std::filesystem::path file = files.kind(path) == grid::PathKind::kFolder ? path / "study.json" : path;
  return parse_study(files.read(file), file, files);
}

}  // namespace vvc::core
