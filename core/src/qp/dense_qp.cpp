// Goldfarb-Idnani dual active-set method for a dense strictly convex QP.
//
// Reference: D. Goldfarb and A. Idnani, "A numerically stable dual method for solving strictly convex
// quadratic programs", Mathematical Programming 27 (1983) 1-33. The factor updates follow the QuadProg++
// formulation (L. Di Gaspero, after Goldfarb-Idnani's Fortran QPSOL/quadprog).
//
// Every row side and bound side with a finite limit is one constraint  a_k'x >= b_k :
//   row i, lower side:  a = +G_i', b = +lower_i      row i, upper side:  a = -G_i', b = -upper_i
//   bound j, lower:     a = +e_j,  b = +lb_j         bound j, upper:     a = -e_j,  b = -ub_j
// An equality (lower_i == upper_i, lb_j == ub_j) is its lower side, added first and never dropped.
//
// The method starts at the unconstrained minimizer x = -P^{-1}c (dual feasible, primal infeasible) and adds
// one violated constraint at a time, keeping dual feasibility u >= 0 and the stationarity  P x + c = sum_k
// u_k a_k over the active set A. With P = L L' and N = [a_k]_{k in A}, it keeps J = L^{-T} Q and R upper
// triangular with L^{-1} N = Q [R; 0]. For the entering constraint a:
//   d = J'a,  z = J_2 d_2 (primal step direction, J_2 = last n - q columns),  r = R^{-1} d_1 (dual step
//   direction) full step   t2 = -s(x) / (z'a)                    (makes the entering constraint active)
//   partial     t1 = min_{k in A, r_k > 0} u_k / r_k   (an active inequality's multiplier reaches zero: drop
//   it) x += t z,   u_A -= t r,   u_new += t,   t = min(t1, t2).
// z = 0 and no r_k > 0 proves infeasibility (the dual is unbounded along the step). Givens rotations update J
// and R when a constraint enters or leaves, so a step costs O(n^2).
//
// Output multipliers follow qp.hpp:  P x + c + G'y + z = 0, i.e. y_i = -u (lower side) or +u (upper side).
#include "vvc/core/qp/dense_qp.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <Eigen/Cholesky>

#include "vvc/common/errors.hpp"

namespace vvc::core {

namespace {

// A constraint is numerically dependent on the active set when the part of J'a outside the active columns is
// this small relative to J'a: the step would be unbounded (or the equality redundant).
constexpr double kDependenceTolerance = 1e-12;

bool bitwise_equal(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<size_t>(a.size())) == 0;
}

bool is_finite_or_inf(const Eigen::VectorXd& v) {
  return std::all_of(v.data(), v.data() + v.size(), [](double value) { return !std::isnan(value); });
}

}  // namespace

const char* to_string(QpStatus status) {
  switch (status) {
    case QpStatus::kOptimal:
      return "optimal";
    case QpStatus::kInfeasible:
      return "infeasible";
    case QpStatus::kIterationLimit:
      return "iteration limit";
    case QpStatus::kNumericalFailure:
      return "numerical failure";
    case QpStatus::kNotConvex:
      return "not convex";
  }
  return "unknown";
}

QpProblem QpProblem::unconstrained(int n, int m) {
  QpProblem p;
  p.P = Eigen::MatrixXd::Identity(n, n);
  p.c = Eigen::VectorXd::Zero(n);
  p.G = Eigen::MatrixXd::Zero(m, n);
  p.lower = Eigen::VectorXd::Constant(m, -kInfinity);
  p.upper = Eigen::VectorXd::Constant(m, kInfinity);
  p.lb = Eigen::VectorXd::Constant(n, -kInfinity);
  p.ub = Eigen::VectorXd::Constant(n, kInfinity);
  return p;
}

