// vvc powerflow CASE.dss: the unbalanced power flow of an OpenDSS script. Prints every bus and phase
// (bus,phase,vm_pu,va_deg,vm_volts; line-to-neutral, bus names lower case as OpenDSS reports them), the
// feeder power, losses, the regulator taps and the capacitor states, as an aligned table or JSON; CSV is the
// voltage table alone, and --summary-csv / --taps-csv / --capacitors-csv write the other tables to files of
// their own.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "args.hpp"
#include "commands.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"
#include "vvc/grid/io/opendss.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"

namespace vvc::cli {

namespace {

const std::vector<OptionSpec> kSpecs = {
    {"format", true, "table (default), csv or json", "FMT"},
    {"taps", true,
     "fixed: the taps and capacitor states in the file; control: regulator and capacitor control (default: "
     "as "
     "the file says)",
     "MODE"},
    {"lenient", false, "skip unsupported OpenDSS commands and properties with a warning instead of failing",
     ""},
    {"summary-csv", true, "also write the summary to FILE: quantity,value (status, iterations, kW, kvar)",
     "FILE"},
    {"taps-csv", true, "also write the regulator taps to FILE: regulator,tap_pu,position", "FILE"},
    {"capacitors-csv", true,
     "also write the capacitor states to FILE: capacitor,steps,states (1 in service, 0 out, per step, "
     "separated by blanks)",
     "FILE"},
};

constexpr const char* kUsage =
    "usage: vvc powerflow CASE.dss [--format table|csv|json] [--taps fixed|control] [--lenient]\n"
    "                              [--summary-csv FILE] [--taps-csv FILE] [--capacitors-csv FILE]\n"
    "\n"
    "Solves the unbalanced power flow of an OpenDSS script and prints the voltage of every bus and phase\n"
    "(bus,phase,vm_pu,va_deg,vm_volts; line-to-neutral), the source power, losses, regulator taps and\n"
    "capacitor states. table and json print them all; csv prints the voltage table only (one header line,\n"
    "one row per bus and phase): --summary-csv, --taps-csv and --capacitors-csv write the other tables as\n"
    "CSV files.\n"
    "Exit status: 0 converged, 1 not converged, 2 bad input.\n"
    "\n"
    "options:\n";

std::string phase_name(int number) {
  if (number >= 1 && number <= 3) return std::string(1, static_cast<char>('a' + number - 1));
  return std::to_string(number);
}

std::string format_number(double value, int precision) {
  if (!std::isfinite(value)) return "";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", precision, value);
  return buffer;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

struct Row {
  std::string bus, phase, vm_pu, va_deg, vm_volts;
};

// A capacitor's step states separated by `separator`: "1 1 0".
std::string states_text(const std::vector<int>& states, const std::string& separator) {
  std::string out;
  for (size_t k = 0; k < states.size(); ++k) out += (k == 0 ? "" : separator) + std::to_string(states[k]);
  return out;
}

}  // namespace

int run_powerflow_dss(int argc, char** argv) {
  const Args args(argc, argv, 2, kSpecs);
  if (args.help()) {
    std::cout << kUsage << format_options(kSpecs);
    return 0;
  }
  if (args.positional().size() != 1) throw InputError("expected one case file (see vvc powerflow --help)");
  const std::string format = args.get_or("format", "table");
  if (format != "csv" && format != "json" && format != "table") {
    throw InputError("option '--format': expected table, csv or json, got '" + format + "'");
  }
  grid::ThreePhaseOptions options;
  if (const auto taps = args.get("taps")) {
    if (*taps == "fixed") {
      options.taps = grid::TapMode::kFixed;
    } else if (*taps == "control") {
      options.taps = grid::TapMode::kControl;
    } else {
      throw InputError("option '--taps': expected fixed or control, got '" + *taps + "'");
    }
  }
  grid::OpenDssOptions read_options;
  read_options.strict = !args.has("lenient");
  const std::string& script = args.positional()[0];
  const grid::OpenDssCase dss = grid::read_opendss(script, read_options);
  for (const std::string& warning : dss.warnings) std::cerr << "vvc powerflow: warning: " << warning << "\n";
  const grid::MultiphaseNetwork& net = dss.network;
  // The workspace's errors (a singular admittance matrix) name the circuit; the message names the script too.
  grid::ThreePhaseWorkspace workspace = [&] {
    try {
      return grid::ThreePhaseWorkspace(net);
    } catch (const InputError& e) {
      throw InputError(script + ": " + e.what());
    }
  }();
  const grid::ThreePhaseResult& r = grid::solve(net, options, workspace);

  std::vector<Row> rows;
  for (const grid::PhaseBus& bus : net.buses) {
    for (size_t k = 0; k < bus.nodes.size(); ++k) {
      const Complex v = r.v[bus.nodes[k]];
      const double base = grid::node_base_volts(net, bus.nodes[k]);
      rows.push_back({bus.name, phase_name(bus.node_numbers[k]),
                      base > 0.0 ? format_number(std::abs(v) / base, 6) : std::string(),
                      format_number(std::arg(v) * 180.0 / std::numbers::pi, 4),
                      format_number(std::abs(v), 3)});
    }
  }
  const double source_kw = r.source_power.real() / 1e3, source_kvar = r.source_power.imag() / 1e3;
  const double load_kw = r.load_power.real() / 1e3, load_kvar = r.load_power.imag() / 1e3;
  const double loss_kw = r.losses.real() / 1e3, loss_kvar = r.losses.imag() / 1e3;
  const std::string status(grid::to_string(r.status));

  // The files first: a file that cannot be written is bad input, and then nothing is printed.
  if (const auto path = args.get("summary-csv")) {
    std::ostringstream text;
    text << "quantity,value\nstatus," << status << "\niterations," << r.iterations << "\nsource_kw,"
         << format_number(source_kw, 3) << "\nsource_kvar," << format_number(source_kvar, 3) << "\nload_kw,"
         << format_number(load_kw, 3) << "\nload_kvar," << format_number(load_kvar, 3) << "\nlosses_kw,"
         << format_number(loss_kw, 3) << "\nlosses_kvar," << format_number(loss_kvar, 3) << "\n";
    write_file_atomically(*path, text.str());
  }
  if (const auto path = args.get("taps-csv")) {
    std::string text = "regulator,tap_pu,position\n";
    for (const grid::RegulatorState& g : r.regulators) {
      text += g.name + ',' + format_number(g.tap, 5) + ',' + std::to_string(g.position) + '\n';
    }
    write_file_atomically(*path, text);
  }
  if (const auto path = args.get("capacitors-csv")) {
    std::string text = "capacitor,steps,states\n";
    for (const grid::CapacitorState& c : r.capacitors) {
      text += c.name + ',' + std::to_string(c.states.size()) + ',' + states_text(c.states, " ") + '\n';
    }
    write_file_atomically(*path, text);
  }

  if (format == "csv") {
    std::cout << "bus,phase,vm_pu,va_deg,vm_volts\n";
    for (const Row& row : rows) {
      std::cout << row.bus << ',' << row.phase << ',' << row.vm_pu << ',' << row.va_deg << ',' << row.vm_volts
                << '\n';
    }
  } else if (format == "json") {
    auto number_or_null = [](const std::string& s) { return s.empty() ? std::string("null") : s; };
    std::cout << "{\n  \"case\": " << json_string(args.positional()[0])
              << ",\n  \"status\": " << json_string(status) << ",\n  \"iterations\": " << r.iterations
              << ",\n  \"source_kw\": " << format_number(source_kw, 3)
              << ",\n  \"source_kvar\": " << format_number(source_kvar, 3)
              << ",\n  \"load_kw\": " << format_number(load_kw, 3)
              << ",\n  \"load_kvar\": " << format_number(load_kvar, 3)
              << ",\n  \"losses_kw\": " << format_number(loss_kw, 3)
              << ",\n  \"losses_kvar\": " << format_number(loss_kvar, 3) << ",\n  \"regulators\": [";
    for (size_t k = 0; k < r.regulators.size(); ++k) {
      const grid::RegulatorState& g = r.regulators[k];
      std::cout << (k == 0 ? "\n" : ",\n") << "    {\"name\": " << json_string(g.name)
                << ", \"tap_pu\": " << format_number(g.tap, 5) << ", \"position\": " << g.position << "}";
    }
    std::cout << (r.regulators.empty() ? "],\n" : "\n  ],\n") << "  \"capacitors\": [";
    for (size_t k = 0; k < r.capacitors.size(); ++k) {
      const grid::CapacitorState& c = r.capacitors[k];
      std::cout << (k == 0 ? "\n" : ",\n") << "    {\"name\": " << json_string(c.name) << ", \"states\": ["
                << states_text(c.states, ", ") << "]}";
    }
    std::cout << (r.capacitors.empty() ? "],\n" : "\n  ],\n") << "  \"voltages\": [";
    for (size_t k = 0; k < rows.size(); ++k) {
      const Row& row = rows[k];
      std::cout << (k == 0 ? "\n" : ",\n") << "    {\"bus\": " << json_string(row.bus)
                << ", \"phase\": " << json_string(row.phase) << ", \"vm_pu\": " << number_or_null(row.vm_pu)
                << ", \"va_deg\": " << row.va_deg << ", \"vm_volts\": " << row.vm_volts << "}";
    }
    std::cout << "\n  ]\n}\n";
  } else {
    std::printf("%-16s %-5s %10s %10s %12s\n", "bus", "phase", "vm_pu", "va_deg", "vm_volts");
    for (const Row& row : rows) {
      std::printf("%-16s %-5s %10s %10s %12s\n", row.bus.c_str(), row.phase.c_str(), row.vm_pu.c_str(),
                  row.va_deg.c_str(), row.vm_volts.c_str());
    }
    std::printf("\nstatus %s after %d iterations\n", status.c_str(), r.iterations);
    std::printf("source  %12.3f kW %12.3f kvar\n", source_kw, source_kvar);
    std::printf("loads   %12.3f kW %12.3f kvar\n", load_kw, load_kvar);
    std::printf("losses  %12.3f kW %12.3f kvar\n", loss_kw, loss_kvar);
    for (const grid::RegulatorState& g : r.regulators) {
      std::printf("regulator %-12s tap %.5f (%+d)\n", g.name.c_str(), g.tap, g.position);
    }
    for (const grid::CapacitorState& c : r.capacitors) {
      std::printf("capacitor %-12s steps %s\n", c.name.c_str(), states_text(c.states, " ").c_str());
    }
  }
  if (!r.converged()) {
    std::cerr << "vvc powerflow: the power flow did not converge (" << status << ")\n";
    return 1;
  }
  return 0;
}

}  // namespace vvc::cli
