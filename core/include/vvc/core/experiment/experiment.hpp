// The one place that runs an experiment (docs/algorithms/experiment.md): train a method, evaluate controllers
// and policies, compare every method of the DiffOP paper's table. A request goes in, progress comes out through
// the one observer (training/observer.hpp), a result comes back; `vvc train`, `vvc eval`, `vvc bench table` and
// the desktop application each call one of these functions and keep only their own concerns (arguments,
// printing and files; widgets, threads and plots).
//
// Every evaluation is a pure function of (controller, scenario) per scenario, run over blocks of scenario ids
// and summarized in id order, and every training run is a pure function of its seed: the numbers do not
// depend on the thread count. With a communicator (distributed/communicator.hpp) every rank of a job calls the
// same function with the same request: evaluations share each block's scenarios among the ranks, DiffOP
// training the scenarios of each iteration, a comparison its methods; every rank returns the same result, and
// only rank 0 writes checkpoints. The numbers do not depend on the number of ranks either.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vvc/core/baselines/baseline_io.hpp"
#include "vvc/core/baselines/ddpg.hpp"
#include "vvc/core/baselines/pdp.hpp"
#include "vvc/core/baselines/rlmpc.hpp"
#include "vvc/core/diffop/policy_io.hpp"
#include "vvc/core/diffop/trainer.hpp"
#include "vvc/core/env/day.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/training/observer.hpp"

namespace vvc::core::experiment {

/// The trainable methods, in the order of the comparison table.
enum class Method { kDiffOpStep, kDiffOpTraj, kTasrl, kStableDdpg, kRlmpcDpg, kPdp, kRlmpcTd };

struct MethodInfo {
  Method method;
  std::string name;  ///< as in the comparison table: "DiffOP(Step)", ..., "PDP(Offline)"
  std::string key;   ///< for command lines and file names: "diffop-step", ..., "pdp-offline"
  TrainingUnit unit;
  std::string description;  ///< one line
};
const std::vector<MethodInfo>& methods();
const MethodInfo& method_info(Method method);
/// The method whose key is `key`; throws InputError naming it and listing the keys.
Method parse_method(const std::string& key);
/// Whether the method's policy is DiffOP's QP (DiffOP, RLMPC, PDP) rather than the DDPG baselines' networks.
bool is_diffop_form(Method method);

struct TrainRequest {
  Method method = Method::kDiffOpStep;
  int horizon = 0;      ///< DiffOP: H (0: 1 for Step, 10 for Traj); the MPC-based methods use Step with H = 1
  bool backoff = true;  ///< DiffOP: the learned band back-off (DiffOpStructure::backoff); the MPC-based: none
  /// DiffOP(Traj): re-plan from the measured state every this many steps (DiffOpStructure::replan; 0: open
  /// loop); none: every H steps.
  std::optional<int> replan;
  /// The options of every trainer; the request's method uses its own (threads come from `threads`).
  DiffOpTrainingOptions diffop;
  BaselineOptions ddpg;  ///< DDPG baselines (default_tasrl_options() / default_stable_ddpg_options() budgets)
  RlmpcOptions rlmpc;
  PdpOptions pdp;
  int threads = 1;
  /// DiffOP: continue from this state (a checkpoint).
  std::optional<TrainerState> resume;
  /// DiffOP: checkpoints (every diffop.checkpoint.every iterations and when stopped early) are written to this
  /// file, atomically; empty: none.
  std::filesystem::path checkpoint_file;
  /// Controllers of the registry evaluated on the validation seeds before training (reference lines).
  std::vector<std::string> references;
  /// Evaluates the trained policy on these seeds after training (not after a stop); none: no evaluation.
  std::optional<SeedRange> evaluation_seeds;
  TraceOptions evaluation_trace;
  /// The ranks that share the work: DiffOP's rollouts, and every evaluation (the other methods train on every
  /// rank alike); none: this process alone.
  const Communicator* communicator = nullptr;
};

struct TrainResult {
  Method method = Method::kDiffOpStep;
  TrainingSummary summary;
  std::shared_ptr<const DiffOpModel> model;  ///< DiffOP-form methods
  Eigen::VectorXd theta;                     ///< DiffOP-form methods: best validated, else last parameters
  std::optional<TrainerState> state;         ///< DiffOP: the final trainer state
  std::optional<TrainedBaseline> baseline;   ///< DDPG baselines
  std::vector<Evaluation> references;        ///< on the validation seeds, in request order
  /// Of the trained policy, when asked for; none when training or this evaluation was stopped.
  std::optional<Evaluation> evaluation;
  /// The trained policy's controller (it shares the model and copies the parameters).
  ControllerFactory controller(const Study& study) const;
};

/// The QP structure a DiffOP-form request trains on the study: its mode, horizon, back-off and re-planning, and
/// what follows from the study (the absolute move cost, the back-off's floor, the objective; diffop.md,
/// "Three-phase studies").
DiffOpStructure diffop_structure(const Study& study, const TrainRequest& request);

/// Validates the request and trains. Throws InputError for bad options (naming the option and its value), a
/// study that cannot be split (training_seeds too small), or a resume state that does not fit.
TrainResult train(const Study& study, const TrainRequest& request, TrainingObserver* observer = nullptr);

/// The policy file of a trained DiffOP run (parameters, structure, training options and curve, evaluation).
PolicyFile policy_file(const TrainRequest& request, const TrainResult& result);

/// The file of a trained DDPG baseline (the request's method must be one; with its evaluation when it has
/// one).
BaselineFile baseline_file(const Study& study, const TrainRequest& request, const TrainResult& result);

/// A trained DiffOP policy and where it came from (a file name, for messages).
struct PolicyInput {
  std::string source;
  PolicyFile policy;
};

/// A trained DDPG baseline's networks and where they came from.
struct BaselineInput {
  std::string source;
  BaselineFile file;
};

/// A trained controller's file, read by its "format": a DiffOP policy ("vvc.policy") or a DDPG baseline's
/// networks ("vvc.baseline"). Exactly one of the two is set.
struct TrainedFile {
  std::optional<PolicyInput> policy;
  std::optional<BaselineInput> baseline;

