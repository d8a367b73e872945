// vvc eval: evaluates controllers (the registry's reference controllers or a trained policy) on a study's
// scenario set, through the experiment layer.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include "args.hpp"
#include "commands.hpp"
#include "job.hpp"
#include "progress.hpp"
#include "study_commands.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/core/diffop/policy_io.hpp"
#include "vvc/core/experiment/experiment.hpp"
#include "vvc/core/reference/registry.hpp"

namespace vvc::cli {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

void print_summary_table(std::ostream& out, const std::vector<core::EvaluationSummary>& rows) {
  int name_width = 18;  // wider only for longer names (limit-band-per-step)
  for (const auto& r : rows) name_width = std::max(name_width, static_cast<int>(r.controller.size()) + 1);
  out << std::left << std::setw(name_width) << "controller" << std::right << std::setw(12) << "transient"
      << std::setw(10) << "steady" << std::setw(12) << "% out band" << std::setw(10) << "final out"
      << std::setw(10) << "failures" << std::setw(11) << "fallbacks"
      << "\n";
  for (const auto& r : rows) {
    out << std::left << std::setw(name_width) << r.controller << std::right << std::fixed
        << std::setprecision(4) << std::setw(12) << r.transient << std::setw(10) << r.steady
        << std::setprecision(2) << std::setw(12) << 100.0 * r.fraction_out_of_band << std::setw(10)
        << r.final_violations << std::setw(10) << r.power_flow_failures + r.controller_failures
        << std::setw(11) << r.fallback_steps << "\n";
  }
  out.unsetf(std::ios::fixed);
}

std::string controller_help() {
  std::ostringstream out;
  for (const auto& e : core::controller_registry()) {
    out << "  " << std::left << std::setw(22) << e.name << e.description << "\n";
  }
  return out.str();
}

namespace {

const std::vector<OptionSpec> kEvalOptions = {
    {"study", true, "study file, or a folder holding study.json (required)", "PATH"},
    {"controller", true,
     "comma-separated controllers (below; default: gradient-flow unless --policy is given)", "NAMES"},
    {"policy", true, "a trained DiffOP policy JSON to evaluate (added to the table)", "FILE"},
    {"seeds", true, "scenario ids A:B, half-open (default: the study's evaluation_seeds)", "A:B"},
    {"steps", true, "control steps per scenario (default: the study's, 100)", "T"},
    {"csv", true, "write per-scenario records of the last controller to this CSV file", "FILE"},
    {"trace", true,
     "write the first scenario's episode under the last controller: |V| of every bus and phase at every step "
     "to FILE, the inverters' q beside it (FILE_q.csv) and the regulator taps (FILE_taps.csv)",
     "FILE"},
    {"threads", true, "worker threads (results do not depend on it; default 1)", "N"},
    {"backend", true,
     "QP backend of --policy: dense (default) or ipopt (serialized: Ipopt is not thread-safe, so one thread)",
     "NAME"},
    {"strict", false,
     "a policy trained for another network, band, inverter limits or cost is an error (otherwise a warning)"},
    {"quiet", false, "no progress line"},
};

}  // namespace

int run_eval(int argc, char** argv, Job& job) {
  const Args args(argc, argv, 2, kEvalOptions);
  if (args.help()) {
    std::cout
        << "usage: vvc eval --study STUDY [--controller NAMES] [--policy FILE] [options]\n\n"
           "Evaluates controllers on the study's scenario set and prints the transient cost\n"
           "(sum_t 0.99^t F(q_t), mean over scenarios), the steady-state cost F(q_T), the percentage of\n"
           "scenario-steps with a bus outside the band, the scenarios ending outside it, the failed steps "
           "(power\n"
           "flow not converged, or no action computed) and the steps that used a fallback (DiffOP: the hard\n"
           "limits were infeasible, the exact-penalty QP acted).\n\noptions:\n"
        << format_options(kEvalOptions) << "\ncontrollers:\n"
        << controller_help();
    return 0;
  }
  if (!args.has("study")) throw InputError("--study is required (see vvc eval --help)");
  if (!args.positional().empty()) throw InputError("unexpected argument '" + args.positional().front() + "'");
  core::Study study;
  std::optional<core::PolicyFile> policy;
  core::read_inputs(job.communicator(), [&](const grid::SourceFiles& files) {
    study = core::read_study(*args.get("study"), files);
    if (args.has("policy")) policy = core::parse_policy(files.read(*args.get("policy")), *args.get("policy"));
  });
  core::experiment::EvaluateRequest request;
  if (args.has("seeds")) request.seeds = core::parse_seed_range(*args.get("seeds"), "--seeds");
  request.steps = args.integer("steps", study.steps);
  if (request.steps < 1) throw InputError("--steps: expected an integer >= 1");
  request.threads = args.integer("threads", 1);
  if (request.threads < 1) throw InputError("--threads: expected an integer >= 1");
  request.controllers = split_list(args.get_or("controller", args.has("policy") ? "" : "gradient-flow"));
  if (policy) request.policies.push_back({*args.get("policy"), std::move(*policy)});
  request.backend = core::parse_qp_backend(args.get_or("backend", "dense"));
  request.strict = args.has("strict");
  if (args.has("trace")) request.trace.episodes = 1;
  if (request.controllers.empty() && request.policies.empty()) {
    throw InputError("nothing to evaluate: give --controller or --policy");
  }
  request.communicator = &job.communicator();
  job.inputs_read();
  job.start_work();
  install_stop_handlers();
  ProgressReporter progress(ProgressReporter::Style::kLine, args.has("quiet") || !job.root(),
                            job.communicator().size() > 1);
  const core::experiment::EvaluateResult result = core::experiment::evaluate(study, request, &progress);
  if (!job.root()) return result.stopped ? kStoppedExitStatus : 0;
  for (const auto& warning : result.warnings) std::cerr << "vvc eval: warning: " << warning << "\n";
  std::vector<core::EvaluationSummary> rows;
  for (const auto& ev : result.evaluations) rows.push_back(ev.summary);
  print_summary_table(std::cout, rows);
  if (result.stopped) {
    std::cerr << "vvc eval: stopped by signal " << stop_signal() << " before the end\n";
    return kStoppedExitStatus;
  }
  if (args.has("csv") && !result.evaluations.empty()) {
    core::write_episodes_csv(result.evaluations.back(), *args.get("csv"));
  }
  if (args.has("trace") && !result.evaluations.empty() && !result.evaluations.back().traces.empty()) {
    core::write_trace_csv(study, result.evaluations.back().traces.front(), *args.get("trace"));
  }
  return 0;
}

}  // namespace vvc::cli
