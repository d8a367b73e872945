// vvc powerflow CASE: read a balanced case, solve its power flow at the file's loads and generators, print
// it.
#include <algorithm>
#include <cctype>
#include <iostream>
#include <string>
#include <vector>

#include "args.hpp"
#include "commands.hpp"
#include "powerflow_report.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/grid/io/case_io.hpp"
#include "vvc/grid/model/topology.hpp"
#include "vvc/grid/powerflow/balanced.hpp"

namespace vvc::cli {

namespace {

const std::vector<OptionSpec>& powerflow_options() {
  static const std::vector<OptionSpec> specs = {
      {"algorithm", true, "bfs (backward/forward sweep), nr (Newton-Raphson) or auto (default)", "ALG"},
      {"format", true, "table (default), csv or json", "FMT"},
      {"tolerance", true, "largest bus power mismatch accepted, pu (default 1e-10)", "X"},
      {"max-iterations", true, "iteration limit (default 50)", "N"},
  };
  return specs;
}

constexpr const char* kUsage =
    "usage: vvc powerflow CASE [options]\n"
    "\n"
    "Solves the balanced AC power flow of CASE at the loads and generators written in it.\n"
    "An OpenDSS script (CASE.dss) runs the unbalanced power flow instead: see 'vvc powerflow CASE.dss "
    "--help'.\n"
    "CASE is a vvc JSON case (.json), a MATPOWER case (.m), or a folder holding case.json or one .m file.\n"
    "The sweep needs a radial network; auto takes the sweep when the network is radial, else "
    "Newton-Raphson.\n"
    "\n"
    "options:\n";

constexpr const char* kOutputHelp =
    "\n"
    "Output: one row per bus with |V| (pu), angle (degrees) and the bus's net injection p (MW), q (MVar),\n"
    "positive into the network (a bus with only a load shows negative p). The table adds the status, the\n"
    "iteration count, the algorithm, total losses and the slack power; csv has the header\n"
    "'bus,vm_pu,va_deg,p_mw,q_mvar'; json also gives branch flows.\n"
    "\n"
    "Exit status: 0 converged, 1 not converged (the status is printed), 2 bad input or options.\n";

grid::PowerFlowAlgorithm parse_algorithm(const std::string& text) {
  if (text == "bfs") return grid::PowerFlowAlgorithm::kSweep;
  if (text == "nr") return grid::PowerFlowAlgorithm::kNewtonRaphson;
  if (text == "auto") return grid::PowerFlowAlgorithm::kAuto;
  throw InputError("option '--algorithm': expected bfs, nr or auto, got '" + text + "'");
}

// An OpenDSS script (.dss) among the arguments selects the unbalanced power flow (powerflow_dss.cpp).
bool names_opendss_script(int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) == 0 || arg.size() < 4) continue;
    std::transform(arg.end() - 4, arg.end(), arg.end() - 4,
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (arg.compare(arg.size() - 4, 4, ".dss") == 0) return true;
  }
  return false;
}

}  // namespace

int run_powerflow(int argc, char** argv) {
  if (names_opendss_script(argc, argv)) return run_powerflow_dss(argc, argv);
  const Args args(argc, argv, 2, powerflow_options());
  if (args.help()) {
    std::cout << kUsage << format_options(powerflow_options()) << kOutputHelp;
    return 0;
  }
  if (args.positional().size() != 1) {
    throw InputError("expected exactly one CASE (a case file or folder), got " +
                     std::to_string(args.positional().size()) + " (see --help)");
  }
  grid::PowerFlowOptions options;
  options.algorithm = parse_algorithm(args.get_or("algorithm", "auto"));
  options.tolerance = args.number("tolerance", options.tolerance);
  if (options.tolerance <= 0.0) throw InputError("option '--tolerance': expected a number > 0");
  options.max_iterations = args.integer("max-iterations", options.max_iterations);
  if (options.max_iterations < 1) throw InputError("option '--max-iterations': expected an integer >= 1");
  const std::string format = args.get_or("format", "table");
  if (format != "table" && format != "csv" && format != "json") {
    throw InputError("option '--format': expected table, csv or json, got '" + format + "'");
  }

  const auto case_file = grid::resolve_case_path(args.positional().front());
  const grid::Network network = grid::read_case(case_file);
  // Checked here, not only inside the workspace, so that an island is reported with the file's name.
  grid::build_topology(network, case_file.string());
  grid::PowerFlowWorkspace workspace(network);
  const grid::PowerFlowResult& result =
      grid::solve(network, grid::nominal_injections(network), options, workspace);

  if (format == "table") {
    std::cout << powerflow_table(network, result);
  } else if (format == "json") {
    std::cout << powerflow_json(network, result);
  } else if (result.converged()) {
    std::cout << powerflow_csv(network, result);
  }
  if (!result.converged()) {
    std::cerr << "vvc powerflow: not converged: " << powerflow_status_line(network, result);
    return 1;
  }
  return 0;
}

}  // namespace vvc::cli
