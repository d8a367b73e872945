// The dense Goldfarb-Idnani solver against Ipopt on random QPs, the L1 soft variant against Ipopt on its
// slack formulation, and the Ipopt facade's own behaviour (NLP interface, warm start, serialization).
#include <gtest/gtest.h>

#include <Eigen/Cholesky>

#include <cmath>
#include <random>
#include <thread>
#include <vector>

#include "support/random_qp.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/core/qp/dense_qp.hpp"
#include "vvc/core/qp/ipopt.hpp"

namespace vvc::core {
namespace {

using testing::random_qp;
using testing::RandomQpSpec;
using testing::uniform;

// Adds degeneracy to a random problem: duplicated rows, and rows whose limit passes exactly through the
// unconstrained minimizer (active with a zero multiplier).
void make_degenerate(std::mt19937_64& rng, QpProblem& p) {
  const int m = p.num_rows();
  if (m < 2) return;
  // Duplicated equality rows violate LICQ for the equalities, which Ipopt does not handle (its multipliers
  // diverge); the dense solver does, but the cross-check needs both, so only inequality rows are duplicated.
  const int from = static_cast<int>(rng() % m);
  const int to = static_cast<int>(rng() % m);
  if (p.lower[from] == p.upper[from] || p.lower[to] == p.upper[to]) return;
  p.G.row(to) = p.G.row(from);
  p.lower[to] = p.lower[from];
  p.upper[to] = p.upper[from];
  const Eigen::VectorXd x_free = p.P.llt().solve(-p.c);
  const int k = static_cast<int>(rng() % m);
  if (k != to && k != from) {
    p.upper[k] = p.G.row(k).dot(x_free);
    p.lower[k] = std::min(p.lower[k], p.upper[k] - 1.0);
  }
}

TEST(IpoptCrossCheck, ThousandRandomFeasibleQpsAgree) {
  std::mt19937_64 rng(2026);
  DenseQpWorkspace ws;
  QpSolution dense;
  IpoptQpSolver ipopt;
  IpoptOptions options;
  options.tolerance = 1e-10;
  int degenerate = 0;
  int active_total = 0;
  for (int trial = 0; trial < 1000; ++trial) {
    RandomQpSpec spec;
    spec.n = 1 + static_cast<int>(rng() % 12);
    spec.m = static_cast<int>(rng() % (3 * spec.n + 1));
    spec.equality_fraction = trial % 5 == 0 ? 0.2 : 0.0;
    spec.bounded_fraction = uniform(rng, 0.0, 1.0);
    QpProblem p = random_qp(rng, spec);
    // The problem data must stay feasible: make_degenerate only copies rows or moves a limit of a row that is
    // not an equality down to the unconstrained minimizer, which may cut off the known point; keep those only
    // when the dense solver still finds them feasible.
    if (trial % 10 == 0) {
      QpProblem q = p;
      make_degenerate(rng, q);
      if (solve(q, DenseQpOptions{}, ws).optimal()) {
        p = q;
        ++degenerate;
      }
    }
    solve(p, DenseQpOptions{}, ws, dense);
    ASSERT_EQ(dense.status, QpStatus::kOptimal) << "trial " << trial;
    const IpoptQpSolver::Result r = ipopt.solve(p, options);
    ASSERT_EQ(r.status.status, QpStatus::kOptimal) << "trial " << trial << " raw " << r.status.raw;
    const double scale = 1.0 + dense.x.lpNorm<Eigen::Infinity>();
    EXPECT_LT((dense.x - r.x).lpNorm<Eigen::Infinity>(), 1e-6 * scale) << "trial " << trial;
    EXPECT_NEAR(dense.objective, r.objective, 1e-6 * (1.0 + std::abs(dense.objective))) << "trial " << trial;
    for (ActiveSide a : dense.row_active) active_total += a != ActiveSide::kInactive;
    for (ActiveSide a : dense.bound_active) active_total += a != ActiveSide::kInactive;
  }
  EXPECT_GE(degenerate, 50);
  EXPECT_GE(active_total, 1000);  // the problems really exercise active constraints
}

TEST(IpoptCrossCheck, MultipliersFollowTheSameConvention) {
  std::mt19937_64 rng(99);
  DenseQpWorkspace ws;
  IpoptQpSolver ipopt;
  IpoptOptions options;
  options.tolerance = 1e-10;
  for (int trial = 0; trial < 50; ++trial) {
    RandomQpSpec spec;
    spec.n = 6;
    spec.m = 12;
    const QpProblem p = random_qp(rng, spec);
    const QpSolution dense = solve(p, DenseQpOptions{}, ws);
    const IpoptQpSolver::Result r = ipopt.solve(p, options);
    ASSERT_TRUE(dense.optimal() && r.status.status == QpStatus::kOptimal);
    const double scale = 1.0 + dense.y.lpNorm<Eigen::Infinity>() + dense.z.lpNorm<Eigen::Infinity>();
    EXPECT_LT((dense.y - r.y).lpNorm<Eigen::Infinity>(), 1e-5 * scale) << "trial " << trial;
    EXPECT_LT((dense.z - r.z).lpNorm<Eigen::Infinity>(), 1e-5 * scale) << "trial " << trial;
  }
}

TEST(IpoptCrossCheck, InfeasibleRandomProblemsAreDetectedByBoth) {
  std::mt19937_64 rng(404);
  DenseQpWorkspace ws;
  IpoptQpSolver ipopt;
  for (int trial = 0; trial < 40; ++trial) {
    RandomQpSpec spec;
    spec.n = 2 + trial % 6;
    spec.m = 4 + 2 * spec.n;
    spec.one_sided_fraction = 0.0;
    QpProblem p = random_qp(rng, spec);
    // Contradiction: three rows bounded below and their sum bounded above below the sum of those bounds, or a
    // row beyond what the variable bounds allow.
    if (trial % 2 == 0) {
      for (int i = 0; i < 3; ++i) p.upper[i] = kInfinity;
      p.G.row(3) = p.G.topRows(3).colwise().sum();
      p.lower[3] = -kInfinity;
      p.upper[3] = p.lower.head(3).sum() - uniform(rng, 0.01, 1.0);
    } else {
      p.lb.setConstant(-1.0);
      p.ub.setConstant(1.0);
      p.G.row(0).setOnes();
      p.lower[0] = spec.n + 0.5;
      p.upper[0] = kInfinity;
    }
    EXPECT_EQ(solve(p, DenseQpOptions{}, ws).status, QpStatus::kInfeasible) << "trial " << trial;
    const IpoptQpSolver::Result r = ipopt.solve(p, IpoptOptions{});
    EXPECT_EQ(r.status.status, QpStatus::kInfeasible) << "trial " << trial << " raw " << r.status.raw;
  }
}

// The L1 problem as an explicit slack QP (semidefinite, which Ipopt accepts).
QpProblem slack_form(const QpProblem& p, double rho) {
  const int n = p.num_variables();
  const int m = p.num_rows();
  QpProblem a = QpProblem::unconstrained(n + m, 2 * m);
  a.P.setZero();
  a.P.topLeftCorner(n, n) = p.P;
  a.c << p.c, Eigen::VectorXd::Constant(m, rho);
  a.G.setZero();
  a.G.topLeftCorner(m, n) = p.G;
  a.G.bottomLeftCorner(m, n) = p.G;
  a.G.topRightCorner(m, m).diagonal().setConstant(-1.0);
  a.G.bottomRightCorner(m, m).diagonal().setConstant(1.0);
  a.upper.head(m) = p.upper;
  a.lower.tail(m) = p.lower;
  a.lb << p.lb, Eigen::VectorXd::Zero(m);
  a.ub << p.ub, Eigen::VectorXd::Constant(m, kInfinity);
  return a;
}

TEST(SoftQp, EqualsTheHardSolutionWhenFeasible) {
  std::mt19937_64 rng(8);
  DenseQpWorkspace ws;
  SoftQpWorkspace soft_ws;
  for (int trial = 0; trial < 100; ++trial) {
    RandomQpSpec spec;
    spec.n = 2 + trial % 9;
    spec.m = 3 * spec.n;
    const QpProblem p = random_qp(rng, spec);
    const QpSolution hard = solve(p, DenseQpOptions{}, ws);
    ASSERT_TRUE(hard.optimal());
    if (hard.y.lpNorm<Eigen::Infinity>() >= 1e3) continue;  // rho = 1e4 must exceed the multipliers
    const SoftQpSolution soft = solve_soft(p, SoftQpOptions{}, soft_ws);
    ASSERT_TRUE(soft.qp.optimal());
    EXPECT_EQ(soft.num_relaxed, 0) << "trial " << trial;
    EXPECT_TRUE(soft.polished);
    EXPECT_LT((soft.qp.x - hard.x).lpNorm<Eigen::Infinity>(), 1e-9) << "trial " << trial;
    EXPECT_LT((soft.qp.y - hard.y).lpNorm<Eigen::Infinity>(),
              1e-7 * (1.0 + hard.y.lpNorm<Eigen::Infinity>()));
    EXPECT_LT(soft.violation.lpNorm<Eigen::Infinity>(), 1e-9);
  }
}

TEST(SoftQp, InfeasibleProblemsMatchIpoptOnTheSlackFormulation) {
  std::mt19937_64 rng(17);
  SoftQpWorkspace soft_ws;
  DenseQpWorkspace ws;
  IpoptQpSolver ipopt;
  IpoptOptions options;
  options.tolerance = 1e-10;
  int relaxed_cases = 0;
  for (int trial = 0; trial < 60; ++trial) {
    RandomQpSpec spec;
    spec.n = 2 + trial % 5;
    spec.m = 3 * spec.n;
    QpProblem p = random_qp(rng, spec);
    // Voltage-like limits that cannot all hold: a row pushed beyond what another copy of it allows.
    p.G.row(1) = p.G.row(0);
    p.lower[0] = -kInfinity;
    p.upper[0] = p.G.row(0).dot(Eigen::VectorXd::Zero(spec.n)) - 0.2;
    p.lower[1] = p.upper[0] + uniform(rng, 0.1, 1.0);
    p.upper[1] = kInfinity;
    SoftQpOptions soft_options;
    soft_options.rho = uniform(rng, 0.5, 20.0);
    ASSERT_EQ(solve(p, DenseQpOptions{}, ws).status, QpStatus::kInfeasible);
    const SoftQpSolution soft = solve_soft(p, soft_options, soft_ws);
    ASSERT_TRUE(soft.qp.optimal()) << "trial " << trial;
    EXPECT_GE(soft.num_relaxed, 1);
    EXPECT_TRUE(soft.polished) << "trial " << trial;
    relaxed_cases += soft.num_relaxed > 0;
    const IpoptQpSolver::Result r = ipopt.solve(slack_form(p, soft_options.rho), options);
    ASSERT_EQ(r.status.status, QpStatus::kOptimal) << "trial " << trial;
    EXPECT_LT((soft.qp.x - r.x.head(spec.n)).lpNorm<Eigen::Infinity>(), 1e-6) << "trial " << trial;
    // Ipopt relaxes bounds by 1e-8 (bound_relax_factor), so its own objective value is slightly optimistic:
    // compare with the L1 objective at its x.
    const Eigen::VectorXd xi = r.x.head(spec.n);
    const Eigen::VectorXd gx = p.G * xi;
    double ipopt_objective = 0.5 * xi.dot(p.P * xi) + p.c.dot(xi);
    for (int i = 0; i < spec.m; ++i) {
      ipopt_objective += soft_options.rho * std::max({0.0, gx[i] - p.upper[i], p.lower[i] - gx[i]});
    }
    EXPECT_NEAR(soft.qp.objective, ipopt_objective, 1e-7 * (1.0 + std::abs(ipopt_objective)))
        << "trial " << trial;
    EXPECT_LE(soft.qp.objective, ipopt_objective + 1e-12 * (1.0 + std::abs(ipopt_objective)));
    for (int i = 0; i < spec.m; ++i) {
      EXPECT_NEAR(soft.violation[i], r.x[spec.n + i], 1e-6) << "trial " << trial << " row " << i;
      if (soft.relaxed[i] != ActiveSide::kInactive) {
        EXPECT_NEAR(std::abs(soft.qp.y[i]), soft_options.rho, 1e-12);
      }
    }
  }
  EXPECT_EQ(relaxed_cases, 60);
}

double l1_objective(const QpProblem& p, const Eigen::VectorXd& x, double rho) {
  const Eigen::VectorXd gx = p.G * x;
  double value = 0.5 * x.dot(p.P * x) + p.c.dot(x);
  for (int i = 0; i < p.num_rows(); ++i)
    value += rho * std::max({0.0, gx[i] - p.upper[i], p.lower[i] - gx[i]});
  return value;
}

TEST(SoftQp, UnpolishedFallbackStaysWithinItsErrorBound) {
  // A large slack regularization delta (and crossed rows, lower > upper, whose penalty sits at a kink) defeat
  // the polish. The regularized solution minimizes L1 + delta/2 |s|^2, so its L1 objective exceeds the
  // optimum L1* by at most delta/2 |s*|^2.
  std::mt19937_64 rng(23);
  SoftQpWorkspace soft_ws;
  IpoptQpSolver ipopt;
  IpoptOptions options;
  options.tolerance = 1e-10;
  int unpolished = 0;
  for (int trial = 0; trial < 40; ++trial) {
    RandomQpSpec spec;
    spec.n = 2 + trial % 5;
    spec.m = 3 * spec.n;
    QpProblem p = random_qp(rng, spec);
    for (int i = 0; i < spec.m; ++i) {
      p.lower[i] += 0.2;
      p.upper[i] -= 0.2;
    }
    SoftQpOptions soft_options;
    soft_options.rho = uniform(rng, 0.5, 5.0);
    soft_options.slack_regularization = 1.0;
    const SoftQpSolution soft = solve_soft(p, soft_options, soft_ws);
    ASSERT_TRUE(soft.qp.optimal()) << "trial " << trial;
    const IpoptQpSolver::Result r = ipopt.solve(slack_form(p, soft_options.rho), options);
    ASSERT_EQ(r.status.status, QpStatus::kOptimal) << "trial " << trial;
    const double exact = l1_objective(p, r.x.head(spec.n), soft_options.rho);
    const double delta = soft_options.slack_regularization * std::max(1.0, p.P.diagonal().maxCoeff());
    const double bound = 0.5 * delta * r.x.tail(spec.m).squaredNorm();
    const double tol = 1e-7 * (1.0 + std::abs(exact));
    EXPECT_NEAR(soft.qp.objective, l1_objective(p, soft.qp.x, soft_options.rho),
                1e-9 * (1.0 + std::abs(exact)));
    EXPECT_GE(soft.qp.objective, exact - tol) << "trial " << trial;
    EXPECT_LE(soft.qp.objective, exact + bound + tol) << "trial " << trial;
    if (soft.polished) {
      EXPECT_NEAR(soft.qp.objective, exact, tol) << "trial " << trial;
    } else {
      ++unpolished;
    }
    EXPECT_LE((soft.qp.x.array() - p.ub.array()).maxCoeff(), 1e-9);
    EXPECT_GE((soft.qp.x.array() - p.lb.array()).minCoeff(), -1e-9);
  }
  EXPECT_GE(unpolished, 5);
}

// Hock-Schittkowski problem 71, Ipopt's own example: f* = 17.0140173 at (1, 4.743, 3.82115, 1.37941).
NlpProblem hs071(bool with_hessian) {
  NlpProblem p;
  p.n = 4;
  p.m = 2;
  p.x_lower = Eigen::VectorXd::Constant(4, 1.0);
  p.x_upper = Eigen::VectorXd::Constant(4, 5.0);
  p.g_lower = Eigen::Vector2d(25.0, 40.0);
  p.g_upper = Eigen::Vector2d(kInfinity, 40.0);
  p.x0 = Eigen::Vector4d(1.0, 5.0, 5.0, 1.0);
  p.objective = [](const Eigen::VectorXd& x) { return x[0] * x[3] * (x[0] + x[1] + x[2]) + x[2]; };
  p.gradient = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    g[0] = x[0] * x[3] + x[3] * (x[0] + x[1] + x[2]);
    g[1] = x[0] * x[3];
    g[2] = x[0] * x[3] + 1.0;
    g[3] = x[0] * (x[0] + x[1] + x[2]);
  };
  p.constraints = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    g[0] = x.prod();
    g[1] = x.squaredNorm();
  };
  p.jacobian = [](const Eigen::VectorXd& x, Eigen::VectorXd& v) {
    v << x[1] * x[2] * x[3], x[0] * x[2] * x[3], x[0] * x[1] * x[3], x[0] * x[1] * x[2], 2 * x[0], 2 * x[1],
        2 * x[2], 2 * x[3];
  };
  if (with_hessian) {
    p.hessian = [](const Eigen::VectorXd& x, double f, const Eigen::VectorXd& l, Eigen::VectorXd& v) {
      // Dense lower triangle, row-major: (0,0) (1,0) (1,1) (2,0) (2,1) (2,2) (3,0) (3,1) (3,2) (3,3).
      v << f * 2 * x[3] + 2 * l[1], f * x[3] + l[0] * x[2] * x[3], 2 * l[1], f * x[3] + l[0] * x[1] * x[3],
          l[0] * x[0] * x[3], 2 * l[1], f * (2 * x[0] + x[1] + x[2]) + l[0] * x[1] * x[2],
          f * x[0] + l[0] * x[0] * x[2], f * x[0] + l[0] * x[0] * x[1], 2 * l[1];
    };
  }
  return p;
}

