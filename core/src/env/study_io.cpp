#include <charconv>
#include <cstdint>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"
#include "vvc/common/json_io.hpp"
#include "vvc/core/env/scenarios.hpp"
#include "vvc/core/env/study.hpp"
#include "vvc/grid/io/case_io.hpp"

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

std::vector<int> Study::inverter_buses() const {
  std::vector<int> buses;
  for (const auto& inv : inverters) buses.push_back(inv.bus);
  return buses;
}

Study parse_study(const std::string& text, const std::filesystem::path& source) {
  const std::string src = source.string();
  const JsonDocument document(text, src);
  const JsonNode root = document.root();
  root.allow_only({"format", "version", "name", "network", "inverters", "voltage_band", "cost", "scenarios",
                   "steps", "discount", "evaluation_seeds", "training_seeds"});
  root.expect_format("vvc.study", 1);

  Study study;
  study.path = source;
  const auto name = root.find("name");
  study.name = name ? name->string() : source.parent_path().filename().string();
  const JsonNode network = root.at("network");
  const std::filesystem::path network_path = source.parent_path() / network.string();
  try {
    study.network = grid::read_case(network_path);
    study.network_file = grid::resolve_case_path(network_path);
    study.network_hash = content_hash(read_text_file(study.network_file));
  } catch (const InputError& e) {
    network.fail(e.what());
  }

  const JsonNode band = root.at("voltage_band");
  band.allow_only({"vmin_pu", "vmax_pu"});
  study.vmin_pu = band.at("vmin_pu").number(greater_than(0.0));
  study.vmax_pu = band.at("vmax_pu").number();
  if (!(study.vmin_pu < study.vmax_pu)) band.fail_expected("vmin_pu < vmax_pu");

  const JsonNode inverters = root.at("inverters");
  const std::vector<JsonNode> inverter_nodes = inverters.elements();
  if (inverter_nodes.empty()) inverters.fail_expected("at least one inverter");
  // Indices by name and the first generator of each bus, so that a study of many inverters reads in linear time.
  std::unordered_map<std::string, int> generator_of_name;
  std::unordered_map<int, int> generator_at_bus;
  for (size_t g = 0; g < study.network.generators.size(); ++g) {
    generator_of_name.emplace(study.network.generators[g].name, static_cast<int>(g));
    generator_at_bus.emplace(study.network.generators[g].bus, static_cast<int>(g));
  }
  const std::unordered_map<std::string, int> bus_of_name = grid::bus_indices(study.network);
  std::unordered_set<int> listed;
  for (const JsonNode& f : inverter_nodes) {
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

  const JsonNode cost = root.at("cost");
  cost.allow_only({"c"});
  const JsonNode c = cost.at("c");
  const std::vector<double> weights = c.numbers(at_least(0.0));
  if (weights.size() != inverter_nodes.size()) {
    c.fail("expected " + std::to_string(inverter_nodes.size()) + " weights (one per inverter), got " +
           std::to_string(weights.size()));
  }
  study.cost_c = Eigen::Map<const Eigen::VectorXd>(weights.data(), static_cast<Eigen::Index>(weights.size()));

  const JsonNode scenarios = root.at("scenarios");
  scenarios.allow_only({"type", "path"});
  study.scenarios.type = scenarios.at("type").one_of({"tasrl13", "file"});
  if (study.scenarios.type == "file") {
    study.scenarios.file = source.parent_path() / scenarios.at("path").string();
  }

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
  if (study.scenarios.type == "file") {
    // Scenario ids of a file are its rows: both ranges default to the whole file and must stay inside it.
    const long count = make_scenarios(study)->size();
    for (auto [key, range] : {std::pair{"evaluation_seeds", &study.evaluation_seeds},
                              std::pair{"training_seeds", &study.training_seeds}}) {
      const auto node = root.find(key);
      if (!node) {
        *range = SeedRange{0, count};
      } else if (range->last > count) {
        node->fail("the range " + std::to_string(range->first) + ":" + std::to_string(range->last) +
                   " lies outside the " + std::to_string(count) + " scenarios of " +
                   study.scenarios.file.filename().string() + " (ids 0:" + std::to_string(count) + ")");
      }
    }
  }
  return study;
}

Study read_study(const std::filesystem::path& path) {
  std::filesystem::path file = path;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) file = path / "study.json";
  return parse_study(read_text_file(file), file);
}

}  // namespace vvc::core
