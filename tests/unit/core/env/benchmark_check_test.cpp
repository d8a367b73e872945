// The check values of the IEEE 13-bus voltage-control benchmark (docs/benchmarks/voltage-control-benchmark.md
// sections 2 and 4): scenario draws, reset voltages, the seed-0 gradient-flow trajectory and the 500-scenario
// metrics.
#include <gtest/gtest.h>

#include "support/benchmark_fixture.hpp"
#include "vvc/core/env/controller.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/env/scenarios.hpp"
#include "vvc/core/env/study.hpp"

namespace vvc::core {
namespace {

using testing::benchmark_study;

std::vector<double> generator_p(const Study& study, const Scenario& s,
                                std::initializer_list<const char*> names) {
  std::vector<double> p;
  for (const char* name : names) {
    const int g = study.network.find_generator(name);
    p.push_back(s.base.s_const[study.network.generators[static_cast<size_t>(g)].bus].real() *
                study.network.base_mva);
  }
  return p;
}

TEST(Tasrl13, ScenarioDrawsMatchCheckValues) {
  const Study& study = benchmark_study();
  const auto set = make_scenarios(study);
  const Scenario s0 = set->make(0);
  EXPECT_EQ(s0.kind, 0);
  const auto p0 = generator_p(study, s0, {"pv645", "pv684", "pv692"});
  EXPECT_NEAR(p0[0], -2.27853385, 1e-8);
  EXPECT_NEAR(p0[1], -2.8262378, 1e-8);
  EXPECT_NEAR(p0[2], -1.32953474, 1e-8);
  const Scenario s1 = set->make(1);
  EXPECT_EQ(s1.kind, 1);
  const auto p1 =
      generator_p(study, s1, {"pv645", "pv684", "pv692", "pv632", "pv633", "pv646", "pv652", "pv675"});
  const double expected[] = {3.99014684, 4.27327633, 0.64062224, 1.19884862,
                             1.34165339, 0.55521302, 1.28615008, 1.00461906};
  for (size_t i = 0; i < p1.size(); ++i) EXPECT_NEAR(p1[i], expected[i], 1e-8) << i;
  int high = 0;
  for (long seed = 0; seed < 500; ++seed) high += set->make(seed).kind;
  EXPECT_EQ(high, 251);
}

TEST(Tasrl13, ResetVoltagesMatchCheckValues) {
  const Study& study = benchmark_study();
  const auto set = make_scenarios(study);
  Environment env(study);
  const double seed0[] = {1.0,        0.91679849, 0.89815133, 0.91679849, 0.89815133, 0.87252882, 0.91679849,
                          0.85809326, 0.87252882, 0.86581247, 0.85809326, 0.85809326, 0.86581247};
  const double seed1[] = {1.0,        1.02551555, 1.05631295, 1.03084331, 1.05859857, 1.06228457, 1.03084331,
                          1.08423146, 1.06228457, 1.06898086, 1.08423146, 1.09798668, 1.07306828};
  const Scenario s0 = set->make(0);
  const Observation o0 = env.reset(s0);
  for (int b = 0; b < 13; ++b) EXPECT_NEAR(o0.vm[b], seed0[b], 1e-8) << "bus " << b;
  const Scenario s1 = set->make(1);
  const Observation o1 = env.reset(s1);
  for (int b = 0; b < 13; ++b) EXPECT_NEAR(o1.vm[b], seed1[b], 1e-8) << "bus " << b;
  int outside = 0;
  for (long seed = 0; seed < 500; ++seed) {
    const Scenario s = set->make(seed);
    const Observation& o = env.reset(s);
    outside += (o.v_inv.minCoeff() < 0.95 || o.v_inv.maxCoeff() > 1.05) ? 1 : 0;
  }
  // The reference's "95.4 % start outside [0.95, 1.05]" counts the three inverter buses (477 of 500); over
  // all buses 483 scenarios start outside the band.
  EXPECT_EQ(outside, 477);
}

TEST(Tasrl13, GradientFlowSeedZeroTrajectory) {
  const Study& study = benchmark_study();
  const Scenario s0 = make_scenarios(study)->make(0);
  Environment env(study);
  auto gf = make_gradient_flow_controller(study, 0.5);
  const Observation& obs = env.reset(s0);
  gf->reset(obs, s0);
  Eigen::VectorXd action(3);
  std::vector<double> costs;
  double transient = 0.0, discount = 1.0;
  for (int t = 1; t <= 100; ++t) {
    gf->act(obs, action);
    const auto& r = env.step(action, gf->rule(), gf->alpha());
    costs.push_back(r.cost);
    discount *= 0.99;
    transient += discount * r.cost;
    if (t == 1) {
      EXPECT_NEAR(obs.q[0], 0.19332418, 1e-7);
      EXPECT_NEAR(obs.q[1], 0.26367596, 1e-7);
      EXPECT_NEAR(obs.q[2], 0.25036877, 1e-7);
      EXPECT_NEAR(obs.v_inv[0], 0.91901267, 1e-7);
      EXPECT_NEAR(obs.v_inv[1], 0.89311952, 1e-7);
      EXPECT_NEAR(obs.v_inv[2], 0.89989871, 1e-7);
    }
  }
  EXPECT_NEAR(costs[0], -0.14290818, 1e-7);
  EXPECT_NEAR(costs[1], -0.21096315, 1e-7);
  EXPECT_NEAR(costs[2], -0.24263335, 1e-7);
  EXPECT_NEAR(obs.q[0], 0.71544401, 1e-7);
  EXPECT_NEAR(obs.q[1], 0.99522966, 1e-7);
  EXPECT_NEAR(obs.q[2], 0.6, 1e-7);
  EXPECT_NEAR(costs[99], -0.27946969, 1e-7);
  EXPECT_NEAR(transient, -17.2474402, 1e-6);
}

TEST(Tasrl13, GradientFlowOverTheEvaluationSetMatchesReference) {
  const Study& study = benchmark_study();
  const auto set = make_scenarios(study);
  EvaluationOptions opt;
  opt.ids = {0, 500};
  opt.threads = 2;
  const auto eval = evaluate(
      study, *set, [&] { return make_gradient_flow_controller(study, 0.5); }, opt);
  EXPECT_NEAR(eval.summary.transient, -6.740, 1e-3);
  EXPECT_NEAR(eval.summary.steady, -0.1091, 2e-4);
  EXPECT_EQ(eval.summary.power_flow_failures, 0);
  // Results do not depend on the thread count.
  opt.threads = 1;
  const auto serial = evaluate(
      study, *set, [&] { return make_gradient_flow_controller(study, 0.5); }, opt);
  EXPECT_EQ(serial.summary.transient, eval.summary.transient);
  EXPECT_EQ(serial.summary.steady, eval.summary.steady);
}

}  // namespace
}  // namespace vvc::core
