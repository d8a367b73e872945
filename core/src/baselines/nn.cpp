// Small networks (nn.hpp). Mlp parameters, layer by layer: the weight matrix W (out x in, column-major), then
// the bias b (out). Back-propagation: with delta_L = dL/dy,
//   dL/dW_l = delta_l a_{l-1}^T,  dL/db_l = sum over the batch of delta_l,
//   delta_{l-1} = (W_l^T delta_l) .* [a_{l-1} > 0].
#include "vvc/core/baselines/nn.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "vvc/common/errors.hpp"

namespace vvc::core {

Mlp::Mlp(std::vector<int> sizes, std::mt19937_64& rng, double last_init) : sizes_(std::move(sizes)) {
  if (sizes_.size() < 2) throw InputError("Mlp: expected at least an input and an output size");
  for (int s : sizes_) {
    if (s < 1) throw InputError("Mlp: layer sizes must be >= 1, got " + std::to_string(s));
  }
  Eigen::Index total = 0;
  for (size_t l = 0; l + 1 < sizes_.size(); ++l) {
    offsets_.push_back(total);
    total += static_cast<Eigen::Index>(sizes_[l + 1]) * (sizes_[l] + 1);
  }
  params_.resize(total);
  const size_t layers = offsets_.size();
  for (size_t l = 0; l < layers; ++l) {
    const double bound = l + 1 == layers ? last_init : 1.0 / std::sqrt(static_cast<double>(sizes_[l]));
    std::uniform_real_distribution<double> draw(-bound, bound);
    const Eigen::Index count = static_cast<Eigen::Index>(sizes_[l + 1]) * (sizes_[l] + 1);
    for (Eigen::Index k = 0; k < count; ++k) params_[offsets_[l] + k] = draw(rng);
  }
}

const Eigen::MatrixXd& Mlp::forward(const Eigen::MatrixXd& x, MlpWorkspace& ws) const {
  VVC_ASSERT(x.rows() == num_inputs());
  const size_t layers = offsets_.size();
  ws.activations.resize(layers + 1);
  ws.activations[0] = x;
  for (size_t l = 0; l < layers; ++l) {
    const int in = sizes_[l], out = sizes_[l + 1];
    const Eigen::Map<const Eigen::MatrixXd> w(params_.data() + offsets_[l], out, in);
    const Eigen::Map<const Eigen::VectorXd> b(
        params_.data() + offsets_[l] + static_cast<Eigen::Index>(out) * in, out);
    Eigen::MatrixXd& z = ws.activations[l + 1];
    z.resize(out, x.cols());
    z.noalias() = w * ws.activations[l];
    z.colwise() += b;
    if (l + 1 < layers) z = z.cwiseMax(0.0);
  }
  return ws.activations[layers];
}

void Mlp::backward(const Eigen::MatrixXd& dy, MlpWorkspace& ws, Eigen::VectorXd* grad,
                   Eigen::MatrixXd* dx) const {
  const size_t layers = offsets_.size();
  VVC_ASSERT(ws.activations.size() == layers + 1);
  VVC_ASSERT(dy.rows() == num_outputs() && dy.cols() == ws.activations[0].cols());
  if (grad != nullptr) VVC_ASSERT(grad->size() == params_.size());
  ws.delta = dy;
  for (size_t l = layers; l-- > 0;) {
    const int in = sizes_[l], out = sizes_[l + 1];
    const Eigen::Map<const Eigen::MatrixXd> w(params_.data() + offsets_[l], out, in);
    const Eigen::MatrixXd& a = ws.activations[l];
    if (grad != nullptr) {
      Eigen::Map<Eigen::MatrixXd> gw(grad->data() + offsets_[l], out, in);
      Eigen::Map<Eigen::VectorXd> gb(grad->data() + offsets_[l] + static_cast<Eigen::Index>(out) * in, out);
      gw.noalias() += ws.delta * a.transpose();
      gb += ws.delta.rowwise().sum();
    }
    if (l == 0 && dx == nullptr) break;
    ws.delta_next.resize(in, ws.delta.cols());
    ws.delta_next.noalias() = w.transpose() * ws.delta;
    if (l > 0) ws.delta_next = (a.array() > 0.0).select(ws.delta_next, 0.0);
    ws.delta.swap(ws.delta_next);
  }
  if (dx != nullptr) *dx = ws.delta;
}

MonotoneNet::MonotoneNet(const MonotoneShape& shape, std::mt19937_64& rng) : shape_(shape) {
  check_shape();
  const int h = shape_.hidden;
  params_.resize(2 * h);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int j = 0; j < h; ++j) params_[j] = unit(rng);
  for (int j = 0; j < h; ++j) params_[h + j] = unit(rng);
  project();
}

