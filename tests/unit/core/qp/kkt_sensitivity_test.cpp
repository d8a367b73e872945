// KKT sensitivities against central differences of re-solves, adjoint against forward, and degeneracy flags.
#include <gtest/gtest.h>

#include <random>

#include "support/random_qp.hpp"
#include "vvc/core/qp/dense_qp.hpp"
#include "vvc/core/qp/kkt_sensitivity.hpp"

namespace vvc::core {
namespace {

using testing::random_matrix;
using testing::random_qp;
using testing::random_vector;
using testing::RandomQpSpec;

// Strict tolerances for choosing test problems: the active set must not change within the FD step.
KktSensitivityOptions strict() {
  KktSensitivityOptions o;
  o.weak_multiplier_tolerance = 1e-4;
  o.activity_tolerance = 1e-4;
  return o;
}

QpDataTangent random_direction(std::mt19937_64& rng, const QpProblem& p) {
  const int n = p.num_variables();
  const int m = p.num_rows();
  QpDataTangent d;
  const Eigen::MatrixXd a = random_matrix(rng, n, n);
  d.dP = a + a.transpose();
  d.dc = random_vector(rng, n);
  d.dG = random_matrix(rng, m, n);
  d.dlower = random_vector(rng, m);
  d.dupper = random_vector(rng, m);
  d.dlb = random_vector(rng, n);
  d.dub = random_vector(rng, n);
  // Equalities stay equalities under the finite-difference perturbation.
  for (int i = 0; i < m; ++i) {
    if (p.lower[i] == p.upper[i]) d.dupper[i] = d.dlower[i];
  }
  for (int j = 0; j < n; ++j) {
    if (p.lb[j] == p.ub[j]) d.dub[j] = d.dlb[j];
  }
  return d;
}

QpProblem perturbed(const QpProblem& p, const QpDataTangent& d, double h) {
  QpProblem q = p;
  q.P += h * d.dP;
  q.c += h * d.dc;
  q.G += h * d.dG;
  q.lower += h * d.dlower;
  q.upper += h * d.dupper;
  q.lb += h * d.dlb;
  q.ub += h * d.dub;
  return q;
}

double inner(const QpDataTangent& a, const QpDataTangent& b) {
  return (a.dP.array() * b.dP.array()).sum() + a.dc.dot(b.dc) + (a.dG.array() * b.dG.array()).sum() +
         a.dlower.dot(b.dlower) + a.dupper.dot(b.dupper) + a.dlb.dot(b.dlb) + a.dub.dot(b.dub);
}

struct Counts {
  int tested = 0;
  int with_active_rows = 0;
  int with_active_bounds = 0;
  int with_equalities = 0;
};

template <typename Check>
Counts for_nondegenerate_problems(std::uint64_t seed, int trials, Check check) {
  std::mt19937_64 rng(seed);
  DenseQpWorkspace ws;
  Counts counts;
  for (int trial = 0; trial < trials; ++trial) {
    RandomQpSpec spec;
    spec.n = 2 + trial % 9;
    spec.m = 2 * spec.n;
    spec.equality_fraction = trial % 3 == 0 ? 0.15 : 0.0;
    spec.bounded_fraction = 0.7;
    const QpProblem p = random_qp(rng, spec);
    const QpSolution s = solve(p, DenseQpOptions{}, ws);
    KktSensitivity sens;
    if (!sens.factorize(p, s, strict()).ok()) continue;
    ++counts.tested;
    bool rows = false;
    bool bounds = false;
    bool equalities = false;
    for (ActiveSide a : s.row_active) {
      rows |= a == ActiveSide::kLower || a == ActiveSide::kUpper;
      equalities |= a == ActiveSide::kEquality;
    }
    for (ActiveSide a : s.bound_active) bounds |= a != ActiveSide::kInactive;
    counts.with_active_rows += rows;
    counts.with_active_bounds += bounds;
    counts.with_equalities += equalities;
    check(rng, p, s, sens, trial);
  }
  return counts;
}

void expect_enough(const Counts& c) {
  EXPECT_GE(c.tested, 100);
  EXPECT_GE(c.with_active_rows, 50);
  EXPECT_GE(c.with_active_bounds, 50);
  EXPECT_GE(c.with_equalities, 20);
}

constexpr double kStep = 1e-6;

TEST(KktSensitivity, ForwardModeMatchesCentralDifferences) {
  DenseQpWorkspace ws;
  const Counts c = for_nondegenerate_problems(
      1, 250,
      [&](std::mt19937_64& rng, const QpProblem& p, const QpSolution& s, const KktSensitivity& sens, int t) {
        const QpDataTangent d = random_direction(rng, p);
        Eigen::VectorXd dx;
        sens.forward(d, dx);
        const QpSolution plus = solve(perturbed(p, d, kStep), DenseQpOptions{}, ws);
        const QpSolution minus = solve(perturbed(p, d, -kStep), DenseQpOptions{}, ws);
        ASSERT_TRUE(plus.optimal() && minus.optimal());
        ASSERT_EQ(plus.row_active, s.row_active) << "trial " << t;
        ASSERT_EQ(minus.bound_active, s.bound_active) << "trial " << t;
        const Eigen::VectorXd fd = (plus.x - minus.x) / (2 * kStep);
        EXPECT_LE((fd - dx).norm(), 1e-5 * dx.norm() + 1e-9) << "trial " << t;
      });
  expect_enough(c);
}

TEST(KktSensitivity, AdjointModeMatchesCentralDifferences) {
  DenseQpWorkspace ws;
  const Counts c = for_nondegenerate_problems(
      2, 250,
      [&](std::mt19937_64& rng, const QpProblem& p, const QpSolution& s, const KktSensitivity& sens, int t) {
        const Eigen::VectorXd w = random_vector(rng, p.num_variables());
        QpDataTangent grad;
        sens.adjoint(w, grad);
        const QpDataTangent d = random_direction(rng, p);
        const QpSolution plus = solve(perturbed(p, d, kStep), DenseQpOptions{}, ws);
        const QpSolution minus = solve(perturbed(p, d, -kStep), DenseQpOptions{}, ws);
        ASSERT_TRUE(plus.optimal() && minus.optimal());
        ASSERT_EQ(plus.row_active, s.row_active) << "trial " << t;
        const double fd = w.dot(plus.x - minus.x) / (2 * kStep);
        const double analytic = inner(grad, d);
        EXPECT_LE(std::abs(fd - analytic), 1e-5 * std::abs(analytic) + 1e-9) << "trial " << t;
        // Inactive rows get no gradient.
        for (int i = 0; i < p.num_rows(); ++i) {
          if (s.row_active[i] == ActiveSide::kInactive) {
            EXPECT_EQ(grad.dG.row(i).norm(), 0.0);
            EXPECT_EQ(grad.dlower[i], 0.0);
          }
        }
      });
  expect_enough(c);
}

TEST(KktSensitivity, AdjointIsTheTransposeOfTheForwardJacobian) {
  std::mt19937_64 rng(3);
  DenseQpWorkspace ws;
  int checked = 0;
  for (int trial = 0; trial < 20 && checked < 8; ++trial) {
    RandomQpSpec spec;
    spec.n = 4 + trial % 3;
    spec.m = 2 * spec.n;
    spec.equality_fraction = 0.2;
    const QpProblem p = random_qp(rng, spec);
    const QpSolution s = solve(p, DenseQpOptions{}, ws);
    KktSensitivity sens;
    if (!sens.factorize(p, s).usable()) continue;
    ++checked;
    const int n = spec.n;
    const int m = spec.m;
    std::vector<QpDataTangent> rows(n);
    for (int i = 0; i < n; ++i) sens.adjoint(Eigen::VectorXd::Unit(n, i), rows[i]);
    // Every unit direction of the data: forward column vs the matching adjoint entries.
    double worst = 0.0;
    double largest = 0.0;
    auto column = [&](QpDataTangent& d, auto&& entry) {
      Eigen::VectorXd dx;
      sens.forward(d, dx);
      for (int i = 0; i < n; ++i) {
        worst = std::max(worst, std::abs(dx[i] - entry(rows[i])));
        largest = std::max(largest, std::abs(dx[i]));
      }
    };
    QpDataTangent d = QpDataTangent::zero(n, m);
    for (int a = 0; a < n; ++a) {
      for (int b = 0; b < n; ++b) {
        d.dP(a, b) = 1.0;
        column(d, [&](const QpDataTangent& g) { return g.dP(a, b); });
        d.dP(a, b) = 0.0;
      }
      d.dc[a] = 1.0;
      column(d, [&](const QpDataTangent& g) { return g.dc[a]; });
      d.dc[a] = 0.0;
      d.dlb[a] = 1.0;
      column(d, [&](const QpDataTangent& g) { return g.dlb[a]; });
      d.dlb[a] = 0.0;
      d.dub[a] = 1.0;
      column(d, [&](const QpDataTangent& g) { return g.dub[a]; });
      d.dub[a] = 0.0;
    }
    for (int i = 0; i < m; ++i) {
      for (int b = 0; b < n; ++b) {
        d.dG(i, b) = 1.0;
        column(d, [&](const QpDataTangent& g) { return g.dG(i, b); });
        d.dG(i, b) = 0.0;
      }
      d.dlower[i] = 1.0;
      column(d, [&](const QpDataTangent& g) { return g.dlower[i]; });
      d.dlower[i] = 0.0;
      d.dupper[i] = 1.0;
      column(d, [&](const QpDataTangent& g) { return g.dupper[i]; });
      d.dupper[i] = 0.0;
    }
    EXPECT_GT(largest, 0.0);
    EXPECT_LE(worst, 1e-10 * std::max(1.0, largest)) << "trial " << trial;
  }
  EXPECT_EQ(checked, 8);
}

TEST(KktSensitivity, FlagsAWeaklyActiveConstraint) {
  // The unconstrained minimizer (1, 1) lies exactly on the row limit x1 <= 1: active with a zero multiplier.
  QpProblem p = QpProblem::unconstrained(2, 1);
  p.c << -1.0, -1.0;
  p.G << 1.0, 0.0;
  p.upper[0] = 1.0;
  DenseQpWorkspace ws;
  const QpSolution s = solve(p, DenseQpOptions{}, ws);
  ASSERT_TRUE(s.optimal());
  KktSensitivity sens;
  const KktDiagnostics& d = sens.factorize(p, s);
  EXPECT_TRUE(d.weakly_active);
  EXPECT_EQ(d.num_weakly_active, 1);
  EXPECT_TRUE(d.usable());
  EXPECT_FALSE(d.ok());
  // Moved off the limit, the same problem is clean.
  p.upper[0] = 0.5;
  EXPECT_TRUE(sens.factorize(p, solve(p, DenseQpOptions{}, ws)).ok());
}

TEST(KktSensitivity, FlagsARankDeficientActiveSet) {
  // The same equality twice: LICQ fails and no derivative exists.
  QpProblem p = QpProblem::unconstrained(2, 2);
  p.G << 1.0, 1.0, 2.0, 2.0;
  p.lower << 1.0, 2.0;
  p.upper = p.lower;
  DenseQpWorkspace ws;
  const QpSolution s = solve(p, DenseQpOptions{}, ws);
  ASSERT_TRUE(s.optimal());
  KktSensitivity sens;
  const KktDiagnostics& d = sens.factorize(p, s);
  EXPECT_TRUE(d.rank_deficient);
  EXPECT_EQ(d.num_active, 2);
  EXPECT_EQ(d.active_rank, 1);
  EXPECT_FALSE(d.usable());
}

TEST(KktSensitivity, FlagsAnIllConditionedKktMatrix) {
  // A narrow wedge: x1 <= 1 and x1 + eps x2 >= 1 meet at x = (1, 0), where the objective's gradient (1, -1)
  // needs multipliers of order 1/eps: both rows are strongly active, but K is nearly singular.
  constexpr double kEps = 1e-7;
  QpProblem p = QpProblem::unconstrained(2, 2);
  p.c << -2.0, 1.0;
  p.G << 1.0, 0.0, 1.0, kEps;
  p.upper[0] = 1.0;
  p.lower[1] = 1.0;
  DenseQpWorkspace ws;
  const QpSolution s = solve(p, DenseQpOptions{}, ws);
  ASSERT_TRUE(s.optimal());
  EXPECT_EQ(s.row_active[0], ActiveSide::kUpper);
  EXPECT_EQ(s.row_active[1], ActiveSide::kLower);
  KktSensitivity sens;
  const KktDiagnostics& d = sens.factorize(p, s);
  EXPECT_FALSE(d.rank_deficient);
  EXPECT_FALSE(d.weakly_active);
  EXPECT_TRUE(d.ill_conditioned);
  EXPECT_GT(d.condition_estimate, 1e12);
  // A well-separated pair is fine.
  p.G(1, 1) = 1.0;
  EXPECT_TRUE(sens.factorize(p, solve(p, DenseQpOptions{}, ws)).ok());
  EXPECT_LT(sens.diagnostics().condition_estimate, 1e3);
}

TEST(KktSensitivity, RefusesNonOptimalSolutions) {
  QpProblem p = QpProblem::unconstrained(2, 2);
  p.G << 1.0, 1.0, 1.0, 1.0;
  p.lower[0] = 2.0;
  p.upper[1] = 1.0;
  DenseQpWorkspace ws;
  const QpSolution s = solve(p, DenseQpOptions{}, ws);
  ASSERT_EQ(s.status, QpStatus::kInfeasible);
  KktSensitivity sens;
  EXPECT_TRUE(sens.factorize(p, s).not_optimal);
  EXPECT_FALSE(sens.diagnostics().usable());
  Eigen::VectorXd dx;
  EXPECT_DEATH(sens.forward(QpDataTangent::zero(2, 2), dx), "assertion");
}

}  // namespace
}  // namespace vvc::core
