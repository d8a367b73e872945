// DiffOP policies: the action is the solution of a parameterized convex QP with hard voltage limits
// (docs/algorithms/diffop.md). For inverter reactive powers q_1..q_H (MVar) from the present state
// (q_0 = applied q, y_0 = observed |V|^2 at the modelled buses, y_init = |V|^2 at the inverter buses after
// reset):
//
//   minimize   sum_k w_k [ 1/2 q_k' C q_k + 1/2 q_k' (y0_inv + X_ii (q_k - q_0) + y_init - 2)
//                          + 1/2 (q_k - q_{k-1})' D (q_k - q_{k-1}) ]
//   subject to vmin^2 + dlo <= y_0 + X (q_k - q_0) <= vmax^2 - dhi   (every modelled bus, every stage)
//              q_min <= q_k <= q_max
//
// with the learned linear voltage model X (rows: modelled buses; the inverter rows X_ii = L L' + eps I,
// symmetric positive definite by construction), the learned cost weights C = diag(c exp(a)) and move penalty
// D = diag(exp(b)). Stage weights w_k = gamma^(k-1); in Traj mode the last stage also carries the tail of the
// episode (w_H = sum_{j=H..T} gamma^(j-1)) so that the plan is an open-loop plan of all T steps whose actions
// after H are held at q_H; with DiffOpStructure::replan the plan is made again from the measured state every
// `replan` steps. When the hard limits are infeasible the exact-penalty (L1 slack) QP is solved instead and the
// step is reported as a fallback.
//
// Band back-off (DiffOpStructure::backoff). The model is linear and the network is not, so a plan that meets
// the band in the model can leave it in the network. The band is tightened per monitored point r (a row of X,
// a modelled bus here) and side by a learned back-off that depends on the operating-point feature phi as the
// model does:
//
//   dlo_r = kScaleD (kappa_lo_a_r + phi kappa_lo_b_r),   dhi_r = kScaleD (kappa_hi_a_r + phi kappa_hi_b_r)
//
// (pu^2; zero at the starting point; a negative value widens the model's band where the model is
// conservative). The back-off enters only the row limits, lower_r = vmin^2 + dlo_r - y0_r + (X q_0)_r and
// upper_r = vmax^2 - dhi_r - y0_r + (X q_0)_r at every stage k, so for L = w'q* with the adjoint data gradient
// (dlower, dupper) of kkt_sensitivity.hpp
//
//   dL/dkappa_lo_a_r = kScaleD sum_k dlower_{k,r},   dL/dkappa_hi_a_r = -kScaleD sum_k dupper_{k,r},
//
// and the _b blocks the same times phi. The adjoint is nonzero only on active rows, so the back-off learns where
// the band binds. What it is trained for (a violation penalty in the training cost, because the benchmark cost F
// rewards leaving the band) is in trainer.hpp.
//
// Absolute move cost (DiffOpStructure::absolute_move; studies with the Stable-DDPG cost form, which charges
// |q_t - q_{t-1}|_1). A quadratic move penalty spreads a move over every inverter phase, where the study pays for
// the sum of the moves' magnitudes; the QP then also carries
//
//   sum_k w_k [ mu' s_k + 1/2 kMoveSlackWeight s_k' s_k ],   s_k >= q_k - q_{k-1},  s_k >= q_{k-1} - q_k,
//
// with learned weights mu = mu0 exp(e), mu0 = the study's action weight per MVar (action_weight / action unit).
// The slack variables s_k follow the q_k in the QP's variables (plan() is the q part) and their 2 m rows per
// stage follow the voltage rows. At the solution s_k = |q_k - q_{k-1}|, so a phase whose move does not pay for
// itself keeps its q: both of its rows are active and its move is zero. Only the objective's linear term
// depends on e, so dL/de_i = sum_k w_k mu_i dc_{s_k,i}.
//
// Objective forms (DiffOpStructure::objective). The one above, kF, is the benchmark cost F's per inverter: its
// voltage term puts X_ii in P, which is why X_ii is built positive definite. kMoves (studies with the Stable-DDPG
// cost form, which charges the moves and the band violations, and no voltage term) keeps only
//
//   sum_k w_k [ 1/2 q_k' C q_k + 1/2 (q_k - q_{k-1})' D (q_k - q_{k-1}) ]   (+ the absolute move cost)
//
// under the same limits, and the voltage model is a general matrix with a learned scale, every modelled row alike:
//
//   X = exp(g_a + phi g_b) kScaleW (omega_a + phi omega_b)
//
// (a three-phase feeder's sensitivities are neither symmetric nor definite: phases couple through the mutual
// impedances, with either sign). The scale g (block model_scale) lets a model that is off by a common factor be
// corrected by one parameter: Adam moves every parameter by about its step size, so without it the correction
// takes as many steps of every entry, and the noisy entries drift apart meanwhile. With G = dL/dX,
// dL/dg_a = sum_rj G_rj X_rj, dL/dg_b = phi dL/dg_a, dL/domega_a = exp(g_a + phi g_b) kScaleW G.
// The move penalty D starts at mu0 / u I (u the study's action unit, in MVar), so a move of one unit costs half
// as much in D as in mu: with D near zero the QP is a linear program in the moves, whose solution leaves a phase
// that does not move at zero with both of its move rows active, and the KKT sensitivities then carry no
// gradient to that phase's model entries; a phase that never moves never learns that it should.
//
// The state's gradient (chain_state; the pathwise trainer carries it from one step to the step before). The QP's
// data depend on the observed state through the row limits, lower_r = ... - y0_r + (X q_0)_r (and upper_r alike,
// on the monitored rows of every stage), through F's voltage term (kF: c_k = w_k 1/2 (y0_inv - X_ii q_0 + ...)),
// through the first stage's move penalty (c_1 -= w_1 D q_0) and the first stage's move rows (s_1 - q_1 >= -q_0,
// s_1 + q_1 >= q_0). For a data gradient (dc, dlower, dupper) of L, with e_r = sum_k (dlower_{k,r} + dupper_{k,r})
// over the monitored rows:
//
//   dL/dy0 = -e + [kF] sum_k w_k/2 dc_k (on the inverters' rows)
//   dL/dq0 = X' e - [kF] sum_k w_k/2 X_ii' dc_k - w_1 D dc_1
//            + [absolute move] (dlower_{s_1 + q_1} - dlower_{s_1 - q_1})   (the first stage's move rows)
//
// y_init and phi are the reset's and do not change within an episode.
#pragma once

