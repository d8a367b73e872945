// Adam (Kingma & Ba, "Adam: a method for stochastic optimization", ICLR 2015) on a flat parameter vector,
// minimizing. With g_k the gradient given to step k = 1, 2, ...:
//
//   m_k = beta1 m_{k-1} + (1 - beta1) g_k,        v_k = beta2 v_{k-1} + (1 - beta2) g_k .* g_k,
//   p_k = p_{k-1} - lr (m_k / (1 - beta1^k)) ./ (sqrt(v_k / (1 - beta2^k)) + eps)
//
// (PyTorch's defaults and bias correction). The state (m, v, k) is plain data, so that a trainer's checkpoint
// holds it and a resumed run continues exactly where it stopped.
#pragma once

#include <Eigen/Dense>
#include <string>

namespace vvc::core {

struct AdamOptions {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  /// Throws InputError naming the option (after `prefix`, e.g. "adam.") and its value unless
  /// learning_rate > 0, 0 <= beta1, beta2 < 1 and epsilon > 0.
  void validate(const std::string& prefix = {}) const;
};

struct AdamState {
  Eigen::VectorXd m;  ///< first moments
  Eigen::VectorXd v;  ///< second moments
  long steps = 0;     ///< k: steps taken
};

class Adam {
 public:
  /// A fresh optimizer for `num_params` parameters (zero moments). Validates the options.
  Adam(int num_params, const AdamOptions& options);
  /// An optimizer continuing from `state` (from a checkpoint). Validates the options.
  Adam(const AdamOptions& options, AdamState state);

  /// One step: params <- params - the update above for `grad`.
  void step(Eigen::VectorXd& params, const Eigen::VectorXd& grad);

  const AdamOptions& options() const { return options_; }
  const AdamState& state() const { return state_; }
  long steps() const { return state_.steps; }

 private:
  AdamOptions options_;
  AdamState state_;
};

}  // namespace vvc::core