TEST(IpoptNlp, SolvesHs071WithExactAndQuasiNewtonHessians) {
  for (bool exact : {true, false}) {
    const NlpResult r = solve_nlp(hs071(exact), IpoptOptions{});
    ASSERT_EQ(r.status.status, QpStatus::kOptimal) << "raw " << r.status.raw;
    EXPECT_NEAR(r.objective, 17.0140173, 1e-6);
    EXPECT_NEAR(r.x[0], 1.0, 1e-6);
    EXPECT_NEAR(r.x[1], 4.7429994, 1e-6);
    EXPECT_NEAR(r.x[2], 3.8211503, 1e-6);
    EXPECT_NEAR(r.x[3], 1.3794082, 1e-6);
    // Ipopt's convention grad f + J'lambda - z_L + z_U = 0.
    Eigen::VectorXd grad(4);
    hs071(exact).gradient(r.x, grad);
    Eigen::VectorXd jac(8);
    hs071(exact).jacobian(r.x, jac);
    const Eigen::Matrix<double, 2, 4, Eigen::RowMajor> j(jac.data());
    EXPECT_LT((grad + j.transpose() * r.lambda - r.z_lower + r.z_upper).norm(), 1e-6);
  }
}

TEST(IpoptNlp, WarmStartFromTheSolutionTakesFewerIterations) {
  const NlpProblem p = hs071(true);
  const NlpResult cold = solve_nlp(p, IpoptOptions{});
  ASSERT_EQ(cold.status.status, QpStatus::kOptimal);
  const NlpStart start{cold.x, cold.lambda, cold.z_lower, cold.z_upper};
  IpoptOptions warm;
  warm.warm_start = true;
  const NlpResult hot = solve_nlp(p, warm, &start);
  ASSERT_EQ(hot.status.status, QpStatus::kOptimal);
  EXPECT_LT(hot.status.iterations, cold.status.iterations);
  EXPECT_NEAR(hot.objective, cold.objective, 1e-7);
}

