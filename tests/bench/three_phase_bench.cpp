// Unbalanced power-flow benchmarks: warm solves of the IEEE 13, 34, 37, 123 and 8500-node OpenDSS feeders as
// shipped (a first solve under regulator and capacitor control sets the taps and capacitors, which are then
// held, as OpenDSS's timing runs do with "Set controlmode=off") and of the synthetic "radial3 N" feeders (docs/benchmarks/benchmark-networks.md),
// by Newton and by the fixed point, at OpenDSS's tolerance 1e-8 on the relative voltage change, with the
// power mismatch at 1e-10 pu. Reports time per solve and iterations; never asserts on time.
//
// Two warm variants: "unchanged" re-solves the same loads from the previous solution (what a repeated OpenDSS
// Solve does); "alternating" switches the loads between 100 % and 105 % on every solve, so each timed solve
// iterates.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "vvc/grid/io/opendss.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"
#include "vvc/grid/synthetic/radial3.hpp"

namespace {

using namespace vvc::grid;

void run_warm(benchmark::State& state, const MultiphaseNetwork& net, bool alternating,
              ThreePhaseAlgorithm algorithm) {
  ThreePhaseWorkspace ws(net);
  ThreePhaseOptions options;
  options.voltage_tolerance = 1e-8;
  options.algorithm = algorithm;
  options.taps = TapMode::kAsNetwork;
  if (!solve(net, options, ws).converged()) state.SkipWithError("the power flow did not converge");
  options.taps = TapMode::kFixed;
  int iterations = 0;
  bool flip = true;
  for (auto _ : state) {
    if (alternating) ws.set_load_scale(flip ? 1.05 : 1.0);
    const ThreePhaseResult& r = solve(net, options, ws);
    benchmark::DoNotOptimize(r.v.data());
    iterations += r.iterations;
    flip = !flip;
  }
  state.counters["iterations"] = benchmark::Counter(iterations, benchmark::Counter::kAvgIterations);
  state.counters["nodes"] = net.num_nodes();
}

const MultiphaseNetwork& ieee(int which) {
  static const MultiphaseNetwork ieee13 =
      read_opendss(VVC_SOURCE_DIR "/cases/ieee13/IEEE13Nodeckt.dss").network;
  static const MultiphaseNetwork ieee34 = read_opendss(VVC_SOURCE_DIR "/cases/ieee34/ieee34Mod1.dss").network;
  static const MultiphaseNetwork ieee37 = read_opendss(VVC_SOURCE_DIR "/cases/ieee37/ieee37.dss").network;
  static const MultiphaseNetwork ieee123 =
      read_opendss(VVC_SOURCE_DIR "/cases/ieee123/IEEE123Master.dss").network;
  static const MultiphaseNetwork ieee8500 = read_opendss(VVC_SOURCE_DIR "/cases/ieee8500/Master.dss").network;
  return which == 13    ? ieee13
         : which == 34  ? ieee34
         : which == 37  ? ieee37
         : which == 123 ? ieee123
                        : ieee8500;
}

ThreePhaseAlgorithm algorithm(int64_t arg) {
  return arg == 0 ? ThreePhaseAlgorithm::kNewton : ThreePhaseAlgorithm::kFixedPoint;
}

void BM_Ieee(benchmark::State& state) {
  run_warm(state, ieee(static_cast<int>(state.range(0))), state.range(1) != 0, algorithm(state.range(2)));
}
BENCHMARK(BM_Ieee)
    ->ArgsProduct({{13, 34, 37, 123, 8500}, {0, 1}, {0, 1}})
    ->ArgNames({"feeder", "alternating", "fixed_point"})
    ->Unit(benchmark::kMicrosecond);

// Reading the IEEE 8500-node feeder's script into its network, and building the power flow's workspace.
void BM_Ieee8500Read(benchmark::State& state) {
  for (auto _ : state) {
    const OpenDssCase dss = read_opendss(VVC_SOURCE_DIR "/cases/ieee8500/Master.dss");
    benchmark::DoNotOptimize(dss.network.nodes.data());
  }
}
BENCHMARK(BM_Ieee8500Read)->Unit(benchmark::kMillisecond);

void BM_Ieee8500Workspace(benchmark::State& state) {
  for (auto _ : state) {
    ThreePhaseWorkspace ws(ieee(8500));
    benchmark::DoNotOptimize(&ws);
  }
}
BENCHMARK(BM_Ieee8500Workspace)->Unit(benchmark::kMillisecond);

void BM_Radial3(benchmark::State& state) {
  const MultiphaseNetwork net = make_radial3_feeder(static_cast<int>(state.range(0)), state.range(1) != 0);
  run_warm(state, net, state.range(2) != 0, algorithm(state.range(3)));
}
BENCHMARK(BM_Radial3)
    ->ArgsProduct({{1000, 10000}, {0, 1}, {0, 1}, {0, 1}})
    ->ArgNames({"nodes", "unbalanced", "alternating", "fixed_point"})
    ->Unit(benchmark::kMicrosecond);

// What a Volt/VAR controller does every step on IEEE 123: set the reactive injections of `range(0)` single-phase
// elements (here the first single-phase loads, each moved by up to +-20 kvar at random) and solve again, taps
// held; then, in the second benchmark, the sensitivities of every node's |V| to those elements.
std::vector<int> single_phase_elements(const MultiphaseNetwork& net, int count) {
  std::vector<int> elements;
  for (int l = 0; l < static_cast<int>(net.loads.size()) && static_cast<int>(elements.size()) < count; ++l) {
    if (net.loads[static_cast<size_t>(l)].phases == 1) elements.push_back(l);
  }
  return elements;
}

void BM_Ieee123InjectionSteps(benchmark::State& state) {
  const MultiphaseNetwork& net = ieee(123);
  ThreePhaseWorkspace ws(net);
  ThreePhaseOptions options;
  options.voltage_tolerance = 1e-8;
  solve(net, options, ws);
  options.taps = TapMode::kFixed;
  const std::vector<int> elements = single_phase_elements(net, static_cast<int>(state.range(0)));
  std::vector<vvc::Complex> base;
  for (int e : elements) base.push_back(ws.injection(e));
  std::mt19937 gen(3);
  std::uniform_real_distribution<double> kvar(-0.02, 0.02);
  int iterations = 0;
  for (auto _ : state) {
    for (size_t k = 0; k < elements.size(); ++k) {
      ws.set_injection(elements[k], base[k] + vvc::Complex(0.0, kvar(gen)));
    }
    const ThreePhaseResult& r = solve(net, options, ws);
    benchmark::DoNotOptimize(r.v.data());
    iterations += r.iterations;
  }
  state.counters["iterations"] = benchmark::Counter(iterations, benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_Ieee123InjectionSteps)->Arg(10)->Arg(40)->ArgName("elements")->Unit(benchmark::kMicrosecond);

void BM_Ieee123Sensitivities(benchmark::State& state) {
  const MultiphaseNetwork& net = ieee(123);
  ThreePhaseWorkspace ws(net);
  solve(net, ThreePhaseOptions{}, ws);
  const std::vector<int> elements = single_phase_elements(net, static_cast<int>(state.range(0)));
  std::vector<int> nodes;
  for (int node = 0; node < net.num_nodes(); ++node) {
    if (node_base_volts(net, node) > 0.0) nodes.push_back(node);
  }
  VoltageSensitivities s;
  for (auto _ : state) {
    voltage_sensitivities(net, ws, elements, nodes, s);
    benchmark::DoNotOptimize(s.dvm_dq.data());
  }
  state.counters["nodes"] = static_cast<double>(nodes.size());
}
BENCHMARK(BM_Ieee123Sensitivities)->Arg(10)->Arg(40)->ArgName("elements")->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
