#include "vvc/grid/io/case_io.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "support/input_files.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/common/units.hpp"
#include "vvc/grid/model/topology.hpp"

namespace vvc::grid {
namespace {

namespace fs = std::filesystem;

const fs::path kSourceDir = VVC_SOURCE_DIR;
const fs::path kBadCases = kSourceDir / "tests/data/bad_cases";
const fs::path kIeee13 = kSourceDir / "cases/ieee13_tasrl";

using vvc::test_support::input_error_message;
using vvc::test_support::TempDir;
using vvc::test_support::write_file;

void expect_same_network(const Network& a, const Network& b, bool compare_names = true) {
  if (compare_names) {
    EXPECT_EQ(a.name, b.name);
  }
  EXPECT_EQ(a.base_mva, b.base_mva);
  ASSERT_EQ(a.buses.size(), b.buses.size());
  for (size_t i = 0; i < a.buses.size(); ++i) {
    SCOPED_TRACE("bus " + a.buses[i].name);
    EXPECT_EQ(a.buses[i].name, b.buses[i].name);
    EXPECT_EQ(a.buses[i].base_kv, b.buses[i].base_kv);
    EXPECT_EQ(a.buses[i].vmin_pu, b.buses[i].vmin_pu);
    EXPECT_EQ(a.buses[i].vmax_pu, b.buses[i].vmax_pu);
    EXPECT_EQ(a.buses[i].xy, b.buses[i].xy);
  }
  EXPECT_EQ(a.slack.bus, b.slack.bus);
  EXPECT_EQ(a.slack.vm_pu, b.slack.vm_pu);
  EXPECT_EQ(a.slack.va_rad, b.slack.va_rad);
  ASSERT_EQ(a.branches.size(), b.branches.size());
  for (size_t k = 0; k < a.branches.size(); ++k) {
    SCOPED_TRACE("branch " + a.branches[k].name);
    EXPECT_EQ(a.branches[k].name, b.branches[k].name);
    EXPECT_EQ(a.branches[k].from, b.branches[k].from);
    EXPECT_EQ(a.branches[k].to, b.branches[k].to);
    EXPECT_EQ(a.branches[k].r_pu, b.branches[k].r_pu);
    EXPECT_EQ(a.branches[k].x_pu, b.branches[k].x_pu);
    EXPECT_EQ(a.branches[k].b_pu, b.branches[k].b_pu);
    EXPECT_EQ(a.branches[k].is_switch, b.branches[k].is_switch);
    EXPECT_EQ(a.branches[k].in_service, b.branches[k].in_service);
  }
  ASSERT_EQ(a.loads.size(), b.loads.size());
  for (size_t k = 0; k < a.loads.size(); ++k) {
    SCOPED_TRACE("load " + a.loads[k].name);
    EXPECT_EQ(a.loads[k].name, b.loads[k].name);
    EXPECT_EQ(a.loads[k].bus, b.loads[k].bus);
    EXPECT_EQ(a.loads[k].p_mw, b.loads[k].p_mw);
    EXPECT_EQ(a.loads[k].q_mvar, b.loads[k].q_mvar);
    EXPECT_EQ(a.loads[k].model, b.loads[k].model);
    EXPECT_EQ(a.loads[k].zip_p, b.loads[k].zip_p);
    EXPECT_EQ(a.loads[k].zip_q, b.loads[k].zip_q);
  }
  ASSERT_EQ(a.generators.size(), b.generators.size());
  for (size_t k = 0; k < a.generators.size(); ++k) {
    SCOPED_TRACE("generator " + a.generators[k].name);
    EXPECT_EQ(a.generators[k].name, b.generators[k].name);
    EXPECT_EQ(a.generators[k].bus, b.generators[k].bus);
    EXPECT_EQ(a.generators[k].p_mw, b.generators[k].p_mw);
    EXPECT_EQ(a.generators[k].q_mvar, b.generators[k].q_mvar);
    EXPECT_EQ(a.generators[k].q_min_mvar, b.generators[k].q_min_mvar);
    EXPECT_EQ(a.generators[k].q_max_mvar, b.generators[k].q_max_mvar);
    EXPECT_EQ(a.generators[k].s_max_mva, b.generators[k].s_max_mva);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The malformed-case corpus, tests/data/bad_cases/expected_errors.tsv.

struct BadCase {
  std::string file;
  std::string fragment;
};

std::vector<BadCase> bad_cases() {
  std::vector<BadCase> out;
  std::ifstream in(kBadCases / "expected_errors.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    VVC_ASSERT(tab != std::string::npos);
    out.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  return out;
}

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.file; }

class BadCaseTest : public testing::TestWithParam<BadCase> {};

TEST_P(BadCaseTest, ThrowsInputErrorNamingFileAndProblem) {
  const BadCase& c = GetParam();
  const fs::path path = kBadCases / c.file;
  // What 'vvc powerflow' does before solving: read, then check that every bus reaches the slack.
  const std::string message = input_error_message([&path] {
    const Network network = read_case(path);
    build_topology(network, resolve_case_path(path).string());
  });
  EXPECT_NE(message.find(c.file), std::string::npos) << message;
  EXPECT_NE(message.find(c.fragment), std::string::npos) << "expected '" << c.fragment << "' in: " << message;
}

std::string bad_case_name(const testing::TestParamInfo<BadCase>& info) {
  std::string name = info.param.file;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadCaseTest, testing::ValuesIn(bad_cases()), bad_case_name);

TEST(BadCaseCorpus, ListsEveryFileOnce) {
  std::set<std::string> listed;
  for (const BadCase& c : bad_cases())
    EXPECT_TRUE(listed.insert(c.file).second) << c.file << " is listed twice";
  std::set<std::string> present;
  for (const auto& entry : fs::directory_iterator(kBadCases)) {
    const std::string name = entry.path().filename().string();
    if (name != "expected_errors.tsv" && name != "helpers") present.insert(name);
  }
  EXPECT_EQ(listed, present);
  EXPECT_GE(listed.size(), 15u);
}

// ---------------------------------------------------------------------------------------------------------------
// The IEEE 13-bus benchmark case in both formats.

TEST(Ieee13Case, JsonHasTheBenchmarkLayout) {
  const Network net = read_case(kIeee13);
  EXPECT_EQ(net.name, "ieee13_tasrl");
  EXPECT_EQ(net.base_mva, 5.0);
  ASSERT_EQ(net.num_buses(), 13);
  const std::vector<std::string> names = {"650", "632", "645", "633", "646", "671", "634",
                                          "684", "680", "692", "611", "652", "675"};
  for (int i = 0; i < 13; ++i)
    EXPECT_EQ(net.buses[static_cast<size_t>(i)].name, names[static_cast<size_t>(i)]);
  EXPECT_EQ(net.slack.bus, 0);
  EXPECT_EQ(net.slack.vm_pu, 1.0);
  EXPECT_EQ(net.slack.va_rad, 0.0);
  ASSERT_EQ(net.num_branches(), 12);
  EXPECT_EQ(net.branches[0].name, "650-632");
  EXPECT_EQ(net.branches[0].r_pu, 0.03790680473372781);
  EXPECT_EQ(net.branches[0].x_pu, 0.11140902366863903);
  EXPECT_EQ(net.branches[8].name, "684-652");
  EXPECT_EQ(net.branches[8].r_pu, 0.05876710428994082);
  ASSERT_EQ(net.loads.size(), 9u);
  EXPECT_EQ(net.loads[7].name, "load652");
  EXPECT_EQ(net.loads[7].q_mvar, 0.0086);
  const std::vector<int> inverter_buses = {2, 7, 9, 1, 3, 4, 5, 6, 8, 10, 11, 12};
  ASSERT_EQ(net.generators.size(), inverter_buses.size());
  for (size_t k = 0; k < inverter_buses.size(); ++k) {
    const Generator& gen = net.generators[k];
    EXPECT_EQ(gen.bus, inverter_buses[k]);
    EXPECT_EQ(gen.name, "pv" + net.buses[static_cast<size_t>(gen.bus)].name);
    EXPECT_EQ(gen.p_mw, 0.0);
    EXPECT_EQ(gen.q_mvar, 0.0);
    EXPECT_EQ(gen.q_min_mvar, -1e30);
    EXPECT_EQ(gen.q_max_mvar, 1e30);
  }
}

TEST(Ieee13Case, MatpowerAndJsonGiveTheSameNetwork) {
  const Network from_json = read_case(kIeee13 / "case.json");
  const Network from_matpower = read_case(kIeee13 / "case_13.m");
  EXPECT_EQ(from_matpower.name, "case_13");  // the MATPOWER function name
  expect_same_network(from_json, from_matpower, /*compare_names=*/false);
}

TEST(Ieee13Case, JsonRoundTripIsExact) {
  const Network net = read_case(kIeee13);
  const std::string text = case_to_json_text(net);
  const Network again = parse_case_json(text, "round trip");
  expect_same_network(net, again);
  EXPECT_EQ(case_to_json_text(again), text);
}

// ---------------------------------------------------------------------------------------------------------------
// Round trip of every field, with numbers that need all 17 significant digits.

Network awkward_network() {
  Network net;
  net.name = "awkward \"quoted\" name";
  net.base_mva = 1.0 / 3.0;
  net.buses = {Bus{"s", 12.47, 0.9, 1.1, std::array<double, 2>{0.1 + 0.2, -1e-300}},
               Bus{"m", 12.47, 0.95, 1.05, {}}, Bus{"n", 0.48, 0.1 * 3.0, std::nextafter(1.05, 2.0), {}}};
  net.slack = Slack{0, 1.0000000000000002, deg_to_rad(-30.123456789)};
  net.branches = {Branch{"s-m", 0, 1, 2.0 / 3.0, 1e-17, -0.0012345678901234567, false, true},
                  Branch{"m-n", 1, 2, 0.1, 0.7, 0.0, false, false},
                  Branch{"sw", 0, 2, 1e-6, 0.0, 0.0, true, false}};
  Load zip{"zip", 2, 0.123456789012345678, -4.0 / 7.0, LoadModel::kZip, {0.2, 0.3, 0.5}, {0.1, 0.6, 0.3}};
  net.loads = {Load{"pq", 1, 1.0 / 7.0, 2.0 / 9.0}, zip,
               Load{"z", 2, 3.0, -1.5, LoadModel::kConstantImpedance},
               Load{"i", 2, 0.5, 0.25, LoadModel::kConstantCurrent}};
  Generator unlimited;  // default limits and no rating
  unlimited.name = "g2";
  unlimited.bus = 2;
  net.generators = {Generator{"g1", 1, 0.3, -0.1, -0.7, 0.9, 1.0 / 3.0}, unlimited};
  return net;
}

TEST(CaseJson, RoundTripOfEveryFieldIsExact) {
  const Network net = awkward_network();
  validate(net, "awkward");
  const std::string text = case_to_json_text(net);
  const Network again = parse_case_json(text, "awkward.json");
  expect_same_network(net, again);
  EXPECT_EQ(case_to_json_text(again), text);
}

TEST(CaseJson, SlackAngleRoundTripsForManyAngles) {
  Network net = awkward_network();
  for (int k = -1800; k <= 1800; k += 7) {
    net.slack.va_rad = deg_to_rad(k * 0.1 + 1e-9 * k);
    const Network again = parse_case_json(case_to_json_text(net), "angles");
    ASSERT_EQ(again.slack.va_rad, net.slack.va_rad) << "angle " << k;
  }
}

TEST(CaseJson, WriteIsAtomicAndReadsBack) {
  const TempDir dir("case_json_write");
  const fs::path path = dir.path() / "case.json";
  write_file(path, "old content");
  const Network net = awkward_network();
  write_case_json(net, path);
  expect_same_network(net, read_case_json(path));
  // Only the target is left in the folder (the temporary file was renamed onto it), readable by others too.
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir.path())) files.push_back(entry.path().filename());
  EXPECT_EQ(files, std::vector<fs::path>{"case.json"});
  EXPECT_NE(fs::status(path).permissions() & fs::perms::others_read, fs::perms::none);
}

TEST(CaseJson, WriteToMissingFolderThrowsAndLeavesNothing) {
  const TempDir dir("case_json_write_missing");
  const fs::path path = dir.path() / "no_such_folder" / "case.json";
  const std::string message = input_error_message([&] { write_case_json(awkward_network(), path); });
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dir.path() / "no_such_folder"));
}

