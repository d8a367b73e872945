// Analytic gradients of the small networks against central differences, the monotone network's shape
// guarantees, and seeded initialization.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "vvc/common/errors.hpp"
#include "vvc/core/baselines/nn.hpp"

namespace vvc::core {
namespace {

// Central difference of f with respect to x[k].
double central_difference(const std::function<double()>& f, double& x, double h) {
  const double x0 = x;
  x = x0 + h;
  const double fp = f();
  x = x0 - h;
  const double fm = f();
  x = x0;
  return (fp - fm) / (2.0 * h);
}

Eigen::MatrixXd random_matrix(int rows, int cols, std::mt19937_64& rng, double lo, double hi) {
  std::uniform_real_distribution<double> u(lo, hi);
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = u(rng);
  return m;
}

TEST(Mlp, GradientsMatchCentralDifferences) {
  std::mt19937_64 rng(7);
  // Larger last-layer weights than the DDPG default so every parameter has a visible effect.
  Mlp net({2, 6, 5, 2}, rng, 0.5);
  const int batch = 4;
  Eigen::MatrixXd x = random_matrix(2, batch, rng, -1.0, 1.0);
  const Eigen::MatrixXd g = random_matrix(2, batch, rng, -1.0, 1.0);  // L = sum(g .* y)
  MlpWorkspace ws;
  auto loss = [&] { return (g.array() * net.forward(x, ws).array()).sum(); };

  loss();
  Eigen::VectorXd grad = Eigen::VectorXd::Zero(net.num_params());
  Eigen::MatrixXd dx;
  net.backward(g, ws, &grad, &dx);

  const double h = 1e-6;
  for (int k = 0; k < net.num_params(); ++k) {
    const double fd = central_difference(loss, net.params()[k], h);
    EXPECT_NEAR(grad[k], fd, 1e-7 * (1.0 + std::abs(fd))) << "parameter " << k;
  }
  for (Eigen::Index k = 0; k < x.size(); ++k) {
    const double fd = central_difference(loss, x.data()[k], h);
    EXPECT_NEAR(dx.data()[k], fd, 1e-7 * (1.0 + std::abs(fd))) << "input " << k;
  }
}

TEST(Mlp, BackwardAccumulatesAndCriticShapeHasTheExpectedSize) {
  std::mt19937_64 rng(3);
  Mlp critic({2, 100, 100, 1}, rng);
  EXPECT_EQ(critic.num_params(), 100 * 3 + 100 * 101 + 101);
  MlpWorkspace ws;
  const Eigen::MatrixXd x = random_matrix(2, 8, rng, 0.9, 1.1);
  critic.forward(x, ws);
  const Eigen::MatrixXd dy = Eigen::MatrixXd::Ones(1, 8);
  Eigen::VectorXd once = Eigen::VectorXd::Zero(critic.num_params());
  critic.backward(dy, ws, &once, nullptr);
  Eigen::VectorXd twice = Eigen::VectorXd::Zero(critic.num_params());
  critic.backward(dy, ws, &twice, nullptr);
  critic.backward(dy, ws, &twice, nullptr);
  EXPECT_LT((twice - 2.0 * once).norm(), 1e-12 * (1.0 + once.norm()));
  EXPECT_GT(once.norm(), 0.0);
  EXPECT_THROW(Mlp({3}, rng), InputError);
  EXPECT_THROW(Mlp({3, 0, 1}, rng), InputError);
}

TEST(Mlp, SeededInitializationIsDeterministic) {
  std::mt19937_64 a(11), b(11), c(12);
  EXPECT_EQ(Mlp({2, 10, 1}, a).params(), Mlp({2, 10, 1}, b).params());
  std::mt19937_64 a2(11);
  EXPECT_NE(Mlp({2, 10, 1}, a2).params(), Mlp({2, 10, 1}, c).params());
}

// Distance from v to the nearest breakpoint of the network.
double distance_to_breakpoints(const MonotoneNet& net, double v) {
  const int h = net.shape().hidden;
  double c = 0.0, d = 1e9;
  for (int j = 0; j < h; ++j) {
    d = std::min({d, std::abs(v - (net.shape().upper + c)), std::abs(v - (net.shape().lower - c))});
    c += net.params()[h + j];
  }
  return d;
}

TEST(MonotoneNet, GradientsMatchCentralDifferences) {
  std::mt19937_64 rng(5);
  MonotoneShape shape;
  shape.hidden = 12;
  shape.breakpoint_total = 0.15;
  MonotoneNet net(shape, rng);
  std::uniform_real_distribution<double> weight(-1.0, 1.0);
  const double h = 1e-7;
  int checked = 0;
  for (double v : {0.80, 0.85, 0.90, 0.93, 0.955, 0.99, 1.0, 1.02, 1.045, 1.07, 1.10, 1.15, 1.22}) {
    // A breakpoint closer than the step would put a kink inside the difference.
    if (distance_to_breakpoints(net, v) < 1e-4) continue;
    ++checked;
    const double wu = weight(rng), wl = weight(rng);
    auto loss = [&] { return wu * net.upper_part(v) + wl * net.lower_part(v); };
    Eigen::VectorXd grad = Eigen::VectorXd::Zero(net.num_params());
    net.accumulate_gradient(v, wu, wl, grad);
    for (int k = 0; k < net.num_params(); ++k) {
      const double fd = central_difference(loss, net.params()[k], h);
      EXPECT_NEAR(grad[k], fd, 1e-7 * (1.0 + std::abs(fd))) << "v = " << v << ", parameter " << k;
    }
    double vv = v;
    const double fd_v = central_difference([&] { return net.value(vv); }, vv, h);
    EXPECT_NEAR(net.slope(v), fd_v, 1e-6 * (1.0 + std::abs(fd_v))) << "v = " << v;
  }
  EXPECT_GE(checked, 10);
}

TEST(MonotoneNet, IsMonotoneAndZeroInTheDeadbandForAnyParameters) {
  std::mt19937_64 rng(9);
  MonotoneShape shape;  // Stable-DDPG: deadband [0.97, 1.03], breakpoints summing to 0.15
  for (int trial = 0; trial < 20; ++trial) {
    // Arbitrary raw parameters, some gaps negative: the projection makes them valid.
    Eigen::VectorXd raw = random_matrix(2 * shape.hidden, 1, rng, -3.0, 3.0);
    MonotoneNet net(shape, raw);
    const auto b = net.params().tail(shape.hidden);
    EXPECT_GE(b.minCoeff(), 0.0);
    EXPECT_NEAR(b.sum(), shape.breakpoint_total, 1e-12);
    double previous = -1e300;
    for (int k = 0; k <= 4000; ++k) {
      const double v = 0.7 + 0.6 * k / 4000.0;
      const double y = net.value(v);
      EXPECT_GE(y, previous - 1e-12) << "not monotone at v = " << v;
      EXPECT_GE(net.upper_part(v), 0.0);
      EXPECT_LE(net.lower_part(v), 0.0);
      EXPECT_GE(net.slope(v), 0.0);
      if (v >= shape.lower && v <= shape.upper) {
        EXPECT_EQ(y, 0.0) << "v = " << v;
      }
      previous = y;
    }
    // Beyond the last breakpoint the slope is qv_{H-1}^2.
    const double qlast = net.params()[shape.hidden - 1];
    EXPECT_NEAR(net.slope(shape.upper + shape.breakpoint_total + 0.01), qlast * qlast, 1e-9);
    EXPECT_NEAR(net.slope(shape.lower - shape.breakpoint_total - 0.01), qlast * qlast, 1e-9);
  }
  EXPECT_THROW(MonotoneNet(shape, Eigen::VectorXd::Zero(5)), InputError);
}

TEST(MonotoneNet, SingleUnitIsTheDeadbandLinearRule) {
  MonotoneShape shape;
  shape.hidden = 1;
  shape.upper = 1.03;
  shape.lower = 0.97;
  shape.breakpoint_total = 0.1;
  Eigen::VectorXd p(2);
  p << 2.0, 0.1;  // slope 4 outside [0.97, 1.03]
  MonotoneNet net(shape, p);
  EXPECT_NEAR(net.value(1.08), 4.0 * 0.05, 1e-14);
  EXPECT_NEAR(net.value(0.90), -4.0 * 0.07, 1e-14);
  EXPECT_EQ(net.value(1.0), 0.0);
}

TEST(SoftUpdate, MovesTargetTowardSource) {
  Eigen::VectorXd target(2), source(2);
  target << 1.0, 2.0;
  source << 3.0, -2.0;
  soft_update(target, source, 0.01);
  EXPECT_NEAR(target[0], 1.02, 1e-15);
  EXPECT_NEAR(target[1], 1.96, 1e-15);
}

}  // namespace
}  // namespace vvc::core
