#include "vvc/grid/synthetic/radial3.hpp"

#include <numbers>
#include <random>
#include <string>

#include "vvc/common/errors.hpp"

namespace vvc::grid {

MultiphaseNetwork make_radial3_feeder(int num_nodes, bool unbalanced) {
  if (num_nodes < 2)
    throw InputError("radial3 feeder: needs at least 2 nodes, got " + std::to_string(num_nodes));
  constexpr double kBaseKv = 12.47;
  constexpr double kLengthKm = 0.1;
  MultiphaseNetwork net;
  net.name = "radial3_" + std::to_string(num_nodes) + (unbalanced ? "_unbalanced" : "");
  net.voltage_bases_kv = {kBaseKv};
  net.buses.reserve(static_cast<size_t>(num_nodes));
  net.nodes.reserve(3 * static_cast<size_t>(num_nodes));
  for (int i = 0; i < num_nodes; ++i) {
    const int first = static_cast<int>(net.nodes.size());
    net.buses.push_back(
        PhaseBus{"b" + std::to_string(i), {1, 2, 3}, {first, first + 1, first + 2}, kBaseKv, {}});
    for (int phase = 1; phase <= 3; ++phase) net.nodes.push_back({i, phase});
  }
  const double v_ln = kBaseKv * 1000.0 / std::numbers::sqrt3;
  net.source_voltages.resize(3);
  for (int k = 0; k < 3; ++k) {
    net.source_nodes.push_back(net.buses[0].nodes[static_cast<size_t>(k)]);
    net.source_voltages[k] = std::polar(v_ln, -2.0 * std::numbers::pi / 3.0 * k);
  }

  const Complex z1(0.3 * kLengthKm, 0.4 * kLengthKm);
  const Complex z0(0.6 * kLengthKm, 1.2 * kLengthKm);
  Eigen::Matrix3cd z = Eigen::Matrix3cd::Constant((z0 - z1) / 3.0);
  z.diagonal().setConstant((2.0 * z1 + z0) / 3.0);
  const Eigen::Matrix3cd ys = z.inverse();
  Eigen::MatrixXcd y(6, 6);
  y << ys, -ys, -ys, ys;

  const double p_total = 4e6 / (num_nodes - 1);
  const double q_total = 1.5e6 / (num_nodes - 1);
  const std::array<double, 3> share = unbalanced ? std::array<double, 3>{0.5, 0.3, 0.2}
                                                 : std::array<double, 3>{1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0};
  std::mt19937_64 gen(42);
  net.elements.reserve(static_cast<size_t>(num_nodes - 1));
  for (int i = 1; i < num_nodes; ++i) {
    const int parent = static_cast<int>(gen() % static_cast<std::uint64_t>(i));
    PrimitiveElement line;
    line.name = "Line.l" + std::to_string(i);
    line.kind = ElementKind::kLine;
    line.terminals = 2;
    line.conductors = 3;
    const PhaseBus& from = net.buses[static_cast<size_t>(parent)];
    const PhaseBus& to = net.buses[static_cast<size_t>(i)];
    line.nodes = {from.nodes[0], from.nodes[1], from.nodes[2], to.nodes[0], to.nodes[1], to.nodes[2]};
    line.y = y;
    net.elements.push_back(std::move(line));
    for (int k = 0; k < 3; ++k) {
      PhaseLoad load;
      load.name = "p" + std::to_string(i) + "_" + std::string(1, static_cast<char>('a' + k));
      load.phases = 1;
      load.nodes = {to.nodes[static_cast<size_t>(k)], kGroundNode};
      load.p_w = p_total * share[static_cast<size_t>(k)];
      load.q_var = q_total * share[static_cast<size_t>(k)];
      load.v_base_v = v_ln;
      load.vminpu = 0.5;
      net.loads.push_back(std::move(load));
    }
  }
  return net;
}

}  // namespace vvc::grid