  /// Appends it to the policies or the baselines of a request (EvaluateRequest, DayRequest).
  template <class Request>
  void add_to(Request& request) const {
    if (policy) request.policies.push_back(*policy);
    if (baseline) request.baselines.push_back(*baseline);
  }
};

/// Parses either kind of file; bad input throws InputError naming the source, the field and the value.
TrainedFile parse_trained_file(const std::string& text, const std::string& source);
TrainedFile read_trained_file(const std::filesystem::path& path);

/// A trained file that differs from the study it runs on in what it records (network, band, limits, cost:
/// compare_conditions) or that records none of it.
struct FileWarning {
  std::string source;  ///< the file (PolicyInput::source, BaselineInput::source)
  std::string text;    ///< what differs, without the file
  std::string message() const { return source + ": " + text; }
};

/// Checks the file against the study as evaluate() and replay_day() do: throws InputError when it controls
/// other inverters (or, strict, was trained for other conditions) and returns the warnings they would give.
std::vector<FileWarning> check_trained_file(const Study& study, const TrainedFile& file, bool strict = false);

// A trained file's row, in every table (vvc eval, vvc bench table, the day replay, the desktop application), is
// "CONTROLLER (FILE)": FILE is the source's file name, or the source as given when another file of the same
// request has the same file name ("diffop-step (seed1/policy.json)" beside "diffop-step (seed2/policy.json)").
// The same source twice in one request is an InputError. The registry's controllers keep their names.

struct EvaluateRequest {
  std::vector<std::string> controllers;   ///< names of the controller registry
  std::vector<PolicyInput> policies;      ///< trained DiffOP policies
  std::vector<BaselineInput> baselines;   ///< trained DDPG baselines
  QpBackend backend = QpBackend::kDense;  ///< of the policies
  /// A policy or baseline trained for other conditions (network, band, limits, cost: compare_conditions) is an
  /// InputError instead of a warning.
  bool strict = false;
  std::optional<SeedRange> seeds;  ///< none: the study's evaluation seeds
  int steps = 0;                   ///< 0: the study's
  int threads = 1;
  TraceOptions trace;
  const Communicator* communicator = nullptr;  ///< the ranks that share the scenarios; none: this process
};

struct EvaluateResult {
  SeedRange seeds;
  int steps = 0;
  /// The controllers, then the policies, then the baselines, in request order; a file's evaluation is named by
  /// its row ("CONTROLLER (FILE)", above).
  std::vector<Evaluation> evaluations;
  /// Where a policy or baseline was trained for other conditions than the study's, or records none.
  std::vector<FileWarning> warnings;
  bool stopped = false;  ///< the observer stopped it: evaluations holds the finished ones
};

/// Evaluates every controller and policy of the request on the same seeds. Throws InputError for an unknown
/// controller, a policy that does not fit the study, or (strict) one trained for other conditions.
EvaluateResult evaluate(const Study& study, const EvaluateRequest& request,
                        TrainingObserver* observer = nullptr);

/// Evaluates one controller factory with progress reports (blocks of scenarios) and a stop request; `serial`:
/// one thread whatever options.threads (Ipopt). Returns nullopt when the observer stopped it (on a distributed
/// run: some rank's observer).
std::optional<Evaluation> evaluate_with_progress(const Study& study, const std::string& name,
                                                 const ControllerFactory& factory, bool serial,
                                                 const EvaluationOptions& options,
                                                 TrainingObserver* observer);

struct DayRequest {
  std::vector<std::string> controllers;   ///< names of the controller registry
  std::vector<PolicyInput> policies;      ///< trained DiffOP policies
  std::vector<BaselineInput> baselines;   ///< trained DDPG baselines
  QpBackend backend = QpBackend::kDense;  ///< of the policies
  bool strict = false;                    ///< as EvaluateRequest::strict
  DayOptions day;
};

struct DayResult {
  int steps = 0;  ///< of the whole replay
  /// The controllers, then the policies, then the baselines, in request order, named as in EvaluateResult.
  std::vector<DayReplay> replays;
  std::vector<FileWarning> warnings;
  bool stopped = false;  ///< the observer stopped it: the last replay is partial (DayReplay::stopped)
};

/// Replays the day under every controller and policy of the request, one after the other
/// (docs/formats/day.md). Progress goes to observer->on_evaluation in steps (EvaluationProgress::unit "steps"),
/// every kDayProgressEvery steps; kStop ends the replay under way. Throws InputError as evaluate() does, and for
/// a balanced study or bad day options.
DayResult replay_day(const Study& study, const DayProfile& profile, const DayRequest& request,
                     TrainingObserver* observer = nullptr);
/// The same for a day already built (make_day_scenario, make_loadshape_day): request.day is not used.
DayResult replay_day(const Study& study, const DayScenario& day, const DayRequest& request,
                     TrainingObserver* observer = nullptr);

struct CompareRequest {
  std::vector<std::string> references{"zero", "voltvar", "gradient-flow", "limit"};
  std::vector<Method> methods{Method::kDiffOpStep, Method::kDiffOpTraj, Method::kTasrl,  Method::kStableDdpg,
                              Method::kRlmpcDpg,   Method::kPdp,        Method::kRlmpcTd};
  /// Trained controllers' files evaluated after the references, each a row "CONTROLLER (FILE)" (above), e.g.
  /// "stable-ddpg (networks.json)"; a file that does not fit the study throws InputError before any work, as
  /// in evaluate(); check_trained_file gives its warnings.
  std::vector<PolicyInput> policies;
  std::vector<BaselineInput> baselines;
  std::optional<SeedRange> seeds;  ///< none: the study's evaluation seeds
  int threads = 1;
  bool quick = false;  ///< tiny budgets and 8 evaluation scenarios: checks that everything runs, in seconds
  /// The ranks that share the work: the scenarios of the references and files, then the methods (each rank
  /// trains and evaluates its share of them alone; an observer sees its own rank's methods); none: this process
  /// alone.
  const Communicator* communicator = nullptr;
};

struct ComparisonRow {
  std::string method;  ///< a registry name for references, MethodInfo::name for learned methods, a file's row
  bool learned = false;
  std::string source;  ///< a file's row: the file (CompareRequest::policies, baselines); otherwise empty
  EvaluationSummary summary;
  double training_seconds = LearningPoint::kNone;  ///< learned methods
};

struct CompareResult {
  SeedRange seeds;
  int steps = 0;
  std::vector<ComparisonRow> rows;         ///< references, files, then methods, in request order
  std::vector<TrainingSummary> trainings;  ///< learning curves of the methods, in request order
  bool stopped = false;
};

/// The comparison a study gets from `vvc bench table`: the defaults above on a balanced study; on a three-phase
/// one the controllers of issue 12 (zero, voltvar, linear, limit, limit-band; DiffOP Step and Traj, Stable-DDPG).
CompareRequest comparison_request(const Study& study);

/// Trains every method of the request with the comparison's settings (table_request) and evaluates it, the
/// reference controllers and the files on the same seeds.
CompareResult compare(const Study& study, const CompareRequest& request,
                      TrainingObserver* observer = nullptr);

/// The comparison's settings for one method: each trainer's defaults and fixed seed, every learning curve on the
/// same held-out validation seeds (the DDPG baselines evaluated on them every 25 episodes), or tiny budgets
/// with `quick`.
TrainRequest table_request(Method method, bool quick, int threads);
/// The same for a study: Stable-DDPG with the defaults of the study's kind (default_stable_ddpg_options(study)).
TrainRequest table_request(const Study& study, Method method, bool quick, int threads);

}  // namespace vvc::core::experiment
