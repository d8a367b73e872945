// Reduced-space NLP of the `limit` controller (equations in limit.hpp). For q, the AC power flow gives V(q);
// with the Newton-Raphson Jacobian J of the mismatch at the solution, dF/dq_k = -j e_k / S_base gives
// [dtheta; d|V|] = J^{-1} [0; e_k / S_base] (implicit function theorem), so d|V|^2/dq = 2 |V| d|V|/dq.
#include "vvc/core/limit.hpp"

#include <Eigen/LU>

#include "vvc/core/controller.hpp"
#include "vvc/core/ipopt_qp.hpp"

namespace vvc::core {

namespace {

class LimitProblem {
 public:
  LimitProblem(const Study& study, const Scenario& scenario)
      : study_(study), scenario_(scenario), workspace_(study.network), injections_(scenario.base) {
    options_.tolerance = 1e-12;
    options_.compute_flows = false;
    const int n = study.network.num_buses();
    for (int b = 0; b < n; ++b) {
      if (b != study.network.slack.bus) buses_.push_back(b);
    }
    injections_.s_const = scenario.s_const_at(0);
    const auto& res = grid::solve(study.network, injections_, options_, workspace_);
    ok_ = res.converged();
    v_init_.resize(study.num_inverters());
    for (int i = 0; i < study.num_inverters(); ++i)
      v_init_[i] = res.vm[study.inverters[static_cast<size_t>(i)].bus];
  }

  bool initial_ok() const { return ok_; }
  const std::vector<int>& buses() const { return buses_; }

  /// Evaluates |V|^2 at the modelled buses and d(|V|^2)/dq at q (cached for the last q).
  bool evaluate(const Eigen::VectorXd& q) {
    if (have_ && q == q_cached_) return eval_ok_;
    have_ = true;
    q_cached_ = q;
    const grid::Network& net = study_.network;
    injections_.s_const = scenario_.s_const_at(0);
    for (int i = 0; i < study_.num_inverters(); ++i) {
      injections_.s_const[study_.inverters[static_cast<size_t>(i)].bus] +=
          grid::Complex(0.0, q[i] / net.base_mva);
    }
    const auto& res = grid::solve(net, injections_, options_, workspace_);
    eval_ok_ = res.converged();
    if (!eval_ok_) return false;
    const Eigen::VectorXd vm = res.vm;
    const Eigen::VectorXcd v = res.v;
    const Eigen::MatrixXd jac = grid::newton_jacobian(net, injections_, v, workspace_);
    const int nv = static_cast<int>(jac.rows()) / 2;
    Eigen::MatrixXd rhs = Eigen::MatrixXd::Zero(2 * nv, study_.num_inverters());
    // Variables of the Jacobian: non-slack buses in bus order.
    auto var = [&](int bus) { return bus < net.slack.bus ? bus : bus - 1; };
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
    vm_all_ = vm;
    return true;
  }

  double objective(const Eigen::VectorXd& q) {
    if (!evaluate(q)) return 1e20;
    double f = 0.0;
    for (int i = 0; i < study_.num_inverters(); ++i) {
      const double v = vm_all_[study_.inverters[static_cast<size_t>(i)].bus];
      f += 0.5 * study_.cost_c[i] * q[i] * q[i] + 0.5 * q[i] * (v * v + v_init_[i] * v_init_[i] - 2.0);
    }
    return f;
  }

  void gradient(const Eigen::VectorXd& q, Eigen::VectorXd& g) {
    g.setZero(q.size());
    if (!evaluate(q)) return;
    for (int i = 0; i < study_.num_inverters(); ++i) {
      const double v = vm_all_[study_.inverters[static_cast<size_t>(i)].bus];
      g[i] += study_.cost_c[i] * q[i] + 0.5 * (v * v + v_init_[i] * v_init_[i] - 2.0);
      const int row = row_of(study_.inverters[static_cast<size_t>(i)].bus);
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
  int row_of(int bus) const {
    for (size_t r = 0; r < buses_.size(); ++r) {
      if (buses_[r] == bus) return static_cast<int>(r);
    }
    return -1;
  }

  const Study& study_;
  const Scenario& scenario_;
  grid::PowerFlowWorkspace workspace_;
  grid::PowerFlowOptions options_;
  grid::Injections injections_;
  std::vector<int> buses_;
  Eigen::VectorXd v_init_;
  bool ok_ = false;
  bool have_ = false;
  bool eval_ok_ = false;
  Eigen::VectorXd q_cached_, y_, vm_all_;
  Eigen::MatrixXd dy_;
};

class ConstantController final : public Controller {
 public:
  ConstantController(Eigen::VectorXd q, std::string name) : q_(std::move(q)), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  void reset(const Observation&, const Scenario&) override {}
  void act(const Observation&, Eigen::VectorXd& action) override { action = q_; }

 private:
  Eigen::VectorXd q_;
  std::string name_;
};

}  // namespace

LimitSolution solve_limit(const Study& study, const Scenario& scenario, bool voltage_band) {
  LimitProblem lp(study, scenario);
  LimitSolution out;
  const int m = study.num_inverters();
  out.q = Eigen::VectorXd::Zero(m);
  if (!lp.initial_ok()) return out;
  NlpProblem nlp;
  nlp.n = m;
  nlp.m = voltage_band ? static_cast<int>(lp.buses().size()) : 0;
  nlp.x_lower = study.q_min();
  nlp.x_upper = study.q_max();
  nlp.g_lower = Eigen::VectorXd::Constant(nlp.m, study.vmin_pu * study.vmin_pu);
  nlp.g_upper = Eigen::VectorXd::Constant(nlp.m, study.vmax_pu * study.vmax_pu);
  nlp.x0 = Eigen::VectorXd::Zero(m);
  nlp.objective = [&](const Eigen::VectorXd& q) { return lp.objective(q); };
  nlp.gradient = [&](const Eigen::VectorXd& q, Eigen::VectorXd& g) { lp.gradient(q, g); };
  if (voltage_band) {
    nlp.constraints = [&](const Eigen::VectorXd& q, Eigen::VectorXd& g) { lp.constraints(q, g); };
    nlp.jacobian = [&](const Eigen::VectorXd& q, Eigen::VectorXd& values) { lp.jacobian(q, values); };
  }
  IpoptOptions options;
  options.tolerance = 1e-10;
  options.max_iterations = 500;
  const NlpResult res = solve_nlp(nlp, options);
  out.ipopt_status = res.status.raw;
  out.ok = res.status.status == QpStatus::kOptimal;
  if (out.ok) {
    out.q = res.x;
    out.cost = res.objective;
  }
  return out;
}

Evaluation evaluate_limit(const Study& study, const ScenarioSet& scenarios, const EvaluationOptions& options,
                          bool voltage_band) {
  Evaluation out;
  Environment env(study);
  for (long id = options.ids.first; id < options.ids.last; ++id) {
    const Scenario scenario = scenarios.make(id);
    const LimitSolution sol = solve_limit(study, scenario, voltage_band);
    ConstantController controller(sol.q, voltage_band ? "limit-band" : "limit");
    EpisodeRecord rec = run_episode(env, controller, scenario, options.steps);
    rec.id = id;
    if (!sol.ok) ++rec.power_flow_failures;
    out.episodes.push_back(rec);
  }
  out.summary = summarize(out.episodes, voltage_band ? "limit-band" : "limit", options.steps);
  return out;
}

}  // namespace vvc::core
