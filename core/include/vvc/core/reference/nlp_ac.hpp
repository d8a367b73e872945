// The NLP variant of the policy class: the cost and the hard voltage limits of DiffOP's policy problem (H =
// 1), with a nonlinear voltage model instead of the learned linear one: the full AC power flow of the study's
// network (on a radial feeder, exactly the DistFlow branch-flow model) around the measured operating point.
// The exogenous injections are recovered from the measured phasors, S = V conj(Y V) minus the inverters' own
// q (a trivial state estimate; voltage-dependent loads are frozen at their measured power). At every step
// Ipopt solves
//   minimize  sum_i [ 1/2 c_i q_i^2 + 1/2 q_i (v_i(q)^2 + v_init,i^2 - 2) + 1/2 d_i (q_i - q_t,i)^2 ]
//   subject to vmin <= |V_b(q)| <= vmax at every non-slack bus, q_min <= q <= q_max
// from the applied q (receding horizon). It needs phasor measurements and the network model, which the
// learned policies do not; Ipopt is serialized, so it evaluates on one thread (about 5-15 ms per step).
#pragma once

#include <memory>

#include "vvc/core/env/controller.hpp"

namespace vvc::core {

struct NlpPolicyOptions {
  Eigen::VectorXd cost_c;        ///< empty: the study's c
  Eigen::VectorXd move_penalty;  ///< empty: 0.01 per inverter (DiffOP's starting move penalty)
};

/// When Ipopt does not converge, the applied q is kept.
std::unique_ptr<Controller> make_nlp_policy_controller(const Study& study,
                                                       const NlpPolicyOptions& options = {});

}  // namespace vvc::core
