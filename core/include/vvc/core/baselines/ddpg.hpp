// DDPG (Lillicrap et al., 2016) for decentralized per-inverter policies, and the two DDPG-based baselines of
// the voltage-control benchmark (voltage-control-benchmark.md section 5; docs/algorithms/baselines.md):
//
//   Stable-DDPG   q_{t+1} = q_t - clip(N(v_t), -0.3, 0.3), N the monotone network with deadband [0.97, 1.03]
//                 (nn.hpp), trained on its own paper's reward r_t = 0 if v_t is in the band, else
//                 -|q_{t+1} - q_t| - 100 * violation(v_t)^2.
//   TASRL         q_{t+1} = q_t + clamp(x_t, alpha (q_min - q_t), alpha (q_max - q_t)),
//                 x_t = 0.98 alpha [tanh(N+(v_t)) (q_min - q_t) - tanh(N-(v_t)) (q_max - q_t)]
//                       - (c q_t + v_t^2 - 1),
//                 N the monotone network with deadband [0.955, 1.045], trained on the per-inverter reward -F_i.
//
// Each inverter i is one agent with state v_i (its own bus voltage) and action a = q_{t+1,i}; its actor has
// the incremental form a = q_t + u(v, q_t; theta) of the reference code, and its critic is
// Q(v, a) = Mlp(2 -> 100 -> 100 -> 1). On a three-phase study an agent is a bus with d <= 3 inverter phases, as
// in the reference's IEEE_13_3p / IEEE_123_3p training ("three_single"): one actor per phase on that phase's
// voltage, one critic Q(v_1..d, a_1..d) = Mlp(2d -> 100 -> 100 -> 1), actions in units of the study's
// action_unit_mvar (100 kvar), and the Stable-DDPG actor -(N(v) + 0.1 dead(v)) with dead(v) = max(v - upper, 0)
// - max(lower - v, 0). One training step on a batch of B transitions (s, a_prev, a, r, s', done):
//   critic:  y = r + gamma (1 - done) Q'(s', a + u'(s', a)),   L_Q = 1/B sum (Q(s, a) - y)^2,
//   actor:   L_pi = -1/B sum Q(s, a_prev + u(s, a_prev; theta))   (with the critic just updated; each phase's
//            actor gets dQ/da of its own action),
//   targets: theta' <- (1 - tau) theta' + tau theta for both networks,
// with one Adam (training/adam.hpp) per actor and per critic.
#pragma once

#include <Eigen/Dense>
#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "vvc/core/baselines/nn.hpp"
#include "vvc/core/env/controller.hpp"
#include "vvc/core/env/study.hpp"
#include "vvc/core/training/adam.hpp"
#include "vvc/core/training/observer.hpp"
#include "vvc/core/training/schedule.hpp"

