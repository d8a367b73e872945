// LinDistFlow (Baran & Wu 1989; linearized without losses): for a radial feeder with the slack at v_0,
//   v_i^2 = v_0^2 + 2 * sum_k (R_ik p_k + X_ik q_k),
// where p_k, q_k are the injections (pu, positive into the bus) and R_ik, X_ik the resistance and reactance
// of the path the slack-to-i and slack-to-k paths share. Derivation: docs/algorithms/power-flow.md.
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "vvc/grid/model/network.hpp"
#include "vvc/grid/model/topology.hpp"

namespace vvc::grid {

struct LinDistFlowSensitivity {
  std::vector<int> observed;    ///< rows: buses whose v^2 is modelled
  std::vector<int> controlled;  ///< columns: buses whose injection varies
  Eigen::MatrixXd dv2_dp;       ///< d(v^2)/dp, pu^2 per MW
  Eigen::MatrixXd dv2_dq;       ///< d(v^2)/dq, pu^2 per MVar
};

/// Sensitivities of squared voltage magnitudes at `observed` to injections at `controlled` buses.
/// Throws InputError if the network is not radial.
LinDistFlowSensitivity lindistflow_sensitivity(const Network& network, const std::vector<int>& observed,
                                               const std::vector<int>& controlled);

/// LinDistFlow voltage-magnitude-squared prediction for every bus given the injections' constant-power part.
Eigen::VectorXd lindistflow_v2(const Network& network, const Eigen::VectorXcd& s_injection_pu);

}  // namespace vvc::grid
