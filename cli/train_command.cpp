// vvc train: trains a DiffOP policy on a study through the experiment layer, evaluates it on the evaluation
// seeds and writes the policy JSON. SIGINT and SIGTERM stop training at the end of the iteration under way; the
// command then writes the final checkpoint and the best policy so far and exits with status 130. With --method
// stable-ddpg or tasrl it trains that DDPG baseline instead, evaluates it, prints the table and, with --out,
// writes its networks (baselines/baseline_io.hpp).
#include <unistd.h>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <optional>

#include "args.hpp"
#include "commands.hpp"
#include "job.hpp"
#include "progress.hpp"
#include "study_commands.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/core/diffop/policy_io.hpp"
#include "vvc/core/experiment/experiment.hpp"

namespace vvc::cli {

namespace {

const std::vector<OptionSpec> kTrainOptions = {
    {"study", true, "study file, or a folder holding study.json (required)", "PATH"},
    {"out", true, "policy JSON to write (required for DiffOP; optional for the DDPG baselines)", "FILE"},
    {"method", true,
     "diffop-step or diffop-traj (DiffOP, the default: --mode picks), stable-ddpg or tasrl (the DDPG "
     "baselines: trained, evaluated, printed and, with --out, written)",
     "NAME"},
    {"episodes", true, "stable-ddpg, tasrl: training episodes (default: the reference's, 200 / 700)", "K"},
    {"mode", true, "step (receding horizon, default) or traj (open-loop plan)", "MODE"},
    {"horizon", true, "planning horizon H in steps (default: 1 for step, 10 for traj)", "H"},
    {"iterations", true, "policy-gradient iterations in all (default 150)", "K"},
    {"seed", true, "random seed of scenario sampling and exploration (default 1)", "S"},
    {"threads", true, "rollout threads; results do not depend on it (default 2)", "N"},
    {"scenarios", true, "training scenarios per iteration (default 16)", "B"},
    {"gradient", true,
     "policy-gradient estimator: likelihood-ratio or pathwise (the plant's voltage sensitivities; "
     "three-phase "
     "studies only). Default: pathwise on three-phase studies, likelihood-ratio on balanced ones",
     "NAME"},
    {"draws", true, "likelihood-ratio: noise draws per scenario, >= 2 (default 4)", "K"},
    {"sigma", true, "likelihood-ratio: exploration standard deviation, MVar (default 0.05)", "X"},
    {"violation-penalty", true,
     "training cost per pu outside the voltage band and step, added to the study's cost (default: 1 with "
     "cost form F; with the Stable-DDPG form 0 for diffop-step, the study's violation weight for "
     "diffop-traj; "
     "0: the cost alone)",
     "X"},
    {"replan", true, "traj: re-plan from the measured state every K steps (default: H; 0: open loop)", "K"},
    {"backoff", true, "on (default): learn a back-off of the band per modelled bus; off: none", "ON|OFF"},
    {"learning-rate", true, "Adam step size on the normalized parameters (default 0.05)", "X"},
    {"validation-scenarios", true,
     "validation scenarios: the first K training seeds, held out (default: min(64, N/4) of the study's N)",
     "K"},
    {"validation-every", true, "iterations between validations, and after the last (default 10)", "K"},
    {"eval-seeds", true, "evaluation scenario ids after training (default: the study's evaluation_seeds)",
     "A:B"},
    {"checkpoint-every", true, "write the trainer state every K iterations (and when stopped)", "K"},
    {"checkpoint", true, "checkpoint file (default: OUT.checkpoint.json)", "FILE"},
    {"resume", true, "continue from a checkpoint; gives the same policy as an uninterrupted run", "FILE"},
    {"check-gradients", false,
     "re-check the KKT policy gradient against central differences every iteration"},
    {"quiet", false, "no progress line"},
};

/// The options that fix the trained policy's numbers: a resume must not contradict the checkpoint on them.
struct Fixed {
  const char* option;
  std::string given;
  std::string stored;
};

std::string number_text(double x) {
  std::ostringstream s;
  s << x;
  return s.str();
}

/// Fails when an option given with --resume differs from the checkpoint's value.
void check_resume_options(const Args& args, const core::PolicyFile& meta, const std::string& checkpoint) {
  const core::DiffOpTrainingOptions& t = meta.training;
  std::vector<Fixed> fixed;
  auto add = [&](const char* option, const std::string& given, const std::string& stored) {
    if (args.has(option) && given != stored) fixed.push_back({option, given, stored});
  };
  add("mode", args.get_or("mode", ""), core::to_string(meta.structure.mode));
  if (args.has("horizon"))
    add("horizon", std::to_string(args.integer("horizon", 0)), std::to_string(meta.structure.horizon));
  if (args.has("seed")) add("seed", std::to_string(args.integer("seed", 0)), std::to_string(t.seed));
  if (args.has("scenarios")) {
    add("scenarios", std::to_string(args.integer("scenarios", 0)), std::to_string(t.scenarios_per_iteration));
  }
  if (args.has("gradient")) {
    add("gradient", args.get_or("gradient", ""),
        core::to_string(t.gradient.value_or(core::GradientEstimator::kLikelihoodRatio)));
  }
  if (args.has("draws"))
    add("draws", std::to_string(args.integer("draws", 0)), std::to_string(t.noise_draws));
  if (args.has("sigma")) add("sigma", number_text(args.number("sigma", 0.0)), number_text(t.sigma));
  if (args.has("violation-penalty")) {
    add("violation-penalty", number_text(args.number("violation-penalty", 0.0)),
        number_text(t.violation_penalty.value_or(0.0)));
  }
  add("backoff", args.get_or("backoff", ""), meta.structure.backoff ? "on" : "off");
  if (args.has("replan"))
    add("replan", std::to_string(args.integer("replan", 0)), std::to_string(meta.structure.replan));
  if (args.has("learning-rate")) {
    add("learning-rate", number_text(args.number("learning-rate", 0.0)), number_text(t.adam.learning_rate));
  }
  if (args.has("validation-scenarios")) {
    add("validation-scenarios", std::to_string(args.integer("validation-scenarios", 0)),
        std::to_string(t.validation.scenarios));
  }
  if (args.has("validation-every")) {
    add("validation-every", std::to_string(args.integer("validation-every", 0)),
        std::to_string(t.validation.every));
  }
  if (fixed.empty()) return;
  std::string text;
  for (const auto& f : fixed) {
    text += std::string(text.empty() ? "" : ", ") + "--" + f.option + " " + f.given +
            " (checkpoint: " + f.stored + ")";
  }
  throw InputError("--resume " + checkpoint + ": " + text +
                   " contradict the checkpoint; a resume may change only --iterations, --threads, --out, "
                   "--checkpoint, --checkpoint-every, --eval-seeds, --check-gradients and --quiet");
}

/// The options only DiffOP training reads.
const char* const kDiffOpOnly[] = {"mode",
                                   "horizon",
                                   "iterations",
                                   "scenarios",
                                   "draws",
                                   "sigma",
                                   "violation-penalty",
                                   "replan",
                                   "backoff",
                                   "learning-rate",
                                   "validation-scenarios",
                                   "validation-every",
                                   "checkpoint-every",
                                   "checkpoint",
                                   "resume",
                                   "check-gradients"};

/// Reports an unwritable output file now, before any training: the folder must exist and accept a new file.
void check_writable(const std::filesystem::path& path, const char* option) {
  const std::filesystem::path folder = path.parent_path().empty() ? "." : path.parent_path();
  const std::filesystem::path probe = folder / (".vvc-write-test-" + std::to_string(::getpid()));
  std::FILE* f = std::fopen(probe.c_str(), "w");
  if (f == nullptr) {
    throw InputError(std::string(option) + " " + path.string() + ": cannot write into " + folder.string() +
                     " (" + std::strerror(errno) + ")");
  }
  std::fclose(f);
  std::filesystem::remove(probe);
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError(std::string(option) + " " + path.string() + ": is a folder, expected a file name");
  }
}

/// vvc train --method stable-ddpg|tasrl: the baseline with the comparison table's settings (its reference
/// budget, a held-out validation every 25 episodes on the comparison's common validation seeds), evaluated,
/// printed and, with --out, written.
int train_baseline(const Args& args, const core::Study& study, core::experiment::Method method, Job& job) {
  for (const char* option : kDiffOpOnly) {
    if (args.has(option)) {
      throw InputError(std::string("--") + option + ": a DiffOP option; --method " +
                       core::experiment::method_info(method).key + " does not take it");
    }
  }
  core::experiment::TrainRequest request = core::experiment::table_request(study, method, false, 1);
  request.ddpg.episodes = args.integer("episodes", request.ddpg.episodes);
  request.ddpg.seed = static_cast<std::uint64_t>(args.integer("seed", 1));
  request.threads = args.integer("threads", 2);
  if (request.threads < 1)
    throw InputError("--threads: expected an integer >= 1, got " + std::to_string(request.threads));
  request.evaluation_seeds = args.has("eval-seeds")
                                 ? core::parse_seed_range(*args.get("eval-seeds"), "--eval-seeds")
                                 : study.evaluation_seeds;
  request.communicator = &job.communicator();
  if (job.root() && args.has("out")) check_writable(*args.get("out"), "--out");
  job.inputs_read();
  job.start_work();
  install_stop_handlers();
  ProgressReporter progress(ProgressReporter::Style::kLine, args.has("quiet") || !job.root(),
                            job.communicator().size() > 1);
  const core::experiment::TrainResult result = core::experiment::train(study, request, &progress);
  if (!job.root()) return result.evaluation ? 0 : kStoppedExitStatus;
  if (!result.evaluation) {
    std::cerr << "vvc train: stopped by signal " << stop_signal() << " after " << result.summary.iterations
              << " episodes\n";
    return kStoppedExitStatus;
  }
  if (args.has("out"))
    core::write_baseline(core::experiment::baseline_file(study, request, result), *args.get("out"));
  std::cout << "trained " << result.summary.method << " in " << std::fixed << std::setprecision(1)
            << result.summary.seconds << " s (" << result.summary.iterations
            << " episodes); evaluation on seeds " << request.evaluation_seeds->first << ":"
            << request.evaluation_seeds->last << ":\n";
  print_summary_table(std::cout, {result.evaluation->summary});
  if (args.has("out")) std::cout << "networks written to " << *args.get("out") << "\n";
  return 0;
}

}  // namespace

