// Small neural networks with analytic gradients on Eigen, for the DDPG baselines (docs/algorithms/baselines.md):
//
//   Mlp          y = W_L relu(... relu(W_1 x + b_1) ...) + b_L, evaluated on batches (one column per sample).
//   MonotoneNet  the monotone piecewise-linear network of Stable-DDPG (Feng, Shi, Qu, Low, Anandkumar,
//                Wierman, "Stability constrained reinforcement learning for decentralized real-time voltage
//                control", IEEE TCNS 2023), on a scalar voltage v with H hidden units:
//                  t_j+ = upper + sum_{i<j} b_i,   t_j- = lower - sum_{i<j} b_i,   w_j = qv_j^2 - qv_{j-1}^2,
//                  N+(v) =  sum_j w_j relu(v - t_j+) >= 0,
//                  N-(v) = -sum_j w_j relu(t_j- - v) <= 0,
//                  N(v)  = N+(v) + N-(v).
//                On the piece between t_k+ and t_{k+1}+ the slope is sum_{j<=k} w_j = qv_k^2 >= 0 (the same
//                below the deadband), so N is nondecreasing and zero on [lower, upper] whatever the
//                parameters, as long as the gaps b_i are >= 0: project() clamps them and rescales them to sum
//                to the breakpoint total, as the reference does before every evaluation.
//
// Parameters live in one flat vector per network, so that the optimizer (training/adam.hpp), target networks
// (soft updates) and gradient checks treat every network alike. Initialization draws from a generator passed
// in explicitly.
#pragma once

#include <Eigen/Dense>
#include <random>
#include <vector>

namespace vvc::core {

/// Activations kept by Mlp::forward for Mlp::backward; one per caller, reused across calls.
struct MlpWorkspace {
  std::vector<Eigen::MatrixXd> activations;  ///< input, then each layer's output (hidden ones after relu)
  Eigen::MatrixXd delta, delta_next;
};

/// Fully connected network with relu hidden layers and a linear output layer.
class Mlp {
 public:
  /// sizes = {inputs, hidden..., outputs}. Weights and biases of every layer but the last are drawn from
  /// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (PyTorch's nn.Linear default), the last layer's from
  /// U(-last_init, last_init) (the DDPG critic of the reference). Throws InputError for fewer than two sizes
  /// or a size < 1.
  Mlp(std::vector<int> sizes, std::mt19937_64& rng, double last_init = 3e-3);

  int num_inputs() const { return sizes_.front(); }
  int num_outputs() const { return sizes_.back(); }
  int num_params() const { return static_cast<int>(params_.size()); }
  const std::vector<int>& sizes() const { return sizes_; }
  Eigen::VectorXd& params() { return params_; }
  const Eigen::VectorXd& params() const { return params_; }

  /// Output (outputs x B) for the inputs x (inputs x B); keeps the activations in ws.
  const Eigen::MatrixXd& forward(const Eigen::MatrixXd& x, MlpWorkspace& ws) const;
  /// Back-propagates dL/dy (outputs x B) of the last forward() with ws: adds dL/dparams to *grad (if not
  /// null) and writes dL/dx (inputs x B) to *dx (if not null).
  void backward(const Eigen::MatrixXd& dy, MlpWorkspace& ws, Eigen::VectorXd* grad,
                Eigen::MatrixXd* dx) const;

 private:
  std::vector<int> sizes_;
  std::vector<Eigen::Index> offsets_;  ///< start of each layer's weights (then its biases) in params_
  Eigen::VectorXd params_;
};

/// Shape of a MonotoneNet: hidden width, the first breakpoints above and below the deadband, and the total
/// length the breakpoint gaps are rescaled to.
struct MonotoneShape {
  int hidden = 100;
  double upper = 1.03;
  double lower = 0.97;
  double breakpoint_total = 0.15;
};

/// The monotone piecewise-linear network above. Parameters: [qv (H); b (H)].
class MonotoneNet {
 public:
  /// qv ~ U(0, 1) and b ~ U(0, 1) rescaled to the breakpoint total, as the reference initializes them.
  /// Throws InputError for hidden < 1, upper < lower or a breakpoint total <= 0.
  MonotoneNet(const MonotoneShape& shape, std::mt19937_64& rng);
  /// Given parameters (projected on construction); throws InputError if their size is not 2 H.
  MonotoneNet(const MonotoneShape& shape, const Eigen::VectorXd& params);

  const MonotoneShape& shape() const { return shape_; }
  int num_params() const { return static_cast<int>(params_.size()); }
  Eigen::VectorXd& params() { return params_; }
  const Eigen::VectorXd& params() const { return params_; }

  /// b <- max(b, 0) rescaled to sum to the breakpoint total (equal gaps if every b_i <= 0).
  void project();

  double upper_part(double v) const;  ///< N+(v) >= 0
  double lower_part(double v) const;  ///< N-(v) <= 0
  double value(double v) const { return upper_part(v) + lower_part(v); }
  /// dN/dv (the slope of the active piece; 0 in the deadband).
  double slope(double v) const;
  /// grad += weight_upper dN+/dparams + weight_lower dN-/dparams at v, for the current (projected)
  /// parameters; b_i enters through the breakpoints it shifts.
  void accumulate_gradient(double v, double weight_upper, double weight_lower, Eigen::VectorXd& grad) const;

 private:
  void check_shape() const;

  MonotoneShape shape_;
  Eigen::VectorXd params_;
};

/// target <- (1 - tau) target + tau source (target networks of DDPG).
void soft_update(Eigen::VectorXd& target, const Eigen::VectorXd& source, double tau);

}  // namespace vvc::core
