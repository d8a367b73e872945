// The QP of qp.hpp solved by Ipopt, through the NlpProblem adapter:
//   f = 1/2 x'Px + c'x,  grad f = P x + c,  g = G x (Jacobian G, passed by its nonzero pattern),
//   Hessian of the Lagrangian = obj_factor P (the nonzero pattern of its lower triangle plus the diagonal).
// Ipopt's grad f + G'lambda - z_L + z_U = 0 is qp.hpp's P x + c + G'y + z = 0 with y = lambda, z = z_U - z_L.
#include <cstddef>
#include <mutex>

#include "qp/ipopt_internal.hpp"

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
  // Sparse patterns: the structural nonzeros of G and of P's lower triangle (MUMPS time grows with them).
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      if (qp.G(i, j) != 0.0) nlp.jacobian_structure.emplace_back(i, j);
    }
  }
  for (int r = 0; r < n; ++r) {
    for (int c = 0; c <= r; ++c) {
      if (qp.P(r, c) != 0.0 || r == c) nlp.hessian_structure.emplace_back(r, c);
    }
  }
  if (m > 0 && nlp.jacobian_structure.empty()) nlp.jacobian_structure.emplace_back(0, 0);
  nlp.jacobian = [&qp, &nlp](const Eigen::VectorXd& /*x*/, Eigen::VectorXd& values) {
    for (std::size_t k = 0; k < nlp.jacobian_structure.size(); ++k) {
      values[static_cast<Eigen::Index>(k)] =
          qp.G(nlp.jacobian_structure[k].first, nlp.jacobian_structure[k].second);
    }
  };
  nlp.hessian = [&qp, &nlp](const Eigen::VectorXd& /*x*/, double obj_factor,
                            const Eigen::VectorXd& /*lambda*/, Eigen::VectorXd& values) {
    for (std::size_t k = 0; k < nlp.hessian_structure.size(); ++k) {
      values[static_cast<Eigen::Index>(k)] =
          obj_factor * qp.P(nlp.hessian_structure[k].first, nlp.hessian_structure[k].second);
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