namespace vvc::core {

/// A deterministic actor of the incremental form a = a_prev + increment(s, a_prev; theta).
class DdpgActor {
 public:
  virtual ~DdpgActor() = default;
  virtual std::unique_ptr<DdpgActor> clone() const = 0;
  virtual Eigen::VectorXd& params() = 0;
  virtual const Eigen::VectorXd& params() const = 0;
  virtual double increment(double state, double previous) const = 0;
  /// grad += weight * d increment(state, previous) / d params.
  virtual void accumulate_gradient(double state, double previous, double weight,
                                   Eigen::VectorXd& grad) const = 0;
  /// Restores the parameters' constraints after an optimizer step or a soft update.
  virtual void project() {}
};

/// Stable-DDPG: increment = -(N(v) + linear_gain dead(v)) (the training form; the controller clips it to
/// +-max_step); linear_gain 0 on balanced studies, 0.1 on three-phase ones (the reference's SafePolicy3phase).
std::unique_ptr<DdpgActor> make_stable_ddpg_actor(MonotoneNet net, double linear_gain = 0.0);
/// TASRL: increment = the clamped safe-gradient-flow step x above, for one inverter.
std::unique_ptr<DdpgActor> make_tasrl_actor(MonotoneNet net, double c, double q_min, double q_max,
                                            double alpha);

/// The most actions (inverter phases) one agent has.
inline constexpr int kMaxAgentChannels = 3;
using Channels = std::array<double, kMaxAgentChannels>;

/// One transition of an agent; the first channels() entries of each array are used.
struct Transition {
  Channels state{};       ///< s_t
  Channels previous{};    ///< a_{t-1}, the setpoint in force at s_t
  Channels action{};      ///< a_t as the plant applied it
  double reward = 0.0;    ///< r_t
  Channels next_state{};  ///< s_{t+1}
  bool done = false;      ///< no bootstrap from s_{t+1}
};

struct DdpgOptions {
  double actor_lr = 1e-4;   ///< Adam learning rate of the actors
  double critic_lr = 2e-4;  ///< Adam learning rate of the critics
  double gamma = 0.99;
  double tau = 0.01;
  int batch = 256;
  int critic_hidden = 100;
  long buffer_capacity = 1000000;
  /// Throws InputError naming the option (after `prefix`) and its value when one is out of range.
  void validate(const std::string& prefix = "ddpg.") const;
};

/// Median relative errors |g . d - FD_d| / (|g . d| + |FD_d|) of analytic gradients against central
/// differences along random directions d, over sampled transitions (the median ignores a sample that sits on
/// a kink).
struct GradientCheck {
  double actor = 0.0;   ///< d increment / d theta
  double critic = 0.0;  ///< d Q(s, a) / d critic parameters
};

/// One agent: an actor per channel (action), one critic, their target copies (initialized equal), a replay
/// buffer and the optimizers.
class DdpgAgent {
 public:
  /// Throws InputError for options out of range (DdpgOptions::validate).
  DdpgAgent(std::unique_ptr<DdpgActor> actor, const DdpgOptions& options, std::mt19937_64& rng);
  /// 1 to kMaxAgentChannels actors; the critic sees every channel's state and action.
  DdpgAgent(std::vector<std::unique_ptr<DdpgActor>> actors, const DdpgOptions& options, std::mt19937_64& rng);
  int channels() const { return static_cast<int>(actors_.size()); }

  /// Adds a transition; the oldest is overwritten once the buffer holds buffer_capacity.
  void push(const Transition& transition);
  long buffer_size() const { return static_cast<long>(buffer_.size()); }
  /// One critic step then one actor step on a batch drawn uniformly with replacement from the buffer (which
  /// must not be empty), then the soft updates. Returns the critic loss L_Q before its step.
  double train_step(std::mt19937_64& rng);

  const DdpgActor& actor(int channel = 0) const { return *actors_[static_cast<size_t>(channel)]; }
  const Mlp& critic() const { return critic_; }
  double q_value(const Channels& state, const Channels& action) const;
  /// Re-checks the actor and critic gradients at `samples` transitions drawn from the buffer (not empty).
  GradientCheck check_gradients(std::mt19937_64& rng, int samples) const;

