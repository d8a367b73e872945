// vvc train: trains a DiffOP policy on a study, evaluates it on the evaluation seeds and writes the policy
// JSON.
#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>

#include "args.hpp"
#include "commands.hpp"
#include "study_commands.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/core/diffop/policy_io.hpp"
#include "vvc/core/diffop/trainer.hpp"

namespace vvc::cli {

namespace {

const std::vector<OptionSpec> kTrainOptions = {
    {"study", true, "study file, or a folder holding study.json (required)", "PATH"},
    {"mode", true, "step (receding horizon, default) or traj (open-loop plan)", "MODE"},
    {"horizon", true, "planning horizon H in steps (default: 1 for step, 10 for traj)", "H"},
    {"iterations", true, "policy-gradient iterations (default 150)", "K"},
    {"seed", true, "random seed of scenario sampling and exploration (default 1)", "S"},
    {"threads", true, "rollout threads; results do not depend on it (default 2)", "N"},
    {"scenarios", true, "training scenarios per iteration (default 16)", "B"},
    {"draws", true, "noise draws per scenario, >= 2 (default 4)", "K"},
    {"sigma", true, "exploration standard deviation, MVar (default 0.05)", "X"},
    {"learning-rate", true, "Adam step size on the normalized parameters (default 0.05)", "X"},
    {"out", true, "policy JSON to write (required)", "FILE"},
    {"eval-seeds", true, "evaluation scenario ids after training (default: the study's, 0:500)", "A:B"},
    {"checkpoint-every", true, "write the trainer state every K iterations (with --checkpoint)", "K"},
    {"checkpoint", true, "checkpoint file (default: OUT.checkpoint.json)", "FILE"},
    {"resume", true, "continue from a checkpoint; gives the same policy as an uninterrupted run", "FILE"},
    {"check-gradients", false,
     "re-check the KKT policy gradient against central differences every iteration"},
    {"quiet", false, "no progress line"},
};

// On a terminal: one line rewritten in place every iteration. Otherwise (logs, CI): one line per validation.
class ProgressLine final : public core::TrainingObserver {
 public:
  explicit ProgressLine(bool quiet) : quiet_(quiet), terminal_(isatty(STDERR_FILENO) == 1) {}
  core::ObserverAction on_progress(const core::TrainingProgress& p) override {
    if (quiet_) return core::ObserverAction::kContinue;
    if (!terminal_ && !std::isfinite(p.validation_transient)) return core::ObserverAction::kContinue;
    const double eta = p.seconds / p.iteration * (p.iterations - p.iteration);
    std::fprintf(stderr, "%siteration %d/%d  rollout cost %.4f", terminal_ ? "\r" : "", p.iteration,
                 p.iterations, p.rollout_transient);
    if (std::isfinite(p.validation_transient)) last_validation_ = p.validation_transient;
    if (std::isfinite(last_validation_)) std::fprintf(stderr, "  validation %.4f", last_validation_);
    std::fprintf(stderr, "  |grad| %.3g", p.gradient_norm);
    if (std::isfinite(p.gradient_check_error))
      std::fprintf(stderr, "  grad check %.1e", p.gradient_check_error);
    std::fprintf(stderr, "  %.0fs, ETA %.0fs   ", p.seconds, eta);
    if (!terminal_ || p.iteration == p.iterations) std::fprintf(stderr, "\n");
    std::fflush(stderr);
    return core::ObserverAction::kContinue;
  }

