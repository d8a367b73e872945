// The `limit` references: the reduced-space AC NLP of ac_nlp.hpp without move penalty, from q = 0.
#include "vvc/core/reference/limit.hpp"

#include "reference/ac_nlp.hpp"
#include "vvc/core/env/controller.hpp"

namespace vvc::core {

namespace {

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
  const int m = study.num_inverters();
  LimitSolution out;
  out.q = Eigen::VectorXd::Zero(m);
  // v_init: the power flow with every inverter at q = 0.
  detail::AcNlpSpec spec{
      scenario.base, Eigen::VectorXd(m), study.cost_c, Eigen::VectorXd::Zero(m), Eigen::VectorXd::Zero(m),
      voltage_band};
  spec.base.s_const = scenario.s_const_at(0);
  grid::PowerFlowWorkspace ws(study.network);
  grid::PowerFlowOptions pf;
  pf.tolerance = 1e-12;
  const auto& res = grid::solve(study.network, spec.base, pf, ws);
  if (!res.converged()) return out;
  for (int i = 0; i < m; ++i) spec.v_init[i] = res.vm[study.inverters[static_cast<size_t>(i)].bus];
  const detail::AcNlpResult r = detail::solve_ac_nlp(study, spec, Eigen::VectorXd::Zero(m));
  out.ok = r.ok;
  out.ipopt_status = r.ipopt_status;
  if (r.ok) {
    out.q = r.q;
    out.cost = r.objective;
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
