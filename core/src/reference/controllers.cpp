// Reference controllers (voltage-control-benchmark.md section 4, IEEE Std 1547-2018 clause 5.3.3).
#include <Eigen/Eigenvalues>
#include <algorithm>

#include "vvc/core/env/controller.hpp"

namespace vvc::core {

namespace {

class ZeroController final : public Controller {
 public:
  std::string name() const override { return "zero"; }
  void reset(const Observation&, const Scenario&) override {}
  ActionStatus act(const Observation&, Eigen::VectorXd& action) override {
    action.setZero();
    return ActionStatus::kNominal;
  }
};

// IEEE 1547-2018 Volt-VAR, category B default settings with V_ref = 1 pu: V1 = 0.92, V2 = 0.98, V3 = 1.02,
// V4 = 1.08 pu; Q1 = +44 % and Q4 = -44 % of the inverter's rated apparent power (injection at low voltage,
// absorption at high voltage), zero between V2 and V3, saturated outside [V1, V4]. Without a kVA rating the
// curve spans the inverter's q limits instead. On a three-phase study each action (inverter phase) follows the
// curve on its own phase's line-to-neutral |V|. The curve value is reached through a first-order response,
//   q_{t+1} = q_t + r (Q(v_t) - q_t):
// one quasi-static step is about one open-loop response time constant, and applying the curve at once (r = 1)
// oscillates on stiff feeders. Linearized around an equilibrium on the curves' slopes, the loop is
//   dq_{t+1} = (1 - r) dq_t - r S X dq_t,   S = diag(the curves' slopes, MVar/pu), X = d|V|/dq at the actions,
// stable iff |1 - r (1 + mu)| < 1 for every eigenvalue mu of S X. Balanced studies use r = 0.5. On three-phase
// feeders many inverter phases share one feeder and S X is far larger (IEEE 13 with 29 phases of 300 kvar:
// max |1 + mu| = 7.06, so r = 0.5 diverges into a phase-unbalanced oscillation), so r = min(0.5, 1 / max |1 + mu|)
// with X at the network's own operating point: the fastest response that does not overshoot on the stiffest mode
// (r = 0.142 on ieee13_3p, 0.103 on ieee123_3p).
class VoltVarController final : public Controller {
 public:
  explicit VoltVarController(const Study& study) : study_(&study) {
    std::vector<double> slope;
    for (const auto& inv : study.inverters) {
      const double q1 = inv.s_max_mva > 0.0 ? 0.44 * inv.s_max_mva : inv.q_max_mvar;
      const double q4 = inv.s_max_mva > 0.0 ? -0.44 * inv.s_max_mva : inv.q_min_mvar;
      q1_.push_back(std::clamp(q1, inv.q_min_mvar, inv.q_max_mvar));
      q4_.push_back(std::clamp(q4, inv.q_min_mvar, inv.q_max_mvar));
      slope.push_back(std::max(q1_.back() / (kV2 - kV1), -q4_.back() / (kV4 - kV3)));
    }
    if (study.three_phase()) response_ = stable_response(study, slope);
  }
  std::string name() const override { return "voltvar"; }
  void reset(const Observation&, const Scenario&) override {}
  ActionStatus act(const Observation& obs, Eigen::VectorXd& action) override {
    for (int i = 0; i < study_->num_inverters(); ++i) {
      const double v = obs.v_inv[i];
      const auto k = static_cast<size_t>(i);
      double target = 0.0;
      if (v <= kV1) {
        target = q1_[k];
      } else if (v < kV2) {
        target = q1_[k] * (kV2 - v) / (kV2 - kV1);
      } else if (v <= kV3) {
        target = 0.0;
      } else if (v < kV4) {
        target = q4_[k] * (v - kV3) / (kV4 - kV3);
      } else {
        target = q4_[k];
      }
      action[i] = obs.q[i] + response_ * (target - obs.q[i]);
    }
    return ActionStatus::kNominal;
  }

