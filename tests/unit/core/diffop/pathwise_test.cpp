// The pathwise policy gradient (trainer.hpp): against central differences of the rollout's own training cost (an
// open-loop Traj plan, a re-planned one, one-step and closed-loop Step episodes with either objective), its
// training deterministic across thread counts, and refused on a balanced study.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "support/benchmark_fixture.hpp"
#include "support/diffop_training_checks.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/core/diffop/policy_io.hpp"
#include "vvc/core/diffop/trainer.hpp"
#include "vvc/core/experiment/experiment.hpp"

namespace vvc::core {
namespace {

/// The training cost sum_t gamma^(t+1) (c_t + mu e_t) of a rollout.
double training_cost(const Rollout& r, double gamma, double mu) {
  double j = 0.0;
  for (Eigen::Index t = 0; t < r.costs.size(); ++t) {
    j += std::pow(gamma, static_cast<double>(t + 1)) * (r.costs[t] + mu * r.violations[t]);
  }
  return j;
}

/// The gradient along random directions against central differences of step h of the rollout cost, for scenarios
/// 0..scenarios-1 (low- and high-voltage ones) at perturbed starting parameters; returns the worst relative error.
/// The cost is piecewise smooth (active sets, load band regions, the move cost's absolute value) and the power
/// flow's warm-started voltages carry about 1e-9 pu of noise: h must be small enough not to straddle a kink and
/// large enough for the noise, which grows with the number of steps.
double worst_directional_error(const Study& study, const DiffOpStructure& structure, int scenarios,
                               double h) {
  const DiffOpModel model(study, structure);
  const auto set = make_scenarios(study);
  DiffOpTrainingOptions options;
  Environment env(study);
  DiffOpSolver solver(model);
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  double worst = 0.0;
  int checked = 0;
  for (int k = 0; k < scenarios; ++k) {
    const Scenario scenario = set->make(k);
    Eigen::VectorXd theta = model.initial_parameters();
    for (Eigen::Index p = 0; p < theta.size(); ++p) theta[p] += 0.01 * normal(rng);
    const Rollout r = run_pathwise_rollout(model, theta, env, solver, scenario, options);
    if (r.fallback_steps > 0) continue;
    for (int d = 0; d < 3; ++d) {
      Eigen::VectorXd dir(theta.size());
      for (Eigen::Index p = 0; p < dir.size(); ++p) dir[p] = normal(rng);
      dir /= dir.norm();
      const double jp =
          training_cost(run_pathwise_rollout(model, theta + h * dir, env, solver, scenario, options),
                        study.discount, options.penalty(study, model.structure()));
      const double jm =
          training_cost(run_pathwise_rollout(model, theta - h * dir, env, solver, scenario, options),
                        study.discount, options.penalty(study, model.structure()));
      const double fd = (jp - jm) / (2 * h);
      const double analytic = r.gradient.dot(dir);
      worst = std::max(worst, std::abs(fd - analytic) / std::max(1.0, std::abs(analytic)));
      EXPECT_GT(std::abs(analytic), 1e-3) << "scenario " << k;
      ++checked;
    }
  }
  EXPECT_GE(checked, 3 * (scenarios - 1));
  return worst;
}

// An open-loop plan (Traj without re-planning): every action depends on theta and the reset state only.
TEST(Pathwise, OpenLoopPlanGradientMatchesCentralDifferencesOfTheRolloutCost) {
  Study study = read_study(std::string(VVC_SOURCE_DIR) + "/cases/ieee13_3p");
  study.steps = 6;
  // Six warm-started steps: at h = 3e-4 the noise reaches 2e-4 relative error in one direction.
  EXPECT_LE(worst_directional_error(study, DiffOpStructure{DiffOpMode::kTraj, 3, 6, 0.99, true, 0}, 4, 1e-3),
            1e-4);
}

// A one-step Step episode: one solve.
TEST(Pathwise, OneStepGradientMatchesCentralDifferencesOfTheRolloutCost) {
  Study study = read_study(std::string(VVC_SOURCE_DIR) + "/cases/ieee123_3p");
  study.steps = 1;
  // One solve: at h = 3e-4 every direction agrees to 6e-7; at 1e-3 one direction of scenario 0 straddles a kink.
  EXPECT_LE(worst_directional_error(study, DiffOpStructure{DiffOpMode::kStep, 1, 1, 0.99}, 4, 3e-4), 1e-4);
}

// Closed loop: each action depends on the state the earlier actions left, through the plant's voltages and the
// applied q, and the gradient carries both back. Without that carry (each step's cost alone) the worst relative
// errors here are 0.65, 1.6 and 2.3; with it 1.3e-4, 1.4e-4 and 1.2e-4 at h = 1e-3, the warm-started solves'
// noise: they grow to 8e-4 at h = 3e-4 and shrink to 1.1e-4 at h = 3e-3.
TEST(Pathwise, ClosedLoopStepGradientMatchesCentralDifferencesOfTheRolloutCost) {
  Study study = read_study(std::string(VVC_SOURCE_DIR) + "/cases/ieee13_3p");
  study.steps = 6;
  // The structure vvc train uses here: the moves objective, the absolute move cost, the back-off's floor.
  const DiffOpStructure moves = experiment::diffop_structure(study, experiment::TrainRequest{});
  ASSERT_EQ(moves.objective, DiffOpObjective::kMoves);
  EXPECT_LE(worst_directional_error(study, moves, 4, 1e-3), 1e-3);
  EXPECT_LE(worst_directional_error(study, DiffOpStructure{DiffOpMode::kStep, 1, 6, 0.99}, 4, 1e-3), 1e-3);
}

// Traj re-planned every 3 steps: the second plan's state comes from the first plan's actions.
TEST(Pathwise, ReplannedTrajGradientMatchesCentralDifferencesOfTheRolloutCost) {
  Study study = read_study(std::string(VVC_SOURCE_DIR) + "/cases/ieee13_3p");
  study.steps = 6;
  EXPECT_LE(worst_directional_error(study, DiffOpStructure{DiffOpMode::kTraj, 3, 6, 0.99, true, 3}, 4, 1e-3),
            1e-3);
}

TEST(Pathwise, TrainingIsDeterministicAcrossThreadCountsAndResumes) {
  Study study = read_study(std::string(VVC_SOURCE_DIR) + "/cases/ieee13_3p");
  study.steps = 20;
  const DiffOpModel model(study, DiffOpStructure{DiffOpMode::kStep, 1, 20, 0.99});
  DiffOpTrainingOptions options;
  options.gradient = GradientEstimator::kPathwise;
  options.iterations = 3;
  options.scenarios_per_iteration = 3;
  options.validation.every = 1;
  options.validation.scenarios = 4;
  const auto serial = testing::train_on_1_and_2_threads(study, model, options);
  EXPECT_NE(serial.state.theta, model.initial_parameters());
  EXPECT_EQ(serial.summary.curve.front().steps, 3 * 20);

  // Interrupted after 2 of 3 iterations through a checkpoint file and resumed: the same final state, and the
  // checkpoint records the estimator.
  PolicyFile meta_back;
  const TrainerState loaded = testing::checkpoint_through_file(
      study, model, options, 2, VVC_BINARY_DIR "/pathwise_test.checkpoint.json", meta_back);
  EXPECT_EQ(meta_back.training.gradient, GradientEstimator::kPathwise);
  DiffOpTrainingOptions resume_options = meta_back.training;
  resume_options.iterations = options.iterations;
  const auto resumed = DiffOpTrainer(study, model, resume_options).train(nullptr, &loaded);
  EXPECT_EQ(resumed.state.theta, serial.state.theta);
  EXPECT_EQ(resumed.state.adam.v, serial.state.adam.v);
}

TEST(Pathwise, IsTheDefaultOnThreePhaseStudiesAndRefusedOnBalancedOnes) {
  const Study& balanced = testing::benchmark_study();
  DiffOpTrainingOptions options;
  EXPECT_EQ(options.estimator(balanced), GradientEstimator::kLikelihoodRatio);
  const Study three_phase = read_study(std::string(VVC_SOURCE_DIR) + "/cases/ieee13_3p");
  EXPECT_EQ(options.estimator(three_phase), GradientEstimator::kPathwise);
  options.gradient = GradientEstimator::kLikelihoodRatio;
  EXPECT_EQ(options.estimator(three_phase), GradientEstimator::kLikelihoodRatio);
  options.gradient = GradientEstimator::kPathwise;
  const DiffOpModel model(balanced, DiffOpStructure{});
  EXPECT_THROW(DiffOpTrainer(balanced, model, options), InputError);
  EXPECT_EQ(parse_gradient_estimator("pathwise"), GradientEstimator::kPathwise);
  EXPECT_EQ(parse_gradient_estimator("likelihood-ratio"), GradientEstimator::kLikelihoodRatio);
  EXPECT_THROW(parse_gradient_estimator("reinforce", "--gradient"), InputError);
}

}  // namespace
}  // namespace vvc::core
