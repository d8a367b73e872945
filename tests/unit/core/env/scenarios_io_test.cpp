// The scenario file readers (docs/formats/scenarios.md), JSON and CSV: the examples, exact numbers, the
// strict number syntax, the bounds (steps inside the study's episode, rows and stored injections), and bad
// input, each an InputError naming the file and the line or JSON path and the offending value.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "support/input_files.hpp"
#include "vvc/core/env/scenarios.hpp"
#include "vvc/core/env/study.hpp"
#include "vvc/grid/io/case_io.hpp"

namespace vvc::core {
namespace {

namespace fs = std::filesystem;
using vvc::test_support::input_error_message;
using vvc::test_support::TempDir;
using vvc::test_support::write_file;

const fs::path kBenchmark = fs::path(VVC_SOURCE_DIR) / "cases/ieee13_tasrl";

const grid::Network& network() {
  static const grid::Network net = grid::read_case(kBenchmark / "case.json");
  return net;
}

Complex injection(const Scenario& s, const std::string& bus) {
  return s.base.s_const[network().find_bus(bus)];
}

std::string digits17(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", x);
  return text;
}

/// Writes `text` as `name` into a scratch folder and reads it with `limits`.
class ScenarioFiles : public ::testing::Test {
 protected:
  fs::path write(const std::string& name, const std::string& text) {
    const fs::path path = dir_.path() / name;
    write_file(path, text);
    return path;
  }
  std::unique_ptr<ScenarioSet> read(const std::string& name, const std::string& text,
                                    const ScenarioFileLimits& limits = {}) {
    return read_scenario_file(write(name, text), network(), limits);
  }
  std::string error(const std::string& name, const std::string& text, const ScenarioFileLimits& limits = {}) {
    return input_error_message([&] { read(name, text, limits); });
  }
  /// The path of `name` in the scratch folder.
  std::string file(const std::string& name) const { return (dir_.path() / name).string(); }
  /// The message expected for line `line` of `name`.
  std::string at_line(const std::string& name, int line, const std::string& message) const {
    return file(name) + ":" + std::to_string(line) + ": " + message;
  }
  std::string at_path(const std::string& name, const std::string& path, const std::string& message) const {
    return file(name) + ": " + path + ": " + message;
  }

