// The two bundled three-phase benchmarks (docs/benchmarks/stable-ddpg-3p.md) against their references:
//   - the scenario draws against the check values of Stable-DDPG's environments (numpy 1.24's legacy
//     RandomState, given in the benchmark page) and against the kW that numpy wrote into the OpenDSS command
//     files of cases/<bench>/reference/;
//   - the environment's reset and steps against OpenDSS's solutions of those command files (the reference's own
//     scripts, its generators, the kvar of each step; cases/<bench>/reference/PROVENANCE.md): every node-phase
//     of the feeder within 1e-5 pu, the taps equal.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "vvc/core/env/environment.hpp"
#include "vvc/core/env/scenarios.hpp"
#include "vvc/core/env/study.hpp"

namespace vvc::core {
namespace {

struct Solve {
  std::map<std::pair<std::string, int>, double> vm;  ///< (bus, phase) -> |V| pu
  std::map<std::string, double> taps;                ///< regcontrol -> tap pu
};

/// A dssrun `sequence` output: one block per SOLVE_DUMP.
std::vector<Solve> read_dump(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<Solve> out;
  std::string line, section;
  while (std::getline(in, line)) {
    if (line.rfind("# solve", 0) == 0) {
      out.emplace_back();
      section = "voltages";
      continue;
    }
    if (line.rfind("# ", 0) == 0) {
      section = line.substr(2);
      continue;
    }
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
    if (out.empty() || f.size() < 4 || f[0] == "bus" || f[0] == "regcontrol") continue;
    if (section == "voltages") out.back().vm[{f[0], std::stoi(f[1])}] = std::stod(f[2]);
    if (section == "regcontrols") out.back().taps[f[0]] = std::stod(f[3]);
  }
  return out;
}

/// The command file's settings of each solve: generator name -> kW (the reset) or kvar (the steps).
std::vector<std::map<std::string, double>> read_commands(const std::filesystem::path& path,
                                                         const char* what) {
  std::ifstream in(path);
  std::vector<std::map<std::string, double>> out(1);
  std::string line;
  const std::string key = std::string(".") + what + "=";
  while (std::getline(in, line)) {
    if (line == "SOLVE_DUMP") {
      out.emplace_back();
      continue;
    }
    const auto at = line.find(key);
    if (line.rfind("Generator.", 0) != 0 || at == std::string::npos) continue;
    out.back()["generator." + line.substr(10, at - 10)] = std::stod(line.substr(at + key.size()));
  }
  out.pop_back();
  return out;
}

void check_benchmark(const char* folder, int expected_seeds) {
  const std::filesystem::path dir = std::filesystem::path(VVC_SOURCE_DIR) / "cases" / folder;
  Study study = read_study(dir);
  // The reference's steps set kvar without limits: widen the study's so that nothing is clipped.
  for (Inverter& inv : study.inverters) {
    inv.q_min_mvar = -1e3;
    inv.q_max_mvar = 1e3;
  }
  const auto scenarios = make_scenarios(study);
  Environment env(study);
  int seeds = 0;
  double worst = 0.0;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "reference")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("seed_", 0) != 0 || name.find("_commands.txt") == std::string::npos) continue;
    ++seeds;
    const long seed = std::stol(name.substr(5));
    SCOPED_TRACE(std::string(folder) + " seed " + std::to_string(seed));
    const auto kw = read_commands(entry.path(), "kw");
    const auto kvar = read_commands(entry.path(), "kvar");
    const std::vector<Solve> solves =
        read_dump(dir / "reference" / ("seed_" + std::to_string(seed) + "_opendss.csv"));
    ASSERT_EQ(solves.size(), kvar.size());
    const Scenario s = scenarios->make(seed);
    // The draws: numpy wrote each generator's kW with 17 significant digits.
    ASSERT_EQ(kw.front().size(), static_cast<size_t>(study.num_inverters()));
    for (const Inverter& inv : study.inverters) {
      EXPECT_NEAR(s.elements[inv.generator_index].real() * 1000.0, kw.front().at(inv.generator), 1e-9)
          << inv.generator;
    }
    Eigen::VectorXd q = Eigen::VectorXd::Zero(study.num_inverters());
    for (size_t k = 0; k < solves.size(); ++k) {
      const Observation* obs = nullptr;
      if (k == 0) {
        obs = &env.reset(s);
        ASSERT_TRUE(env.reset_ok());
      } else {
        for (int i = 0; i < study.num_inverters(); ++i) {
          const auto it = kvar[k].find(study.inverters[static_cast<size_t>(i)].generator);
          if (it != kvar[k].end()) q[i] = it->second / 1000.0;
        }
        const StepResult& r = env.apply(q);
        ASSERT_EQ(r.power_flow, grid::PowerFlowStatus::kConverged);
        obs = &env.observation();
      }
      ASSERT_EQ(solves[k].vm.size(), static_cast<size_t>(study.num_points()));
      for (int p = 0; p < study.num_points(); ++p) {
        const VoltagePoint& point = study.points[static_cast<size_t>(p)];
        const double reference = solves[k].vm.at({point.bus, point.phase});
        worst = std::max(worst, std::abs(obs->vm[p] - reference));
        EXPECT_NEAR(obs->vm[p], reference, 1e-5)
            << "solve " << k << " node " << point.bus << "." << point.phase;
      }
      for (size_t r = 0; r < study.phase_network.regulators.size(); ++r) {
        EXPECT_EQ(obs->taps[static_cast<Eigen::Index>(r)],
                  solves[k].taps.at(study.phase_network.regulators[r].name));
      }
    }
  }
  EXPECT_EQ(seeds, expected_seeds);
  std::printf("%s: worst |V| difference %.3g pu\n", folder, worst);
}

