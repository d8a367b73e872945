#include "reference/phase_nlp.hpp"

#include <algorithm>
#include <cmath>

#include "vvc/core/qp/ipopt.hpp"

namespace vvc::core::detail {

namespace {

// Added to the Stable-DDPG form's Hessian diagonal, per MVar^2: the L1 variables and the inverters that no violated node-phase
// sees have no curvature, and without it Ipopt's steps run along those directions (steps of several MVar, the
// iteration limit on a third of the low-voltage scenarios). Objective curvatures are 10..1000 per MVar^2.
constexpr double kHessianShift = 1.0;

}  // namespace

PhaseVoltageMap::PhaseVoltageMap(const Study& study, const Scenario& scenario, int step)
    : study_(&study), elements_(&scenario.elements_at(step)), workspace_(study.phase_network) {
  const int m = study.num_inverters();
  points_ = study.monitored;
  for (int i = 0; i < m; ++i) {
    const int p = study.inverters[static_cast<size_t>(i)].point;
    const auto it = std::find(points_.begin(), points_.end(), p);
    inverter_row_.push_back(static_cast<int>(it - points_.begin()));
    if (it == points_.end()) points_.push_back(p);
    inverter_elements_.push_back(study.inverters[static_cast<size_t>(i)].generator_index);
  }
  for (const int p : points_) nodes_.push_back(study.points[static_cast<size_t>(p)].index);
  vm_.resize(num_rows());
  dvm_dq_.resize(num_rows(), m);

  // The reset as the environment solves it: every element as the scenario's step 0 gives it, the actions at
  // q = 0, the taps per the study's regulator mode.
  options_.power_flow.tolerance = 1e-12;
  options_.voltage_tolerance = 1e-11;
  options_.taps =
      study.regulators == RegulatorMode::kControl ? grid::TapMode::kControl : grid::TapMode::kAsNetwork;
  const Eigen::VectorXcd& start = scenario.elements_at(0);
  for (Eigen::Index e = 0; e < start.size(); ++e) workspace_.set_injection(static_cast<int>(e), start[e]);
  for (const int e : inverter_elements_) workspace_.set_injection(e, Complex(start[e].real(), 0.0));
  const grid::ThreePhaseResult& r = grid::solve(study.phase_network, options_, workspace_);
  ok_ = r.converged();
  v_init_.resize(m);
  if (!ok_) return;
  for (int i = 0; i < m; ++i) {
    const VoltagePoint& p = study.points[static_cast<size_t>(study.inverters[static_cast<size_t>(i)].point)];
    v_init_[i] = std::abs(r.v[p.index]) / p.base_v;
  }
  for (Eigen::Index e = 0; e < elements_->size(); ++e)
    workspace_.set_injection(static_cast<int>(e), (*elements_)[e]);
  options_.taps = grid::TapMode::kFixed;
}

bool PhaseVoltageMap::evaluate(const Eigen::VectorXd& q) {
  if (have_ && q == q_cached_) return eval_ok_;
  have_ = true;
  q_cached_ = q;
  eval_ok_ = false;
  if (!ok_) return false;
  for (int i = 0; i < q.size(); ++i) {
    const int e = inverter_elements_[static_cast<size_t>(i)];
    workspace_.set_injection(e, Complex((*elements_)[e].real(), q[i]));
  }
  const grid::ThreePhaseResult& r = grid::solve(study_->phase_network, options_, workspace_);
  if (!r.converged()) return false;
  for (int k = 0; k < num_rows(); ++k) {
    const VoltagePoint& p = study_->points[static_cast<size_t>(points_[static_cast<size_t>(k)])];
    vm_[k] = std::abs(r.v[p.index]) / p.base_v;
  }
  if (!grid::voltage_sensitivities(study_->phase_network, workspace_, inverter_elements_, nodes_,
                                   sensitivities_)) {
    return false;
  }
  dvm_dq_ = sensitivities_.dvm_dq;
  eval_ok_ = true;
  return true;
}

PhaseLimitProblem::PhaseLimitProblem(const Study& study, PhaseVoltageMap& map, bool voltage_band)
    : study_(study),
      map_(map),
      band_(voltage_band),
      m_(study.num_inverters()),
      l1_(study.cost_form == CostForm::kStableDdpg) {
  if (l1_) {
    double held = 0.0;  // sum_{t=1..T} gamma^t
    double g = 1.0;
    for (int t = 1; t <= study.steps; ++t) {
      g *= study.discount;
      held += g;
    }
    move_weight_ = study.discount * study.action_weight / study.action_unit_mvar;
    violation_weight_ = study.violation_weight * held;
  }
}

int PhaseLimitProblem::num_variables() const { return l1_ ? 2 * m_ : m_; }

int PhaseLimitProblem::num_constraints() const {
  return (band_ ? map_.num_monitored() : 0) + (l1_ ? 2 * m_ : 0);
}

bool PhaseLimitProblem::evaluate(const Eigen::VectorXd& x) {
  q_ = x.head(m_);
  return map_.evaluate(q_);
}

double PhaseLimitProblem::objective(const Eigen::VectorXd& x) {
  if (!evaluate(x)) return 1e20;
  const Eigen::VectorXd& v = map_.vm();
  double f = 0.0;
  if (!l1_) {
    for (int i = 0; i < m_; ++i) {
      const double vi = v[map_.inverter_row(i)];
      const double v0 = map_.v_init()[i];
      f += 0.5 * study_.cost_c[i] * q_[i] * q_[i] + 0.5 * q_[i] * (vi * vi + v0 * v0 - 2.0);
    }
    return f;
  }
  f = move_weight_ * x.tail(m_).sum();
  for (int k = 0; k < map_.num_monitored(); ++k) {
    const double viol = std::max(v[k] - study_.vmax_pu, 0.0) + std::max(study_.vmin_pu - v[k], 0.0);
    f += violation_weight_ * viol * viol;
  }
  return f;
}

void PhaseLimitProblem::gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) {
  g.setZero(x.size());
  if (!evaluate(x)) return;
  const Eigen::VectorXd& v = map_.vm();
  const Eigen::MatrixXd& dv = map_.dvm_dq();
  if (!l1_) {
    for (int i = 0; i < m_; ++i) {
      const int row = map_.inverter_row(i);
      const double v0 = map_.v_init()[i];
      g[i] += study_.cost_c[i] * q_[i] + 0.5 * (v[row] * v[row] + v0 * v0 - 2.0);
      g.head(m_) += q_[i] * v[row] * dv.row(row).transpose();
    }
    return;
  }
  g.tail(m_).setConstant(move_weight_);
  for (int k = 0; k < map_.num_monitored(); ++k) {
    const double signed_viol = std::max(v[k] - study_.vmax_pu, 0.0) - std::max(study_.vmin_pu - v[k], 0.0);
    if (signed_viol != 0.0) g.head(m_) += 2.0 * violation_weight_ * signed_viol * dv.row(k).transpose();
  }
}