namespace {

// Everything QpProblem::validate checks but the finiteness of P and G, which the solver checks only when they
// are not bitwise the copies it validated before.
void validate_sizes_and_limits(const QpProblem& problem) {
  const auto& [P, c, G, lower, upper, lb, ub] = problem;
  const Eigen::Index n = c.size();
  const Eigen::Index m = G.rows();
  auto mismatch = [](const std::string& what, Eigen::Index got, Eigen::Index want) {
    return InputError("QP: " + what + " has size " + std::to_string(got) + ", expected " +
                      std::to_string(want));
  };
  if (P.rows() != n || P.cols() != n) throw mismatch("P", P.rows() * P.cols(), n * n);
  if (G.cols() != n && m > 0) throw mismatch("G columns", G.cols(), n);
  if (lower.size() != m) throw mismatch("lower", lower.size(), m);
  if (upper.size() != m) throw mismatch("upper", upper.size(), m);
  if (lb.size() != n) throw mismatch("lb", lb.size(), n);
  if (ub.size() != n) throw mismatch("ub", ub.size(), n);
  if (!c.allFinite()) throw InputError("QP: P, c and G must be finite");
  if (!is_finite_or_inf(lower) || !is_finite_or_inf(upper) || !is_finite_or_inf(lb) ||
      !is_finite_or_inf(ub)) {
    throw InputError("QP: limits must not be NaN");
  }
  if ((lower.array() == kInfinity).any() || (lb.array() == kInfinity).any() ||
      (upper.array() == -kInfinity).any() || (ub.array() == -kInfinity).any()) {
    throw InputError("QP: a lower limit of +inf or an upper limit of -inf is not a limit");
  }
}

void validate_finite(const Eigen::MatrixXd& matrix) {
  if (!matrix.allFinite()) throw InputError("QP: P, c and G must be finite");
}

}  // namespace

void QpProblem::validate() const {
  validate_sizes_and_limits(*this);
  validate_finite(P);
  validate_finite(G);
}

void DenseQpWorkspace::resize(int n, int m) {
  if (n == n_ && m == m_) return;
  n_ = n;
  m_ = m;
  const int sides = 2 * (n + m);
  p_copy_.resize(n, n);
  chol_.resize(n, n);
  j0_.resize(n, n);
  j_.resize(n, n);
  r_.resize(n, n);
  factor_valid_ = false;
  x_.resize(n);
  gx_.resize(m);
  z_.resize(n);
  d_.resize(n);
  r_vec_.resize(n + 1);
  u_.resize(n + 1);
  active_.assign(n + 1, -1);
  in_active_.assign(sides, 0);
  previous_active_.clear();
  previous_active_.reserve(sides + n + 1);
  kept_factors_valid_ = false;
  kept_g_valid_ = false;
  kept_g_.resize(m, n);
  kept_j_.resize(n, n);
  kept_r_.resize(n, n);
  kept_key_.reserve(sides + 2 * n + 2);
  key_.reserve(sides + 2 * n + 2);
}

// All solver steps, with access to the workspace internals.
struct DenseQpSolver {
  const QpProblem& p;
  DenseQpWorkspace& w;
  int n;
  int m;
  int iq = 0;  // active-set size
  int num_equalities = 0;
  bool g_known = false;  // G is bitwise the workspace's validated copy (kept_g_)

  // Constraint-side data.
  [[nodiscard]] bool is_row(int k) const { return k < 2 * m; }
  [[nodiscard]] int index(int k) const { return is_row(k) ? k / 2 : (k - 2 * m) / 2; }
  [[nodiscard]] static double sign(int k) { return (k % 2 == 0) ? 1.0 : -1.0; }
  [[nodiscard]] double limit(int k) const {
    const int i = index(k);
    if (is_row(k)) return k % 2 == 0 ? p.lower[i] : -p.upper[i];
    return k % 2 == 0 ? p.lb[i] : -p.ub[i];
  }
  [[nodiscard]] double normal_dot(int k, const Eigen::VectorXd& v) const {
    const int i = index(k);
    return sign(k) * (is_row(k) ? p.G.row(i).dot(v) : v[i]);
  }
  [[nodiscard]] double residual(int k, const Eigen::VectorXd& v) const { return normal_dot(k, v) - limit(k); }
  // The same at w.x_, with G x precomputed in w.gx_.
  [[nodiscard]] double residual_at_x(int k) const {
    const int i = index(k);
    return sign(k) * (is_row(k) ? w.gx_[i] : w.x_[i]) - limit(k);
  }
  [[nodiscard]] bool is_equality(int k) const {
    const int i = index(k);
    return is_row(k) ? p.lower[i] == p.upper[i] : p.lb[i] == p.ub[i];
  }
  // A side takes part when its limit is finite; the upper side of an equality is represented by its lower
  // side.
  [[nodiscard]] bool present(int k) const {
    if (!std::isfinite(limit(k))) return false;
    return !(k % 2 == 1 && is_equality(k));
  }

