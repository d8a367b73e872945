// Small networks built in code for the grid unit tests.
#pragma once

#include <string>
#include <vector>

#include "vvc/grid/model/network.hpp"

namespace vvc::grid::testing {

/// A network of `n` buses at 1 kV (base 1 MVA, so 1 ohm = 1 pu), slack at bus 0 at 1.0 pu.
inline Network make_buses(int n) {
  Network net;
  net.name = "test";
  net.base_mva = 1.0;
  for (int i = 0; i < n; ++i) net.buses.push_back(Bus{"b" + std::to_string(i), 1.0, 0.95, 1.05, {}});
  net.slack = Slack{0, 1.0, 0.0};
  return net;
}

inline void add_line(Network& net, int from, int to, double r, double x, double b = 0.0) {
  net.branches.push_back(Branch{"l" + std::to_string(net.branches.size()), from, to, r, x, b, false, true});
}

inline void add_load(Network& net, int bus, double p_mw, double q_mvar,
                     LoadModel model = LoadModel::kConstantPower) {
  net.loads.push_back(
      Load{"d" + std::to_string(net.loads.size()), bus, p_mw, q_mvar, model, {0, 0, 1}, {0, 0, 1}});
}

}  // namespace vvc::grid::testing
