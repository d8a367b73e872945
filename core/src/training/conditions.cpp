#include "vvc/core/training/conditions.hpp"

#include <algorithm>
#include <charconv>

namespace vvc::core {

namespace {

std::string shortest(double x) {
  char text[32];
  const auto [end, ec] = std::to_chars(text, text + sizeof text, x);
  return ec == std::errc() ? std::string(text, end) : std::string("?");
}

std::string interval(double lo, double hi) { return "[" + shortest(lo) + ", " + shortest(hi) + "]"; }

}  // namespace

PolicyConditions conditions_of(const Study& study) {
  PolicyConditions c;
  c.network_name = study.network_name();
  c.network_file = study.network_file.filename().string();
  c.network_hash = study.network_hash;
  c.vmin_pu = study.vmin_pu;
  c.vmax_pu = study.vmax_pu;
  c.q_min_mvar = study.q_min();
  c.q_max_mvar = study.q_max();
  c.cost_c = study.cost_c;
  return c;
}

std::vector<std::string> compare_conditions(const PolicyConditions& c, const Study& study) {
  std::vector<std::string> out;
  auto differ = [&](const std::string& text) { out.push_back(text); };
  if (c.network_name != study.network_name()) {
    differ("trained on the network '" + c.network_name + "', the study's is '" + study.network_name() + "'");
  }
  if (c.network_hash != study.network_hash) {
    differ("trained on the network file " + c.network_file + " with content " + c.network_hash +
           ", the study's " + study.network_file.filename().string() + " has " + study.network_hash);
  }
  if (c.vmin_pu != study.vmin_pu || c.vmax_pu != study.vmax_pu) {
    differ("trained for the voltage band " + interval(c.vmin_pu, c.vmax_pu) + " pu, the study's is " +
           interval(study.vmin_pu, study.vmax_pu) + " pu");
  }
  const int m = std::min<int>(study.num_inverters(), static_cast<int>(c.cost_c.size()));
  for (int i = 0; i < m; ++i) {
    const Inverter& inv = study.inverters[static_cast<size_t>(i)];
    if (c.q_min_mvar[i] != inv.q_min_mvar || c.q_max_mvar[i] != inv.q_max_mvar) {
      differ("inverter " + inv.generator + ": trained with q in " +
             interval(c.q_min_mvar[i], c.q_max_mvar[i]) + " MVar, the study's limits are " +
             interval(inv.q_min_mvar, inv.q_max_mvar) + " MVar");
    }
    if (c.cost_c[i] != study.cost_c[i]) {
      differ("inverter " + inv.generator + ": trained with the cost weight c = " + shortest(c.cost_c[i]) +
             ", the study's is " + shortest(study.cost_c[i]));
    }
  }
  return out;
}

}  // namespace vvc::core
