// Unit tests of the three-phase Newton iteration and its derivatives: the load models' current derivatives
// and the voltage sensitivities against central differences, the sparse LU against a dense solve, Newton
// against the fixed point, and element injections set between solves against a network built with those
// powers.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numbers>
#include <random>
#include <set>

#include "load_models.hpp"
#include "sparse_lu.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/grid/io/opendss.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"
#include "vvc/grid/synthetic/radial3.hpp"

namespace vvc::grid {
namespace {

const MultiphaseNetwork& feeder(const std::string& path) {
  static std::map<std::string, MultiphaseNetwork> cache;
  auto it = cache.find(path);
  if (it == cache.end())
    it = cache.emplace(path, read_opendss(std::string(VVC_SOURCE_DIR) + path).network).first;
  return it->second;
}

ThreePhaseOptions tight(ThreePhaseAlgorithm algorithm = ThreePhaseAlgorithm::kNewton) {
  ThreePhaseOptions options;
  options.algorithm = algorithm;
  options.power_flow.tolerance = 1e-12;
  options.voltage_tolerance = 1e-12;
  options.power_flow.max_iterations = 100;
  return options;
}

// ----- load models -----

// di = a dv + b conj(dv) against central differences of i(v) = h(|v|) v along dv = t and dv = j t, for every
// model in each of its regions (below vlowpu, the linear reversion, the band, above vmaxpu).
TEST(LoadModels, CurrentDerivativesMatchCentralDifferences) {
  PhaseLoad base;
  base.v_base_v = 7200.0;
  base.p_w = 3.0e5;
  base.q_var = 1.2e5;
  base.vminpu = 0.95;
  base.vmaxpu = 1.05;
  base.vlowpu = 0.5;
  std::vector<PhaseLoad> loads;
  for (int model : {1, 2, 4, 5, 8}) {
    PhaseLoad l = base;
    l.model = model;
    if (model == 4) {
      l.cvr_watts = 0.8;
      l.cvr_vars = 2.5;
    }
    if (model == 8) l.zipv = {0.2, 0.3, 0.5, 0.4, 0.1, 0.5, 0.7};
    loads.push_back(l);
  }
  PhaseLoad cvr_default = base;  // CVR with the default exponents (1 and 2): their special forms
  cvr_default.model = 4;
  loads.push_back(cvr_default);
  PhaseLoad zip_no_cutoff = loads.back();
  zip_no_cutoff.model = 8;
  zip_no_cutoff.zipv = {0.3, 0.3, 0.4, 0.2, 0.2, 0.6, 0.0};
  loads.push_back(zip_no_cutoff);
  for (const PhaseLoad& load : loads) {
    const detail::LoadTerms t = detail::load_terms(load, Complex(load.p_w, load.q_var));
    for (double pu : {0.3, 0.7, 0.9, 1.0, 1.02, 1.1}) {
      const Complex v = std::polar(pu * load.v_base_v, 0.3);
      auto current = [&](Complex x) { return detail::load_admittance(load, t, std::abs(x)).first * x; };
      const double vm = std::abs(v);
      const auto [h, dh] = detail::load_admittance(load, t, vm);
      const auto [a, b] = detail::load_current_derivative(v, vm, h, dh);
      const double step = 1e-4;
      for (const Complex dv : {Complex(step, 0.0), Complex(0.0, step)}) {
        const Complex numeric = (current(v + dv) - current(v - dv)) / 2.0;
        const Complex analytic = a * dv + b * std::conj(dv);
        EXPECT_NEAR(std::abs(numeric - analytic), 0.0, 1e-7 * std::abs(analytic) + 1e-12)
            << "model " << load.model << " at " << pu << " pu, dv " << dv;
      }
    }
  }
}

// ----- the sparse LU -----

// A random tree with extra couplings, diagonally dominant, in the solver's layout; both entry types.
template <class T>
void check_sparse_lu(std::mt19937& gen, T (*random_entry)(std::mt19937&), T diagonal_shift) {
  const int n = 60;
  std::vector<std::vector<int>> lower(static_cast<size_t>(n));
  std::set<std::pair<int, int>> entries;
  for (int i = 1; i < n; ++i) entries.insert({i, static_cast<int>(gen() % static_cast<unsigned>(i))});
  for (int extra = 0; extra < 30; ++extra) {
    const int i = 1 + static_cast<int>(gen() % (n - 1));
    entries.insert({i, static_cast<int>(gen() % static_cast<unsigned>(i))});
  }
  for (const auto& [i, j] : entries) lower[static_cast<size_t>(j)].push_back(i);
  const detail::SparseLuPattern pattern(lower);
  detail::SparseLu<T> lu(&pattern);
  Eigen::MatrixXd dense = Eigen::MatrixXd::Zero(2 * n, 2 * n);
  auto put = [&](int i, int j, const T& value) {
    if constexpr (std::is_same_v<T, Complex>) {
      dense.block(2 * i, 2 * j, 2, 2) << value.real(), -value.imag(), value.imag(), value.real();
    } else {
      dense.block(2 * i, 2 * j, 2, 2) << value.a, value.b, value.c, value.d;
    }
  };
  for (int k = 0; k < n; ++k) {
    lu.a_diag[static_cast<size_t>(k)] = random_entry(gen);
    lu.a_diag[static_cast<size_t>(k)] += diagonal_shift;
    put(k, k, lu.a_diag[static_cast<size_t>(k)]);
  }
  for (const auto& [i, j] : entries) {
    const int e = pattern.entry(i, j);
    lu.a_lower[static_cast<size_t>(e)] = random_entry(gen);
    lu.a_upper[static_cast<size_t>(e)] = random_entry(gen);
    put(i, j, lu.a_lower[static_cast<size_t>(e)]);
    put(j, i, lu.a_upper[static_cast<size_t>(e)]);
  }
  ASSERT_TRUE(lu.factor());
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<Complex> x(static_cast<size_t>(n));
  Eigen::VectorXd rhs(2 * n);
  for (int k = 0; k < n; ++k) {
    x[static_cast<size_t>(k)] = Complex(u(gen), u(gen));
    rhs[2 * k] = x[static_cast<size_t>(k)].real();
    rhs[2 * k + 1] = x[static_cast<size_t>(k)].imag();
  }
  lu.solve(x.data(), x.data());
  const Eigen::VectorXd expected = dense.partialPivLu().solve(rhs);
  for (int k = 0; k < n; ++k) {
    EXPECT_NEAR(x[static_cast<size_t>(k)].real(), expected[2 * k], 1e-12);
    EXPECT_NEAR(x[static_cast<size_t>(k)].imag(), expected[2 * k + 1], 1e-12);
  }
}

TEST(SparseLu, SolvesLikeADenseLu) {
  std::mt19937 gen(7);
  check_sparse_lu<detail::Block2>(
      gen,
      [](std::mt19937& g) {
        std::uniform_real_distribution<double> u(-1.0, 1.0);
        return detail::Block2(u(g), u(g), u(g), u(g));
      },
      detail::Block2(8.0, 0.0, 0.0, 8.0));
  check_sparse_lu<Complex>(
      gen,
      [](std::mt19937& g) {
        std::uniform_real_distribution<double> u(-1.0, 1.0);
        return Complex(u(g), u(g));
      },
      Complex(8.0, 2.0));
}

TEST(SparseLu, ReportsASingularPivot) {
  const detail::SparseLuPattern pattern(std::vector<std::vector<int>>{{1}, {}});
  detail::SparseLu<detail::Block2> lu(&pattern);
  lu.a_diag[0] = detail::Block2(1.0, 2.0, 2.0, 4.0);
  lu.a_diag[1] = detail::Block2(1.0, 0.0, 0.0, 1.0);
  EXPECT_FALSE(lu.factor());
}

// ----- Newton -----

TEST(ThreePhaseNewton, AgreesWithTheFixedPoint) {
  std::vector<MultiphaseNetwork> networks = {
      feeder("/cases/ieee13/IEEE13Nodeckt.dss"), feeder("/cases/ieee34/ieee34Mod1.dss"),
      feeder("/cases/ieee37/ieee37.dss"),        feeder("/cases/ieee123/IEEE123Master.dss"),
      make_radial3_feeder(300, false),           make_radial3_feeder(300, true)};
  for (const MultiphaseNetwork& net : networks) {
    for (const TapMode taps : {TapMode::kFixed, TapMode::kControl}) {
      ThreePhaseOptions newton = tight(ThreePhaseAlgorithm::kNewton);
      ThreePhaseOptions fixed_point = tight(ThreePhaseAlgorithm::kFixedPoint);
      newton.taps = fixed_point.taps = taps;
      ThreePhaseWorkspace ws_newton(net), ws_fixed_point(net);
      const ThreePhaseResult& a = solve(net, newton, ws_newton);
      const ThreePhaseResult& b = solve(net, fixed_point, ws_fixed_point);
      ASSERT_TRUE(a.converged() && b.converged()) << net.name;
      EXPECT_EQ(a.algorithm, ThreePhaseAlgorithm::kNewton) << net.name;
      for (size_t k = 0; k < a.regulators.size(); ++k) {
        EXPECT_EQ(a.regulators[k].position, b.regulators[k].position)
            << net.name << " " << a.regulators[k].name;
      }
      for (int node = 0; node < net.num_nodes(); ++node) {
        // Relative to the base: the 37-bus feeder is 3-wire delta, its line-to-ground voltages barely
        // defined.
        EXPECT_LT(std::abs(a.v[node] - b.v[node]),
                  1e-7 * std::max(node_base_volts(net, node), std::abs(b.v[node])))
            << net.name << " " << node;
      }
      EXPECT_LT(std::abs(a.source_power - b.source_power), 1e-6 * std::abs(b.source_power)) << net.name;
    }
  }
}

TEST(ThreePhaseNewton, WarmSolvesWithChangingLoadsAgreeWithColdSolves) {
  const MultiphaseNetwork& net = feeder("/cases/ieee123/IEEE123Master.dss");
  ThreePhaseOptions options = tight();
  options.taps = TapMode::kFixed;
  ThreePhaseWorkspace warm(net);
  solve(net, options, warm);
  for (double scale : {1.05, 0.9, 1.2, 1.0}) {
    warm.set_load_scale(scale);
    const ThreePhaseResult& r = solve(net, options, warm);
    ASSERT_TRUE(r.converged()) << scale;
    const Eigen::VectorXcd v = r.v;
    ThreePhaseWorkspace cold(net);
    cold.set_load_scale(scale);
    ThreePhaseOptions fixed_point = options;
    fixed_point.algorithm = ThreePhaseAlgorithm::kFixedPoint;
    const ThreePhaseResult& expected = solve(net, fixed_point, cold);
    EXPECT_LT((v - expected.v).cwiseAbs().maxCoeff() / expected.v.cwiseAbs().maxCoeff(), 1e-8) << scale;
  }
}

// Loads alternating between 100 % and 105 % on the IEEE 34-bus feeder with the taps control left (as in
// `vvc bench three-phase`) move some load elements across the edge of their voltage band and back. Once both
// band states have been seen, each warm solve swaps in the factorization made in its own state instead of
// refactorizing or iterating with the other's, and agrees with a cold fixed-point solve.
TEST(ThreePhaseNewton, AlternatingBandRegionsReuseTheSpareFactorization) {
  const MultiphaseNetwork& net = feeder("/cases/ieee34/ieee34Mod1.dss");
  ThreePhaseOptions options = tight();
  options.taps = TapMode::kControl;
  ThreePhaseWorkspace warm(net);
  solve(net, options, warm);
  options.taps = TapMode::kFixed;
  std::map<double, Eigen::VectorXcd> expected;
  for (double scale : {1.0, 1.05}) {
    ThreePhaseWorkspace cold(net);
    ThreePhaseOptions fixed_point = tight(ThreePhaseAlgorithm::kFixedPoint);
    fixed_point.taps = TapMode::kControl;
    solve(net, fixed_point, cold);
    cold.set_load_scale(scale);
    fixed_point.taps = TapMode::kFixed;
    expected[scale] = solve(net, fixed_point, cold).v;
  }
  int later_factorizations = 0;
  for (int k = 0; k < 12; ++k) {
    const double scale = k % 2 == 0 ? 1.05 : 1.0;
    warm.set_load_scale(scale);
    const ThreePhaseResult& r = solve(net, options, warm);
    ASSERT_TRUE(r.converged()) << k;
    if (k >= 4) {
      later_factorizations += r.jacobian_factorizations;
      // A chord Jacobian of the other band state needs 7 here.
      EXPECT_LE(r.iterations, 5) << k;
    }
    const Eigen::VectorXcd& v = expected[scale];
    EXPECT_LT((r.v - v).cwiseAbs().maxCoeff() / v.cwiseAbs().maxCoeff(), 1e-9) << k;
  }
  EXPECT_EQ(later_factorizations, 0);
}

TEST(ThreePhaseNewton, SetInjectionMatchesTheNetworkWithThosePowers) {
  const MultiphaseNetwork& net = feeder("/cases/ieee13/IEEE13Nodeckt.dss");
  MultiphaseNetwork changed = net;
  ThreePhaseWorkspace ws(net);
  ThreePhaseOptions options = tight();
  options.taps = TapMode::kFixed;
  solve(net, options, ws);
  // A generator's worth of injection on a single-phase load, a three-phase delta load turned down, a
  // constant-current load turned up.
  const std::vector<std::pair<std::string, Complex>> changes = {
      {"Load.675a", Complex(0.2, 0.35)}, {"671", Complex(-0.6, -0.2)}, {"load.692", Complex(-0.3, 0.1)}};
  for (const auto& [name, s_mva] : changes) {
    const int element = find_power_element(net, name);
    ASSERT_GE(element, 0) << name;
    ws.set_injection(element, s_mva);
    EXPECT_NEAR(std::abs(ws.injection(element) - s_mva), 0.0, 1e-15) << name;
    PhaseLoad& load = changed.loads[static_cast<size_t>(element)];
    load.p_w = -s_mva.real() * 1e6 / load.phases;
    load.q_var = -s_mva.imag() * 1e6 / load.phases;
  }
  const ThreePhaseResult& r = solve(net, options, ws);
  ASSERT_TRUE(r.converged());
  const Eigen::VectorXcd v = r.v;
  ThreePhaseWorkspace fresh(changed);
  const ThreePhaseResult& expected = solve(changed, options, fresh);
  EXPECT_LT((v - expected.v).cwiseAbs().maxCoeff() / expected.v.cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_EQ(find_power_element(net, "Load.nothing"), -1);
  EXPECT_THROW(ws.set_injection(static_cast<int>(net.loads.size()), Complex(0.0, 0.0)), InputError);
}

// ----- sensitivities -----

// d|V|/dp and d|V|/dq of every node against central differences of the power flow, with the taps held where
// control left them; each column within 1e-6 of its largest entry.
void check_sensitivities(const MultiphaseNetwork& net, const std::vector<std::string>& names) {
  ThreePhaseWorkspace ws(net);
  ThreePhaseOptions options = tight();
  ASSERT_TRUE(solve(net, options, ws).converged());
  options.taps = TapMode::kFixed;
  ASSERT_TRUE(solve(net, options, ws).converged());
  std::vector<int> elements;
  for (const std::string& name : names) {
    elements.push_back(find_power_element(net, name));
    ASSERT_GE(elements.back(), 0) << name;
  }
  std::vector<int> nodes;
  for (int node = 0; node < net.num_nodes(); ++node) {
    if (node_base_volts(net, node) > 0.0) nodes.push_back(node);
  }
  VoltageSensitivities s;
  ASSERT_TRUE(voltage_sensitivities(net, ws, elements, nodes, s));
  ASSERT_EQ(s.dvm_dp.rows(), static_cast<Eigen::Index>(nodes.size()));
  ASSERT_EQ(s.dvm_dq.cols(), static_cast<Eigen::Index>(elements.size()));
  auto magnitudes = [&](const ThreePhaseResult& r) {
    Eigen::VectorXd vm(static_cast<Eigen::Index>(nodes.size()));
    for (size_t k = 0; k < nodes.size(); ++k) {
      vm[static_cast<Eigen::Index>(k)] = std::abs(r.v[nodes[k]]) / node_base_volts(net, nodes[k]);
    }
    return vm;
  };
  const double h = 1e-3;  // MW, MVar
  for (size_t col = 0; col < elements.size(); ++col) {
    const Complex s0 = ws.injection(elements[col]);
    for (const Complex direction : {Complex(1.0, 0.0), Complex(0.0, 1.0)}) {
      ws.set_injection(elements[col], s0 + h * direction);
      const ThreePhaseResult& plus = solve(net, options, ws);
      ASSERT_TRUE(plus.converged());
      const Eigen::VectorXd vm_plus = magnitudes(plus);
      ws.set_injection(elements[col], s0 - h * direction);
      const ThreePhaseResult& minus = solve(net, options, ws);
      ASSERT_TRUE(minus.converged());
      const Eigen::VectorXd numeric = (vm_plus - magnitudes(minus)) / (2.0 * h);
      ws.set_injection(elements[col], s0);
      const Eigen::MatrixXd& analytic = direction.real() != 0.0 ? s.dvm_dp : s.dvm_dq;
      const double scale = analytic.col(static_cast<Eigen::Index>(col)).cwiseAbs().maxCoeff();
      ASSERT_GT(scale, 0.0) << names[col];
      const double error = (analytic.col(static_cast<Eigen::Index>(col)) - numeric).cwiseAbs().maxCoeff();
      EXPECT_LT(error, 1e-6 * scale) << names[col] << (direction.real() != 0.0 ? " p" : " q") << ": largest "
                                     << scale << " pu/MW";
    }
  }
}

TEST(VoltageSensitivities, IEEE13MatchCentralDifferences) {
  // Constant power (single-phase wye, three-phase delta), constant impedance, constant current (wye and
  // delta).
  check_sensitivities(feeder("/cases/ieee13/IEEE13Nodeckt.dss"),
                      {"Load.675a", "Load.671", "Load.652", "Load.611", "Load.692", "Load.646"});
}

TEST(VoltageSensitivities, IEEE34LoadsBelowVminpuMatchCentralDifferences) {
  // With the published taps the far end of the 34-bus feeder sits below 0.95 pu, where constant-power loads
  // revert to their linear current model; also a CVR load and a three-phase delta load.
  check_sensitivities(feeder("/cases/ieee34/ieee34Mod1_published_taps.dss"),
                      {"Load.S890", "Load.D820_822ra", "Load.D808_810rb", "Load.S848"});
}

TEST(VoltageSensitivities, RequireAConvergedSolveAndValidIndices) {
  const MultiphaseNetwork& net = feeder("/cases/ieee13/IEEE13Nodeckt.dss");
  ThreePhaseWorkspace ws(net);
  VoltageSensitivities s;
  EXPECT_FALSE(voltage_sensitivities(net, ws, {0}, {0}, s));
  solve(net, ThreePhaseOptions{}, ws);
  EXPECT_THROW(voltage_sensitivities(net, ws, {-1}, {0}, s), InputError);
  EXPECT_THROW(voltage_sensitivities(net, ws, {0}, {net.num_nodes()}, s), InputError);
  EXPECT_THROW(voltage_sensitivities(net, ws, {0}, {net.source_nodes.front()}, s), InputError);
  EXPECT_TRUE(voltage_sensitivities(net, ws, {0}, {0}, s));
}

}  // namespace
}  // namespace vvc::grid
