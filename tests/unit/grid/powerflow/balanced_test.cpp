#include "vvc/grid/powerflow/balanced.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "support/test_networks.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/grid/synthetic/radial.hpp"

namespace vvc::grid {
namespace {

using testing::add_line;
using testing::add_load;
using testing::make_buses;

PowerFlowOptions options_for(PowerFlowAlgorithm algorithm) {
  PowerFlowOptions o;
  o.algorithm = algorithm;
  o.tolerance = 1e-12;
  return o;
}

// Two buses, load P + jQ (consumed) behind R + jX from a 1.0 pu source. The receiving-end magnitude solves
// v^4 + (2 (R P + X Q) - 1) v^2 + (R^2 + X^2)(P^2 + Q^2) = 0 (the larger root): a closed form independent of
// any iterative solver.
double two_bus_vm(double r, double x, double p, double q) {
  const double b = 2.0 * (r * p + x * q) - 1.0;
  const double c = (r * r + x * x) * (p * p + q * q);
  return std::sqrt((-b + std::sqrt(b * b - 4.0 * c)) / 2.0);
}

TEST(PowerFlow, TwoBusMatchesClosedFormWithBothAlgorithms) {
  Network net = make_buses(2);
  add_line(net, 0, 1, 0.05, 0.12);
  add_load(net, 1, 0.8, 0.35);
  const double expected = two_bus_vm(0.05, 0.12, 0.8, 0.35);
  for (auto algorithm : {PowerFlowAlgorithm::kSweep, PowerFlowAlgorithm::kNewtonRaphson}) {
    PowerFlowWorkspace ws(net);
    const auto& res = solve(net, nominal_injections(net), options_for(algorithm), ws);
    ASSERT_TRUE(res.converged()) << to_string(algorithm);
    EXPECT_NEAR(res.vm[1], expected, 1e-12) << to_string(algorithm);
    EXPECT_LE(res.max_mismatch, 1e-12);
  }
}

// Meshed case: two parallel lines equal one line of the parallel impedance, so the closed form applies.
TEST(PowerFlow, MeshedParallelLinesSolvedByNewtonMatchClosedForm) {
  Network net = make_buses(2);
  add_line(net, 0, 1, 0.04, 0.10);
  add_line(net, 0, 1, 0.06, 0.30);
  add_load(net, 1, 1.1, 0.5);
  const std::complex<double> z1(0.04, 0.10), z2(0.06, 0.30);
  const std::complex<double> z = z1 * z2 / (z1 + z2);
  const double expected = two_bus_vm(z.real(), z.imag(), 1.1, 0.5);
  PowerFlowWorkspace ws(net);
  EXPECT_FALSE(ws.topology().radial);
  const auto& res = solve(net, nominal_injections(net), options_for(PowerFlowAlgorithm::kAuto), ws);
  ASSERT_TRUE(res.converged());
  EXPECT_EQ(res.algorithm, PowerFlowAlgorithm::kNewtonRaphson);
  EXPECT_NEAR(res.vm[1], expected, 1e-12);
}

// A meshed 5-bus ring with a chord: the injections are manufactured from chosen voltages, S = V conj(Y V),
// with Y assembled here by hand; Newton-Raphson must recover those voltages.
TEST(PowerFlow, MeshedRingRecoversManufacturedSolution) {
  Network net = make_buses(5);
  const double data[6][4] = {{0, 1, 0.02, 0.06}, {1, 2, 0.03, 0.08}, {2, 3, 0.01, 0.05},
                             {3, 4, 0.04, 0.09}, {4, 0, 0.05, 0.11}, {1, 3, 0.06, 0.12}};
  Eigen::MatrixXcd y = Eigen::MatrixXcd::Zero(5, 5);
  for (const auto& d : data) {
    const int f = static_cast<int>(d[0]), t = static_cast<int>(d[1]);
    add_line(net, f, t, d[2], d[3], 0.02);
    const std::complex<double> yl = 1.0 / std::complex<double>(d[2], d[3]);
    const std::complex<double> ysh(0.0, 0.01);
    y(f, f) += yl + ysh;
    y(t, t) += yl + ysh;
    y(f, t) -= yl;
    y(t, f) -= yl;
  }
  Eigen::VectorXcd v(5);
  v << 1.0, std::polar(0.97, -0.03), std::polar(0.95, -0.06), std::polar(0.96, -0.05),
      std::polar(0.98, -0.02);
  const Eigen::VectorXcd s = v.cwiseProduct((y * v).conjugate());
  Injections inj(5);
  inj.s_const = s;
  PowerFlowWorkspace ws(net);
  const auto& res = solve(net, inj, options_for(PowerFlowAlgorithm::kNewtonRaphson), ws);
  ASSERT_TRUE(res.converged());
  EXPECT_LE((res.v - v).cwiseAbs().maxCoeff(), 1e-11);
  EXPECT_LE(res.iterations, 6);
  EXPECT_THROW(solve(net, inj, options_for(PowerFlowAlgorithm::kSweep), ws), InputError);
}

TEST(PowerFlow, ConstantImpedanceLoadIsLinear) {
  // A constant-Z load of S0 at 1 pu is the admittance conj(S0): V = Zl / (Z + Zl) exactly.
  Network net = make_buses(2);
  add_line(net, 0, 1, 0.05, 0.1);
  add_load(net, 1, 0.6, 0.2, LoadModel::kConstantImpedance);
  const std::complex<double> zl = 1.0 / std::conj(std::complex<double>(0.6, 0.2));
  const std::complex<double> expected = zl / (std::complex<double>(0.05, 0.1) + zl);
  for (auto algorithm : {PowerFlowAlgorithm::kSweep, PowerFlowAlgorithm::kNewtonRaphson}) {
    PowerFlowWorkspace ws(net);
    const auto& res = solve(net, nominal_injections(net), options_for(algorithm), ws);
    ASSERT_TRUE(res.converged());
    EXPECT_NEAR(std::abs(res.v[1] - expected), 0.0, 1e-12) << to_string(algorithm);
  }
}

TEST(PowerFlow, SweepAndNewtonAgreeOnRandomRadialFeedersWithZipLoads) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int trial = 0; trial < 20; ++trial) {
    const int n = 5 + trial * 3;
    Network net = make_buses(n);
    for (int i = 1; i < n; ++i) {
      add_line(net, static_cast<int>(rng() % static_cast<unsigned>(i)), i, 0.002 + 0.01 * u(rng),
               0.002 + 0.01 * u(rng), 0.001 * u(rng));
      Load load{"z" + std::to_string(i), i, 0.1 * u(rng), 0.05 * u(rng), LoadModel::kZip, {0.2, 0.3, 0.5},
                {0.5, 0.25, 0.25}};
      net.loads.push_back(load);
    }
    PowerFlowWorkspace ws_sweep(net), ws_nr(net);
    const auto inj = nominal_injections(net);
    const Eigen::VectorXcd a = solve(net, inj, options_for(PowerFlowAlgorithm::kSweep), ws_sweep).v;
    const auto& rb = solve(net, inj, options_for(PowerFlowAlgorithm::kNewtonRaphson), ws_nr);
    ASSERT_TRUE(rb.converged());
    EXPECT_LE((a - rb.v).cwiseAbs().maxCoeff(), 1e-9) << "trial " << trial;
  }
}

