// The DDPG machinery and the Stable-DDPG / TASRL baselines: actor gradients against central differences, DDPG
// on a tiny problem, deterministic short trainings on the benchmark study, and the evaluation controllers.
// The full benchmark numbers are measured by vvc_baselines_run (docs/algorithms/baselines.md), not asserted
// here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "support/benchmark_fixture.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/core/baselines/ddpg.hpp"
#include "vvc/core/env/controller.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/env/scenarios.hpp"
#include "vvc/core/env/study.hpp"

namespace vvc::core {
namespace {

using testing::benchmark_study;

double actor_increment_fd(DdpgActor& actor, double s, double prev, int k, double h) {
  double& p = actor.params()[k];
  const double p0 = p;
  p = p0 + h;
  const double fp = actor.increment(s, prev);
  p = p0 - h;
  const double fm = actor.increment(s, prev);
  p = p0;
  return (fp - fm) / (2.0 * h);
}

void expect_actor_gradient(DdpgActor& actor, double s, double prev) {
  const double weight = 0.7;
  Eigen::VectorXd grad = Eigen::VectorXd::Zero(actor.params().size());
  actor.accumulate_gradient(s, prev, weight, grad);
  for (Eigen::Index k = 0; k < grad.size(); ++k) {
    const double fd = weight * actor_increment_fd(actor, s, prev, static_cast<int>(k), 1e-7);
    EXPECT_NEAR(grad[k], fd, 1e-7 * (1.0 + std::abs(fd)))
        << "s = " << s << ", q = " << prev << ", parameter " << k;
  }
}

MonotoneNet random_net(const MonotoneShape& shape, std::uint64_t seed, double slope_scale) {
  std::mt19937_64 rng(seed);
  MonotoneNet net(shape, rng);
  net.params().head(shape.hidden) *= slope_scale;
  return net;
}

TEST(DdpgActors, StableDdpgGradientMatchesCentralDifferences) {
  auto actor = make_stable_ddpg_actor(random_net(stable_ddpg_shape(benchmark_study(), 10), 1, 3.0));
  for (double v : {0.88, 0.931, 1.0, 1.061, 1.12}) expect_actor_gradient(*actor, v, 0.2);
  EXPECT_EQ(actor->increment(1.0, 0.3), 0.0);  // deadband
  EXPECT_LT(actor->increment(1.1, 0.0), 0.0);  // high voltage: absorb
  EXPECT_GT(actor->increment(0.9, 0.0), 0.0);  // low voltage: inject
}

TEST(DdpgActors, TasrlGradientMatchesCentralDifferencesInsideTheClamp) {
  const Study& study = benchmark_study();
  // Slopes large enough that tanh is away from both 0 and 1.
  auto actor = make_tasrl_actor(random_net(tasrl_shape(study, 10), 2, 6.0), 0.105, -1.5, 1.5, 0.5);
  int inside = 0;
  for (double v : {0.90, 0.93, 0.97, 1.0, 1.03, 1.07, 1.1}) {
    for (double q : {-0.8, -0.1, 0.4, 1.2}) {
      const double u = actor->increment(v, q);
      const bool clamped = std::abs(u - 0.5 * (-1.5 - q)) < 1e-12 || std::abs(u - 0.5 * (1.5 - q)) < 1e-12;
      inside += clamped ? 0 : 1;
      expect_actor_gradient(*actor, v,
                            q);  // zero gradient where the clamp is active, matching the differences
    }
  }
  EXPECT_GE(inside, 10);
}

TEST(DdpgActors, TasrlWithZeroSlopesIsTheSafeGradientFlow) {
  const Study& study = benchmark_study();
  const MonotoneShape shape = tasrl_shape(study);
  EXPECT_NEAR(shape.upper, 1.045, 1e-12);
  EXPECT_NEAR(shape.lower, 0.955, 1e-12);
  Eigen::VectorXd params = random_net(shape, 3, 1.0).params();
  params.head(shape.hidden).setZero();
  TrainedBaseline trained;
  trained.kind = BaselineKind::kTasrl;
  trained.shape = shape;
  trained.alpha = 0.5;
  trained.actors.assign(3, params);
  const auto set = make_scenarios(study);
  Environment env(study);
  auto tasrl = make_baseline_controller(study, trained);
  auto flow = make_gradient_flow_controller(study, 0.5);
  EXPECT_EQ(tasrl->rule(), StepRule::kIncrement);
  for (long seed = 0; seed < 6; ++seed) {
    const Scenario s = set->make(seed);
    const EpisodeRecord a = run_episode(env, *tasrl, s, {100});
    const EpisodeRecord b = run_episode(env, *flow, s, {100});
    EXPECT_EQ(a.transient, b.transient) << seed;
    EXPECT_EQ(a.steady, b.steady) << seed;
  }
}

// A linear actor for the tiny problem: a = previous + theta_0 s + theta_1.
class LinearActor final : public DdpgActor {
 public:
  LinearActor() : theta_(Eigen::VectorXd::Zero(2)) {}
  std::unique_ptr<DdpgActor> clone() const override { return std::make_unique<LinearActor>(*this); }
  Eigen::VectorXd& params() override { return theta_; }
  const Eigen::VectorXd& params() const override { return theta_; }
  double increment(double s, double) const override { return theta_[0] * s + theta_[1]; }
  void accumulate_gradient(double s, double, double weight, Eigen::VectorXd& grad) const override {
    grad[0] += weight * s;
    grad[1] += weight;
  }

