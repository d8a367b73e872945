// DiffOP training loop: rollouts in parallel, the implicit policy gradient (likelihood ratio with per-scenario
// leave-one-out baselines, or pathwise), Adam. Equations: trainer.hpp and docs/algorithms/diffop.md.
#include "vvc/core/diffop/trainer.hpp"

#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "training/options_internal.hpp"
#include "training/random_internal.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/common/parallel.hpp"
#include "vvc/core/distributed/bytes.hpp"

namespace vvc::core {

using detail::mix_seed;
using detail::truncated_normal;

std::string to_string(GradientEstimator estimator) {
  return estimator == GradientEstimator::kPathwise ? "pathwise" : "likelihood-ratio";
}

GradientEstimator parse_gradient_estimator(const std::string& text, const std::string& what) {
  if (text == "likelihood-ratio") return GradientEstimator::kLikelihoodRatio;
  if (text == "pathwise") return GradientEstimator::kPathwise;
  throw InputError(what + ": expected likelihood-ratio or pathwise, got '" + text + "'");
}

GradientEstimator DiffOpTrainingOptions::estimator(const Study& study) const {
  if (gradient) return *gradient;
  return study.three_phase() ? GradientEstimator::kPathwise : GradientEstimator::kLikelihoodRatio;
}

double DiffOpTrainingOptions::penalty(const Study& study, const DiffOpStructure& structure) const {
  if (violation_penalty) return *violation_penalty;
  if (study.cost_form == CostForm::kF) return 1.0;
  return structure.objective == DiffOpObjective::kMoves ? 0.0 : study.violation_weight;
}

void DiffOpTrainingOptions::validate() const {
  using detail::option_error;
  if (iterations < 1) option_error("iterations", "an integer >= 1", iterations);
  if (scenarios_per_iteration < 1)
    option_error("scenarios_per_iteration", "an integer >= 1", scenarios_per_iteration);
  if (noise_draws < 2)
    option_error("noise_draws", "an integer >= 2 (the baseline needs two draws)", noise_draws);
  if (!(sigma > 0.0)) option_error("sigma", "a number > 0", sigma);
  if (!(beta > 0.0)) option_error("beta", "a number > 0", beta);
  if (violation_penalty && !(*violation_penalty >= 0.0))
    option_error("violation_penalty", "a number >= 0", *violation_penalty);
  if (threads < 1) option_error("threads", "an integer >= 1", threads);
  adam.validate("adam.");
  validation.validate("validation.");
  checkpoint.validate("checkpoint.");
}

Rollout run_rollout(const DiffOpModel& model, const Eigen::VectorXd& theta, Environment& env,
                    DiffOpSolver& solver, const Scenario& scenario, std::uint64_t noise_seed,
                    const DiffOpTrainingOptions& options) {
  const int steps = env.study().steps;
  const int m = model.num_inverters();
  const int plan_size = m * model.structure().horizon;
  Rollout out;
  out.costs.resize(steps);
  out.violations.resize(steps);
  out.scores = Eigen::MatrixXd::Zero(steps, model.num_parameters());
  std::mt19937_64 rng(noise_seed);
  solver.reset();
  const Observation& obs = env.reset(scenario);
  DiffOpModel::State state;
  PolicySolveStatus plan = PolicySolveStatus::kFailed;
  Eigen::VectorXd eps(m), action(m), w(plan_size), g(model.num_parameters());
  for (int t = 0; t < steps; ++t) {
    if (model.plans_at(t)) {
      model.observe(obs, state);
      plan = solver.solve(theta, state);
    }
    const int stage = model.plan_stage(t);
    for (int i = 0; i < m; ++i) eps[i] = truncated_normal(rng, options.beta);
    const bool planned = plan != PolicySolveStatus::kFailed;
    if (planned) {
      action = solver.plan().segment(m * stage, m) + options.sigma * eps;
    } else {
      action = obs.q + options.sigma * eps;
    }
    if (plan == PolicySolveStatus::kFallback) ++out.fallback_steps;
    const StepResult& r = env.step(action, StepRule::kSetpoint);
    out.costs[t] = r.cost;
    out.violations[t] = r.max_violation;
    if (planned) {
      w.setZero();
      w.segment(m * stage, m) = eps / options.sigma;
      g.setZero();
      if (solver.accumulate_gradient(theta, state, w, g) == PolicyGradientStatus::kComputed) {
        out.scores.row(t) = g.transpose();
      }
    }
  }
  return out;
}

Rollout run_pathwise_rollout(const DiffOpModel& model, const Eigen::VectorXd& theta, Environment& env,
                             DiffOpSolver& solver, const Scenario& scenario,
                             const DiffOpTrainingOptions& options) {
  const int steps = env.study().steps;
  const int m = model.num_inverters();
  const int nobs = model.num_modelled();
  const double gamma = env.study().discount;
  const double mu = options.penalty(env.study(), model.structure());
  const auto s = [](int k) { return static_cast<size_t>(k); };
  Rollout out;
  out.costs.resize(steps);
  out.violations.resize(steps);
  out.gradient = Eigen::VectorXd::Zero(model.num_parameters());
  // Forward: the rollout, with each plan's state and status, the cost's direct derivatives (column t of
  // `adjoint`: dC/da_t so far) and how each step's observation moves with its action.
  Eigen::MatrixXd adjoint = Eigen::MatrixXd::Zero(m, steps);
  std::vector<DiffOpModel::State> states(s(steps));
  std::vector<PolicySolveStatus> status(s(steps), PolicySolveStatus::kFailed);
  std::vector<char> planned(s(steps), 0);  // a_t is a stage of a plan; otherwise the applied q is held
  std::vector<char> sensed(s(steps), 0);   // the step's sensitivities are known (its power flow converged)
  Eigen::MatrixXd dy(nobs, m * steps);     // block t: d y0_(t+1) / da_t, modelled rows x actions
  Eigen::MatrixXd dq(m, steps);            // column t: d q0_(t+1) / da_t (diagonal)
  // Each optimal plan's QP solution: the backward pass takes the plan's gradient there.
  std::vector<QpSolution> solutions(s(steps));
  solver.reset();
  const Observation& obs = env.reset(scenario);
  Eigen::VectorXd action(m);
  StepGradient step_gradient;
  Eigen::MatrixXd dvm;
  Eigen::VectorXd dq_step;
  int plan_time = 0;
  for (int t = 0; t < steps; ++t) {
    if (model.plans_at(t)) {
      plan_time = t;
      model.observe(obs, states[s(t)]);
      status[s(t)] = solver.solve(theta, states[s(t)]);
      if (status[s(t)] == PolicySolveStatus::kOptimal) solutions[s(t)] = solver.solution();
    }
    const PolicySolveStatus plan_status = status[s(plan_time)];
    planned[s(t)] = plan_status != PolicySolveStatus::kFailed;
    if (planned[s(t)]) {
      action = solver.plan().segment(m * model.plan_stage(t), m);
    } else {
      action = obs.q;
    }
    if (plan_status == PolicySolveStatus::kFallback) ++out.fallback_steps;
    const StepResult& r = env.step(action, StepRule::kSetpoint);
    out.costs[t] = r.cost;
    out.violations[t] = r.max_violation;
    if (env.step_gradient(step_gradient)) {
      const double discount = std::pow(gamma, t + 1);
      adjoint.col(t) += discount * (step_gradient.action + mu * step_gradient.violation);
      if (t > 0) adjoint.col(t - 1) += discount * step_gradient.previous;
      env.observation_sensitivities(model.modelled_buses(), dvm, dq_step);
      dq.col(t) = dq_step;
      model.observe_tangent(obs, dvm, dy.middleCols(m * t, m));
      sensed[s(t)] = 1;
    }
  }
  // Backward: a plan's adjoint is complete once every later step has been carried back; its state's gradient
  // then goes to the action before it, through the plant (y0) and the applied q (q0).
  DiffOpModel::StateGradient state_gradient;
  Eigen::VectorXd w(m * model.structure().horizon);
  for (int t = steps - 1; t >= 0; --t) {
    if (!planned[s(t)]) {
      if (t > 0 && sensed[s(t - 1)]) adjoint.col(t - 1) += adjoint.col(t).cwiseProduct(dq.col(t - 1));
      continue;
    }
    if (!model.plans_at(t) || status[s(t)] != PolicySolveStatus::kOptimal) continue;
    w.setZero();
    for (int k = t; k < steps && (k == t || !model.plans_at(k)); ++k) {
      w.segment(m * model.plan_stage(k), m) += adjoint.col(k);
    }
    solver.restore(theta, states[s(t)], solutions[s(t)]);
    if (solver.accumulate_gradient(theta, states[s(t)], w, out.gradient, &state_gradient) !=
            PolicyGradientStatus::kComputed ||
        t == 0 || !sensed[s(t - 1)]) {
      continue;
    }
    adjoint.col(t - 1).noalias() += dy.middleCols(m * (t - 1), m).transpose() * state_gradient.y0;
    adjoint.col(t - 1) += dq.col(t - 1).cwiseProduct(state_gradient.q0);
  }
  return out;
}

double check_policy_gradient(const DiffOpModel& model, const Eigen::VectorXd& theta,
                             const DiffOpModel::State& state, const Eigen::VectorXd& w, double h,
                             const std::vector<int>& params) {
  constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
  DiffOpSolver solver(model);
  if (solver.solve(theta, state) != PolicySolveStatus::kOptimal) return kNone;
  Eigen::VectorXd analytic = Eigen::VectorXd::Zero(model.num_parameters());
  if (solver.accumulate_gradient(theta, state, w, analytic) != PolicyGradientStatus::kComputed) return kNone;
  std::vector<int> all;
  if (params.empty()) {
    all.resize(static_cast<size_t>(model.num_parameters()));
    std::iota(all.begin(), all.end(), 0);
  }
  double worst = 0.0;
  for (int p : params.empty() ? all : params) {
    Eigen::VectorXd tp = theta, tm = theta;
    tp[p] += h;
    tm[p] -= h;
    DiffOpSolver sp(model), sm(model);
    if (sp.solve(tp, state) != PolicySolveStatus::kOptimal ||
        sm.solve(tm, state) != PolicySolveStatus::kOptimal) {
      return kNone;
    }
    const double fd = (w.dot(sp.plan()) - w.dot(sm.plan())) / (2 * h);
    worst = std::max(worst, std::abs(fd - analytic[p]));
  }
  return worst / std::max(1.0, analytic.cwiseAbs().maxCoeff());
}

/// One scenario's part of an iteration: its term of the gradient sum and its rollouts' costs.
struct DiffOpTrainer::ScenarioTerms {
  Eigen::VectorXd gradient;  ///< sum_k sum_t A_{k,t} score_{k,t}
  Eigen::VectorXd cost;      ///< per draw: sum_t gamma^t F(q_t)
  Eigen::VectorXd steady;    ///< per draw: F(q_T)
  long fallback_steps = 0;
};

/// One environment and one policy solver per rollout thread.
struct DiffOpTrainer::Workers {
  std::vector<std::unique_ptr<Environment>> envs;
  std::vector<std::unique_ptr<DiffOpSolver>> solvers;
};

DiffOpTrainer::DiffOpTrainer(const Study& study, const DiffOpModel& model,
                             const DiffOpTrainingOptions& options, const Communicator& communicator)
    : study_(&study),
      model_(&model),
      communicator_(&communicator),
      options_(options),
      workers_(std::make_unique<Workers>()) {
  options_.validate();
  estimator_ = options_.estimator(study);
  options_.gradient = estimator_;
  options_.violation_penalty = options_.penalty(study, model.structure());
  if (estimator_ == GradientEstimator::kPathwise && !study.three_phase()) {
    throw InputError(
        "gradient: pathwise needs a three-phase study (the power flow's voltage sensitivities); " +
        study.path.string() + " is balanced");
  }
  split_ = split_training_seeds(study, options_.validation);
  scenarios_ = make_scenarios(study);
  for (int w = 0; w < options_.threads; ++w) {
    workers_->envs.push_back(std::make_unique<Environment>(study));
    workers_->solvers.push_back(std::make_unique<DiffOpSolver>(model));
  }
  validator_ =
      std::make_unique<Validator>(study, split_, options_.validation, options_.threads, communicator_);
  batch_.resize(static_cast<size_t>(options_.scenarios_per_iteration));
  rollouts_.resize(static_cast<size_t>(options_.scenarios_per_iteration * draws()));
  terms_.resize(static_cast<size_t>(options_.scenarios_per_iteration));
  grad_.resize(model.num_parameters());
}

DiffOpTrainer::~DiffOpTrainer() = default;

int DiffOpTrainer::draws() const {
  return estimator_ == GradientEstimator::kPathwise ? 1 : options_.noise_draws;
}

std::string DiffOpTrainer::method() const {
  return model_->structure().mode == DiffOpMode::kStep ? "DiffOP(Step)" : "DiffOP(Traj)";
}

void DiffOpTrainer::sample_batch(int iteration) {
  const std::vector<long> seeds =
      detail::training_batch(split_.training, options_.seed, iteration, options_.scenarios_per_iteration);
  for (size_t b = 0; b < seeds.size(); ++b) batch_[b] = scenarios_->make(seeds[b]);
}

void DiffOpTrainer::run_rollouts(const TrainerState& state, int iteration) {
  const int k_count = draws();
  const std::vector<std::string> parts =
      gather_shares(*communicator_, options_.scenarios_per_iteration, [&](int first, int last) {
        parallel_for((last - first) * k_count, options_.threads, [&](int worker, int i) {
          const int j = first * k_count + i;
          const int b = j / k_count;
          const int k = j % k_count;
          const auto wk = static_cast<size_t>(worker);
          const Scenario& scenario = batch_[static_cast<size_t>(b)];
          if (estimator_ == GradientEstimator::kPathwise) {
            rollouts_[static_cast<size_t>(j)] = run_pathwise_rollout(
                *model_, state.theta, *workers_->envs[wk], *workers_->solvers[wk], scenario, options_);
            return;
          }
          rollouts_[static_cast<size_t>(j)] =
              run_rollout(*model_, state.theta, *workers_->envs[wk], *workers_->solvers[wk], scenario,
                          mix_seed(options_.seed, static_cast<std::uint64_t>(iteration),
                                   static_cast<std::uint64_t>(b) + 2, static_cast<std::uint64_t>(k)),
                          options_);
        });
        ByteWriter out;
        for (int b = first; b < last; ++b) {
          const ScenarioTerms terms = scenario_terms(b);
          out.put(terms.gradient);
          out.put(terms.cost);
          out.put(terms.steady);
          out.put<std::int64_t>(terms.fallback_steps);
        }
        return out.bytes();
      });
  int b = 0;
  for (const std::string& part : parts) {
    ByteReader in(part);
    while (!in.done()) {
      ScenarioTerms& terms = terms_[static_cast<size_t>(b++)];
      terms.gradient = in.vector();
      terms.cost = in.vector();
      terms.steady = in.vector();
      terms.fallback_steps = in.get<std::int64_t>();
    }
  }
  VVC_ASSERT(b == options_.scenarios_per_iteration);
}

// Scenario b's term of the gradient: with per-step leave-one-out baselines over its draws (likelihood ratio;
// summed in a fixed order), or its rollout's (pathwise).
DiffOpTrainer::ScenarioTerms DiffOpTrainer::scenario_terms(int b) const {
  const int k_count = draws();
  const int steps = study_->steps;
  ScenarioTerms terms;
  terms.gradient = Eigen::VectorXd::Zero(model_->num_parameters());
  terms.cost.resize(k_count);
  terms.steady.resize(k_count);
  Eigen::MatrixXd to_go(k_count, steps);
  for (int k = 0; k < k_count; ++k) {
    const Rollout& r = rollouts_[static_cast<size_t>(b * k_count + k)];
    double acc = 0.0;
    double cost = 0.0;
    for (int t = steps - 1; t >= 0; --t) {
      const double discount = std::pow(study_->discount, t + 1);
      acc += discount * (r.costs[t] + *options_.violation_penalty * r.violations[t]);
      cost += discount * r.costs[t];
      to_go(k, t) = acc;
    }
    terms.cost[k] = cost;
    terms.steady[k] = r.costs[steps - 1];
    terms.fallback_steps += r.fallback_steps;
  }
  if (estimator_ == GradientEstimator::kPathwise) {
    terms.gradient = rollouts_[static_cast<size_t>(b)].gradient;
    return terms;
  }
  const Eigen::RowVectorXd total = to_go.colwise().sum();
  for (int k = 0; k < k_count; ++k) {
    const Rollout& r = rollouts_[static_cast<size_t>(b * k_count + k)];
    for (int t = 0; t < steps; ++t) {
      const double advantage = to_go(k, t) - (total[t] - to_go(k, t)) / (k_count - 1);
      terms.gradient.noalias() += advantage * r.scores.row(t).transpose();
    }
  }
  return terms;
}

// The mean over scenarios and draws of the scenarios' terms, summed in scenario order.
void DiffOpTrainer::estimate_gradient(LearningPoint& point) {
  point.training_cost = 0.0;
  point.training_steady = 0.0;
  grad_.setZero();
  for (const ScenarioTerms& terms : terms_) {
    for (Eigen::Index k = 0; k < terms.cost.size(); ++k) {
      point.training_cost += terms.cost[k];
      point.training_steady += terms.steady[k];
    }
    point.fallback_steps += terms.fallback_steps;
    grad_ += terms.gradient;
  }
  const double denom = static_cast<double>(options_.scenarios_per_iteration * draws());
  point.steps = options_.scenarios_per_iteration * draws() * study_->steps;
  grad_ /= denom;
  point.training_cost /= denom;
  point.training_steady /= denom;
  point.gradient_norm = grad_.norm();
}

void DiffOpTrainer::update(TrainerState& state, Adam& adam) {
  adam.step(state.theta, grad_);
  state.adam = adam.state();
}

void DiffOpTrainer::check_gradients(const TrainerState& state, int iteration, LearningPoint& point) {
  const DiffOpModel& model = *model_;
  DiffOpModel::State s;
  Environment& env = *workers_->envs.front();
  model.observe(env.reset(batch_.front()), s);
  std::mt19937_64 rng(mix_seed(options_.seed, static_cast<std::uint64_t>(iteration), 99));
  Eigen::VectorXd w(model.num_inverters() * model.structure().horizon);
  for (Eigen::Index i = 0; i < w.size(); ++i) w[i] = truncated_normal(rng, 3.0);
  point.gradient_check_error = check_policy_gradient(model, state.theta, s, w);
}

void DiffOpTrainer::validate(TrainerState& state, LearningPoint& point, TrainingProgress& progress) {
  const DiffOpModel& model = *model_;
  const Eigen::VectorXd theta = state.theta;
  const Evaluation ev = validator_->run([&] { return make_diffop_controller(model, theta); });
  Validator::record(ev, point, &progress);
  double violation = 0.0;
  for (const EpisodeRecord& e : ev.episodes) violation += e.discounted_violation;
  violation /= static_cast<double>(std::max<size_t>(1, ev.episodes.size()));
  state.record_validation(ev.summary.transient + *options_.violation_penalty * violation);
}

DiffOpTrainingResult DiffOpTrainer::train(TrainingObserver* observer, const TrainerState* resume) {
  const auto start = std::chrono::steady_clock::now();
  const int np = model_->num_parameters();
  TrainerState st;
  if (resume != nullptr) {
    st = *resume;
    if (st.theta.size() != np || st.adam.m.size() != np || st.adam.v.size() != np) {
      throw InputError("resume: the checkpoint holds " + std::to_string(st.theta.size()) +
                       " parameters and optimizer moments of size " + std::to_string(st.adam.m.size()) +
                       "; this policy has " + std::to_string(np));
    }
  } else {
    st.theta = model_->initial_parameters();
    st.adam = {Eigen::VectorXd::Zero(np), Eigen::VectorXd::Zero(np), 0};
  }
  Adam adam(options_.adam, st.adam);
  DiffOpTrainingResult result;
  result.summary.method = method();
  result.summary.unit = TrainingUnit::kIteration;
  result.summary.seeds = split_;
  bool checkpointed = true;
  while (st.iteration < options_.iterations) {
    const int it = st.iteration;
    TrainingProgress progress;
    LearningPoint& point = progress.point;
    sample_batch(it);
    run_rollouts(st, it);
    estimate_gradient(point);
    update(st, adam);
    st.iteration = it + 1;
    if (options_.check_gradients) check_gradients(st, it, point);
    if (validator_->due(st.iteration, options_.iterations)) validate(st, point, progress);
    point.iteration = st.iteration;
    point.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    st.curve.push_back(point);
    checkpointed = false;
    if (options_.checkpoint.every > 0 && st.iteration % options_.checkpoint.every == 0 &&
        observer != nullptr) {
      observer->on_checkpoint(st);
      checkpointed = true;
    }
    bool stop = false;
    if (observer != nullptr) {
      progress.method = result.summary.method;
      progress.iterations = options_.iterations;
      stop = observer->on_progress(progress) == ObserverAction::kStop;
    }
    if (any_rank(*communicator_, stop) && st.iteration < options_.iterations) {
      result.summary.termination = TrainingTermination::kStoppedByObserver;
      if (!checkpointed && observer != nullptr) observer->on_checkpoint(st);
      break;
    }
  }
  result.theta = st.best_or_last();
  result.summary.iterations = st.iteration;
  result.summary.curve = st.curve;
  for (const auto& p : st.curve) result.summary.fallback_steps += p.fallback_steps;
  result.summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.state = std::move(st);
  return result;
}

}  // namespace vvc::core
