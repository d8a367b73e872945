// Scenario files (docs/formats/scenarios.md): JSON ("format": "vvc.scenarios") or CSV with the header
// scenario,bus,p_mw,q_mvar (static) or scenario,step,bus,p_mw,q_mvar (time series). Injections are net
// MW/MVar into the bus and replace the case's loads and generator setpoints; the controlled inverters add
// their q.
//
// Reading is bounded by ScenarioFileLimits: a series step must lie inside the episode, and the stored
// injections and the file's entries are counted before anything is allocated for them. A file is at most 1 GiB
// (read through the study's SourceFiles, vvc/grid/io/source_files.hpp); the CSV is parsed line by line, its
// lines and rows bounded. The injections at a bus must add up to a finite power in per unit.
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <sstream>
#include <unordered_map>

#include "csv_lines.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"
#include "vvc/common/json_io.hpp"
#include "vvc/common/numbers.hpp"
#include "vvc/core/env/scenarios.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"

namespace vvc::core {

namespace {

using csv::CsvLines;
using csv::is_blank;
using csv::split_csv;

class FileScenarios final : public ScenarioSet {
 public:
  FileScenarios(std::vector<Scenario> scenarios, std::string source)
      : scenarios_(std::move(scenarios)), source_(std::move(source)) {}
  Scenario make(long id) const override {
    if (id < 0 || id >= size()) {
      const std::string range = "0:" + std::to_string(size());
      throw InputError(source_ + ": scenario id " + std::to_string(id) + " is outside the file's " +
                       std::to_string(size()) + " scenarios (ids " + range +
                       "); a study using it needs evaluation_seeds and training_seeds inside " + range);
    }
    return scenarios_[static_cast<size_t>(id)];
  }
  long size() const override { return static_cast<long>(scenarios_.size()); }

 private:
  std::vector<Scenario> scenarios_;
  std::string source_;
};

/// Counts the complex injections the scenarios store, against ScenarioFileLimits::max_injections.
class InjectionBudget {
 public:
  explicit InjectionBudget(long limit) : limit_(limit) {}

  /// Accounts for `count` more stored injections; false when that would pass the limit.
  bool take(long count) {
    if (count > limit_ - used_) return false;
    used_ += count;
    return true;
  }
  std::string exceeded() const {
    return "expected at most " + std::to_string(limit_) +
           " stored injections (scenarios x (1 + series steps) x buses), got more";
  }

