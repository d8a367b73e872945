// Reduced-space NLP with the full AC power flow as the voltage model (private to core), shared by the `limit`
// references and the NLP policy:
//   minimize  sum_i [ 1/2 c_i q_i^2 + 1/2 q_i (v_i(q)^2 + v_init,i^2 - 2) + 1/2 d_i (q_i - q0_i)^2 ]
//   subject to vmin^2 <= |V_b(q)|^2 <= vmax^2 at every non-slack bus (optional), q_min <= q <= q_max,
// where V(q) solves the AC power flow with the base injections plus j q at the inverter buses. On a radial
// feeder this is the DistFlow branch-flow model, exactly. Gradients by the implicit function theorem: with
// the Newton-Raphson Jacobian J at the solution, [dtheta; d|V|] = J^{-1} [0; e_k / S_base], so d|V|^2/dq = 2
// |V| d|V|/dq; Ipopt's quasi-Newton Hessian.
#pragma once

#include <Eigen/Dense>

#include "vvc/core/env/study.hpp"
#include "vvc/core/qp/dense_qp.hpp"
#include "vvc/grid/powerflow/balanced.hpp"

namespace vvc::core::detail {

struct AcNlpSpec {
  grid::Injections base;         ///< exogenous injections, without the inverters' q
  Eigen::VectorXd v_init;        ///< |V_init| at the inverter buses (the cost's reference)
  Eigen::VectorXd cost_c;        ///< per-inverter quadratic weights
  Eigen::VectorXd q0;            ///< anchor of the move penalty
  Eigen::VectorXd move_penalty;  ///< d (zeros: none)
  bool voltage_band = true;
};

struct AcNlpResult {
  QpStatus status = QpStatus::kNumericalFailure;  ///< kOptimal: Ipopt converged (optimal or acceptable)
  int ipopt_status = 0;                           ///< raw Ipopt return status
  Eigen::VectorXd q;                              ///< the solution (the start when not ok)
  double objective = 0.0;
  bool solved() const { return status == QpStatus::kOptimal; }
};

/// Solves the NLP from q_start with Ipopt (serialized process-wide).
AcNlpResult solve_ac_nlp(const Study& study, const AcNlpSpec& spec, const Eigen::VectorXd& q_start);

}  // namespace vvc::core::detail
