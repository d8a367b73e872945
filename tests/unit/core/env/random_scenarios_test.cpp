// The random generator of three-phase studies (scenarios type "random", docs/formats/study.md): the element
// powers of a seed against powers computed here from numpy's legacy draws in the documented order (kind, then
// one multiplier per load, then one per bus with PV), the kinds' frequencies, determinism, and the PV of
// inverters a study creates by bus and phases (pv_kw).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "support/input_files.hpp"
#include "vvc/core/env/scenarios.hpp"
#include "vvc/core/env/study.hpp"

namespace vvc::core {
namespace {

namespace fs = std::filesystem;
using vvc::test_support::input_error_message;

const fs::path kExample = fs::path(VVC_SOURCE_DIR) / "cases/ieee13/examples/study_random.json";

/// EPRI's IEEE 13-node script with its three PV systems as inverters and one inverter given by bus and phases
/// (no active power in the script), under the random generator with `kinds`.
Study study_with_kinds(const std::string& kinds, double pv_kw) {
  std::ostringstream json;
  json << R"({"format": "vvc.study", "version": 1, "network": "daily_pv.dss",
  "inverters": [{"element": "PVSystem.pv675", "s_max_kva": 550}, {"element": "PVSystem.pv652", "s_max_kva": 440},
                {"bus": "634", "phases": "ab", "q_min_kvar": -50, "q_max_kvar": 50}],
  "voltage_band": {"vmin_pu": 0.95, "vmax_pu": 1.05}, "cost": {"form": "stable-ddpg"},
  "scenarios": {"type": "random", "pv_kw": )"
       << pv_kw << R"(, "kinds": )" << kinds << "}}";
  return parse_study(json.str(), kExample);
}

/// numpy's legacy RandomState(seed).random_sample(), written out: two 32-bit words of MT19937.
double random_sample(std::mt19937& g) {
  const double a = static_cast<double>(g() >> 5);
  const double b = static_cast<double>(g() >> 6);
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

TEST(RandomScenarios, ElementPowersFollowTheDocumentedDraws) {
  const std::string kinds =
      R"([{"name": "heavy", "load": [0.8, 1.2], "pv": [0.0, 0.2]},
          {"name": "sunny", "load": [0.3, 0.5], "pv": [0.6, 1.0]},
          {"name": "fixed", "load": [0.7, 0.7], "pv": [0.5, 0.5]}])";
  const Study study = study_with_kinds(kinds, 40.0);
  ASSERT_EQ(study.scenarios.kinds.size(), 3u);
  const std::unique_ptr<ScenarioSet> set = make_scenarios(study);
  EXPECT_EQ(set->size(), -1);
  const grid::MultiphaseNetwork& net = study.phase_network;
  const std::array<std::array<double, 4>, 3> ranges = {
      {{0.8, 1.2, 0.0, 0.2}, {0.3, 0.5, 0.6, 1.0}, {0.7, 0.7, 0.5, 0.5}}};
  std::map<int, int> seen;
  std::vector<long> seeds = {100001L, 4294967295L};
  for (long seed = 0; seed < 24; ++seed) seeds.push_back(seed);
  for (const long seed : seeds) {
    const Scenario s = set->make(seed);
    std::mt19937 g(static_cast<std::uint32_t>(seed));
    const int kind = static_cast<int>(3.0 * random_sample(g));
    ASSERT_EQ(s.kind, kind) << seed;
    ++seen[kind];
    const auto& r = ranges[static_cast<size_t>(kind)];
    // Loads in script order: P and Q times their multiplier; generators and PV systems after them here.
    std::map<std::string, double> pv_of_bus;
    std::vector<std::string> pv_order;
    for (size_t e = 0; e < net.loads.size(); ++e) {
      const grid::PhaseLoad& l = net.loads[e];
      const Complex script = -Complex(l.p_w, l.q_var) * (l.phases / 1e6);
      const Complex got = s.elements[static_cast<Eigen::Index>(e)];
      const bool pv = l.name.starts_with("pvsystem.") || l.name.starts_with("generator.inv634");
      if (!pv) {
        const double m = r[0] + (r[1] - r[0]) * random_sample(g);
        EXPECT_EQ(got, script * m) << l.name << " seed " << seed;
        continue;
      }
      const std::string bus = l.name.substr(0, l.name.rfind('_'));
      if (!pv_of_bus.contains(bus)) {
        pv_of_bus[bus] = 0.0;
        pv_order.push_back(bus);
      }
    }
    // One multiplier per bus with PV, in the order of the buses' first PV element.
    for (const std::string& bus : pv_order) pv_of_bus[bus] = r[2] + (r[3] - r[2]) * random_sample(g);
    for (size_t e = 0; e < net.loads.size(); ++e) {
      const grid::PhaseLoad& l = net.loads[e];
      const bool by_bus = l.name.starts_with("generator.inv634");
      if (!l.name.starts_with("pvsystem.") && !by_bus) continue;
      const double m = pv_of_bus.at(l.name.substr(0, l.name.rfind('_')));
      const Complex script = -Complex(l.p_w, l.q_var) * (l.phases / 1e6);
      const double p_mw = by_bus ? 40.0 / 1000.0 : script.real();
      const Complex got = s.elements[static_cast<Eigen::Index>(e)];
      EXPECT_EQ(got.real(), p_mw * m) << l.name << " seed " << seed;
      EXPECT_EQ(got.imag(), script.imag()) << l.name;
    }
    EXPECT_EQ(pv_order.size(), 4u);  // pv675 (three phases), pv680, pv652, inv634 (two phases)
    EXPECT_EQ(s.elements, set->make(seed).elements);
  }
  EXPECT_EQ(seen.size(), 3u);
  const std::string outside = input_error_message([&] { set->make(4294967296L); });
  EXPECT_NE(outside.find("4294967296"), std::string::npos) << outside;
}

TEST(RandomScenarios, KindsAreDrawnEvenly) {
  const Study study =
      study_with_kinds(R"([{"load": [1, 1], "pv": [0, 0]}, {"load": [0.5, 0.5], "pv": [1, 1]}])", 100.0);
  const std::unique_ptr<ScenarioSet> set = make_scenarios(study);
  int first = 0;
  for (long seed = 0; seed < 2000; ++seed) first += set->make(seed).kind == 0 ? 1 : 0;
  // Binomial(2000, 1/2): mean 1000, standard deviation 22.4; 4.5 standard deviations either side.
  EXPECT_GT(first, 900);
  EXPECT_LT(first, 1100);
}

TEST(RandomScenarios, TheBundledExampleReads) {
  const Study study = read_study(kExample);
  EXPECT_EQ(study.scenarios.type, "random");
  EXPECT_EQ(study.scenarios.kinds.size(), 2u);
  EXPECT_EQ(study.evaluation_seeds.first, 0);
  EXPECT_EQ(study.evaluation_seeds.last, 500);
}

}  // namespace
}  // namespace vvc::core
