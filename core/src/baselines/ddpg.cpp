// DDPG agents and the Stable-DDPG and TASRL baselines (ddpg.hpp, docs/algorithms/baselines.md). The training
// loops follow train_DDPG.py of the Stable-DDPG and TASRL reference code (Feng et al., 2023): one DDPG step
// per agent and environment step once the buffer holds more than a batch, exploration noise on the increment,
// and episodes that end once every inverter voltage is inside the band.
#include "vvc/core/baselines/ddpg.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "training/options_internal.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/env/scenarios.hpp"

namespace vvc::core {

namespace {

class StableDdpgActor final : public DdpgActor {
 public:
  StableDdpgActor(MonotoneNet net, double linear_gain) : net_(std::move(net)), linear_gain_(linear_gain) {}
  std::unique_ptr<DdpgActor> clone() const override { return std::make_unique<StableDdpgActor>(*this); }
  Eigen::VectorXd& params() override { return net_.params(); }
  const Eigen::VectorXd& params() const override { return net_.params(); }
  double increment(double state, double) const override {
    const MonotoneShape& shape = net_.shape();
    const double dead = std::max(state - shape.upper, 0.0) - std::max(shape.lower - state, 0.0);
    return -(net_.value(state) + linear_gain_ * dead);
  }
  void accumulate_gradient(double state, double, double weight, Eigen::VectorXd& grad) const override {
    net_.accumulate_gradient(state, -weight, -weight, grad);
  }
  void project() override { net_.project(); }

 private:
  MonotoneNet net_;
  double linear_gain_;
};

class TasrlActor final : public DdpgActor {
 public:
  TasrlActor(MonotoneNet net, double c, double q_min, double q_max, double alpha)
      : net_(std::move(net)), c_(c), q_min_(q_min), q_max_(q_max), alpha_(alpha) {}
  std::unique_ptr<DdpgActor> clone() const override { return std::make_unique<TasrlActor>(*this); }
  Eigen::VectorXd& params() override { return net_.params(); }
  const Eigen::VectorXd& params() const override { return net_.params(); }

  double increment(double v, double q) const override {
    const double x = unclamped(v, q);
    return std::clamp(x, alpha_ * (q_min_ - q), alpha_ * (q_max_ - q));
  }
  void accumulate_gradient(double v, double q, double weight, Eigen::VectorXd& grad) const override {
    const double x = unclamped(v, q);
    if (x <= alpha_ * (q_min_ - q) || x >= alpha_ * (q_max_ - q)) return;  // the clamp is active: no gradient
    const double tp = std::tanh(net_.upper_part(v)), tm = std::tanh(net_.lower_part(v));
    const double k = 0.98 * alpha_ * weight;
    net_.accumulate_gradient(v, k * (1.0 - tp * tp) * (q_min_ - q), -k * (1.0 - tm * tm) * (q_max_ - q),
                             grad);
  }
  void project() override { net_.project(); }

 private:
  double unclamped(double v, double q) const {
    const double learned =
        0.98 * alpha_ *
        (std::tanh(net_.upper_part(v)) * (q_min_ - q) - std::tanh(net_.lower_part(v)) * (q_max_ - q));
    return learned - (c_ * q + v * v - 1.0);
  }

