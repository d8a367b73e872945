#include "vvc/core/env/environment.hpp"

#include <algorithm>
#include <cmath>

namespace vvc::core {

Environment::Environment(const Study& study)
    : study_(&study), q_next_(study.num_inverters()), q_prev_(Eigen::VectorXd::Zero(study.num_inverters())) {
  const int n = study.num_points();
  const int m = study.num_inverters();
  if (study.three_phase()) {
    phase_workspace_ = std::make_unique<grid::ThreePhaseWorkspace>(study.phase_network);
    for (grid::ThreePhaseOptions* o : {&reset_options_, &step_options_}) {
      o->power_flow.tolerance = 1e-10;
      o->voltage_tolerance = 1e-9;
    }
    // Frozen: the reset solves as the script leaves the control mode, the steps hold the taps it found.
    reset_options_.taps =
        study.regulators == RegulatorMode::kControl ? grid::TapMode::kControl : grid::TapMode::kAsNetwork;
    step_options_.taps =
        study.regulators == RegulatorMode::kControl ? grid::TapMode::kControl : grid::TapMode::kFixed;
    obs_.taps = Eigen::VectorXd::Ones(static_cast<Eigen::Index>(study.phase_network.regulators.size()));
    for (const Inverter& inv : study.inverters) sensitivity_elements_.push_back(inv.generator_index);
    for (const VoltagePoint& p : study.points) sensitivity_nodes_.push_back(p.index);
  } else {
    workspace_ = std::make_unique<grid::PowerFlowWorkspace>(study.network);
    injections_ = grid::Injections(study.network.num_buses());
    options_.tolerance = 1e-10;
    options_.compute_flows = false;
    options_.compute_angles = false;
  }
  obs_.vm.resize(n);
  obs_.v.resize(n);
  obs_.vm_init.resize(n);
  obs_.q = Eigen::VectorXd::Zero(m);
  obs_.v_inv.resize(m);
  obs_.v_inv_init.resize(m);
  passed_ = Eigen::VectorXd::Zero(m);
  passed_prev_ = Eigen::VectorXd::Zero(m);
}

Environment::~Environment() = default;
Environment::Environment(Environment&&) noexcept = default;
Environment& Environment::operator=(Environment&&) noexcept = default;

void Environment::solve_balanced() {
  const grid::Network& net = study_->network;
  injections_.s_const = scenario_->s_const_at(obs_.t);
  for (int i = 0; i < study_->num_inverters(); ++i) {
    injections_.s_const[study_->inverters[static_cast<size_t>(i)].bus] +=
        Complex(0.0, obs_.q[i] / net.base_mva);
  }
  const auto& res = grid::solve(net, injections_, options_, *workspace_);
  last_.power_flow = res.status;
  if (res.converged()) {
    obs_.vm = res.vm;
    obs_.v = res.v;
  }
}

void Environment::solve_three_phase() {
  grid::ThreePhaseWorkspace& ws = *phase_workspace_;
  const Eigen::VectorXcd& elements = scenario_->elements_at(obs_.t);
  // Every element at reset and along a time series; else only the actions' elements change.
  if (obs_.t == 0 || !scenario_->element_series.empty()) {
    for (Eigen::Index e = 0; e < elements.size(); ++e) ws.set_injection(static_cast<int>(e), elements[e]);
  }
  for (int i = 0; i < study_->num_inverters(); ++i) {
    const int e = study_->inverters[static_cast<size_t>(i)].generator_index;
    ws.set_injection(e, Complex(elements[e].real(), obs_.q[i]));
  }
  const grid::ThreePhaseResult& r =
      grid::solve(study_->phase_network, obs_.t == 0 ? reset_options_ : step_options_, ws);
  last_.power_flow = r.status;
  if (!r.converged()) return;
  for (int k = 0; k < study_->num_points(); ++k) {
    const VoltagePoint& p = study_->points[static_cast<size_t>(k)];
    obs_.v[k] = r.v[p.index] / p.base_v;
    obs_.vm[k] = std::sqrt(std::norm(obs_.v[k]));  // not std::abs: hypot's overflow care costs 4x here
  }
  for (Eigen::Index k = 0; k < obs_.taps.size(); ++k) obs_.taps[k] = r.regulators[static_cast<size_t>(k)].tap;
  obs_.losses_mw = r.losses.real() / 1e6;
}

void Environment::solve_and_observe() {
  if (study_->three_phase()) {
    solve_three_phase();
  } else {
    solve_balanced();
  }
  if (last_.power_flow != grid::PowerFlowStatus::kConverged && obs_.t > 0) {
    // No operating point exists for the requested setpoints (e.g. beyond voltage collapse): the plant keeps
    // the previous setpoints and voltages, and the step is reported as a power-flow failure.
    obs_.q = q_prev_;
  }
  for (int i = 0; i < study_->num_inverters(); ++i)
    obs_.v_inv[i] = obs_.vm[study_->inverters[static_cast<size_t>(i)].point];
  double worst = 0.0;
  worst_point_ = -1;
  worst_side_ = 0.0;
  for (const int p : study_->monitored) {
    if (study_->vmin_pu - obs_.vm[p] > worst) {
      worst = study_->vmin_pu - obs_.vm[p];
      worst_point_ = p;
      worst_side_ = -1.0;
    }
    if (obs_.vm[p] - study_->vmax_pu > worst) {
      worst = obs_.vm[p] - study_->vmax_pu;
      worst_point_ = p;
      worst_side_ = 1.0;
    }
  }
  last_.max_violation = worst;
  last_.in_band = worst <= kBandTolerance;
}

const Observation& Environment::reset(const Scenario& scenario) {
  scenario_ = &scenario;
  obs_.t = 0;
  obs_.q.setZero();
  passed_.setZero();
  passed_prev_.setZero();
  setpoint_step_ = false;
  obs_.vm.setOnes();
  obs_.v.setOnes();
  // Each episode starts from a flat start (three-phase: the network's taps and powers), so that an episode's
  // numbers do not depend on which episodes the same worker ran before (results independent of the thread
  // count).
  if (study_->three_phase()) {
    phase_workspace_->reset();
  } else {
    injections_.s_current = scenario.base.s_current;
    injections_.s_impedance = scenario.base.s_impedance;
    workspace_->reset_start();
  }
  solve_and_observe();
  reset_ok_ = last_.power_flow == grid::PowerFlowStatus::kConverged;
  obs_.vm_init = obs_.vm;
  obs_.v_inv_init = obs_.v_inv;
  return obs_;
}

double Environment::cost(const Eigen::VectorXd& q, const Eigen::VectorXd& v_inv) const {
  double f = 0.0;
  for (Eigen::Index i = 0; i < q.size(); ++i) {
    f += 0.5 * study_->cost_c[i] * q[i] * q[i] +
         0.5 * q[i] * (v_inv[i] * v_inv[i] + obs_.v_inv_init[i] * obs_.v_inv_init[i] - 2.0);
  }
  return f;
}

double Environment::step_cost() const {
  if (study_->cost_form == CostForm::kF) return cost(obs_.q, obs_.v_inv);
  double moves = 0.0;
  for (Eigen::Index i = 0; i < obs_.q.size(); ++i) moves += std::abs(obs_.q[i] - q_prev_[i]);
  double violation = 0.0;
  for (const int p : study_->monitored) {
    const double above = std::max(obs_.vm[p] - study_->vmax_pu, 0.0);
    const double below = std::max(study_->vmin_pu - obs_.vm[p], 0.0);
    violation += above * above + below * below;
  }
  return study_->action_weight * moves / study_->action_unit_mvar + study_->violation_weight * violation;
}

const StepResult& Environment::step(const Eigen::VectorXd& action, StepRule rule, double alpha) {
  const bool three_phase = study_->three_phase();
  const Eigen::VectorXcd* elements = three_phase ? &scenario_->elements_at(obs_.t + 1) : nullptr;
  passed_prev_.swap(passed_);
  setpoint_step_ = rule == StepRule::kSetpoint;
  for (int i = 0; i < study_->num_inverters(); ++i) {
    const Inverter& inv = study_->inverters[static_cast<size_t>(i)];
    double q_min = inv.q_min_mvar;
    double q_max = inv.q_max_mvar;
    if (three_phase && inv.s_max_mva > 0.0) {
      // The rating bounds |q| by what the active output leaves: sqrt(s_max^2 - p^2).
      const double p = (*elements)[inv.generator_index].real();
      const double room = std::sqrt(std::max(inv.s_max_mva * inv.s_max_mva - p * p, 0.0));
      q_min = std::max(q_min, -room);
      q_max = std::min(q_max, room);
    }
    const double q = obs_.q[i];
    if (rule == StepRule::kSetpoint) {
      q_next_[i] = std::clamp(action[i], q_min, q_max);
      passed_[i] = action[i] >= q_min && action[i] <= q_max ? 1.0 : 0.0;
    } else {
      q_next_[i] =
          q + std::clamp(action[i], std::min(0.0, alpha * (q_min - q)), std::max(0.0, alpha * (q_max - q)));
      passed_[i] = 0.0;
    }
  }
  q_prev_ = obs_.q;
  obs_.q = q_next_;
  ++obs_.t;
  solve_and_observe();
  last_.cost = step_cost();
  return last_;
}

bool Environment::step_gradient(StepGradient& out) {
  if (!study_->three_phase() || !setpoint_step_ || obs_.t == 0 ||
      last_.power_flow != grid::PowerFlowStatus::kConverged) {
    return false;
  }
  if (!grid::voltage_sensitivities(study_->phase_network, *phase_workspace_, sensitivity_elements_,
                                   sensitivity_nodes_, sensitivities_)) {
    return false;
  }
  const Eigen::MatrixXd& s = sensitivities_.dvm_dq;  // points x actions
  const int m = study_->num_inverters();
  out.action.setZero(m);
  out.previous.setZero(m);
  out.violation.setZero(m);
  if (study_->cost_form == CostForm::kF) {
    for (int i = 0; i < m; ++i) {
      const double q = obs_.q[i];
      const double v = obs_.v_inv[i];
      out.action[i] += study_->cost_c[i] * q + 0.5 * (v * v + obs_.v_inv_init[i] * obs_.v_inv_init[i] - 2.0);
      out.action.noalias() += q * v * s.row(study_->inverters[static_cast<size_t>(i)].point).transpose();
    }
  } else {
    const double unit = study_->action_weight / study_->action_unit_mvar;
    for (int i = 0; i < m; ++i) {
      const double move = obs_.q[i] - q_prev_[i];
      const double sign = move > 0.0 ? 1.0 : (move < 0.0 ? -1.0 : 0.0);
      out.action[i] = unit * sign;
      out.previous[i] = -unit * sign * passed_prev_[i];
    }
    for (const int p : study_->monitored) {
      const double above = std::max(obs_.vm[p] - study_->vmax_pu, 0.0);
      const double below = std::max(study_->vmin_pu - obs_.vm[p], 0.0);
      const double d = 2.0 * study_->violation_weight * (above - below);
      if (d != 0.0) out.action.noalias() += d * s.row(p).transpose();
    }
  }
  if (worst_point_ >= 0) out.violation.noalias() += worst_side_ * s.row(worst_point_).transpose();
  out.action.array() *= passed_.array();
  out.violation.array() *= passed_.array();
  return true;
}

void Environment::observation_sensitivities(const std::vector<int>& points, Eigen::MatrixXd& dvm,
                                            Eigen::VectorXd& dq) const {
  const Eigen::MatrixXd& s = sensitivities_.dvm_dq;  // points x actions
  dvm.resize(static_cast<Eigen::Index>(points.size()), s.cols());
  for (size_t k = 0; k < points.size(); ++k) {
    dvm.row(static_cast<Eigen::Index>(k)) = s.row(points[k]).cwiseProduct(passed_.transpose());
  }
  dq = passed_;
}

}  // namespace vvc::core
