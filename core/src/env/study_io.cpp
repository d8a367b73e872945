#include <charconv>

#include "json_fields_io.hpp"
#include "vvc/common/files.hpp"
#include "vvc/core/env/study.hpp"
#include "vvc/grid/io/case_io.hpp"

namespace vvc::core {

using detail::JsonFields;

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
  const nlohmann::json doc = detail::parse_json(text, src);
  const JsonFields root(doc, src, "");
  root.only({"format", "version", "name", "network", "inverters", "voltage_band", "cost", "scenarios",
             "steps", "discount", "evaluation_seeds", "training_seeds"});
  root.expect_format("vvc.study", 1);

  Study study;
  study.path = source;
  study.name = root.has("name") ? root.string("name") : source.parent_path().filename().string();
  const std::filesystem::path network_path = source.parent_path() / root.string("network");
  try {
    study.network = grid::read_case(network_path);
  } catch (const InputError& e) {
    root.fail("network", e.what());
  }

  const auto& band_json = root.at("voltage_band");
  const JsonFields band(band_json, src, "/voltage_band");
  band.only({"vmin_pu", "vmax_pu"});
  study.vmin_pu = band.number("vmin_pu");
  study.vmax_pu = band.number("vmax_pu");
  if (!(study.vmin_pu > 0.0 && study.vmin_pu < study.vmax_pu)) band.fail("", "need 0 < vmin_pu < vmax_pu");

  const auto& inverters = root.array("inverters");
  if (inverters.empty()) root.fail("inverters", "at least one inverter is needed");
  for (size_t i = 0; i < inverters.size(); ++i) {
    const JsonFields f(inverters[i], src, "/inverters/" + std::to_string(i));
    f.only({"generator", "bus", "q_min_mvar", "q_max_mvar", "s_max_mva"});
    Inverter inv;
    if (f.has("generator")) {
      inv.generator = f.string("generator");
      inv.generator_index = study.network.find_generator(inv.generator);
      if (inv.generator_index < 0)
        f.fail("generator", "unknown generator '" + inv.generator + "' in " + network_path.string());
    } else {
      const std::string bus = f.string("bus");
      const int b = study.network.find_bus(bus);
      if (b < 0) f.fail("bus", "unknown bus '" + bus + "' in " + network_path.string());
      for (size_t g = 0; g < study.network.generators.size() && inv.generator_index < 0; ++g) {
        if (study.network.generators[g].bus == b) inv.generator_index = static_cast<int>(g);
      }
      if (inv.generator_index < 0) {
        study.network.generators.push_back(grid::Generator{"inv" + bus, b, 0.0, 0.0, -1e30, 1e30, {}});
        inv.generator_index = static_cast<int>(study.network.generators.size()) - 1;
      }
      inv.generator = study.network.generators[static_cast<size_t>(inv.generator_index)].name;
    }
    inv.bus = study.network.generators[static_cast<size_t>(inv.generator_index)].bus;
    inv.q_min_mvar = f.number("q_min_mvar");
    inv.q_max_mvar = f.number("q_max_mvar");
    if (inv.q_min_mvar > inv.q_max_mvar) f.fail("q_min_mvar", "q_min_mvar exceeds q_max_mvar");
    inv.s_max_mva = f.number_or("s_max_mva", 0.0);
    if (inv.s_max_mva < 0.0) f.fail("s_max_mva", "must be >= 0");
    for (const auto& other : study.inverters) {
      if (other.generator_index == inv.generator_index)
        f.fail("", "inverter '" + inv.generator + "' is listed twice");
    }
    study.inverters.push_back(inv);
  }

  const JsonFields cost(root.at("cost"), src, "/cost");
  cost.only({"c"});
  const auto& c = cost.array("c");
  if (c.size() != inverters.size()) {
    cost.fail("c", "expected " + std::to_string(inverters.size()) + " weights (one per inverter), got " +
                       std::to_string(c.size()));
  }
  study.cost_c.resize(static_cast<Eigen::Index>(c.size()));
  for (size_t i = 0; i < c.size(); ++i) {
    if (!c[i].is_number() || !std::isfinite(c[i].get<double>()) || c[i].get<double>() < 0.0) {
      cost.fail("c/" + std::to_string(i), "expected a finite number >= 0");
    }
    study.cost_c[static_cast<Eigen::Index>(i)] = c[i].get<double>();
  }

  const JsonFields scen(root.at("scenarios"), src, "/scenarios");
  scen.only({"type", "path"});
  study.scenarios.type = scen.string("type");
  if (study.scenarios.type == "file") {
    study.scenarios.file = source.parent_path() / scen.string("path");
  } else if (study.scenarios.type != "tasrl13") {
    scen.fail("type",
              "unknown scenario set '" + study.scenarios.type + "' (expected \"tasrl13\" or \"file\")");
  }

  if (root.has("steps")) {
    const long steps = root.integer("steps");
    if (steps < 1 || steps > 1000000) root.fail("steps", "expected 1 <= steps <= 1000000");
    study.steps = static_cast<int>(steps);
  }
  study.discount = root.number_or("discount", study.discount);
  if (!(study.discount > 0.0 && study.discount <= 1.0)) root.fail("discount", "expected 0 < discount <= 1");
  if (root.has("evaluation_seeds")) {
    study.evaluation_seeds = parse_seed_range(root.string("evaluation_seeds"), src + ": /evaluation_seeds");
  }
  if (root.has("training_seeds")) {
    study.training_seeds = parse_seed_range(root.string("training_seeds"), src + ": /training_seeds");
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
