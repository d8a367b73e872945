// The synthetic benchmark feeder "radial N" (docs/benchmarks/benchmark-networks.md), generated in code by
// fixed rules, so that vvc's timings compare directly with other solvers' timings on the same networks.
#pragma once

#include "vvc/grid/model/network.hpp"

namespace vvc::grid {

/// "radial N": N nodes at 10 kV, node 0 the ideal 1.0 pu source; node i >= 1 hangs from parent gen() % i with
/// gen = std::mt19937_64(42) called once per node in order; every line r = x = 0.1 ohm, no shunt; every node
/// i >= 1 carries a constant-PQ load P = 10 MW / (N - 1), Q = P / 2. Base power 10 MVA.
Network make_radial_feeder(int num_nodes);

}  // namespace vvc::grid
