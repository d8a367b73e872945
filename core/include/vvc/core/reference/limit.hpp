// The `limit` references: with full knowledge of the scenario, the best reactive power under the inverter
// limits (and, for the band variants, with every bus in the band), from the reduced-space AC NLP of
// ac_nlp.hpp solved by Ipopt:
//
//   minimize   F_t(q) = 1/2 q' diag(c) q + 1/2 q' (v_t(q)^2 + v_init^2 - 2)
//   subject to q_min <= q <= q_max     [and vmin <= |V_b(q)| <= vmax at every non-slack bus: the band variants]
//
// with v_t(q) the AC power flow with the injections of step t, v_init the one at step 0 with q = 0.
//
//   limit, limit-band                    one constant q per scenario, from the injections of step 0,
//                                        applied from step 1 and held;
//   limit-per-step, limit-band-per-step  a new q at every step, from that step's injections.
//
// The environment is quasi-static (F_t depends only on step t's injections and q_t), so the metric of any
// controller is sum_t gamma^t F_t(q_t) >= sum_t gamma^t min_q F_t(q): limit-per-step bounds the transient metric
// from below for every controller, limit-band-per-step for every controller that keeps the band at every step.
// On scenario sets with constant injections (tasrl13) every step has the same minimum, so limit equals
// limit-per-step and is that bound (voltage-control-benchmark.md section 4); on time series, limit is only the
// best constant control, and a controller that follows the series can beat it.
//
// Three-phase studies (reference/phase_nlp.hpp): q is one reactive power per inverter phase, v_t(q) the
// unbalanced power flow with the taps held at those the reset found, the band applies at the monitored
// node-phases, and the objective is the study's cost form: F_t as above, or with the Stable-DDPG form the
// episode cost of holding q from step 1, gamma w_a |q|_1 / u + w_v (sum_t gamma^t) sum_p violation_p(q)^2 (limit)
// and its band-constrained version, min |q|_1 with every monitored node-phase in band (limit-band). The
// per-step variants need form F: the Stable-DDPG cost charges each move, so its steps do not separate.
#pragma once

#include <memory>

#include "vvc/core/env/controller.hpp"

namespace vvc::core {

enum class LimitStatus {
  kSolved,             ///< Ipopt converged to a feasible point
  kStartNotConverged,  ///< the power flow at q = 0 (for v_init) did not converge
  kNotSolved,          ///< Ipopt did not converge (ipopt_status says why)
  kInfeasible,         ///< Ipopt found the band out of reach within the inverter limits (three-phase)
};
const char* to_string(LimitStatus status);

struct LimitSolution {
  LimitStatus status = LimitStatus::kNotSolved;
  int ipopt_status = 0;  ///< raw Ipopt return status
  Eigen::VectorXd q;     ///< MVar (zero when not solved)
  double cost = 0.0;     ///< the objective at q: F_t(q), or the Stable-DDPG form's episode cost (above)
  bool solved() const { return status == LimitStatus::kSolved; }
};

/// Solves the best-q problem of one scenario with the injections of `step`. Uses Ipopt (serialized: never run
/// two at once).
LimitSolution solve_limit(const Study& study, const Scenario& scenario, bool voltage_band, int step = 0);

struct LimitOptions {
  bool voltage_band = false;
  bool per_step = false;
};

/// Throws InputError when the variant does not apply to the study (a per-step variant with the Stable-DDPG cost
/// form).
void check_limit_options(const Study& study, const LimitOptions& options);

/// The limit controller named by `options` (names above). When a solve fails, act() reports kFailed and holds
/// the applied q (q = 0 for the constant variants).
std::unique_ptr<Controller> make_limit_controller(const Study& study, const LimitOptions& options);

}  // namespace vvc::core