 private:
  long limit_;
  long used_ = 0;
};

Scenario empty_scenario(const std::string& label, int num_buses) {
  Scenario s;
  s.label = label;
  s.base = grid::Injections(num_buses);
  return s;
}

bool is_finite(Complex s) { return std::isfinite(s.real()) && std::isfinite(s.imag()); }

/// Finite numbers can add up to an infinite one, or become one in per unit.
std::string beyond_double(const std::string& bus) {
  return "the injections at bus '" + bus +
         "' add up to more than a double holds (in per unit of the case's base_mva)";
}

/// Bus indices by name (grid::bus_indices).
using BusIndex = std::unordered_map<std::string, int>;

void add_injections(const JsonNode& list, const grid::Network& net, const BusIndex& buses,
                    Eigen::VectorXcd& s) {
  for (const JsonNode& f : list.elements()) {
    f.allow_only({"bus", "p_mw", "q_mvar"});
    const JsonNode bus_node = f.at("bus");
    const std::string bus = bus_node.string();
    const auto b = buses.find(bus);
    if (b == buses.end()) bus_node.fail("unknown bus '" + bus + "'");
    const auto p = f.find("p_mw");
    const auto q = f.find("q_mvar");
    Complex& total = s[b->second];
    total += Complex(p ? p->number() : 0.0, q ? q->number() : 0.0) / net.base_mva;
    if (!is_finite(total)) f.fail(beyond_double(bus));
  }
}

/// The entries of a scenario file's "scenarios" list (at least one), its format and version checked.
std::vector<JsonNode> scenario_entries(const JsonDocument& document) {
  const JsonNode root = document.root();
  root.allow_only({"format", "version", "scenarios"});
  root.expect_format("vvc.scenarios", 1);
  const JsonNode list = root.at("scenarios");
  std::vector<JsonNode> entries = list.elements();
  if (entries.empty()) list.fail_expected("at least one scenario");
  return entries;
}

std::vector<Scenario> parse_json_scenarios(const std::string& text, const std::string& src,
                                           const grid::Network& net, const ScenarioFileLimits& limits) {
  const JsonDocument document(text, src, JsonLimits{static_cast<size_t>(limits.max_injections)});
  const std::vector<JsonNode> entries = scenario_entries(document);
  InjectionBudget budget(limits.max_injections);
  const BusIndex buses = grid::bus_indices(net);
  std::vector<Scenario> out;
  for (size_t k = 0; k < entries.size(); ++k) {
    const JsonNode& f = entries[k];
    f.allow_only({"name", "injections", "series"});
    const auto injections = f.find("injections");
    const auto series = f.find("series");
    if (!injections && !series) f.fail("a scenario needs \"injections\" or \"series\"");
    if (!budget.take(net.num_buses())) f.fail(budget.exceeded());
    const auto name = f.find("name");
    Scenario s = empty_scenario(name ? name->string() : "scenario " + std::to_string(k), net.num_buses());
    if (injections) add_injections(*injections, net, buses, s.base.s_const);
    if (series) {
      const std::vector<JsonNode> steps = series->elements();
      if (steps.empty()) series->fail("a time series needs at least one step");
      if (steps.size() > static_cast<size_t>(limits.steps)) {
        series->fail("expected at most " + std::to_string(limits.steps) +
                     " steps (the study's steps per episode), got " + std::to_string(steps.size()));
      }
      if (!budget.take(static_cast<long>(steps.size()) * net.num_buses())) series->fail(budget.exceeded());
      for (const JsonNode& step : steps) {
        Eigen::VectorXcd st = s.base.s_const;
        add_injections(step, net, buses, st);
        s.series.push_back(std::move(st));
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<Scenario> parse_csv_scenarios(std::istream& in, const std::string& src, const grid::Network& net,
                                          const ScenarioFileLimits& limits) {
  CsvLines lines(in, src);
  std::string line;
  std::vector<std::string> header;
  while (header.empty() && lines.next(line)) {
    if (!is_blank(line)) header = split_csv(line);
  }
  const bool series = header == std::vector<std::string>{"scenario", "step", "bus", "p_mw", "q_mvar"};
  if (!series && header != std::vector<std::string>{"scenario", "bus", "p_mw", "q_mvar"}) {
    lines.fail("expected the header 'scenario,bus,p_mw,q_mvar' or 'scenario,step,bus,p_mw,q_mvar'");
  }
  std::vector<Scenario> out;
  std::map<std::string, size_t> index;
  InjectionBudget budget(limits.max_injections);
  const BusIndex buses = grid::bus_indices(net);
  std::vector<std::string> cells;
  while (lines.next_row(header.size(), limits.max_injections, cells)) {
    const size_t c = series ? 1 : 0;
    const auto bus = buses.find(cells[c + 1]);
    if (bus == buses.end()) lines.fail("unknown bus '" + cells[c + 1] + "'");
    const int b = bus->second;
    const Complex s(lines.number(cells[c + 2], "p_mw") / net.base_mva,
                    lines.number(cells[c + 3], "q_mvar") / net.base_mva);
    long step = 0;
    if (series) {
      const auto parsed = parse_integer(cells[1], 0, limits.steps - 1);
      if (!parsed) {
        lines.fail("column step: expected an integer from 0 to " + std::to_string(limits.steps - 1) +
                   " (the study's steps per episode), got '" + cells[1] + "'");
      }
      step = static_cast<long>(*parsed);
    }
    auto [it, inserted] = index.try_emplace(cells[0], out.size());
    if (inserted) {
      if (!budget.take(net.num_buses())) lines.fail(budget.exceeded());
      out.push_back(empty_scenario(cells[0], net.num_buses()));
    }
    Scenario& sc = out[it->second];
    if (series) {
      const auto missing = step + 1 - static_cast<long>(sc.series.size());
      if (missing > 0) {
        if (!budget.take(missing * net.num_buses())) lines.fail(budget.exceeded());
        sc.series.resize(static_cast<size_t>(step + 1), Eigen::VectorXcd::Zero(net.num_buses()));
      }
    }
    Complex& total = series ? sc.series[static_cast<size_t>(step)][b] : sc.base.s_const[b];
    total += s;
    if (!is_finite(total)) lines.fail(beyond_double(cells[c + 1]));
  }
  if (out.empty()) throw InputError(src + ": the file holds no scenario");
  return out;
}

/// True for a .json file, false for a .csv file; throws InputError for any other.
bool is_json_file(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  if (ext != ".json" && ext != ".csv") {
    throw InputError(path.string() + ": unknown scenario file type (expected .json or .csv)");
  }
  return ext == ".json";
}

/// The power elements a scenario entry names: the element itself, or the single-phase elements a study made of
/// a named inverter ("PVSystem.pv1" -> pvsystem.pv1_1, _2, _3).
std::vector<int> elements_named(const grid::MultiphaseNetwork& net, const std::string& name) {
  std::vector<int> out;
  const int exact = grid::find_power_element(net, name);
  if (exact >= 0) return {exact};
  std::string wanted;
  for (char c : name) wanted += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (size_t l = 0; l < net.loads.size(); ++l) {
    const std::string& n = net.loads[l].name;
    if (n.size() == wanted.size() + 2 && n.compare(0, wanted.size(), wanted) == 0 &&
        n[wanted.size()] == '_' && n.back() >= '1' && n.back() <= '3') {
      out.push_back(static_cast<int>(l));
    }
  }
  return out;
}

/// One entry of an element scenario: kW and kvar (each optional: the other keeps its value) or a multiplier
/// of the script's power; a kW or kvar of an element split over phases is split equally.
struct ElementEntry {
  std::vector<int> elements;
  std::optional<double> kw, kvar, mult;
};

/// Applies `e` to the element powers `s`; false when a power it gives is beyond what a double holds (a
/// multiplier of 1e308).
[[nodiscard]] bool apply_entry(const ElementEntry& e, const Eigen::VectorXcd& script, Eigen::VectorXcd& s,
                               const grid::MultiphaseNetwork& net) {
  const double share = 1.0 / static_cast<double>(e.elements.size());
  for (int l : e.elements) {
    // kW and kvar are the element's own: consumption for a load (stored under its bare name), generation for a
    // PV system or generator (stored as pvsystem.<name>, generator.<name>).
    const double sign = net.loads[static_cast<size_t>(l)].name.find('.') == std::string::npos ? -1.0 : 1.0;
    if (e.mult) s[l] = script[l] * *e.mult;
    if (e.kw) s[l].real(sign * *e.kw * share / 1000.0);
    if (e.kvar) s[l].imag(sign * *e.kvar * share / 1000.0);
    if (!is_finite(s[l])) return false;
  }
  return true;
}

std::string beyond_double_element(const std::string& element) {
  return "the power of element '" + element + "' is more than a double holds (MW)";
}

ElementEntry json_entry(const JsonNode& f, const grid::MultiphaseNetwork& net) {
  f.allow_only({"element", "kw", "kvar", "mult"});
  ElementEntry e;
  const JsonNode name = f.at("element");
  e.elements = elements_named(net, name.string());
  if (e.elements.empty()) name.fail("unknown power element '" + name.string() + "'");
  if (const auto kw = f.find("kw")) e.kw = kw->number();
  if (const auto kvar = f.find("kvar")) e.kvar = kvar->number();
  if (const auto mult = f.find("mult")) {
    if (e.kw || e.kvar) mult->fail("give kw and kvar, or mult, not both");
    e.mult = mult->number();
  }
  if (!e.kw && !e.kvar && !e.mult) f.fail("an entry needs kw, kvar or mult");
  return e;
}

std::vector<Scenario> parse_json_element_scenarios(const std::string& text, const std::string& src,
                                                   const Study& study, const ScenarioFileLimits& limits) {
  const grid::MultiphaseNetwork& net = study.phase_network;
  const Eigen::VectorXcd script = element_injections(study);
  const long width = static_cast<long>(net.loads.size());
  const JsonDocument document(text, src, JsonLimits{static_cast<size_t>(limits.max_injections)});
  const std::vector<JsonNode> entries = scenario_entries(document);
  InjectionBudget budget(limits.max_injections);
  std::vector<Scenario> out;
  for (size_t k = 0; k < entries.size(); ++k) {
    const JsonNode& f = entries[k];
    f.allow_only({"name", "elements", "series"});
    const auto elements = f.find("elements");
    const auto series = f.find("series");
    if (!elements && !series) f.fail("a scenario needs \"elements\" or \"series\"");
    if (!budget.take(width)) f.fail(budget.exceeded());
    Scenario s;
    const auto name = f.find("name");
    s.label = name ? name->string() : "scenario " + std::to_string(k);
    s.elements = script;
    if (elements) {
      for (const JsonNode& e : elements->elements()) {
        if (!apply_entry(json_entry(e, net), script, s.elements, net))
          e.fail(beyond_double_element(e.at("element").string()));
      }
    }
    if (series) {
      const std::vector<JsonNode> steps = series->elements();
      if (steps.empty()) series->fail("a time series needs at least one step");
      if (steps.size() > static_cast<size_t>(limits.steps) + 1) {
        series->fail("expected at most " + std::to_string(limits.steps + 1) +
                     " steps (the reset and the study's steps per episode), got " +
                     std::to_string(steps.size()));
      }
      if (!budget.take(static_cast<long>(steps.size()) * width)) series->fail(budget.exceeded());
      for (const JsonNode& step : steps) {
        Eigen::VectorXcd st = s.elements;
        for (const JsonNode& e : step.elements()) {
          if (!apply_entry(json_entry(e, net), script, st, net))
            e.fail(beyond_double_element(e.at("element").string()));
        }
        s.element_series.push_back(std::move(st));
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<Scenario> parse_csv_element_scenarios(std::istream& in, const std::string& src,
                                                  const Study& study, const ScenarioFileLimits& limits) {
  const grid::MultiphaseNetwork& net = study.phase_network;
  const Eigen::VectorXcd script = element_injections(study);
  const long width = static_cast<long>(net.loads.size());
  CsvLines lines(in, src);
  std::string line;
  std::vector<std::string> header;
  while (header.empty() && lines.next(line)) {
    if (!is_blank(line)) header = split_csv(line);
  }
  using Header = std::vector<std::string>;
  const bool series = !header.empty() && header.size() > 1 && header[1] == "step";
  const bool mult = !header.empty() && header.back() == "mult";
  const Header expected =
      series ? (mult ? Header{"scenario", "step", "element", "mult"}
                     : Header{"scenario", "step", "element", "kw", "kvar"})
             : (mult ? Header{"scenario", "element", "mult"} : Header{"scenario", "element", "kw", "kvar"});
  if (header != expected) {
    lines.fail(
        "expected the header 'scenario,element,kw,kvar', 'scenario,step,element,kw,kvar', "
        "'scenario,element,mult' or 'scenario,step,element,mult'");
  }
  std::vector<Scenario> out;
  std::map<std::string, size_t> index;
  InjectionBudget budget(limits.max_injections);
  std::vector<std::string> cells;
  while (lines.next_row(header.size(), limits.max_injections, cells)) {
    const size_t c = series ? 1 : 0;
    ElementEntry e;
    e.elements = elements_named(net, cells[c + 1]);
    if (e.elements.empty()) lines.fail("unknown power element '" + cells[c + 1] + "'");
    if (mult) {
      e.mult = lines.number(cells[c + 2], "mult");
    } else {
      e.kw = lines.number(cells[c + 2], "kw");
      e.kvar = lines.number(cells[c + 3], "kvar");
    }
    long step = -1;
    if (series) {
      const auto parsed = parse_integer(cells[1], 0, limits.steps);
      if (!parsed) {
        lines.fail("column step: expected an integer from 0 (the reset) to " + std::to_string(limits.steps) +
                   " (the study's steps per episode), got '" + cells[1] + "'");
      }
      step = static_cast<long>(*parsed);
    }
    auto [it, inserted] = index.try_emplace(cells[0], out.size());
    if (inserted) {
      if (!budget.take(width)) lines.fail(budget.exceeded());
      Scenario s;
      s.label = cells[0];
      s.elements = script;
      out.push_back(std::move(s));
    }
    Scenario& sc = out[it->second];
    if (!series) {
      if (!apply_entry(e, script, sc.elements, net)) lines.fail(beyond_double_element(cells[c + 1]));
      continue;
    }
    const auto missing = step + 1 - static_cast<long>(sc.element_series.size());
    if (missing > 0) {
      if (!budget.take(missing * width)) lines.fail(budget.exceeded());
      sc.element_series.resize(static_cast<size_t>(step + 1), script);
    }
    if (!apply_entry(e, script, sc.element_series[static_cast<size_t>(step)], net))
      lines.fail(beyond_double_element(cells[c + 1]));
  }
  if (out.empty()) throw InputError(src + ": the file holds no scenario");
  return out;
}

}  // namespace

std::unique_ptr<ScenarioSet> parse_element_scenario_file(const std::string& text,
                                                         const std::filesystem::path& path,
                                                         const Study& study,
                                                         const ScenarioFileLimits& limits) {
  if (is_json_file(path)) {
    return std::make_unique<FileScenarios>(parse_json_element_scenarios(text, path.string(), study, limits),
                                           path.string());
  }
  std::istringstream in(text);
  return std::make_unique<FileScenarios>(parse_csv_element_scenarios(in, path.string(), study, limits),
                                         path.string());
}

std::unique_ptr<ScenarioSet> parse_scenario_file(const std::string& text, const std::filesystem::path& path,
                                                 const grid::Network& network,
                                                 const ScenarioFileLimits& limits) {
  if (is_json_file(path)) {
    return std::make_unique<FileScenarios>(parse_json_scenarios(text, path.string(), network, limits),
                                           path.string());
  }
  std::istringstream in(text);
  return std::make_unique<FileScenarios>(parse_csv_scenarios(in, path.string(), network, limits),
                                         path.string());
}

std::unique_ptr<ScenarioSet> read_scenario_file(const std::filesystem::path& path,
                                                const grid::Network& network,
                                                const ScenarioFileLimits& limits) {
  return parse_scenario_file(read_text_file(path), path, network, limits);
}

}  // namespace vvc::core
