#include "vvc/grid/synthetic/radial.hpp"

#include <random>
#include <string>

#include "vvc/common/errors.hpp"
#include "vvc/common/units.hpp"

namespace vvc::grid {

Network make_radial_feeder(int num_nodes) {
  if (num_nodes < 2)
    throw InputError("radial feeder: needs at least 2 nodes, got " + std::to_string(num_nodes));
  Network net;
  net.name = "radial" + std::to_string(num_nodes);
  net.base_mva = 10.0;
  constexpr double kBaseKv = 10.0;
  const double z_base = impedance_base_ohm(kBaseKv, net.base_mva);
  net.buses.reserve(static_cast<size_t>(num_nodes));
  for (int i = 0; i < num_nodes; ++i) net.buses.push_back(Bus{std::to_string(i), kBaseKv, 0.95, 1.05, {}});
  net.slack = Slack{0, 1.0, 0.0};
  std::mt19937_64 gen(42);
  const double p = 10.0 / (num_nodes - 1);
  net.branches.reserve(static_cast<size_t>(num_nodes - 1));
  net.loads.reserve(static_cast<size_t>(num_nodes - 1));
  for (int i = 1; i < num_nodes; ++i) {
    const int parent = static_cast<int>(gen() % static_cast<std::uint64_t>(i));
    net.branches.push_back(
        Branch{"l" + std::to_string(i), parent, i, 0.1 / z_base, 0.1 / z_base, 0.0, false, true});
    net.loads.push_back(
        Load{"p" + std::to_string(i), i, p, p / 2.0, LoadModel::kConstantPower, {0, 0, 1}, {0, 0, 1}});
  }
  return net;
}

}  // namespace vvc::grid
