// The `limit` reference: per scenario, the best constant reactive power under all constraints,
//   minimize F(q) = 1/2 q' diag(c) q + 1/2 q' (v(q)^2 + v_init^2 - 2)
//   subject to vmin <= |V_b(q)| <= vmax at every non-slack bus, q_min <= q <= q_max,
// with v(q) the full AC power flow, solved by Ipopt in reduced space (gradients from the power-flow Jacobian
// by the implicit function theorem). Applied from step 1 and held, it bounds the transient metric from below:
// no controller can do better on average (voltage-control-benchmark.md section 4).
#pragma once

#include "vvc/core/env/evaluation.hpp"

namespace vvc::core {

struct LimitSolution {
  bool ok = false;       ///< Ipopt converged to a feasible point
  int ipopt_status = 0;  ///< raw Ipopt return status
  Eigen::VectorXd q;     ///< MVar
  double cost = 0.0;     ///< F(q)
};

/// Solves the best-constant-q problem of one scenario. Uses Ipopt: serialized, never run concurrently.
LimitSolution solve_limit(const Study& study, const Scenario& scenario, bool voltage_band);

/// Evaluates the limit controller over a scenario range (serial: Ipopt is not thread-safe). A scenario whose
/// problem Ipopt cannot solve keeps q = 0 and counts as a power-flow failure in the summary.
Evaluation evaluate_limit(const Study& study, const ScenarioSet& scenarios, const EvaluationOptions& options,
                          bool voltage_band);

}  // namespace vvc::core
