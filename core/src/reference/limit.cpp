// The `limit` references: the reduced-space AC NLP of ac_nlp.hpp without move penalty, from q = 0.
#include "vvc/core/reference/limit.hpp"

#include "reference/ac_nlp.hpp"
#include "reference/phase_nlp.hpp"
#include "vvc/common/errors.hpp"

namespace vvc::core {

const char* to_string(LimitStatus status) {
  switch (status) {
    case LimitStatus::kSolved:
      return "solved";
    case LimitStatus::kStartNotConverged:
      return "power flow at q = 0 not converged";
    case LimitStatus::kNotSolved:
      return "not solved";
    case LimitStatus::kInfeasible:
      return "infeasible";
  }
  return "unknown";
}

LimitSolution solve_limit(const Study& study, const Scenario& scenario, bool voltage_band, int step) {
  if (study.three_phase()) return detail::solve_phase_limit(study, scenario, voltage_band, step);
  const int m = study.num_inverters();
  LimitSolution out;
  out.q = Eigen::VectorXd::Zero(m);
  // v_init: the power flow of step 0 with every inverter at q = 0.
  detail::AcNlpSpec spec{
      scenario.base, Eigen::VectorXd(m), study.cost_c, Eigen::VectorXd::Zero(m), Eigen::VectorXd::Zero(m),
      voltage_band};
  spec.base.s_const = scenario.s_const_at(0);
  grid::PowerFlowWorkspace ws(study.network);
  grid::PowerFlowOptions pf;
  pf.tolerance = 1e-12;
  const auto& res = grid::solve(study.network, spec.base, pf, ws);
  if (!res.converged()) {
    out.status = LimitStatus::kStartNotConverged;
    return out;
  }
  for (int i = 0; i < m; ++i) spec.v_init[i] = res.vm[study.inverters[static_cast<size_t>(i)].bus];
  spec.base.s_const = scenario.s_const_at(step);
  const detail::AcNlpResult r = detail::solve_ac_nlp(study, spec, Eigen::VectorXd::Zero(m));
  out.ipopt_status = r.ipopt_status;
  out.status = r.solved() ? LimitStatus::kSolved : LimitStatus::kNotSolved;
  if (r.solved()) {
    out.q = r.q;
    out.cost = r.objective;
  }
  return out;
}

namespace {

class LimitController final : public Controller {
 public:
  LimitController(const Study& study, const LimitOptions& options) : study_(&study), options_(options) {}
  std::string name() const override {
    return std::string(options_.voltage_band ? "limit-band" : "limit") +
           (options_.per_step ? "-per-step" : "");
  }
  void reset(const Observation&, const Scenario& scenario) override {
    scenario_ = &scenario;
    solved_step_ = -1;
    solution_ = {};
    if (!options_.per_step) solve(0);
  }
  ActionStatus act(const Observation& obs, Eigen::VectorXd& action) override {
    // The action of step t = obs.t + 1 is applied with that step's injections.
    if (options_.per_step) solve(obs.t + 1);
    if (!solution_.solved()) {
      action = obs.q;
      return ActionStatus::kFailed;
    }
    action = solution_.q;
    return ActionStatus::kNominal;
  }

 private:
  // Re-solves only when the step's injections differ from those of the last solve.
  void solve(int step) {
    if (solved_step_ >= 0 && scenario_->s_const_at(step) == scenario_->s_const_at(solved_step_)) return;
    solution_ = solve_limit(*study_, *scenario_, options_.voltage_band, step);
    solved_step_ = step;
  }

  const Study* study_;
  LimitOptions options_;
  const Scenario* scenario_ = nullptr;
  int solved_step_ = -1;
  LimitSolution solution_;
};

}  // namespace

void check_limit_options(const Study& study, const LimitOptions& options) {
  if (options.per_step && study.cost_form == CostForm::kStableDdpg) {
    throw InputError(
        std::string(options.voltage_band ? "limit-band-per-step" : "limit-per-step") +
        ": the study's Stable-DDPG cost charges every move, so a best q per step is no bound; on "
        "this study use limit or limit-band (the best constant q)");
  }
}

std::unique_ptr<Controller> make_limit_controller(const Study& study, const LimitOptions& options) {
  check_limit_options(study, options);
  return std::make_unique<LimitController>(study, options);
}

}  // namespace vvc::core