  // d = J'a_k
  void compute_d(int k) {
    const int i = index(k);
    if (is_row(k)) {
      w.d_.noalias() = w.j_.transpose() * p.G.row(i).transpose();
    } else {
      w.d_ = w.j_.row(i).transpose();
    }
    if (k % 2 == 1) w.d_ = -w.d_;
  }
  // z = J_2 d_2, r = R^{-1} d_1; returns ||d_2|| / ||d|| (the dependence measure)
  double update_z_r() {
    const int free = n - iq;
    if (free > 0) {
      w.z_.noalias() = w.j_.rightCols(free) * w.d_.tail(free);
    } else {
      w.z_.setZero();
    }
    if (iq > 0) {
      w.r_vec_.head(iq) = w.d_.head(iq);
      w.r_.topLeftCorner(iq, iq).triangularView<Eigen::Upper>().solveInPlace(w.r_vec_.head(iq));
    }
    const double dn = w.d_.norm();
    return dn > 0.0 ? w.d_.tail(free).norm() / dn : 0.0;
  }

  // The Givens step of both updates on columns a and b of J: a <- cc a + ss b, b <- xny (a_old + a) - b with
  // xny = ss / (1 + cc). Two rows at a time with SSE2 (the solver's hot loop), each element by the same
  // operations in the same order as the scalar loop, so the results are the same to the bit.
  void rotate_columns(int a, int b, double cc, double ss, double xny) {
    double* __restrict col_a = w.j_.col(a).data();
    double* __restrict col_b = w.j_.col(b).data();
    int k = 0;
#ifdef __SSE2__
    const __m128d vcc = _mm_set1_pd(cc), vss = _mm_set1_pd(ss), vxny = _mm_set1_pd(xny);
    for (; k + 1 < n; k += 2) {
      const __m128d t1 = _mm_loadu_pd(col_a + k);
      const __m128d t2 = _mm_loadu_pd(col_b + k);
      const __m128d na = _mm_add_pd(_mm_mul_pd(t1, vcc), _mm_mul_pd(t2, vss));
      _mm_storeu_pd(col_a + k, na);
      _mm_storeu_pd(col_b + k, _mm_sub_pd(_mm_mul_pd(vxny, _mm_add_pd(t1, na)), t2));
    }
#endif
    for (; k < n; ++k) {
      const double t1 = col_a[k];
      const double t2 = col_b[k];
      col_a[k] = t1 * cc + t2 * ss;
      col_b[k] = xny * (t1 + col_a[k]) - t2;
    }
  }

  // Appends the constraint whose d = J'a is in w.d_ to the factors.
  void add_constraint() {
    for (int j = n - 1; j >= iq + 1; --j) {
      double cc = w.d_[j - 1];
      double ss = w.d_[j];
      const double h = std::hypot(cc, ss);
      if (h == 0.0) continue;
      w.d_[j] = 0.0;
      ss /= h;
      cc /= h;
      if (cc < 0.0) {
        cc = -cc;
        ss = -ss;
        w.d_[j - 1] = -h;
      } else {
        w.d_[j - 1] = h;
      }
      rotate_columns(j - 1, j, cc, ss, ss / (1.0 + cc));
    }
    ++iq;
    w.r_.col(iq - 1).head(iq) = w.d_.head(iq);
  }

  // Removes the active constraint at position qq (qq >= num_equalities).
  void delete_constraint(int qq) {
    w.in_active_[w.active_[qq]] = 0;
    for (int i = qq; i < iq - 1; ++i) {
      w.active_[i] = w.active_[i + 1];
      w.u_[i] = w.u_[i + 1];
      w.r_.col(i) = w.r_.col(i + 1);
    }
    w.active_[iq - 1] = w.active_[iq];
    w.u_[iq - 1] = w.u_[iq];
    w.active_[iq] = -1;
    w.u_[iq] = 0.0;
    w.r_.col(iq - 1).head(iq).setZero();
    --iq;
    for (int j = qq; j < iq; ++j) {
      double cc = w.r_(j, j);
      double ss = w.r_(j + 1, j);
      const double h = std::hypot(cc, ss);
      if (h == 0.0) continue;
      cc /= h;
      ss /= h;
      w.r_(j + 1, j) = 0.0;
      if (cc < 0.0) {
        w.r_(j, j) = -h;
        cc = -cc;
        ss = -ss;
      } else {
        w.r_(j, j) = h;
      }
      const double xny = ss / (1.0 + cc);
      for (int k = j + 1; k < iq; ++k) {
        const double t1 = w.r_(j, k);
        const double t2 = w.r_(j + 1, k);
        w.r_(j, k) = t1 * cc + t2 * ss;
        w.r_(j + 1, k) = xny * (t1 + w.r_(j, k)) - t2;
      }
      rotate_columns(j, j + 1, cc, ss, xny);
    }
  }