 private:
  bool quiet_;
  bool terminal_;
  double last_validation_ = std::nan("");
};

}  // namespace

int run_train(int argc, char** argv) {
  const Args args(argc, argv, 2, kTrainOptions);
  if (args.help()) {
    std::cout
        << "usage: vvc train --study STUDY --out policy.json [options]\n\n"
           "Trains a DiffOP policy (a QP with a learned linear voltage model, learned cost terms and hard\n"
           "voltage limits) by the implicit policy gradient, evaluates it on the study's evaluation seeds "
           "and\n"
           "writes the policy JSON (docs/formats/policy.md).\n\noptions:\n"
        << format_options(kTrainOptions);
    return 0;
  }
  if (!args.has("study")) throw InputError("--study is required (see vvc train --help)");
  if (!args.has("out")) throw InputError("--out is required (see vvc train --help)");
  if (!args.positional().empty()) throw InputError("unexpected argument '" + args.positional().front() + "'");
  const core::Study study = core::read_study(*args.get("study"));

  core::PolicyFile meta;
  core::TrainerState resume_state;
  const bool resume = args.has("resume");
  if (resume) resume_state = core::read_checkpoint(*args.get("resume"), meta);

  core::DiffOpStructure structure;
  structure.mode = resume ? meta.structure.mode : core::parse_diffop_mode(args.get_or("mode", "step"));
  structure.horizon = resume ? meta.structure.horizon
                             : args.integer("horizon", structure.mode == core::DiffOpMode::kStep ? 1 : 10);
  structure.episode_steps = study.steps;
  structure.discount = study.discount;
  const core::DiffOpModel model(study, structure);

  core::DiffOpTrainingOptions options = resume ? meta.training : core::DiffOpTrainingOptions{};
  if (!resume) {
    options.iterations = args.integer("iterations", options.iterations);
    options.seed = static_cast<std::uint64_t>(args.integer("seed", 1));
    options.scenarios_per_iteration = args.integer("scenarios", options.scenarios_per_iteration);
    options.noise_draws = args.integer("draws", options.noise_draws);
    options.sigma = args.number("sigma", options.sigma);
    options.learning_rate = args.number("learning-rate", options.learning_rate);
  }
  options.threads = args.integer("threads", 2);
  options.check_gradients = args.has("check-gradients");
  if (options.iterations < 1) throw InputError("--iterations: expected an integer >= 1");
  if (options.threads < 1) throw InputError("--threads: expected an integer >= 1");
  if (resume) {
    core::check_policy_matches(meta, model, *args.get("resume"));
  }

  const std::string out_path = *args.get("out");
  const std::string checkpoint_path = args.get_or("checkpoint", out_path + ".checkpoint.json");
  const int checkpoint_every = args.integer("checkpoint-every", 0);
  core::PolicyFile description = core::describe_policy(model, model.initial_parameters());
  description.training = options;
  auto write_ckpt = [&](const core::TrainerState& st) {
    core::write_checkpoint(st, description, checkpoint_path);
  };

  ProgressLine progress(args.has("quiet"));
  core::DiffOpTrainer trainer(study, model, options);
  const core::DiffOpTrainingResult result =
      trainer.train(&progress, resume ? &resume_state : nullptr, write_ckpt, checkpoint_every);

  core::PolicyFile policy = core::describe_policy(model, result.theta);
  policy.training = options;
  policy.iterations_done = result.state.iteration;
  policy.training_seconds = result.seconds;
  policy.curve = result.state.curve;
  core::EvaluationOptions eo;
  eo.ids = args.has("eval-seeds") ? core::parse_seed_range(*args.get("eval-seeds"), "--eval-seeds")
                                  : study.evaluation_seeds;
  eo.steps = study.steps;
  eo.threads = options.threads;
  const auto scenarios = core::make_scenarios(study);
  const core::Evaluation ev = core::evaluate(
      study, *scenarios, [&] { return core::make_diffop_controller(model, result.theta); }, eo);
  policy.evaluation = ev.summary;
  policy.evaluation_seeds = eo.ids;
  core::write_policy(policy, out_path);
  std::cout << "trained DiffOP(" << core::to_string(structure.mode) << ", H = " << structure.horizon
            << ") in " << std::fixed << std::setprecision(1) << result.seconds << " s ("
            << result.state.iteration << " iterations); evaluation on seeds " << eo.ids.first << ":"
            << eo.ids.last << ":\n";
  print_summary_table(std::cout, {ev.summary});
  std::cout << "policy written to " << out_path << "\n";
  return 0;
}

}  // namespace vvc::cli