 private:
  Eigen::VectorXd theta_;
};

// One-step problem: s ~ U(-1, 1), reward -(a - 0.5 s - 0.2)^2. The best actor is theta = (0.5, 0.2).
TEST(DdpgAgent, LearnsATinyProblem) {
  DdpgOptions options;
  options.actor_lr = 3e-3;
  options.critic_lr = 3e-3;
  options.batch = 64;
  options.critic_hidden = 32;
  std::mt19937_64 rng(4);
  DdpgAgent agent(std::make_unique<LinearActor>(), options, rng);
  std::uniform_real_distribution<double> state(-1.0, 1.0);
  std::normal_distribution<double> noise(0.0, 0.3);
  auto expected_loss = [&] {
    double loss = 0.0;
    for (int k = 0; k <= 100; ++k) {
      const double s = -1.0 + 0.02 * k;
      const double e = agent.actor().increment(s, 0.0) - 0.5 * s - 0.2;
      loss += e * e / 101.0;
    }
    return loss;
  };
  const double before = expected_loss();
  for (int step = 0; step < 3000; ++step) {
    const double s = state(rng);
    const double a = agent.actor().increment(s, 0.0) + noise(rng);
    agent.push({{s}, {0.0}, {a}, -(a - 0.5 * s - 0.2) * (a - 0.5 * s - 0.2), {0.0}, true});
    if (agent.buffer_size() > options.batch) agent.train_step(rng);
  }
  const double after = expected_loss();
  EXPECT_LT(after, 0.05 * before) << "before " << before << ", after " << after;
  EXPECT_NEAR(agent.actor().params()[0], 0.5, 0.1);
  EXPECT_NEAR(agent.actor().params()[1], 0.2, 0.05);
  // The critic has learned the reward's shape: the best action scores higher than a poor one.
  EXPECT_GT(agent.q_value({0.5}, {0.45}), agent.q_value({0.5}, {-0.5}));
  const GradientCheck check = agent.check_gradients(rng, 5);
  EXPECT_LT(check.actor, 1e-6);
  EXPECT_LT(check.critic, 1e-6);
}

TEST(DdpgAgent, RejectsBadOptions) {
  std::mt19937_64 rng(1);
  DdpgOptions bad;
  bad.batch = 0;
  EXPECT_THROW(DdpgAgent(std::make_unique<LinearActor>(), bad, rng), InputError);
  bad = DdpgOptions();
  bad.tau = 1.5;
  EXPECT_THROW(DdpgAgent(std::make_unique<LinearActor>(), bad, rng), InputError);
}

BaselineOptions short_options() {
  BaselineOptions o;
  o.episodes = 12;
  o.steps_per_episode = 15;
  o.seed = 5;
  o.ddpg.batch = 32;
  o.validation.every = 6;
  o.validation.scenarios = 8;
  o.validation.steps = 30;
  return o;
}

void expect_same(const TrainedBaseline& a, const TrainedBaseline& b) {
  ASSERT_EQ(a.summary.curve.size(), b.summary.curve.size());
  for (size_t k = 0; k < a.summary.curve.size(); ++k) {
    EXPECT_EQ(a.summary.curve[k].steps, b.summary.curve[k].steps);
    EXPECT_EQ(a.summary.curve[k].training_cost, b.summary.curve[k].training_cost);
    EXPECT_EQ(a.summary.curve[k].objective, b.summary.curve[k].objective);
  }
  ASSERT_EQ(a.actors.size(), b.actors.size());
  for (size_t i = 0; i < a.actors.size(); ++i) EXPECT_EQ(a.actors[i], b.actors[i]);
}

void check_short_training(BaselineKind kind) {
  const Study& study = benchmark_study();
  const BaselineOptions options = short_options();
  auto train = [&](const BaselineOptions& o) {
    return kind == BaselineKind::kStableDdpg ? train_stable_ddpg(study, o) : train_tasrl(study, o);
  };
  const TrainedBaseline first = train(options);
  const TrainedBaseline second = train(options);
  expect_same(first, second);

  ASSERT_EQ(first.summary.curve.size(), 12u);
  EXPECT_FALSE(first.summary.stopped());
  EXPECT_EQ(first.summary.unit, TrainingUnit::kEpisode);
  long steps = 0;
  for (const auto& p : first.summary.curve) {
    steps += p.steps;
    EXPECT_EQ(p.power_flow_failures, 0);
    EXPECT_EQ(p.validated(), p.iteration % 6 == 0) << p.iteration;
  }
  EXPECT_GT(steps, options.ddpg.batch);  // some training steps were taken

  // Training moved the parameters away from their seeded initialization, and another seed gives other
  // numbers.
  BaselineOptions no_training = options;
  no_training.episodes = 1;
  no_training.validation.every = 0;
  EXPECT_NE(train(no_training).actors[0], first.actors[0]);
  BaselineOptions other_seed = options;
  other_seed.seed = 6;
  EXPECT_NE(train(other_seed).actors[0], first.actors[0]);

  // The evaluation controller runs on evaluation seeds with the benchmark metric.
  EvaluationOptions eo;
  eo.ids = {0, 20};
  eo.steps = 100;
  eo.threads = 2;
  const Evaluation ev =
      evaluate(study, *make_scenarios(study), baseline_controller_factory(study, first), eo);
  EXPECT_EQ(ev.summary.controller, baseline_name(kind));
  EXPECT_EQ(ev.summary.scenarios, 20);
  EXPECT_EQ(ev.summary.power_flow_failures, 0);
  EXPECT_TRUE(std::isfinite(ev.summary.transient));
  EXPECT_LT(ev.summary.steady, 0.0);  // any controller that moves q toward the band beats q = 0 (F = 0)
}

TEST(Baselines, ShortStableDdpgTrainingIsDeterministicAndEvaluates) {
  check_short_training(BaselineKind::kStableDdpg);
}

TEST(Baselines, ShortTasrlTrainingIsDeterministicAndEvaluates) { check_short_training(BaselineKind::kTasrl); }

class StopAfter final : public TrainingObserver {
 public:
  explicit StopAfter(int episodes) : episodes_(episodes) {}
  ObserverAction on_progress(const TrainingProgress& p) override {
    ++calls;
    return p.point.iteration < episodes_ ? ObserverAction::kContinue : ObserverAction::kStop;
  }
  int calls = 0;

