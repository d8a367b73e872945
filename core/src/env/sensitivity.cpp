#include <cmath>

#include "vvc/common/errors.hpp"
#include "vvc/core/env/study.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"

namespace vvc::core {

ThreePhaseSensitivity three_phase_sensitivity(const Study& study, const std::vector<int>& points) {
  VVC_ASSERT(study.three_phase());
  const grid::MultiphaseNetwork& net = study.phase_network;
  grid::ThreePhaseWorkspace workspace(net);
  grid::ThreePhaseOptions options;
  options.power_flow.tolerance = 1e-10;
  const grid::ThreePhaseResult& r = grid::solve(net, options, workspace);
  std::vector<int> elements, nodes;
  for (const Inverter& inv : study.inverters) elements.push_back(inv.generator_index);
  for (int p : points) nodes.push_back(study.points[static_cast<size_t>(p)].index);
  grid::VoltageSensitivities s;
  if (!r.converged() || !grid::voltage_sensitivities(net, workspace, elements, nodes, s)) {
    throw InputError(study.path.string() +
                     ": the power flow of the network as its script leaves it does not converge: no voltage "
                     "sensitivities at its operating point");
  }
  ThreePhaseSensitivity out;
  out.dvm_dq = s.dvm_dq;
  out.vm.resize(static_cast<Eigen::Index>(points.size()));
  for (size_t k = 0; k < points.size(); ++k) {
    const VoltagePoint& point = study.points[static_cast<size_t>(points[k])];
    out.vm[static_cast<Eigen::Index>(k)] = std::abs(r.v[point.index]) / point.base_v;
  }
  return out;
}

}  // namespace vvc::core
