// IEEE 1547 Volt-VAR on the three-phase benchmarks, each inverter phase on its own phase's |V|: the first action
// of each phase has the curve's sign and moves every monitored voltage towards the band (a sign error in the
// curve or in how an action reaches its generator fails it), and the loop settles on the curve (an unstable
// response, as r = 0.5 was on these feeders, fails it).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "vvc/core/env/environment.hpp"
#include "vvc/core/env/scenarios.hpp"
#include "vvc/core/reference/registry.hpp"

namespace vvc::core {
namespace {

Study benchmark(const char* folder) {
  return read_study(std::filesystem::path(VVC_SOURCE_DIR) / "cases" / folder);
}

/// The category B curve spanning the inverter's q limits (the benchmarks give no kVA rating), MVar.
double curve(const Inverter& inv, double v) {
  if (v <= 0.98) return inv.q_max_mvar * std::clamp((0.98 - v) / 0.06, 0.0, 1.0);
  if (v >= 1.02) return inv.q_min_mvar * std::clamp((v - 1.02) / 0.06, 0.0, 1.0);
  return 0.0;
}

double monitored_min(const Study& study, const Observation& obs) {
  double v = 10.0;
  for (int p : study.monitored) v = std::min(v, obs.vm[p]);
  return v;
}

double monitored_max(const Study& study, const Observation& obs) {
  double v = 0.0;
  for (int p : study.monitored) v = std::max(v, obs.vm[p]);
  return v;
}

void check_first_action(const char* folder) {
  const Study study = benchmark(folder);
  const auto set = make_scenarios(study);
  Environment env(study);
  auto controller = find_controller("voltvar", study).factory(study)();
  Eigen::VectorXd action(study.num_inverters());
  int low = 0, high = 0;
  for (long seed = 40; seed < 46; ++seed) {
    SCOPED_TRACE(std::string(folder) + " seed " + std::to_string(seed));
    const Scenario s = set->make(seed);
    const Observation& obs = env.reset(s);
    ASSERT_TRUE(env.reset_ok());
    controller->reset(obs, s);
    ASSERT_EQ(controller->act(obs, action), ActionStatus::kNominal);
    for (int i = 0; i < study.num_inverters(); ++i) {
      const double target = curve(study.inverters[static_cast<size_t>(i)], obs.v_inv[i]);
      // q_1 = r Q(v_0) with 0 < r <= 0.5: the curve's sign, and not beyond the curve.
      EXPECT_GE(action[i] * target, 0.0) << study.inverters[static_cast<size_t>(i)].generator;
      EXPECT_LE(std::abs(action[i]), 0.5 * std::abs(target) + 1e-12);
      if (target != 0.0) {
        EXPECT_NE(action[i], 0.0);
      }
    }
    const double vmin0 = monitored_min(study, obs);
    const double vmax0 = monitored_max(study, obs);
    ASSERT_EQ(env.step(action, controller->rule(), controller->alpha()).power_flow,
              grid::PowerFlowStatus::kConverged);
    if (s.kind == 0) {
      ++low;
      EXPECT_GT(monitored_min(study, env.observation()), vmin0 + 1e-3);
    } else {
      ++high;
      EXPECT_LT(monitored_max(study, env.observation()), vmax0 - 1e-3);
    }
  }
  EXPECT_GT(low, 0);
  EXPECT_GT(high, 0);
}

TEST(VoltVar3p, FirstActionFollowsTheCurveAndMovesTowardsTheBand13) { check_first_action("ieee13_3p"); }
TEST(VoltVar3p, FirstActionFollowsTheCurveAndMovesTowardsTheBand123) { check_first_action("ieee123_3p"); }

void check_settles(const char* folder) {
  const Study study = benchmark(folder);
  const auto set = make_scenarios(study);
  Environment env(study);
  auto controller = find_controller("voltvar", study).factory(study)();
  Eigen::VectorXd action(study.num_inverters());
  for (long seed = 60; seed < 64; ++seed) {
    SCOPED_TRACE(std::string(folder) + " seed " + std::to_string(seed));
    const Scenario s = set->make(seed);
    controller->reset(env.reset(s), s);
    for (int t = 0; t < study.steps; ++t) {
      controller->act(env.observation(), action);
      ASSERT_EQ(env.step(action, controller->rule(), controller->alpha()).power_flow,
                grid::PowerFlowStatus::kConverged);
    }
    // At the end each phase's q sits on its curve at its measured |V| (within 0.1 kvar): an equilibrium.
    const Observation& obs = env.observation();
    for (int i = 0; i < study.num_inverters(); ++i) {
      EXPECT_NEAR(obs.q[i], curve(study.inverters[static_cast<size_t>(i)], obs.v_inv[i]), 1e-4)
          << study.inverters[static_cast<size_t>(i)].generator;
    }
  }
}

TEST(VoltVar3p, SettlesOnTheCurve13) { check_settles("ieee13_3p"); }
TEST(VoltVar3p, SettlesOnTheCurve123) { check_settles("ieee123_3p"); }

}  // namespace
}  // namespace vvc::core
