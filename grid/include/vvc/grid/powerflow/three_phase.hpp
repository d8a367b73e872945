// The unbalanced three-phase power flow on a MultiphaseNetwork.
//
// The power flow (docs/algorithms/three-phase.md) is OpenDSS's "Normal" current-injection fixed point: the
// load admittances at nominal voltage are part of a constant Y matrix, factorized once with KLU; each
// iteration solves Y V = I_source + I_comp(V), where I_comp corrects each load from its constant-impedance
// part to its actual model. Regulator control, with line-drop compensation, is an outer fixed point on
// the taps.
#pragma once

#include <Eigen/Dense>
#include <memory>
#include <string>
#include <vector>

#include "vvc/grid/model/multiphase_network.hpp"
#include "vvc/grid/powerflow/balanced.hpp"

namespace vvc::grid {

enum class TapMode { kAsNetwork, kFixed, kControl };

struct ThreePhaseOptions {
  PowerFlowOptions power_flow;  ///< tolerance: max node power mismatch, pu on the network's base_mva
  /// Also required for convergence: the largest relative change of a node voltage in the last iteration
  /// (OpenDSS's own test, whose default is 1e-4 and which the benchmarks run at 1e-8).
  double voltage_tolerance = 1e-9;
  TapMode taps = TapMode::kAsNetwork;
};

struct RegulatorState {
  std::string name;
  double tap = 1.0;  ///< pu
  int position = 0;  ///< steps from 1.0
};

struct ThreePhaseResult {
  PowerFlowStatus status = PowerFlowStatus::kDiverged;
  int iterations = 0;          ///< fixed-point iterations, summed over control rounds
  int control_iterations = 0;  ///< power flows solved while regulator control moved taps
  bool taps_settled = true;    ///< false: control still wanted to move a tap at the last round
  double max_mismatch = 0.0;   ///< pu on base_mva
  Eigen::VectorXcd v;          ///< node voltages to ground, volts
  std::vector<RegulatorState> regulators;
  Complex source_power{0.0, 0.0};  ///< VA into the network from the sources
  Complex load_power{0.0, 0.0};    ///< VA consumed by the loads
  Complex losses{0.0, 0.0};        ///< VA: source power minus load power (series, shunt and source losses)

  bool converged() const { return status == PowerFlowStatus::kConverged; }
};

/// Holds the admittance matrix, its KLU factorization, the present taps and the warm start of one network.
/// Build it once per network and worker; once warm, a solve with fixed taps allocates nothing.
class ThreePhaseWorkspace {
 public:
  explicit ThreePhaseWorkspace(const MultiphaseNetwork& network);
  ~ThreePhaseWorkspace();
  ThreePhaseWorkspace(ThreePhaseWorkspace&&) noexcept;
  ThreePhaseWorkspace& operator=(ThreePhaseWorkspace&&) noexcept;
  ThreePhaseWorkspace(const ThreePhaseWorkspace&) = delete;
  ThreePhaseWorkspace& operator=(const ThreePhaseWorkspace&) = delete;

  /// Forget the warm start and return the taps to the network's values.
  void reset();
  /// Scales every load's nominal power by `factor` > 0 (1 = as in the network) for the following solves. The
  /// factorization is kept: Y holds the nominal load admittances and the iteration absorbs the difference.
  void set_load_scale(double factor);

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

/// Solves the unbalanced power flow. Never throws for numerical reasons: non-convergence is result.status.
/// The returned reference points into the workspace and stays valid until its next solve.
const ThreePhaseResult& solve(const MultiphaseNetwork& network, const ThreePhaseOptions& options,
                              ThreePhaseWorkspace& workspace);

/// Assigns each bus the entry of network.voltage_bases_kv closest to its no-load voltage (OpenDSS
/// "CalcVoltageBases"): solves the network without loads and compares sqrt(3) times the mean node voltage.
void calc_voltage_bases(MultiphaseNetwork& network);

}  // namespace vvc::grid
