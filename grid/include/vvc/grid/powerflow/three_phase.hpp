// The unbalanced three-phase power flow on a MultiphaseNetwork (docs/algorithms/three-phase.md).
//
// Unknowns: the node voltages V_U of the non-source nodes. Every load phase element draws i(v) = h(|v|) v
// from the voltage v across it (load_models in the source); with Y the admittance matrix holding each load's
// admittance at nominal voltage, the current-injection equations are
//     F(V) = Y_UU V_U + Y_UF V_F - c(V) = 0,   c_p(V) = sum over load elements at p of (Y_eq v - i(v)).
// Two algorithms solve them:
//   - Newton (the default): a chord Newton iteration V <- V - J^-1 F(V) on the real 2x2-block Jacobian J =
//     dF/dV (the loads' currents are not complex-analytic in V: di = a dv + b conj(dv)), factorized with a
//     sparse LU in a minimum-degree order and kept from one operating point to the next, refactorized when
//     the iteration contracts slowly or the taps move; the factorization before it is kept too, for loads
//     that return to the voltage-band regions it was made in.
//   - Fixed point: OpenDSS's "Normal" iteration V_U <- Y_UU^-1 (-Y_UF V_F + c(V)), Y_UU factorized once
//     with KLU.
// Regulator and capacitor control reproduce OpenDSS's RegControl and CapControl in its static control mode
// (control iterations, the control queue ordered by delay, the tap change and switching rules); see
// docs/algorithms/three-phase.md.
#pragma once

#include <Eigen/Dense>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vvc/grid/model/multiphase_network.hpp"
#include "vvc/grid/powerflow/balanced.hpp"

namespace vvc::grid {

/// Regulator taps and capacitor states: as the network says (its controls on unless "Set controlmode=off"),
/// fixed where the network sets them, or moved by the regulator and capacitor controls.
enum class TapMode { kAsNetwork, kFixed, kControl };
enum class ThreePhaseAlgorithm { kNewton, kFixedPoint };

std::string_view to_string(ThreePhaseAlgorithm algorithm);

struct ThreePhaseOptions {
  PowerFlowOptions power_flow;  ///< tolerance: max node power mismatch, pu on the network's base_mva
  /// Also required for convergence: the largest relative change of a node voltage in the last iteration
  /// (OpenDSS's own test, whose default is 1e-4 and which the benchmarks run at 1e-8).
  double voltage_tolerance = 1e-9;
  TapMode taps = TapMode::kAsNetwork;
  ThreePhaseAlgorithm algorithm = ThreePhaseAlgorithm::kNewton;
};

struct RegulatorState {
  std::string name;
  double tap = 1.0;  ///< pu
  int position = 0;  ///< steps from the middle of the tap range (OpenDSS's TapNum)
};

struct CapacitorState {
  std::string name;
  std::vector<int> states;  ///< per step: 1 in service, 0 out (OpenDSS's States)
};

struct ThreePhaseResult {
  PowerFlowStatus status = PowerFlowStatus::kDiverged;
  /// The algorithm that produced the voltages: Newton falls back to the fixed point when its Jacobian
  /// cannot be factorized or it does not converge.
  ThreePhaseAlgorithm algorithm = ThreePhaseAlgorithm::kNewton;
  int iterations = 0;          ///< power-flow iterations, summed over control iterations
  int control_iterations = 0;  ///< power flows solved while the controls acted (OpenDSS's count)
  /// false: a control still had an action pending (a tap change, a capacitor switching) at the last control
  /// iteration
  bool taps_settled = true;
  int jacobian_factorizations = 0;  ///< Newton: numeric factorizations in this solve
  double max_mismatch = 0.0;        ///< pu on base_mva
  Eigen::VectorXcd v;               ///< node voltages to ground, volts
  std::vector<RegulatorState> regulators;
  std::vector<CapacitorState> capacitors;  ///< every capacitor, in the order of network.capacitors
  Complex source_power{0.0, 0.0};          ///< VA into the network from the sources
  Complex load_power{0.0, 0.0};            ///< VA consumed by the loads (injecting elements count negative)
  Complex losses{0.0, 0.0};  ///< VA: source power minus load power (series, shunt and source losses)

