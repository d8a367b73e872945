// Per-solve cost of the dense Goldfarb-Idnani solver against Ipopt (warm-started) on DiffOP-shaped QPs, and
// the cost of the adjoint KKT sensitivity. Reports numbers only; nothing here asserts on time.
//
// The problems: a 26-bus radial feeder with three inverters (buses 9, 18, 26) and the linearized voltage
// model v = v0 + X q, X_ij = reactance of the common path from the substation to buses i and j. Per control
// step the QP is
//   minimize 1/2 q'(0.1 I)q + 0.01 * 1'q + ramp   s.t.  0.95 - v0 <= X q <= 1.05 - v0,  |q| <= 0.3,
// i.e. n = 3, m = 26 for a horizon H = 1, and n = 30, m = 260 for H = 10 (block-diagonal rows, a ramp penalty
// coupling consecutive steps in P). The solar profile v0 moves slowly along a day, so consecutive solves are
// similar and the warm starts (dense: previous active set; Ipopt: previous primal-dual point) apply.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "vvc/core/qp/dense_qp.hpp"
#include "vvc/core/qp/ipopt.hpp"
#include "vvc/core/qp/kkt_sensitivity.hpp"

namespace {

using vvc::core::QpProblem;

constexpr int kBuses = 26;
constexpr int kScenarios = 96;

Eigen::MatrixXd feeder_sensitivity() {
  const int inverters[3] = {8, 17, 25};
  Eigen::MatrixXd x(kBuses, 3);
  for (int i = 0; i < kBuses; ++i) {
    for (int k = 0; k < 3; ++k) x(i, k) = 0.004 * (std::min(i, inverters[k]) + 1);
  }
  return x;
}

// Bus voltages without reactive support at a point `t` in [0, 1] of the day: a PV bulge at noon.
Eigen::VectorXd base_voltage(double t) {
  Eigen::VectorXd v(kBuses);
  const double sun = std::max(0.0, std::sin(M_PI * t));
  for (int i = 0; i < kBuses; ++i) v[i] = 1.0 + 0.0008 * i + 0.003 * sun * i;
  return v;
}

std::vector<QpProblem> scenarios(int horizon) {
  const Eigen::MatrixXd x = feeder_sensitivity();
  const int n = 3 * horizon;
  const int m = kBuses * horizon;
  std::vector<QpProblem> out;
  for (int s = 0; s < kScenarios; ++s) {
    QpProblem p = QpProblem::unconstrained(n, m);
    p.P.setZero();
    p.G.setZero();
    for (int h = 0; h < horizon; ++h) {
      const Eigen::VectorXd v0 = base_voltage((s + h) / static_cast<double>(kScenarios));
      p.P.block(3 * h, 3 * h, 3, 3) = 0.1 * Eigen::Matrix3d::Identity();
      p.c.segment(3 * h, 3).setConstant(0.01);
      p.G.block(kBuses * h, 3 * h, kBuses, 3) = x;
      p.lower.segment(kBuses * h, kBuses) = (0.95 - v0.array()).matrix();
      p.upper.segment(kBuses * h, kBuses) = (1.05 - v0.array()).matrix();
    }
    for (int h = 0; h + 1 < horizon; ++h) {  // ramp penalty 0.05 |q_{h+1} - q_h|^2
      for (int k = 0; k < 3; ++k) {
        const int a = 3 * h + k;
        const int b = 3 * (h + 1) + k;
        p.P(a, a) += 0.05;
        p.P(b, b) += 0.05;
        p.P(a, b) -= 0.05;
        p.P(b, a) -= 0.05;
      }
    }
    p.lb.setConstant(-0.3);
    p.ub.setConstant(0.3);
    out.push_back(std::move(p));
  }
  return out;
}

int active_count(const vvc::core::QpSolution& s) {
  int count = 0;
  for (auto a : s.row_active) count += a != vvc::core::ActiveSide::kInactive;
  for (auto a : s.bound_active) count += a != vvc::core::ActiveSide::kInactive;
  return count;
}

void BM_DenseQp(benchmark::State& state) {
  const auto problems = scenarios(static_cast<int>(state.range(0)));
  vvc::core::DenseQpWorkspace ws;
  vvc::core::QpSolution s;
  vvc::core::DenseQpOptions options;
  options.warm_start = state.range(1) != 0;
  std::size_t k = 0;
  double iterations = 0;
  double active = 0;
  for (auto _ : state) {
    vvc::core::solve(problems[k++ % problems.size()], options, ws, s);
    benchmark::DoNotOptimize(s.x.data());
    iterations += s.iterations;
    active += active_count(s);
  }
  state.counters["active_set_changes"] = benchmark::Counter(iterations, benchmark::Counter::kAvgIterations);
  state.counters["active"] = benchmark::Counter(active, benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_DenseQp)->ArgNames({"H", "warm"})->Args({1, 0})->Args({1, 1})->Args({10, 0})->Args({10, 1});

void BM_IpoptQp(benchmark::State& state) {
  const auto problems = scenarios(static_cast<int>(state.range(0)));
  vvc::core::IpoptQpSolver solver;
  vvc::core::IpoptOptions options;
  options.tolerance = 1e-8;
  options.warm_start = true;
  options.mehrotra = state.range(1) != 0;
  std::size_t k = 0;
  double iterations = 0;
  for (auto _ : state) {
    const auto r = solver.solve(problems[k++ % problems.size()], options);
    benchmark::DoNotOptimize(r.x.data());
    iterations += r.status.iterations;
  }
  state.counters["ipopt_iterations"] = benchmark::Counter(iterations, benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_IpoptQp)
    ->ArgNames({"H", "mehrotra"})
    ->Args({1, 0})
    ->Args({1, 1})
    ->Args({10, 0})
    ->Args({10, 1})
    ->Unit(benchmark::kMicrosecond);

void BM_KktAdjoint(benchmark::State& state) {
  const auto problems = scenarios(static_cast<int>(state.range(0)));
  vvc::core::DenseQpWorkspace ws;
  std::vector<vvc::core::QpSolution> solutions;
  for (const auto& p : problems) solutions.push_back(vvc::core::solve(p, {}, ws));
  vvc::core::KktSensitivity sens;
  vvc::core::QpDataTangent grad;
  const Eigen::VectorXd w = Eigen::VectorXd::Ones(problems[0].num_variables());
  std::size_t k = 0;
  for (auto _ : state) {
    const std::size_t i = k++ % problems.size();
    sens.factorize(problems[i], solutions[i]);
    sens.adjoint(w, grad);
    benchmark::DoNotOptimize(grad.dc.data());
  }
}
BENCHMARK(BM_KktAdjoint)->ArgNames({"H"})->Arg(1)->Arg(10);

}  // namespace

BENCHMARK_MAIN();
