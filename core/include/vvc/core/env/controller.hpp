// Controllers map observations to actions. A controller instance belongs to one worker (not shared between
// threads); make() of a ControllerFactory creates one per worker.
#pragma once

#include <Eigen/Dense>
#include <functional>
#include <memory>
#include <string>

#include "vvc/core/env/environment.hpp"

namespace vvc::core {

/// How a controller obtained an action.
enum class ActionStatus {
  kNominal,   ///< by its own rule or optimization
  kFallback,  ///< by its documented fallback (DiffOP: the hard limits were infeasible, the exact-penalty QP)
  kFailed,    ///< no action could be computed; the action holds the applied q
};
const char* to_string(ActionStatus status);

class Controller {
 public:
  virtual ~Controller() = default;
  virtual std::string name() const = 0;
  /// The rule the environment applies to this controller's actions.
  virtual StepRule rule() const { return StepRule::kSetpoint; }
  virtual double alpha() const { return 0.5; }
  /// Called after each reset, with the scenario (a controller that plans, e.g. `limit`, may use it).
  virtual void reset(const Observation& obs, const Scenario& scenario) = 0;
  /// Writes the action for the next step into `action` (size = number of inverters).
  virtual ActionStatus act(const Observation& obs, Eigen::VectorXd& action) = 0;
};

using ControllerFactory = std::function<std::unique_ptr<Controller>()>;

/// q = 0: no control.
std::unique_ptr<Controller> make_zero_controller(const Study& study);
/// IEEE 1547-2018 Volt-VAR, category B default curve, each inverter on its own bus voltage (docs/algorithms).
std::unique_ptr<Controller> make_voltvar_controller(const Study& study);
struct LinearDroopOptions {
  double gain_mvar_per_pu = 1.0;      ///< k: MVar per pu outside the dead band
  double max_step_mvar = 0.05;        ///< u_max: the largest change per step (Stable-DDPG: 0.5 x 100 kvar)
  double dead_band_margin_pu = 0.02;  ///< the dead band is [vmin + margin, vmax - margin]
};
/// Stable-DDPG's linear policy (LinearPolicy of its three-phase environments): an incremental droop on each
/// action's own |V| with a dead band inside the voltage band (docs/algorithms/reference.md).
std::unique_ptr<Controller> make_linear_droop_controller(const Study& study,
                                                         const LinearDroopOptions& options = {});
/// The safe gradient flow of the reference ("TASRL linear"): u = -(c q + v^2 - 1) through the safe clamp.
std::unique_ptr<Controller> make_gradient_flow_controller(const Study& study, double alpha = 0.5);

}  // namespace vvc::core
