#include "vvc/core/env/environment.hpp"

#include <algorithm>

namespace vvc::core {

Environment::Environment(const Study& study)
    : study_(&study),
      workspace_(study.network),
      injections_(study.network.num_buses()),
      q_next_(study.num_inverters()),
      q_prev_(Eigen::VectorXd::Zero(study.num_inverters())) {
  options_.tolerance = 1e-10;
  options_.compute_flows = false;
  options_.compute_angles = false;
  const int n = study.network.num_buses();
  const int m = study.num_inverters();
  obs_.vm.resize(n);
  obs_.v.resize(n);
  obs_.vm_init.resize(n);
  obs_.q = Eigen::VectorXd::Zero(m);
  obs_.v_inv.resize(m);
  obs_.v_inv_init.resize(m);
}

void Environment::solve_and_observe() {
  const grid::Network& net = study_->network;
  injections_.s_const = scenario_->s_const_at(obs_.t);
  for (int i = 0; i < study_->num_inverters(); ++i) {
    injections_.s_const[study_->inverters[static_cast<size_t>(i)].bus] +=
        Complex(0.0, obs_.q[i] / net.base_mva);
  }
  const auto& res = grid::solve(net, injections_, options_, workspace_);
  last_.power_flow = res.status;
  if (res.converged()) {
    obs_.vm = res.vm;
    obs_.v = res.v;
  } else if (obs_.t > 0) {
    // No operating point exists for the requested setpoints (e.g. beyond voltage collapse): the plant keeps
    // the previous setpoints and voltages, and the step is reported as a power-flow failure.
    obs_.q = q_prev_;
  }
  for (int i = 0; i < study_->num_inverters(); ++i)
    obs_.v_inv[i] = obs_.vm[study_->inverters[static_cast<size_t>(i)].bus];
  double worst = 0.0;
  for (Eigen::Index b = 0; b < obs_.vm.size(); ++b) {
    worst = std::max({worst, study_->vmin_pu - obs_.vm[b], obs_.vm[b] - study_->vmax_pu});
  }
  last_.max_violation = worst;
  last_.in_band = worst <= kBandTolerance;
}

const Observation& Environment::reset(const Scenario& scenario) {
  scenario_ = &scenario;
  injections_.s_current = scenario.base.s_current;
  injections_.s_impedance = scenario.base.s_impedance;
  obs_.t = 0;
  obs_.q.setZero();
  obs_.vm.setOnes();
  // Each episode starts from a flat start, so that an episode's numbers do not depend on which episodes the
  // same worker ran before (results independent of the thread count).
  workspace_.reset_start();
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

const StepResult& Environment::step(const Eigen::VectorXd& action, StepRule rule, double alpha) {
  for (int i = 0; i < study_->num_inverters(); ++i) {
    const Inverter& inv = study_->inverters[static_cast<size_t>(i)];
    const double q = obs_.q[i];
    if (rule == StepRule::kSetpoint) {
      q_next_[i] = std::clamp(action[i], inv.q_min_mvar, inv.q_max_mvar);
    } else {
      q_next_[i] = q + std::clamp(action[i], alpha * (inv.q_min_mvar - q), alpha * (inv.q_max_mvar - q));
    }
  }
  q_prev_ = obs_.q;
  obs_.q = q_next_;
  ++obs_.t;
  solve_and_observe();
  last_.cost = cost(obs_.q, obs_.v_inv);
  return last_;
}

}  // namespace vvc::core
