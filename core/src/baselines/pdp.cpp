// PDP (Offline): imitation of the limit controller through the KKT sensitivity of the policy QP (equations
// and the PDP correspondence in pdp.hpp and docs/algorithms/baselines.md).
#include "vvc/core/baselines/pdp.hpp"

#include <chrono>

#include "diffop/trainer_internal.hpp"
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
    if (!limit.ok) continue;
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
    if (!solver.solve(theta, d.state)) {
      losses[static_cast<size_t>(n)] = 0.5 * d.action.squaredNorm();
      return;
    }
    Eigen::VectorXd w = Eigen::VectorXd::Zero(solver.plan().size());
    w.head(m) = solver.plan().head(m) - d.action;
    losses[static_cast<size_t>(n)] = 0.5 * w.squaredNorm();
    if (gradient != nullptr) {
      Eigen::VectorXd g = Eigen::VectorXd::Zero(np);
      if (solver.accumulate_gradient(theta, d.state, w, g)) grads.col(n) = g;
    }
  });
  double loss = 0.0;
  for (double l : losses) loss += l;
  if (gradient != nullptr) *gradient += grads.rowwise().sum() / count;
  return loss / count;
}

MpcTrainingResult train_pdp(const Study& study, const DiffOpModel& model, const PdpOptions& o) {
  if (o.demonstrations < 1) throw InputError("PDP demonstrations: expected an integer >= 1");
  if (o.epochs < 1) throw InputError("PDP epochs: expected an integer >= 1");
  if (!(o.learning_rate > 0.0)) throw InputError("PDP learning rate: expected a number > 0");
  if (o.validation_scenarios < 1 ||
      study.training_seeds.size() < o.validation_scenarios + static_cast<long>(o.demonstrations)) {
    throw InputError("the training seed range must hold the PDP validation and demonstration scenarios");
  }
  const auto start = std::chrono::steady_clock::now();
  const long first = study.training_seeds.first + o.validation_scenarios;
  const std::vector<Demonstration> demos =
      limit_demonstrations(study, model, {first, first + o.demonstrations}, o.demonstration_steps);
  const int threads = std::max(1, o.threads);
  const int np = model.num_parameters();
  detail::BestPolicyTracker tracker(study, model, o.validation_scenarios, threads);
  detail::AdamStep adam(np);
  MpcTrainingResult result;
  result.failed_solves =
      static_cast<long>(o.demonstrations) * o.demonstration_steps - static_cast<long>(demos.size());
  Eigen::VectorXd theta = model.initial_parameters();
  Eigen::VectorXd grad(np);
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    grad.setZero();
    MpcLearningPoint point;
    point.iteration = epoch + 1;
    point.training_cost = imitation_loss(model, theta, demos, &grad, threads);
    if (grad.allFinite()) adam.apply(grad, o.learning_rate, theta);
    const bool validate =
        o.validation_every > 0 && ((epoch + 1) % o.validation_every == 0 || epoch + 1 == o.epochs);
    if (validate) point.validation_transient = tracker.validate(theta);
    point.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.curve.push_back(point);
  }
  result.theta = tracker.best_or(theta);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace vvc::core