  MonotoneNet net_;
  double c_, q_min_, q_max_, alpha_;
};

const DdpgOptions& checked(const DdpgOptions& o) {
  o.validate();
  return o;
}

std::vector<std::unique_ptr<DdpgActor>> checked(std::vector<std::unique_ptr<DdpgActor>> actors) {
  VVC_ASSERT(!actors.empty() && static_cast<int>(actors.size()) <= kMaxAgentChannels);
  for (const auto& a : actors) VVC_ASSERT(a != nullptr);
  return actors;
}

double median(std::vector<double> values) {
  VVC_ASSERT(!values.empty());
  const auto mid = values.begin() + static_cast<long>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  return *mid;
}

AdamOptions adam_with_rate(double lr) {
  AdamOptions a;
  a.learning_rate = lr;
  return a;
}

}  // namespace

void DdpgOptions::validate(const std::string& prefix) const {
  using detail::option_error;
  if (!(actor_lr > 0.0)) option_error(prefix + "actor_lr", "a number > 0", actor_lr);
  if (!(critic_lr > 0.0)) option_error(prefix + "critic_lr", "a number > 0", critic_lr);
  if (!(gamma >= 0.0 && gamma <= 1.0)) option_error(prefix + "gamma", "a number in [0, 1]", gamma);
  if (!(tau >= 0.0 && tau <= 1.0)) option_error(prefix + "tau", "a number in [0, 1]", tau);
  if (batch < 1) option_error(prefix + "batch", "an integer >= 1", batch);
  if (critic_hidden < 1) option_error(prefix + "critic_hidden", "an integer >= 1", critic_hidden);
  if (buffer_capacity < 1) option_error(prefix + "buffer_capacity", "an integer >= 1", buffer_capacity);
}

std::unique_ptr<DdpgActor> make_stable_ddpg_actor(MonotoneNet net, double linear_gain) {
  return std::make_unique<StableDdpgActor>(std::move(net), linear_gain);
}

std::unique_ptr<DdpgActor> make_tasrl_actor(MonotoneNet net, double c, double q_min, double q_max,
                                            double alpha) {
  if (!(q_min <= q_max)) throw InputError("TASRL actor: expected q_min <= q_max");
  if (!(alpha > 0.0 && alpha <= 1.0)) throw InputError("TASRL actor: alpha must be in (0, 1]");
  return std::make_unique<TasrlActor>(std::move(net), c, q_min, q_max, alpha);
}

DdpgAgent::DdpgAgent(std::unique_ptr<DdpgActor> actor, const DdpgOptions& options, std::mt19937_64& rng)
    : DdpgAgent(
          [&] {
            std::vector<std::unique_ptr<DdpgActor>> actors;
            actors.push_back(std::move(actor));
            return actors;
          }(),
          options, rng) {}

DdpgAgent::DdpgAgent(std::vector<std::unique_ptr<DdpgActor>> actors, const DdpgOptions& options,
                     std::mt19937_64& rng)
    : options_(checked(options)),
      actors_(checked(std::move(actors))),
      critic_({2 * static_cast<int>(actors_.size()), options.critic_hidden, options.critic_hidden, 1}, rng),
      target_critic_(critic_),
      critic_adam_(critic_.num_params(), adam_with_rate(options.critic_lr)) {
  for (const auto& a : actors_) {
    target_actors_.push_back(a->clone());
    actor_adams_.emplace_back(static_cast<int>(a->params().size()), adam_with_rate(options.actor_lr));
    actor_grads_.emplace_back(a->params().size());
  }
  critic_grad_.resize(critic_.num_params());
}

void DdpgAgent::push(const Transition& transition) {
  if (static_cast<long>(buffer_.size()) < options_.buffer_capacity) {
    buffer_.push_back(transition);
  } else {
    buffer_[static_cast<size_t>(next_slot_)] = transition;
    next_slot_ = (next_slot_ + 1) % options_.buffer_capacity;
  }
}

double DdpgAgent::q_value(const Channels& state, const Channels& action) const {
  const int d = channels();
  Eigen::MatrixXd x(2 * d, 1);
  for (int k = 0; k < d; ++k) {
    x(k, 0) = state[static_cast<size_t>(k)];
    x(d + k, 0) = action[static_cast<size_t>(k)];
  }
  return critic_.forward(x, ws_)(0, 0);
}

double DdpgAgent::train_step(std::mt19937_64& rng) {
  VVC_ASSERT(!buffer_.empty());
  const int n = options_.batch;
  const int d = channels();
  std::uniform_int_distribution<long> pick(0, static_cast<long>(buffer_.size()) - 1);
  batch_.resize(static_cast<size_t>(n));
  for (auto& k : batch_) k = pick(rng);
  auto sample = [&](int j) -> const Transition& {
    return buffer_[static_cast<size_t>(batch_[static_cast<size_t>(j)])];
  };

  // Critic: regress Q(s, a) on the bootstrapped target of the target networks.
  x_.resize(2 * d, n);
  for (int j = 0; j < n; ++j) {
    const Transition& t = sample(j);
    for (int k = 0; k < d; ++k) {
      const auto c = static_cast<size_t>(k);
      x_(k, j) = t.next_state[c];
      x_(d + k, j) = t.action[c] + target_actors_[c]->increment(t.next_state[c], t.action[c]);
    }
  }
  const Eigen::RowVectorXd next_q = target_critic_.forward(x_, ws_).row(0);
  Eigen::RowVectorXd target(n);
  for (int j = 0; j < n; ++j) {
    const Transition& t = sample(j);
    target[j] = t.reward + (t.done ? 0.0 : options_.gamma * next_q[j]);
    for (int k = 0; k < d; ++k) {
      x_(k, j) = t.state[static_cast<size_t>(k)];
      x_(d + k, j) = t.action[static_cast<size_t>(k)];
    }
  }
  const Eigen::RowVectorXd residual = critic_.forward(x_, ws_).row(0) - target;
  const double critic_loss = residual.squaredNorm() / n;
  dy_ = (2.0 / n) * residual;
  critic_grad_.setZero();
  critic_.backward(dy_, ws_, &critic_grad_, nullptr);
  critic_adam_.step(critic_.params(), critic_grad_);

  // Actors: ascend Q(s, a_prev + u(s, a_prev)) through dQ/da, each channel's actor through its own action.
  for (int j = 0; j < n; ++j) {
    const Transition& t = sample(j);
    for (int k = 0; k < d; ++k) {
      const auto c = static_cast<size_t>(k);
      x_(k, j) = t.state[c];
      x_(d + k, j) = t.previous[c] + actors_[c]->increment(t.state[c], t.previous[c]);
    }
  }
  critic_.forward(x_, ws_);
  dy_.setConstant(1, n, -1.0 / n);
  critic_.backward(dy_, ws_, nullptr, &dx_);
  for (int k = 0; k < d; ++k) {
    const auto c = static_cast<size_t>(k);
    actor_grads_[c].setZero();
    for (int j = 0; j < n; ++j) {
      const Transition& t = sample(j);
      actors_[c]->accumulate_gradient(t.state[c], t.previous[c], dx_(d + k, j), actor_grads_[c]);
    }
    actor_adams_[c].step(actors_[c]->params(), actor_grads_[c]);
    actors_[c]->project();
  }

  soft_update(target_critic_.params(), critic_.params(), options_.tau);
  for (size_t c = 0; c < actors_.size(); ++c) {
    soft_update(target_actors_[c]->params(), actors_[c]->params(), options_.tau);
    target_actors_[c]->project();
  }
  return critic_loss;
}

GradientCheck DdpgAgent::check_gradients(std::mt19937_64& rng, int samples) const {
  VVC_ASSERT(!buffer_.empty() && samples >= 1);
  const double h = 1e-6;
  const int d = channels();
  std::uniform_int_distribution<long> pick(0, static_cast<long>(buffer_.size()) - 1);
  std::normal_distribution<double> normal(0.0, 1.0);
  auto relative = [](double analytic, double numeric) {
    return std::abs(analytic - numeric) / std::max(1e-8, std::abs(analytic) + std::abs(numeric));
  };
  GradientCheck out;
  std::vector<double> actor_errors, critic_errors;
  Mlp critic = critic_;
  MlpWorkspace ws;
  Eigen::MatrixXd x(2 * d, 1), dy = Eigen::MatrixXd::Ones(1, 1);
  for (int s = 0; s < samples; ++s) {
    const Transition& t = buffer_[static_cast<size_t>(pick(rng))];
    // Actors: d increment / d theta along a random direction d.
    for (int k = 0; k < d; ++k) {
      const auto c = static_cast<size_t>(k);
      const DdpgActor& actor = *actors_[c];
      std::unique_ptr<DdpgActor> probe = actor.clone();
      Eigen::VectorXd dir(actor.params().size());
      for (auto& di : dir) di = normal(rng);
      Eigen::VectorXd grad = Eigen::VectorXd::Zero(dir.size());
      actor.accumulate_gradient(t.state[c], t.previous[c], 1.0, grad);
      probe->params() = actor.params() + h * dir;
      const double up = probe->increment(t.state[c], t.previous[c]);
      probe->params() = actor.params() - h * dir;
      const double down = probe->increment(t.state[c], t.previous[c]);
      actor_errors.push_back(relative(grad.dot(dir), (up - down) / (2.0 * h)));
    }
    // Critic: d Q(s, a) / d params along a random direction.
    Eigen::VectorXd e(critic_.num_params());
    for (auto& ei : e) ei = normal(rng);
    for (int k = 0; k < d; ++k) {
      x(k, 0) = t.state[static_cast<size_t>(k)];
      x(d + k, 0) = t.action[static_cast<size_t>(k)];
    }
    critic.params() = critic_.params();
    critic.forward(x, ws);
    Eigen::VectorXd cgrad = Eigen::VectorXd::Zero(e.size());
    critic.backward(dy, ws, &cgrad, nullptr);
    critic.params() = critic_.params() + h * e;
    const double qup = critic.forward(x, ws)(0, 0);
    critic.params() = critic_.params() - h * e;
    const double qdown = critic.forward(x, ws)(0, 0);
    critic_errors.push_back(relative(cgrad.dot(e), (qup - qdown) / (2.0 * h)));
  }
  out.actor = median(actor_errors);
  out.critic = median(critic_errors);
  return out;
}

const char* baseline_name(BaselineKind kind) {
  return kind == BaselineKind::kStableDdpg ? "stable-ddpg" : "tasrl";
}

// Episode budgets of the reference train_DDPG.py for the single-phase 13-bus feeder: 200 for Stable-DDPG
// ("safe-ddpg" there), 700 for TASRL. TASRL episodes are short (the safe gradient flow reaches the band in a
// few steps), so both train in well under a minute on one core.
void BaselineOptions::validate() const {
  using detail::option_error;
  ddpg.validate("ddpg.");
  if (episodes < 1) option_error("episodes", "an integer >= 1", episodes);
  if (steps_per_episode < 1) option_error("steps_per_episode", "an integer >= 1", steps_per_episode);
  if (!(noise_std >= 0.0)) option_error("noise_std", "a number >= 0", noise_std);
  if (!(max_step > 0.0)) option_error("max_step", "a number > 0", max_step);
  if (!(alpha_train > 0.0 && alpha_train <= 1.0))
    option_error("alpha_train", "a number in (0, 1]", alpha_train);
  if (!(alpha_eval > 0.0 && alpha_eval <= 1.0)) option_error("alpha_eval", "a number in (0, 1]", alpha_eval);
  if (hidden < 1) option_error("hidden", "an integer >= 1", hidden);
  if (!(reward_move_weight >= 0.0)) option_error("reward_move_weight", "a number >= 0", reward_move_weight);
  if (!(reward_violation_weight >= 0.0)) {
    option_error("reward_violation_weight", "a number >= 0", reward_violation_weight);
  }
  validation.validate("validation.");
}

BaselineOptions default_stable_ddpg_options() {
  BaselineOptions o;
  o.episodes = 200;
  return o;
}

// The reference's train_DDPG.py for its three-phase environments ("safe-ddpg", safe_type "three_single"):
// 200 episodes, max_ac = 0.5 (the increment clip and the noise scale, in its 100-kvar action units), 30 steps
// per episode and policy rate 1e-4 on 13bus3p, 100 steps and 5e-5 on 123bus3p.
BaselineOptions default_stable_ddpg_options(const Study& study) {
  BaselineOptions o = default_stable_ddpg_options();
  if (!study.three_phase()) return o;
  o.max_step = 0.5;
  o.noise_std = 0.5;
  o.reward_violation_weight = 1000.0;
  const bool ieee123 = study.scenarios.type == "stable-ddpg-123";
  o.steps_per_episode = ieee123 ? 100 : 30;
  o.ddpg.actor_lr = ieee123 ? 5e-5 : 1e-4;
  return o;
}

BaselineOptions default_tasrl_options() {
  BaselineOptions o;
  o.episodes = 700;
  return o;
}

MonotoneShape stable_ddpg_shape(const Study& study, int hidden) {
  MonotoneShape s;
  s.hidden = hidden;
  s.upper = study.vmax_pu - 0.02;
  s.lower = study.vmin_pu + 0.02;
  s.breakpoint_total = 0.15;
  return s;
}

MonotoneShape tasrl_shape(const Study& study, int hidden) {
  MonotoneShape s;
  s.hidden = hidden;
  s.upper = study.vmax_pu - 0.005;
  s.lower = study.vmin_pu + 0.005;
  s.breakpoint_total = 0.2;
  return s;
}

namespace {

class StableDdpgController final : public Controller {
 public:
  StableDdpgController(std::vector<std::unique_ptr<DdpgActor>> actors, double max_step, double unit)
      : actors_(std::move(actors)), max_step_(max_step), unit_(unit) {}
  std::string name() const override { return "stable-ddpg"; }
  StepRule rule() const override { return StepRule::kSetpoint; }
  void reset(const Observation&, const Scenario&) override {}
  ActionStatus act(const Observation& obs, Eigen::VectorXd& action) override {
    for (size_t i = 0; i < actors_.size(); ++i) {
      const auto k = static_cast<Eigen::Index>(i);
      action[k] =
          obs.q[k] + unit_ * std::clamp(actors_[i]->increment(obs.v_inv[k], 0.0), -max_step_, max_step_);
    }
    return ActionStatus::kNominal;
  }

