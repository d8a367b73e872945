// PDP (Offline): imitation of the limit controller through the KKT sensitivity of the policy QP (equations
// and the PDP correspondence in pdp.hpp and docs/algorithms/baselines.md).
#include "vvc/core/baselines/pdp.hpp"

#include <chrono>

#include "training/options_internal.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/common/parallel.hpp"
#include "vvc/core/reference/limit.hpp"

namespace vvc::core {

std::vector<Demonstration> limit_demonstrations(const Study& study, const DiffOpModel& model, SeedRange ids,
                                                int steps) {
  if (steps < 1) throw InputError("demonstration steps: expected an integer >= 1");
  const auto scenarios = make_scenarios(study);
  Environment env(study);
  std::vector<Demonstration> out;
  for (long id = ids.first; id < ids.last; ++id) {
    const Scenario sc = scenarios->make(id);
    const LimitSolution limit = solve_limit(study, sc, false);
    if (!limit.solved()) continue;
    env.reset(sc);
    for (int t = 0; t < steps; ++t) {
      Demonstration d;
      d.seed = id;
      model.observe(env.observation(), d.state);
      d.action = limit.q;
      out.push_back(std::move(d));
      env.apply(limit.q);
    }
  }
  return out;
}

double imitation_loss(const DiffOpModel& model, const Eigen::VectorXd& theta,
                      const std::vector<Demonstration>& demos, Eigen::VectorXd* gradient, int threads) {
  const int count = static_cast<int>(demos.size());
  if (count == 0) return 0.0;
  const int np = model.num_parameters();
  const int m = model.num_inverters();
  threads = std::max(1, std::min(threads, count));
  std::vector<std::unique_ptr<DiffOpSolver>> solvers;
  for (int i = 0; i < threads; ++i) solvers.push_back(std::make_unique<DiffOpSolver>(model));
  std::vector<double> losses(static_cast<size_t>(count));
  Eigen::MatrixXd grads = Eigen::MatrixXd::Zero(gradient != nullptr ? np : 0, count);
  parallel_for(count, threads, [&](int worker, int n) {
    const Demonstration& d = demos[static_cast<size_t>(n)];
    DiffOpSolver& solver = *solvers[static_cast<size_t>(worker)];
    solver.reset();
    if (solver.solve(theta, d.state) == PolicySolveStatus::kFailed) {
      losses[static_cast<size_t>(n)] = 0.5 * d.action.squaredNorm();
      return;
    }
    Eigen::VectorXd w = Eigen::VectorXd::Zero(solver.plan().size());
    w.head(m) = solver.plan().head(m) - d.action;
    losses[static_cast<size_t>(n)] = 0.5 * w.squaredNorm();
    if (gradient != nullptr) {
      Eigen::VectorXd g = Eigen::VectorXd::Zero(np);
      if (solver.accumulate_gradient(theta, d.state, w, g) == PolicyGradientStatus::kComputed)
        grads.col(n) = g;
    }
  });
  double loss = 0.0;
  for (double l : losses) loss += l;
  if (gradient != nullptr) *gradient += grads.rowwise().sum() / count;
  return loss / count;
}

void PdpOptions::validate() const {
  using detail::option_error;
  if (demonstrations < 1) option_error("demonstrations", "an integer >= 1", demonstrations);
  if (demonstration_steps < 1) option_error("demonstration_steps", "an integer >= 1", demonstration_steps);
  if (epochs < 1) option_error("epochs", "an integer >= 1", epochs);
  if (threads < 1) option_error("threads", "an integer >= 1", threads);
  adam.validate("adam.");
  validation.validate("validation.");
}

MpcTrainingResult train_pdp(const Study& study, const DiffOpModel& model, const PdpOptions& o,
                            TrainingObserver* observer) {
  o.validate();
  const SeedSplit split = split_training_seeds(study, o.validation);
  if (split.training.size() < o.demonstrations) {
    throw InputError(study.path.string() + ": training_seeds hold " + std::to_string(split.training.size()) +
                     " scenarios after the " + std::to_string(split.validation.size()) +
                     " validation ones; PDP needs " + std::to_string(o.demonstrations) +
                     " for demonstrations");
  }
  const auto start = std::chrono::steady_clock::now();
  const long first = split.training.first;
  const std::vector<Demonstration> demos =
      limit_demonstrations(study, model, {first, first + o.demonstrations}, o.demonstration_steps);
  const int threads = o.threads;
  const int np = model.num_parameters();
  const Validator validator(study, split, o.validation, threads);
  Adam adam(np, o.adam);
  MpcTrainingResult result;
  result.summary.method = "PDP(Offline)";
  result.summary.unit = TrainingUnit::kEpoch;
  result.summary.seeds = split;
  result.summary.failed_solves =
      static_cast<long>(o.demonstrations) * o.demonstration_steps - static_cast<long>(demos.size());
  TrainerState st;
  st.theta = model.initial_parameters();
  Eigen::VectorXd grad(np);
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    grad.setZero();
    TrainingProgress progress;
    LearningPoint& point = progress.point;
    point.iteration = epoch + 1;
    point.steps = epoch == 0 ? o.demonstrations * o.demonstration_steps : 0;
    point.training_cost = imitation_loss(model, st.theta, demos, &grad, threads);
    point.gradient_norm = grad.norm();
    if (grad.allFinite()) adam.step(st.theta, grad);
    st.adam = adam.state();
    st.iteration = epoch + 1;
    if (validator.due(st.iteration, o.epochs)) {
      const Eigen::VectorXd theta = st.theta;
      const Evaluation ev = validator.run([&] { return make_diffop_controller(model, theta); });
      Validator::record(ev, point, &progress);
      st.record_validation(ev.summary.transient);
    }
    point.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    st.curve.push_back(point);
    if (observer != nullptr) {
      progress.method = result.summary.method;
      progress.unit = TrainingUnit::kEpoch;
      progress.iterations = o.epochs;
      if (observer->on_progress(progress) == ObserverAction::kStop && st.iteration < o.epochs) {
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

}  // namespace vvc::core
