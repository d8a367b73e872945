// Balanced AC power flow: backward/forward sweep for radial feeders, Newton-Raphson (polar, sparse Jacobian
// factorized with SuiteSparse KLU) for any topology. Equations and references: docs/algorithms/power-flow.md.
//
// Usage: build a PowerFlowWorkspace once per network and worker, then call solve() for each scenario; the
// workspace keeps the orderings, the symbolic factorization and the last solution (warm start). Once warm, a
// solve allocates nothing.
#pragma once

#include <Eigen/Dense>
#include <complex>
#include <memory>
#include <string_view>

#include "vvc/common/units.hpp"
#include "vvc/grid/model/network.hpp"
#include "vvc/grid/model/topology.hpp"

namespace vvc::grid {

enum class PowerFlowAlgorithm { kAuto, kSweep, kNewtonRaphson };
enum class PowerFlowStatus { kConverged, kIterationLimit, kDiverged };

std::string_view to_string(PowerFlowStatus status);
std::string_view to_string(PowerFlowAlgorithm algorithm);

struct PowerFlowOptions {
  /// auto: sweep when radial, else Newton-Raphson; Newton-Raphson also takes over when the sweep does
  /// not converge.
  PowerFlowAlgorithm algorithm = PowerFlowAlgorithm::kAuto;
  double tolerance = 1e-10;  ///< max bus power mismatch, pu (both algorithms test the same quantity)
  int max_iterations = 50;
  bool warm_start = true;      ///< start from the workspace's last converged solution instead of flat start
  bool compute_angles = true;  ///< fill result.va (left as it was otherwise)
  bool compute_flows = true;   ///< fill branch flows, losses and slack power in the result
};

/// Per-bus complex power injections (pu, positive into the bus) split by voltage dependence:
/// S_k(V) = s_const_k + s_current_k * |V_k| + s_impedance_k * |V_k|^2.
struct Injections {
  Eigen::VectorXcd s_const;
  Eigen::VectorXcd s_current;
  Eigen::VectorXcd s_impedance;

  explicit Injections(int num_buses = 0)
      : s_const(Eigen::VectorXcd::Zero(num_buses)),
        s_current(Eigen::VectorXcd::Zero(num_buses)),
        s_impedance(Eigen::VectorXcd::Zero(num_buses)) {}
};

/// The injections of the network's own loads and generators at their file values.
Injections nominal_injections(const Network& network);

struct PowerFlowResult {
  PowerFlowStatus status = PowerFlowStatus::kDiverged;
  PowerFlowAlgorithm algorithm = PowerFlowAlgorithm::kSweep;  ///< the algorithm that ran
  int iterations = 0;         ///< all iterations, including a sweep's before Newton-Raphson took over
  double max_mismatch = 0.0;  ///< pu, at the returned voltages
  Eigen::VectorXcd v;         ///< complex bus voltages, pu
  Eigen::VectorXd vm;         ///< |V|, pu
  Eigen::VectorXd va;         ///< angle, rad (when options.compute_angles)
  // Filled when options.compute_flows:
  Eigen::VectorXcd s_from;        ///< branch power entering at the from end, pu
  Eigen::VectorXcd s_to;          ///< branch power entering at the to end, pu
  Complex losses{0.0, 0.0};       ///< total series + shunt losses, pu
  Complex slack_power{0.0, 0.0};  ///< power injected by the slack into the network, pu

  bool converged() const { return status == PowerFlowStatus::kConverged; }
};

class PowerFlowWorkspace {
 public:
  explicit PowerFlowWorkspace(const Network& network);
  ~PowerFlowWorkspace();
  PowerFlowWorkspace(PowerFlowWorkspace&&) noexcept;
  PowerFlowWorkspace& operator=(PowerFlowWorkspace&&) noexcept;
  PowerFlowWorkspace(const PowerFlowWorkspace&) = delete;
  PowerFlowWorkspace& operator=(const PowerFlowWorkspace&) = delete;

  const Topology& topology() const;
  /// Forget the warm start: the next solve starts flat (slack voltage everywhere).
  void reset_start();

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

/// Solves the power flow. Never throws for numerical reasons: non-convergence is result.status.
/// The returned reference points into the workspace and stays valid until its next solve.
/// Precondition: the workspace was built for this network and injections have num_buses entries.
const PowerFlowResult& solve(const Network& network, const Injections& injections,
                             const PowerFlowOptions& options, PowerFlowWorkspace& workspace);

/// Net complex power injected into each bus by the network's branches and shunts at voltages v:
/// S = V conj(Y V) (pu). At a power-flow solution this equals the buses' specified injections S(|V|), so
/// measured phasors give the injections (a trivial state estimate).
Eigen::VectorXcd bus_power_injections(const Network& network, const Eigen::VectorXcd& v);

/// Newton-Raphson Jacobian of the power mismatch F(theta, |V|) = V conj(Y V) - S(|V|) at the voltages v, with
/// rows [Re F; Im F] and columns [theta; |V|] over the non-slack buses in bus order, as a dense matrix.
/// Exposed for derivative checks and diagnostics; the solver uses the same values in sparse form.
Eigen::MatrixXd newton_jacobian(const Network& network, const Injections& injections,
                                const Eigen::VectorXcd& v, PowerFlowWorkspace& workspace);

}  // namespace vvc::grid
