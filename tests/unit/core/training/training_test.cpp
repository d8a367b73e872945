// The training vocabulary (core/training): Adam's update rule and its state, the held-out convention, the
// validation schedule, best-iterate tracking, and the options' messages.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "support/benchmark_fixture.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/core/diffop/trainer.hpp"
#include "vvc/core/training/adam.hpp"
#include "vvc/core/training/observer.hpp"
#include "vvc/core/training/schedule.hpp"

namespace vvc::core {
namespace {

using testing::benchmark_study;

/// The InputError message of `f`, or "" when it does not throw.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Adam, FirstStepsFollowTheBiasCorrectedRule) {
  AdamOptions opt;
  opt.learning_rate = 0.1;
  Adam adam(2, opt);
  Eigen::VectorXd p(2), g(2);
  p << 1.0, -2.0;
  g << 0.5, -4.0;
  adam.step(p, g);
  // After one step m_hat = g and v_hat = g^2: each parameter moves by lr * g / (|g| + eps).
  EXPECT_NEAR(p[0], 1.0 - 0.1 * 0.5 / (0.5 + 1e-8), 1e-14);
  EXPECT_NEAR(p[1], -2.0 + 0.1 * 4.0 / (4.0 + 1e-8), 1e-14);
  EXPECT_EQ(adam.steps(), 1);
  EXPECT_DOUBLE_EQ(adam.state().m[1], 0.1 * -4.0);
  EXPECT_DOUBLE_EQ(adam.state().v[1], 0.001 * 16.0);
  // Minimizing 1/2 |p - target|^2 converges.
  Eigen::VectorXd target(2);
  target << 0.3, 0.7;
  Adam fresh(2, opt);
  p << 1.0, -2.0;
  for (int k = 0; k < 2000; ++k) fresh.step(p, p - target);
  EXPECT_LT((p - target).norm(), 1e-3);
  EXPECT_EQ(fresh.steps(), 2000);
}

TEST(Adam, ContinuingFromItsStateEqualsNeverStopping) {
  AdamOptions opt;
  opt.learning_rate = 0.05;
  Eigen::VectorXd straight(3), resumed(3), g(3);
  straight << 0.1, 0.2, 0.3;
  resumed = straight;
  Adam a(3, opt), b(3, opt);
  auto gradient = [&](const Eigen::VectorXd& x, int k) {
    g << std::sin(x[0] + k), x[1] * x[1] - 0.5, 2.0 * x[2];
    return g;
  };
  for (int k = 0; k < 20; ++k) a.step(straight, gradient(straight, k));
  for (int k = 0; k < 7; ++k) b.step(resumed, gradient(resumed, k));
  Adam c(opt, b.state());  // as from a checkpoint
  for (int k = 7; k < 20; ++k) c.step(resumed, gradient(resumed, k));
  EXPECT_EQ(resumed, straight);
  EXPECT_EQ(c.steps(), 20);
}

TEST(Adam, OptionsNameTheOffendingValue) {
  AdamOptions bad;
  bad.learning_rate = -1.0;
  EXPECT_EQ(error_of([&] { Adam(2, bad); }), "learning_rate: expected a number > 0, got -1");
  bad = AdamOptions();
  bad.beta2 = 1.0;
  EXPECT_EQ(error_of([&] { bad.validate("adam."); }), "adam.beta2: expected a number in [0, 1), got 1");
  EXPECT_NE(error_of([&] { Adam(AdamOptions(), AdamState{Eigen::VectorXd(2), Eigen::VectorXd(3), 0}); }), "");
}

TEST(Schedule, ValidationIsTheFirstTrainingSeedsSizedFromTheData) {
  EXPECT_EQ(default_validation_scenarios(100000), 64);
  EXPECT_EQ(default_validation_scenarios(256), 64);
  EXPECT_EQ(default_validation_scenarios(100), 25);
  EXPECT_EQ(default_validation_scenarios(3), 1);
  EXPECT_EQ(default_validation_scenarios(2), 1);

  Study study = benchmark_study();  // training_seeds 100000:200000
  ValidationOptions v;
  SeedSplit split = split_training_seeds(study, v);
  EXPECT_EQ(split.validation.first, 100000);
  EXPECT_EQ(split.validation.last, 100064);
  EXPECT_EQ(split.training.first, 100064);
  EXPECT_EQ(split.training.last, 200000);
  v.scenarios = 8;
  split = split_training_seeds(study, v);
  EXPECT_EQ(split.validation.last, 100008);
  EXPECT_EQ(split.training.first, 100008);

  // An explicit block at the end: training keeps the seeds before it.
  v.seeds = SeedRange{199950, 200000};
  split = split_training_seeds(study, v);
  EXPECT_EQ(split.training.first, 100000);
  EXPECT_EQ(split.training.last, 199950);
  v.seeds = SeedRange{150000, 150050};
  EXPECT_NE(error_of([&] { split_training_seeds(study, v); }).find("must be a block at the start or the end"),
            std::string::npos);
}

TEST(Schedule, TooSmallATrainingRangeIsReportedWithItsNumbers) {
  Study study = benchmark_study();
  study.training_seeds = {10, 12};
  SeedSplit split = split_training_seeds(study, ValidationOptions{});
  EXPECT_EQ(split.validation.size(), 1);
  EXPECT_EQ(split.training.size(), 1);
  ValidationOptions v;
  v.scenarios = 2;
  const std::string message = error_of([&] { split_training_seeds(study, v); });
  EXPECT_NE(message.find("study.json: training_seeds 10:12 hold 2 scenario(s)"), std::string::npos)
      << message;
  EXPECT_NE(message.find("takes the first 2"), std::string::npos) << message;
  study.training_seeds = {10, 11};
  EXPECT_NE(error_of([&] { split_training_seeds(study, ValidationOptions{}); }).find("hold 1 scenario(s)"),
            std::string::npos);
}

TEST(Schedule, ValidatesEveryKIterationsAndAfterTheLast) {
  const Study& study = benchmark_study();
  ValidationOptions v;
  v.every = 4;
  v.scenarios = 2;
  const Validator validator(study, split_training_seeds(study, v), v, 1);
  std::vector<int> due;
  for (int it = 1; it <= 10; ++it) {
    if (validator.due(it, 10)) due.push_back(it);
  }
  EXPECT_EQ(due, (std::vector<int>{4, 8, 10}));
  v.every = 0;
  const Validator never(study, split_training_seeds(study, v), v, 1);
  for (int it = 1; it <= 10; ++it) EXPECT_FALSE(never.due(it, 10));
}

TEST(Schedule, ValidatorEvaluatesTheValidationSeedsWithTraces) {
  const Study& study = benchmark_study();
  ValidationOptions v;
  v.scenarios = 3;
  v.steps = 10;
  v.traced = 2;
  const SeedSplit split = split_training_seeds(study, v);
  const Validator validator(study, split, v, 2);
  const Evaluation ev = validator.run([&] { return make_gradient_flow_controller(study); });
  ASSERT_EQ(ev.episodes.size(), 3u);
  EXPECT_EQ(ev.episodes.front().id, split.validation.first);
  EXPECT_EQ(ev.summary.steps, 10);
  ASSERT_EQ(ev.traces.size(), 2u);
  EXPECT_EQ(ev.traces[1].id, split.validation.first + 1);
  EXPECT_EQ(ev.traces[1].vm.rows(), 11);
  EXPECT_EQ(ev.final_vm.rows(), 3);
  EXPECT_EQ(ev.final_vm.row(2).minCoeff(), ev.episodes[2].final_vmin);

  LearningPoint point;
  TrainingProgress progress;
  Validator::record(ev, point, &progress);
  EXPECT_TRUE(point.validated());
  EXPECT_EQ(point.validation_transient, ev.summary.transient);
  EXPECT_EQ(progress.traces.size(), 2u);
}

TEST(TrainerState, KeepsTheBestValidatedParameters) {
  TrainerState st;
  st.theta = Eigen::VectorXd::Constant(2, 1.0);
  EXPECT_EQ(st.best_or_last(), st.theta);  // nothing validated yet: the last iterate
  st.record_validation(-3.0);
  st.theta.setConstant(2.0);
  st.record_validation(-2.0);  // worse: not kept
  st.theta.setConstant(3.0);
  EXPECT_EQ(st.best_or_last(), Eigen::VectorXd::Constant(2, 1.0));
  EXPECT_EQ(st.best_validation, -3.0);
}

TEST(TrainingOptions, DiffOpOptionsNameTheOffendingOptionAndValue) {
  DiffOpTrainingOptions o;
  o.noise_draws = 1;
  EXPECT_EQ(error_of([&] { o.validate(); }),
            "noise_draws: expected an integer >= 2 (the baseline needs two draws), got 1");
  o = DiffOpTrainingOptions();
  o.validation.every = -3;
  EXPECT_EQ(error_of([&] { o.validate(); }), "validation.every: expected an integer >= 0, got -3");
  o = DiffOpTrainingOptions();
  o.checkpoint.every = -1;
  EXPECT_EQ(error_of([&] { o.validate(); }), "checkpoint.every: expected an integer >= 0, got -1");
  o = DiffOpTrainingOptions();
  o.adam.learning_rate = 0.0;
  EXPECT_EQ(error_of([&] { o.validate(); }), "adam.learning_rate: expected a number > 0, got 0");
  EXPECT_EQ(error_of([] { DiffOpTrainingOptions().validate(); }), "");
}

/// Stops after a fixed number of reports and remembers the checkpoints it was given.
class StopAfter final : public TrainingObserver {
 public:
  explicit StopAfter(int reports) : reports_(reports) {}
  ObserverAction on_progress(const TrainingProgress& p) override {
    methods.push_back(p.method);
    return static_cast<int>(methods.size()) < reports_ ? ObserverAction::kContinue : ObserverAction::kStop;
  }
  void on_checkpoint(const TrainerState& state) override { checkpoints.push_back(state.iteration); }
  std::vector<std::string> methods;
  std::vector<int> checkpoints;

 private:
  int reports_;
};

TEST(TrainingObserver, StopsDiffOpAtTheEndOfAnIterationWithAFinalCheckpoint) {
  const Study& study = benchmark_study();
  const DiffOpModel model(study, DiffOpStructure{});
  DiffOpTrainingOptions o;
  o.iterations = 6;
  o.scenarios_per_iteration = 2;
  o.noise_draws = 2;
  o.validation.every = 0;
  o.checkpoint.every = 2;
  StopAfter stop(3);
  const DiffOpTrainingResult r = DiffOpTrainer(study, model, o).train(&stop);
  EXPECT_EQ(r.summary.termination, TrainingTermination::kStoppedByObserver);
  EXPECT_EQ(r.summary.iterations, 3);
  EXPECT_EQ(r.summary.curve.size(), 3u);
  EXPECT_EQ(r.state.iteration, 3);
  EXPECT_EQ(stop.checkpoints, (std::vector<int>{2, 3}));  // the cadence, then the stop
  EXPECT_EQ(stop.methods.front(), "DiffOP(Step)");
  EXPECT_STREQ(to_string(r.summary.termination), "stopped by observer");
}

}  // namespace
}  // namespace vvc::core
