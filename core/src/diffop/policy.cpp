// DiffOP policy problem: parameters -> QP data, and the chain rule back (equations in diffop.hpp and
// docs/algorithms/diffop.md). The QP solution's sensitivity comes from the KKT system (kkt_sensitivity.hpp).
#include "vvc/core/diffop/policy.hpp"

#include <cmath>
#include <sstream>

#include "vvc/common/errors.hpp"
#include "vvc/core/qp/ipopt.hpp"
#include "vvc/grid/powerflow/lindistflow.hpp"

namespace vvc::core {

std::string to_string(DiffOpMode mode) { return mode == DiffOpMode::kStep ? "step" : "traj"; }

std::string to_string(DiffOpObjective objective) { return objective == DiffOpObjective::kF ? "F" : "moves"; }

DiffOpMode parse_diffop_mode(const std::string& text) {
  if (text == "step") return DiffOpMode::kStep;
  if (text == "traj") return DiffOpMode::kTraj;
  throw InputError("mode: expected \"step\" or \"traj\", got '" + text + "'");
}

DiffOpModel::DiffOpModel(const Study& study, const DiffOpStructure& structure)
    : study_(&study), structure_(structure), m_(study.num_inverters()) {
  if (structure.horizon < 1) throw InputError("horizon: expected an integer >= 1");
  if (study.three_phase()) {
    // The monitored node-phases and each action's own point.
    std::vector<char> modelled(static_cast<size_t>(study.num_points()), 0);
    for (int p : study.monitored) modelled[static_cast<size_t>(p)] = 1;
    for (const auto& inv : study.inverters) modelled[static_cast<size_t>(inv.point)] = 1;
    for (int p = 0; p < study.num_points(); ++p) {
      if (modelled[static_cast<size_t>(p)]) observed_.push_back(p);
    }
  } else {
    for (int b = 0; b < study.network.num_buses(); ++b) {
      if (b != study.network.slack.bus) observed_.push_back(b);
    }
  }
  nobs_ = static_cast<int>(observed_.size());
  for (const auto& inv : study.inverters) {
    int row = -1;
    for (int r = 0; r < nobs_; ++r) {
      if (observed_[static_cast<size_t>(r)] == inv.point) row = r;
    }
    if (row < 0)
      throw InputError(study.path.string() + ": inverter '" + inv.generator + "' sits on the slack bus");
    inv_row_.push_back(row);
  }
  for (int r = 0; r < nobs_; ++r) {
    bool inverter_row = false;
    for (int ir : inv_row_) inverter_row = inverter_row || ir == r;
    if (!inverter_row || moves_objective()) other_rows_.push_back(r);
  }
  std::vector<char> monitored(static_cast<size_t>(study.num_points()), 0);
  for (int p : study.monitored) monitored[static_cast<size_t>(p)] = 1;
  for (int p : observed_) limited_.push_back(monitored[static_cast<size_t>(p)] != 0);
  num_l_ = moves_objective() ? 0 : m_ * (m_ + 1) / 2;
  num_w_ = static_cast<int>(other_rows_.size()) * m_;
  if (study.three_phase()) {
    // d(|V|^2)/dq = 2 |V| d|V|/dq at the network's own operating point.
    const ThreePhaseSensitivity s = three_phase_sensitivity(study, observed_);
    ldf_ = (2.0 * s.vm).asDiagonal() * s.dvm_dq;
  } else {
    ldf_ = grid::lindistflow_sensitivity(study.network, observed_, study.inverter_buses()).dv2_dq;
  }
}

std::vector<ParameterBlock> DiffOpModel::parameter_layout() const {
  const auto number = [](double x) {
    std::ostringstream s;
    s << x;
    return s.str();
  };
  const std::vector<std::pair<std::string, std::string>> blocks = {
      {"lambda_a",
       "inverter rows of the voltage model: Cholesky factor L (row-major lower triangle), X_ii = (" +
           number(kScaleL) + " L)(" + number(kScaleL) + " L)' + " + number(kEpsilon) + " I"},
      {"omega_a", moves_objective()
                      ? "the voltage model (modelled rows x inverters, row-major), X = exp(g_a + phi g_b) " +
                            number(kScaleW) + " omega"
                      : "the other modelled rows of the voltage model (rows x inverters, row-major), X = " +
                            number(kScaleW) + " omega"},
      {"lambda_b", "as lambda_a, multiplied by the operating-point feature phi = mean(v_init^2) - 1"},
      {"omega_b", "as omega_a, multiplied by phi"},
      {"a", "log cost-weight factors: C = diag(c exp(a))"},
      {"b", "log move penalties: D = diag(exp(b))"},
      {"backoff_lower_a", "back-off of the lower voltage limit per modelled row, pu^2: vmin^2 + " +
                              number(kScaleD) + " kappa <= model"},
      {"backoff_upper_a", "back-off of the upper voltage limit per modelled row, pu^2: model <= vmax^2 - " +
                              number(kScaleD) + " kappa"},
      {"backoff_lower_b", "as backoff_lower_a, multiplied by phi"},
      {"backoff_upper_b", "as backoff_upper_a, multiplied by phi"},
      {"move_abs", "log factors of the absolute move weights: mu = " + number(move_weight()) +
                       " exp(e) per MVar, cost mu' |q_k - q_(k-1)|"},
      {"model_scale",
       "log scale of the voltage model (g_a, g_b): X = exp(g_a + phi g_b) " + number(kScaleW) + " omega"}};
  const int sizes[] = {num_l_, num_w_, num_l_, num_w_, m_, m_, nobs_, nobs_, nobs_, nobs_, m_, 2};
  std::vector<ParameterBlock> out;
  int offset = 0;
  for (size_t k = 0; k < blocks.size(); ++k) {
    if (k >= 6 && k < 10 && !structure_.backoff) continue;
    if (k == 10 && !structure_.absolute_move) continue;
    if (k == 11 && !moves_objective()) continue;
    out.push_back({blocks[k].first, offset, sizes[k], blocks[k].second});
    offset += sizes[k];
  }
  return out;
}

bool DiffOpModel::plans_at(int t) const {
  if (structure_.mode == DiffOpMode::kStep) return true;
  return t == 0 || (structure_.replan > 0 && t % structure_.replan == 0);
}

int DiffOpModel::plan_stage(int t) const {
  if (structure_.mode == DiffOpMode::kStep) return 0;
  return std::min(structure_.replan > 0 ? t % structure_.replan : t, structure_.horizon - 1);
}

double DiffOpModel::model_scale(const Eigen::VectorXd& theta, double phi) const {
  return moves_objective() ? std::exp(theta[scale_offset()] + phi * theta[scale_offset() + 1]) : 1.0;
}

double DiffOpModel::move_weight() const { return study_->action_weight / study_->action_unit_mvar; }

double DiffOpModel::stage_weight(int k) const {
  const double g = structure_.discount;
  const double w = std::pow(g, k - 1);
  if (structure_.mode == DiffOpMode::kTraj && k == structure_.horizon) {
    const int tail = std::max(1, structure_.episode_steps - structure_.horizon + 1);
    return g == 1.0 ? w * tail : w * (1.0 - std::pow(g, tail)) / (1.0 - g);
  }
  return w;
}

Eigen::VectorXd DiffOpModel::initial_parameters() const {
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(num_parameters());
  const Eigen::MatrixXd x0 = 2.0 * ldf_;
  int idx = 0;
  if (!moves_objective()) write_cholesky_start(x0, theta, idx);
  for (int r : other_rows_) {
    for (int j = 0; j < m_; ++j) theta[idx++] = x0(r, j) / kScaleW;
  }
  idx += num_l_ + num_w_;                           // lambda_b, omega_b = 0: no phi dependence
  for (int i = 0; i < m_; ++i) theta[idx++] = 0.0;  // a: C = diag(c exp(a))
  const double d0 = moves_objective() ? move_weight() / study_->action_unit_mvar : 0.01;
  for (int i = 0; i < m_; ++i) theta[idx++] = std::log(d0);  // b: D = diag(exp(b))
  return theta;  // back-off = 0: the band itself; move_abs = 0: mu = mu0; model_scale = 0: 1
}

void DiffOpModel::write_cholesky_start(const Eigen::MatrixXd& x0, Eigen::VectorXd& theta, int& idx) const {
  Eigen::MatrixXd xii(m_, m_);
  for (int i = 0; i < m_; ++i) xii.row(i) = x0.row(inv_row_[static_cast<size_t>(i)]);
  Eigen::MatrixXd sym = 0.5 * (xii + xii.transpose()) - kEpsilon * Eigen::MatrixXd::Identity(m_, m_);
  Eigen::LLT<Eigen::MatrixXd> llt(sym);
  if (llt.info() != Eigen::Success) {
    // Phases coupled through the network need not give a positive definite block (three-phase): start from its
    // nearest positive definite matrix, the eigenvalues raised to 1 % of the largest.
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(sym);
    const double floor = 0.01 * std::max(eig.eigenvalues().maxCoeff(), kEpsilon);
    sym =
        eig.eigenvectors() * eig.eigenvalues().cwiseMax(floor).asDiagonal() * eig.eigenvectors().transpose();
    llt.compute(sym);
  }
  const Eigen::MatrixXd l = llt.matrixL();
  for (int i = 0; i < m_; ++i) {
    for (int j = 0; j <= i; ++j) theta[idx++] = l(i, j) / kScaleL;
  }
}

void DiffOpModel::unpack(const Eigen::VectorXd& theta, double phi, Eigen::MatrixXd& x, Eigen::MatrixXd& l,
                         Eigen::MatrixXd& xii) const {
  VVC_ASSERT(theta.size() == num_parameters());
  // Layout: [lambda_a, omega_a, lambda_b, omega_b, a, b]; block _b multiplies phi. kMoves: no lambda.
  const int block = num_l_ + num_w_;
  x.resize(nobs_, m_);
  int idx = 0;
  if (!moves_objective()) {
    l.setZero(m_, m_);
    for (int i = 0; i < m_; ++i) {
      for (int j = 0; j <= i; ++j, ++idx) l(i, j) = kScaleL * (theta[idx] + phi * theta[block + idx]);
    }
    xii.noalias() = l * l.transpose();
    xii.diagonal().array() += kEpsilon;
    for (int i = 0; i < m_; ++i) x.row(inv_row_[static_cast<size_t>(i)]) = xii.row(i);
  }
  const double scale = model_scale(theta, phi) * kScaleW;
  for (int r : other_rows_) {
    for (int j = 0; j < m_; ++j, ++idx) x(r, j) = scale * (theta[idx] + phi * theta[block + idx]);
  }
}

Eigen::MatrixXd DiffOpModel::voltage_model(const Eigen::VectorXd& theta, double phi) const {
  Eigen::MatrixXd x, l, xii;
  unpack(theta, phi, x, l, xii);
  return x;
}

Eigen::MatrixXd DiffOpModel::band_backoff(const Eigen::VectorXd& theta, double phi) const {
  Eigen::MatrixXd d;
  write_band_backoff(theta, phi, d);
  return d;
}

void DiffOpModel::write_band_backoff(const Eigen::VectorXd& theta, double phi, Eigen::MatrixXd& d) const {
  VVC_ASSERT(theta.size() == num_parameters());
  d.setZero(nobs_, 2);
  if (!structure_.backoff) return;
  const int o = backoff_offset();
  for (int side = 0; side < 2; ++side) {
    d.col(side) = kScaleD * (theta.segment(o + side * nobs_, nobs_) +
                             phi * theta.segment(o + (2 + side) * nobs_, nobs_));
  }
  // Three-phase: the back-off only tightens the band, at least by min_backoff, so that a fixed point of the policy
  // is in band.
  if (study_->three_phase()) d = d.cwiseMax(structure_.min_backoff);
}

void DiffOpModel::observe(const Observation& obs, State& state) const {
  state.q0 = obs.q;
  state.y0.resize(nobs_);
  for (int r = 0; r < nobs_; ++r) {
    const double v = obs.vm[observed_[static_cast<size_t>(r)]];
    state.y0[r] = v * v;
  }
  state.y_init = obs.v_inv_init.array().square();
  state.phi = state.y_init.mean() - 1.0;
}

void DiffOpModel::observe_tangent(const Observation& obs, const Eigen::MatrixXd& dvm,
                                  Eigen::Ref<Eigen::MatrixXd> dy0) const {
  for (int r = 0; r < nobs_; ++r) dy0.row(r) = 2.0 * obs.vm[observed_[static_cast<size_t>(r)]] * dvm.row(r);
}

void DiffOpModel::build(const Eigen::VectorXd& theta, const State& s, QpProblem& qp, Workspace& ws) const {
  const int h = structure_.horizon;
  const int n = num_qp_variables();
  const int rows = num_qp_rows();
  unpack(theta, s.phi, ws.x, ws.l, ws.xii);
  const Eigen::MatrixXd& x = ws.x;
  const auto a = theta.segment(2 * (num_l_ + num_w_), m_);
  const auto b = theta.segment(2 * (num_l_ + num_w_) + m_, m_);
  qp.P.setZero(n, n);
  qp.c.resize(n);
  qp.G.setZero(rows, n);
  qp.lower.resize(rows);
  qp.upper.resize(rows);
  qp.lb.resize(n);
  qp.ub.resize(n);
  // F's voltage term: 1/2 q' (y0_inv + X_ii (q - q_0) + y_init - 2); none with kMoves.
  ws.xq0.noalias() = x * s.q0;
  ws.lin.setZero(m_);
  if (!moves_objective()) {
    ws.y0_inv.resize(m_);
    for (int i = 0; i < m_; ++i) ws.y0_inv[i] = s.y0[inv_row_[static_cast<size_t>(i)]];
    ws.xii_q0.noalias() = ws.xii * s.q0;
    ws.lin = 0.5 * (ws.y0_inv - ws.xii_q0 + s.y_init - Eigen::VectorXd::Constant(m_, 2.0));
  }
  write_band_backoff(theta, s.phi, ws.backoff);
  ws.lower = (study_->vmin_pu * study_->vmin_pu + ws.backoff.col(0).array()).matrix() - s.y0 + ws.xq0;
  ws.upper = (study_->vmax_pu * study_->vmax_pu - ws.backoff.col(1).array()).matrix() - s.y0 + ws.xq0;
  for (int k = 1; k <= h; ++k) {
    const int o = m_ * (k - 1);
    const double w = stage_weight(k);
    auto pkk = qp.P.block(o, o, m_, m_);
    if (!moves_objective()) pkk += w * ws.xii;
    for (int i = 0; i < m_; ++i) {
      pkk(i, i) += w * (study_->cost_c[i] * std::exp(a[i]) + std::exp(b[i]));
      qp.lb[o + i] = study_->inverters[static_cast<size_t>(i)].q_min_mvar;
      qp.ub[o + i] = study_->inverters[static_cast<size_t>(i)].q_max_mvar;
    }
    qp.c.segment(o, m_) = w * ws.lin;
    if (k == 1) {
      for (int i = 0; i < m_; ++i) qp.c[i] -= w * std::exp(b[i]) * s.q0[i];
    } else {
      for (int i = 0; i < m_; ++i) {
        const double d = w * std::exp(b[i]);
        qp.P(o - m_ + i, o - m_ + i) += d;
        qp.P(o + i, o - m_ + i) -= d;
        qp.P(o - m_ + i, o + i) -= d;
      }
    }
    const int ro = nobs_ * (k - 1);
    qp.G.block(ro, o, nobs_, m_) = x;
    for (int r = 0; r < nobs_; ++r) {
      // A modelled point outside the monitored set (an action's own point) carries no voltage limit.
      const bool limited = limited_[static_cast<size_t>(r)];
      qp.lower[ro + r] = limited ? ws.lower[r] : -kInfinity;
      qp.upper[ro + r] = limited ? ws.upper[r] : kInfinity;
    }
  }
  if (!structure_.absolute_move) return;
  // Slacks s_k (variables m H + m (k-1) + i) with rows s_k - q_k + q_(k-1) >= 0 and s_k + q_k - q_(k-1) >= 0;
  // q_0 is data.
  const int sv = m_ * h;
  const int mr = nobs_ * h;
  const double mu0 = move_weight();
  for (int k = 1; k <= h; ++k) {
    const double w = stage_weight(k);
    for (int i = 0; i < m_; ++i) {
      const int j = sv + m_ * (k - 1) + i;
      const int q = m_ * (k - 1) + i;
      qp.P(j, j) = w * kMoveSlackWeight;
      qp.c[j] = w * mu0 * std::exp(theta[move_offset() + i]);
      qp.lb[j] = -kInfinity;
      qp.ub[j] = kInfinity;
      const int r = mr + 2 * (m_ * (k - 1) + i);
      qp.G(r, j) = 1.0;
      qp.G(r, q) = -1.0;
      qp.G(r + 1, j) = 1.0;
      qp.G(r + 1, q) = 1.0;
      if (k > 1) {
        qp.G(r, q - m_) = 1.0;
        qp.G(r + 1, q - m_) = -1.0;
      }
      qp.lower[r] = k == 1 ? -s.q0[i] : 0.0;
      qp.lower[r + 1] = k == 1 ? s.q0[i] : 0.0;
      qp.upper[r] = kInfinity;
      qp.upper[r + 1] = kInfinity;
    }
  }
}

void DiffOpModel::chain(const Eigen::VectorXd& theta, const State& s, const QpDataTangent& g,
                        Eigen::VectorXd& dtheta, Workspace& ws) const {
  const int h = structure_.horizon;
  unpack(theta, s.phi, ws.x, ws.l, ws.xii);
  const Eigen::MatrixXd& x = ws.x;
  const int block = num_l_ + num_w_;
  const auto a = theta.segment(2 * block, m_);
  const auto b = theta.segment(2 * block + m_, m_);
  Eigen::MatrixXd& dx = ws.dx;  // dL/dX (all rows)
  dx.setZero(nobs_, m_);
  Eigen::MatrixXd& dxii = ws.dxii;  // dL/dX_ii from the objective (kF)
  if (!moves_objective()) dxii.setZero(m_, m_);
  Eigen::VectorXd& da = ws.da;
  Eigen::VectorXd& db = ws.db;
  Eigen::VectorXd& dlower = ws.dlower;  // summed over the stages
  Eigen::VectorXd& dupper = ws.dupper;
  da.setZero(m_);
  db.setZero(m_);
  dlower.setZero(nobs_);
  dupper.setZero(nobs_);
  for (int k = 1; k <= h; ++k) {
    const int o = m_ * (k - 1);
    const double w = stage_weight(k);
    const auto gpkk = g.dP.block(o, o, m_, m_);
    if (!moves_objective()) {
      dxii += w * gpkk;
      for (int j = 0; j < m_; ++j) dxii.col(j) -= s.q0[j] * (0.5 * w * g.dc.segment(o, m_));
    }
    for (int i = 0; i < m_; ++i) {
      da[i] += w * gpkk(i, i) * study_->cost_c[i] * std::exp(a[i]);
      db[i] += w * gpkk(i, i) * std::exp(b[i]);
      if (k == 1) {
        db[i] -= w * g.dc[i] * s.q0[i] * std::exp(b[i]);
      } else {
        db[i] += w * std::exp(b[i]) *
                 (g.dP(o - m_ + i, o - m_ + i) - g.dP(o + i, o - m_ + i) - g.dP(o - m_ + i, o + i));
      }
    }
    const int ro = nobs_ * (k - 1);
    dx += g.dG.block(ro, o, nobs_, m_);
    for (int j = 0; j < m_; ++j) {
      dx.col(j) += s.q0[j] * (g.dlower.segment(ro, nobs_) + g.dupper.segment(ro, nobs_));
    }
    dlower += g.dlower.segment(ro, nobs_);
    dupper += g.dupper.segment(ro, nobs_);
  }
  int idx = 0;
  if (!moves_objective()) {
    for (int i = 0; i < m_; ++i) dxii.row(i) += dx.row(inv_row_[static_cast<size_t>(i)]);
    // X_ii = L L' + eps I with L = kScaleL (lambda_a + phi lambda_b): dL/dL = (G + G') L, lower triangle.
    ws.dxii_sym = dxii + dxii.transpose();
    ws.dl.noalias() = ws.dxii_sym * ws.l;
    const Eigen::MatrixXd& dl = ws.dl;
    for (int i = 0; i < m_; ++i) {
      for (int j = 0; j <= i; ++j, ++idx) {
        dtheta[idx] += kScaleL * dl(i, j);
        dtheta[block + idx] += s.phi * kScaleL * dl(i, j);
      }
    }
  }
  const double scale = model_scale(theta, s.phi) * kScaleW;
  for (int r : other_rows_) {
    for (int j = 0; j < m_; ++j, ++idx) {
      dtheta[idx] += scale * dx(r, j);
      dtheta[block + idx] += s.phi * scale * dx(r, j);
    }
  }
  if (moves_objective()) {
    // X = exp(g_a + phi g_b) X~: dL/dg_a = sum G .* X.
    const double dg = (dx.array() * x.array()).sum();
    dtheta[scale_offset()] += dg;
    dtheta[scale_offset() + 1] += s.phi * dg;
  }
  dtheta.segment(2 * block, m_) += da;
  dtheta.segment(2 * block + m_, m_) += db;
  if (structure_.backoff) {
    // lower = vmin^2 + kScaleD (kappa_lo_a + phi kappa_lo_b) - ..., upper = vmax^2 - kScaleD (kappa_hi_a + ...).
    const int o = backoff_offset();
    if (study_->three_phase()) {
      // A back-off held at its floor does not move with its parameters.
      for (int r = 0; r < nobs_; ++r) {
        const double floor = structure_.min_backoff / kScaleD;
        if (theta[o + r] + s.phi * theta[o + 2 * nobs_ + r] < floor) dlower[r] = 0.0;
        if (theta[o + nobs_ + r] + s.phi * theta[o + 3 * nobs_ + r] < floor) dupper[r] = 0.0;
      }
    }
    dtheta.segment(o, nobs_) += kScaleD * dlower;
    dtheta.segment(o + nobs_, nobs_) -= kScaleD * dupper;
    dtheta.segment(o + 2 * nobs_, nobs_) += s.phi * kScaleD * dlower;
    dtheta.segment(o + 3 * nobs_, nobs_) -= s.phi * kScaleD * dupper;
  }
  if (structure_.absolute_move) {
    const double mu0 = move_weight();
    for (int k = 1; k <= h; ++k) {
      const double w = stage_weight(k);
      for (int i = 0; i < m_; ++i) {
        dtheta[move_offset() + i] +=
            w * mu0 * std::exp(theta[move_offset() + i]) * g.dc[m_ * h + m_ * (k - 1) + i];
      }
    }
  }
}

void DiffOpModel::chain_state(const Eigen::VectorXd& theta, const State& s, const QpDataTangent& g,
                              StateGradient& out, Workspace& ws) const {
  const int h = structure_.horizon;
  unpack(theta, s.phi, ws.x, ws.l, ws.xii);
  const auto b = theta.segment(2 * (num_l_ + num_w_) + m_, m_);
  Eigen::VectorXd& e = ws.dlimits;
  e.setZero(nobs_);
  out.y0.setZero(nobs_);
  out.q0.setZero(m_);
  for (int k = 1; k <= h; ++k) {
    const int o = m_ * (k - 1);
    const int ro = nobs_ * (k - 1);
    for (int r = 0; r < nobs_; ++r) {
      if (limited_[static_cast<size_t>(r)]) e[r] += g.dlower[ro + r] + g.dupper[ro + r];
    }
    if (!moves_objective()) {
      const double half_w = 0.5 * stage_weight(k);
      for (int i = 0; i < m_; ++i) out.y0[inv_row_[static_cast<size_t>(i)]] += half_w * g.dc[o + i];
      out.q0.noalias() -= half_w * ws.xii.transpose() * g.dc.segment(o, m_);
    }
  }
  out.y0 -= e;
  out.q0.noalias() += ws.x.transpose() * e;
  const double w1 = stage_weight(1);
  for (int i = 0; i < m_; ++i) out.q0[i] -= w1 * std::exp(b[i]) * g.dc[i];
  if (structure_.absolute_move) {
    const int mr = nobs_ * h;
    for (int i = 0; i < m_; ++i) out.q0[i] += g.dlower[mr + 2 * i + 1] - g.dlower[mr + 2 * i];
  }
}

const char* to_string(PolicySolveStatus status) {
  switch (status) {
    case PolicySolveStatus::kOptimal:
      return "optimal";
    case PolicySolveStatus::kFallback:
      return "fallback";
    case PolicySolveStatus::kFailed:
      return "failed";
  }
  return "unknown";
}

std::string to_string(QpBackend backend) { return backend == QpBackend::kDense ? "dense" : "ipopt"; }

QpBackend parse_qp_backend(const std::string& text) {
  if (text == "dense") return QpBackend::kDense;
  if (text == "ipopt") return QpBackend::kIpopt;
  throw InputError("QP backend: expected \"dense\" or \"ipopt\", got '" + text + "'");
}

DiffOpSolver::~DiffOpSolver() = default;
DiffOpSolver::DiffOpSolver(DiffOpSolver&&) noexcept = default;
DiffOpSolver& DiffOpSolver::operator=(DiffOpSolver&&) noexcept = default;

DiffOpSolver::DiffOpSolver(const DiffOpModel& model, QpBackend backend)
    : model_(&model),
      backend_(backend),
      ipopt_(backend == QpBackend::kIpopt ? std::make_unique<IpoptQpSolver>() : nullptr),
      workspace_(model.num_qp_variables(), model.num_qp_rows()),
      plan_(Eigen::VectorXd::Zero(model.num_inverters() * model.structure().horizon)) {}

void DiffOpSolver::reset() {
  workspace_ = DenseQpWorkspace(model_->num_qp_variables(), model_->num_qp_rows());
  plan_.setZero();
}

PolicySolveStatus DiffOpSolver::solve(const Eigen::VectorXd& theta, const DiffOpModel::State& state) {
  model_->build(theta, state, qp_, model_workspace_);
  ++stats_.solves;
  factorized_ = false;
  if (backend_ == QpBackend::kIpopt) {
    if (solve_ipopt()) {
      plan_ = solution_.x.head(plan_.size());
      return status_ = PolicySolveStatus::kOptimal;
    }
  } else {
    DenseQpOptions options;
    options.warm_start = true;
    core::solve(qp_, options, workspace_, solution_);
  }
  if (solution_.optimal()) {
    plan_ = solution_.x.head(plan_.size());
    return status_ = PolicySolveStatus::kOptimal;
  }
  SoftQpOptions soft_options;
  solve_soft(qp_, soft_options, soft_workspace_, soft_);
  if (soft_.qp.optimal()) {
    ++stats_.fallbacks;
    plan_ = soft_.qp.x.head(plan_.size());
    return status_ = PolicySolveStatus::kFallback;
  }
  ++stats_.failures;
  return status_ = PolicySolveStatus::kFailed;
}

bool DiffOpSolver::solve_ipopt() {
  IpoptOptions options;
  options.tolerance = 1e-10;
  const IpoptQpSolver::Result r = ipopt_->solve(qp_, options);
  solution_.status = r.status.status;
  if (r.status.status != QpStatus::kOptimal) return false;
  solution_.x = r.x;
  solution_.y = r.y;
  solution_.z = r.z;
  solution_.objective = r.objective;
  const double scale = 1.0 + std::max(r.y.cwiseAbs().maxCoeff(), r.z.cwiseAbs().maxCoeff());
  auto side = [&](double multiplier) {
    if (std::abs(multiplier) <= 1e-7 * scale) return ActiveSide::kInactive;
    return multiplier > 0.0 ? ActiveSide::kUpper : ActiveSide::kLower;
  };
  solution_.row_active.resize(static_cast<size_t>(r.y.size()));
  for (Eigen::Index i = 0; i < r.y.size(); ++i) solution_.row_active[static_cast<size_t>(i)] = side(r.y[i]);
  solution_.bound_active.resize(static_cast<size_t>(r.z.size()));
  for (Eigen::Index j = 0; j < r.z.size(); ++j) solution_.bound_active[static_cast<size_t>(j)] = side(r.z[j]);
  return true;
}

void DiffOpSolver::restore(const Eigen::VectorXd& theta, const DiffOpModel::State& state,
                           const QpSolution& solution) {
  model_->build(theta, state, qp_, model_workspace_);
  solution_ = solution;
  plan_ = solution_.x.head(plan_.size());
  status_ = PolicySolveStatus::kOptimal;
  factorized_ = false;
}

PolicyGradientStatus DiffOpSolver::accumulate_gradient(const Eigen::VectorXd& theta,
                                                       const DiffOpModel::State& state,
                                                       const Eigen::VectorXd& w, Eigen::VectorXd& dtheta,
                                                       DiffOpModel::StateGradient* state_gradient) {
  // The exact-penalty fallback is a different problem; its steps contribute no gradient
  // (docs/algorithms/diffop.md).
  if (status_ != PolicySolveStatus::kOptimal || !solution_.optimal())
    return PolicyGradientStatus::kNotOptimal;
  if (!factorized_) {
    kkt_.factorize(qp_, solution_);
    factorized_ = true;
  }
  if (!kkt_.diagnostics().usable()) return PolicyGradientStatus::kDegenerate;
  w_.setZero(qp_.num_variables());
  w_.head(w.size()) = w;
  kkt_.adjoint(w_, data_gradient_);
  model_->chain(theta, state, data_gradient_, dtheta, model_workspace_);
  if (state_gradient != nullptr) {
    model_->chain_state(theta, state, data_gradient_, *state_gradient, model_workspace_);
  }
  return PolicyGradientStatus::kComputed;
}

namespace {

class DiffOpController final : public Controller {
 public:
  DiffOpController(const DiffOpModel& model, Eigen::VectorXd theta, QpBackend backend)
      : model_(&model), theta_(std::move(theta)), solver_(model, backend) {}
  std::string name() const override { return "diffop-" + to_string(model_->structure().mode); }
  void reset(const Observation&, const Scenario&) override { solver_.reset(); }
  ActionStatus act(const Observation& obs, Eigen::VectorXd& action) override {
    if (model_->plans_at(obs.t)) {
      model_->observe(obs, state_);
      plan_status_ = solver_.solve(theta_, state_);
      hold_ = obs.q;
    }
    // Without a plan the applied q is kept.
    if (plan_status_ == PolicySolveStatus::kFailed) {
      action = hold_;
      return ActionStatus::kFailed;
    }
    const int m = model_->num_inverters();
    action = solver_.plan().segment(m * model_->plan_stage(obs.t), m);
    return plan_status_ == PolicySolveStatus::kFallback ? ActionStatus::kFallback : ActionStatus::kNominal;
  }

 private:
  const DiffOpModel* model_;
  Eigen::VectorXd theta_;
  DiffOpSolver solver_;
  DiffOpModel::State state_;
  PolicySolveStatus plan_status_ = PolicySolveStatus::kFailed;
  Eigen::VectorXd hold_;
};

}  // namespace

std::unique_ptr<Controller> make_diffop_controller(const DiffOpModel& model, const Eigen::VectorXd& theta,
                                                   QpBackend backend) {
  return std::make_unique<DiffOpController>(model, theta, backend);
}

}  // namespace vvc::core