constexpr const char* kThreeBusHead = R"({"format": "vvc.case", "version": 1, "name": "t", "base_mva": 2,
  "buses": [{"name": "a", "base_kv": 4}, {"name": "b", "base_kv": 4, "vmin_pu": 0.9, "vmax_pu": 1.1, "xy": [1, 2]}],
  "slack": {"bus": "a", "va_deg": 30},
)";

TEST(CaseJson, OhmAndMicrosiemensAreConvertedToPerUnit) {
  const Network net = parse_case_json(
      std::string(kThreeBusHead) +
          R"("lines": [{"name": "l", "from": "a", "to": "b", "r_ohm": 0.4, "x_ohm": 0.8, "b_us": 5}]})",
      "ohm.json");
  const double z_base = 4.0 * 4.0 / 2.0;
  EXPECT_DOUBLE_EQ(net.branches[0].r_pu, 0.4 / z_base);
  EXPECT_DOUBLE_EQ(net.branches[0].x_pu, 0.8 / z_base);
  EXPECT_DOUBLE_EQ(net.branches[0].b_pu, 5e-6 * z_base);
}

TEST(CaseJson, DefaultsAreFilledIn) {
  const Network net = parse_case_json(std::string(kThreeBusHead) + R"(
    "switches": [{"name": "s", "from": "a", "to": "b"}],
    "loads": [{"name": "l", "bus": "b", "p_mw": 1, "q_mvar": 0.5}],
    "generators": [{"name": "g", "bus": "b"}]})",
                                      "defaults.json");
  EXPECT_EQ(net.buses[0].vmin_pu, 0.95);
  EXPECT_EQ(net.buses[0].vmax_pu, 1.05);
  EXPECT_FALSE(net.buses[0].xy.has_value());
  EXPECT_EQ(net.buses[1].xy, (std::array<double, 2>{1.0, 2.0}));
  EXPECT_EQ(net.slack.vm_pu, 1.0);
  EXPECT_DOUBLE_EQ(net.slack.va_rad, kPi / 6.0);
  ASSERT_EQ(net.num_branches(), 1);
  EXPECT_TRUE(net.branches[0].is_switch);
  EXPECT_TRUE(net.branches[0].in_service);
  EXPECT_EQ(net.branches[0].r_pu, 1e-6);
  EXPECT_EQ(net.branches[0].x_pu, 0.0);
  EXPECT_EQ(net.loads[0].model, LoadModel::kConstantPower);
  EXPECT_EQ(net.generators[0].p_mw, 0.0);
  EXPECT_EQ(net.generators[0].q_min_mvar, -1e30);
  EXPECT_FALSE(net.generators[0].s_max_mva.has_value());
}