#include <Eigen/Dense>
#include <memory>
#include <string>
#include <vector>

#include "vvc/core/env/controller.hpp"
#include "vvc/core/env/study.hpp"
#include "vvc/core/qp/dense_qp.hpp"
#include "vvc/core/qp/kkt_sensitivity.hpp"

namespace vvc::core {

enum class DiffOpMode { kStep, kTraj };
std::string to_string(DiffOpMode mode);
DiffOpMode parse_diffop_mode(const std::string& text);  ///< "step" or "traj"; throws InputError

/// The QP's objective and voltage model (the header's objective forms).
enum class DiffOpObjective {
  kF,      ///< the benchmark cost F's terms; X_ii = L L' + eps I
  kMoves,  ///< the moves' cost alone; X a general matrix with a learned scale
};
std::string to_string(DiffOpObjective objective);  ///< "F" or "moves"

/// DiffOpStructure::min_backoff of DiffOP(Step) on three-phase studies: 0.0005 pu^2, about 0.00025 pu of |V|.
inline constexpr double kThreePhaseMinBackoff = 0.0005;

struct DiffOpStructure {
  DiffOpMode mode = DiffOpMode::kStep;
  int horizon = 1;          ///< H
  int episode_steps = 100;  ///< T, used by Traj mode's tail weight
  double discount = 0.99;
  /// The learned band back-off (above). On for DiffOP; off for the MPC-based baselines that share this model
  /// and for policy files of versions 1 and 2, which predate it.
  bool backoff = true;
  /// Traj: re-plan from the measured state every `replan` steps (0: never, the open-loop plan of the reset).
  int replan = 0;
  /// The absolute move cost (above). On for DiffOP on studies with the Stable-DDPG cost form; off for the
  /// F form, the MPC-based baselines and policy files before version 4.
  bool absolute_move = false;
  /// Three-phase studies: the least back-off, pu^2 (the floor of band_backoff()). A model that overrates a
  /// move's effect approaches the band edge from outside, geometrically, a step at a time; the floor makes
  /// that approach end inside the band within a few steps. kThreePhaseMinBackoff for DiffOP(Step); 0 for Traj
  /// and in policy files before version 4.
  double min_backoff = 0.0;
  /// kMoves for DiffOP on studies with the Stable-DDPG cost form; kF for the F form, the MPC-based baselines and
  /// policy files before version 5.
  DiffOpObjective objective = DiffOpObjective::kF;
  bool operator==(const DiffOpStructure&) const = default;
};

/// One block of the parameter vector theta.
struct ParameterBlock {
  /// lambda_a, omega_a, lambda_b, omega_b, a, b, then backoff_{lower,upper}_{a,b}, move_abs, model_scale
  std::string name;
  int offset = 0;
  int size = 0;
  std::string meaning;
  bool operator==(const ParameterBlock&) const = default;
};

/// Parameter layout and the map from parameters to QP data (and back, for gradients).
class DiffOpModel {
 public:
  /// Scales of the normalized parameters: X_ii = (kScaleL lambda)(kScaleL lambda)' + eps I,
  /// W = kScaleW omega, back-off d = kScaleD kappa (pu^2).
  static constexpr double kScaleL = 0.1;
  static constexpr double kScaleW = 0.05;
  static constexpr double kScaleD = 0.01;
  static constexpr double kEpsilon = 1e-6;
  /// The quadratic weight of the move slacks s (per MVar^2): keeps the QP strictly convex.
  static constexpr double kMoveSlackWeight = 1e-3;