  // Factorizes P unless p_known (P is bitwise the factorized one). Returns false when P is not positive
  // definite.
  bool factorize(bool p_known) {
    if (p_known) return true;
    w.p_copy_ = p.P;
    w.factor_valid_ = false;
    w.kept_factors_valid_ = false;
    w.chol_ = p.P;
    Eigen::LLT<Eigen::Ref<Eigen::MatrixXd>> llt(w.chol_);
    if (llt.info() != Eigen::Success) return false;
    const auto diag = w.chol_.diagonal();
    if (n > 0 && diag.minCoeff() <= 1e-12 * diag.maxCoeff()) return false;
    w.j0_.setIdentity();
    w.chol_.triangularView<Eigen::Lower>().transpose().solveInPlace(w.j0_);
    w.factor_valid_ = true;
    return true;
  }

  // x and u on the current active set taken as equalities. With J = [J1 J2] (J1: first iq columns),
  // N'J = [R' 0] and J'PJ = I, so x = J1 alpha + J2 beta with R'alpha = b, beta = -J2'c, and
  // J'(P x + c) = J'N u gives R u = alpha + J1'c.
  void primal_dual_on_active_set() {
    w.z_.noalias() = w.j_.transpose() * p.c;
    for (int q = 0; q < iq; ++q) w.r_vec_[q] = limit(w.active_[q]);
    auto alpha = w.r_vec_.head(iq);
    w.r_.topLeftCorner(iq, iq).triangularView<Eigen::Upper>().transpose().solveInPlace(alpha);
    w.d_.head(iq) = alpha;
    w.d_.tail(n - iq) = -w.z_.tail(n - iq);
    w.x_.noalias() = w.j_ * w.d_;
    w.u_.head(iq) = alpha + w.z_.head(iq);
    w.r_.topLeftCorner(iq, iq).triangularView<Eigen::Upper>().solveInPlace(w.u_.head(iq));
  }

  // Warm start: impose the preferred inequalities (the previous active set) as equalities, then release those
  // with negative multipliers one at a time. The result is dual feasible (u >= 0), which is all the dual
  // method needs to start from; it then continues as from a cold start.
  //
  // J and R depend only on J0 (on P), G and the ordered active set, never on c or on the limits' values. The
  // previous solve kept the factors it ended with (keep_final_factors); when P and G are bitwise unchanged and
  // the key (active equalities, -1, warm-start set) begins with the key of that active set (the next step of an
  // episode), those factors are taken over and only the rest of the set is imposed. They equal, up to rounding,
  // what imposing the whole set would compute.
  void warm_start() {
    const int before = iq;
    w.key_.assign(w.active_.begin(), w.active_.begin() + iq);
    w.key_.push_back(-1);
    for (int k : w.previous_active_) {
      if (present(k) && !is_equality(k)) w.key_.push_back(k);
    }
    size_t next = static_cast<size_t>(before) + 1;  // the first entry of key_ still to impose
    if (g_known && w.kept_factors_valid_ && w.kept_key_.size() <= w.key_.size() &&
        std::equal(w.kept_key_.begin(), w.kept_key_.end(), w.key_.begin())) {
      w.j_.swap(w.kept_j_);
      w.r_.swap(w.kept_r_);
      w.kept_factors_valid_ = false;
      for (size_t c = next; c < w.kept_key_.size(); ++c) {
        w.active_[iq++] = w.kept_key_[c];
        w.in_active_[w.kept_key_[c]] = 1;
      }
      next = w.kept_key_.size();
      ++w.factor_reuses_;
    }
    for (size_t c = next; c < w.key_.size(); ++c) {
      if (iq >= n) break;
      const int k = w.key_[c];
      if (w.in_active_[k]) continue;
      compute_d(k);
      if (update_z_r() <= kDependenceTolerance) continue;
      w.active_[iq] = k;
      w.in_active_[k] = 1;
      add_constraint();
    }
    if (iq == before) return;
    for (;;) {
      primal_dual_on_active_set();
      int worst = -1;
      for (int q = num_equalities; q < iq; ++q) {
        if (w.u_[q] < 0.0 && (worst < 0 || w.u_[q] < w.u_[worst])) worst = q;
      }
      if (worst < 0) return;
      w.u_[iq] = 0.0;
      delete_constraint(worst);
    }
  }

