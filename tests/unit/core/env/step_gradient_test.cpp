// Environment::step_gradient and observation_sensitivities (environment.hpp) against central differences of the
// environment itself: two steps from a reset, the second step's cost, band violation and observation (|V| at every
// point, the applied q) differentiated with respect to both steps' actions, on both bundled three-phase
// benchmarks, with both cost forms, some actions clipped to the inverter limits.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "vvc/core/env/environment.hpp"

namespace vvc::core {
namespace {

struct SecondStep {
  double cost = 0.0;
  double violation = 0.0;
  Eigen::VectorXd vm;  ///< the observation's |V| at every point
  Eigen::VectorXd q;   ///< the observation's applied q
};

/// Reset, step a1, step a2: the second step's figures.
SecondStep second_step(Environment& env, const Scenario& scenario, const Eigen::VectorXd& a1,
                       const Eigen::VectorXd& a2) {
  env.reset(scenario);
  env.step(a1, StepRule::kSetpoint);
  const StepResult& r = env.step(a2, StepRule::kSetpoint);
  EXPECT_EQ(r.power_flow, grid::PowerFlowStatus::kConverged);
  return {r.cost, r.max_violation, env.observation().vm, env.observation().q};
}

void check_step_gradient(const std::string& folder, CostForm form) {
  Study study = read_study(std::string(VVC_SOURCE_DIR) + "/cases/" + folder);
  study.cost_form = form;
  const int m = study.num_inverters();
  const auto scenarios = make_scenarios(study);
  // Scenario 0 is a low-voltage one: at a third of the limits, the band's lower side is still violated.
  const Scenario scenario = scenarios->make(0);
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> unit(0.2, 0.4);
  Eigen::VectorXd a1(m), a2(m);
  for (int i = 0; i < m; ++i) {
    a1[i] = unit(rng) * study.q_max()[i];
    a2[i] = a1[i] + (i % 2 == 0 ? 1.0 : -1.0) * 0.5 * unit(rng) * study.q_max()[i];
  }
  // Clipped: the first action at the second step, the second at the first.
  a2[0] = 1.5 * study.q_max()[0];
  a1[1] = 1.5 * study.q_max()[1];

  Environment env(study);
  const SecondStep base = second_step(env, scenario, a1, a2);
  ASSERT_GT(base.violation, 1e-3) << folder;
  StepGradient g;
  ASSERT_TRUE(env.step_gradient(g)) << folder;
  ASSERT_EQ(g.action.size(), m);
  std::vector<int> points(study.points.size());
  for (size_t p = 0; p < points.size(); ++p) points[p] = static_cast<int>(p);
  Eigen::MatrixXd dvm;
  Eigen::VectorXd dq;
  env.observation_sensitivities(points, dvm, dq);
  ASSERT_EQ(dvm.rows(), static_cast<Eigen::Index>(points.size()));
  ASSERT_EQ(dvm.cols(), m);

  const double h = 1e-3;  // MVar; the power flow's voltages are exact to about 1e-9 pu
  double worst = 0.0;
  double worst_vm = 0.0;  // pu per MVar
  for (int i = 0; i < m; ++i) {
    Eigen::VectorXd up = a2, down = a2;
    up[i] += h;
    down[i] -= h;
    const SecondStep p = second_step(env, scenario, a1, up);
    const SecondStep n = second_step(env, scenario, a1, down);
    const double fd_cost = (p.cost - n.cost) / (2 * h);
    const double fd_violation = (p.violation - n.violation) / (2 * h);
    worst = std::max(worst, std::abs(fd_cost - g.action[i]) / (1.0 + std::abs(g.action[i])));
    EXPECT_NEAR(fd_violation, g.violation[i], 1e-6) << folder << " action " << i;
    const Eigen::VectorXd fd_vm = (p.vm - n.vm) / (2 * h);
    worst_vm = std::max(worst_vm, (fd_vm - dvm.col(i)).cwiseAbs().maxCoeff());
    EXPECT_NEAR((p.q[i] - n.q[i]) / (2 * h), dq[i], 1e-9) << folder << " action " << i;

    Eigen::VectorXd before_up = a1, before_down = a1;
    before_up[i] += h;
    before_down[i] -= h;
    const double fd_previous =
        (second_step(env, scenario, before_up, a2).cost - second_step(env, scenario, before_down, a2).cost) /
        (2 * h);
    EXPECT_NEAR(fd_previous, g.previous[i], 1e-5 * (1.0 + std::abs(g.previous[i])))
        << folder << " action " << i;
  }
  EXPECT_LE(worst, 1e-5) << folder;
  EXPECT_LE(worst_vm, 1e-6) << folder;
  // The clipped actions pass no derivative, and the derivatives are not trivially zero.
  EXPECT_EQ(g.action[0], 0.0);
  EXPECT_EQ(g.violation[0], 0.0);
  EXPECT_EQ(g.previous[1], 0.0);
  EXPECT_EQ(dq[0], 0.0);
  EXPECT_EQ(dvm.col(0).norm(), 0.0);
  EXPECT_EQ(dq[1], 1.0);
  EXPECT_GT(dvm.col(1).norm(), 1e-3);
  EXPECT_GT(g.action.norm(), 0.1);
  EXPECT_GT(g.violation.norm(), 1e-3);
  if (form == CostForm::kF) {
    EXPECT_EQ(g.previous.norm(), 0.0);
  } else {
    EXPECT_GT(g.previous.norm(), 1.0);
  }
}

TEST(StepGradient, MatchesCentralDifferencesOfTheEnvironmentStableDdpgForm) {
  check_step_gradient("ieee13_3p", CostForm::kStableDdpg);
  check_step_gradient("ieee123_3p", CostForm::kStableDdpg);
}

TEST(StepGradient, MatchesCentralDifferencesOfTheEnvironmentFForm) {
  check_step_gradient("ieee13_3p", CostForm::kF);
  check_step_gradient("ieee123_3p", CostForm::kF);
}

TEST(StepGradient, NotAvailableBeforeAStepAfterAnIncrementOrOnABalancedStudy) {
  const Study study = read_study(std::string(VVC_SOURCE_DIR) + "/cases/ieee13_3p");
  const auto scenarios = make_scenarios(study);
  const Scenario scenario = scenarios->make(0);
  Environment env(study);
  StepGradient g;
  env.reset(scenario);
  EXPECT_FALSE(env.step_gradient(g));
  env.step(Eigen::VectorXd::Zero(study.num_inverters()), StepRule::kIncrement);
  EXPECT_FALSE(env.step_gradient(g));
  env.step(Eigen::VectorXd::Zero(study.num_inverters()), StepRule::kSetpoint);
  EXPECT_TRUE(env.step_gradient(g));

  const Study balanced = read_study(std::string(VVC_SOURCE_DIR) + "/cases/ieee13_tasrl");
  const auto balanced_scenarios = make_scenarios(balanced);
  const Scenario b = balanced_scenarios->make(0);
  Environment balanced_env(balanced);
  balanced_env.reset(b);
  balanced_env.step(Eigen::VectorXd::Zero(balanced.num_inverters()), StepRule::kSetpoint);
  EXPECT_FALSE(balanced_env.step_gradient(g));
}

}  // namespace
}  // namespace vvc::core