MonotoneNet::MonotoneNet(const MonotoneShape& shape, const Eigen::VectorXd& params)
    : shape_(shape), params_(params) {
  check_shape();
  if (params_.size() != 2 * static_cast<Eigen::Index>(shape_.hidden)) {
    throw InputError("MonotoneNet: expected " + std::to_string(2 * shape_.hidden) + " parameters, got " +
                     std::to_string(params_.size()));
  }
  project();
}

void MonotoneNet::check_shape() const {
  if (shape_.hidden < 1) throw InputError("MonotoneNet: hidden width must be >= 1");
  if (!(shape_.upper >= shape_.lower)) throw InputError("MonotoneNet: the deadband needs upper >= lower");
  if (!(shape_.breakpoint_total > 0.0)) throw InputError("MonotoneNet: the breakpoint total must be > 0");
}

void MonotoneNet::project() {
  auto b = params_.tail(shape_.hidden);
  b = b.cwiseMax(0.0);
  const double sum = b.sum();
  if (sum > 0.0) {
    b *= shape_.breakpoint_total / sum;
  } else {
    b.setConstant(shape_.breakpoint_total / shape_.hidden);
  }
}

double MonotoneNet::upper_part(double v) const {
  const int h = shape_.hidden;
  double t = shape_.upper, prev_sq = 0.0, y = 0.0;
  for (int j = 0; j < h; ++j) {
    const double sq = params_[j] * params_[j];
    y += (sq - prev_sq) * std::max(v - t, 0.0);
    prev_sq = sq;
    t += params_[h + j];
  }
  return y;
}

double MonotoneNet::lower_part(double v) const {
  const int h = shape_.hidden;
  double t = shape_.lower, prev_sq = 0.0, y = 0.0;
  for (int j = 0; j < h; ++j) {
    const double sq = params_[j] * params_[j];
    y -= (sq - prev_sq) * std::max(t - v, 0.0);
    prev_sq = sq;
    t -= params_[h + j];
  }
  return y;
}

double MonotoneNet::slope(double v) const {
  const int h = shape_.hidden;
  double tu = shape_.upper, tl = shape_.lower, prev_sq = 0.0, s = 0.0;
  for (int j = 0; j < h; ++j) {
    const double sq = params_[j] * params_[j];
    if (v > tu) s += sq - prev_sq;
    if (v < tl) s += sq - prev_sq;
    prev_sq = sq;
    tu += params_[h + j];
    tl -= params_[h + j];
  }
  return s;
}

void MonotoneNet::accumulate_gradient(double v, double weight_upper, double weight_lower,
                                      Eigen::VectorXd& grad) const {
  const int h = shape_.hidden;
  VVC_ASSERT(grad.size() == params_.size());
  // With r_j = relu(v - t_j+) and s_j = relu(t_j- - v) (r_H = s_H = 0):
  //   dN+/dqv_k =  2 qv_k (r_k - r_{k+1}),   dN+/db_i = -sum_{j>i} w_j [v > t_j+],
  //   dN-/dqv_k = -2 qv_k (s_k - s_{k+1}),   dN-/db_i =  sum_{j>i} w_j [v < t_j-].
  double tu = shape_.upper, tl = shape_.lower;
  double prev_r = 0.0, prev_s = 0.0;
  for (int j = 0; j < h; ++j) {
    const double r = std::max(v - tu, 0.0), s = std::max(tl - v, 0.0);
    // r_j and s_j close the terms of qv_{j-1}; they open those of qv_j.
    if (j > 0)
      grad[j - 1] += 2.0 * params_[j - 1] * (weight_upper * (prev_r - r) - weight_lower * (prev_s - s));
    prev_r = r;
    prev_s = s;
    tu += params_[h + j];
    tl -= params_[h + j];
  }
  grad[h - 1] += 2.0 * params_[h - 1] * (weight_upper * prev_r - weight_lower * prev_s);

  // Breakpoints of unit j, recomputed from the top:
  //   t_j+ = upper + c_j,  t_j- = lower - c_j,  c_j = sum_{i<j} b_i.
  double c = params_.tail(h).sum() - params_[2 * h - 1];
  double tail_upper = 0.0, tail_lower = 0.0;  // sum_{j>i} w_j [v > t_j+] and sum_{j>i} w_j [v < t_j-]
  for (int i = h - 1; i >= 0; --i) {
    grad[h + i] += -weight_upper * tail_upper + weight_lower * tail_lower;
    const double w = params_[i] * params_[i] - (i > 0 ? params_[i - 1] * params_[i - 1] : 0.0);
    if (v > shape_.upper + c) tail_upper += w;
    if (v < shape_.lower - c) tail_lower += w;
    if (i > 0) c -= params_[h + i - 1];
  }
}

void soft_update(Eigen::VectorXd& target, const Eigen::VectorXd& source, double tau) {
  VVC_ASSERT(target.size() == source.size());
  target = (1.0 - tau) * target + tau * source;
}

}  // namespace vvc::core