TEST(CaseJson, ParseErrorsNameTheSource) {
  const std::string message = input_error_message([] { parse_case_json("[1, 2]", "inline text"); });
  EXPECT_EQ(message, "inline text: /: expected an object, got [1,2]");
}

/// `count` copies of `item`, separated by `separator`.
std::string repeated(const std::string& item, const std::string& separator, int count) {
  std::string out;
  out.reserve(static_cast<size_t>(count) * (item.size() + separator.size()));
  for (int i = 0; i < count; ++i) out += (i > 0 ? separator : "") + item;
  return out;
}

TEST(CaseJson, ArraysHoldAtMostTheCaseLimit) {
  // Refused at the first element past the limit, before the rest of the file is parsed.
  const std::string text =
      R"({"format": "vvc.case", "version": 1, "name": "big", "base_mva": 1, "buses": [)" +
      repeated("0", ",", kMaxCaseElements + 1) + "]}";
  EXPECT_EQ(input_error_message([&] { parse_case_json(text, "big.json"); }),
            "big.json: /buses: expected at most 1000000 elements in an array, got more");
}

TEST(CaseLimits, ElementsOfEachKindAreBounded) {
  // A case reader may give more elements of a kind than any one list holds: lines and switches are one kind,
  // and a MATPOWER bus row gives a load and a shunt.
  Network net;
  net.buses = {Bus{"a", 1.0, 0.95, 1.05, std::nullopt}};
  net.slack.bus = 0;
  net.loads.assign(static_cast<size_t>(kMaxCaseElements), Load{"l", 0, 1.0, 0.0});
  EXPECT_NO_THROW(validate(net, "big.m"));
  net.loads.push_back(Load{"l", 0, 1.0, 0.0});
  EXPECT_EQ(input_error_message([&] { validate(net, "big.m"); }),
            "big.m: expected at most 1000000 loads, got 1000001");
}

