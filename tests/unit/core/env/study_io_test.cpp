// The study reader (docs/formats/study.md): the benchmark study, exact numbers, defaults, and every class of
// bad input, each an InputError naming the file, the JSON path (or line and column) and the offending value.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "support/input_files.hpp"
#include "vvc/common/files.hpp"
#include "vvc/core/env/scenarios.hpp"
#include "vvc/core/env/study.hpp"

namespace vvc::core {
namespace {

namespace fs = std::filesystem;
using vvc::test_support::input_error_message;

const fs::path kBenchmark = fs::path(VVC_SOURCE_DIR) / "cases/ieee13_tasrl";
/// Studies parsed from text name this file; its folder holds the network "case.json".
const fs::path kSource = kBenchmark / "inline_study.json";

/// A valid study of the benchmark network with three inverters, followed by `more` (", \"steps\": 20").
std::string study_text(const std::string& more = "") {
  return R"({"format": "vvc.study", "version": 1, "network": "case.json",
  "inverters": [{"generator": "pv645", "q_min_mvar": -1.5, "q_max_mvar": 1.5},
                {"generator": "pv684", "q_min_mvar": -1.4, "q_max_mvar": 1.4},
                {"bus": "692", "q_min_mvar": -1.0, "q_max_mvar": 0.6, "s_max_mva": 2.5}],
  "voltage_band": {"vmin_pu": 0.95, "vmax_pu": 1.05},
  "cost": {"c": [0.105, 0.075, 0.090]},
  "scenarios": {"type": "tasrl13"})" +
         more + "}";
}

/// `text` with its first `from` replaced by `to` (which must occur).
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

std::string error_of(const std::string& text) {
  return input_error_message([&] { parse_study(text, kSource); });
}

/// The message expected for a value at `path`: "<file>: <path>: <message>".
std::string at_path(const std::string& path, const std::string& message) {
  return kSource.string() + ": " + path + ": " + message;
}

TEST(StudyIo, ReadsTheBenchmarkStudy) {
  const Study study = read_study(kBenchmark);
  EXPECT_EQ(study.path, kBenchmark / "study.json");
  EXPECT_EQ(study.name, "ieee13_tasrl");
  ASSERT_EQ(study.num_inverters(), 3);
  EXPECT_EQ(study.inverters[0].generator, "pv645");
  EXPECT_EQ(study.inverters[2].generator, "pv692");
  EXPECT_EQ(study.network.buses[static_cast<size_t>(study.inverters[1].bus)].name, "684");
  EXPECT_EQ(study.inverters[1].q_min_mvar, -1.4);
  EXPECT_EQ(study.inverters[2].q_max_mvar, 0.6);
  EXPECT_EQ(study.vmin_pu, 0.95);
  EXPECT_EQ(study.vmax_pu, 1.05);
  EXPECT_EQ(study.cost_c, Eigen::Vector3d(0.105, 0.075, 0.090));
  EXPECT_EQ(study.scenarios.type, "tasrl13");
  EXPECT_EQ(study.steps, 100);
  EXPECT_EQ(study.discount, 0.99);
  EXPECT_EQ(study.evaluation_seeds.first, 0);
  EXPECT_EQ(study.evaluation_seeds.last, 500);
  EXPECT_EQ(study.training_seeds.first, 100000);
  EXPECT_EQ(study.training_seeds.last, 200000);
}

// What the other ranks of an MPI job do (core::read_inputs): read a study from the files rank 0 read, in memory.
TEST(StudyIo, ReadsFromTheFilesAnotherReaderRead) {
  for (const char* name :
       {"cases/ieee13_tasrl", "cases/ieee13_tasrl/examples/study_csv.json",
        "cases/ieee13/examples/study_elements_json.json", "cases/ieee13/examples/study_daily.json"}) {
    SCOPED_TRACE(name);
    const fs::path path = fs::path(VVC_SOURCE_DIR) / name;
    const grid::DiskSourceFiles disk;
    const grid::RecordingSourceFiles recording(disk);
    const Study on_disk = read_study(path, recording);
    const Study in_memory = read_study(path, recording.recorded());
    EXPECT_EQ(in_memory.path, on_disk.path);
    EXPECT_EQ(in_memory.network_file, on_disk.network_file);
    EXPECT_EQ(in_memory.network_hash, on_disk.network_hash);
    EXPECT_EQ(in_memory.num_inverters(), on_disk.num_inverters());
    EXPECT_EQ(in_memory.monitored, on_disk.monitored);
    EXPECT_EQ(in_memory.scenarios.text, on_disk.scenarios.text);
    EXPECT_EQ(in_memory.evaluation_seeds.last, on_disk.evaluation_seeds.last);
    const auto a = make_scenarios(on_disk);
    const auto b = make_scenarios(in_memory);
    ASSERT_EQ(a->size(), b->size());
    const Scenario first = a->make(on_disk.evaluation_seeds.first);
    const Scenario again = b->make(in_memory.evaluation_seeds.first);
    EXPECT_EQ(again.label, first.label);
    EXPECT_EQ(again.s_const_at(1), first.s_const_at(1));
    EXPECT_EQ(again.elements_at(1), first.elements_at(1));
  }
  // The study's scenario file is read with it, so later scenario sets do not read the disk.
  const Study study = read_study(kBenchmark / "examples/study_csv.json");
  EXPECT_EQ(study.scenarios.text, read_text_file(kBenchmark / "examples/scenarios.csv"));
}

TEST(StudyIo, DefaultsAndInvertersByBus) {
  const Study study = parse_study(study_text(), kSource);
  EXPECT_EQ(study.name, "ieee13_tasrl");  // the folder's name
  EXPECT_EQ(study.steps, 100);
  EXPECT_EQ(study.discount, 0.99);
  EXPECT_EQ(study.evaluation_seeds.last, 500);
  EXPECT_EQ(study.inverters[0].s_max_mva, 0.0);
  // "bus": "692" takes the bus's generator pv692.
  EXPECT_EQ(study.inverters[2].generator, "pv692");
  EXPECT_EQ(study.inverters[2].s_max_mva, 2.5);
  const Study file = parse_study(replaced(study_text(), R"({"type": "tasrl13"})",
                                          R"({"type": "file", "path": "examples/scenarios.csv"})"),
                                 kSource);
  EXPECT_EQ(file.scenarios.file, kBenchmark / "examples/scenarios.csv");
}

/// "%.17g" of x: enough digits to read back as exactly x.
std::string digits17(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", x);
  return text;
}

TEST(StudyIo, NumbersReadBackExactlyTo17Digits) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int trial = 0; trial < 50; ++trial) {
    const double q = 0.5 + uniform(rng);
    const double c = uniform(rng) / 7.0;
    const double discount = 0.9 + 0.1 * uniform(rng);
    const double vmin = 0.9 + 0.05 * uniform(rng);
    std::string text = study_text(", \"discount\": " + digits17(discount));
    text =
        replaced(text, "-1.5, \"q_max_mvar\": 1.5", "-" + digits17(q) + ", \"q_max_mvar\": " + digits17(q));
    text = replaced(text, "[0.105,", "[" + digits17(c) + ",");
    text = replaced(text, "\"vmin_pu\": 0.95", "\"vmin_pu\": " + digits17(vmin));
    const Study study = parse_study(text, kSource);
    EXPECT_EQ(study.inverters[0].q_min_mvar, -q);
    EXPECT_EQ(study.inverters[0].q_max_mvar, q);
    EXPECT_EQ(study.cost_c[0], c);
    EXPECT_EQ(study.vmin_pu, vmin);
    EXPECT_EQ(study.discount, discount);
  }
}

