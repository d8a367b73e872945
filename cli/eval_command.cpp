// vvc eval: evaluates controllers (reference controllers or a trained policy) on a study's scenario set.
#include <iomanip>
#include <iostream>
#include <sstream>

#include "args.hpp"
#include "commands.hpp"
#include "study_commands.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/core/diffop/policy.hpp"
#include "vvc/core/diffop/policy_io.hpp"
#include "vvc/core/env/controller.hpp"
#include "vvc/core/reference/limit.hpp"
#include "vvc/core/reference/nlp_ac.hpp"

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
  out << std::left << std::setw(18) << "controller" << std::right << std::setw(12) << "transient"
      << std::setw(10) << "steady" << std::setw(12) << "% out band" << std::setw(10) << "final out"
      << std::setw(10) << "failures"
      << "\n";
  for (const auto& r : rows) {
    out << std::left << std::setw(18) << r.controller << std::right << std::fixed << std::setprecision(4)
        << std::setw(12) << r.transient << std::setw(10) << r.steady << std::setprecision(2) << std::setw(12)
        << 100.0 * r.fraction_out_of_band << std::setw(10) << r.final_violations << std::setw(10)
        << r.power_flow_failures << "\n";
  }
  out.unsetf(std::ios::fixed);
}

namespace {

const std::vector<OptionSpec> kEvalOptions = {
    {"study", true, "study file, or a folder holding study.json (required)", "PATH"},
    {"controller", true,
     "comma-separated reference controllers: zero, voltvar, gradient-flow, limit (default: gradient-flow "
     "unless "
     "--policy is given)",
     "NAMES"},
    {"policy", true, "a trained DiffOP policy JSON to evaluate (added to the table)", "FILE"},
    {"seeds", true, "scenario ids A:B, half-open (default: the study's evaluation seeds, 0:500)", "A:B"},
    {"steps", true, "control steps per scenario (default: the study's, 100)", "T"},
    {"csv", true, "write per-scenario records of the last controller to this CSV file", "FILE"},
    {"threads", true, "worker threads (results do not depend on it; default 1)", "N"},
    {"backend", true,
     "QP backend of --policy: dense (default) or ipopt (serialized: Ipopt is not thread-safe, so one thread)",
     "NAME"},
};

}  // namespace

int run_eval(int argc, char** argv) {
  const Args args(argc, argv, 2, kEvalOptions);
  if (args.help()) {
    std::cout
        << "usage: vvc eval --study STUDY [--controller NAMES] [--policy FILE] [options]\n\n"
           "Evaluates controllers on the study's scenario set and prints the transient cost\n"
           "(sum_t 0.99^t F(q_t), mean over scenarios), the steady-state cost F(q_T), the percentage of\n"
           "scenario-steps with a bus outside the band, the scenarios ending outside it and power-flow\n"
           "failures.\n\noptions:\n"
        << format_options(kEvalOptions);
    return 0;
  }
  if (!args.has("study")) throw InputError("--study is required (see vvc eval --help)");
  if (!args.positional().empty()) throw InputError("unexpected argument '" + args.positional().front() + "'");
  const core::Study study = core::read_study(*args.get("study"));
  const auto scenarios = core::make_scenarios(study);
  core::EvaluationOptions options;
  options.ids =
      args.has("seeds") ? core::parse_seed_range(*args.get("seeds"), "--seeds") : study.evaluation_seeds;
  if (scenarios->size() >= 0 && !args.has("seeds")) options.ids = {0, scenarios->size()};
  options.steps = args.integer("steps", study.steps);
  if (options.steps < 1) throw InputError("--steps: expected an integer >= 1");
  options.threads = args.integer("threads", 1);
  if (options.threads < 1) throw InputError("--threads: expected an integer >= 1");

  std::vector<std::string> names =
      split_list(args.get_or("controller", args.has("policy") ? "" : "gradient-flow"));
  std::vector<core::EvaluationSummary> rows;
  core::Evaluation last;
  for (const auto& name : names) {
    core::ControllerFactory factory;
    if (name == "zero") {
      factory = [&] { return core::make_zero_controller(study); };
    } else if (name == "voltvar") {
      factory = [&] { return core::make_voltvar_controller(study); };
    } else if (name == "gradient-flow") {
      factory = [&] { return core::make_gradient_flow_controller(study, 0.5); };
    } else if (name == "nlp-ac") {
      core::EvaluationOptions serial = options;  // Ipopt is serialized: threads would only wait
      serial.threads = 1;
      last = core::evaluate(
          study, *scenarios, [&] { return core::make_nlp_policy_controller(study); }, serial);
      rows.push_back(last.summary);
      continue;
    } else if (name == "limit" || name == "limit-band") {
      last = core::evaluate_limit(study, *scenarios, options, name == "limit-band");
      rows.push_back(last.summary);
      continue;
    } else {
      throw InputError("--controller: unknown controller '" + name +
                       "' (expected zero, voltvar, gradient-flow, limit)");
    }
    last = core::evaluate(study, *scenarios, factory, options);
    rows.push_back(last.summary);
  }
  if (args.has("policy")) {
    const std::string path = *args.get("policy");
    const core::PolicyFile policy = core::read_policy(path);
    core::DiffOpStructure structure = policy.structure;
    const core::DiffOpModel model(study, structure);
    core::check_policy_matches(policy, model, path);
    const core::QpBackend backend = core::parse_qp_backend(args.get_or("backend", "dense"));
    core::EvaluationOptions policy_options = options;
    if (backend == core::QpBackend::kIpopt) policy_options.threads = 1;
    last = core::evaluate(
        study, *scenarios, [&] { return core::make_diffop_controller(model, policy.theta, backend); },
        policy_options);
    rows.push_back(last.summary);
  }
  if (rows.empty()) throw InputError("nothing to evaluate: give --controller or --policy");
  print_summary_table(std::cout, rows);
  if (args.has("csv")) core::write_episodes_csv(last, *args.get("csv"));
  return 0;
}

}  // namespace vvc::cli