// ---------------------------------------------------------------------------------------------------------------
// MATPOWER details beyond the benchmark case.

constexpr const char* kMatpowerFeeder = R"(function mpc = feeder
% comment lines, commas between columns, a '...' continuation and out-of-service elements
mpc.version = '2';
mpc.baseMVA = 10;
mpc.bus = [
  1, 3, 0, 0, 0, 0, 1, 1.0, -2.5, 12.47, 1, 1.1, 0.9;  % slack, Vm overridden by the generator's Vg
  2  1  1.5  0.5  0.1  0.3  1  1  0  12.47  1  1.05  0.95
  3  1  0    0    0    0    1  1  0  12.47  1  1.05  0.95;
];
mpc.gen = [
  1  0  0  10  -10  1.02  10  1  10  0;
  2  0.4  0.1  0.5  -0.5  1  10  1  1  0;
  3  0.2  0    1    -1    1  10  0  1  0;
];
mpc.branch = [
  1  2  0.01  0.02  0.001  0  0  0  0  0  1 ...
     -360  360;
  2  3  0.03  0.04  0  0  0  0  1  0  1  -360  360;
  2  3  0.05  0.06  0  0  0  0  1  0  0  -360  360;
];
mpc.gencost = [
  2  0  0  3  0  1  0;
];
)";

