// Voltage-magnitude sensitivities to element injections (docs/algorithms/three-phase.md).
//
// At a solution of F(V, θ) = Y_UU V_U - b - c(V, θ) = 0 with the taps held, the implicit function theorem
// gives J dV/dθ = -dF/dθ, J the (real-linear) Newton Jacobian at V. An element's current on phase element
// (p, q) is i = h(|v|; S) v with h linear in its per-phase power S = P + jQ (consumption), and c = Y_eq v -
// i, so dF/dθ = +di/dθ at p and -di/dθ at q, with di/dP = h(|v|; 1) v and di/dQ = h(|v|; j) v times the load
// scale; an injection of p MW over n phases is a consumption of -p 1e6 / n W per phase. Then
// d|V_k|/dθ = Re(conj(V_k) dV_k/dθ) / |V_k|, reported in pu of the node's base voltage.
#include <string>

#include "three_phase_impl.hpp"
#include "vvc/common/errors.hpp"

namespace vvc::grid {

bool voltage_sensitivities(const MultiphaseNetwork& network, ThreePhaseWorkspace& workspace,
                           const std::vector<int>& elements, const std::vector<int>& nodes,
                           VoltageSensitivities& out) {
  ThreePhaseWorkspace::Impl& m = workspace.impl();
  VVC_ASSERT(m.network == &network);
  for (int e : elements) {
    if (e < 0 || e >= static_cast<int>(network.loads.size())) {
      throw InputError("voltage_sensitivities: element " + std::to_string(e) +
                       " out of range (the network has " + std::to_string(network.loads.size()) +
                       " power elements)");
    }
  }
  for (int node : nodes) {
    if (node < 0 || node >= network.num_nodes()) {
      throw InputError("voltage_sensitivities: node " + std::to_string(node) +
                       " out of range (the network has " + std::to_string(network.num_nodes()) + " nodes)");
    }
    const int bus = network.nodes[static_cast<size_t>(node)].bus;
    if (bus < 0) {
      throw InputError("voltage_sensitivities: node " + std::to_string(node) +
                       " is a source's internal node, not a bus conductor");
    }
    if (node_base_volts(network, node) <= 0.0) {
      throw InputError("voltage_sensitivities: bus '" + network.buses[static_cast<size_t>(bus)].name +
                       "' has no voltage base (Set voltagebases and CalcVoltageBases)");
    }
  }
  if (!m.warm || !m.result.converged()) return false;
  // The exact Jacobian at the present voltages; it also serves the following solves as their chord.
  m.compensation(m.comp, true);
  m.comp_current = true;
  if (!m.factorize_jacobian()) return false;

  const auto rows = static_cast<Eigen::Index>(nodes.size());
  const auto cols = static_cast<Eigen::Index>(elements.size());
  out.dvm_dp.resize(rows, cols);
  out.dvm_dq.resize(rows, cols);
  m.sensitivity_rhs.resize(m.num_unknown);
  for (Eigen::Index col = 0; col < cols; ++col) {
    const auto l = static_cast<size_t>(elements[static_cast<size_t>(col)]);
    const PhaseLoad& load = network.loads[l];
    const double per_phase = -1e6 / static_cast<double>(load.phases) * m.load_scale;
    for (int part = 0; part < 2; ++part) {
      const detail::LoadTerms unit =
          detail::load_terms(load, part == 0 ? Complex(1.0, 0.0) : Complex(0.0, 1.0));
      Eigen::VectorXcd& rhs = m.sensitivity_rhs;
      rhs.setZero();
      for (const int k : m.load_element_index[l]) {
        if (k < 0) continue;
        const ThreePhaseWorkspace::Impl::LoadElement& e = m.load_elements[static_cast<size_t>(k)];
        const Complex vd = m.ext[e.p] - m.ext[e.q];
        const double vm = std::abs(vd);
        const Complex di =
            vm > 0.0 ? detail::load_admittance(load, unit, vm).first * vd * per_phase : Complex(0.0, 0.0);
        // rhs = -dF/dθ.
        if (e.p < m.num_unknown) rhs[e.p] -= di;
        if (e.q < m.num_unknown) rhs[e.q] += di;
      }
      m.jacobian.solve(rhs.data(), rhs.data());
      Eigen::MatrixXd& target = part == 0 ? out.dvm_dp : out.dvm_dq;
      for (Eigen::Index row = 0; row < rows; ++row) {
        const int node = nodes[static_cast<size_t>(row)];
        const int p = m.position[static_cast<size_t>(node)];
        if (p < 0) {
          target(row, col) = 0.0;
          continue;
        }
        const Complex v = m.ext[p];
        target(row, col) = (std::conj(v) * rhs[p]).real() / std::abs(v) / node_base_volts(network, node);
      }
    }
  }
  return true;
}

}  // namespace vvc::grid
