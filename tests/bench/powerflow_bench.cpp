// Power-flow benchmarks: warm solves of the IEEE 13-bus benchmark case and of the synthetic "radial N"
// feeders (docs/benchmarks/benchmark-networks.md). Reports time per solve; never asserts on time. The same figures come from
// `vvc bench powerflow`.
#include <benchmark/benchmark.h>

#include "vvc/grid/io/case_io.hpp"
#include "vvc/grid/powerflow/balanced.hpp"
#include "vvc/grid/synthetic/radial.hpp"

namespace {

using namespace vvc::grid;

void run_warm(benchmark::State& state, const Network& net, PowerFlowAlgorithm algorithm) {
  PowerFlowWorkspace ws(net);
  const Injections base = nominal_injections(net);
  PowerFlowOptions opt;
  opt.algorithm = algorithm;
  opt.compute_flows = false;
  opt.compute_angles = false;
  // Alternate between two load levels so that every timed solve does real iterations from the previous
  // solution.
  Injections other = base;
  other.s_const *= 1.05;
  solve(net, base, opt, ws);
  bool flip = false;
  for (auto _ : state) {
    const auto& res = solve(net, flip ? other : base, opt, ws);
    benchmark::DoNotOptimize(res.vm.data());
    flip = !flip;
  }
}

void BM_Ieee13(benchmark::State& state) {
  static const Network net = read_case(VVC_SOURCE_DIR "/cases/ieee13_tasrl");
  run_warm(state, net, state.range(0) == 0 ? PowerFlowAlgorithm::kSweep : PowerFlowAlgorithm::kNewtonRaphson);
}
BENCHMARK(BM_Ieee13)->Arg(0)->Arg(1)->ArgName("nr");

void BM_Radial(benchmark::State& state) {
  const Network net = make_radial_feeder(static_cast<int>(state.range(0)));
  run_warm(state, net, state.range(1) == 0 ? PowerFlowAlgorithm::kSweep : PowerFlowAlgorithm::kNewtonRaphson);
}
BENCHMARK(BM_Radial)
    ->Args({1000, 0})
    ->Args({10000, 0})
    ->Args({100000, 0})
    ->Args({1000, 1})
    ->Args({10000, 1})
    ->Args({100000, 1})
    ->ArgNames({"nodes", "nr"})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