TEST(IpoptNlp, RejectsInconsistentProblems) {
  NlpProblem p = hs071(true);
  p.g_lower.resize(3);
  EXPECT_THROW(solve_nlp(p, IpoptOptions{}), InputError);
  NlpProblem q = hs071(true);
  q.hessian_structure = {{0, 1}};
  EXPECT_THROW(solve_nlp(q, IpoptOptions{}), InputError);
}

TEST(IpoptNlp, ConcurrentCallersAreSerializedAndCorrect) {
  // Without the process-wide mutex this crashes inside MUMPS (DEPENDENCIES.md 1.5).
  std::vector<double> objectives(2 * 20, 0.0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([t, &objectives] {
      IpoptQpSolver qp_solver;
      std::mt19937_64 rng(100 + t);
      for (int k = 0; k < 20; ++k) {
        if (k % 2 == 0) {
          objectives[t * 20 + k] = solve_nlp(hs071(true), IpoptOptions{}).objective;
        } else {
          RandomQpSpec spec;
          const QpProblem p = random_qp(rng, spec);
          DenseQpWorkspace ws;
          objectives[t * 20 + k] = qp_solver.solve(p, IpoptOptions{}).objective - solve(p, {}, ws).objective;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int k = 0; k < 40; ++k) {
    if (k % 2 == 0) {
      EXPECT_NEAR(objectives[k], 17.0140173, 1e-6);
    } else {
      EXPECT_NEAR(objectives[k], 0.0, 1e-6);
    }
  }
}

TEST(IpoptQp, WarmStartReducesIterations) {
  std::mt19937_64 rng(31);
  RandomQpSpec spec;
  spec.n = 30;
  spec.m = 100;
  QpProblem p = random_qp(rng, spec);
  IpoptQpSolver cold_solver;
  IpoptQpSolver warm_solver;
  IpoptOptions warm;
  warm.warm_start = true;
  int cold_iterations = 0;
  int warm_iterations = 0;
  DenseQpWorkspace ws;
  for (int step = 0; step < 10; ++step) {
    p.c += testing::random_vector(rng, spec.n, 0.01);
    const auto cold = cold_solver.solve(p, IpoptOptions{});
    const auto hot = warm_solver.solve(p, warm);
    ASSERT_EQ(hot.status.status, QpStatus::kOptimal);
    EXPECT_LT((hot.x - solve(p, {}, ws).x).lpNorm<Eigen::Infinity>(), 1e-6);
    cold_iterations += cold.status.iterations;
    if (step > 0) warm_iterations += hot.status.iterations;
    if (step == 0) cold_iterations = 0;
  }
  EXPECT_LT(warm_iterations, cold_iterations);
}

}  // namespace
}  // namespace vvc::core
