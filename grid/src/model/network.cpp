#include "vvc/grid/model/network.hpp"

#include <cmath>
#include <unordered_set>

#include "vvc/common/errors.hpp"
#include "vvc/common/units.hpp"

namespace vvc::grid {

int Network::find_bus(std::string_view bus_name) const {
  for (int i = 0; i < num_buses(); ++i) {
    if (buses[static_cast<size_t>(i)].name == bus_name) return i;
  }
  return -1;
}

int Network::find_generator(std::string_view generator_name) const {
  for (size_t i = 0; i < generators.size(); ++i) {
    if (generators[i].name == generator_name) return static_cast<int>(i);
  }
  return -1;
}

std::unordered_map<std::string, int> bus_indices(const Network& network) {
  std::unordered_map<std::string, int> indices;
  for (int i = 0; i < network.num_buses(); ++i)
    indices.emplace(network.buses[static_cast<size_t>(i)].name, i);
  return indices;
}

double Network::z_base_ohm(int bus) const {
  return impedance_base_ohm(buses[static_cast<size_t>(bus)].base_kv, base_mva);
}

namespace {

void check(bool ok, const std::string& source, const std::string& what) {
  if (!ok) throw InputError(source + ": " + what);
}

bool finite_nonnegative(double x) { return std::isfinite(x) && x >= 0.0; }

}  // namespace

void validate(const Network& network, const std::string& source) {
  const int n = network.num_buses();
  check(n >= 1, source, "the network has no buses");
  const auto within_limit = [&source](size_t count, const char* what) {
    check(count <= static_cast<size_t>(kMaxCaseElements), source,
          "expected at most " + std::to_string(kMaxCaseElements) + " " + what + ", got " +
              std::to_string(count));
  };
  within_limit(network.buses.size(), "buses");
  within_limit(network.branches.size(), "lines and switches");
  within_limit(network.loads.size(), "loads");
  within_limit(network.generators.size(), "generators");
  check(std::isfinite(network.base_mva) && network.base_mva > 0.0, source,
        "base_mva must be a positive number");
  std::unordered_set<std::string> names;
  for (const Bus& bus : network.buses) {
    check(!bus.name.empty(), source, "a bus has an empty name");
    check(names.insert(bus.name).second, source, "bus '" + bus.name + "' is defined twice");
    check(std::isfinite(bus.base_kv) && bus.base_kv > 0.0, source,
          "bus '" + bus.name + "': base_kv must be a positive number");
    check(std::isfinite(bus.vmin_pu) && std::isfinite(bus.vmax_pu) && bus.vmin_pu <= bus.vmax_pu, source,
          "bus '" + bus.name + "': vmin_pu must not exceed vmax_pu");
  }
  check(network.slack.bus >= 0 && network.slack.bus < n, source, "the slack bus is missing or unknown");
  check(
      std::isfinite(network.slack.vm_pu) && network.slack.vm_pu > 0.0 && std::isfinite(network.slack.va_rad),
      source, "the slack voltage must be a positive finite magnitude and a finite angle");
  auto bus_ok = [n](int b) { return b >= 0 && b < n; };
  for (const Branch& br : network.branches) {
    const std::string what = (br.is_switch ? "switch '" : "line '") + br.name + "'";
    check(bus_ok(br.from) && bus_ok(br.to), source, what + ": unknown bus");
    check(br.from != br.to, source, what + ": both ends on the same bus");
    check(finite_nonnegative(br.r_pu) && finite_nonnegative(br.x_pu), source,
          what + ": r and x must be finite and >= 0");
    check(br.r_pu > 0.0 || br.x_pu > 0.0, source, what + ": zero series impedance");
    check(std::isfinite(br.b_pu), source, what + ": b must be finite");
  }
  for (const Load& load : network.loads) {
    check(bus_ok(load.bus), source, "load '" + load.name + "': unknown bus");
    check(std::isfinite(load.p_mw) && std::isfinite(load.q_mvar), source,
          "load '" + load.name + "': p and q must be finite");
    if (load.model == LoadModel::kZip) {
      for (const auto* f : {&load.zip_p, &load.zip_q}) {
        const double sum = (*f)[0] + (*f)[1] + (*f)[2];
        check(std::abs(sum - 1.0) < 1e-9, source, "load '" + load.name + "': ZIP fractions must sum to 1");
      }
    }
  }
  for (const Generator& gen : network.generators) {
    check(bus_ok(gen.bus), source, "generator '" + gen.name + "': unknown bus");
    check(std::isfinite(gen.p_mw) && std::isfinite(gen.q_mvar), source,
          "generator '" + gen.name + "': p and q must be finite");
    check(gen.q_min_mvar <= gen.q_max_mvar, source, "generator '" + gen.name + "': q_min exceeds q_max");
  }
}

}  // namespace vvc::grid