  QpStatus run(const DenseQpOptions& options, int& iterations) {
    const int sides = 2 * (n + m);
    // Unconstrained minimizer x = -J0 J0' c.
    w.j_ = w.j0_;
    w.z_.noalias() = w.j0_.transpose() * p.c;
    w.x_.noalias() = -w.j0_ * w.z_;
    iq = 0;
    w.u_.setZero();
    for (int i = 0; i < m; ++i) {
      if (p.lower[i] > p.upper[i]) return QpStatus::kInfeasible;
    }
    for (int j = 0; j < n; ++j) {
      if (p.lb[j] > p.ub[j]) return QpStatus::kInfeasible;
    }
    std::fill(w.in_active_.begin(), w.in_active_.end(), 0);
    const int max_iterations = options.max_iterations > 0 ? options.max_iterations : 10 * (n + sides) + 100;

    // Equalities first.
    for (int k = 0; k < sides; ++k) {
      if (!present(k) || !is_equality(k)) continue;
      compute_d(k);
      const double dependence = update_z_r();
      const double s = residual(k, w.x_);
      if (dependence <= kDependenceTolerance) {
        // Redundant: consistent with the equalities already added, or contradicting them.
        if (std::abs(s) > options.feasibility_tolerance * (1.0 + std::abs(limit(k)))) {
          return QpStatus::kInfeasible;
        }
        continue;
      }
      const double t2 = -s / normal_dot(k, w.z_);
      w.x_ += t2 * w.z_;
      w.u_.head(iq) -= t2 * w.r_vec_.head(iq);
      w.u_[iq] = t2;
      w.active_[iq] = k;
      w.in_active_[k] = 1;
      add_constraint();
    }
    num_equalities = iq;
    if (options.warm_start) warm_start();

    iterations = 0;
    for (;;) {
      // Step 1: the most violated inactive constraint.
      int ip = -1;
      double worst = 0.0;
      w.gx_.noalias() = p.G * w.x_;
      for (int k = 0; k < sides; ++k) {
        if (w.in_active_[k] || !present(k)) continue;
        const double s = residual_at_x(k);
        if (s >= -options.feasibility_tolerance * (1.0 + std::abs(limit(k)))) continue;
        const double norm = is_row(k) ? p.G.row(index(k)).norm() : 1.0;
        const double scaled = s / std::max(norm, 1e-300);
        if (ip < 0 || scaled < worst) {
          ip = k;
          worst = scaled;
        }
      }
      if (ip < 0) return QpStatus::kOptimal;
      w.active_[iq] = ip;
      w.u_[iq] = 0.0;
      double s_ip = residual(ip, w.x_);

      // Step 2: dual steps drop blocking constraints until the entering one can be made active.
      for (;;) {
        if (++iterations > max_iterations) return QpStatus::kIterationLimit;
        compute_d(ip);
        const double dependence = update_z_r();
        double t1 = kInfinity;
        int l = -1;
        for (int k = num_equalities; k < iq; ++k) {
          if (w.r_vec_[k] > 0.0 && w.u_[k] / w.r_vec_[k] < t1) {
            t1 = w.u_[k] / w.r_vec_[k];
            l = k;
          }
        }
        const double t2 = dependence > kDependenceTolerance ? -s_ip / normal_dot(ip, w.z_) : kInfinity;
        const double t = std::min(t1, t2);
        if (!std::isfinite(t)) return QpStatus::kInfeasible;
        if (!std::isfinite(t2)) {
          // Dual step only: the entering constraint depends on the active set; drop the blocking one.
          w.u_.head(iq) -= t * w.r_vec_.head(iq);
          w.u_[iq] += t;
          delete_constraint(l);
          continue;
        }
        w.x_ += t * w.z_;
        w.u_.head(iq) -= t * w.r_vec_.head(iq);
        w.u_[iq] += t;
        if (t == t2) {
          add_constraint();
          w.in_active_[ip] = 1;
          break;
        }
        delete_constraint(l);
        s_ip = residual(ip, w.x_);
      }
      if (!w.x_.allFinite()) return QpStatus::kNumericalFailure;
    }
  }