void PhaseLimitProblem::constraints(const Eigen::VectorXd& x, Eigen::VectorXd& g) {
  int row = 0;
  if (band_) {
    if (evaluate(x)) {
      g.head(map_.num_monitored()) = map_.vm().head(map_.num_monitored());
    } else {
      g.head(map_.num_monitored()).setConstant(1e20);
    }
    row = map_.num_monitored();
  }
  if (l1_) {
    g.segment(row, m_) = x.tail(m_) - x.head(m_);
    g.segment(row + m_, m_) = x.tail(m_) + x.head(m_);
  }
}

void PhaseLimitProblem::jacobian(const Eigen::VectorXd& x, Eigen::VectorXd& values) {
  const int n = num_variables();
  values.setZero();
  int row = 0;
  if (band_) {
    if (evaluate(x)) {
      for (int k = 0; k < map_.num_monitored(); ++k) {
        for (int c = 0; c < m_; ++c) values[k * n + c] = map_.dvm_dq()(k, c);
      }
    }
    row = map_.num_monitored();
  }
  if (l1_) {
    for (int i = 0; i < m_; ++i) {
      values[(row + i) * n + i] = -1.0;
      values[(row + i) * n + m_ + i] = 1.0;
      values[(row + m_ + i) * n + i] = 1.0;
      values[(row + m_ + i) * n + m_ + i] = 1.0;
    }
  }
}

