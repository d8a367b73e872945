// The Ipopt::TNLP adapter over NlpProblem, and solve_nlp.
//
// Ipopt solves  min f(x) s.t. g_l <= g(x) <= g_u, x_l <= x <= x_u  by a primal-dual interior-point filter
// line-search method (A. Waechter and L. T. Biegler, "On the implementation of an interior-point filter
// line-search algorithm for large-scale nonlinear programming", Math. Programming 106 (2006) 25-57). At its
// solution grad f + J'lambda - z_L + z_U = 0 with z_L, z_U >= 0 (Ipopt 3.11's sign convention, checked in the
// tests through the QP facade).
#include <algorithm>
#include <cmath>
#include <string>

#include "IpSolveStatistics.hpp"
#include "qp/ipopt_internal.hpp"
#include "vvc/common/errors.hpp"

namespace vvc::core {

namespace {

// Ipopt treats bounds beyond +-1e19 (nlp_lower/upper_bound_inf) as absent.
constexpr double kIpoptInfinity = 2e19;

double to_ipopt(double bound) { return std::clamp(bound, -kIpoptInfinity, kIpoptInfinity); }

class NlpAdapter : public Ipopt::TNLP {
 public:
  NlpAdapter(const NlpProblem& problem, const NlpStart* start, NlpResult& result)
      : p_(problem), start_(start), result_(result), x_(problem.n), v_(problem.n) {}

  bool get_nlp_info(Ipopt::Index& n, Ipopt::Index& m, Ipopt::Index& nnz_jac_g, Ipopt::Index& nnz_h_lag,
                    IndexStyleEnum& index_style) override {
    n = p_.n;
    m = p_.m;
    nnz_jac_g = p_.jacobian_structure.empty() ? p_.n * p_.m : static_cast<int>(p_.jacobian_structure.size());
    nnz_h_lag = !p_.hessian                    ? 0
                : p_.hessian_structure.empty() ? p_.n * (p_.n + 1) / 2
                                               : static_cast<int>(p_.hessian_structure.size());
    index_style = C_STYLE;
    return true;
  }

  bool get_bounds_info(Ipopt::Index n, Ipopt::Number* x_l, Ipopt::Number* x_u, Ipopt::Index m,
                       Ipopt::Number* g_l, Ipopt::Number* g_u) override {
    for (int j = 0; j < n; ++j) {
      x_l[j] = to_ipopt(p_.x_lower[j]);
      x_u[j] = to_ipopt(p_.x_upper[j]);
    }
    for (int i = 0; i < m; ++i) {
      g_l[i] = to_ipopt(p_.g_lower[i]);
      g_u[i] = to_ipopt(p_.g_upper[i]);
    }
    return true;
  }

  bool get_starting_point(Ipopt::Index n, bool init_x, Ipopt::Number* x, bool init_z, Ipopt::Number* z_l,
                          Ipopt::Number* z_u, Ipopt::Index m, bool init_lambda,
                          Ipopt::Number* lambda) override {
    if (init_x) {
      const Eigen::VectorXd& x0 = start_ != nullptr ? start_->x : p_.x0;
      std::copy(x0.data(), x0.data() + n, x);
    }
    if (init_z || init_lambda) {
      if (start_ == nullptr) return false;
      if (init_z) {
        std::copy(start_->z_lower.data(), start_->z_lower.data() + n, z_l);
        std::copy(start_->z_upper.data(), start_->z_upper.data() + n, z_u);
      }
      if (init_lambda) std::copy(start_->lambda.data(), start_->lambda.data() + m, lambda);
    }
    return true;
  }

  bool eval_f(Ipopt::Index n, const Ipopt::Number* x, bool /*new_x*/, Ipopt::Number& obj_value) override {
    load(n, x);
    obj_value = p_.objective(x_);
    return std::isfinite(obj_value);
  }

  bool eval_grad_f(Ipopt::Index n, const Ipopt::Number* x, bool /*new_x*/, Ipopt::Number* grad_f) override {
    load(n, x);
    p_.gradient(x_, v_);
    std::copy(v_.data(), v_.data() + n, grad_f);
    return true;
  }

  bool eval_g(Ipopt::Index n, const Ipopt::Number* x, bool /*new_x*/, Ipopt::Index m,
              Ipopt::Number* g) override {
    load(n, x);
    g_.resize(m);
    p_.constraints(x_, g_);
    std::copy(g_.data(), g_.data() + m, g);
    return true;
  }