  void solve(const DenseQpOptions& options, QpSolution& out) {
    // P and G bitwise equal to the workspace's copies were validated when those were taken.
    const bool p_known = w.factor_valid_ && bitwise_equal(w.p_copy_, p.P);
    g_known = options.warm_start && options.reuse_warm_start_factors && w.kept_g_valid_ &&
              bitwise_equal(p.G, w.kept_g_);
    if (!p_known) validate_finite(p.P);
    if (!g_known) validate_finite(p.G);
    if (!factorize(p_known)) {
      w.x_.setZero();
      write(QpStatus::kNotConvex, 0, out);
      return;
    }
    int iterations = 0;
    const QpStatus status = run(options, iterations);
    if (status == QpStatus::kOptimal && options.warm_start && options.reuse_warm_start_factors) {
      keep_final_factors();
    }
    write(status, iterations, out);
  }

  // Keeps J and R of the optimal active set, its key and G for the next warm start. The factors are swapped
  // out, not copied: the next solve starts again from J0.
  void keep_final_factors() {
    if (!g_known) {
      w.kept_g_ = p.G;
      w.kept_g_valid_ = true;
    }
    w.kept_key_.assign(w.active_.begin(), w.active_.begin() + num_equalities);
    w.kept_key_.push_back(-1);
    w.kept_key_.insert(w.kept_key_.end(), w.active_.begin() + num_equalities, w.active_.begin() + iq);
    w.j_.swap(w.kept_j_);
    w.r_.swap(w.kept_r_);
    w.kept_factors_valid_ = true;
  }

  void write(QpStatus status, int iterations, QpSolution& out) {
    out.status = status;
    out.iterations = iterations;
    out.x = w.x_;
    out.y.setZero(m);
    out.z.setZero(n);
    std::fill(out.row_active.begin(), out.row_active.end(), ActiveSide::kInactive);
    std::fill(out.bound_active.begin(), out.bound_active.end(), ActiveSide::kInactive);
    w.previous_active_.clear();
    if (status == QpStatus::kOptimal) {
      for (int q = 0; q < iq; ++q) {
        const int k = w.active_[q];
        w.previous_active_.push_back(k);
        const int i = index(k);
        const double value = -sign(k) * w.u_[q];
        const ActiveSide side =
            is_equality(k) ? ActiveSide::kEquality : (k % 2 == 0 ? ActiveSide::kLower : ActiveSide::kUpper);
        if (is_row(k)) {
          out.y[i] = value;
          out.row_active[i] = side;
        } else {
          out.z[i] = value;
          out.bound_active[i] = side;
        }
      }
      // Redundant equalities were skipped by the solver but hold at the solution.
      for (int i = 0; i < m; ++i) {
        if (p.lower[i] == p.upper[i] && std::isfinite(p.lower[i])) out.row_active[i] = ActiveSide::kEquality;
      }
      for (int j = 0; j < n; ++j) {
        if (p.lb[j] == p.ub[j] && std::isfinite(p.lb[j])) out.bound_active[j] = ActiveSide::kEquality;
      }
    }
    w.d_.noalias() = p.P * w.x_;
    out.objective = 0.5 * w.x_.dot(w.d_) + p.c.dot(w.x_);
  }
};

void solve(const QpProblem& problem, const DenseQpOptions& options, DenseQpWorkspace& workspace,
           QpSolution& out) {
  validate_sizes_and_limits(problem);
  const int n = problem.num_variables();
  const int m = problem.num_rows();
  workspace.resize(n, m);
  out.x.resize(n);
  out.y.resize(m);
  out.z.resize(n);
  out.row_active.resize(m);
  out.bound_active.resize(n);
  DenseQpSolver solver{problem, workspace, n, m};
  solver.solve(options, out);
}

QpSolution solve(const QpProblem& problem, const DenseQpOptions& options, DenseQpWorkspace& workspace) {
  QpSolution out;
  solve(problem, options, workspace, out);
  return out;
}

}  // namespace vvc::core