TEST(StudyIo, NumberTooLargeForADoubleNamesFileLineAndColumn) {
  // Line 7 of the text is `  "scenarios": {"type": "tasrl13"}, "discount": 1e309}`; the number ends at
  // column 53.
  EXPECT_EQ(
      error_of(study_text(", \"discount\": 1e309")),
      kSource.string() + ":7:53: invalid JSON: expected a number within the range of a double, got 1e309");
  EXPECT_EQ(error_of(replaced(study_text(), "-1.5", "-1e400000")).rfind(kSource.string() + ":2:", 0), 0u);
}

TEST(StudyIo, NestingDeeperThan256IsRefused) {
  const std::string deep = std::string(300, '[') + std::string(300, ']');
  EXPECT_EQ(error_of(study_text(", \"name\": " + deep)),
            kSource.string() +
                ": invalid JSON: expected arrays and objects nested at most 256 deep, got deeper nesting");
}

TEST(StudyIo, StepsMustBeAnIntegerInRange) {
  const std::string expected = "expected an integer from 1 to 1000000, got ";
  EXPECT_EQ(error_of(study_text(", \"steps\": 2.5")), at_path("/steps", expected + "2.5"));
  EXPECT_EQ(error_of(study_text(", \"steps\": 1e20")), at_path("/steps", expected + "1e+20"));
  EXPECT_EQ(error_of(study_text(", \"steps\": 0")), at_path("/steps", expected + "0"));
  EXPECT_EQ(error_of(study_text(", \"steps\": 1000001")), at_path("/steps", expected + "1000001"));
  EXPECT_EQ(error_of(study_text(", \"steps\": -9223372036854775808")),
            at_path("/steps", expected + "-9223372036854775808"));
  EXPECT_EQ(error_of(study_text(", \"steps\": \"20\"")), at_path("/steps", expected + "\"20\""));
  EXPECT_EQ(parse_study(study_text(", \"steps\": 20.0"), kSource).steps, 20);
  EXPECT_EQ(parse_study(study_text(", \"steps\": 1000000"), kSource).steps, 1000000);
}

