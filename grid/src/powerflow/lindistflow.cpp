// LinDistFlow (Baran & Wu, "Network reconfiguration in distribution systems for loss reduction and load
// balancing", IEEE Trans. Power Delivery 4(2), 1989), with the quadratic loss terms dropped:
//   v_j^2 = v_i^2 - 2 (r_ij P_ij + x_ij Q_ij)  along each branch i -> j, P_ij = sum of the loads downstream
//   of j.
// Summing along the path from the slack gives v_i^2 = v_0^2 + 2 sum_k (R_ik p_k + X_ik q_k) with injections
// p, q (pu) and R = A' diag(r) A, X = A' diag(x) A the shared-path resistance and reactance (A:
// path_incidence).
#include "vvc/grid/powerflow/lindistflow.hpp"

#include "vvc/common/errors.hpp"

namespace vvc::grid {

namespace {

struct SharedPath {
  Eigen::MatrixXd r;  // n x n shared-path resistance, pu
  Eigen::MatrixXd x;  // n x n shared-path reactance, pu
};

SharedPath shared_path(const Network& network) {
  const Topology topology = build_topology(network);
  if (!topology.radial) {
    throw InputError(network.name + ": LinDistFlow needs a radial network");
  }
  const Eigen::MatrixXd a = path_incidence(network, topology);
  Eigen::VectorXd r(network.num_branches());
  Eigen::VectorXd x(network.num_branches());
  for (int k = 0; k < network.num_branches(); ++k) {
    r[k] = network.branches[static_cast<size_t>(k)].r_pu;
    x[k] = network.branches[static_cast<size_t>(k)].x_pu;
  }
  return {a.transpose() * r.asDiagonal() * a, a.transpose() * x.asDiagonal() * a};
}

}  // namespace

LinDistFlowSensitivity lindistflow_sensitivity(const Network& network, const std::vector<int>& observed,
                                               const std::vector<int>& controlled) {
  const SharedPath path = shared_path(network);
  LinDistFlowSensitivity s{observed, controlled, {}, {}};
  const auto rows = static_cast<Eigen::Index>(observed.size());
  const auto cols = static_cast<Eigen::Index>(controlled.size());
  s.dv2_dp.resize(rows, cols);
  s.dv2_dq.resize(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index k = 0; k < cols; ++k) {
      const int bi = observed[static_cast<size_t>(i)];
      const int bk = controlled[static_cast<size_t>(k)];
      VVC_ASSERT(bi >= 0 && bi < network.num_buses() && bk >= 0 && bk < network.num_buses());
      s.dv2_dp(i, k) = 2.0 * path.r(bi, bk) / network.base_mva;
      s.dv2_dq(i, k) = 2.0 * path.x(bi, bk) / network.base_mva;
    }
  }
  return s;
}

Eigen::VectorXd lindistflow_v2(const Network& network, const Eigen::VectorXcd& s_injection_pu) {
  const SharedPath path = shared_path(network);
  const double v0 = network.slack.vm_pu;
  return Eigen::VectorXd::Constant(network.num_buses(), v0 * v0) +
         2.0 * (path.r * s_injection_pu.real() + path.x * s_injection_pu.imag());
}

}  // namespace vvc::grid