int run_train(int argc, char** argv, Job& job) {
  const Args args(argc, argv, 2, kTrainOptions);
  if (args.help()) {
    std::cout
        << "usage: vvc train --study STUDY --out policy.json [options]\n\n"
           "Trains a DiffOP policy (a QP with a learned linear voltage model, learned cost terms and hard\n"
           "voltage limits) by the implicit policy gradient, evaluates it on the study's evaluation seeds "
           "and\n"
           "writes the policy JSON (docs/formats/policy.md). Ctrl-C (SIGINT) or SIGTERM stops at the end of\n"
           "the iteration under way, writes the checkpoint and the best policy so far, and exits with "
           "status\n"
           "130. --resume continues a checkpoint; it may change only --iterations, --threads, --out,\n"
           "--checkpoint, --checkpoint-every, --eval-seeds, --check-gradients and --quiet.\n"
           "--method stable-ddpg or tasrl trains that DDPG baseline instead (on a three-phase study,\n"
           "Stable-DDPG has one agent per bus over its phases), evaluates it, prints the table and,\n"
           "with --out, writes its networks (\"format\": \"vvc.baseline\"; vvc eval --policy reads "
           "them).\n\noptions:\n"
        << format_options(kTrainOptions);
    return 0;
  }
  if (!args.has("study")) throw InputError("--study is required (see vvc train --help)");
  if (!args.positional().empty()) throw InputError("unexpected argument '" + args.positional().front() + "'");
  std::optional<core::experiment::Method> method;
  if (args.has("method")) {
    method = core::experiment::parse_method(*args.get("method"));
    if (*method != core::experiment::Method::kDiffOpStep &&
        *method != core::experiment::Method::kDiffOpTraj &&
        *method != core::experiment::Method::kStableDdpg && *method != core::experiment::Method::kTasrl) {
      throw InputError("--method " + *args.get("method") +
                       ": vvc train trains diffop-step, diffop-traj, stable-ddpg and tasrl (the others: vvc "
                       "bench table)");
    }
  }
  const bool baseline = method && !core::experiment::is_diffop_form(*method);
  if (!baseline && args.has("episodes"))
    throw InputError("--episodes: for --method stable-ddpg or tasrl only");
  if (!baseline && !args.has("out")) throw InputError("--out is required (see vvc train --help)");
  const bool resume = args.has("resume");
  core::Study study;
  core::experiment::TrainRequest request;
  core::PolicyFile meta;
  // On the ranks of a job rank 0 alone reads the checkpoint (read_inputs): it rewrites it while the job runs.
  core::read_inputs(job.communicator(), [&](const grid::SourceFiles& files) {
    study = core::read_study(*args.get("study"), files);
    if (resume && !baseline) {
      request.resume = core::parse_checkpoint(files.read(*args.get("resume")), *args.get("resume"), meta);
    }
  });
  if (baseline) return train_baseline(args, study, *method, job);
  const std::string out_path = *args.get("out");
  const std::string checkpoint_path = args.get_or("checkpoint", out_path + ".checkpoint.json");

  if (resume) {
    check_resume_options(args, meta, *args.get("resume"));
    request.method = meta.structure.mode == core::DiffOpMode::kStep ? core::experiment::Method::kDiffOpStep
                                                                    : core::experiment::Method::kDiffOpTraj;
    if (method && *method != request.method) {
      throw InputError("--method " + *args.get("method") + " contradicts the checkpoint's " +
                       core::experiment::method_info(request.method).key);
    }
    request.horizon = meta.structure.horizon;
    request.backoff = meta.structure.backoff;
    request.replan = meta.structure.replan;
    request.diffop = meta.training;
  } else {
    const core::DiffOpMode mode = core::parse_diffop_mode(
        args.get_or("mode", method == core::experiment::Method::kDiffOpTraj ? "traj" : "step"));
    if (method && (mode == core::DiffOpMode::kStep) != (*method == core::experiment::Method::kDiffOpStep)) {
      throw InputError("--mode " + *args.get("mode") + " contradicts --method " + *args.get("method"));
    }
    request.method = mode == core::DiffOpMode::kStep ? core::experiment::Method::kDiffOpStep
                                                     : core::experiment::Method::kDiffOpTraj;
    request.horizon = args.integer("horizon", mode == core::DiffOpMode::kStep ? 1 : 10);
    if (request.horizon < 1)
      throw InputError("--horizon: expected an integer >= 1, got " + std::to_string(request.horizon));
    core::DiffOpTrainingOptions& o = request.diffop;
    o.seed = static_cast<std::uint64_t>(args.integer("seed", 1));
    o.scenarios_per_iteration = args.integer("scenarios", o.scenarios_per_iteration);
    if (args.has("gradient"))
      o.gradient = core::parse_gradient_estimator(*args.get("gradient"), "--gradient");
    o.noise_draws = args.integer("draws", o.noise_draws);
    o.sigma = args.number("sigma", o.sigma);
    if (args.has("violation-penalty")) o.violation_penalty = args.number("violation-penalty", 0.0);
    const std::string backoff = args.get_or("backoff", "on");
    if (backoff != "on" && backoff != "off")
      throw InputError("--backoff: expected on or off, got '" + backoff + "'");
    request.backoff = backoff == "on";
    if (args.has("replan")) {
      request.replan = args.integer("replan", 0);
      if (*request.replan < 0)
        throw InputError("--replan: expected an integer >= 0, got " + std::to_string(*request.replan));
    }
    o.adam.learning_rate = args.number("learning-rate", o.adam.learning_rate);
    o.validation.scenarios = args.integer("validation-scenarios", o.validation.scenarios);
    o.validation.every = args.integer("validation-every", o.validation.every);
  }
  core::DiffOpTrainingOptions& options = request.diffop;
  options.iterations = args.integer("iterations", resume ? options.iterations : 150);
  options.check_gradients = args.has("check-gradients");
  options.checkpoint.every = args.integer("checkpoint-every", 0);
  request.threads = args.integer("threads", 2);
  if (request.threads < 1)
    throw InputError("--threads: expected an integer >= 1, got " + std::to_string(request.threads));
  if (resume && options.iterations <= request.resume->iteration) {
    throw InputError("--iterations " + std::to_string(options.iterations) + ": the checkpoint has done " +
                     std::to_string(request.resume->iteration) + " iterations already");
  }
  request.evaluation_seeds = args.has("eval-seeds")
                                 ? core::parse_seed_range(*args.get("eval-seeds"), "--eval-seeds")
                                 : study.evaluation_seeds;
  request.checkpoint_file = checkpoint_path;
  if (resume) {
    core::DiffOpStructure structure = meta.structure;
    structure.episode_steps = study.steps;
    structure.discount = study.discount;
    const core::DiffOpModel model(study, structure);
    core::check_policy_matches(meta, model, *args.get("resume"));
    const core::DiffOpStructure trained = core::experiment::diffop_structure(study, request);
    if (trained != structure) {
      const auto form = [](const core::DiffOpStructure& s) {
        return "objective " + core::to_string(s.objective) + ", absolute move cost " +
               (s.absolute_move ? "on" : "off") + ", back-off floor " + number_text(s.min_backoff);
      };
      throw InputError("--resume " + *args.get("resume") + ": the checkpoint's QP (" + form(structure) +
                       ") is not the one this version trains on this study (" + form(trained) +
                       "): it was written by an older vvc; train anew");
    }
  }
  if (job.root()) {
    check_writable(out_path, "--out");
    check_writable(checkpoint_path, "--checkpoint");
  }
  request.communicator = &job.communicator();
  job.inputs_read();
  job.start_work();

  install_stop_handlers();
  ProgressReporter progress(ProgressReporter::Style::kLine, args.has("quiet") || !job.root(),
                            job.communicator().size() > 1);
  const core::experiment::TrainResult result = core::experiment::train(study, request, &progress);
  if (!job.root()) return result.summary.stopped() || !result.evaluation ? kStoppedExitStatus : 0;
  const core::PolicyFile policy = core::experiment::policy_file(request, result);
  core::write_policy(policy, out_path);
  const core::DiffOpStructure& structure = result.model->structure();
  if (result.summary.stopped()) {
    std::cerr << "vvc train: stopped by signal " << stop_signal() << " after " << result.summary.iterations
              << " iterations; checkpoint written to " << checkpoint_path << ", best policy so far to "
              << out_path << " (continue with --resume " << checkpoint_path << ")\n";
    return kStoppedExitStatus;
  }
  if (!result.evaluation) {
    std::cerr << "vvc train: stopped by signal " << stop_signal()
              << " during the evaluation; the trained policy"
              << " is written to " << out_path << " without it\n";
    return kStoppedExitStatus;
  }
  std::cout << "trained DiffOP(" << core::to_string(structure.mode) << ", H = " << structure.horizon
            << ") in " << std::fixed << std::setprecision(1) << result.summary.seconds << " s ("
            << result.summary.iterations << " iterations); evaluation on seeds "
            << request.evaluation_seeds->first << ":" << request.evaluation_seeds->last << ":\n";
  print_summary_table(std::cout, {result.evaluation->summary});
  std::cout << "policy written to " << out_path << "\n";
  return 0;
}

}  // namespace vvc::cli