 private:
  int episodes_;
};

TEST(Baselines, RuntimeGradientCheckReportsSmallErrors) {
  for (BaselineKind kind : {BaselineKind::kStableDdpg, BaselineKind::kTasrl}) {
    BaselineOptions o = short_options();
    o.check_gradients = true;
    const TrainedBaseline t = kind == BaselineKind::kStableDdpg ? train_stable_ddpg(benchmark_study(), o)
                                                                : train_tasrl(benchmark_study(), o);
    int checked = 0;
    for (const auto& p : t.summary.curve) {
      const bool expected = p.iteration % o.validation.every == 0;
      EXPECT_EQ(std::isnan(p.gradient_check_error), !expected) << p.iteration;
      if (!expected) continue;
      ++checked;
      EXPECT_LT(p.gradient_check_error, 1e-5) << baseline_name(kind) << " episode " << p.iteration;
      EXPECT_LT(p.critic_gradient_check_error, 1e-5) << baseline_name(kind) << " episode " << p.iteration;
    }
    EXPECT_EQ(checked, 2);
    // The check draws from its own generator: training is unchanged.
    o.check_gradients = false;
    const TrainedBaseline plain = kind == BaselineKind::kStableDdpg ? train_stable_ddpg(benchmark_study(), o)
                                                                    : train_tasrl(benchmark_study(), o);
    expect_same(t, plain);
  }
}

TEST(Baselines, ObserverStopsTraining) {
  BaselineOptions o = short_options();
  o.validation.every = 0;
  StopAfter stop(3);
  const TrainedBaseline t = train_tasrl(benchmark_study(), o, &stop);
  EXPECT_TRUE(t.summary.stopped());
  EXPECT_EQ(t.summary.termination, TrainingTermination::kStoppedByObserver);
  EXPECT_EQ(t.summary.curve.size(), 3u);
  EXPECT_EQ(stop.calls, 3);
  EXPECT_EQ(t.actors.size(), 3u);
}

TEST(Baselines, RejectsBadOptionsAndParameters) {
  const Study& study = benchmark_study();
  BaselineOptions o = short_options();
  o.episodes = static_cast<int>(study.training_seeds.size());  // more than the seeds left by the held-out set
  EXPECT_THROW(train_stable_ddpg(study, o), InputError);
  o = short_options();
  o.alpha_train = 0.0;
  EXPECT_THROW(train_tasrl(study, o), InputError);
  TrainedBaseline t;
  t.shape = stable_ddpg_shape(study);
  t.actors.assign(2, Eigen::VectorXd::Zero(2 * t.shape.hidden));  // the study has three inverters
  EXPECT_THROW(make_baseline_controller(study, t), InputError);
  t.actors.assign(3, Eigen::VectorXd::Zero(7));
  EXPECT_THROW(make_baseline_controller(study, t), InputError);
}

TEST(Baselines, StableDdpgControllerStepsAtMostMaxStepAndStopsInTheDeadband) {
  const Study& study = benchmark_study();
  TrainedBaseline t;
  t.kind = BaselineKind::kStableDdpg;
  t.shape = stable_ddpg_shape(study);
  t.max_step = 0.3;
  for (std::uint64_t i = 0; i < 3; ++i) t.actors.push_back(random_net(t.shape, 10 + i, 8.0).params());
  auto controller = make_baseline_controller(study, t);
  EXPECT_EQ(controller->rule(), StepRule::kSetpoint);
  const auto set = make_scenarios(study);
  Environment env(study);
  Eigen::VectorXd action(3);
  int big_steps = 0;
  for (long seed : {0L, 1L}) {  // a low- and a high-voltage scenario
    const Scenario s = set->make(seed);
    const Observation& obs = env.reset(s);
    controller->reset(obs, s);
    for (int k = 0; k < 60; ++k) {
      const Eigen::VectorXd q = obs.q, v = obs.v_inv;
      controller->act(obs, action);
      env.step(action, controller->rule());
      for (int i = 0; i < 3; ++i) {
        EXPECT_LE(std::abs(obs.q[i] - q[i]), 0.3 + 1e-12);
        big_steps += std::abs(obs.q[i] - q[i]) > 0.29 ? 1 : 0;
        if (v[i] >= 0.97 && v[i] <= 1.03) {
          EXPECT_EQ(obs.q[i], q[i]);
        }
      }
    }
  }
  EXPECT_GT(big_steps, 0);  // the clip was exercised
}

const Study& ieee13_3p() {
  static const Study study = read_study(VVC_SOURCE_DIR "/cases/ieee13_3p");
  return study;
}

TEST(DdpgActors, StableDdpgPhaseActorAddsTheLinearDeadbandTerm) {
  const MonotoneShape shape = stable_ddpg_shape(ieee13_3p(), 10);
  const MonotoneNet net = random_net(shape, 1, 3.0);
  auto plain = make_stable_ddpg_actor(net);
  auto phase = make_stable_ddpg_actor(net, 0.1);
  for (double v : {0.88, 0.931, 1.0, 1.061, 1.12}) {
    expect_actor_gradient(*phase, v, 0.2);
    const double dead = std::max(v - 1.03, 0.0) - std::max(0.97 - v, 0.0);
    EXPECT_NEAR(phase->increment(v, 0.0), plain->increment(v, 0.0) - 0.1 * dead, 1e-15) << v;
  }
  EXPECT_EQ(phase->increment(1.0, 0.3), 0.0);
}

// On a three-phase study Stable-DDPG has one agent per bus over its phases (the reference's "three_single"):
// the trained parameters are one network per inverter phase, the training is deterministic, the runtime check
// of the actors' and the multi-channel critics' gradients passes, and the controller evaluates.
TEST(Baselines, ThreePhaseStableDdpgTrainsPerBusAgents) {
  const Study& study = ieee13_3p();
  BaselineOptions o = default_stable_ddpg_options(study);
  EXPECT_EQ(o.max_step, 0.5);
  EXPECT_EQ(o.steps_per_episode, 30);
  o.episodes = 6;
  o.steps_per_episode = 10;
  o.ddpg.batch = 16;
  o.hidden = 10;
  o.ddpg.critic_hidden = 16;
  o.validation.every = 3;
  o.validation.scenarios = 4;
  o.validation.steps = 20;
  o.check_gradients = true;
  const TrainedBaseline first = train_stable_ddpg(study, o);
  const TrainedBaseline second = train_stable_ddpg(study, o);
  expect_same(first, second);
  EXPECT_EQ(first.actors.size(), static_cast<size_t>(study.num_inverters()));
  EXPECT_EQ(first.action_unit_mvar, study.action_unit_mvar);
  EXPECT_EQ(first.linear_gain, 0.1);
  long steps = 0;
  for (const auto& p : first.summary.curve) {
    steps += p.steps;
    EXPECT_EQ(p.power_flow_failures, 0);
    if (!p.validated()) continue;
    EXPECT_LT(p.gradient_check_error, 1e-5) << p.iteration;
    EXPECT_LT(p.critic_gradient_check_error, 1e-5) << p.iteration;
  }
  EXPECT_GT(steps, o.ddpg.batch);

  EvaluationOptions eo;
  eo.ids = {0, 4};
  eo.steps = 30;
  const Evaluation ev =
      evaluate(study, *make_scenarios(study), baseline_controller_factory(study, first), eo);
  EXPECT_EQ(ev.summary.power_flow_failures, 0);
  EXPECT_TRUE(std::isfinite(ev.summary.transient));
}

// Each phase moves at most max_step action units (0.5 x 100 kvar) per step, and not at all inside the
// deadband [0.97, 1.03].
TEST(Baselines, ThreePhaseStableDdpgControllerStepsAtMostMaxStep) {
  const Study& study = ieee13_3p();
  const int m = study.num_inverters();
  TrainedBaseline t;
  t.kind = BaselineKind::kStableDdpg;
  t.shape = stable_ddpg_shape(study, 10);
  t.max_step = 0.5;
  t.action_unit_mvar = study.action_unit_mvar;
  t.linear_gain = 0.1;
  for (int i = 0; i < m; ++i) t.actors.push_back(random_net(t.shape, 10 + i, 8.0).params());
  auto controller = make_baseline_controller(study, t);
  const auto set = make_scenarios(study);
  Environment env(study);
  Eigen::VectorXd action(m);
  const double limit = 0.5 * study.action_unit_mvar;
  int big_steps = 0;
  for (long seed : {0L, 1L}) {
    const Scenario s = set->make(seed);
    const Observation& obs = env.reset(s);
    controller->reset(obs, s);
    for (int k = 0; k < 20; ++k) {
      const Eigen::VectorXd q = obs.q, v = obs.v_inv;
      controller->act(obs, action);
      env.step(action, controller->rule());
      for (int i = 0; i < m; ++i) {
        EXPECT_LE(std::abs(obs.q[i] - q[i]), limit + 1e-12);
        big_steps += std::abs(obs.q[i] - q[i]) > 0.99 * limit ? 1 : 0;
        if (v[i] >= 0.97 && v[i] <= 1.03) {
          EXPECT_EQ(obs.q[i], q[i]);
        }
      }
    }
  }
  EXPECT_GT(big_steps, 0);
}

}  // namespace
}  // namespace vvc::core
