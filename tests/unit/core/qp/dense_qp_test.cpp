#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <thread>
#include <vector>

#include "support/random_qp.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/core/qp/dense_qp.hpp"

namespace vvc::core {
namespace {

using testing::kkt_residual;
using testing::random_qp;
using testing::RandomQpSpec;

// min 1/2|x|^2 - 4(x1 + x2)  s.t.  x1 + x2 <= 1,  x >= 0:  x = (1/2, 1/2), y = 3.5 (upper side active).
QpProblem simple_problem() {
  QpProblem p = QpProblem::unconstrained(2, 1);
  p.c << -4.0, -4.0;
  p.G << 1.0, 1.0;
  p.upper[0] = 1.0;
  p.lb.setZero();
  return p;
}

TEST(DenseQp, SolvesASmallProblemWithTheDocumentedSigns) {
  DenseQpWorkspace ws;
  const QpSolution s = solve(simple_problem(), DenseQpOptions{}, ws);
  ASSERT_EQ(s.status, QpStatus::kOptimal);
  EXPECT_NEAR(s.x[0], 0.5, 1e-14);
  EXPECT_NEAR(s.x[1], 0.5, 1e-14);
  EXPECT_NEAR(s.y[0], 3.5, 1e-14);
  EXPECT_EQ(s.row_active[0], ActiveSide::kUpper);
  EXPECT_EQ(s.bound_active[0], ActiveSide::kInactive);
  EXPECT_NEAR(s.objective, 0.25 - 4.0, 1e-14);
}

TEST(DenseQp, LowerSideAndBoundMultipliersAreNegative) {
  // min 1/2|x|^2 + 4(x1 + x2)  s.t.  x1 + x2 >= -1,  x1 >= 0:  x = (0, -1), y = -3 (lower), z1 = -1 (lower).
  QpProblem p = QpProblem::unconstrained(2, 1);
  p.c << 4.0, 4.0;
  p.G << 1.0, 1.0;
  p.lower[0] = -1.0;
  p.lb[0] = 0.0;
  DenseQpWorkspace ws;
  const QpSolution s = solve(p, DenseQpOptions{}, ws);
  ASSERT_EQ(s.status, QpStatus::kOptimal);
  EXPECT_NEAR(s.x[0], 0.0, 1e-14);
  EXPECT_NEAR(s.x[1], -1.0, 1e-14);
  EXPECT_NEAR(s.y[0], -3.0, 1e-13);
  EXPECT_NEAR(s.z[0], -1.0, 1e-13);
  EXPECT_EQ(s.row_active[0], ActiveSide::kLower);
  EXPECT_EQ(s.bound_active[0], ActiveSide::kLower);
}

TEST(DenseQp, EqualityRowsAndFixedVariables) {
  QpProblem p = QpProblem::unconstrained(3, 1);
  p.c << 1.0, 2.0, 3.0;
  p.G << 1.0, 1.0, 1.0;
  p.lower[0] = p.upper[0] = 2.0;
  p.lb[2] = p.ub[2] = 0.5;
  DenseQpWorkspace ws;
  const QpSolution s = solve(p, DenseQpOptions{}, ws);
  ASSERT_EQ(s.status, QpStatus::kOptimal);
  EXPECT_NEAR(s.x.sum(), 2.0, 1e-13);
  EXPECT_NEAR(s.x[2], 0.5, 1e-14);
  EXPECT_EQ(s.row_active[0], ActiveSide::kEquality);
  EXPECT_EQ(s.bound_active[2], ActiveSide::kEquality);
  EXPECT_LT(kkt_residual(p, s), 1e-12);
}

TEST(DenseQp, RedundantEqualitiesAreAccepted) {
  QpProblem p = QpProblem::unconstrained(2, 2);
  p.G << 1.0, 1.0, 2.0, 2.0;
  p.lower << 1.0, 2.0;
  p.upper = p.lower;
  DenseQpWorkspace ws;
  const QpSolution s = solve(p, DenseQpOptions{}, ws);
  ASSERT_EQ(s.status, QpStatus::kOptimal);
  EXPECT_NEAR(s.x[0], 0.5, 1e-14);
  EXPECT_EQ(s.row_active[1], ActiveSide::kEquality);
  EXPECT_LT(kkt_residual(p, s), 1e-12);
}

TEST(DenseQp, RandomProblemsSatisfyKkt) {
  std::mt19937_64 rng(7);
  DenseQpWorkspace ws;
  QpSolution s;
  for (int trial = 0; trial < 300; ++trial) {
    RandomQpSpec spec;
    spec.n = 1 + trial % 12;
    spec.m = trial % 3 == 0 ? 0 : static_cast<int>(rng() % (3 * spec.n + 1));
    spec.equality_fraction = trial % 4 == 0 ? 0.2 : 0.0;
    const QpProblem p = random_qp(rng, spec);
    solve(p, DenseQpOptions{}, ws, s);
    ASSERT_EQ(s.status, QpStatus::kOptimal) << "trial " << trial;
    EXPECT_LT(kkt_residual(p, s), 1e-9) << "trial " << trial;
  }
}

// An episode's steps: G and P stay, c and the limits move a little, so the active set mostly stays and the warm
// start takes over the factors the previous solve ended with. That must give, up to rounding, what imposing the
// set again gives, and the changes that must stop it (G, P, an active limit becoming infinite, an equality
// appearing) must stop it.
TEST(DenseQp, WarmStartFromTheKeptFactorsAgreesWithImposingTheSetAgain) {
  std::mt19937_64 rng(5);
  RandomQpSpec spec;
  spec.n = 12;
  spec.m = 30;
  QpProblem p = random_qp(rng, spec);
  DenseQpWorkspace reused_ws;
  DenseQpWorkspace imposed_ws;
  DenseQpOptions reused;
  reused.warm_start = true;
  DenseQpOptions imposed = reused;
  imposed.reuse_warm_start_factors = false;
  int unchanged_active_sets = 0;
  int optimal_solves = 0;
  long expected_reuses = 0;
  bool previous_optimal = false;
  std::vector<ActiveSide> last_rows, last_bounds;
  Eigen::VectorXd last_x;
  for (int step = 0; step < 60; ++step) {
    p.c += testing::random_vector(rng, spec.n, 0.01);
    p.upper.array() += testing::uniform(rng, -0.002, 0.002);
    // Now and then what the factors depend on changes: G, P, a limit's finiteness, a fixed variable.
    bool factors_changed = true;
    if (step % 13 == 6) {
      p.G(step % spec.m, step % spec.n) += 0.05;
    } else if (step % 17 == 8) {
      p.P(step % spec.n, step % spec.n) += 0.05;
    } else if (step % 19 == 9 && !last_rows.empty()) {
      // Leaves the factors as they are unless the row's upper side was active.
      const int i = step % spec.m;
      p.upper[i] = kInfinity;
      factors_changed = last_rows[static_cast<size_t>(i)] == ActiveSide::kUpper;
    } else if (step % 23 == 11 && !last_rows.empty()) {
      const int j = step % spec.n;
      p.lb[j] = p.ub[j] = last_x[j];
    } else {
      factors_changed = false;
    }
    if (previous_optimal && !factors_changed) ++expected_reuses;
    const QpSolution a = solve(p, reused, reused_ws);
    const QpSolution b = solve(p, imposed, imposed_ws);
    ASSERT_EQ(a.status, b.status) << "step " << step;
    previous_optimal = a.optimal();
    EXPECT_EQ(a.iterations, b.iterations) << "step " << step;
    EXPECT_EQ(a.row_active, b.row_active) << "step " << step;
    EXPECT_EQ(a.bound_active, b.bound_active) << "step " << step;
    if (!a.optimal()) continue;
    ++optimal_solves;
    EXPECT_LT((a.x - b.x).lpNorm<Eigen::Infinity>(), 1e-12) << "step " << step;
    EXPECT_LT((a.y - b.y).lpNorm<Eigen::Infinity>(), 1e-10) << "step " << step;
    EXPECT_LT((a.z - b.z).lpNorm<Eigen::Infinity>(), 1e-10) << "step " << step;
    EXPECT_LT(kkt_residual(p, a), 1e-9) << "step " << step;
    if (a.row_active == last_rows && a.bound_active == last_bounds) ++unchanged_active_sets;
    last_rows = a.row_active;
    last_bounds = a.bound_active;
    last_x = a.x;
  }
  EXPECT_GT(optimal_solves, 50);
  EXPECT_GT(unchanged_active_sets, 30);
  // Every warm start after an optimal solve of the same P and G with the same limits' pattern takes over the
  // factors that solve ended with; the other warm starts impose their set.
  EXPECT_EQ(reused_ws.factor_reuses(), expected_reuses);
  EXPECT_EQ(imposed_ws.factor_reuses(), 0);
}

TEST(DenseQp, WarmStartGivesTheSameSolution) {
  std::mt19937_64 rng(11);
  RandomQpSpec spec;
  spec.n = 10;
  spec.m = 40;
  QpProblem p = random_qp(rng, spec);
  DenseQpWorkspace cold_ws;
  DenseQpWorkspace warm_ws;
  DenseQpOptions warm;
  warm.warm_start = true;
  int cold_iterations = 0;
  int warm_iterations = 0;
  for (int step = 0; step < 40; ++step) {
    p.c += testing::random_vector(rng, spec.n, 0.05);
    p.upper.array() += testing::uniform(rng, -0.02, 0.02);
    // Now and then the data that the factor reuse depends on changes too: G, P, the equality pattern.
    if (step % 7 == 3) p.G(step % spec.m, step % spec.n) += 0.1;
    if (step % 11 == 5) p.P.diagonal().array() += 0.05;
    if (step % 9 == 4) {
      const int i = step % spec.m;
      const double v = std::isfinite(p.upper[i]) ? p.upper[i] : p.lower[i];
      if (std::isfinite(v)) p.lower[i] = p.upper[i] = v;
    }
    if (step % 9 == 6) p.lower[(step - 2) % spec.m] -= 0.5;
    const QpSolution cold = solve(p, DenseQpOptions{}, cold_ws);
    const QpSolution hot = solve(p, warm, warm_ws);
    ASSERT_EQ(cold.status, hot.status) << "step " << step;
    if (!cold.optimal()) continue;
    EXPECT_LT((cold.x - hot.x).lpNorm<Eigen::Infinity>(), 1e-10);
    EXPECT_LT((cold.y - hot.y).lpNorm<Eigen::Infinity>(), 1e-8);
    EXPECT_EQ(cold.row_active, hot.row_active);
    cold_iterations += cold.iterations;
    warm_iterations += hot.iterations;
  }
  EXPECT_LE(warm_iterations, cold_iterations);
}

TEST(DenseQp, DetectsInfeasibility) {
  DenseQpWorkspace ws;
  {  // x1 + x2 >= 2 and x1 + x2 <= 1 as two rows
    QpProblem p = QpProblem::unconstrained(2, 2);
    p.G << 1.0, 1.0, 1.0, 1.0;
    p.lower[0] = 2.0;
    p.upper[1] = 1.0;
    EXPECT_EQ(solve(p, DenseQpOptions{}, ws).status, QpStatus::kInfeasible);
  }
  {  // crossed limits on one row
    QpProblem p = QpProblem::unconstrained(2, 1);
    p.G << 1.0, 0.0;
    p.lower[0] = 1.0;
    p.upper[0] = 0.0;
    EXPECT_EQ(solve(p, DenseQpOptions{}, ws).status, QpStatus::kInfeasible);
  }
  {  // rows against bounds: x1 + x2 >= 3 with x <= 1
    QpProblem p = QpProblem::unconstrained(2, 1);
    p.G << 1.0, 1.0;
    p.lower[0] = 3.0;
    p.ub.setOnes();
    EXPECT_EQ(solve(p, DenseQpOptions{}, ws).status, QpStatus::kInfeasible);
  }
  {  // contradicting equalities
    QpProblem p = QpProblem::unconstrained(2, 2);
    p.G << 1.0, 1.0, 1.0, 1.0;
    p.lower << 1.0, 2.0;
    p.upper = p.lower;
    EXPECT_EQ(solve(p, DenseQpOptions{}, ws).status, QpStatus::kInfeasible);
  }
}

TEST(DenseQp, ReportsNonConvexityAndIterationLimit) {
  DenseQpWorkspace ws;
  QpProblem p = simple_problem();
  p.P(1, 1) = -1.0;
  EXPECT_EQ(solve(p, DenseQpOptions{}, ws).status, QpStatus::kNotConvex);

  std::mt19937_64 rng(3);
  RandomQpSpec spec;
  spec.n = 8;
  spec.m = 30;
  const QpProblem q = random_qp(rng, spec);
  DenseQpOptions limited;
  limited.max_iterations = 1;
  const QpSolution full = solve(q, DenseQpOptions{}, ws);
  ASSERT_GT(full.iterations, 1);
  EXPECT_EQ(solve(q, limited, ws).status, QpStatus::kIterationLimit);
}

TEST(DenseQp, RejectsInconsistentInput) {
  DenseQpWorkspace ws;
  QpProblem p = simple_problem();
  p.lower.resize(2);
  EXPECT_THROW(solve(p, DenseQpOptions{}, ws), InputError);
  QpProblem q = simple_problem();
  q.c[0] = std::nan("");
  EXPECT_THROW(solve(q, DenseQpOptions{}, ws), InputError);
  QpProblem r = simple_problem();
  r.lower[0] = kInfinity;
  EXPECT_THROW(solve(r, DenseQpOptions{}, ws), InputError);
}

TEST(DenseQp, RejectsNonFiniteMatricesAfterSolvesThatKeptTheirCopies) {
  DenseQpWorkspace ws;
  DenseQpOptions warm;
  warm.warm_start = true;
  const QpProblem p = simple_problem();
  ASSERT_TRUE(solve(p, warm, ws).optimal());
  ASSERT_TRUE(solve(p, warm, ws).optimal());
  QpProblem nan_p = p;
  nan_p.P(0, 0) = std::nan("");
  EXPECT_THROW(solve(nan_p, warm, ws), InputError);
  QpProblem inf_g = p;
  inf_g.G(0, 0) = kInfinity;
  EXPECT_THROW(solve(inf_g, warm, ws), InputError);
  EXPECT_TRUE(solve(p, warm, ws).optimal());
}

TEST(DenseQp, ThreadsWithTheirOwnWorkspacesAgreeWithSerialSolves) {
  std::mt19937_64 rng(5);
  std::vector<QpProblem> problems;
  for (int i = 0; i < 200; ++i) {
    RandomQpSpec spec;
    spec.n = 3 + i % 8;
    spec.m = 4 * spec.n;
    problems.push_back(random_qp(rng, spec));
  }
  std::vector<Eigen::VectorXd> serial(problems.size());
  DenseQpWorkspace ws;
  for (size_t i = 0; i < problems.size(); ++i) serial[i] = solve(problems[i], DenseQpOptions{}, ws).x;
  std::vector<Eigen::VectorXd> parallel(problems.size());
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      DenseQpWorkspace own;
      for (size_t i = t; i < problems.size(); i += 2)
        parallel[i] = solve(problems[i], DenseQpOptions{}, own).x;
    });
  }
  for (auto& thread : threads) thread.join();
  for (size_t i = 0; i < problems.size(); ++i) EXPECT_EQ(serial[i], parallel[i]);
}

}  // namespace
}  // namespace vvc::core