TEST(PowerFlow, WarmStartConvergesImmediatelyOnUnchangedInjections) {
  const Network net = make_radial_feeder(200);
  PowerFlowWorkspace ws(net);
  const auto inj = nominal_injections(net);
  const int cold = solve(net, inj, PowerFlowOptions{}, ws).iterations;
  EXPECT_GT(cold, 1);
  EXPECT_EQ(solve(net, inj, PowerFlowOptions{}, ws).iterations, 0);
  ws.reset_start();
  EXPECT_EQ(solve(net, inj, PowerFlowOptions{}, ws).iterations, cold);
}

TEST(PowerFlow, AutoFallsBackToNewtonWhenTheSweepDoesNotConverge) {
  const Network net = make_radial_feeder(300);
  PowerFlowOptions options;
  options.max_iterations = 3;  // too few for the linearly converging sweep at 1e-10
  options.algorithm = PowerFlowAlgorithm::kSweep;
  PowerFlowWorkspace ws(net);
  EXPECT_EQ(solve(net, nominal_injections(net), options, ws).status, PowerFlowStatus::kIterationLimit);
  options.algorithm = PowerFlowAlgorithm::kAuto;
  PowerFlowWorkspace ws_auto(net);
  const auto& res = solve(net, nominal_injections(net), options, ws_auto);
  EXPECT_TRUE(res.converged());
  EXPECT_EQ(res.algorithm, PowerFlowAlgorithm::kNewtonRaphson);
  EXPECT_GT(res.iterations, 3);
}

