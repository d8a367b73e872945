#include "vvc/core/reference/limit.hpp"
#include "support/benchmark_fixture.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/reference/nlp_ac.hpp"
#include "vvc/core/reference/registry.hpp"

#include <gtest/gtest.h>

#include <random>

namespace vvc::core {
namespace {

using testing::benchmark_study;

// The reference's check value: the best constant q under the inverter limits, over seeds 0..499.
TEST(Limit, MatchesReferenceCheckValue) {
  const Study& study = benchmark_study();
  const auto set = make_scenarios(study);
  EvaluationOptions opt;
  opt.ids = {0, 500};
  const Evaluation ev = evaluate(study, *set, find_controller("limit").factory(study), opt);
  EXPECT_NEAR(ev.summary.transient, -6.8505, 2e-3);
  EXPECT_NEAR(ev.summary.steady, -0.1091, 2e-4);
  EXPECT_EQ(ev.summary.power_flow_failures, 0);
  EXPECT_EQ(ev.summary.controller_failures, 0);
}

// Optimality checked independently of Ipopt and of the reduced gradient: no random feasible perturbation of
// the solution, evaluated with the AC power flow, has a lower cost (and for limit-band, every bus stays in
// the band).
TEST(Limit, NoFeasiblePerturbationDoesBetter) {
  const Study& study = benchmark_study();
  const auto set = make_scenarios(study);
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  Environment env(study);
  for (bool band : {false, true}) {
    for (long seed = 0; seed < 12; ++seed) {
      const Scenario s = set->make(seed);
      const LimitSolution sol = solve_limit(study, s, band);
      ASSERT_TRUE(sol.solved()) << "seed " << seed;
      env.reset(s);
      const StepResult at_solution = env.apply(sol.q);
      EXPECT_NEAR(at_solution.cost, sol.cost, 1e-9);
      if (band) {
        EXPECT_TRUE(at_solution.in_band) << "seed " << seed;
      }
      for (int trial = 0; trial < 40; ++trial) {
        Eigen::VectorXd q = sol.q;
        for (int i = 0; i < 3; ++i) q[i] += 0.02 * u(rng);
        q = q.cwiseMax(study.q_min()).cwiseMin(study.q_max());
        const StepResult r = env.apply(q);
        if (band && !r.in_band) continue;
        EXPECT_GE(r.cost, sol.cost - 1e-9) << "seed " << seed << " band " << band;
      }
    }
  }
}

}  // namespace
}  // namespace vvc::core

namespace vvc::core {
namespace {

// The NLP policy (AC voltage model around the measured operating point) starts from the exact injections
// recovered from the phasors, so its first action is the limit-band solution up to the move penalty's effect,
// and it keeps every bus in the band afterwards.
TEST(NlpPolicy, FirstActionMatchesLimitBandAndStaysInBand) {
  const Study& study = benchmark_study();
  const auto set = make_scenarios(study);
  NlpPolicyOptions no_move;
  no_move.move_penalty = Eigen::VectorXd::Zero(3);
  for (long seed : {0, 1, 7}) {
    const Scenario s = set->make(seed);
    const LimitSolution reference = solve_limit(study, s, true);
    ASSERT_TRUE(reference.solved());
    Environment env(study);
    auto controller = make_nlp_policy_controller(study, no_move);
    const Observation& obs = env.reset(s);
    controller->reset(obs, s);
    Eigen::VectorXd action(3);
    controller->act(obs, action);
    EXPECT_LE((action - reference.q).cwiseAbs().maxCoeff(), 1e-5) << "seed " << seed;
    for (int t = 0; t < 3; ++t) {
      const StepResult& r = env.step(action, controller->rule());
      EXPECT_TRUE(r.in_band) << "seed " << seed << " step " << t;
      controller->act(obs, action);
    }
  }
}

}  // namespace
}  // namespace vvc::core

namespace vvc::core {
namespace {

// On constant injections (tasrl13) the best q is the same at every step: limit-per-step is limit, exactly.
TEST(LimitPerStep, EqualsLimitOnConstantScenarios) {
  const Study& study = benchmark_study();
  const auto set = make_scenarios(study);
  EvaluationOptions opt;
  opt.ids = {0, 6};
  for (const char* band : {"", "-band"}) {
    const Evaluation constant =
        evaluate(study, *set, find_controller(std::string("limit") + band).factory(study), opt);
    const Evaluation per_step =
        evaluate(study, *set, find_controller(std::string("limit") + band + "-per-step").factory(study), opt);
    for (size_t i = 0; i < constant.episodes.size(); ++i) {
      EXPECT_EQ(per_step.episodes[i].transient, constant.episodes[i].transient) << band << " " << i;
    }
  }
}

// On time series the per-step minimum bounds every controller's transient cost from below, scenario by
// scenario; the best constant q does not (it is one of the controllers bounded).
TEST(LimitPerStep, BoundsEveryControllerOnTimeSeries) {
  const Study study = read_study(VVC_SOURCE_DIR "/cases/ieee13_tasrl/examples/study_json.json");
  const auto set = make_scenarios(study);
  EvaluationOptions opt;
  opt.ids = study.evaluation_seeds;
  opt.steps = study.steps;
  const Evaluation bound = evaluate(study, *set, find_controller("limit-per-step").factory(study), opt);
  EXPECT_EQ(bound.summary.controller_failures, 0);
  bool series = false;
  for (long id = opt.ids.first; id < opt.ids.last; ++id) series = series || !set->make(id).series.empty();
  ASSERT_TRUE(series) << "the example set must hold a time series";
  for (const char* other :
       {"zero", "voltvar", "gradient-flow", "limit", "limit-band", "limit-band-per-step"}) {
    const Evaluation ev = evaluate(study, *set, find_controller(other).factory(study), opt);
    for (size_t i = 0; i < ev.episodes.size(); ++i) {
      EXPECT_LE(bound.episodes[i].transient, ev.episodes[i].transient + 1e-9) << other << " scenario " << i;
    }
  }
  const Evaluation band_bound =
      evaluate(study, *set, find_controller("limit-band-per-step").factory(study), opt);
  const Evaluation band_constant = evaluate(study, *set, find_controller("limit-band").factory(study), opt);
  for (size_t i = 0; i < band_bound.episodes.size(); ++i) {
    EXPECT_LE(band_bound.episodes[i].transient, band_constant.episodes[i].transient + 1e-9) << i;
  }
}

}  // namespace
}  // namespace vvc::core