TEST(StableDdpg3p, Ieee13MatchesOpenDss) { check_benchmark("ieee13_3p", 6); }
TEST(StableDdpg3p, Ieee123MatchesOpenDss) { check_benchmark("ieee123_3p", 6); }

/// The kW of the first inverter phase of each phase letter at `bus`.
double kw_at(const Study& study, const Scenario& s, const std::string& bus, int phase) {
  for (const Inverter& inv : study.inverters) {
    if (study.phase_network.buses[static_cast<size_t>(inv.bus)].name == bus && inv.phase == phase)
      return s.elements[inv.generator_index].real() * 1000.0;
  }
  ADD_FAILURE() << "no inverter at " << bus << "." << phase;
  return 0.0;
}

// The check values of the shared notes (numpy 1.24's RandomState).
TEST(StableDdpg3p, Ieee13DrawsMatchCheckValues) {
  const Study study = read_study(std::filesystem::path(VVC_SOURCE_DIR) / "cases/ieee13_3p");
  const auto set = make_scenarios(study);
  const struct {
    long seed;
    int kind;
    double a, b, c;
  } checks[] = {{0, 0, -348.211154556255, -468.853149716203, -371.589123524551},
                {1, 1, 549.296202734717, 496.627867966933, 412.812444792936},
                {2, 0, -246.270519543302, -486.308173164222, -389.546122305576}};
  for (const auto& c : checks) {
    const Scenario s = set->make(c.seed);
    EXPECT_EQ(s.kind, c.kind);
    for (const Inverter& inv : study.inverters) {
      const double expected = inv.phase == 1 ? c.a : inv.phase == 2 ? c.b : c.c;
      EXPECT_NEAR(s.elements[inv.generator_index].real() * 1000.0, expected, 1e-9) << inv.generator;
    }
  }
}

TEST(StableDdpg3p, Ieee123DrawsMatchCheckValues) {
  const Study study = read_study(std::filesystem::path(VVC_SOURCE_DIR) / "cases/ieee123_3p");
  const auto set = make_scenarios(study);
  const Scenario s0 = set->make(0);
  EXPECT_EQ(s0.kind, 0);
  EXPECT_NEAR(kw_at(study, s0, "10", 1), -162.862153, 1e-6);
  EXPECT_NEAR(kw_at(study, s0, "11", 1), -61.099304, 1e-6);
  EXPECT_NEAR(kw_at(study, s0, "16", 3), -290.937482, 1e-6);
  EXPECT_NEAR(kw_at(study, s0, "20", 1), 95.533023, 1e-6);
  EXPECT_NEAR(kw_at(study, s0, "61", 1), -320.020004, 1e-6);
  EXPECT_NEAR(kw_at(study, s0, "61", 2), -193.468271, 1e-6);
  EXPECT_NEAR(kw_at(study, s0, "61", 3), -48.825708, 1e-6);
  const Scenario s1 = set->make(1);
  EXPECT_EQ(s1.kind, 1);
  EXPECT_NEAR(kw_at(study, s1, "10", 1), 799.155443, 1e-6);
  EXPECT_NEAR(kw_at(study, s1, "11", 1), 799.712155, 1e-6);
  EXPECT_NEAR(kw_at(study, s1, "16", 3), 780.661721, 1e-6);
  EXPECT_NEAR(kw_at(study, s1, "20", 1), 438.524367, 1e-6);
  EXPECT_NEAR(kw_at(study, s1, "61", 1), 349.611995, 1e-6);
  EXPECT_NEAR(kw_at(study, s1, "61", 2), 364.254292, 1e-6);
  EXPECT_NEAR(kw_at(study, s1, "61", 3), 219.398118, 1e-6);
}

}  // namespace
}  // namespace vvc::core