TEST(Matpower, ReadsTheSupportedSubset) {
  const Network net = parse_matpower(kMatpowerFeeder, "feeder.m");
  EXPECT_EQ(net.name, "feeder");
  EXPECT_EQ(net.base_mva, 10.0);
  ASSERT_EQ(net.num_buses(), 3);
  EXPECT_EQ(net.buses[1].name, "2");
  EXPECT_EQ(net.buses[0].vmax_pu, 1.1);
  EXPECT_EQ(net.slack.bus, 0);
  EXPECT_EQ(net.slack.vm_pu, 1.02);
  EXPECT_DOUBLE_EQ(net.slack.va_rad, deg_to_rad(-2.5));

  ASSERT_EQ(net.loads.size(), 2u);
  EXPECT_EQ(net.loads[0].name, "load2");
  EXPECT_EQ(net.loads[0].model, LoadModel::kConstantPower);
  EXPECT_EQ(net.loads[0].p_mw, 1.5);
  EXPECT_EQ(net.loads[0].q_mvar, 0.5);
  EXPECT_EQ(net.loads[1].name, "shunt2");
  EXPECT_EQ(net.loads[1].model, LoadModel::kConstantImpedance);
  EXPECT_EQ(net.loads[1].p_mw, 0.1);     // Gs consumes
  EXPECT_EQ(net.loads[1].q_mvar, -0.3);  // Bs injects

  ASSERT_EQ(net.generators.size(), 1u);  // the slack's generator is the slack; generator 3 is out of service
  EXPECT_EQ(net.generators[0].name, "gen2");
  EXPECT_EQ(net.generators[0].bus, 1);
  EXPECT_EQ(net.generators[0].p_mw, 0.4);
  EXPECT_EQ(net.generators[0].q_mvar, 0.1);
  EXPECT_EQ(net.generators[0].q_min_mvar, -0.5);
  EXPECT_EQ(net.generators[0].q_max_mvar, 0.5);

  ASSERT_EQ(net.num_branches(), 3);
  EXPECT_EQ(net.branches[0].name, "1-2");
  EXPECT_EQ(net.branches[0].b_pu, 0.001);
  EXPECT_EQ(net.branches[1].name, "2-3");
  EXPECT_TRUE(net.branches[1].in_service);
  EXPECT_EQ(net.branches[2].name, "2-3#2");
  EXPECT_FALSE(net.branches[2].in_service);
}

