// Adam (equations in adam.hpp).
#include "vvc/core/training/adam.hpp"

#include <cmath>
#include <string>

#include "training/options_internal.hpp"
#include "vvc/common/errors.hpp"

namespace vvc::core {

void AdamOptions::validate(const std::string& prefix) const {
  using detail::option_error;
  if (!(learning_rate > 0.0)) option_error(prefix + "learning_rate", "a number > 0", learning_rate);
  if (!(beta1 >= 0.0 && beta1 < 1.0)) option_error(prefix + "beta1", "a number in [0, 1)", beta1);
  if (!(beta2 >= 0.0 && beta2 < 1.0)) option_error(prefix + "beta2", "a number in [0, 1)", beta2);
  if (!(epsilon > 0.0)) option_error(prefix + "epsilon", "a number > 0", epsilon);
}

Adam::Adam(int num_params, const AdamOptions& options)
    : Adam(options, AdamState{Eigen::VectorXd::Zero(num_params), Eigen::VectorXd::Zero(num_params), 0}) {}

Adam::Adam(const AdamOptions& options, AdamState state) : options_(options), state_(std::move(state)) {
  options_.validate();
  if (state_.m.size() != state_.v.size() || state_.steps < 0) {
    throw InputError("Adam state: expected moments of equal size and a step count >= 0, got " +
                     std::to_string(state_.m.size()) + " and " + std::to_string(state_.v.size()) +
                     " moments, " + std::to_string(state_.steps) + " steps");
  }
}

void Adam::step(Eigen::VectorXd& params, const Eigen::VectorXd& grad) {
  VVC_ASSERT(params.size() == state_.m.size() && grad.size() == state_.m.size());
  ++state_.steps;
  const double b1 = options_.beta1, b2 = options_.beta2;
  state_.m = b1 * state_.m + (1.0 - b1) * grad;
  state_.v = b2 * state_.v + (1.0 - b2) * grad.cwiseAbs2();
  const double c1 = 1.0 - std::pow(b1, static_cast<double>(state_.steps));
  const double c2 = 1.0 - std::pow(b2, static_cast<double>(state_.steps));
  params.array() -=
      options_.learning_rate * (state_.m.array() / c1) / ((state_.v.array() / c2).sqrt() + options_.epsilon);
}

}  // namespace vvc::core
