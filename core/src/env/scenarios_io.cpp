// Scenario files (docs/formats/scenarios.md): JSON ("format": "vvc.scenarios") or CSV with the header
// scenario,bus,p_mw,q_mvar (static) or scenario,step,bus,p_mw,q_mvar (time series). Injections are net
// MW/MVar into the bus and replace the case's loads and generator setpoints; the controlled inverters add
// their q.
//
// Reading is bounded by ScenarioFileLimits: a series step must lie inside the episode, and the stored
// injections and the file's entries are counted before anything is allocated for them. The CSV is read line
// by line, so a huge file is refused without being held in memory, and at most 1 GiB of it is read. The
// injections at a bus must add up to a finite power in per unit.
#include <cmath>
#include <map>
#include <sstream>
#include <unordered_map>

#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"
#include "vvc/common/json_io.hpp"
#include "vvc/common/numbers.hpp"
#include "vvc/core/env/scenarios.hpp"

namespace vvc::core {

namespace {

/// The longest CSV line accepted: far more than a row needs, little enough to hold.
constexpr size_t kMaxCsvLineLength = 4096;

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

std::vector<Scenario> parse_json_scenarios(const std::string& text, const std::string& src,
                                           const grid::Network& net, const ScenarioFileLimits& limits) {
  const JsonDocument document(text, src, JsonLimits{static_cast<size_t>(limits.max_injections)});
  const JsonNode root = document.root();
  root.allow_only({"format", "version", "scenarios"});
  root.expect_format("vvc.scenarios", 1);
  const JsonNode list = root.at("scenarios");
  const std::vector<JsonNode> entries = list.elements();
  if (entries.empty()) list.fail_expected("at least one scenario");
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

/// Reads a CSV file one line at a time, refusing a line longer than kMaxCsvLineLength and more than
/// kMaxInputFileBytes in all (blank lines, which count as no row, too).
class CsvLines {
 public:
  CsvLines(std::istream& in, const std::string& source) : in_(in), source_(source) {}

  /// The next line without its end; false at the end of the file.
  bool next(std::string& line) {
    line.clear();
    std::streambuf& buffer = *in_.rdbuf();
    for (int c = buffer.sbumpc(); c != std::char_traits<char>::eof(); c = buffer.sbumpc()) {
      if (++bytes_ > kMaxInputFileBytes) throw InputError(file_too_large_message(source_));
      if (c == '\n') {
        ++number_;
        return true;
      }
      if (line.size() == kMaxCsvLineLength) {
        ++number_;
        fail("expected a line of at most " + std::to_string(kMaxCsvLineLength) +
             " characters, got a longer one");
      }
      line += static_cast<char>(c);
    }
    if (line.empty()) return false;
    ++number_;
    return true;
  }
  int number() const { return number_; }
  /// Throws InputError "<file>:<line of the last line read>: <message>".
  [[noreturn]] void fail(const std::string& message) const {
    throw InputError::at_line(source_, number_, message);
  }

 private:
  std::istream& in_;
  const std::string& source_;
  int number_ = 0;
  std::uintmax_t bytes_ = 0;
};

bool is_blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

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
  long rows = 0;
  while (lines.next(line)) {
    if (is_blank(line)) continue;
    if (++rows > limits.max_injections) {
      lines.fail("expected at most " + std::to_string(limits.max_injections) + " rows, got more");
    }
    const auto cells = split_csv(line);
    if (cells.size() != header.size()) {
      lines.fail("expected " + std::to_string(header.size()) + " columns, got " +
                 std::to_string(cells.size()));
    }
    const auto number = [&](const std::string& cell, const char* column) {
      const auto x = parse_decimal(cell);
      if (!x) lines.fail(std::string("column ") + column + ": expected a decimal number, got '" + cell + "'");
      return *x;
    };
    const size_t c = series ? 1 : 0;
    const auto bus = buses.find(cells[c + 1]);
    if (bus == buses.end()) lines.fail("unknown bus '" + cells[c + 1] + "'");
    const int b = bus->second;
    const Complex s(number(cells[c + 2], "p_mw") / net.base_mva,
                    number(cells[c + 3], "q_mvar") / net.base_mva);
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

}  // namespace

std::unique_ptr<ScenarioSet> read_scenario_file(const std::filesystem::path& path,
                                                const grid::Network& network,
                                                const ScenarioFileLimits& limits) {
  const std::string source = path.string();
  if (is_json_file(path)) {
    return std::make_unique<FileScenarios>(
        parse_json_scenarios(read_text_file(path), source, network, limits), source);
  }
  std::ifstream in = open_input_file(path);
  return std::make_unique<FileScenarios>(parse_csv_scenarios(in, source, network, limits), source);
}

std::unique_ptr<ScenarioSet> parse_scenario_file(const std::string& text, const std::filesystem::path& source,
                                                 const grid::Network& network,
                                                 const ScenarioFileLimits& limits) {
  if (is_json_file(source)) {
    return std::make_unique<FileScenarios>(parse_json_scenarios(text, source.string(), network, limits),
                                           source.string());
  }
  std::istringstream in(text);
  return std::make_unique<FileScenarios>(parse_csv_scenarios(in, source.string(), network, limits),
                                         source.string());
}

}  // namespace vvc::core