TEST(Matpower, NameFallsBackToTheFileStem) {
  std::string text = kMatpowerFeeder;
  text.erase(0, text.find('\n') + 1);
  EXPECT_EQ(parse_matpower(text, "some/folder/my_feeder.m").name, "my_feeder");
}

/// kMatpowerFeeder with the Gs of bus 2 (written 0.1) replaced by `gs`.
std::string feeder_with_gs(const std::string& gs) {
  std::string text = kMatpowerFeeder;
  const std::string row = "2  1  1.5  0.5  0.1";
  return text.replace(text.find(row), row.size(), "2  1  1.5  0.5  " + gs);
}

TEST(Matpower, NumbersAreStrictDecimal) {
  EXPECT_EQ(parse_matpower(feeder_with_gs("1e-320"), "feeder.m").loads[1].p_mw, 1e-320);
  EXPECT_EQ(parse_matpower(feeder_with_gs("+.25"), "feeder.m").loads[1].p_mw, 0.25);
  for (const std::string gs : {"0x1p3", "Inf", "nan", "1e309", "1e-400", "1.5e"}) {
    EXPECT_EQ(input_error_message([&] { parse_matpower(feeder_with_gs(gs), "feeder.m"); }),
              "feeder.m:7: mpc.bus: non-numeric token '" + gs + "' (expected a decimal number)");
  }
}

TEST(Matpower, MatricesAndFieldsAreBounded) {
  const std::string rows =
      "mpc.version = '2';\nmpc.gencost = [" + repeated("1", ";", kMaxCaseElements + 1) + "];\n";
  EXPECT_EQ(input_error_message([&] { parse_matpower(rows, "big.m"); }),
            "big.m:2: mpc.gencost: expected at most 1000000 rows, got more");
  std::string fields;
  for (int i = 0; i < 257; ++i) fields += "mpc.f" + std::to_string(i) + " = 1;\n";
  EXPECT_EQ(input_error_message([&] { parse_matpower(fields, "fields.m"); }),
            "fields.m:257: expected at most 256 fields mpc.*, got more");
}

// ---------------------------------------------------------------------------------------------------------------
// Case paths.

TEST(CasePath, FolderPrefersCaseJson) { EXPECT_EQ(resolve_case_path(kIeee13), kIeee13 / "case.json"); }

TEST(CasePath, FolderWithOneMatpowerFile) {
  const TempDir dir("case_path_one_m");
  fs::copy_file(kIeee13 / "case_13.m", dir.path() / "case_13.m");
  write_file(dir.path() / "notes.txt", "not a case");
  EXPECT_EQ(resolve_case_path(dir.path()), dir.path() / "case_13.m");
  EXPECT_EQ(read_case(dir.path()).num_buses(), 13);
}

TEST(CasePath, EmptyFolderAndMissingPathAreInputErrors) {
  const TempDir dir("case_path_empty");
  EXPECT_NE(input_error_message([&] { resolve_case_path(dir.path()); }).find("neither case.json nor"),
            std::string::npos);
  EXPECT_NE(input_error_message([&] { resolve_case_path(dir.path() / "missing.json"); }).find("no such file"),
            std::string::npos);
  write_file(dir.path() / "case.csv", "");
  EXPECT_NE(
      input_error_message([&] { read_case(dir.path() / "case.csv"); }).find("unknown case format '.csv'"),
      std::string::npos);
}

}  // namespace
}  // namespace vvc::grid
