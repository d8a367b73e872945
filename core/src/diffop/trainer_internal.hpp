// Helpers shared by the trainers in core/src (not installed): seed mixing, truncated normal draws, training
// scenario batches and validation with best-iterate tracking.
#pragma once

#include <Eigen/Dense>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <vector>

#include "vvc/core/diffop/policy.hpp"
#include "vvc/core/env/evaluation.hpp"

namespace vvc::core::detail {

/// SplitMix64 mixing of several integers into one well-spread 64-bit seed.
inline std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b, std::uint64_t c = 0, std::uint64_t d = 0) {
  std::uint64_t h = 0x9E3779B97F4A7C15ull;
  for (std::uint64_t x : {a, b, c, d}) {
    h ^= x + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h += 0x9E3779B97F4A7C15ull;
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
    h ^= h >> 31;
  }
  return h;
}

/// A standard normal draw truncated to [-beta, beta] (rejection).
inline double truncated_normal(std::mt19937_64& rng, double beta) {
  std::normal_distribution<double> normal(0.0, 1.0);
  for (;;) {
    const double e = normal(rng);
    if (std::abs(e) <= beta) return e;
  }
}

/// Seeds of iteration `iteration`'s batch, drawn uniformly from the training seeds after the first
/// `validation_scenarios` (which are held out for validation), as DiffOpTrainer draws them.
inline std::vector<long> training_batch(const Study& study, int validation_scenarios, std::uint64_t seed,
                                        int iteration, int count) {
  const long first = study.training_seeds.first + validation_scenarios;
  const long size = study.training_seeds.last - first;
  std::mt19937_64 pick(mix_seed(seed, static_cast<std::uint64_t>(iteration), 1));
  std::vector<long> out(static_cast<size_t>(count));
  for (auto& id : out) id = first + static_cast<long>(pick() % static_cast<std::uint64_t>(size));
  return out;
}

/// Evaluates the deterministic DiffOP-form policy on the validation seeds (the first `scenarios` training
/// seeds) and remembers the best parameters seen.
class BestPolicyTracker {
 public:
  BestPolicyTracker(const Study& study, const DiffOpModel& model, int scenarios, int threads)
      : study_(&study), model_(&model), scenarios_(make_scenarios(study)) {
    options_.ids = {study.training_seeds.first, study.training_seeds.first + scenarios};
    options_.steps = study.steps;
    options_.threads = threads;
  }
  /// Returns the validation transient cost of theta.
  double validate(const Eigen::VectorXd& theta) {
    const DiffOpModel& model = *model_;
    const Evaluation ev = evaluate(
        *study_, *scenarios_, [&] { return make_diffop_controller(model, theta); }, options_);
    if (ev.summary.transient < best_) {
      best_ = ev.summary.transient;
      best_theta_ = theta;
    }
    return ev.summary.transient;
  }
  /// The best parameters validated, or `last` when none was.
  const Eigen::VectorXd& best_or(const Eigen::VectorXd& last) const {
    return best_theta_.size() == last.size() ? best_theta_ : last;
  }

 private:
  const Study* study_;
  const DiffOpModel* model_;
  std::unique_ptr<ScenarioSet> scenarios_;
  EvaluationOptions options_;
  double best_ = std::numeric_limits<double>::infinity();
  Eigen::VectorXd best_theta_;
};

/// Adam (Kingma & Ba 2015) on a parameter vector, minimizing.
class AdamStep {
 public:
  explicit AdamStep(int size, double beta1 = 0.9, double beta2 = 0.999)
      : m_(Eigen::VectorXd::Zero(size)), v_(Eigen::VectorXd::Zero(size)), beta1_(beta1), beta2_(beta2) {}
  void apply(const Eigen::VectorXd& grad, double learning_rate, Eigen::VectorXd& theta) {
    ++t_;
    m_ = beta1_ * m_ + (1 - beta1_) * grad;
    v_ = beta2_ * v_ + (1 - beta2_) * grad.cwiseProduct(grad);
    const double c1 = 1 - std::pow(beta1_, t_);
    const double c2 = 1 - std::pow(beta2_, t_);
    theta.array() -= learning_rate * (m_.array() / c1) / ((v_.array() / c2).sqrt() + 1e-8);
  }

 private:
  Eigen::VectorXd m_, v_;
  double beta1_, beta2_;
  int t_ = 0;
};

}  // namespace vvc::core::detail