  bool eval_jac_g(Ipopt::Index n, const Ipopt::Number* x, bool /*new_x*/, Ipopt::Index /*m*/,
                  Ipopt::Index nele_jac, Ipopt::Index* i_row, Ipopt::Index* j_col,
                  Ipopt::Number* values) override {
    if (values == nullptr) {
      if (p_.jacobian_structure.empty()) {
        for (int k = 0; k < nele_jac; ++k) {
          i_row[k] = k / p_.n;
          j_col[k] = k % p_.n;
        }
      } else {
        for (int k = 0; k < nele_jac; ++k) {
          i_row[k] = p_.jacobian_structure[k].first;
          j_col[k] = p_.jacobian_structure[k].second;
        }
      }
      return true;
    }
    load(n, x);
    jac_.resize(nele_jac);
    p_.jacobian(x_, jac_);
    std::copy(jac_.data(), jac_.data() + nele_jac, values);
    return true;
  }

  bool eval_h(Ipopt::Index n, const Ipopt::Number* x, bool /*new_x*/, Ipopt::Number obj_factor,
              Ipopt::Index m, const Ipopt::Number* lambda, bool /*new_lambda*/, Ipopt::Index nele_hess,
              Ipopt::Index* i_row, Ipopt::Index* j_col, Ipopt::Number* values) override {
    if (!p_.hessian) return false;
    if (values == nullptr) {
      if (p_.hessian_structure.empty()) {
        int k = 0;
        for (int r = 0; r < n; ++r) {
          for (int c = 0; c <= r; ++c, ++k) {
            i_row[k] = r;
            j_col[k] = c;
          }
        }
      } else {
        for (int k = 0; k < nele_hess; ++k) {
          i_row[k] = p_.hessian_structure[k].first;
          j_col[k] = p_.hessian_structure[k].second;
        }
      }
      return true;
    }
    load(n, x);
    lambda_ = Eigen::Map<const Eigen::VectorXd>(lambda, m);
    hess_.resize(nele_hess);
    p_.hessian(x_, obj_factor, lambda_, hess_);
    std::copy(hess_.data(), hess_.data() + nele_hess, values);
    return true;
  }

  void finalize_solution(Ipopt::SolverReturn /*status*/, Ipopt::Index n, const Ipopt::Number* x,
                         const Ipopt::Number* z_l, const Ipopt::Number* z_u, Ipopt::Index m,
                         const Ipopt::Number* /*g*/, const Ipopt::Number* lambda, Ipopt::Number obj_value,
                         const Ipopt::IpoptData* /*ip_data*/,
                         Ipopt::IpoptCalculatedQuantities* /*ip_cq*/) override {
    result_.x = Eigen::Map<const Eigen::VectorXd>(x, n);
    result_.z_lower = Eigen::Map<const Eigen::VectorXd>(z_l, n);
    result_.z_upper = Eigen::Map<const Eigen::VectorXd>(z_u, n);
    result_.lambda = Eigen::Map<const Eigen::VectorXd>(lambda, m);
    result_.objective = obj_value;
  }

 private:
  void load(int n, const Ipopt::Number* x) { x_ = Eigen::Map<const Eigen::VectorXd>(x, n); }

