#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <vector>

#include "support/benchmark_fixture.hpp"
#include "support/diffop_training_checks.hpp"
#include "vvc/core/diffop/policy.hpp"
#include "vvc/core/diffop/policy_io.hpp"
#include "vvc/core/diffop/trainer.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/experiment/experiment.hpp"

namespace vvc::core {
namespace {

using testing::benchmark_study;
using testing::checkpoint_through_file;
using testing::state_after;
using testing::train_on_1_and_2_threads;

/// Where the band back-off's four blocks start in theta.
int backoff_offset(const DiffOpModel& model) {
  for (const ParameterBlock& b : model.parameter_layout()) {
    if (b.name == "backoff_lower_a") return b.offset;
  }
  ADD_FAILURE() << "no back-off block";
  return 0;
}

// The implicit (KKT) policy gradient against central differences of re-solved QPs, over random parameters
// (the band back-off included) and states of real scenarios, for Step and Traj structures. Points where the
// active set is degenerate are skipped (central differences straddle a kink there), and there must be enough
// non-degenerate ones, some with an active voltage row so that the back-off's gradient is not zero.
TEST(DiffOp, PolicyGradientMatchesCentralDifferences) {
  const Study& study = benchmark_study();
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (const auto& [mode, horizon] :
       {std::pair{DiffOpMode::kStep, 1}, std::pair{DiffOpMode::kStep, 3}, std::pair{DiffOpMode::kTraj, 5}}) {
    DiffOpStructure structure{mode, horizon, 100, 0.99};
    const DiffOpModel model(study, structure);
    const int backoff = backoff_offset(model);
    int checked = 0;
    int with_backoff = 0;
    for (int trial = 0; trial < 40; ++trial) {
      Eigen::VectorXd theta = model.initial_parameters();
      for (Eigen::Index i = 0; i < theta.size(); ++i) theta[i] += 0.1 * normal(rng);
      Eigen::VectorXd q(3);
      q << 0.5 * normal(rng), 0.5 * normal(rng), 0.3 * normal(rng);
      const DiffOpModel::State state = state_after(model, trial, q);
      DiffOpSolver solver(model);
      if (solver.solve(theta, state) != PolicySolveStatus::kOptimal) continue;
      Eigen::VectorXd w(3 * horizon);
      for (Eigen::Index i = 0; i < w.size(); ++i) w[i] = normal(rng);
      Eigen::VectorXd g = Eigen::VectorXd::Zero(model.num_parameters());
      ASSERT_EQ(solver.accumulate_gradient(theta, state, w, g), PolicyGradientStatus::kComputed);
      if (!solver.last_diagnostics().ok()) continue;
      EXPECT_LE(check_policy_gradient(model, theta, state, w), 1e-5) << "trial " << trial;
      ++checked;
      if (g.tail(model.num_parameters() - backoff).cwiseAbs().maxCoeff() > 0.0) ++with_backoff;
    }
    EXPECT_GE(checked, 20) << to_string(mode) << " H=" << horizon;
    EXPECT_GE(with_backoff, 3) << to_string(mode) << " H=" << horizon;
  }
}

// The back-off's gradient alone, parameter by parameter, against central differences, on high-voltage states
// where the (backed-off) upper band binds, with nonzero back-offs on both sides. dL/dkappa is kScaleD times the adjoint of the
// active rows' limits (summed over the stages), so it is zero on inactive rows and must be nonzero on some.
TEST(DiffOp, BackoffGradientMatchesCentralDifferences) {
  const Study& study = benchmark_study();
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (const auto& [mode, horizon] : {std::pair{DiffOpMode::kStep, 1}, std::pair{DiffOpMode::kTraj, 5}}) {
    const DiffOpModel model(study, DiffOpStructure{mode, horizon, 100, 0.99});
    const int backoff = backoff_offset(model);
    const int np = model.num_parameters();
    int checked = 0;
    int nonzero = 0;
    for (long seed = 1; seed < 30; seed += 2) {
      Eigen::VectorXd theta = model.initial_parameters();
      // Upper back-offs of about 0.04 pu^2 make the upper band bind in the high-voltage scenarios.
      const int n = model.num_modelled();
      for (int p = backoff; p < np; ++p) theta[p] = 0.5 * normal(rng);
      theta.segment(backoff + n, n).array() += 4.0;
      const DiffOpModel::State state = state_after(model, seed, Eigen::VectorXd::Zero(3));
      DiffOpSolver solver(model);
      if (solver.solve(theta, state) != PolicySolveStatus::kOptimal) continue;
      Eigen::VectorXd w(3 * horizon);
      for (Eigen::Index i = 0; i < w.size(); ++i) w[i] = normal(rng);
      Eigen::VectorXd g = Eigen::VectorXd::Zero(np);
      ASSERT_EQ(solver.accumulate_gradient(theta, state, w, g), PolicyGradientStatus::kComputed);
      if (!solver.last_diagnostics().ok()) continue;
      const double h = 1e-6;
      for (int p = backoff; p < np; ++p) {
        Eigen::VectorXd tp = theta, tm = theta;
        tp[p] += h;
        tm[p] -= h;
        DiffOpSolver sp(model), sm(model);
        ASSERT_EQ(sp.solve(tp, state), PolicySolveStatus::kOptimal);
        ASSERT_EQ(sm.solve(tm, state), PolicySolveStatus::kOptimal);
        const double fd = (w.dot(sp.plan()) - w.dot(sm.plan())) / (2 * h);
        EXPECT_NEAR(g[p], fd, 1e-6 * std::max(1.0, std::abs(fd))) << "seed " << seed << " parameter " << p;
        if (std::abs(fd) > 1e-4) ++nonzero;
      }
      ++checked;
    }
    EXPECT_GE(checked, 8) << to_string(mode);
    EXPECT_GE(nonzero, 8) << to_string(mode);
  }
}

// Three-phase (ieee13_3p, 29 inverter phases): the whole policy gradient against central differences, with
// back-offs of either sign, so that some are held at their floor (three-phase studies only tighten the band) and
// pass no gradient, and others bind on states out of band after the reset. Three QPs: F's quadratic move penalty
// alone (floor 0); with the absolute move cost and DiffOP's floor (the slacks' rows then hold the phases whose
// move does not pay at their q, and the move weights' block has a gradient too); and that with the moves
// objective (no voltage term, a general voltage model with a learned scale): DiffOP(Step)'s QP on the bundled
// benchmarks.
void check_three_phase_policy_gradient(const Study& study, DiffOpObjective objective, bool absolute_move) {
  std::mt19937_64 rng(17);
  std::normal_distribution<double> normal(0.0, 1.0);
  DiffOpStructure structure{DiffOpMode::kStep, 1, 100, 0.99};
  structure.absolute_move = absolute_move;
  structure.min_backoff = absolute_move ? kThreePhaseMinBackoff : 0.0;
  structure.objective = objective;
  const bool moves = objective == DiffOpObjective::kMoves;
  const DiffOpModel model(study, structure);
  const int backoff = backoff_offset(model);
  const int np = model.num_parameters();
  const int n = model.num_modelled();
  const int m = study.num_inverters();
  const double floor = structure.min_backoff / DiffOpModel::kScaleD;
  int checked = 0, floored = 0, binding = 0, held = 0, moved = 0;
  // 8 states with the slacks (8 checked; 110 phases held, 122 moved with F's objective, 133 and 99 with the
  // moves objective), 20 without (19 checked).
  const long last_seed = absolute_move ? 11 : 23;
  for (long seed = 3; seed < last_seed; ++seed) {
    Eigen::VectorXd theta = model.initial_parameters();
    for (int p = 0; p < backoff; ++p) theta[p] += 0.02 * normal(rng);
    // The upper side backed off by about 0.12 pu^2 (F's unconstrained optimum lies near |V| = 1, so it binds in
    // the low-voltage scenarios; the high-voltage ones cannot reach it), the lower side negative, held at its
    // floor.
    for (int r = 0; r < n; ++r) {
      theta[backoff + r] = -4.0 + normal(rng);
      theta[backoff + n + r] = 12.0 + normal(rng);
      theta[backoff + 2 * n + r] = normal(rng);
      theta[backoff + 3 * n + r] = normal(rng);
    }
    if (absolute_move) {
      for (int i = 0; i < m; ++i) theta[backoff + 4 * n + i] = 0.3 * normal(rng);
    }
    if (moves) {
      for (int k = 0; k < 2; ++k) theta[backoff + 4 * n + m + k] = 0.3 * normal(rng);
    }
    const DiffOpModel::State state = state_after(model, seed, Eigen::VectorXd::Zero(m));
    DiffOpSolver solver(model);
    if (solver.solve(theta, state) != PolicySolveStatus::kOptimal) continue;
    Eigen::VectorXd w(m);
    for (Eigen::Index i = 0; i < w.size(); ++i) w[i] = normal(rng);
    Eigen::VectorXd g = Eigen::VectorXd::Zero(np);
    ASSERT_EQ(solver.accumulate_gradient(theta, state, w, g), PolicyGradientStatus::kComputed);
    if (!solver.last_diagnostics().ok()) continue;
    if (absolute_move) {
      // The step of the central differences: the solution's rounding over h is the differences' error, and with
      // the move slacks it is about 1e-11 (measured at seed 6: a largest error of 9.4e-5 with h = 1e-7, 9.4e-6
      // with 1e-6, below 3e-6 on every parameter with 1e-5). The QP is twice the size, so the differences run
      // over every 32nd parameter, the move weights, the model's scale and the upper back-offs (which bind
      // here) rather than all.
      std::vector<int> params;
      for (int p = 0; p < np; p += 32) params.push_back(p);
      for (int i = 0; i < m + (moves ? 2 : 0); ++i) params.push_back(backoff + 4 * n + i);
      for (int r = 0; r < n; ++r) params.push_back(backoff + n + r);
      EXPECT_LE(check_policy_gradient(model, theta, state, w, 1e-5, params), 1e-5) << "seed " << seed;
    } else {
      EXPECT_LE(check_policy_gradient(model, theta, state, w), 1e-5) << "seed " << seed;
    }
    ++checked;
    for (int i = 0; i < m; ++i) (std::abs(solver.plan()[i] - state.q0[i]) <= 1e-12 ? held : moved) += 1;
    const Eigen::MatrixXd d = model.band_backoff(theta, state.phi);
    EXPECT_GE(d.minCoeff(), structure.min_backoff);
    for (int r = 0; r < n; ++r) {
      for (int side = 0; side < 2; ++side) {
        const double raw = theta[backoff + side * n + r] + state.phi * theta[backoff + (2 + side) * n + r];
        if (raw < floor) {
          ++floored;
          EXPECT_EQ(g[backoff + side * n + r], 0.0);
          EXPECT_EQ(g[backoff + (2 + side) * n + r], 0.0);
        } else if (g[backoff + side * n + r] != 0.0) {
          ++binding;
        }
      }
    }
  }
  EXPECT_GE(checked, 6);
  EXPECT_GE(floored, 20);
  EXPECT_GE(binding, 3);
  EXPECT_GE(moved, 6);
  // F's quadratic penalty moves every phase; the absolute cost holds those whose move does not pay.
  if (absolute_move) {
    EXPECT_GE(held, 6);
  } else {
    EXPECT_EQ(held, 0);
  }
}

TEST(DiffOp, ThreePhasePolicyGradientWithFlooredBackoffMatchesCentralDifferences) {
  const Study study = read_study(std::filesystem::path(VVC_SOURCE_DIR) / "cases/ieee13_3p");
  for (const auto& [objective, absolute_move] :
       {std::pair{DiffOpObjective::kF, false}, std::pair{DiffOpObjective::kF, true},
        std::pair{DiffOpObjective::kMoves, true}}) {
    SCOPED_TRACE(to_string(objective) + (absolute_move ? ", absolute move cost" : ", quadratic move cost"));
    check_three_phase_policy_gradient(study, objective, absolute_move);
  }
}

// A plan's gradient from its kept solution (DiffOpSolver::restore, as the pathwise backward pass takes it) is
// the one taken right after its solve, to the bit, although the solver has solved other states in between:
// DiffOP(Step)'s QP on ieee13_3p (the structure `vvc train` gives it), with its state gradient.
TEST(DiffOp, RestoredSolutionGivesTheGradientOfItsSolve) {
  const Study study = read_study(std::filesystem::path(VVC_SOURCE_DIR) / "cases/ieee13_3p");
  const DiffOpModel model(study, experiment::diffop_structure(study, experiment::TrainRequest{}));
  const int m = study.num_inverters();
  const Eigen::VectorXd theta = model.initial_parameters();
  const Eigen::VectorXd w = Eigen::VectorXd::LinSpaced(m, -1.0, 1.0);
  DiffOpSolver solver(model);
  std::vector<DiffOpModel::State> states;
  std::vector<QpSolution> solutions;
  std::vector<Eigen::VectorXd> gradients, y0_gradients;
  for (long seed = 0; seed < 4; ++seed) {
    states.push_back(state_after(model, seed, Eigen::VectorXd::Zero(m)));
    ASSERT_EQ(solver.solve(theta, states.back()), PolicySolveStatus::kOptimal);
    solutions.push_back(solver.solution());
    Eigen::VectorXd g = Eigen::VectorXd::Zero(model.num_parameters());
    DiffOpModel::StateGradient sg;
    ASSERT_EQ(solver.accumulate_gradient(theta, states.back(), w, g, &sg), PolicyGradientStatus::kComputed);
    EXPECT_GT(g.norm(), 0.0);
    gradients.push_back(g);
    y0_gradients.push_back(sg.y0);
  }
  for (size_t k = 0; k < states.size(); ++k) {
    solver.restore(theta, states[k], solutions[k]);
    EXPECT_EQ(solver.plan(), solutions[k].x.head(m));
    Eigen::VectorXd g = Eigen::VectorXd::Zero(model.num_parameters());
    DiffOpModel::StateGradient sg;
    ASSERT_EQ(solver.accumulate_gradient(theta, states[k], w, g, &sg), PolicyGradientStatus::kComputed);
    EXPECT_EQ(g, gradients[k]) << "seed " << k;
    EXPECT_EQ(sg.y0, y0_gradients[k]) << "seed " << k;
  }
}

// The moves objective (DiffOP(Step) on Stable-DDPG-cost studies): the voltage model starts at exactly twice the
// power flow's d(|V|^2)/dq = 2 |V| d|V|/dq at the script's operating point, not symmetrized (ieee13_3p's is far
// from symmetric: phases couple through mutual impedances), its scale multiplies every entry, and the QP's
// objective has no voltage term: P's plan block is diagonal (C + D) and c's plan part is -D q_0.
TEST(DiffOp, MovesObjectiveHasAGeneralScaledModelAndNoVoltageTerm) {
  const Study study = read_study(std::filesystem::path(VVC_SOURCE_DIR) / "cases/ieee13_3p");
  DiffOpStructure structure{DiffOpMode::kStep, 1, 100, 0.99};
  structure.absolute_move = true;
  structure.min_backoff = kThreePhaseMinBackoff;
  structure.objective = DiffOpObjective::kMoves;
  const DiffOpModel model(study, structure);
  const int m = model.num_inverters();
  const ThreePhaseSensitivity s = three_phase_sensitivity(study, model.modelled_buses());
  const Eigen::MatrixXd expected = 2.0 * (2.0 * s.vm).asDiagonal() * s.dvm_dq;
  Eigen::VectorXd theta = model.initial_parameters();
  const Eigen::MatrixXd x = model.voltage_model(theta, 0.3);
  EXPECT_LE((x - expected).cwiseAbs().maxCoeff(), 1e-12 * expected.cwiseAbs().maxCoeff());
  ASSERT_EQ(model.num_modelled(), m);  // every modelled row is an inverter's (the monitored inverter buses)
  EXPECT_GE((x - x.transpose()).norm(), 0.3 * x.norm());
  int scale = -1;
  for (const ParameterBlock& b : model.parameter_layout()) {
    if (b.name == "model_scale") scale = b.offset;
    if (b.name == "lambda_a" || b.name == "lambda_b") {
      EXPECT_EQ(b.size, 0);
    }
  }
  ASSERT_EQ(scale, model.num_parameters() - 2);
  theta[scale] = 0.4;
  theta[scale + 1] = -2.0;
  EXPECT_LE((model.voltage_model(theta, 0.3) - std::exp(0.4 - 0.6) * x).cwiseAbs().maxCoeff(),
            1e-12 * x.cwiseAbs().maxCoeff());

  Eigen::VectorXd q0 = Eigen::VectorXd::LinSpaced(m, -0.2, 0.2);
  const DiffOpModel::State state = state_after(model, 3, q0);
  QpProblem qp;
  DiffOpModel::Workspace workspace;
  model.build(theta, state, qp, workspace);
  const Eigen::MatrixXd p = qp.P.topLeftCorner(m, m);
  EXPECT_EQ((p - Eigen::MatrixXd(p.diagonal().asDiagonal())).cwiseAbs().maxCoeff(), 0.0);
  // C = c at the start (a = 0); D = mu0 / u = (1 / 0.1 MVar) / 0.1 MVar = 100 per MVar^2 (the study's action
  // weight 1 per action unit of 100 kvar).
  ASSERT_EQ(study.action_weight, 1.0);
  ASSERT_EQ(study.action_unit_mvar, 0.1);
  const Eigen::VectorXd d = p.diagonal() - study.cost_c;
  EXPECT_LE((d.array() - 100.0).abs().maxCoeff(), 1e-12);
  EXPECT_LE((qp.c.head(m) + 100.0 * state.q0).cwiseAbs().maxCoeff(), 1e-12);
}

/// The starting parameters with the voltage model halved to LinDistFlow. In heavy reverse flow the true
/// d(v^2)/dq is about twice LinDistFlow's, so this model under-estimates what a move does: a constructed model
/// error of a few 0.01 pu^2.
Eigen::VectorXd lindistflow_parameters(const DiffOpModel& model) {
  Eigen::VectorXd theta = model.initial_parameters();
  for (const ParameterBlock& b : model.parameter_layout()) {
    if (b.name == "lambda_a") theta.segment(b.offset, b.size) /= std::sqrt(2.0);
    if (b.name == "omega_a") theta.segment(b.offset, b.size) /= 2.0;
  }
  return theta;
}

// Scenario 20 (high voltage) with the LinDistFlow model: the plan absorbs so much that bus 632 ends at 0.947 pu,
// below the band, while the model puts it inside. A back-off equal to that plan's measured model error at every
// point (model minus network on the lower side, network minus model on the upper side) makes the model's band
// bind where the network leaves it, and the re-planned q keeps the network in band.
TEST(DiffOp, BackoffRemovesAModelErrorViolation) {
  const Study& study = benchmark_study();
  const DiffOpModel model(study, DiffOpStructure{DiffOpMode::kTraj, 1, 100, 0.99, true, 0});
  const int n = model.num_modelled();
  Eigen::VectorXd theta = lindistflow_parameters(model);
  const Scenario scenario = make_scenarios(study)->make(20);
  Environment env(study);
  DiffOpModel::State state;
  model.observe(env.reset(scenario), state);
  DiffOpSolver solver(model);
  ASSERT_EQ(solver.solve(theta, state), PolicySolveStatus::kOptimal);
  const Eigen::VectorXd predicted = state.y0 + model.voltage_model(theta, state.phi) * solver.plan();
  EXPECT_GT(env.apply(solver.plan()).max_violation, 2e-3);
  Eigen::VectorXd measured(n);
  for (int r = 0; r < n; ++r) measured[r] = std::pow(env.observation().vm[model.modelled_buses()[r]], 2);

  const int backoff = backoff_offset(model);
  theta.segment(backoff, n) = (predicted - measured).cwiseMax(0.0) / DiffOpModel::kScaleD;
  theta.segment(backoff + n, n) = (measured - predicted).cwiseMax(0.0) / DiffOpModel::kScaleD;
  solver.reset();
  model.observe(env.reset(scenario), state);
  ASSERT_EQ(solver.solve(theta, state), PolicySolveStatus::kOptimal);
  EXPECT_LE(env.apply(solver.plan()).max_violation, kBandTolerance);
}

// The same model error in Traj mode (H = 10) over a whole episode: the open-loop plan of the reset ends out of
// band; re-planning from the measured state every H steps corrects it.
TEST(DiffOp, TrajReplanningCorrectsAModelErrorViolation) {
  const Study& study = benchmark_study();
  const Scenario scenario = make_scenarios(study)->make(20);
  for (int replan : {0, 10}) {
    const DiffOpModel model(study, DiffOpStructure{DiffOpMode::kTraj, 10, 100, 0.99, true, replan});
    EXPECT_EQ(model.plans_at(10), replan == 10);
    EXPECT_EQ(model.plan_stage(25), replan == 10 ? 5 : 9);
    const auto controller = make_diffop_controller(model, lindistflow_parameters(model));
    Environment env(study);
    const EpisodeRecord record = run_episode(env, *controller, scenario, EpisodeOptions{});
    EXPECT_EQ(record.ends_in_band, replan == 10)
        << "replan " << replan << ": final |V| in [" << record.final_vmin << ", " << record.final_vmax << "]";
  }
}

TEST(DiffOp, QpIsConvexAndModelSymmetricPositiveDefinite) {
  const Study& study = benchmark_study();
  const DiffOpModel model(study, DiffOpStructure{DiffOpMode::kStep, 4, 100, 0.99});
  std::mt19937_64 rng(2);
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::VectorXd theta = model.initial_parameters();
  for (Eigen::Index i = 0; i < theta.size(); ++i) theta[i] += 0.5 * normal(rng);
  const DiffOpModel::State state = state_after(model, 3, Eigen::VectorXd::Zero(3));
  QpProblem qp;
  DiffOpModel::Workspace workspace;
  model.build(theta, state, qp, workspace);
  EXPECT_EQ(qp.num_variables(), 12);
  EXPECT_EQ(qp.num_rows(), 48);
  EXPECT_LE((qp.P - qp.P.transpose()).cwiseAbs().maxCoeff(), 1e-15);
  EXPECT_GT(Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(qp.P).eigenvalues().minCoeff(), 0.0);
}

TEST(DiffOp, InitialModelIsTwiceLinDistFlow) {
  const Study& study = benchmark_study();
  const DiffOpModel model(study, DiffOpStructure{});
  const Eigen::MatrixXd x = model.voltage_model(model.initial_parameters());
  // Inverter rows (buses 645, 684, 692 = modelled rows 1, 6, 8): 2 x the reference's LinDistFlow numbers.
  EXPECT_NEAR(x(1, 0), 2.0 * 0.059310, 1e-6);
  EXPECT_NEAR(x(6, 1), 2.0 * 0.098038, 1e-6);
  EXPECT_NEAR(x(8, 2), 2.0 * 0.094016, 1e-6);
  EXPECT_NEAR(x(6, 2), 2.0 * 0.089127, 1e-6);
}

TEST(DiffOp, InfeasibleBandUsesReportedFallback) {
  const Study& study = benchmark_study();
  const DiffOpModel model(study, DiffOpStructure{});
  DiffOpModel::State state = state_after(model, 0, Eigen::VectorXd::Zero(3));
  state.y0.array() -= 0.5;  // far below the band: the q limits cannot lift it
  DiffOpSolver solver(model);
  ASSERT_EQ(solver.solve(model.initial_parameters(), state), PolicySolveStatus::kFallback);
  EXPECT_EQ(solver.last_status(), PolicySolveStatus::kFallback);
  EXPECT_EQ(solver.stats().fallbacks, 1);
  Eigen::VectorXd g = Eigen::VectorXd::Zero(model.num_parameters());
  EXPECT_EQ(solver.accumulate_gradient(model.initial_parameters(), state, Eigen::VectorXd::Ones(3), g),
            PolicyGradientStatus::kNotOptimal);
  EXPECT_TRUE(g.isZero());
  const Eigen::VectorXd q = solver.plan();
  // The exact penalty pushes every inverter to its upper q limit to get as close to the band as possible.
  EXPECT_NEAR(q[0], 1.5, 1e-6);
  EXPECT_NEAR(q[1], 1.4, 1e-6);
  EXPECT_NEAR(q[2], 0.6, 1e-6);
}

TEST(DiffOp, TrajTrainingWithReplanningIsDeterministicAcrossThreadCounts) {
  const Study& study = benchmark_study();
  const DiffOpModel model(study, DiffOpStructure{DiffOpMode::kTraj, 3, 100, 0.99, true, 3});
  DiffOpTrainingOptions options;
  options.iterations = 2;
  options.scenarios_per_iteration = 3;
  options.noise_draws = 2;
  options.validation.every = 1;
  options.validation.scenarios = 4;
  const auto serial = train_on_1_and_2_threads(study, model, options);
  EXPECT_NE(serial.state.theta, model.initial_parameters());
}

TEST(DiffOp, TrainingIsDeterministicAcrossThreadCountsAndResumes) {
  const Study& study = benchmark_study();
  const DiffOpModel model(study, DiffOpStructure{});
  DiffOpTrainingOptions options;
  options.iterations = 4;
  options.scenarios_per_iteration = 3;
  options.noise_draws = 2;
  options.validation.every = 2;
  options.validation.scenarios = 8;
  const auto serial = train_on_1_and_2_threads(study, model, options);
  EXPECT_NE(serial.state.theta, model.initial_parameters());
  EXPECT_EQ(serial.state.adam.steps, 4);
  EXPECT_EQ(serial.summary.termination, TrainingTermination::kIterationLimit);
  EXPECT_EQ(serial.summary.iterations, 4);

  // Interrupt after 2 iterations through a checkpoint file, resume, and reach the same final state.
  PolicyFile meta_back;
  const TrainerState loaded = checkpoint_through_file(
      study, model, options, 2, VVC_BINARY_DIR "/diffop_test.checkpoint.json", meta_back);
  EXPECT_EQ(loaded.adam.steps, 2);
  const auto resumed = DiffOpTrainer(study, model, options).train(nullptr, &loaded);
  EXPECT_EQ(resumed.theta, serial.theta);
  EXPECT_EQ(resumed.state.iteration, 4);
  EXPECT_EQ(resumed.state.adam.v, serial.state.adam.v);
}

}  // namespace
}  // namespace vvc::core

