// vvc eval: evaluates controllers (the registry's reference controllers, a trained DiffOP policy or a trained DDPG
// baseline's networks) on a study's scenario set, through the experiment layer.
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
#include "vvc/core/experiment/experiment.hpp"
#include "vvc/core/reference/registry.hpp"

namespace vvc::cli {

std::vector<core::experiment::TrainedFile> read_study_and_files(const Job& job, const Args& args,
                                                                core::Study& study) {
  std::vector<core::experiment::TrainedFile> trained;
  core::read_inputs(job.communicator(), [&](const grid::SourceFiles& files) {
    study = core::read_study(*args.get("study"), files);
    trained.clear();
    for (const std::string& path : args.values("policy"))
      trained.push_back(core::experiment::parse_trained_file(files.read(path), path));
  });
  return trained;
}

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
      << std::setw(6) << "late" << std::setw(10) << "failures" << std::setw(11) << "fallbacks"
      << "\n";
  for (const auto& r : rows) {
    out << std::left << std::setw(name_width) << r.controller << std::right << std::fixed
        << std::setprecision(4) << std::setw(12) << r.transient << std::setw(10) << r.steady
        << std::setprecision(2) << std::setw(12) << 100.0 * r.fraction_out_of_band << std::setw(10)
        << r.final_violations << std::setw(6) << r.late_recoveries << std::setw(10)
        << r.power_flow_failures + r.controller_failures << std::setw(11) << r.fallback_steps << "\n";
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
     "comma-separated controllers (below; default: gradient-flow unless --policy is given; with --day: "
     "zero,voltvar)",
     "NAMES"},
    {"policy", true,
     "a trained policy to evaluate (added to the table as 'CONTROLLER (FILE)'): a DiffOP policy (vvc train "
     "--out) or a DDPG baseline's networks (vvc train --method stable-ddpg|tasrl --out); repeatable",
     "FILE", true},
    {"seeds", true, "scenario ids A:B, half-open (default: the study's evaluation_seeds)", "A:B"},
    {"steps", true,
     "control steps per scenario (default: the study's, 100); with --day: replay only the first T", "T"},
    {"csv", true,
     "write per-scenario records of the last controller to this CSV file (with --day: every step of every "
     "controller)",
     "FILE"},
    {"trace", true,
     "write the first scenario's episode under the last controller: |V| of every bus and phase at every step "
     "to FILE, the inverters' q beside it (FILE_q.csv) and the regulator taps (FILE_taps.csv)",
     "FILE"},
    {"threads", true, "worker threads (results do not depend on it; default 1)", "N"},
    {"backend", true,
     "QP backend of --policy: dense (default) or ipopt (serialized: Ipopt is not thread-safe, so one thread)",
     "NAME"},
    {"strict", false,
     "a policy trained for another network, band, inverter limits or cost is an error (otherwise a "
     "warning)"},
    {"day", true,
     "replay a day profile (sample,time_s,load_p,load_q,pv_p; docs/formats/day.md) on a three-phase study, "
     "one "
     "step per sample: prints the day's summary per controller, --csv writes every step",
     "FILE"},
    {"day-shapes", false,
     "replay the study script's own daily load shapes as the day (instead of --day FILE; the study's "
     "loadshape scenarios, one step per shape point)"},
    {"stride", true, "with --day: replay every K-th sample (default 1)", "K"},
    {"pv-kw", true,
     "with --day: kW per inverter phase at PV multiplier 1, for inverters without active power in the script "
     "(default: the study's day scenarios' pv_kw, else 100)",
     "KW"},
    {"normalize", true,
     "with --day: the multipliers are each column over its mean or its peak: mean or peak (default: as the "
     "study's day scenarios, else mean)",
     "HOW"},
    {"quiet", false, "no progress line"},
};

void print_day_table(std::ostream& out, const std::vector<core::DayReplay>& replays) {
  int name_width = 14;
  for (const auto& r : replays)
    name_width = std::max(name_width, static_cast<int>(r.summary.controller.size()) + 1);
  out << std::left << std::setw(name_width) << "controller" << std::right << std::setw(8) << "steps"
      << std::setw(12) << "out band" << std::setw(14) << "node-phases" << std::setw(11) << "worst pu"
      << std::setw(12) << "kvar-h" << std::setw(12) << "loss kWh" << std::setw(14) << "cost" << std::setw(10)
      << "failures" << std::setw(11) << "fallbacks" << std::setw(9) << "CPU s"
      << "\n";
  for (const auto& r : replays) {
    const core::DaySummary& s = r.summary;
    out << std::left << std::setw(name_width) << s.controller << std::right << std::setw(8) << s.steps
        << std::setw(12) << s.steps_out_of_band << std::setw(14) << s.node_phase_violations << std::fixed
        << std::setprecision(5) << std::setw(11) << s.worst_violation << std::setprecision(1) << std::setw(12)
        << s.kvar_hours << std::setw(12) << s.losses_kwh << std::setprecision(3) << std::setw(14) << s.cost
        << std::setw(10) << s.power_flow_failures + s.controller_failures << std::setw(11) << s.fallback_steps
        << std::setprecision(2) << std::setw(9) << s.cpu_seconds << "\n";
    out.unsetf(std::ios::fixed);
  }
}