  const NlpProblem& p_;
  const NlpStart* start_;
  NlpResult& result_;
  Eigen::VectorXd x_, v_, g_, jac_, hess_, lambda_;
};

QpStatus map_status(Ipopt::ApplicationReturnStatus raw) {
  switch (raw) {
    case Ipopt::Solve_Succeeded:
    case Ipopt::Solved_To_Acceptable_Level:
      return QpStatus::kOptimal;
    case Ipopt::Infeasible_Problem_Detected:
      return QpStatus::kInfeasible;
    case Ipopt::Maximum_Iterations_Exceeded:
    case Ipopt::Maximum_CpuTime_Exceeded:
      return QpStatus::kIterationLimit;
    default:
      return QpStatus::kNumericalFailure;
  }
}

}  // namespace

void NlpProblem::validate() const {
  auto check = [](bool ok, const std::string& what) {
    if (!ok) throw InputError("NLP: " + what);
  };
  check(n >= 0 && m >= 0, "n and m must be >= 0");
  check(x_lower.size() == n && x_upper.size() == n && x0.size() == n,
        "x_lower, x_upper and x0 need n entries");
  check(g_lower.size() == m && g_upper.size() == m, "g_lower and g_upper need m entries");
  check(static_cast<bool>(objective) && static_cast<bool>(gradient), "objective and gradient are required");
  check(m == 0 || (static_cast<bool>(constraints) && static_cast<bool>(jacobian)),
        "constraints and jacobian are required when m > 0");
  for (const auto& [r, c] : jacobian_structure) {
    check(r >= 0 && r < m && c >= 0 && c < n, "jacobian_structure entry out of range");
  }
  for (const auto& [r, c] : hessian_structure) {
    check(r >= 0 && r < n && c >= 0 && c <= r, "hessian_structure entries must lie in the lower triangle");
  }
}

namespace detail {

Ipopt::SmartPtr<Ipopt::IpoptApplication> make_application() {
  Ipopt::SmartPtr<Ipopt::IpoptApplication> app = IpoptApplicationFactory();
  app->Options()->SetIntegerValue("print_level", 0);
  app->Options()->SetStringValue("sb", "yes");
  app->Options()->SetStringValue("fixed_variable_treatment", "make_constraint");
  // Unrelaxed bounds: the objective Ipopt reports is then the objective at the x it returns.
  app->Options()->SetNumericValue("bound_relax_factor", 0.0);
  // An empty file name: Ipopt reads no ipopt.opt from the working directory.
  app->Initialize(std::string());
  return app;
}

void set_options(Ipopt::IpoptApplication& app, const IpoptOptions& options, const NlpProblem& problem,
                 bool warm) {
  Ipopt::OptionsList& o = *app.Options();
  o.SetNumericValue("tol", options.tolerance);
  o.SetIntegerValue("max_iter", options.max_iterations);
  o.SetStringValue("hessian_approximation", problem.hessian ? "exact" : "limited-memory");
  const char* constant = problem.linear_constraints_quadratic_objective ? "yes" : "no";
  o.SetStringValue("hessian_constant", constant);
  o.SetStringValue("jac_c_constant", constant);
  o.SetStringValue("jac_d_constant", constant);
  o.SetStringValue("mehrotra_algorithm", options.mehrotra ? "yes" : "no");
  o.SetStringValue("warm_start_init_point", warm ? "yes" : "no");
  if (warm) {
    for (const char* name : {"warm_start_bound_push", "warm_start_bound_frac", "warm_start_slack_bound_push",
                             "warm_start_slack_bound_frac", "warm_start_mult_bound_push"}) {
      o.SetNumericValue(name, 1e-9);
    }
    o.SetNumericValue("mu_init", 1e-6);
  } else {
    o.SetNumericValue("mu_init", 0.1);
  }
}

NlpResult optimize(Ipopt::IpoptApplication& app, const NlpProblem& problem, const NlpStart* start) {
  NlpResult result;
  result.x = problem.x0;
  result.lambda.setZero(problem.m);
  result.z_lower.setZero(problem.n);
  result.z_upper.setZero(problem.n);
  Ipopt::SmartPtr<Ipopt::TNLP> adapter = new NlpAdapter(problem, start, result);
  const Ipopt::ApplicationReturnStatus raw = app.OptimizeTNLP(adapter);
  result.status.raw = static_cast<int>(raw);
  result.status.status = map_status(raw);
  Ipopt::SmartPtr<Ipopt::SolveStatistics> stats = app.Statistics();
  result.status.iterations = Ipopt::IsValid(stats) ? stats->IterationCount() : 0;
  return result;
}

}  // namespace detail

NlpResult solve_nlp(const NlpProblem& problem, const IpoptOptions& options, const NlpStart* start) {
  problem.validate();
  const bool warm = options.warm_start && start != nullptr;
  if (warm && (start->x.size() != problem.n || start->lambda.size() != problem.m ||
               start->z_lower.size() != problem.n || start->z_upper.size() != problem.n)) {
    throw InputError("NLP: the warm start point has the wrong sizes");
  }
  std::lock_guard<std::mutex> lock(detail::ipopt_mutex());
  Ipopt::SmartPtr<Ipopt::IpoptApplication> app = detail::make_application();
  detail::set_options(*app, options, problem, warm);
  NlpResult result = detail::optimize(*app, problem, warm ? start : nullptr);
  app = nullptr;  // destroy (MUMPS clean-up included) under the lock
  return result;
}

}  // namespace vvc::core
