// RLMPC-TD and RLMPC-DPG: reinforcement learning of DiffOP's policy QP used as an MPC (equations in rlmpc.hpp
// and docs/algorithms/baselines.md; Gros & Zanon, IEEE TAC 2020).
#include "vvc/core/baselines/rlmpc.hpp"

#include <chrono>
#include <cmath>
#include <random>

#include "training/options_internal.hpp"
#include "training/random_internal.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/common/parallel.hpp"

namespace vvc::core {

void lagrangian_data_gradient(const QpSolution& s, QpDataTangent& g) {
  const auto n = s.x.size();
  const auto m = s.y.size();
  g.dP = 0.5 * s.x * s.x.transpose();
  g.dc = s.x;
  g.dG = s.y * s.x.transpose();
  g.dlower.resize(m);
  g.dupper.resize(m);
  for (Eigen::Index i = 0; i < m; ++i) {
    g.dlower[i] = std::max(-s.y[i], 0.0);
    g.dupper[i] = -std::max(s.y[i], 0.0);
  }
  g.dlb.resize(n);
  g.dub.resize(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    g.dlb[j] = std::max(-s.z[j], 0.0);
    g.dub[j] = -std::max(s.z[j], 0.0);
  }
}

MpcValue::MpcValue(const DiffOpModel& model, double slack_penalty) : model_(&model) {
  if (!(slack_penalty > 0.0)) throw InputError("slack penalty: expected a number > 0");
  options_.rho = slack_penalty;
}

QpStatus MpcValue::solve(const Eigen::VectorXd& theta, const DiffOpModel::State& state,
                         const Eigen::VectorXd* first_action) {
  model_->build(theta, state, qp_, model_workspace_);
  if (first_action != nullptr) {
    const int m = model_->num_inverters();
    VVC_ASSERT(first_action->size() == m);
    for (int i = 0; i < m; ++i) {
      const double a = std::clamp((*first_action)[i], qp_.lb[i], qp_.ub[i]);
      qp_.lb[i] = a;
      qp_.ub[i] = a;
    }
  }
  solve_soft(qp_, options_, workspace_, solution_);
  if (!solution_.qp.optimal()) return solution_.qp.status;
  const Eigen::VectorXd& x = solution_.qp.x;
  value_ = 0.5 * x.dot(qp_.P * x) + qp_.c.dot(x) + options_.rho * solution_.violation.sum();
  return QpStatus::kOptimal;
}

Eigen::VectorXd MpcValue::first_action() const { return solution_.qp.x.head(model_->num_inverters()); }

void MpcValue::accumulate_gradient(const Eigen::VectorXd& theta, const DiffOpModel::State& state,
                                   Eigen::VectorXd& dtheta) {
  lagrangian_data_gradient(solution_.qp, gradient_);
  model_->chain(theta, state, gradient_, dtheta, model_workspace_);
}

Eigen::VectorXd rlmpc_value_features(const DiffOpModel& model, const DiffOpModel::State& s) {
  const int m = model.num_inverters();
  const std::vector<int>& buses = model.modelled_buses();
  const std::vector<int> inv = model.study().inverter_points();
  Eigen::VectorXd phi(1 + 6 * m);
  phi[0] = 1.0;
  for (int i = 0; i < m; ++i) {
    int row = 0;
    while (buses[static_cast<size_t>(row)] != inv[static_cast<size_t>(i)]) ++row;
    const double dy = s.y0[row] - 1.0;
    const double di = s.y_init[i] - 1.0;
    phi[1 + i] = dy;
    phi[1 + m + i] = di;
    phi[1 + 2 * m + i] = s.q0[i];
    phi[1 + 3 * m + i] = dy * dy;
    phi[1 + 4 * m + i] = s.q0[i] * s.q0[i];
    phi[1 + 5 * m + i] = s.q0[i] * dy;
  }
  return phi;
}

namespace {

enum class Method { kTd, kDpg };

void check_model(const DiffOpModel& model) {
  if (model.structure().mode != DiffOpMode::kStep) {
    throw InputError("RLMPC: the MPC must be in step (receding-horizon) mode, got " +
                     to_string(model.structure().mode));
  }
}

/// What one exploring episode contributes to an iteration's update.
struct EpisodeStats {
  double transient = 0.0;  ///< sum_t gamma^t F_t
  long failed = 0;
  // TD
  Eigen::VectorXd td_gradient;  ///< sum_t delta_t dQ(s_t, a_t)/dtheta
  // DPG: the LSTD system sum_t z_t x_t' (v, w) = sum_t z_t F_t and sum_t J_t J_t'.
  Eigen::MatrixXd normal;
  Eigen::VectorXd rhs;
  Eigen::MatrixXd fisher;
};

struct Worker {
  Worker(const Study& study, const DiffOpModel& model, double slack_penalty)
      : env(study), solver(model), value(model, slack_penalty), q_value(model, slack_penalty) {}
  Environment env;
  DiffOpSolver solver;
  MpcValue value;
  MpcValue q_value;
};

EpisodeStats run_episode_td(const DiffOpModel& model, const Eigen::VectorXd& theta, Worker& w,
                            const Scenario& scenario, std::uint64_t noise_seed, const RlmpcOptions& o) {
  const Study& study = model.study();
  const int m = model.num_inverters();
  const int np = model.num_parameters();
  EpisodeStats out;
  out.td_gradient = Eigen::VectorXd::Zero(np);
  std::mt19937_64 rng(noise_seed);
  const Observation& obs = w.env.reset(scenario);
  DiffOpModel::State state, next;
  model.observe(obs, state);
  bool have_value = w.value.solve(theta, state) == QpStatus::kOptimal;
  Eigen::VectorXd action(m), dq(np);
  for (int t = 0; t < study.steps; ++t) {
    const Eigen::VectorXd pi = have_value ? w.value.first_action() : obs.q;
    for (int i = 0; i < m; ++i) action[i] = pi[i] + o.sigma * detail::truncated_normal(rng, o.beta);
    const StepResult& r = w.env.step(action, StepRule::kSetpoint);
    const double cost = r.cost;
    out.transient += std::pow(study.discount, t + 1) * cost;
    // Q(s_t, a_t) with the action the plant applied.
    const bool have_q = w.q_value.solve(theta, state, &obs.q) == QpStatus::kOptimal;
    model.observe(obs, next);
    have_value = w.value.solve(theta, next) == QpStatus::kOptimal;
    if (have_q && have_value) {
      const double delta = cost + study.discount * w.value.value() - w.q_value.value();
      dq.setZero();
      w.q_value.accumulate_gradient(theta, state, dq);
      out.td_gradient.noalias() += delta * dq;
    } else {
      ++out.failed;
    }
    std::swap(state, next);
  }
  return out;
}

EpisodeStats run_episode_dpg(const DiffOpModel& model, const Eigen::VectorXd& theta, Worker& w,
                             const Scenario& scenario, std::uint64_t noise_seed, const RlmpcOptions& o) {
  const Study& study = model.study();
  const int m = model.num_inverters();
  const int np = model.num_parameters();
  EpisodeStats out;
  std::mt19937_64 rng(noise_seed);
  w.solver.reset();
  const Observation& obs = w.env.reset(scenario);
  DiffOpModel::State state, next;
  model.observe(obs, state);
  const int nf = static_cast<int>(rlmpc_value_features(model, state).size());
  const int nz = nf + np;
  out.normal = Eigen::MatrixXd::Zero(nz, nz);
  out.rhs = Eigen::VectorXd::Zero(nz);
  out.fisher = Eigen::MatrixXd::Zero(np, np);
  Eigen::VectorXd eps(m), action(m), unit(m), row(nz), instrument(nz);
  Eigen::MatrixXd jac(np, m);
  for (int t = 0; t < study.steps; ++t) {
    const bool planned = w.solver.solve(theta, state) != PolicySolveStatus::kFailed;
    for (int i = 0; i < m; ++i) eps[i] = detail::truncated_normal(rng, o.beta);
    action = (planned ? Eigen::VectorXd(w.solver.plan().head(m)) : obs.q) + o.sigma * eps;
    // J = dpi/dtheta, one adjoint per action component (zero when the KKT system is unusable or the
    // exact-penalty fallback was used: that step then only informs the value baseline).
    jac.setZero();
    bool have_jac = planned;
    for (int i = 0; i < m && have_jac; ++i) {
      unit.setZero();
      unit[i] = 1.0;
      Eigen::VectorXd col = Eigen::VectorXd::Zero(np);
      have_jac = w.solver.accumulate_gradient(theta, state, unit, col) == PolicyGradientStatus::kComputed;
      jac.col(i) = col;
    }
    if (!have_jac) {
      jac.setZero();
      ++out.failed;
    }
    const Eigen::VectorXd phi = rlmpc_value_features(model, state);
    const StepResult& r = w.env.step(action, StepRule::kSetpoint);
    out.transient += std::pow(study.discount, t + 1) * r.cost;
    model.observe(obs, next);
    // The likelihood direction is the sampled noise (the clip belongs to the plant).
    // LSTD: regressors x = [phi(s_t) - gamma phi(s_{t+1}); psi_t], instruments z = [phi(s_t); psi_t]
    // (phi(s_{t+1}) depends on the exploration noise, so plain least squares on x would be biased).
    instrument.head(nf) = phi;
    row.head(nf) = phi - study.discount * rlmpc_value_features(model, next);
    row.tail(np) = jac * (o.sigma * eps);
    instrument.tail(np) = row.tail(np);
    out.normal.noalias() += instrument * row.transpose();
    out.rhs.noalias() += r.cost * instrument;
    out.fisher.noalias() += jac * jac.transpose();
    std::swap(state, next);
  }
  return out;
}

MpcTrainingResult train(const Study& study, const DiffOpModel& model, const RlmpcOptions& o, Method method,
                        TrainingObserver* observer) {
  o.validate();
  check_model(model);
  const SeedSplit split = split_training_seeds(study, o.validation);
  const auto start = std::chrono::steady_clock::now();
  const int np = model.num_parameters();
  const int threads = o.threads;
  const auto scenarios = make_scenarios(study);
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < threads; ++i)
    workers.push_back(std::make_unique<Worker>(study, model, o.slack_penalty));
  const Validator validator(study, split, o.validation, threads);
  MpcTrainingResult result;
  result.summary.method = method == Method::kTd ? "RLMPC-TD" : "RLMPC-DPG";
  result.summary.unit = TrainingUnit::kIteration;
  result.summary.seeds = split;
  TrainerState st;
  st.theta = model.initial_parameters();
  Adam adam(np, o.adam);
  const int b_count = o.scenarios_per_iteration;
  std::vector<EpisodeStats> stats(static_cast<size_t>(b_count));
  for (int it = 0; it < o.iterations; ++it) {
    const std::vector<long> seeds = detail::training_batch(split.training, o.seed, it, b_count);
    parallel_for(b_count, threads, [&](int worker, int b) {
      const Scenario sc = scenarios->make(seeds[static_cast<size_t>(b)]);
      const std::uint64_t noise =
          detail::mix_seed(o.seed, static_cast<std::uint64_t>(it), static_cast<std::uint64_t>(b) + 2);
      Worker& w = *workers[static_cast<size_t>(worker)];
      stats[static_cast<size_t>(b)] = method == Method::kTd
                                          ? run_episode_td(model, st.theta, w, sc, noise, o)
                                          : run_episode_dpg(model, st.theta, w, sc, noise, o);
    });
    TrainingProgress progress;
    LearningPoint& point = progress.point;
    point.iteration = it + 1;
    Eigen::VectorXd grad = Eigen::VectorXd::Zero(np);
    point.steps = b_count * study.steps;
    const double samples = point.steps;
    if (method == Method::kTd) {
      for (const auto& s : stats) grad += s.td_gradient;
      // theta <- theta + lr delta dQ/dtheta: Adam minimizes, so it is given the negated direction.
      grad /= -samples;
    } else {
      Eigen::MatrixXd normal = stats.front().normal;
      Eigen::VectorXd rhs = stats.front().rhs;
      Eigen::MatrixXd fisher = stats.front().fisher;
      for (size_t b = 1; b < stats.size(); ++b) {
        normal += stats[b].normal;
        rhs += stats[b].rhs;
        fisher += stats[b].fisher;
      }
      const double scale = std::max(1e-300, normal.diagonal().cwiseAbs().maxCoeff());
      for (Eigen::Index i = 0; i < normal.rows(); ++i) {
        normal(i, i) += o.ridge * std::max(std::abs(normal(i, i)), 1e-12 * scale);
      }
      const Eigen::VectorXd z = normal.fullPivLu().solve(rhs);
      const Eigen::VectorXd w = z.tail(np);
      grad = fisher * w / samples;
    }
    for (const auto& s : stats) {
      point.training_cost += s.transient / b_count;
      point.failed_solves += s.failed;
    }
    point.gradient_norm = grad.norm();
    if (grad.allFinite()) adam.step(st.theta, grad);
    st.adam = adam.state();
    st.iteration = it + 1;
    if (validator.due(st.iteration, o.iterations)) {
      const Eigen::VectorXd theta = st.theta;
      const Evaluation ev = validator.run([&] { return make_diffop_controller(model, theta); });
      Validator::record(ev, point, &progress);
      st.record_validation(ev.summary.transient);
    }
    point.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    st.curve.push_back(point);
    result.summary.failed_solves += point.failed_solves;
    if (observer != nullptr) {
      progress.method = result.summary.method;
      progress.unit = TrainingUnit::kIteration;
      progress.iterations = o.iterations;
      if (observer->on_progress(progress) == ObserverAction::kStop && st.iteration < o.iterations) {
        result.summary.termination = TrainingTermination::kStoppedByObserver;
        break;
      }
    }
  }
  result.theta = st.best_or_last();
  result.summary.iterations = st.iteration;
  result.summary.curve = std::move(st.curve);
  result.summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace

void RlmpcOptions::validate() const {
  using detail::option_error;
  if (iterations < 1) option_error("iterations", "an integer >= 1", iterations);
  if (scenarios_per_iteration < 1)
    option_error("scenarios_per_iteration", "an integer >= 1", scenarios_per_iteration);
  if (!(sigma > 0.0)) option_error("sigma", "a number > 0", sigma);
  if (!(beta > 0.0)) option_error("beta", "a number > 0", beta);
  if (!(slack_penalty > 0.0)) option_error("slack_penalty", "a number > 0", slack_penalty);
  if (!(ridge >= 0.0)) option_error("ridge", "a number >= 0", ridge);
  if (threads < 1) option_error("threads", "an integer >= 1", threads);
  adam.validate("adam.");
  validation.validate("validation.");
}

MpcTrainingResult train_rlmpc_td(const Study& study, const DiffOpModel& model, const RlmpcOptions& options,
                                 TrainingObserver* observer) {
  return train(study, model, options, Method::kTd, observer);
}

MpcTrainingResult train_rlmpc_dpg(const Study& study, const DiffOpModel& model, const RlmpcOptions& options,
                                  TrainingObserver* observer) {
  return train(study, model, options, Method::kDpg, observer);
}

}  // namespace vvc::core