namespace vvc::core {
namespace {

// A policy file's stored metrics are reproduced exactly by evaluating the imported policy.
TEST(DiffOp, ImportedPolicyReproducesExportedMetricsExactly) {
  const Study& study = benchmark_study();
  const DiffOpModel model(study, DiffOpStructure{});
  DiffOpTrainingOptions options;
  options.iterations = 2;
  options.scenarios_per_iteration = 2;
  options.noise_draws = 2;
  options.validation.every = 0;
  const auto trained = DiffOpTrainer(study, model, options).train(nullptr);
  const auto scenarios = make_scenarios(study);
  EvaluationOptions eo;
  eo.ids = {0, 40};
  eo.threads = 2;
  PolicyFile policy = describe_policy(model, trained.theta);
  policy.evaluation = evaluate(
                          study, *scenarios, [&] { return make_diffop_controller(model, trained.theta); }, eo)
                          .summary;
  policy.evaluation_seeds = eo.ids;
  const std::string path = VVC_BINARY_DIR "/diffop_test.policy.json";
  write_policy(policy, path);
  const PolicyFile back = read_policy(path);
  const DiffOpModel model_back(study, back.structure);
  check_policy_matches(back, model_back, path);
  eo.threads = 1;
  const auto again = evaluate(
      study, *scenarios, [&] { return make_diffop_controller(model_back, back.theta); }, eo);
  EXPECT_EQ(again.summary.transient, back.evaluation->transient);
  EXPECT_EQ(again.summary.steady, back.evaluation->steady);
  EXPECT_EQ(again.summary.fraction_out_of_band, back.evaluation->fraction_out_of_band);
}

}  // namespace
}  // namespace vvc::core