 private:
  std::vector<std::unique_ptr<DdpgActor>> actors_;
  double max_step_;
  double unit_;
};

class TasrlController final : public Controller {
 public:
  TasrlController(std::vector<std::unique_ptr<DdpgActor>> actors, double alpha)
      : actors_(std::move(actors)), alpha_(alpha) {}
  std::string name() const override { return "tasrl"; }
  StepRule rule() const override { return StepRule::kIncrement; }
  double alpha() const override { return alpha_; }
  void reset(const Observation&, const Scenario&) override {}
  ActionStatus act(const Observation& obs, Eigen::VectorXd& action) override {
    for (size_t i = 0; i < actors_.size(); ++i) {
      const auto k = static_cast<Eigen::Index>(i);
      action[k] = actors_[i]->increment(obs.v_inv[k], obs.q[k]);
    }
    return ActionStatus::kNominal;
  }

 private:
  std::vector<std::unique_ptr<DdpgActor>> actors_;
  double alpha_;
};

// The reference's SafePolicy3phase adds 0.1 (max(v - 1.03, 0) - max(0.97 - v, 0)) to each phase's network.
constexpr double kPhaseLinearGain = 0.1;

bool inside_band(const Study& study, double v) { return v >= study.vmin_pu && v <= study.vmax_pu; }

/// The agents of a training run: each a list of inverter indices (its channels).
std::vector<std::vector<int>> agent_groups(const Study& study, bool by_bus) {
  std::vector<std::vector<int>> groups;
  std::vector<int> bus_group;
  for (int i = 0; i < study.num_inverters(); ++i) {
    const int bus = study.inverters[static_cast<size_t>(i)].bus;
    const auto it = std::find(bus_group.begin(), bus_group.end(), bus);
    if (by_bus && it != bus_group.end()) {
      groups[static_cast<size_t>(it - bus_group.begin())].push_back(i);
    } else {
      groups.push_back({i});
      bus_group.push_back(bus);
    }
  }
  return groups;
}

TrainedBaseline train(const Study& study, BaselineKind kind, const BaselineOptions& options,
                      TrainingObserver* observer) {
  options.validate();
  const SeedSplit split = split_training_seeds(study, options.validation);
  if (options.episodes > split.training.size()) {
    throw InputError(study.path.string() + ": training_seeds hold " + std::to_string(split.training.size()) +
                     " scenarios after the " + std::to_string(split.validation.size()) +
                     " validation ones; episodes needs one each, got " + std::to_string(options.episodes));
  }
  const auto start = std::chrono::steady_clock::now();
  const int m = study.num_inverters();
  const bool stable = kind == BaselineKind::kStableDdpg;
  // Stable-DDPG on a three-phase study: one agent per bus over its phases, in units of the study's action
  // (100 kvar), with the reference's linear deadband term.
  const bool phases = stable && study.three_phase();
  const double unit = phases ? study.action_unit_mvar : 1.0;
  const Eigen::VectorXd q_min = study.q_min(), q_max = study.q_max();

  TrainedBaseline out;
  out.kind = kind;
  out.shape = stable ? stable_ddpg_shape(study, options.hidden) : tasrl_shape(study, options.hidden);
  out.max_step = options.max_step;
  out.action_unit_mvar = unit;
  out.linear_gain = phases ? kPhaseLinearGain : 0.0;
  out.alpha = options.alpha_eval;
  out.summary.method = stable ? "Stable-DDPG" : "TASRL";
  out.summary.unit = TrainingUnit::kEpisode;
  out.summary.seeds = split;

  std::mt19937_64 rng(options.seed);
  const std::vector<std::vector<int>> groups = agent_groups(study, phases);
  std::vector<DdpgAgent> agents;
  agents.reserve(groups.size());
  for (const auto& group : groups) {
    std::vector<std::unique_ptr<DdpgActor>> actors;
    for (const int i : group) {
      MonotoneNet net(out.shape, rng);
      actors.push_back(stable ? make_stable_ddpg_actor(std::move(net), out.linear_gain)
                              : make_tasrl_actor(std::move(net), study.cost_c[i], q_min[i], q_max[i],
                                                 options.alpha_train));
    }
    agents.emplace_back(std::move(actors), options.ddpg, rng);
  }
  auto snapshot = [&] {
    out.actors.assign(static_cast<size_t>(m), Eigen::VectorXd());
    for (size_t a = 0; a < groups.size(); ++a) {
      for (size_t k = 0; k < groups[a].size(); ++k) {
        out.actors[static_cast<size_t>(groups[a][k])] = agents[a].actor(static_cast<int>(k)).params();
      }
    }
  };

  const auto scenarios = make_scenarios(study);
  const Validator validator(study, split, options.validation, 1);
  Environment env(study);
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::VectorXd v(m), q(m), u(m), command(m);
  Eigen::VectorXd reward(static_cast<Eigen::Index>(groups.size()));
  Transition transition;

  for (int e = 0; e < options.episodes; ++e) {
    TrainingProgress progress;
    LearningPoint& point = progress.point;
    point.iteration = e + 1;
    point.objective = 0.0;
    const Scenario scenario = scenarios->make(split.training.first + e);
    const Observation& obs = env.reset(scenario);
    const double sigma = options.noise_std / std::sqrt(e + 1.0);
    if (!env.reset_ok()) ++point.power_flow_failures;
    for (int step = 0; step < options.steps_per_episode && env.reset_ok(); ++step) {
      v = obs.v_inv;
      q = obs.q / unit;
      reward.setZero();
      for (size_t a = 0; a < groups.size(); ++a) {
        // One exploration draw per agent, on each of its channels (the reference's per-bus noise).
        const double noise = sigma * normal(rng);
        for (size_t k = 0; k < groups[a].size(); ++k) {
          const int i = groups[a][k];
          u[i] = agents[a].actor(static_cast<int>(k)).increment(v[i], q[i]) + noise;
          if (stable) {
            u[i] = std::clamp(u[i], -options.max_step, options.max_step);
            const double violation = std::max(v[i] - study.vmax_pu, study.vmin_pu - v[i]);
            if (!inside_band(study, v[i])) {
              reward[static_cast<Eigen::Index>(a)] -= options.reward_move_weight * std::abs(u[i]) +
                                                      options.reward_violation_weight * violation * violation;
            }
          }
        }
      }
      if (stable) command = unit * (q + u);
      const StepResult& r = stable ? env.step(command, StepRule::kSetpoint)
                                   : env.step(u, StepRule::kIncrement, options.alpha_train);
      if (r.power_flow != grid::PowerFlowStatus::kConverged) {
        ++point.power_flow_failures;
        break;
      }
      bool done = true;
      for (int i = 0; i < m; ++i) {
        const double vi = obs.v_inv[i];
        done = done && vi > study.vmin_pu && vi < study.vmax_pu;
      }
      for (size_t a = 0; a < groups.size(); ++a) {
        if (!stable) {
          const int i = groups[a][0];
          const double vi = obs.v_inv[i], qi = obs.q[i], v0 = obs.v_inv_init[i];
          reward[static_cast<Eigen::Index>(a)] =
              -(0.5 * study.cost_c[i] * qi * qi + 0.5 * qi * (vi * vi + v0 * v0 - 2.0));
        }
        for (size_t k = 0; k < groups[a].size(); ++k) {
          const int i = groups[a][k];
          transition.state[k] = v[i];
          transition.previous[k] = q[i];
          transition.action[k] = obs.q[i] / unit;
          transition.next_state[k] = obs.v_inv[i];
        }
        transition.reward = reward[static_cast<Eigen::Index>(a)];
        transition.done = done;
        DdpgAgent& agent = agents[a];
        agent.push(transition);
        if (agent.buffer_size() > options.ddpg.batch) agent.train_step(rng);
      }
      ++point.steps;
      point.objective -= reward.sum();
      point.training_cost += r.cost;
      if (done) break;
    }
    if (point.steps > 0) point.training_cost /= point.steps;

    const bool last = e + 1 == options.episodes;
    const bool validate = validator.due(e + 1, options.episodes);
    if (options.check_gradients && (last || validate)) {
      // A generator of its own, so that checking leaves the training draws alone.
      std::mt19937_64 check_rng(options.seed + static_cast<std::uint64_t>(e));
      for (const auto& agent : agents) {
        if (agent.buffer_size() == 0) continue;
        const GradientCheck c = agent.check_gradients(check_rng, 9);
        point.gradient_check_error =
            std::isnan(point.gradient_check_error) ? c.actor : std::max(point.gradient_check_error, c.actor);
        point.critic_gradient_check_error = std::isnan(point.critic_gradient_check_error)
                                                ? c.critic
                                                : std::max(point.critic_gradient_check_error, c.critic);
      }
    }
    if (validate) {
      snapshot();
      Validator::record(validator.run(baseline_controller_factory(study, out)), point, &progress);
    }
    point.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out.summary.curve.push_back(point);
    out.summary.iterations = e + 1;
    if (observer != nullptr) {
      progress.method = out.summary.method;
      progress.unit = TrainingUnit::kEpisode;
      progress.iterations = options.episodes;
      if (observer->on_progress(progress) == ObserverAction::kStop && !last) {
        out.summary.termination = TrainingTermination::kStoppedByObserver;
        break;
      }
    }
  }
  snapshot();
  out.summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace

TrainedBaseline train_stable_ddpg(const Study& study, const BaselineOptions& options,
                                  TrainingObserver* observer) {
  return train(study, BaselineKind::kStableDdpg, options, observer);
}

TrainedBaseline train_tasrl(const Study& study, const BaselineOptions& options, TrainingObserver* observer) {
  return train(study, BaselineKind::kTasrl, options, observer);
}

std::unique_ptr<Controller> make_baseline_controller(const Study& study, const TrainedBaseline& trained) {
  const int m = study.num_inverters();
  if (static_cast<int>(trained.actors.size()) != m) {
    throw InputError("baseline controller: expected " + std::to_string(m) + " inverter policies, got " +
                     std::to_string(trained.actors.size()));
  }
  if (trained.kind == BaselineKind::kStableDdpg) {
    if (!(trained.max_step > 0.0)) throw InputError("baseline controller: max_step must be > 0");
    if (!(trained.action_unit_mvar > 0.0))
      throw InputError("baseline controller: action_unit_mvar must be > 0");
    std::vector<std::unique_ptr<DdpgActor>> actors;
    for (const auto& p : trained.actors) {
      actors.push_back(make_stable_ddpg_actor(MonotoneNet(trained.shape, p), trained.linear_gain));
    }
    return std::make_unique<StableDdpgController>(std::move(actors), trained.max_step,
                                                  trained.action_unit_mvar);
  }
  const Eigen::VectorXd q_min = study.q_min(), q_max = study.q_max();
  std::vector<std::unique_ptr<DdpgActor>> actors;
  for (int i = 0; i < m; ++i) {
    actors.push_back(make_tasrl_actor(MonotoneNet(trained.shape, trained.actors[static_cast<size_t>(i)]),
                                      study.cost_c[i], q_min[i], q_max[i], trained.alpha));
  }
  return std::make_unique<TasrlController>(std::move(actors), trained.alpha);
}

ControllerFactory baseline_controller_factory(const Study& study, const TrainedBaseline& trained) {
  make_baseline_controller(study, trained);  // reject bad parameters here, not on a worker thread
  return [&study, kind = trained.kind, shape = trained.shape, actors = trained.actors,
          max_step = trained.max_step, unit = trained.action_unit_mvar, gain = trained.linear_gain,
          alpha = trained.alpha] {
    TrainedBaseline t;
    t.kind = kind;
    t.shape = shape;
    t.actors = actors;
    t.max_step = max_step;
    t.action_unit_mvar = unit;
    t.linear_gain = gain;
    t.alpha = alpha;
    return make_baseline_controller(study, t);
  };
}

}  // namespace vvc::core
