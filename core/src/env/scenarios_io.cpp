// Scenario files (docs/formats/scenarios.md): JSON ("format": "vvc.scenarios") or CSV with the header
// scenario,bus,p_mw,q_mvar (static) or scenario,step,bus,p_mw,q_mvar (time series). Injections are net
// MW/MVar into the bus and replace the case's loads and generator setpoints; the controlled inverters add
// their q.
#include <map>
#include <sstream>

#include "json_fields_io.hpp"
#include "vvc/common/files.hpp"
#include "vvc/core/env/scenarios.hpp"

namespace vvc::core {

namespace {

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

Scenario empty_scenario(const std::string& label, int num_buses) {
  Scenario s;
  s.label = label;
  s.base = grid::Injections(num_buses);
  return s;
}

void add_injections(const detail::JsonFields& parent, const std::string& key, const grid::Network& net,
                    Eigen::VectorXcd& s) {
  const auto& items = parent.array(key);
  for (size_t i = 0; i < items.size(); ++i) {
    const detail::JsonFields f(items[i], parent.source(), parent.path_of(key) + "/" + std::to_string(i));
    f.only({"bus", "p_mw", "q_mvar"});
    const std::string bus = f.string("bus");
    const int b = net.find_bus(bus);
    if (b < 0) f.fail("bus", "unknown bus '" + bus + "'");
    s[b] += Complex(f.number_or("p_mw", 0.0), f.number_or("q_mvar", 0.0)) / net.base_mva;
  }
}

std::vector<Scenario> parse_json_scenarios(const std::string& text, const std::string& src,
                                           const grid::Network& net) {
  const nlohmann::json doc = detail::parse_json(text, src);
  const detail::JsonFields root(doc, src, "");
  root.only({"format", "version", "scenarios"});
  root.expect_format("vvc.scenarios", 1);
  const auto& list = root.array("scenarios");
  if (list.empty()) root.fail("scenarios", "the file holds no scenario");
  std::vector<Scenario> out;
  for (size_t k = 0; k < list.size(); ++k) {
    const detail::JsonFields f(list[k], src, "/scenarios/" + std::to_string(k));
    f.only({"name", "injections", "series"});
    Scenario s =
        empty_scenario(f.has("name") ? f.string("name") : "scenario " + std::to_string(k), net.num_buses());
    if (f.has("injections")) add_injections(f, "injections", net, s.base.s_const);
    if (f.has("series")) {
      const auto& steps = f.array("series");
      if (steps.empty()) f.fail("series", "a time series needs at least one step");
      for (size_t t = 0; t < steps.size(); ++t) {
        Eigen::VectorXcd st = s.base.s_const;
        const nlohmann::json wrapper = {{"injections", steps[t]}};
        const detail::JsonFields step(wrapper, src, f.path_of("series") + "/" + std::to_string(t));
        add_injections(step, "injections", net, st);
        s.series.push_back(st);
      }
    }
    if (!f.has("injections") && !f.has("series")) f.fail("", "a scenario needs \"injections\" or \"series\"");
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) {
    const auto a = cell.find_first_not_of(" \t\r");
    const auto b = cell.find_last_not_of(" \t\r");
    cells.push_back(a == std::string::npos ? std::string() : cell.substr(a, b - a + 1));
  }
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

std::vector<Scenario> parse_csv_scenarios(const std::string& text, const std::string& src,
                                          const grid::Network& net) {
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  std::vector<std::string> header;
  while (header.empty() && std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") != std::string::npos) header = split_csv(line);
  }
  const bool series = header == std::vector<std::string>{"scenario", "step", "bus", "p_mw", "q_mvar"};
  if (!series && header != std::vector<std::string>{"scenario", "bus", "p_mw", "q_mvar"}) {
    throw InputError::at_line(
        src, line_no, "expected the header 'scenario,bus,p_mw,q_mvar' or 'scenario,step,bus,p_mw,q_mvar'");
  }
  std::vector<Scenario> out;
  std::map<std::string, size_t> index;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto cells = split_csv(line);
    if (cells.size() != header.size()) {
      throw InputError::at_line(
          src, line_no,
          "expected " + std::to_string(header.size()) + " columns, got " + std::to_string(cells.size()));
    }
    auto number = [&](const std::string& cell, const char* column) {
      try {
        size_t used = 0;
        const double x = std::stod(cell, &used);
        if (used != cell.size() || !std::isfinite(x)) throw std::invalid_argument(cell);
        return x;
      } catch (const std::exception&) {
        throw InputError::at_line(
            src, line_no, std::string("column ") + column + ": expected a number, got '" + cell + "'");
      }
    };
    const size_t c = series ? 1 : 0;
    const int b = net.find_bus(cells[c + 1]);
    if (b < 0) throw InputError::at_line(src, line_no, "unknown bus '" + cells[c + 1] + "'");
    const Complex s(number(cells[c + 2], "p_mw") / net.base_mva,
                    number(cells[c + 3], "q_mvar") / net.base_mva);
    auto [it, inserted] = index.try_emplace(cells[0], out.size());
    if (inserted) out.push_back(empty_scenario(cells[0], net.num_buses()));
    Scenario& sc = out[it->second];
    if (!series) {
      sc.base.s_const[b] += s;
      continue;
    }
    const double step_value = number(cells[1], "step");
    if (step_value < 0 || step_value != static_cast<int>(step_value)) {
      throw InputError::at_line(src, line_no, "column step: expected an integer >= 0");
    }
    const auto step = static_cast<size_t>(step_value);
    while (sc.series.size() <= step) sc.series.push_back(Eigen::VectorXcd::Zero(net.num_buses()));
    sc.series[step][b] += s;
  }
  if (out.empty()) throw InputError(src + ": the file holds no scenario");
  return out;
}

}  // namespace

std::unique_ptr<ScenarioSet> read_scenario_file(const std::filesystem::path& path,
                                                const grid::Network& network) {
  const std::string text = read_text_file(path);
  const std::string ext = path.extension().string();
  if (ext == ".json")
    return std::make_unique<FileScenarios>(parse_json_scenarios(text, path.string(), network), path.string());
  if (ext == ".csv")
    return std::make_unique<FileScenarios>(parse_csv_scenarios(text, path.string(), network), path.string());
  throw InputError(path.string() + ": unknown scenario file type (expected .json or .csv)");
}

}  // namespace vvc::core