  DiffOpModel(const Study& study, const DiffOpStructure& structure);

  int num_parameters() const {
    return 2 * (num_l_ + num_w_) + 2 * m_ + (structure_.backoff ? 4 * nobs_ : 0) +
           (structure_.absolute_move ? m_ : 0) + (moves_objective() ? 2 : 0);
  }
  /// The QP's sizes: the plan (m H) and, with the absolute move cost, its m H slacks; the voltage rows (one per
  /// modelled point and stage) and 2 m H move rows.
  int num_qp_variables() const { return m_ * structure_.horizon * (structure_.absolute_move ? 2 : 1); }
  int num_qp_rows() const { return (nobs_ + (structure_.absolute_move ? 2 * m_ : 0)) * structure_.horizon; }
  /// The blocks of theta, in order; their sizes add up to num_parameters().
  std::vector<ParameterBlock> parameter_layout() const;
  int num_inverters() const { return m_; }
  int num_modelled() const { return nobs_; }
  const std::vector<int>& modelled_buses() const { return observed_; }
  const DiffOpStructure& structure() const { return structure_; }
  const Study& study() const { return *study_; }
  /// Whether the policy solves its QP before step t (0-based): every step in Step mode; at t = 0 and every
  /// `replan` steps in Traj mode.
  bool plans_at(int t) const;
  /// The stage of the last plan applied at step t: 0 in Step mode; the steps since the last plan in Traj mode,
  /// held at H - 1 after the horizon.
  int plan_stage(int t) const;

  /// The deliberately wrong starting point (docs/algorithms/diffop.md says why this one): X = 2 x LinDistFlow
  /// (twice the no-load sensitivity; three-phase: twice the power flow's at the script's operating point, its
  /// inverter block the nearest positive definite matrix with kF), C = diag(c) of the study, D = 0.01 I (kMoves:
  /// mu0 / u I, u the study's action unit), no back-off, mu = mu0, model scale 1.
  Eigen::VectorXd initial_parameters() const;
  /// The learned voltage model X (modelled buses x inverters) at operating-point feature phi, pu^2 per MVar.
  Eigen::MatrixXd voltage_model(const Eigen::VectorXd& theta, double phi = 0.0) const;
  /// The band back-off at operating-point feature phi, pu^2: one row per monitored point, columns (dlo, dhi);
  /// zero without DiffOpStructure::backoff. Three-phase studies floor it at DiffOpStructure::min_backoff (it only
  /// tightens the band).
  Eigen::MatrixXd band_backoff(const Eigen::VectorXd& theta, double phi = 0.0) const;

  struct State {
    Eigen::VectorXd q0;      ///< m
    Eigen::VectorXd y0;      ///< |V|^2 at the modelled buses
    Eigen::VectorXd y_init;  ///< |V_init|^2 at the inverter buses
    double phi = 0.0;        ///< mean(y_init) - 1
  };
  /// Fills state from an environment observation.
  void observe(const Observation& obs, State& state) const;
  /// How observe()'s y0 moves with an action, from how the observation's |V| does: dy0 = 2 diag(v) dvm, for
  /// dvm = d|V|/da at modelled_buses() (rows) and the observation `obs` it was taken at. Writes into the
  /// modelled rows x actions block `dy0`.
  void observe_tangent(const Observation& obs, const Eigen::MatrixXd& dvm,
                       Eigen::Ref<Eigen::MatrixXd> dy0) const;

