// The synthetic three-phase benchmark feeder "radial3 N" (docs/benchmarks/benchmark-networks.md), generated
// in code, so that vvc's timings compare directly with OpenDSS's on the same network.
#pragma once

#include "vvc/grid/model/multiphase_network.hpp"

namespace vvc::grid {

/// "radial3 N": the "radial N" tree (node i >= 1 hangs from parent gen() % i, gen = std::mt19937_64(42)
/// called once per node in order), buses b0 ... b{N-1} at 12.47 kV line-to-line, b0 an ideal 1.0 pu source.
/// Every line is 3-phase, 100 m, r1 = 0.3, x1 = 0.4, r0 = 0.6, x0 = 1.2 ohm/km, no shunt. Every bus i >= 1
/// carries a wye constant-PQ load of P = 4 MW / (N - 1), Q = 1.5 Mvar / (N - 1) (vminpu 0.5), split equally
/// over the phases, or 50 / 30 / 20 % over a / b / c when `unbalanced`. Throws InputError for N < 2.
MultiphaseNetwork make_radial3_feeder(int num_nodes, bool unbalanced);

}  // namespace vvc::grid
