// Unit tests of the unbalanced power flow, against closed forms.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "vvc/common/errors.hpp"
#include "vvc/grid/io/opendss.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"
#include "vvc/grid/synthetic/radial3.hpp"

namespace vvc::grid {
namespace {

constexpr double kSqrt3 = std::numbers::sqrt3;

OpenDssCase parse(const std::string& text) { return parse_opendss(text, "test.dss", "."); }

// A stiff 12.47 kV source; each test adds the elements it needs.
constexpr const char* kSource =
    "Clear\n"
    "New Circuit.t basekv=12.47 pu=1.0 phases=3 bus1=src R1=0 X1=1e-6 R0=0 X0=1e-6\n";

Complex node_voltage(const MultiphaseNetwork& net, const ThreePhaseResult& r, const std::string& bus,
                     int phase) {
  const int b = net.find_bus(bus);
  EXPECT_GE(b, 0) << bus;
  return r.v[net.buses[static_cast<size_t>(b)].node_of(phase)];
}

// ----- power flow -----

TEST(ThreePhasePowerFlow, BalancedConstantImpedanceLoadMatchesVoltageDivider) {
  // Stiff source, 3-phase line with sequence impedances, wye constant-Z load: per phase the positive-sequence
  // divider V = Vs Zload / (Z1 + Zload).
  const OpenDssCase c = parse(std::string(kSource) +
                              "New Line.l src a r1=0.5 x1=1.0 r0=1.5 x0=3.0 c1=0 c0=0\n"
                              "New Load.z bus1=a phases=3 kv=12.47 kw=3000 kvar=1000 model=2\n");
  ThreePhaseWorkspace ws(c.network);
  ThreePhaseOptions options;
  options.power_flow.tolerance = 1e-12;
  const ThreePhaseResult& r = solve(c.network, options, ws);
  ASSERT_TRUE(r.converged());
  const double vs = 12470.0 / kSqrt3;
  const Complex zload = vs * vs / std::conj(Complex(1e6, 1e6 / 3.0));
  const Complex source_z = Complex(0.0, 1e-6);
  const Complex expected = vs * zload / (Complex(0.5, 1.0) + source_z + zload);
  for (int phase = 1; phase <= 3; ++phase) {
    const Complex shift = std::polar(1.0, -2.0 * std::numbers::pi / 3.0 * (phase - 1));
    EXPECT_NEAR(std::abs(node_voltage(c.network, r, "a", phase) - expected * shift), 0.0, 1e-6) << phase;
  }
}

TEST(ThreePhasePowerFlow, ConstantPowerLoadDrawsItsNominalPowerInsideTheBand) {
  const OpenDssCase c = parse(std::string(kSource) +
                              "New Line.l src a r1=0.5 x1=1.0 r0=1.5 x0=3.0 c1=0 c0=0\n"
                              "New Load.pq bus1=a.1 phases=1 kv=7.2 kw=500 kvar=200 model=1\n"
                              "New Load.i bus1=a.2.3 phases=1 conn=delta kv=12.47 kw=400 kvar=100 model=5\n");
  ThreePhaseWorkspace ws(c.network);
  ThreePhaseOptions options;
  options.power_flow.tolerance = 1e-12;
  const ThreePhaseResult& r = solve(c.network, options, ws);
  ASSERT_TRUE(r.converged());
  // Constant |I| delta load: P + jQ scales with |V_bc| / 12.47 kV.
  const double vbc = std::abs(node_voltage(c.network, r, "a", 2) - node_voltage(c.network, r, "a", 3));
  const Complex expected = Complex(500e3, 200e3) + Complex(400e3, 100e3) * vbc / 12470.0;
  EXPECT_NEAR(std::abs(r.load_power - expected), 0.0, 1e-3);
  EXPECT_NEAR(std::abs(r.source_power - r.load_power - r.losses), 0.0, 1e-6);
  EXPECT_GT(r.losses.real(), 0.0);
}

TEST(ThreePhasePowerFlow, LoadRevertsToConstantImpedanceBelowVminpu) {
  // A heavy load pulls its bus below vminpu = 0.95: it is then a constant admittance Yeq / vminpu^2.
  const OpenDssCase c = parse(std::string(kSource) +
                              "New Line.l src.1 a.1 phases=1 r1=20 x1=20 r0=20 x0=20 c1=0 c0=0\n"
                              "New Load.pq bus1=a.1 phases=1 kv=7.2 kw=300 kvar=0 model=1\n");
  ThreePhaseWorkspace ws(c.network);
  ThreePhaseOptions options;
  options.power_flow.tolerance = 1e-12;
  const ThreePhaseResult& r = solve(c.network, options, ws);
  ASSERT_TRUE(r.converged());
  const double v = std::abs(node_voltage(c.network, r, "a", 1));
  ASSERT_LT(v, 0.95 * 7200.0);
  ASSERT_GT(v, 0.5 * 7200.0);
  // Between vlowpu and vminpu OpenDSS interpolates the current linearly between I(Vlow) = Yeq Vlow and
  // I(V95) = (Yeq / 0.95^2) V95.
  const double yeq = 300e3 / (7200.0 * 7200.0);
  const double v_low = 0.5 * 7200.0, v95 = 0.95 * 7200.0;
  const double i = yeq * v_low + (yeq / (0.95 * 0.95) * v95 - yeq * v_low) / (v95 - v_low) * (v - v_low);
  EXPECT_NEAR(r.load_power.real(), v * i, 1e-3);
}

TEST(ThreePhasePowerFlow, DeltaWyeTransformerShiftsByThirtyDegrees) {
  for (const char* leadlag : {"lag", "lead"}) {
    const OpenDssCase c = parse(std::string(kSource) +
                                "New Transformer.t phases=3 windings=2 buses=[src lv] conns=[delta wye] "
                                "kvs=[12.47 4.16] kvas=[1000 1000] xhl=6 %loadloss=1 leadlag=" +
                                leadlag + "\n");
    ThreePhaseWorkspace ws(c.network);
    const ThreePhaseResult& r = solve(c.network, ThreePhaseOptions{}, ws);
    ASSERT_TRUE(r.converged());
    const Complex hv = node_voltage(c.network, r, "src", 1);
    const Complex lv = node_voltage(c.network, r, "lv", 1);
    const double shift = std::remainder(std::arg(lv / hv) * 180.0 / std::numbers::pi, 360.0);
    EXPECT_NEAR(shift, std::string(leadlag) == "lag" ? -30.0 : 30.0, 1e-6) << leadlag;
    EXPECT_NEAR(std::abs(lv) / std::abs(hv), 4.16 / 12.47, 1e-6);
  }
}

TEST(ThreePhasePowerFlow, RegulatorControlBringsVoltageIntoTheBand) {
  const OpenDssCase c =
      parse(std::string(kSource) +
            "New Transformer.reg phases=1 buses=[src.1 r.1] kvs=[7.2 7.2] kvas=[2000 2000] xhl=0.01 "
            "%loadloss=0.01\n"
            "New RegControl.reg transformer=reg winding=2 vreg=122 band=2 ptratio=60 ctprim=100\n"
            "New Line.l r.1 a.1 phases=1 r1=3 x1=6 r0=3 x0=6 c1=0 c0=0\n"
            "New Load.pq bus1=a.1 phases=1 kv=7.2 kw=400 kvar=200 model=1\n");
  ThreePhaseWorkspace ws(c.network);
  ThreePhaseOptions fixed;
  fixed.taps = TapMode::kFixed;
  const double v_fixed = std::abs(node_voltage(c.network, solve(c.network, fixed, ws), "r", 1)) / 60.0;
  EXPECT_NEAR(v_fixed, 120.0, 0.1);  // tap 1.0: no boost
  const ThreePhaseResult& r = solve(c.network, ThreePhaseOptions{}, ws);
  ASSERT_TRUE(r.converged());
  ASSERT_EQ(r.regulators.size(), 1u);
  const double v_regulated = std::abs(node_voltage(c.network, r, "r", 1)) / 60.0;
  EXPECT_LE(std::abs(v_regulated - 122.0), 1.0);
  EXPECT_EQ(r.regulators[0].position, std::lround((r.regulators[0].tap - 1.0) / 0.00625));
  EXPECT_GT(r.regulators[0].position, 0);
  EXPECT_TRUE(r.taps_settled);
}

TEST(ThreePhasePowerFlow, WarmSolveReusesTheSolution) {
  const MultiphaseNetwork net = make_radial3_feeder(200, true);
  ThreePhaseWorkspace ws(net);
  const Eigen::VectorXcd cold = solve(net, ThreePhaseOptions{}, ws).v;
  const ThreePhaseResult& warm = solve(net, ThreePhaseOptions{}, ws);
  ASSERT_TRUE(warm.converged());
  EXPECT_EQ(warm.iterations, 1);
  EXPECT_LT((warm.v - cold).cwiseAbs().maxCoeff() / (12470.0 / kSqrt3), 1e-8);
}

TEST(ThreePhasePowerFlow, LoadScaleMatchesScaledLoads) {
  const MultiphaseNetwork net = make_radial3_feeder(300, true);
  MultiphaseNetwork scaled = net;
  for (PhaseLoad& load : scaled.loads) {
    load.p_w *= 1.3;
    load.q_var *= 1.3;
  }
  ThreePhaseWorkspace ws(net);
  solve(net, ThreePhaseOptions{}, ws);
  ws.set_load_scale(1.3);
  const ThreePhaseResult& r = solve(net, ThreePhaseOptions{}, ws);
  ASSERT_TRUE(r.converged());
  const Eigen::VectorXcd v = r.v;
  ThreePhaseWorkspace ws_scaled(scaled);
  const ThreePhaseResult& expected = solve(scaled, ThreePhaseOptions{}, ws_scaled);
  EXPECT_LT((v - expected.v).cwiseAbs().maxCoeff() / (12470.0 / kSqrt3), 1e-8);
}

TEST(ThreePhasePowerFlow, IterationLimitIsAStatus) {
  const MultiphaseNetwork net = make_radial3_feeder(100, false);
  ThreePhaseWorkspace ws(net);
  ThreePhaseOptions options;
  options.power_flow.max_iterations = 1;
  options.power_flow.tolerance = 1e-14;
  EXPECT_EQ(solve(net, options, ws).status, PowerFlowStatus::kIterationLimit);
}

// The cross-check figures of docs/benchmarks/benchmark-networks.md (OpenDSS on the same networks, tolerance
// 1e-8).
TEST(Radial3Feeder, MatchesTheSpecificationCrossCheckFigures) {
  struct Expected {
    int n;
    bool unbalanced;
    double min_vm;        // 5 decimals
    double p_kw, q_kvar;  // 2 decimals, NaN when not given
  };
  for (const Expected& e : {Expected{1000, false, 0.99780, 4003.85, 1505.13},
                            Expected{1000, true, 0.99567, std::nan(""), std::nan("")},
                            Expected{10000, false, std::nan(""), 4003.87, 1505.16}}) {
    const MultiphaseNetwork net = make_radial3_feeder(e.n, e.unbalanced);
    ThreePhaseWorkspace ws(net);
    const ThreePhaseResult& r = solve(net, ThreePhaseOptions{}, ws);
    ASSERT_TRUE(r.converged());
    double min_vm = 1e9;
    for (int node = 0; node < net.num_nodes(); ++node) {
      min_vm = std::min(min_vm, std::abs(r.v[node]) / node_base_volts(net, node));
    }
    if (!std::isnan(e.min_vm)) {
      EXPECT_NEAR(min_vm, e.min_vm, 5e-6) << e.n;
    }
    if (!std::isnan(e.p_kw)) {
      EXPECT_NEAR(r.source_power.real() / 1e3, e.p_kw, 5e-3) << e.n;
      EXPECT_NEAR(r.source_power.imag() / 1e3, e.q_kvar, 5e-3) << e.n;
    }
  }
}

}  // namespace
}  // namespace vvc::grid
