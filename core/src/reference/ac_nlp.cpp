#include "reference/ac_nlp.hpp"

#include <Eigen/LU>
#include <vector>

#include "vvc/core/qp/ipopt.hpp"

namespace vvc::core::detail {

namespace {

class AcVoltageProblem {
 public:
  AcVoltageProblem(const Study& study, const AcNlpSpec& spec)
      : study_(study), spec_(spec), workspace_(study.network), injections_(spec.base) {
    options_.tolerance = 1e-12;
    options_.compute_flows = false;
    options_.compute_angles = false;
    for (int b = 0; b < study.network.num_buses(); ++b) {
      if (b != study.network.slack.bus) buses_.push_back(b);
    }
    for (const auto& inv : study.inverters) {
      for (size_t r = 0; r < buses_.size(); ++r) {
        if (buses_[r] == inv.bus) inverter_row_.push_back(static_cast<int>(r));
      }
    }
  }

  const std::vector<int>& buses() const { return buses_; }

  /// Evaluates |V|^2 at the non-slack buses and d(|V|^2)/dq at q (cached for the last q).
  bool evaluate(const Eigen::VectorXd& q) {
    if (have_ && q == q_cached_) return eval_ok_;
    have_ = true;
    q_cached_ = q;
    const grid::Network& net = study_.network;
    injections_.s_const = spec_.base.s_const;
    for (int i = 0; i < study_.num_inverters(); ++i) {
      injections_.s_const[study_.inverters[static_cast<size_t>(i)].bus] += Complex(0.0, q[i] / net.base_mva);
    }
    const auto& res = grid::solve(net, injections_, options_, workspace_);
    eval_ok_ = res.converged();
    if (!eval_ok_) return false;
    const Eigen::VectorXd vm = res.vm;
    const Eigen::VectorXcd v = res.v;
    const Eigen::MatrixXd jac = grid::newton_jacobian(net, injections_, v, workspace_);
    const int nv = static_cast<int>(jac.rows()) / 2;
    Eigen::MatrixXd rhs = Eigen::MatrixXd::Zero(2 * nv, study_.num_inverters());
    auto var = [&](int bus) {
      return bus < net.slack.bus ? bus : bus - 1;
    };  // Jacobian columns: non-slack buses
    for (int i = 0; i < study_.num_inverters(); ++i) {
      rhs(nv + var(study_.inverters[static_cast<size_t>(i)].bus), i) = 1.0 / net.base_mva;
    }
    const Eigen::MatrixXd dx = jac.partialPivLu().solve(rhs);
    y_.resize(static_cast<Eigen::Index>(buses_.size()));
    dy_.resize(static_cast<Eigen::Index>(buses_.size()), study_.num_inverters());
    for (size_t r = 0; r < buses_.size(); ++r) {
      const int b = buses_[r];
      y_[static_cast<Eigen::Index>(r)] = vm[b] * vm[b];
      dy_.row(static_cast<Eigen::Index>(r)) = 2.0 * vm[b] * dx.row(nv + var(b));
    }
    return true;
  }

  double objective(const Eigen::VectorXd& q) {
    if (!evaluate(q)) return 1e20;
    double f = 0.0;
    for (int i = 0; i < study_.num_inverters(); ++i) {
      const double y = y_[inverter_row_[static_cast<size_t>(i)]];
      const double dq = q[i] - spec_.q0[i];
      f += 0.5 * spec_.cost_c[i] * q[i] * q[i] + 0.5 * q[i] * (y + spec_.v_init[i] * spec_.v_init[i] - 2.0) +
           0.5 * spec_.move_penalty[i] * dq * dq;
    }
    return f;
  }

  void gradient(const Eigen::VectorXd& q, Eigen::VectorXd& g) {
    g.setZero(q.size());
    if (!evaluate(q)) return;
    for (int i = 0; i < study_.num_inverters(); ++i) {
      const int row = inverter_row_[static_cast<size_t>(i)];
      g[i] += spec_.cost_c[i] * q[i] + 0.5 * (y_[row] + spec_.v_init[i] * spec_.v_init[i] - 2.0) +
              spec_.move_penalty[i] * (q[i] - spec_.q0[i]);
      g += 0.5 * q[i] * dy_.row(row).transpose();
    }
  }

  void constraints(const Eigen::VectorXd& q, Eigen::VectorXd& g) {
    if (!evaluate(q)) {
      g.setConstant(1e20);
      return;
    }
    g = y_;
  }

  void jacobian(const Eigen::VectorXd& q, Eigen::VectorXd& values) {
    if (!evaluate(q)) {
      values.setZero();
      return;
    }
    const Eigen::Index m = dy_.cols();
    for (Eigen::Index r = 0; r < dy_.rows(); ++r) {
      for (Eigen::Index c = 0; c < m; ++c) values[r * m + c] = dy_(r, c);
    }
  }

 private:
  const Study& study_;
  const AcNlpSpec& spec_;
  grid::PowerFlowWorkspace workspace_;
  grid::PowerFlowOptions options_;
  grid::Injections injections_;
  std::vector<int> buses_;
  std::vector<int> inverter_row_;
  bool have_ = false;
  bool eval_ok_ = false;
  Eigen::VectorXd q_cached_, y_;
  Eigen::MatrixXd dy_;
};

}  // namespace

AcNlpResult solve_ac_nlp(const Study& study, const AcNlpSpec& spec, const Eigen::VectorXd& q_start) {
  AcVoltageProblem problem(study, spec);
  AcNlpResult out;
  out.q = q_start;
  const int m = study.num_inverters();
  NlpProblem nlp;
  nlp.n = m;
  nlp.m = spec.voltage_band ? static_cast<int>(problem.buses().size()) : 0;
  nlp.x_lower = study.q_min();
  nlp.x_upper = study.q_max();
  nlp.g_lower = Eigen::VectorXd::Constant(nlp.m, study.vmin_pu * study.vmin_pu);
  nlp.g_upper = Eigen::VectorXd::Constant(nlp.m, study.vmax_pu * study.vmax_pu);
  nlp.x0 = q_start.cwiseMax(study.q_min()).cwiseMin(study.q_max());
  nlp.objective = [&](const Eigen::VectorXd& q) { return problem.objective(q); };
  nlp.gradient = [&](const Eigen::VectorXd& q, Eigen::VectorXd& g) { problem.gradient(q, g); };
  if (spec.voltage_band) {
    nlp.constraints = [&](const Eigen::VectorXd& q, Eigen::VectorXd& g) { problem.constraints(q, g); };
    nlp.jacobian = [&](const Eigen::VectorXd& q, Eigen::VectorXd& values) { problem.jacobian(q, values); };
  }
  IpoptOptions options;
  options.tolerance = 1e-10;
  options.max_iterations = 500;
  const NlpResult res = solve_nlp(nlp, options);
  out.ipopt_status = res.status.raw;
  out.status = res.status.status;
  if (out.solved()) {
    out.q = res.x;
    out.objective = res.objective;
  }
  return out;
}

}  // namespace vvc::core::detail
