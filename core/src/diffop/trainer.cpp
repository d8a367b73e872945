// DiffOP training loop: exploring rollouts in parallel, implicit policy gradient with per-scenario
// leave-one-out baselines, Adam (Kingma & Ba 2015). Equations: training.hpp and docs/algorithms/diffop.md.
#include "vvc/core/diffop/trainer.hpp"

#include <chrono>
#include <cmath>
#include <random>

#include "diffop/trainer_internal.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/common/parallel.hpp"

namespace vvc::core {

using detail::mix_seed;
using detail::truncated_normal;

namespace {

int plan_stage(const DiffOpModel& model, int t) {
  return model.structure().mode == DiffOpMode::kStep ? 0 : std::min(t, model.structure().horizon - 1);
}

}  // namespace

Rollout run_rollout(const DiffOpModel& model, const Eigen::VectorXd& theta, Environment& env,
                    DiffOpSolver& solver, const Scenario& scenario, std::uint64_t noise_seed,
                    const DiffOpTrainingOptions& options) {
  const int steps = env.study().steps;
  const int m = model.num_inverters();
  const int plan_size = m * model.structure().horizon;
  Rollout out;
  out.costs.resize(steps);
  out.scores = Eigen::MatrixXd::Zero(steps, model.num_parameters());
  std::mt19937_64 rng(noise_seed);
  solver.reset();
  const Observation& obs = env.reset(scenario);
  DiffOpModel::State state;
  bool planned = false;
  const bool step_mode = model.structure().mode == DiffOpMode::kStep;
  if (!step_mode) {
    model.observe(obs, state);
    planned = solver.solve(theta, state);
    if (!planned) solver.clear_plan();
  }
  Eigen::VectorXd eps(m), action(m), w(plan_size), g(model.num_parameters());
  for (int t = 0; t < steps; ++t) {
    if (step_mode) {
      model.observe(obs, state);
      planned = solver.solve(theta, state);
    }
    const int stage = plan_stage(model, t);
    for (int i = 0; i < m; ++i) eps[i] = truncated_normal(rng, options.beta);
    if (planned) {
      action = solver.plan().segment(m * stage, m) + options.sigma * eps;
    } else {
      action = obs.q + options.sigma * eps;
    }
    if (planned && solver.used_fallback()) ++out.fallback_steps;
    const StepResult& r = env.step(action, StepRule::kSetpoint);
    out.costs[t] = r.cost;
    if (planned) {
      w.setZero();
      w.segment(m * stage, m) = eps / options.sigma;
      g.setZero();
      if (solver.accumulate_gradient(theta, state, w, g)) out.scores.row(t) = g.transpose();
    }
  }
  return out;
}

double check_policy_gradient(const DiffOpModel& model, const Eigen::VectorXd& theta,
                             const DiffOpModel::State& state, const Eigen::VectorXd& w) {
  DiffOpSolver solver(model);
  if (!solver.solve(theta, state)) return std::numeric_limits<double>::quiet_NaN();
  Eigen::VectorXd analytic = Eigen::VectorXd::Zero(model.num_parameters());
  if (!solver.accumulate_gradient(theta, state, w, analytic)) return std::numeric_limits<double>::quiet_NaN();
  const double h = 1e-6;
  double worst = 0.0;
  for (int p = 0; p < model.num_parameters(); ++p) {
    Eigen::VectorXd tp = theta, tm = theta;
    tp[p] += h;
    tm[p] -= h;
    DiffOpSolver sp(model), sm(model);
    if (!sp.solve(tp, state) || !sm.solve(tm, state)) return std::numeric_limits<double>::quiet_NaN();
    const double fd = (w.dot(sp.plan()) - w.dot(sm.plan())) / (2 * h);
    worst = std::max(worst, std::abs(fd - analytic[p]));
  }
  return worst / std::max(1.0, analytic.cwiseAbs().maxCoeff());
}

DiffOpTrainer::DiffOpTrainer(const Study& study, const DiffOpModel& model,
                             const DiffOpTrainingOptions& options)
    : study_(&study), model_(&model), options_(options) {
  if (options.noise_draws < 2) throw InputError("noise draws per scenario: expected >= 2 (for the baseline)");
  if (options.scenarios_per_iteration < 1) throw InputError("scenarios per iteration: expected >= 1");
  if (!(options.sigma > 0.0) || !(options.beta > 0.0)) throw InputError("sigma and beta must be > 0");
  if (study.training_seeds.size() <= options.validation_scenarios) {
    throw InputError("the training seed range must hold more than the validation scenarios");
  }
}

DiffOpTrainingResult DiffOpTrainer::train(TrainingObserver* observer, const TrainerState* resume,
                                          const std::function<void(const TrainerState&)>& checkpoint,
                                          int checkpoint_every) {
  const auto start = std::chrono::steady_clock::now();
  const DiffOpModel& model = *model_;
  const int np = model.num_parameters();
  const int threads = std::max(1, options_.threads);
  TrainerState st;
  if (resume != nullptr) {
    st = *resume;
  } else {
    st.theta = model.initial_parameters();
    st.adam_m = Eigen::VectorXd::Zero(np);
    st.adam_v = Eigen::VectorXd::Zero(np);
  }
  const auto scenarios = make_scenarios(*study_);
  std::vector<std::unique_ptr<Environment>> envs;
  std::vector<std::unique_ptr<DiffOpSolver>> solvers;
  for (int w = 0; w < threads; ++w) {
    envs.push_back(std::make_unique<Environment>(*study_));
    solvers.push_back(std::make_unique<DiffOpSolver>(model));
  }
  const int b_count = options_.scenarios_per_iteration;
  const int k_count = options_.noise_draws;
  const long first_train = study_->training_seeds.first + options_.validation_scenarios;
  const long train_count = study_->training_seeds.last - first_train;
  const SeedRange validation{study_->training_seeds.first,
                             study_->training_seeds.first + options_.validation_scenarios};
  DiffOpTrainingResult result;

  std::vector<Rollout> rollouts(static_cast<size_t>(b_count * k_count));
  std::vector<Scenario> batch(static_cast<size_t>(b_count));
  Eigen::VectorXd grad(np);
  while (st.iteration < options_.iterations) {
    const int it = st.iteration;
    std::mt19937_64 pick(mix_seed(options_.seed, static_cast<std::uint64_t>(it), 1));
    for (int b = 0; b < b_count; ++b) {
      batch[static_cast<size_t>(b)] =
          scenarios->make(first_train + static_cast<long>(pick() % static_cast<std::uint64_t>(train_count)));
    }
    parallel_for(b_count * k_count, threads, [&](int worker, int j) {
      const int b = j / k_count;
      const int k = j % k_count;
      rollouts[static_cast<size_t>(j)] =
          run_rollout(model, st.theta, *envs[static_cast<size_t>(worker)],
                      *solvers[static_cast<size_t>(worker)], batch[static_cast<size_t>(b)],
                      mix_seed(options_.seed, static_cast<std::uint64_t>(it),
                               static_cast<std::uint64_t>(b) + 2, static_cast<std::uint64_t>(k)),
                      options_);
    });
    // Gradient with per-scenario, per-step leave-one-out baselines; summed in a fixed order.
    const int steps = study_->steps;
    TrainingProgress progress;
    grad.setZero();
    Eigen::MatrixXd to_go(k_count, steps);
    for (int b = 0; b < b_count; ++b) {
      for (int k = 0; k < k_count; ++k) {
        const Rollout& r = rollouts[static_cast<size_t>(b * k_count + k)];
        double acc = 0.0;
        for (int t = steps - 1; t >= 0; --t) {
          acc += std::pow(study_->discount, t + 1) * r.costs[t];
          to_go(k, t) = acc;
        }
        progress.rollout_transient += acc;
        progress.rollout_steady += r.costs[steps - 1];
        progress.fallback_steps += r.fallback_steps;
      }
      const Eigen::RowVectorXd total = to_go.colwise().sum();
      for (int k = 0; k < k_count; ++k) {
        const Rollout& r = rollouts[static_cast<size_t>(b * k_count + k)];
        for (int t = 0; t < steps; ++t) {
          const double advantage = to_go(k, t) - (total[t] - to_go(k, t)) / (k_count - 1);
          grad.noalias() += advantage * r.scores.row(t).transpose();
        }
      }
    }
    const double denom = static_cast<double>(b_count * k_count);
    grad /= denom;
    progress.rollout_transient /= denom;
    progress.rollout_steady /= denom;
    progress.gradient_norm = grad.norm();

    // Adam.
    st.adam_m = options_.adam_beta1 * st.adam_m + (1 - options_.adam_beta1) * grad;
    st.adam_v = options_.adam_beta2 * st.adam_v + (1 - options_.adam_beta2) * grad.cwiseProduct(grad);
    const double c1 = 1 - std::pow(options_.adam_beta1, it + 1);
    const double c2 = 1 - std::pow(options_.adam_beta2, it + 1);
    st.theta.array() -=
        options_.learning_rate * (st.adam_m.array() / c1) / ((st.adam_v.array() / c2).sqrt() + 1e-8);
    st.iteration = it + 1;

    if (options_.check_gradients) {
      DiffOpModel::State s;
      Environment& env = *envs.front();
      model.observe(env.reset(batch.front()), s);
      std::mt19937_64 rng(mix_seed(options_.seed, static_cast<std::uint64_t>(it), 99));
      Eigen::VectorXd w(model.num_inverters() * model.structure().horizon);
      for (Eigen::Index i = 0; i < w.size(); ++i) w[i] = truncated_normal(rng, 3.0);
      progress.gradient_check_error = check_policy_gradient(model, st.theta, s, w);
    }

    const bool validate = options_.validation_every > 0 && (st.iteration % options_.validation_every == 0 ||
                                                            st.iteration == options_.iterations);
    if (validate) {
      EvaluationOptions eo;
      eo.ids = validation;
      eo.steps = steps;
      eo.threads = threads;
      const Eigen::VectorXd theta = st.theta;
      const Evaluation ev = evaluate(
          *study_, *scenarios, [&] { return make_diffop_controller(model, theta); }, eo);
      progress.validation_transient = ev.summary.transient;
      progress.validation_steady = ev.summary.steady;
      if (ev.summary.transient < st.best_validation) {
        st.best_validation = ev.summary.transient;
        st.best_theta = st.theta;
      }
      if (observer != nullptr) {
        // Traces of the first validation scenarios for live plots, and the final voltages of all of them.
        Environment& env = *envs.front();
        auto controller = make_diffop_controller(model, theta);
        Eigen::VectorXd action(model.num_inverters());
        progress.final_vm.resize(validation.size(), study_->network.num_buses());
        for (long i = 0; i < validation.size(); ++i) {
          const Scenario sc = scenarios->make(validation.first + i);
          const Observation& obs = env.reset(sc);
          controller->reset(obs, sc);
          EpisodeTrace trace;
          const bool keep = i < 4;
          if (keep) {
            trace.seed = sc.seed;
            trace.vm.resize(steps + 1, obs.vm.size());
            trace.q.resize(steps + 1, model.num_inverters());
            trace.vm.row(0) = obs.vm.transpose();
            trace.q.row(0) = obs.q.transpose();
          }
          for (int t = 1; t <= steps; ++t) {
            controller->act(obs, action);
            env.step(action, controller->rule(), controller->alpha());
            if (keep) {
              trace.vm.row(t) = obs.vm.transpose();
              trace.q.row(t) = obs.q.transpose();
            }
          }
          progress.final_vm.row(i) = obs.vm.transpose();
          if (keep) progress.traces.push_back(std::move(trace));
        }
      }
    }
    progress.iteration = st.iteration;
    progress.iterations = options_.iterations;
    progress.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    TrainingProgress summary = progress;
    summary.traces.clear();
    summary.final_vm.resize(0, 0);
    st.curve.push_back(summary);
    if (checkpoint && checkpoint_every > 0 && st.iteration % checkpoint_every == 0) checkpoint(st);
    if (observer != nullptr && observer->on_progress(progress) == ObserverAction::kStop) {
      result.stopped = true;
      break;
    }
  }
  result.theta = st.best_theta.size() == np ? st.best_theta : st.theta;
  result.state = st;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace vvc::core
