// RLMPC-TD, RLMPC-DPG and PDP(Offline): derivative checks against central differences, consistency of the
// MPC values, determinism and short training runs.
#include <gtest/gtest.h>

#include <random>

#include "support/benchmark_fixture.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/core/baselines/pdp.hpp"
#include "vvc/core/baselines/rlmpc.hpp"

namespace vvc::core {
namespace {

using testing::benchmark_study;
using testing::state_after;

const DiffOpModel& step_model() {
  // As the comparison runs them: Step, H = 1, without DiffOP's band back-off.
  static const DiffOpModel model(benchmark_study(), {DiffOpMode::kStep, 1, 100, 0.99, false});
  return model;
}

// dV/dtheta and dQ/dtheta from the Lagrangian at the primal-dual solution (envelope theorem) against central
// differences of re-solved values, at random parameters and states of real scenarios, with and without a
// fixed first action (a fixed action far outside the policy's choice makes voltage rows infeasible: the
// exact-penalty terms are then differentiated too).
TEST(RlmpcTest, LagrangianGradientMatchesValueDifferences) {
  const DiffOpModel& model = step_model();
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  int checked = 0;
  int relaxed = 0;
  for (int trial = 0; trial < 24; ++trial) {
    Eigen::VectorXd theta = model.initial_parameters();
    for (Eigen::Index i = 0; i < theta.size(); ++i) theta[i] += 0.1 * normal(rng);
    Eigen::VectorXd q(3);
    for (int i = 0; i < 3; ++i) q[i] = unit(rng);
    const DiffOpModel::State state = state_after(model, trial, q);
    Eigen::VectorXd action(3);
    for (int i = 0; i < 3; ++i) action[i] = 1.4 * unit(rng);
    const bool fixed = trial % 2 == 1;
    MpcValue value(model, 100.0);
    ASSERT_EQ(value.solve(theta, state, fixed ? &action : nullptr), QpStatus::kOptimal);
    Eigen::VectorXd analytic = Eigen::VectorXd::Zero(model.num_parameters());
    value.accumulate_gradient(theta, state, analytic);
    // The exact-penalty value carries rounding of about 1e-11 (its slack regularization and polish), so the
    // step is larger than for the policy gradient; the truncation error h^2 stays near 1e-8.
    const double h = 1e-4;
    double worst = 0.0;
    for (int p = 0; p < model.num_parameters(); ++p) {
      Eigen::VectorXd tp = theta, tm = theta;
      tp[p] += h;
      tm[p] -= h;
      MpcValue vp(model, 100.0), vm(model, 100.0);
      ASSERT_EQ(vp.solve(tp, state, fixed ? &action : nullptr), QpStatus::kOptimal);
      ASSERT_EQ(vm.solve(tm, state, fixed ? &action : nullptr), QpStatus::kOptimal);
      const double fd = (vp.value() - vm.value()) / (2 * h);
      worst = std::max(worst, std::abs(fd - analytic[p]) / std::max(1.0, std::abs(analytic[p])));
    }
    // A point on a kink of the value (a constraint exactly at its limit) would not be differentiable; none of
    // these random points is, so every one must pass.
    EXPECT_LT(worst, 1e-5) << "trial " << trial;
    ++checked;
    if (value.relaxed()) ++relaxed;
  }
  EXPECT_EQ(checked, 24);
  EXPECT_GT(relaxed, 0) << "no sample exercised the exact-penalty terms";
}

// Q(s, pi(s)) = V(s): fixing the first action at the MPC's own choice changes nothing.
TEST(RlmpcTest, QAtPolicyActionEqualsValue) {
  const DiffOpModel& model = step_model();
  const Eigen::VectorXd theta = model.initial_parameters();
  for (long seed : {0L, 1L, 2L, 3L}) {
    const DiffOpModel::State state = state_after(model, seed, Eigen::VectorXd::Zero(3));
    MpcValue v(model, 100.0), q(model, 100.0);
    ASSERT_EQ(v.solve(theta, state), QpStatus::kOptimal);
    const Eigen::VectorXd pi = v.first_action();
    ASSERT_EQ(q.solve(theta, state, &pi), QpStatus::kOptimal);
    EXPECT_NEAR(q.value(), v.value(), 1e-10 * std::max(1.0, std::abs(v.value())));
    Eigen::VectorXd other = pi;
    other[0] += 0.1;
    ASSERT_EQ(q.solve(theta, state, &other), QpStatus::kOptimal);
    EXPECT_GT(q.value(), v.value());
  }
}

TEST(RlmpcTest, ValueFeaturesHaveTheDocumentedLayout) {
  const DiffOpModel& model = step_model();
  const DiffOpModel::State state = state_after(model, 1, Eigen::VectorXd::Constant(3, 0.2));
  const Eigen::VectorXd phi = rlmpc_value_features(model, state);
  ASSERT_EQ(phi.size(), 19);
  EXPECT_EQ(phi[0], 1.0);
  EXPECT_DOUBLE_EQ(phi[1 + 3 + 0], state.y_init[0] - 1.0);
  EXPECT_DOUBLE_EQ(phi[1 + 6 + 2], 0.2);
  EXPECT_DOUBLE_EQ(phi[1 + 12 + 1], 0.04);
}

RlmpcOptions tiny_rlmpc(int threads) {
  RlmpcOptions o;
  o.iterations = 2;
  o.scenarios_per_iteration = 3;
  o.validation.every = 1;
  o.validation.scenarios = 4;
  o.threads = threads;
  return o;
}

TEST(RlmpcTest, TrainingIsDeterministicAcrossThreadCounts) {
  const Study& study = benchmark_study();
  const DiffOpModel& model = step_model();
  for (auto* train : {&train_rlmpc_td, &train_rlmpc_dpg}) {
    const MpcTrainingResult a = train(study, model, tiny_rlmpc(1), nullptr);
    const MpcTrainingResult b = train(study, model, tiny_rlmpc(2), nullptr);
    ASSERT_EQ(a.summary.curve.size(), 2u);
    EXPECT_EQ(a.theta, b.theta);
    EXPECT_NE(a.theta, model.initial_parameters()) << "the validated iterates moved";
    for (size_t i = 0; i < a.summary.curve.size(); ++i) {
      EXPECT_EQ(a.summary.curve[i].training_cost, b.summary.curve[i].training_cost);
      EXPECT_EQ(a.summary.curve[i].validation_transient, b.summary.curve[i].validation_transient);
      EXPECT_TRUE(std::isfinite(a.summary.curve[i].validation_transient));
    }
  }
}

TEST(RlmpcTest, RejectsOptionsOutOfRange) {
  const Study& study = benchmark_study();
  RlmpcOptions o = tiny_rlmpc(1);
  o.adam.learning_rate = 0.0;
  EXPECT_THROW(train_rlmpc_td(study, step_model(), o), vvc::InputError);
  const DiffOpModel traj(study, {DiffOpMode::kTraj, 3, 100, 0.99});
  EXPECT_THROW(train_rlmpc_dpg(study, traj, tiny_rlmpc(1)), vvc::InputError);
}

const std::vector<Demonstration>& demonstrations() {
  static const std::vector<Demonstration> demos = limit_demonstrations(
      benchmark_study(), step_model(),
      {benchmark_study().training_seeds.first + 64, benchmark_study().training_seeds.first + 84});
  return demos;
}

TEST(PdpTest, DemonstrationsFollowTheLimitController) {
  const auto& demos = demonstrations();
  ASSERT_EQ(demos.size(), 40u);
  for (size_t n = 0; n < demos.size(); n += 2) {
    EXPECT_EQ(demos[n].seed, demos[n + 1].seed);
    EXPECT_EQ(demos[n].action, demos[n + 1].action);
    EXPECT_TRUE(demos[n].state.q0.isZero());                       // after reset
    EXPECT_TRUE(demos[n + 1].state.q0.isApprox(demos[n].action));  // the limit's q applied
  }
}

// The imitation-loss gradient (KKT adjoint through the policy QP) against central differences.
TEST(PdpTest, ImitationGradientMatchesCentralDifferences) {
  const DiffOpModel& model = step_model();
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (int trial = 0; trial < 3; ++trial) {
    Eigen::VectorXd theta = model.initial_parameters();
    for (Eigen::Index i = 0; i < theta.size(); ++i) theta[i] += 0.1 * normal(rng);
    // Demonstrations whose hard policy QP is infeasible at theta use the exact-penalty fallback, which
    // contributes loss but no gradient (documented); the check uses the others.
    std::vector<Demonstration> demos;
    DiffOpSolver solver(model);
    for (const auto& d : demonstrations()) {
      if (solver.solve(theta, d.state) == PolicySolveStatus::kOptimal) demos.push_back(d);
    }
    ASSERT_GE(demos.size(), 20u);
    Eigen::VectorXd grad = Eigen::VectorXd::Zero(model.num_parameters());
    imitation_loss(model, theta, demos, &grad);
    const double h = 1e-6;
    for (int p = 0; p < model.num_parameters(); ++p) {
      Eigen::VectorXd tp = theta, tm = theta;
      tp[p] += h;
      tm[p] -= h;
      const double fd =
          (imitation_loss(model, tp, demos, nullptr) - imitation_loss(model, tm, demos, nullptr)) / (2 * h);
      EXPECT_NEAR(grad[p], fd, 1e-5 * std::max(1.0, std::abs(fd))) << "trial " << trial << " parameter " << p;
    }
  }
}

TEST(PdpTest, ShortTrainingReducesTheLossAndIsDeterministic) {
  const Study& study = benchmark_study();
  const DiffOpModel& model = step_model();
  PdpOptions o;
  o.demonstrations = 10;
  o.epochs = 30;
  o.validation.every = 15;
  o.validation.scenarios = 4;
  o.threads = 1;
  const MpcTrainingResult a = train_pdp(study, model, o);
  o.threads = 2;
  const MpcTrainingResult b = train_pdp(study, model, o);
  ASSERT_EQ(a.summary.curve.size(), 30u);
  EXPECT_EQ(a.theta, b.theta);
  EXPECT_LT(a.summary.curve.back().training_cost, 0.5 * a.summary.curve.front().training_cost);
  EXPECT_EQ(a.summary.failed_solves, 0);
}

}  // namespace
}  // namespace vvc::core
