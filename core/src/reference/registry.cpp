#include "vvc/core/reference/registry.hpp"

#include "vvc/common/errors.hpp"
#include "vvc/core/reference/limit.hpp"
#include "vvc/core/reference/nlp_ac.hpp"

namespace vvc::core {

namespace {

template <bool kBand, bool kPerStep>
ControllerFactory limit_factory(const Study& study) {
  check_limit_options(study, LimitOptions{kBand, kPerStep});
  return [&study] { return make_limit_controller(study, LimitOptions{kBand, kPerStep}); };
}

}  // namespace

const std::vector<ControllerEntry>& controller_registry() {
  static const std::vector<ControllerEntry> entries = {
      {"zero", "no control: q = 0", false,
       [](const Study& study) -> ControllerFactory {
         return [&study] { return make_zero_controller(study); };
       }},
      {"voltvar", "IEEE 1547-2018 Volt-VAR curve (category B), each inverter on its own bus voltage", false,
       [](const Study& study) -> ControllerFactory {
         return [&study] { return make_voltvar_controller(study); };
       }},
      {"linear",
       "Stable-DDPG's linear policy: q -= clip(1 MVar/pu x (distance beyond [vmin + 0.02, vmax - 0.02]), "
       "+-50 kvar) per step, on each inverter (phase)'s own voltage",
       false,
       [](const Study& study) -> ControllerFactory {
         return [&study] { return make_linear_droop_controller(study); };
       }},
      {"gradient-flow", "safe gradient flow u = -(c q + v^2 - 1) through the clamp alpha = 0.5", false,
       [](const Study& study) -> ControllerFactory {
         return [&study] { return make_gradient_flow_controller(study, 0.5); };
       }},
      {"limit",
       "best constant q per scenario under the inverter limits (full knowledge, Ipopt); the lower bound of "
       "the "
       "metric only when injections are constant",
       true, &limit_factory<false, false>},
      {"limit-band", "as limit, with every bus kept in the voltage band", true, &limit_factory<true, false>},
      {"limit-per-step",
       "best q at every step under the inverter limits (full knowledge, Ipopt): a lower bound of the "
       "transient "
       "metric for every controller",
       true, &limit_factory<false, true>},
      {"limit-band-per-step",
       "as limit-per-step, with every bus kept in the band: the bound for controllers that keep the band",
       true, &limit_factory<true, true>},
      {"nlp-ac",
       "DiffOP's policy problem with the full AC power flow as voltage model, re-solved every step (Ipopt, "
       "about 30 ms per step)",
       true,
       [](const Study& study) -> ControllerFactory {
         return [&study] { return make_nlp_policy_controller(study); };
       },
       false},
  };
  return entries;
}

std::string controller_names() {
  std::string out;
  for (const auto& e : controller_registry()) out += (out.empty() ? "" : ", ") + e.name;
  return out;
}

const ControllerEntry& find_controller(const std::string& name) {
  for (const auto& e : controller_registry()) {
    if (e.name == name) return e;
  }
  throw InputError("unknown controller '" + name + "' (expected one of: " + controller_names() + ")");
}

const ControllerEntry& find_controller(const std::string& name, const Study& study) {
  const ControllerEntry& entry = find_controller(name);
  if (study.three_phase() && !entry.three_phase) {
    throw InputError("controller '" + name +
                     "' is not available on three-phase studies (it solves the balanced AC " +
                     "power flow); these are: " + [&] {
                       std::string out;
                       for (const auto& e : controller_registry()) {
                         if (e.three_phase) out += (out.empty() ? "" : ", ") + e.name;
                       }
                       return out;
                     }());
  }
  return entry;
}

}  // namespace vvc::core