TEST(PowerFlow, BusPowerInjectionsRecoverTheSpecifiedInjections) {
  Network net = make_radial_feeder(60);
  net.loads[3].model = LoadModel::kConstantImpedance;
  net.branches[5].b_pu = 0.01;
  const Injections inj = nominal_injections(net);
  PowerFlowWorkspace ws(net);
  PowerFlowOptions opt;
  opt.tolerance = 1e-12;
  const auto& res = solve(net, inj, opt, ws);
  ASSERT_TRUE(res.converged());
  const Eigen::VectorXcd s = bus_power_injections(net, res.v);
  for (int b = 1; b < net.num_buses(); ++b) {
    const double vm = res.vm[b];
    const std::complex<double> spec = inj.s_const[b] + vm * inj.s_current[b] + vm * vm * inj.s_impedance[b];
    EXPECT_NEAR(std::abs(s[b] - spec), 0.0, 1e-11) << "bus " << b;
  }
  EXPECT_NEAR(std::abs(s[0] - res.slack_power - inj.s_const[0]), 0.0, 1e-11);
}

TEST(PowerFlow, OverloadIsAStatusNotACrash) {
  Network net = make_buses(2);
  add_line(net, 0, 1, 0.1, 0.3);
  add_load(net, 1, 50.0, 20.0);  // far beyond the maximum transferable power
  for (auto algorithm : {PowerFlowAlgorithm::kSweep, PowerFlowAlgorithm::kNewtonRaphson}) {
    PowerFlowWorkspace ws(net);
    const auto& res = solve(net, nominal_injections(net), options_for(algorithm), ws);
    EXPECT_FALSE(res.converged()) << to_string(algorithm);
    EXPECT_NE(res.status, PowerFlowStatus::kConverged);
  }
}

TEST(PowerFlow, FlowsLossesAndSlackPowerBalance) {
  const Network net = make_radial_feeder(50);
  PowerFlowWorkspace ws(net);
  const auto& res = solve(net, nominal_injections(net), options_for(PowerFlowAlgorithm::kAuto), ws);
  ASSERT_TRUE(res.converged());
  // Slack power = total load + losses (pu on 10 MVA: total load 1.0 + j0.5).
  EXPECT_NEAR(res.slack_power.real(), 1.0 + res.losses.real(), 1e-10);
  EXPECT_NEAR(res.slack_power.imag(), 0.5 + res.losses.imag(), 1e-10);
  EXPECT_GT(res.losses.real(), 0.0);
}