 private:
  static double stable_response(const Study& study, const std::vector<double>& slope) {
    const Eigen::MatrixXd x = three_phase_sensitivity(study, study.inverter_points()).dvm_dq;
    const Eigen::VectorXd s =
        Eigen::Map<const Eigen::VectorXd>(slope.data(), static_cast<Eigen::Index>(slope.size()));
    const Eigen::MatrixXd loop = s.asDiagonal() * x;
    const Eigen::VectorXcd mu = Eigen::EigenSolver<Eigen::MatrixXd>(loop, false).eigenvalues();
    const double worst = (mu.array() + 1.0).abs().maxCoeff();
    return std::min(kBalancedResponse, 1.0 / worst);
  }

  static constexpr double kV1 = 0.92, kV2 = 0.98, kV3 = 1.02, kV4 = 1.08, kBalancedResponse = 0.5;
  const Study* study_;
  double response_ = kBalancedResponse;
  std::vector<double> q1_, q4_;
};

// Safe gradient flow: u_t = -(c q_t + v_t^2 - 1) (the gradient of F with the linearization d(v^2)/dq ~ I),
// applied through the environment's safe clamp u in [alpha (q_min - q), alpha (q_max - q)].
class GradientFlowController final : public Controller {
 public:
  GradientFlowController(const Study& study, double alpha) : study_(&study), alpha_(alpha) {}
  std::string name() const override { return "gradient-flow"; }
  StepRule rule() const override { return StepRule::kIncrement; }
  double alpha() const override { return alpha_; }
  void reset(const Observation&, const Scenario&) override {}
  ActionStatus act(const Observation& obs, Eigen::VectorXd& action) override {
    for (int i = 0; i < study_->num_inverters(); ++i) {
      action[i] = -(study_->cost_c[i] * obs.q[i] + obs.v_inv[i] * obs.v_inv[i] - 1.0);
    }
    return ActionStatus::kNominal;
  }

 private:
  const Study* study_;
  double alpha_;
};

// Stable-DDPG's LinearPolicy: an incremental droop with a dead band 0.02 pu inside the voltage band,
//   q_t = q_{t-1} - clip(k (max(v - (vmax - 0.02), 0) - max((vmin + 0.02) - v, 0)), -u_max, u_max),
// each action on its own point's |V|; the environment then clips q_t to the limits.
class LinearDroopController final : public Controller {
 public:
  LinearDroopController(const Study& study, const LinearDroopOptions& options)
      : study_(&study), options_(options) {}
  std::string name() const override { return "linear"; }
  void reset(const Observation&, const Scenario&) override {}
  ActionStatus act(const Observation& obs, Eigen::VectorXd& action) override {
    const double high = study_->vmax_pu - options_.dead_band_margin_pu;
    const double low = study_->vmin_pu + options_.dead_band_margin_pu;
    for (int i = 0; i < study_->num_inverters(); ++i) {
      const double v = obs.v_inv[i];
      const double u = options_.gain_mvar_per_pu * (std::max(v - high, 0.0) - std::max(low - v, 0.0));
      action[i] = obs.q[i] - std::clamp(u, -options_.max_step_mvar, options_.max_step_mvar);
    }
    return ActionStatus::kNominal;
  }

 private:
  const Study* study_;
  LinearDroopOptions options_;
};

}  // namespace

std::unique_ptr<Controller> make_linear_droop_controller(const Study& study,
                                                         const LinearDroopOptions& options) {
  return std::make_unique<LinearDroopController>(study, options);
}

std::unique_ptr<Controller> make_zero_controller(const Study&) { return std::make_unique<ZeroController>(); }
std::unique_ptr<Controller> make_voltvar_controller(const Study& study) {
  return std::make_unique<VoltVarController>(study);
}
std::unique_ptr<Controller> make_gradient_flow_controller(const Study& study, double alpha) {
  return std::make_unique<GradientFlowController>(study, alpha);
}

}  // namespace vvc::core
