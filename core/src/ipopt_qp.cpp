// The QP of qp.hpp solved by Ipopt, through the NlpProblem adapter:
//   f = 1/2 x'Px + c'x,  grad f = P x + c,  g = G x (dense Jacobian G),  Hessian of the Lagrangian =
//   obj_factor P.
// Ipopt's grad f + G'lambda - z_L + z_U = 0 is qp.hpp's P x + c + G'y + z = 0 with y = lambda, z = z_U - z_L.
#include <mutex>

#include "ipopt_internal.hpp"

namespace vvc::core {

struct IpoptQpSolver::Impl {
  Ipopt::SmartPtr<Ipopt::IpoptApplication> app;
  NlpStart last;
  bool has_last = false;
};

IpoptQpSolver::IpoptQpSolver() : impl_(std::make_unique<Impl>()) {}

IpoptQpSolver::~IpoptQpSolver() {
  std::lock_guard<std::mutex> lock(detail::ipopt_mutex());
  impl_->app = nullptr;
}

IpoptQpSolver::Result IpoptQpSolver::solve(const QpProblem& qp, const IpoptOptions& options) {
  qp.validate();
  const int n = qp.num_variables();
  const int m = qp.num_rows();
  NlpProblem nlp;
  nlp.n = n;
  nlp.m = m;
  nlp.x_lower = qp.lb;
  nlp.x_upper = qp.ub;
  nlp.g_lower = qp.lower;
  nlp.g_upper = qp.upper;
  nlp.x0 = Eigen::VectorXd::Zero(n);
  nlp.objective = [&qp](const Eigen::VectorXd& x) { return 0.5 * x.dot(qp.P * x) + qp.c.dot(x); };
  nlp.gradient = [&qp](const Eigen::VectorXd& x, Eigen::VectorXd& grad) { grad.noalias() = qp.P * x + qp.c; };
  nlp.constraints = [&qp](const Eigen::VectorXd& x, Eigen::VectorXd& g) { g.noalias() = qp.G * x; };
  nlp.jacobian = [&qp](const Eigen::VectorXd& /*x*/, Eigen::VectorXd& values) {
    Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        values.data(), qp.G.rows(), qp.G.cols()) = qp.G;
  };
  nlp.hessian = [&qp](const Eigen::VectorXd& /*x*/, double obj_factor, const Eigen::VectorXd& /*lambda*/,
                      Eigen::VectorXd& values) {
    int k = 0;
    for (int r = 0; r < qp.P.rows(); ++r) {
      for (int c = 0; c <= r; ++c) values[k++] = obj_factor * qp.P(r, c);
    }
  };
  nlp.linear_constraints_quadratic_objective = true;

  const bool warm =
      options.warm_start && impl_->has_last && impl_->last.x.size() == n && impl_->last.lambda.size() == m;
  NlpResult r;
  {
    std::lock_guard<std::mutex> lock(detail::ipopt_mutex());
    if (!Ipopt::IsValid(impl_->app)) impl_->app = detail::make_application();
    detail::set_options(*impl_->app, options, nlp, warm);
    r = detail::optimize(*impl_->app, nlp, warm ? &impl_->last : nullptr);
  }
  impl_->has_last = r.status.status == QpStatus::kOptimal;
  if (impl_->has_last) {
    impl_->last.x = r.x;
    impl_->last.lambda = r.lambda;
    impl_->last.z_lower = r.z_lower;
    impl_->last.z_upper = r.z_upper;
  }
  Result out;
  out.status = r.status;
  out.x = r.x;
  out.y = r.lambda;
  out.z = r.z_upper - r.z_lower;
  out.objective = r.objective;
  return out;
}

}  // namespace vvc::core