// The synthetic "radial N" feeder has published cross-check figures (docs/benchmarks/benchmark-networks.md,
// converged to 1e-8).
TEST(PowerFlow, SyntheticRadialFeederMatchesCrossCheckFigures) {
  const Network net = make_radial_feeder(1000);
  for (auto algorithm : {PowerFlowAlgorithm::kSweep, PowerFlowAlgorithm::kNewtonRaphson}) {
    PowerFlowWorkspace ws(net);
    const auto& res = solve(net, nominal_injections(net), options_for(algorithm), ws);
    ASSERT_TRUE(res.converged());
    Eigen::Index argmin = 0;
    const double vmin = res.vm.minCoeff(&argmin);
    EXPECT_NEAR(vmin, 0.97086, 5e-6);
    EXPECT_EQ(argmin, 872);
    EXPECT_NEAR(res.vm.mean(), 0.98331, 5e-6);
  }
}

// Central differences of the mismatch F(theta, |V|) = V conj(Y V) - S(|V|) against the analytic Jacobian.
TEST(PowerFlow, NewtonJacobianMatchesCentralDifferences) {
  Network net = make_buses(6);
  add_line(net, 0, 1, 0.02, 0.05, 0.01);
  add_line(net, 1, 2, 0.03, 0.04);
  add_line(net, 2, 3, 0.01, 0.02, 0.02);
  add_line(net, 1, 4, 0.02, 0.06);
  add_line(net, 4, 5, 0.05, 0.03);
  add_line(net, 5, 3, 0.04, 0.07);
  net.loads.push_back(Load{"zip", 2, 0.3, 0.1, LoadModel::kZip, {0.3, 0.3, 0.4}, {0.1, 0.6, 0.3}});
  add_load(net, 3, 0.2, 0.05, LoadModel::kConstantCurrent);
  add_load(net, 5, 0.1, 0.08, LoadModel::kConstantImpedance);
  const auto inj = nominal_injections(net);
  PowerFlowWorkspace ws(net);
  Eigen::VectorXcd v(6);
  v << 1.0, std::polar(0.98, -0.01), std::polar(0.97, -0.02), std::polar(0.96, -0.025),
      std::polar(0.99, -0.01), std::polar(0.975, -0.02);
  const Eigen::MatrixXd jac = newton_jacobian(net, inj, v, ws);
  const int nv = 5;
  auto residual = [&](const Eigen::VectorXcd& vv) {
    Eigen::VectorXd f(2 * nv);
    Eigen::MatrixXcd y = Eigen::MatrixXcd::Zero(6, 6);
    for (const auto& br : net.branches) {
      const std::complex<double> yl = 1.0 / std::complex<double>(br.r_pu, br.x_pu);
      const std::complex<double> ysh(0.0, br.b_pu / 2);
      y(br.from, br.from) += yl + ysh;
      y(br.to, br.to) += yl + ysh;
      y(br.from, br.to) -= yl;
      y(br.to, br.from) -= yl;
    }
    const Eigen::VectorXcd i = y * vv;
    for (int b = 1; b < 6; ++b) {
      const double vm = std::abs(vv[b]);
      const std::complex<double> s =
          vv[b] * std::conj(i[b]) - (inj.s_const[b] + vm * inj.s_current[b] + vm * vm * inj.s_impedance[b]);
      f[b - 1] = s.real();
      f[b - 1 + nv] = s.imag();
    }
    return f;
  };
  const double h = 1e-6;
  for (int col = 0; col < 2 * nv; ++col) {
    const int b = 1 + col % nv;
    Eigen::VectorXcd vp = v, vm = v;
    if (col < nv) {
      vp[b] *= std::polar(1.0, h);
      vm[b] *= std::polar(1.0, -h);
    } else {
      vp[b] = std::polar(std::abs(v[b]) + h, std::arg(v[b]));
      vm[b] = std::polar(std::abs(v[b]) - h, std::arg(v[b]));
    }
    const Eigen::VectorXd fd = (residual(vp) - residual(vm)) / (2 * h);
    EXPECT_LE((fd - jac.col(col)).cwiseAbs().maxCoeff(), 1e-7 * (1.0 + fd.cwiseAbs().maxCoeff()))
        << "column " << col;
  }
}

}  // namespace
}  // namespace vvc::grid