  /// The scratch of build() and chain(), one per thread (the model itself is shared read-only).
  struct Workspace {
    Eigen::MatrixXd x, l, xii, backoff;  ///< X, L and X_ii (kF) and the back-off at the state's phi
    Eigen::VectorXd y0_inv, xii_q0, lin, xq0, lower, upper;
    Eigen::MatrixXd dx, dxii, dxii_sym, dl;  ///< dL/dX, dL/dX_ii and its symmetric part (kF), dL/dL (kF)
    Eigen::VectorXd da, db, dlower, dupper;
    Eigen::VectorXd dlimits;  ///< chain_state's e: the row limits' gradient, summed over sides and stages
  };

  /// Builds the QP (num_qp_variables(), num_qp_rows()). Allocation-free once `qp` and `workspace` have been used
  /// with this model.
  void build(const Eigen::VectorXd& theta, const State& state, QpProblem& qp, Workspace& workspace) const;
  /// Chains a gradient with respect to the QP data into the gradient with respect to theta (accumulated into
  /// dtheta, which must have num_parameters() entries). Allocation-free once `workspace` has been used.
  void chain(const Eigen::VectorXd& theta, const State& state, const QpDataTangent& data_gradient,
             Eigen::VectorXd& dtheta, Workspace& workspace) const;

  /// The gradient with respect to the state's y0 (modelled rows) and q0.
  struct StateGradient {
    Eigen::VectorXd y0;  ///< per modelled row, per pu^2
    Eigen::VectorXd q0;  ///< per inverter, per MVar
  };
  /// Chains a gradient with respect to the QP data into the gradient with respect to the state (the header's
  /// "state's gradient"; written, not accumulated). Allocation-free once `out` and `workspace` have been used.
  void chain_state(const Eigen::VectorXd& theta, const State& state, const QpDataTangent& data_gradient,
                   StateGradient& out, Workspace& workspace) const;

 private:
  /// X at phi; kF also L and X_ii.
  void unpack(const Eigen::VectorXd& theta, double phi, Eigen::MatrixXd& x, Eigen::MatrixXd& l,
              Eigen::MatrixXd& xii) const;
  void write_band_backoff(const Eigen::VectorXd& theta, double phi, Eigen::MatrixXd& d) const;
  /// kF: lambda_a of the start, the Cholesky factor of x0's inverter block (its nearest positive definite matrix).
  void write_cholesky_start(const Eigen::MatrixXd& x0, Eigen::VectorXd& theta, int& idx) const;
  double stage_weight(int k) const;  ///< k = 1..H
  int backoff_offset() const { return 2 * (num_l_ + num_w_) + 2 * m_; }
  int move_offset() const { return backoff_offset() + (structure_.backoff ? 4 * nobs_ : 0); }
  int scale_offset() const { return move_offset() + (structure_.absolute_move ? m_ : 0); }
  double move_weight() const;  ///< mu0, per MVar
  bool moves_objective() const { return structure_.objective == DiffOpObjective::kMoves; }
  double model_scale(const Eigen::VectorXd& theta, double phi) const;  ///< exp(g_a + phi g_b); 1 with kF