namespace vvc::core {
namespace {

// The two QP backends behind DiffOpSolver give the same actions and the same KKT policy gradients.
TEST(DiffOp, IpoptBackendAgreesWithDenseBackend) {
  const Study& study = benchmark_study();
  std::mt19937_64 rng(17);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (int horizon : {1, 4}) {
    const DiffOpModel model(study, DiffOpStructure{DiffOpMode::kStep, horizon, 100, 0.99});
    DiffOpSolver dense(model, QpBackend::kDense), ipopt(model, QpBackend::kIpopt);
    int compared = 0;
    for (int trial = 0; trial < 15; ++trial) {
      Eigen::VectorXd theta = model.initial_parameters();
      for (Eigen::Index i = 0; i < theta.size(); ++i) theta[i] += 0.1 * normal(rng);
      Eigen::VectorXd q(3);
      q << 0.5 * normal(rng), 0.5 * normal(rng), 0.3 * normal(rng);
      const DiffOpModel::State state = state_after(model, 200 + trial, q);
      const PolicySolveStatus status = dense.solve(theta, state);
      ASSERT_NE(status, PolicySolveStatus::kFailed);
      if (status == PolicySolveStatus::kFallback) continue;
      ASSERT_EQ(ipopt.solve(theta, state), PolicySolveStatus::kOptimal) << "trial " << trial;
      EXPECT_LE((dense.plan() - ipopt.plan()).cwiseAbs().maxCoeff(), 1e-6) << "trial " << trial;
      Eigen::VectorXd w(3 * horizon);
      for (Eigen::Index i = 0; i < w.size(); ++i) w[i] = normal(rng);
      Eigen::VectorXd gd = Eigen::VectorXd::Zero(model.num_parameters());
      Eigen::VectorXd gi = Eigen::VectorXd::Zero(model.num_parameters());
      ASSERT_EQ(dense.accumulate_gradient(theta, state, w, gd), PolicyGradientStatus::kComputed);
      if (!dense.last_diagnostics().ok()) continue;
      ASSERT_EQ(ipopt.accumulate_gradient(theta, state, w, gi), PolicyGradientStatus::kComputed);
      EXPECT_LE((gd - gi).cwiseAbs().maxCoeff(), 1e-5 * (1.0 + gd.cwiseAbs().maxCoeff()))
          << "trial " << trial;
      ++compared;
    }
    EXPECT_GE(compared, 8) << "H=" << horizon;
  }
}

}  // namespace
}  // namespace vvc::core