 private:
  TempDir dir_{vvc::test_support::current_test_name()};
};

constexpr const char* kSeriesHeader = "scenario,step,bus,p_mw,q_mvar\n";
constexpr const char* kStaticHeader = "scenario,bus,p_mw,q_mvar\n";

std::string json_scenarios(const std::string& list) {
  return R"({"format": "vvc.scenarios", "version": 1, "scenarios": )" + list + "}";
}

// ---------------------------------------------------------------------------------------------------------------
// Reading.

TEST_F(ScenarioFiles, ReadsTheJsonExample) {
  const auto set = read_scenario_file(kBenchmark / "examples/scenarios.json", network());
  ASSERT_EQ(set->size(), 3);
  const double base = network().base_mva;
  const Scenario noon = set->make(0);
  EXPECT_EQ(noon.label, "noon-high-pv");
  EXPECT_EQ(injection(noon, "645"), Complex(2.5 / base, 0.0));
  EXPECT_EQ(injection(noon, "671"), Complex(-0.67 / base, -0.38 / base));
  EXPECT_TRUE(noon.series.empty());
  const Scenario cloud = set->make(2);
  ASSERT_EQ(cloud.series.size(), 3u);
  EXPECT_EQ(cloud.series[1][network().find_bus("684")], Complex(1.0 / base, 0.0));
}

TEST_F(ScenarioFiles, ReadsTheCsvExample) {
  const auto set = read_scenario_file(kBenchmark / "examples/scenarios.csv", network());
  ASSERT_GE(set->size(), 2);
  const Scenario sunny = set->make(0);
  EXPECT_EQ(sunny.label, "sunny");
  ASSERT_GE(sunny.series.size(), 2u);
  EXPECT_EQ(sunny.series[1][network().find_bus("684")], Complex(3.1 / network().base_mva, 0.0));
}

TEST_F(ScenarioFiles, NumbersReadBackExactlyTo17Digits) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::string csv = kStaticHeader;
  std::string json;
  std::vector<Complex> pq;
  for (int k = 0; k < 40; ++k) {
    pq.emplace_back(normal(rng) / 3.0, normal(rng) * 1e-3);
    const std::string p = digits17(pq.back().real());
    const std::string q = digits17(pq.back().imag());
    csv += "s" + std::to_string(k) + ",645," + p + "," + q + "\n";
    json += std::string(json.empty() ? "" : ", ") + R"({"injections": [{"bus": "645", "p_mw": )" + p +
            R"(, "q_mvar": )" + q + "}]}";
  }
  const auto from_csv = read("exact.csv", csv);
  const auto from_json = read("exact.json", json_scenarios("[" + json + "]"));
  for (int k = 0; k < 40; ++k) {
    const Complex expected = pq[static_cast<size_t>(k)] / network().base_mva;
    EXPECT_EQ(injection(from_csv->make(k), "645"), expected);
    EXPECT_EQ(injection(from_json->make(k), "645"), expected);
  }
}

TEST_F(ScenarioFiles, CsvAcceptsSubnormalsAndAddsEntriesOfOneBus) {
  const auto set = read("tiny.csv", std::string(kStaticHeader) + "s,645,1e-320,+.5\ns,645,2,0\n");
  EXPECT_EQ(injection(set->make(0), "645"),
            Complex((1e-320 + 2.0) / network().base_mva, 0.5 / network().base_mva));
  const auto subnormal = read("subnormal.csv", std::string(kStaticHeader) + "s,645,1e-320,0\n");
  EXPECT_EQ(injection(subnormal->make(0), "645").real(), 1e-320 / network().base_mva);
  EXPECT_GT(injection(subnormal->make(0), "645").real(), 0.0);
}

TEST_F(ScenarioFiles, TextReadsAsTheFileDoes) {
  const std::string csv = std::string(kSeriesHeader) + "a,0,645,1,0.5\na,1,632,-2,0\n";
  const auto from_file = read("s.csv", csv);
  const auto from_text = parse_scenario_file(csv, "s.csv", network());
  ASSERT_EQ(from_text->size(), from_file->size());
  EXPECT_EQ(from_text->make(0).series, from_file->make(0).series);
  const std::string json = json_scenarios(R"([{"injections": [{"bus": "645", "p_mw": 1}]}])");
  EXPECT_EQ(injection(parse_scenario_file(json, "s.json", network())->make(0), "645"),
            injection(read("s.json", json)->make(0), "645"));
  EXPECT_EQ(input_error_message([&] { parse_scenario_file(json, "s.txt", network()); }),
            "s.txt: unknown scenario file type (expected .json or .csv)");
}

TEST_F(ScenarioFiles, InjectionsAddingUpBeyondADoubleAreRefused) {
  // Each number is a finite double, and so is each in per unit (base_mva 5); six of them at one bus are not.
  const std::string message =
      "the injections at bus '645' add up to more than a double holds (in per unit of the case's base_mva)";
  std::string rows = kStaticHeader;
  std::string series = kSeriesHeader;
  std::string injections;
  for (int i = 0; i < 6; ++i) {
    rows += "s,645,1.7e308,0\ns,632,1.7e308,0\n";
    series += "s,3,645,0,-1.7e308\n";
    injections += std::string(i > 0 ? ", " : "") + R"({"bus": "645", "p_mw": 1.7e308})";
  }
  EXPECT_EQ(error("sum.csv", rows), at_line("sum.csv", 12, message));
  EXPECT_EQ(error("series.csv", series), at_line("series.csv", 7, message));
  EXPECT_EQ(error("sum.json", json_scenarios(R"([{"injections": [)" + injections + "]}]")),
            at_path("sum.json", "/scenarios/0/injections/5", message));
}

// ---------------------------------------------------------------------------------------------------------------
// CSV: numbers, steps, bounds.

TEST_F(ScenarioFiles, CsvNumbersAreDecimalOnly) {
  for (const std::string bad :
       {"0x1p3", "inf", "nan", "-infinity", "1e309", "1e-400", "", "1.5x", "1,5", "1 5"}) {
    const std::string text = std::string(kStaticHeader) + "s,645," + bad + ",0\n";
    const auto cells = bad.find(',') == std::string::npos ? 4 : 5;
    const std::string expected =
        cells == 4 ? at_line("bad.csv", 2, "column p_mw: expected a decimal number, got '" + bad + "'")
                   : at_line("bad.csv", 2, "expected 4 columns, got 5");
    EXPECT_EQ(error("bad.csv", text), expected) << bad;
  }
  EXPECT_EQ(error("bad.csv", std::string(kStaticHeader) + "s,645,1,0x10\n"),
            at_line("bad.csv", 2, "column q_mvar: expected a decimal number, got '0x10'"));
}

TEST_F(ScenarioFiles, CsvStepsAreExactIntegersInsideTheEpisode) {
  const ScenarioFileLimits twenty{.steps = 20};
  const auto expected = [&](const std::string& step) {
    return at_line(
        "steps.csv", 2,
        "column step: expected an integer from 0 to 19 (the study's steps per episode), got '" + step + "'");
  };
  for (const std::string bad : {"20", "1e10", "100000000", "2.5", "-1", "1e309", "0x1", "", "nan"}) {
    EXPECT_EQ(error("steps.csv", std::string(kSeriesHeader) + "s," + bad + ",645,1,0\n", twenty),
              expected(bad))
        << bad;
  }
  const auto set = read("steps.csv", std::string(kSeriesHeader) + "s,19,645,1,0\ns,1.0e1,645,2,0\n", twenty);
  const Scenario s = set->make(0);
  ASSERT_EQ(s.series.size(), 20u);
  EXPECT_EQ(s.series[19][network().find_bus("645")], Complex(1.0 / network().base_mva, 0.0));
  EXPECT_EQ(s.series[10][network().find_bus("645")], Complex(2.0 / network().base_mva, 0.0));
  EXPECT_EQ(s.series[0], Eigen::VectorXcd::Zero(network().num_buses()));
}

TEST_F(ScenarioFiles, CsvStepPastTheDefaultBoundIsRefusedWithoutAllocating) {
  // Without a study, the bound is the longest episode a study may have; 1e8 vectors are never built.
  EXPECT_EQ(error("huge.csv", std::string(kSeriesHeader) + "s,100000000,645,1,0\n"),
            at_line("huge.csv", 2,
                    "column step: expected an integer from 0 to 999999 (the study's steps per episode), got "
                    "'100000000'"));
  // Inside that bound, the stored injections are counted first: 999999 steps of 13 buses pass the limit.
  EXPECT_EQ(
      error("long.csv", std::string(kSeriesHeader) + "s,999999,645,1,0\n"),
      at_line(
          "long.csv", 2,
          "expected at most 8388608 stored injections (scenarios x (1 + series steps) x buses), got more"));
}

TEST_F(ScenarioFiles, CsvRowsAndStoredInjectionsAreBounded) {
  const int buses = network().num_buses();
  // Three scenarios of 13 buses need 39 stored injections.
  const std::string three = std::string(kStaticHeader) + "a,645,1,0\nb,645,1,0\nc,645,1,0\n";
  EXPECT_EQ(read("three.csv", three, {.max_injections = 3 * buses})->size(), 3);
  EXPECT_EQ(
      error("three.csv", three, {.max_injections = 3 * buses - 1}),
      at_line("three.csv", 4,
              "expected at most 38 stored injections (scenarios x (1 + series steps) x buses), got more"));
  // Rows are counted too, even when they add up into one stored injection.
  std::string rows = kStaticHeader;
  for (int k = 0; k < 100; ++k) rows += "a,645,1,0\n";
  EXPECT_EQ(read("rows.csv", rows, {.max_injections = 100})->size(), 1);
  EXPECT_EQ(error("rows.csv", rows, {.max_injections = 99}),
            at_line("rows.csv", 101, "expected at most 99 rows, got more"));
  // A time series stores one vector per step up to the highest step given.
  const std::string series = std::string(kSeriesHeader) + "a,0,645,1,0\na,4,645,1,0\n";
  EXPECT_EQ(read("series.csv", series, {.steps = 5, .max_injections = 6 * buses})->make(0).series.size(), 5u);
  EXPECT_EQ(error("series.csv", series, {.steps = 5, .max_injections = 6 * buses - 1}),
            at_line("series.csv", 3,
                    "expected at most " + std::to_string(6 * buses - 1) +
                        " stored injections (scenarios x (1 + series steps) x buses), got more"));
}

TEST_F(ScenarioFiles, CsvLinesAreBounded) {
  EXPECT_EQ(error("wide.csv", std::string(kStaticHeader) + "s,645,1," + std::string(5000, '0') + "\n"),
            at_line("wide.csv", 2, "expected a line of at most 4096 characters, got a longer one"));
}

TEST_F(ScenarioFiles, CsvShapeErrors) {
  EXPECT_EQ(error("header.csv", "scenario,bus,p,q\n"),
            at_line("header.csv", 1,
                    "expected the header 'scenario,bus,p_mw,q_mvar' or 'scenario,step,bus,p_mw,q_mvar'"));
  EXPECT_EQ(error("columns.csv", std::string(kStaticHeader) + "s,645,1\n"),
            at_line("columns.csv", 2, "expected 4 columns, got 3"));
  EXPECT_EQ(error("bus.csv", std::string(kStaticHeader) + "\ns,999,1,0\n"),
            at_line("bus.csv", 3, "unknown bus '999'"));
  EXPECT_EQ(error("empty.csv", kStaticHeader), file("empty.csv") + ": the file holds no scenario");
  EXPECT_EQ(error("nothing.csv", ""), file("nothing.csv") +
                                          ": expected the header 'scenario,bus,p_mw,q_mvar' or "
                                          "'scenario,step,bus,p_mw,q_mvar'");
}

// ---------------------------------------------------------------------------------------------------------------
// JSON.

TEST_F(ScenarioFiles, JsonNumberTooLargeForADouble) {
  const std::string text = json_scenarios(R"([{"injections": [{"bus": "645", "p_mw": 1e309}]}])");
  // The column is that of the number's last character.
  const std::string column = std::to_string(text.find("1e309") + 5);
  EXPECT_EQ(error("big.json", text),
            file("big.json") + ":1:" + column +
                ": invalid JSON: expected a number within the range of a double, got 1e309");
}

TEST_F(ScenarioFiles, JsonNestingDeeperThan256IsRefused) {
  const std::string deep = std::string(300, '[') + std::string(300, ']');
  EXPECT_EQ(error("deep.json", json_scenarios(R"([{"name": "a", "injections": )" + deep + "}]")),
            file("deep.json") +
                ": invalid JSON: expected arrays and objects nested at most 256 deep, got deeper nesting");
}

TEST_F(ScenarioFiles, JsonSeriesIsBoundedByTheStudysSteps) {
  const std::string three_steps = json_scenarios(
      R"([{"series": [[{"bus": "645", "p_mw": 1}], [{"bus": "645", "p_mw": 2}], [{"bus": "645", "p_mw": 3}]]}])");
  EXPECT_EQ(read("series.json", three_steps, {.steps = 3})->make(0).series.size(), 3u);
  EXPECT_EQ(error("series.json", three_steps, {.steps = 2}),
            at_path("series.json", "/scenarios/0/series",
                    "expected at most 2 steps (the study's steps per episode), got 3"));
}

TEST_F(ScenarioFiles, JsonValuesAndStoredInjectionsAreBounded) {
  // Two scenarios: 1 root object + "format" + "version" + the list + 2 x (object + injections list + entry
  // object + "bus" + "p_mw") = 14 JSON values.
  const std::string two = json_scenarios(
      R"([{"injections": [{"bus": "645", "p_mw": 1}]}, {"injections": [{"bus": "684", "p_mw": 1}]}])");
  EXPECT_EQ(read("two.json", two, {.max_injections = 2 * network().num_buses()})->size(), 2);
  EXPECT_EQ(error("two.json", two, {.max_injections = 13}),
            file("two.json") +
                ": expected at most 13 JSON values (numbers, strings, arrays and objects), got more");
  EXPECT_EQ(
      error("two.json", two, {.max_injections = 14}),
      at_path("two.json", "/scenarios/1",
              "expected at most 14 stored injections (scenarios x (1 + series steps) x buses), got more"));
}

TEST_F(ScenarioFiles, JsonErrorsNamePathAndValue) {
  EXPECT_EQ(error("bus.json", json_scenarios(R"([{"injections": [{"bus": "645"}, {"bus": "nowhere"}]}])")),
            at_path("bus.json", "/scenarios/0/injections/1/bus", "unknown bus 'nowhere'"));
  EXPECT_EQ(error("type.json", json_scenarios(R"([{"injections": [{"bus": "645", "p_mw": "2.5"}]}])")),
            at_path("type.json", "/scenarios/0/injections/0/p_mw", "expected a finite number, got \"2.5\""));
  EXPECT_EQ(error("field.json", json_scenarios(R"([{"injections": [{"bus": "645", "p_MW": 2}]}])")),
            at_path("field.json", "/scenarios/0/injections/0/p_MW",
                    "unknown field (expected one of \"bus\", \"p_mw\" or \"q_mvar\")"));
  EXPECT_EQ(error("none.json", json_scenarios(R"([{"name": "a"}])")),
            at_path("none.json", "/scenarios/0", "a scenario needs \"injections\" or \"series\""));
  EXPECT_EQ(error("empty.json", json_scenarios("[]")),
            at_path("empty.json", "/scenarios", "expected at least one scenario, got []"));
  EXPECT_EQ(error("steps.json", json_scenarios(R"([{"series": []}])")),
            at_path("steps.json", "/scenarios/0/series", "a time series needs at least one step"));
  EXPECT_EQ(error("version.json", R"({"format": "vvc.scenarios", "version": 1.5, "scenarios": []})"),
            at_path("version.json", "/version", "expected version 1, got 1.5"));
}

// ---------------------------------------------------------------------------------------------------------------
// Through a study: the study's steps bound the file's series.

// The study's steps bound the file's time series; the study reader reads the file, so a study whose file goes
// beyond its steps is refused when it is read.
TEST_F(ScenarioFiles, StudyStepsBoundTheFile) {
  write("steps.csv", std::string(kSeriesHeader) + "s,0,645,1,0\ns,20,645,1,0\n");
  const auto study_file = [&](int steps) {
    return write("study.json", R"({"format": "vvc.study", "version": 1,
    "network": ")" + (kBenchmark / "case.json").string() +
                                   R"(",
    "inverters": [{"generator": "pv645", "q_min_mvar": -1, "q_max_mvar": 1}],
    "voltage_band": {"vmin_pu": 0.95, "vmax_pu": 1.05}, "cost": {"c": [0.1]},
    "scenarios": {"type": "file", "path": "steps.csv"}, "steps": )" +
                                   std::to_string(steps) + "}");
  };
  EXPECT_EQ(
      input_error_message([&] { read_study(study_file(20)); }),
      at_line("steps.csv", 3,
              "column step: expected an integer from 0 to 19 (the study's steps per episode), got '20'"));
  EXPECT_EQ(make_scenarios(read_study(study_file(21)))->make(0).series.size(), 21u);
}

}  // namespace
}  // namespace vvc::core