/// vvc eval --day, --day-shapes: the day replayed under each controller (core::experiment::replay_day).
int run_day(const Args& args, const core::Study& study,
            const std::vector<core::experiment::TrainedFile>& trained, Job& job) {
  for (const char* option : {"seeds", "trace", "threads"}) {
    if (args.has(option)) throw InputError(std::string("--") + option + " does not apply to --day");
  }
  if (job.communicator().size() > 1) throw InputError("--day replays in one process, not in an MPI job");
  core::experiment::DayRequest request;
  request.day.steps = args.integer("steps", 0);
  if (request.day.steps < 1 && args.has("steps")) throw InputError("--steps: expected an integer >= 1");
  request.day.stride = args.integer("stride", 1);
  if (request.day.stride < 1) throw InputError("--stride: expected an integer >= 1");
  if (study.scenarios.type == "day") {
    request.day.pv_kw = study.scenarios.pv_kw;
    request.day.normalize = study.scenarios.normalize;
  }
  request.day.pv_kw = args.number("pv-kw", request.day.pv_kw);
  if (!(request.day.pv_kw >= 0.0)) throw InputError("--pv-kw: expected a number >= 0");
  if (const auto normalize = args.get("normalize")) {
    if (*normalize != "mean" && *normalize != "peak")
      throw InputError("--normalize: expected mean or peak, got '" + *normalize + "'");
    request.day.normalize =
        *normalize == "mean" ? core::DayNormalization::kMean : core::DayNormalization::kPeak;
  }
  request.controllers = split_list(args.get_or("controller", "zero,voltvar"));
  for (const auto& file : trained) file.add_to(request);
  request.backend = core::parse_qp_backend(args.get_or("backend", "dense"));
  request.strict = args.has("strict");
  if (request.controllers.empty() && request.policies.empty() && request.baselines.empty()) {
    throw InputError("nothing to replay: give --controller or --policy");
  }
  if (args.has("day") && args.has("day-shapes"))
    throw InputError("give --day FILE or --day-shapes, not both");
  for (const char* option : {"pv-kw", "normalize"}) {
    if (args.has("day-shapes") && args.has(option))
      throw InputError(std::string("--") + option + " does not apply to --day-shapes");
  }
  const core::DayScenario day =
      args.has("day-shapes")
          ? core::make_loadshape_day(study, request.day)
          : core::make_day_scenario(study, core::read_day_profile(*args.get("day")), request.day);
  job.inputs_read();
  job.start_work();
  install_stop_handlers();
  ProgressReporter progress(ProgressReporter::Style::kLine, args.has("quiet"), false);
  const core::experiment::DayResult result = core::experiment::replay_day(study, day, request, &progress);
  for (const auto& warning : result.warnings) std::cerr << "vvc eval: warning: " << warning.message() << "\n";
  print_day_table(std::cout, result.replays);
  if (result.stopped) {
    std::cerr << "vvc eval: stopped by signal " << stop_signal() << " before the end\n";
    return kStoppedExitStatus;
  }
  if (args.has("csv")) core::write_day_csv(result.replays, *args.get("csv"));
  return 0;
}

}  // namespace

int run_eval(int argc, char** argv, Job& job) {
  const Args args(argc, argv, 2, kEvalOptions);
  if (args.help()) {
    std::cout
        << "usage: vvc eval --study STUDY [--controller NAMES] [--policy FILE ...] [options]\n"
           "       vvc eval --study STUDY --day FILE|--day-shapes [--controller NAMES] [--policy FILE ...] "
           "[--csv OUT] [options]\n\n"
           "Evaluates controllers on the study's scenario set and prints the transient cost\n"
           "(sum_t 0.99^t F(q_t), mean over scenarios), the steady-state cost F(q_T), the percentage of\n"
           "scenario-steps with a bus outside the band, the scenarios ending outside it, the failed steps "
           "(power\n"
           "flow not converged, or no action computed) and the steps that used a fallback (DiffOP: the hard\n"
           "limits were infeasible, the exact-penalty QP acted).\n\n"
           "With --day, replays a day of load and PV multipliers (default controllers: zero, voltvar, and "
           "the\n"
           "--policy if given) and prints per controller the steps with a node-phase outside the band, the\n"
           "node-phase violations summed over steps, the worst violation, the kvar-hours used, the kWh "
           "lost,\n"
           "the day's cost and the replay's CPU time.\n\noptions:\n"
        << format_options(kEvalOptions) << "\ncontrollers:\n"
        << controller_help();
    return 0;
  }
  if (!args.has("study")) throw InputError("--study is required (see vvc eval --help)");
  if (!args.positional().empty()) throw InputError("unexpected argument '" + args.positional().front() + "'");
  core::Study study;
  const std::vector<core::experiment::TrainedFile> trained = read_study_and_files(job, args, study);
  if (args.has("day") || args.has("day-shapes")) return run_day(args, study, trained, job);
  for (const char* option : {"stride", "pv-kw", "normalize"}) {
    if (args.has(option)) throw InputError(std::string("--") + option + " applies to --day only");
  }
  core::experiment::EvaluateRequest request;
  if (args.has("seeds")) request.seeds = core::parse_seed_range(*args.get("seeds"), "--seeds");
  request.steps = args.integer("steps", study.steps);
  if (request.steps < 1) throw InputError("--steps: expected an integer >= 1");
  request.threads = args.integer("threads", 1);
  if (request.threads < 1) throw InputError("--threads: expected an integer >= 1");
  request.controllers = split_list(args.get_or("controller", args.has("policy") ? "" : "gradient-flow"));
  for (const auto& file : trained) file.add_to(request);
  request.backend = core::parse_qp_backend(args.get_or("backend", "dense"));
  request.strict = args.has("strict");
  if (args.has("trace")) request.trace.episodes = 1;
  if (request.controllers.empty() && request.policies.empty() && request.baselines.empty()) {
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
  for (const auto& warning : result.warnings) std::cerr << "vvc eval: warning: " << warning.message() << "\n";
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
