// Formatting of power-flow results for 'vvc powerflow'. Named *_io because the JSON form uses nlohmann/json.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <complex>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "powerflow_report.hpp"
#include "vvc/common/units.hpp"

namespace vvc::cli {

namespace {

/// Net complex power each bus injects into the network, MW / MVar: the sum of the flows entering its
/// branches.
std::vector<Complex> bus_injections_mva(const grid::Network& network, const grid::PowerFlowResult& result) {
  std::vector<Complex> s(static_cast<size_t>(network.num_buses()), Complex(0.0, 0.0));
  for (int k = 0; k < network.num_branches(); ++k) {
    const grid::Branch& br = network.branches[static_cast<size_t>(k)];
    if (!br.in_service) continue;
    s[static_cast<size_t>(br.from)] += result.s_from[k] * network.base_mva;
    s[static_cast<size_t>(br.to)] += result.s_to[k] * network.base_mva;
  }
  return s;
}

/// The shortest text that reads back to the same double.
std::string exact(double x) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x);
  return std::string(buffer, end);
}

std::string fixed(double x, int decimals) {
  if (std::abs(x) < 0.5 * std::pow(10.0, -decimals)) x = 0.0;  // no "-0.000000" for a rounding residue
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  return buffer;
}

}  // namespace

std::string powerflow_status_line(const grid::Network& network, const grid::PowerFlowResult& result) {
  char mismatch[32];
  std::snprintf(mismatch, sizeof mismatch, "%.3g", result.max_mismatch);
  return network.name + ": " + std::string(grid::to_string(result.status)) + " after " +
         std::to_string(result.iterations) + " iteration" + (result.iterations == 1 ? "" : "s") +
         " (algorithm " + std::string(grid::to_string(result.algorithm)) + ", max mismatch " + mismatch +
         " pu)\n";
}

std::string powerflow_table(const grid::Network& network, const grid::PowerFlowResult& result) {
  std::ostringstream out;
  out << powerflow_status_line(network, result);
  if (!result.converged()) return out.str();

  const auto s = bus_injections_mva(network, result);
  size_t name_width = 3;
  for (const auto& bus : network.buses) name_width = std::max(name_width, bus.name.size());
  auto pad_left = [](const std::string& text, size_t width) {
    return std::string(width > text.size() ? width - text.size() : 0, ' ') + text;
  };
  auto pad_right = [](const std::string& text, size_t width) {
    return text + std::string(width > text.size() ? width - text.size() : 0, ' ');
  };
  out << "\n" << pad_right("bus", name_width);
  for (const char* column : {"vm_pu", "va_deg", "p_mw", "q_mvar"}) out << pad_left(column, 12);
  out << "\n";
  for (int i = 0; i < network.num_buses(); ++i) {
    const auto u = static_cast<size_t>(i);
    out << pad_right(network.buses[u].name, name_width) << pad_left(fixed(result.vm[i], 6), 12)
        << pad_left(fixed(rad_to_deg(result.va[i]), 6), 12) << pad_left(fixed(s[u].real(), 6), 12)
        << pad_left(fixed(s[u].imag(), 6), 12) << "\n";
  }
  const Complex losses = result.losses * network.base_mva;
  const Complex slack = result.slack_power * network.base_mva;
  out << "\nlosses: " << fixed(losses.real(), 6) << " MW, " << fixed(losses.imag(), 6) << " MVar\n";
  out << "slack (" << network.buses[static_cast<size_t>(network.slack.bus)].name
      << "): " << fixed(slack.real(), 6) << " MW, " << fixed(slack.imag(), 6) << " MVar\n";
  return out.str();
}

std::string powerflow_csv(const grid::Network& network, const grid::PowerFlowResult& result) {
  const auto s = bus_injections_mva(network, result);
  std::ostringstream out;
  out << "bus,vm_pu,va_deg,p_mw,q_mvar\n";
  for (int i = 0; i < network.num_buses(); ++i) {
    const auto u = static_cast<size_t>(i);
    out << network.buses[u].name << "," << exact(result.vm[i]) << "," << exact(rad_to_deg(result.va[i]))
        << "," << exact(s[u].real()) << "," << exact(s[u].imag()) << "\n";
  }
  return out.str();
}

std::string powerflow_json(const grid::Network& network, const grid::PowerFlowResult& result) {
  using Json = nlohmann::ordered_json;
  Json root;
  root["case"] = network.name;
  root["status"] = grid::to_string(result.status);
  root["converged"] = result.converged();
  root["iterations"] = result.iterations;
  root["algorithm"] = grid::to_string(result.algorithm);
  root["max_mismatch_pu"] = result.max_mismatch;
  if (result.converged()) {
    const auto s = bus_injections_mva(network, result);
    Json buses = Json::array();
    for (int i = 0; i < network.num_buses(); ++i) {
      const auto u = static_cast<size_t>(i);
      buses.push_back({{"name", network.buses[u].name},
                       {"vm_pu", result.vm[i]},
                       {"va_deg", rad_to_deg(result.va[i])},
                       {"p_mw", s[u].real()},
                       {"q_mvar", s[u].imag()}});
    }
    root["buses"] = std::move(buses);
    Json branches = Json::array();
    for (int k = 0; k < network.num_branches(); ++k) {
      const grid::Branch& br = network.branches[static_cast<size_t>(k)];
      const Complex from = result.s_from[k] * network.base_mva;
      const Complex to = result.s_to[k] * network.base_mva;
      branches.push_back({{"name", br.name},
                          {"from", network.buses[static_cast<size_t>(br.from)].name},
                          {"to", network.buses[static_cast<size_t>(br.to)].name},
                          {"in_service", br.in_service},
                          {"p_from_mw", from.real()},
                          {"q_from_mvar", from.imag()},
                          {"p_to_mw", to.real()},
                          {"q_to_mvar", to.imag()},
                          {"p_loss_mw", (from + to).real()},
                          {"q_loss_mvar", (from + to).imag()}});
    }
    root["branches"] = std::move(branches);
    const Complex losses = result.losses * network.base_mva;
    const Complex slack = result.slack_power * network.base_mva;
    root["losses"] = {{"p_mw", losses.real()}, {"q_mvar", losses.imag()}};
    root["slack"] = {{"bus", network.buses[static_cast<size_t>(network.slack.bus)].name},
                     {"p_mw", slack.real()},
                     {"q_mvar", slack.imag()}};
  }
  return root.dump(2) + "\n";
}

}  // namespace vvc::cli