  bool converged() const { return status == PowerFlowStatus::kConverged; }
};

/// Index into network.loads of the load, PV system or generator called `name`: "Load.671", "671" (a load),
/// "PVSystem.pv1"; case-insensitive. -1 when there is none.
int find_power_element(const MultiphaseNetwork& network, std::string_view name);

/// Holds the admittance matrix and its factorizations, the Newton Jacobian, the present taps, the regulator
/// controls' state, the elements' powers and the warm start of one network. Build it once per network and
/// worker; once warm, a solve with fixed taps allocates nothing, nor do set_injection and
/// voltage_sensitivities after their first call.
class ThreePhaseWorkspace {
 public:
  explicit ThreePhaseWorkspace(const MultiphaseNetwork& network);
  ~ThreePhaseWorkspace();
  ThreePhaseWorkspace(ThreePhaseWorkspace&&) noexcept;
  ThreePhaseWorkspace& operator=(ThreePhaseWorkspace&&) noexcept;
  ThreePhaseWorkspace(const ThreePhaseWorkspace&) = delete;
  ThreePhaseWorkspace& operator=(const ThreePhaseWorkspace&) = delete;

  /// Forget the warm start (the voltages and the chord Jacobians) and the regulator controls' pending actions,
  /// return the taps to the network's values and every element to its power in the network: the next solve
  /// does not depend on what this workspace solved before.
  void reset();
  /// Scales every element's power by `factor` > 0 (1 = as set) for the following solves, like OpenDSS's
  /// LoadMult. Nothing is refactorized.
  void set_load_scale(double factor);
  /// Sets the total power element `element` (index into network.loads) injects into the network, MW and
  /// MVar over all its phases, split equally over them; a load consuming P + jQ injects -P - jQ. Nothing is
  /// rebuilt: the next solve starts from the last solution.
  void set_injection(int element, Complex s_mva);
  /// The element's present injection, MW + j MVar (before the load scale).
  Complex injection(int element) const;

  struct Impl;
  Impl& impl() { return *impl_; }
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

/// Solves the unbalanced power flow. Never throws for numerical reasons: non-convergence is result.status.
/// The returned reference points into the workspace and stays valid until its next solve.
const ThreePhaseResult& solve(const MultiphaseNetwork& network, const ThreePhaseOptions& options,
                              ThreePhaseWorkspace& workspace);

/// Sensitivities of node voltage magnitudes to element injections at an operating point.
struct VoltageSensitivities {
  Eigen::MatrixXd dvm_dp;  ///< (nodes x elements) pu of each node's base voltage per MW injected
  Eigen::MatrixXd dvm_dq;  ///< (nodes x elements) pu per MVar injected
};

/// d|V|/dp and d|V|/dq of the given model nodes with respect to the active and reactive injection of each
/// given element (indices into network.loads; a multi-phase element's injection split equally over its
/// phases), at the workspace's last converged solution with the taps held: by the implicit function theorem
/// on F(V, p, q) = 0, dV/dθ = -J^-1 dF/dθ with the exact Jacobian there. Returns false, leaving `out`
/// unchanged, when the last solve did not converge or the Jacobian is singular. Throws InputError for an
/// index out of range or a node without a voltage base.
bool voltage_sensitivities(const MultiphaseNetwork& network, ThreePhaseWorkspace& workspace,
                           const std::vector<int>& elements, const std::vector<int>& nodes,
                           VoltageSensitivities& out);

/// Assigns each bus the entry of network.voltage_bases_kv closest to its no-load voltage (OpenDSS
/// "CalcVoltageBases"): solves the network without loads and compares sqrt(3) times the mean node voltage.
void calc_voltage_bases(MultiphaseNetwork& network);

}  // namespace vvc::grid