TEST(StudyIo, NumbersOutOfTheirRange) {
  EXPECT_EQ(error_of(study_text(", \"discount\": 0")),
            at_path("/discount", "expected a finite number > 0 and <= 1, got 0"));
  EXPECT_EQ(error_of(study_text(", \"discount\": 1.5")),
            at_path("/discount", "expected a finite number > 0 and <= 1, got 1.5"));
  EXPECT_EQ(error_of(replaced(study_text(), "[0.105, 0.075, 0.090]", "[0.105, -0.075, 0.090]")),
            at_path("/cost/c/1", "expected a finite number >= 0, got -0.075"));
  EXPECT_EQ(error_of(replaced(study_text(), "\"s_max_mva\": 2.5", "\"s_max_mva\": -2.5")),
            at_path("/inverters/2/s_max_mva", "expected a finite number >= 0, got -2.5"));
  EXPECT_EQ(error_of(replaced(study_text(), "\"vmin_pu\": 0.95", "\"vmin_pu\": 0")),
            at_path("/voltage_band/vmin_pu", "expected a finite number > 0, got 0"));
  EXPECT_EQ(error_of(replaced(study_text(), "\"vmin_pu\": 0.95", "\"vmin_pu\": 1.1")),
            at_path("/voltage_band", "expected vmin_pu < vmax_pu, got {\"vmax_pu\":1.05,\"vmin_pu\":1.1}"));
}

TEST(StudyIo, WrongTypesAndFields) {
  EXPECT_EQ(error_of(replaced(study_text(), "-1.4", "\"-1.4\"")),
            at_path("/inverters/1/q_min_mvar", "expected a finite number, got \"-1.4\""));
  EXPECT_EQ(error_of(study_text(", \"horizon\": 3"))
                .rfind(at_path("/horizon", "unknown field (expected one of"), 0),
            0u);
  EXPECT_EQ(error_of(replaced(study_text(), R"("voltage_band": {"vmin_pu": 0.95, "vmax_pu": 1.05},)", "")),
            at_path("/", "missing required field \"voltage_band\""));
  EXPECT_EQ(error_of(replaced(study_text(), "\"version\": 1", "\"version\": 2")),
            at_path("/version", "expected version 1, got 2"));
  EXPECT_EQ(error_of(replaced(study_text(), "\"vvc.study\"", "\"vvc.case\"")),
            at_path("/format", "expected \"vvc.study\", got \"vvc.case\""));
  EXPECT_EQ(error_of(study_text(", \"steps\": 2, \"steps\": 3")),
            at_path("/", "expected each key once in an object, got \"steps\" twice"));
  EXPECT_EQ(error_of(replaced(study_text(), "\"tasrl13\"", "\"weather\"")),
            at_path("/scenarios/type", "expected \"tasrl13\" or \"file\", got \"weather\""));
  EXPECT_EQ(error_of(study_text(", \"name\": 13")), at_path("/name", "expected a string, got 13"));
  EXPECT_EQ(error_of(study_text(", \"evaluation_seeds\": \"5:5\"")),
            at_path("/evaluation_seeds", "the seed range '5:5' is empty (need A < B)"));
}

TEST(StudyIo, InvertersAndCost) {
  const std::string inverters = study_text().substr(study_text().find("[{\"generator\""));
  const std::string list = inverters.substr(0, inverters.find("],\n") + 1);
  EXPECT_EQ(error_of(replaced(study_text(), list, "[]")),
            at_path("/inverters", "expected at least one inverter, got []"));
  EXPECT_EQ(error_of(replaced(study_text(), "\"pv684\"", "\"pv999\"")),
            at_path("/inverters/1/generator",
                    "unknown generator 'pv999' in " + (kBenchmark / "case.json").string()));
  EXPECT_EQ(error_of(replaced(study_text(), "\"pv684\"", "\"pv645\"")),
            at_path("/inverters/1", "inverter 'pv645' is listed twice"));
  EXPECT_EQ(error_of(replaced(study_text(), "\"q_max_mvar\": 1.4", "\"q_max_mvar\": -2")),
            at_path("/inverters/1/q_min_mvar", "q_min_mvar exceeds q_max_mvar"));
  EXPECT_EQ(error_of(replaced(study_text(), "[0.105, 0.075, 0.090]", "[0.105, 0.075]")),
            at_path("/cost/c", "expected 3 weights (one per inverter), got 2"));
}

}  // namespace
}  // namespace vvc::core
