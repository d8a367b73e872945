#include "vvc/core/reference/nlp_ac.hpp"

#include "reference/ac_nlp.hpp"
#include "vvc/common/errors.hpp"

namespace vvc::core {

namespace {

class NlpPolicyController final : public Controller {
 public:
  NlpPolicyController(const Study& study, const NlpPolicyOptions& options)
      : study_(&study), spec_{grid::Injections(study.network.num_buses()),
                              {},
                              options.cost_c,
                              {},
                              options.move_penalty,
                              true} {
    const int m = study.num_inverters();
    if (spec_.cost_c.size() == 0) spec_.cost_c = study.cost_c;
    if (spec_.move_penalty.size() == 0) spec_.move_penalty = Eigen::VectorXd::Constant(m, 0.01);
    if (spec_.cost_c.size() != m || spec_.move_penalty.size() != m) {
      throw InputError("NLP policy: cost weights and move penalties need one value per inverter");
    }
  }
  std::string name() const override { return "nlp-ac"; }
  void reset(const Observation&, const Scenario&) override {}
  ActionStatus act(const Observation& obs, Eigen::VectorXd& action) override {
    const grid::Network& net = study_->network;
    spec_.base.s_const = grid::bus_power_injections(net, obs.v);
    for (int i = 0; i < study_->num_inverters(); ++i) {
      spec_.base.s_const[study_->inverters[static_cast<size_t>(i)].bus] -=
          Complex(0.0, obs.q[i] / net.base_mva);
    }
    spec_.v_init = obs.v_inv_init;
    spec_.q0 = obs.q;
    const detail::AcNlpResult r = detail::solve_ac_nlp(*study_, spec_, obs.q);
    if (!r.solved()) {
      action = obs.q;
      return ActionStatus::kFailed;
    }
    action = r.q;
    return ActionStatus::kNominal;
  }

 private:
  const Study* study_;
  detail::AcNlpSpec spec_;
};

}  // namespace

std::unique_ptr<Controller> make_nlp_policy_controller(const Study& study, const NlpPolicyOptions& options) {
  return std::make_unique<NlpPolicyController>(study, options);
}

}  // namespace vvc::core