void PhaseLimitProblem::hessian(const Eigen::VectorXd& x, double obj_factor, Eigen::VectorXd& values) {
  const int n = num_variables();
  Eigen::MatrixXd h = Eigen::MatrixXd::Zero(n, n);
  if (evaluate(x)) {
    const Eigen::VectorXd& v = map_.vm();
    const Eigen::MatrixXd& dv = map_.dvm_dq();
    if (!l1_) {
      auto hq = h.topLeftCorner(m_, m_);
      for (int i = 0; i < m_; ++i) {
        const auto row = dv.row(map_.inverter_row(i));
        hq(i, i) += study_.cost_c[i];
        hq.row(i) += v[map_.inverter_row(i)] * row;
        hq.col(i) += v[map_.inverter_row(i)] * row.transpose();
        hq += q_[i] * row.transpose() * row;
      }
    } else {
      for (int k = 0; k < map_.num_monitored(); ++k) {
        if (v[k] > study_.vmax_pu || v[k] < study_.vmin_pu) {
          h.topLeftCorner(m_, m_) += 2.0 * violation_weight_ * dv.row(k).transpose() * dv.row(k);
        }
      }
    }
  }
  if (l1_) h.diagonal().array() += kHessianShift;
  int k = 0;
  for (int r = 0; r < n; ++r) {
    for (int c = 0; c <= r; ++c) values[k++] = obj_factor * h(r, c);
  }
}

LimitSolution solve_phase_limit(const Study& study, const Scenario& scenario, bool voltage_band, int step) {
  const int m = study.num_inverters();
  LimitSolution out;
  out.q = Eigen::VectorXd::Zero(m);
  PhaseVoltageMap map(study, scenario, step);
  if (!map.ok()) {
    out.status = LimitStatus::kStartNotConverged;
    return out;
  }
  PhaseLimitProblem problem(study, map, voltage_band);
  const bool l1 = study.cost_form == CostForm::kStableDdpg;
  NlpProblem nlp;
  nlp.n = problem.num_variables();
  nlp.m = problem.num_constraints();
  nlp.x_lower.resize(nlp.n);
  nlp.x_upper.resize(nlp.n);
  nlp.x_lower.head(m) = study.q_min();
  nlp.x_upper.head(m) = study.q_max();
  if (l1) {
    nlp.x_lower.tail(m).setZero();
    nlp.x_upper.tail(m) = study.q_min().cwiseAbs().cwiseMax(study.q_max().cwiseAbs());
  }
  nlp.g_lower.resize(nlp.m);
  nlp.g_upper.resize(nlp.m);
  const int band_rows = voltage_band ? map.num_monitored() : 0;
  nlp.g_lower.head(band_rows).setConstant(study.vmin_pu);
  nlp.g_upper.head(band_rows).setConstant(study.vmax_pu);
  nlp.g_lower.tail(nlp.m - band_rows).setZero();
  nlp.g_upper.tail(nlp.m - band_rows).setConstant(kInfinity);
  nlp.x0 = Eigen::VectorXd::Zero(nlp.n).cwiseMax(nlp.x_lower).cwiseMin(nlp.x_upper);
  nlp.objective = [&](const Eigen::VectorXd& x) { return problem.objective(x); };
  nlp.gradient = [&](const Eigen::VectorXd& x, Eigen::VectorXd& g) { problem.gradient(x, g); };
  nlp.hessian = [&](const Eigen::VectorXd& x, double obj_factor, const Eigen::VectorXd&,
                    Eigen::VectorXd& values) { problem.hessian(x, obj_factor, values); };
  if (nlp.m > 0) {
    nlp.constraints = [&](const Eigen::VectorXd& x, Eigen::VectorXd& g) { problem.constraints(x, g); };
    nlp.jacobian = [&](const Eigen::VectorXd& x, Eigen::VectorXd& values) { problem.jacobian(x, values); };
  }
  IpoptOptions options;
  options.tolerance = 1e-10;
  options.max_iterations = 500;
  const NlpResult res = solve_nlp(nlp, options);
  out.ipopt_status = res.status.raw;
  out.status = res.status.status == QpStatus::kOptimal      ? LimitStatus::kSolved
               : res.status.status == QpStatus::kInfeasible ? LimitStatus::kInfeasible
                                                            : LimitStatus::kNotSolved;
  if (out.solved()) {
    out.q = res.x.head(m);
    out.cost = res.objective;
  }
  return out;
}

}  // namespace vvc::core::detail