 private:
  DdpgOptions options_;
  std::vector<std::unique_ptr<DdpgActor>> actors_, target_actors_;
  Mlp critic_, target_critic_;
  std::vector<Adam> actor_adams_;
  Adam critic_adam_;
  std::vector<Transition> buffer_;
  long next_slot_ = 0;
  // Workspaces reused by every step.
  mutable MlpWorkspace ws_;
  Eigen::MatrixXd x_, dy_, dx_;
  Eigen::VectorXd critic_grad_;
  std::vector<Eigen::VectorXd> actor_grads_;
  std::vector<long> batch_;
};

enum class BaselineKind { kStableDdpg, kTasrl };
const char* baseline_name(BaselineKind kind);  ///< "stable-ddpg" or "tasrl"

struct BaselineOptions {
  int episodes = 200;
  int steps_per_episode = 30;  ///< an episode also ends once every inverter voltage is inside the band
  std::uint64_t seed = 1;
  DdpgOptions ddpg;
  /// Exploration noise N(0, noise_std^2) / sqrt(episode + 1) on each increment, in action units (MVar on
  /// balanced studies, the study's action_unit_mvar on three-phase ones).
  double noise_std = 0.3;
  double max_step = 0.3;  ///< Stable-DDPG: |q_{t+1} - q_t| <= max_step, action units
  /// Stable-DDPG's training reward, per agent and step: minus the sum over its inverters (phases) outside the band
  /// of reward_move_weight |increment| (action units) + reward_violation_weight violation^2 (pu), on the voltages
  /// before the step. Balanced: 1 and 100 (its single-phase code); three-phase: 1 and 1000 (IEEE_13_3p.py).
  double reward_move_weight = 1.0;
  double reward_violation_weight = 100.0;
  double alpha_train = 0.2;  ///< TASRL: safe-clamp gain while training
  double alpha_eval = 0.5;   ///< TASRL: safe-clamp gain of the evaluation controller
  int hidden = 100;          ///< monotone network width
  /// Held-out evaluation of the current actors (schedule.hpp: every `every` episodes and after the last one;
  /// never by default). Episode e trains on the e-th seed of the training seeds left by the split.
  ValidationOptions validation{0};
  /// Re-check the analytic gradients against central differences at the validation points and after the last
  /// episode (LearningPoint::gradient_check_error for the actor, critic_gradient_check_error).
  bool check_gradients = false;
  /// Throws InputError naming the option and its value when one is out of range.
  void validate() const;
};
/// The reference hyperparameters with an episode budget that trains in about a minute on one core: for the
/// balanced 13-bus feeder, and with a study, for its kind (three-phase: the reference's 13bus3p / 123bus3p
/// settings, max_step and noise 0.5 x 100 kvar, 30 steps per episode on up to 40 inverter phases and 100 with
/// more, actor rate 1e-4 / 5e-5).
BaselineOptions default_stable_ddpg_options();
BaselineOptions default_stable_ddpg_options(const Study& study);
BaselineOptions default_tasrl_options();

/// What a training run produces: enough to rebuild the evaluation controller, plus the learning curve.
struct TrainedBaseline {
  BaselineKind kind = BaselineKind::kStableDdpg;
  MonotoneShape shape;
  std::vector<Eigen::VectorXd> actors;  ///< per inverter (phase), the MonotoneNet parameters [qv; b]
  double max_step = 0.3;                ///< Stable-DDPG, action units
  double action_unit_mvar = 1.0;        ///< Stable-DDPG: MVar per action unit
  double linear_gain = 0.0;             ///< Stable-DDPG: the actor's linear deadband term
  double alpha = 0.5;                   ///< TASRL evaluation gain
  /// The learning curve has one point per episode: training_cost the mean benchmark cost F over its steps,
  /// objective minus the sum of the training rewards, steps and power_flow_failures (a failed power flow ends
  /// the episode without storing the transition).
  TrainingSummary summary;
};

/// Monotone-network shapes of the two baselines for a study's band: Stable-DDPG [vmin + 0.02, vmax - 0.02],
/// breakpoints summing to 0.15; TASRL [vmin + 0.005, vmax - 0.005], breakpoints summing to 0.2.
MonotoneShape stable_ddpg_shape(const Study& study, int hidden = 100);
MonotoneShape tasrl_shape(const Study& study, int hidden = 100);

/// Trains on the study's training seeds (episode e uses the e-th seed after the held-out split). Serial and
/// deterministic for a given options.seed. Throws InputError for options out of range or more episodes than
/// training seeds.
TrainedBaseline train_stable_ddpg(const Study& study, const BaselineOptions& options,
                                  TrainingObserver* observer = nullptr);
TrainedBaseline train_tasrl(const Study& study, const BaselineOptions& options,
                            TrainingObserver* observer = nullptr);

/// The evaluation controller of a trained baseline (Stable-DDPG: kSetpoint; TASRL: kIncrement with its
/// alpha). Throws InputError if the parameters do not fit the study (one network per inverter, 2 H values
/// each).
std::unique_ptr<Controller> make_baseline_controller(const Study& study, const TrainedBaseline& trained);
/// A factory for evaluate(); it keeps its own copy of the parameters.
ControllerFactory baseline_controller_factory(const Study& study, const TrainedBaseline& trained);

}  // namespace vvc::core
