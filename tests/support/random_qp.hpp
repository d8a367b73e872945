// Seeded random QPs for the core tests. Every problem is built around a known feasible point, so feasibility
// is guaranteed; the linear term is large enough that many constraints are active at the solution.
#pragma once

#include <Eigen/Core>

#include <random>

#include "vvc/core/qp/dense_qp.hpp"

namespace vvc::core::testing {

struct RandomQpSpec {
  int n = 5;
  int m = 10;
  double equality_fraction = 0.0;  ///< rows that are equalities (at most n / 2 of them)
  double one_sided_fraction = 0.3;
  double bounded_fraction = 0.5;  ///< variables with finite bounds
  double c_scale = 5.0;
};

inline double uniform(std::mt19937_64& rng, double a, double b) {
  return std::uniform_real_distribution<double>(a, b)(rng);
}

inline Eigen::MatrixXd random_matrix(std::mt19937_64& rng, int rows, int cols) {
  Eigen::MatrixXd a(rows, cols);
  for (int i = 0; i < rows; ++i) {
    for (int j = 0; j < cols; ++j) a(i, j) = uniform(rng, -1.0, 1.0);
  }
  return a;
}

inline Eigen::VectorXd random_vector(std::mt19937_64& rng, int size, double scale = 1.0) {
  return scale * random_matrix(rng, size, 1);
}

/// Symmetric positive definite with eigenvalues in roughly [0.1, n].
inline Eigen::MatrixXd random_spd(std::mt19937_64& rng, int n) {
  const Eigen::MatrixXd a = random_matrix(rng, n, n);
  return a * a.transpose() + 0.1 * Eigen::MatrixXd::Identity(n, n);
}

inline QpProblem random_qp(std::mt19937_64& rng, const RandomQpSpec& spec) {
  const int n = spec.n;
  const int m = spec.m;
  QpProblem p = QpProblem::unconstrained(n, m);
  p.P = random_spd(rng, n);
  p.c = random_vector(rng, n, spec.c_scale);
  p.G = random_matrix(rng, m, n);
  const Eigen::VectorXd x0 = random_vector(rng, n, 0.5);
  const Eigen::VectorXd g0 = p.G * x0;
  int equalities = 0;
  for (int i = 0; i < m; ++i) {
    const double kind = uniform(rng, 0.0, 1.0);
    if (kind < spec.equality_fraction && equalities < n / 2) {
      p.lower[i] = p.upper[i] = g0[i];
      ++equalities;
    } else if (kind < spec.equality_fraction + spec.one_sided_fraction) {
      if (uniform(rng, 0.0, 1.0) < 0.5) {
        p.lower[i] = g0[i] - uniform(rng, 0.0, 0.5);
      } else {
        p.upper[i] = g0[i] + uniform(rng, 0.0, 0.5);
      }
    } else {
      p.lower[i] = g0[i] - uniform(rng, 0.0, 0.5);
      p.upper[i] = g0[i] + uniform(rng, 0.0, 0.5);
    }
  }
  for (int j = 0; j < n; ++j) {
    if (uniform(rng, 0.0, 1.0) < spec.bounded_fraction) {
      p.lb[j] = x0[j] - uniform(rng, 0.0, 1.0);
      p.ub[j] = x0[j] + uniform(rng, 0.0, 1.0);
    }
  }
  return p;
}

/// Largest violation of the KKT conditions in the qp.hpp convention (stationarity, primal feasibility,
/// multiplier signs, complementarity), scaled by 1 + the size of the data involved.
inline double kkt_residual(const QpProblem& p, const QpSolution& s) {
  double worst = ((p.P * s.x + p.c + p.G.transpose() * s.y + s.z).lpNorm<Eigen::Infinity>()) /
                 (1.0 + p.c.lpNorm<Eigen::Infinity>());
  const Eigen::VectorXd gx = p.G * s.x;
  auto check = [&worst](double value, double lo, double hi, double mult) {
    worst = std::max({worst, lo - value, value - hi});
    if (lo != hi) {
      if (mult > 0.0) worst = std::max(worst, mult * std::min(1.0, std::abs(hi - value)));
      if (mult < 0.0) worst = std::max(worst, -mult * std::min(1.0, std::abs(value - lo)));
    }
  };
  for (int i = 0; i < p.num_rows(); ++i) check(gx[i], p.lower[i], p.upper[i], s.y[i]);
  for (int j = 0; j < p.num_variables(); ++j) check(s.x[j], p.lb[j], p.ub[j], s.z[j]);
  return worst;
}

}  // namespace vvc::core::testing