  const Study* study_;
  DiffOpStructure structure_;
  int m_ = 0;
  int nobs_ = 0;
  int num_l_ = 0;
  int num_w_ = 0;
  /// The modelled points (into Study::points): every non-slack bus (balanced); the monitored node-phases and
  /// each action's own point (three-phase).
  std::vector<int> observed_;
  std::vector<bool> limited_;    ///< per modelled point: monitored, so the QP holds it in the band
  std::vector<int> inv_row_;     ///< row of each inverter's bus in observed_
  std::vector<int> other_rows_;  ///< the W block's rows: those of no inverter (kF), every row (kMoves)
  Eigen::MatrixXd ldf_;          ///< LinDistFlow d(v^2)/dq, modelled x inverters
};

/// Status counters of a policy's solves.
struct DiffOpSolveStats {
  long solves = 0;
  long fallbacks = 0;  ///< hard limits infeasible: exact-penalty QP used
  long failures = 0;   ///< neither QP solved: the previous q was kept
};

/// The outcome of one policy solve.
enum class PolicySolveStatus {
  kOptimal,   ///< the QP with hard voltage limits was solved
  kFallback,  ///< its limits were infeasible: the exact-penalty (L1 slack) QP was solved instead
  kFailed,    ///< neither QP was solved: the plan is untouched
};
const char* to_string(PolicySolveStatus status);

/// The outcome of a policy-gradient accumulation.
enum class PolicyGradientStatus {
  kComputed,    ///< (d plan / d theta)' w was added
  kNotOptimal,  ///< the last solve was a fallback or failed: the exact-penalty QP is another problem
  kDegenerate,  ///< the KKT system is not usable (degenerate active set)
};

/// The QP backends behind DiffOpSolver: the project's dense Goldfarb-Idnani solver (thread-safe,
/// allocation-free when warm: the default) or Ipopt (serialized process-wide; for cross-checks and
/// comparison). With Ipopt the active set for the KKT sensitivities is read from its multipliers
/// (|multiplier| > 1e-7 (1 + max |multiplier|)).
enum class QpBackend { kDense, kIpopt };
std::string to_string(QpBackend backend);
QpBackend parse_qp_backend(const std::string& text);  ///< "dense" or "ipopt"; throws InputError

class IpoptQpSolver;

/// Solves the policy QP for one state; thread-compatible (one per worker).
class DiffOpSolver {
 public:
  explicit DiffOpSolver(const DiffOpModel& model, QpBackend backend = QpBackend::kDense);
  ~DiffOpSolver();
  DiffOpSolver(DiffOpSolver&&) noexcept;
  DiffOpSolver& operator=(DiffOpSolver&&) noexcept;
  /// Forgets the QP warm start. Called at each episode start, so that an episode's numbers do not depend on
  /// which episodes the same worker solved before (results independent of the thread count).
  void reset();
  /// Solves for the plan (untouched when kFailed). Allocation-free once warm, unless the exact-penalty fallback
  /// runs.
  PolicySolveStatus solve(const Eigen::VectorXd& theta, const DiffOpModel::State& state);
  QpBackend backend() const { return backend_; }
  /// Adds (d plan / d theta)' w to dtheta, for w over the plan's variables (m H), at the last solve, and writes
  /// (d plan / d state)' w to `state_gradient` when given. Adds nothing unless it returns kComputed. Allocates:
  /// the KKT system is sized by the active set.
  PolicyGradientStatus accumulate_gradient(const Eigen::VectorXd& theta, const DiffOpModel::State& state,
                                           const Eigen::VectorXd& w, Eigen::VectorXd& dtheta,
                                           DiffOpModel::StateGradient* state_gradient = nullptr);
  /// The last solve's QP solution (x: the plan, then the move slacks), with its multipliers and active sets.
  const QpSolution& solution() const { return solution_; }
  /// Makes `solution`, an optimal solution() of an earlier solve(theta, state), the last solve again without
  /// solving: the policy gradient of a plan made earlier in an episode.
  void restore(const Eigen::VectorXd& theta, const DiffOpModel::State& state, const QpSolution& solution);
  const Eigen::VectorXd& plan() const { return plan_; }  ///< m H
  PolicySolveStatus last_status() const { return status_; }
  const DiffOpSolveStats& stats() const { return stats_; }
  const KktDiagnostics& last_diagnostics() const { return kkt_.diagnostics(); }

 private:
  bool solve_ipopt();

  const DiffOpModel* model_;
  QpBackend backend_;
  std::unique_ptr<IpoptQpSolver> ipopt_;
  QpProblem qp_;
  DiffOpModel::Workspace model_workspace_;
  DenseQpWorkspace workspace_;
  QpSolution solution_;
  SoftQpWorkspace soft_workspace_;
  SoftQpSolution soft_;
  KktSensitivity kkt_;
  QpDataTangent data_gradient_;
  Eigen::VectorXd w_;  ///< the adjoint's weights over all QP variables (zero on the move slacks)
  Eigen::VectorXd plan_;
  PolicySolveStatus status_ = PolicySolveStatus::kFailed;
  bool factorized_ = false;
  DiffOpSolveStats stats_;
};

/// The deterministic DiffOP controller (no exploration) for evaluation.
std::unique_ptr<Controller> make_diffop_controller(const DiffOpModel& model, const Eigen::VectorXd& theta,
                                                   QpBackend backend = QpBackend::kDense);

}  // namespace vvc::core
