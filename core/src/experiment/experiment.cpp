// The experiment layer (experiment.hpp): orchestration only; the numerics live in the trainers and in
// evaluate().
#include "vvc/core/experiment/experiment.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"
#include "vvc/common/json_io.hpp"
#include "vvc/core/distributed/messages.hpp"
#include "vvc/core/reference/registry.hpp"

namespace vvc::core::experiment {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

const Communicator& communicator_of(const Communicator* communicator) {
  return communicator != nullptr ? *communicator : serial_communicator();
}

/// Forwards progress to the caller's observer and writes the checkpoints of a DiffOP run (rank 0 only, on a
/// distributed run).
class CheckpointWriter final : public TrainingObserver {
 public:
  CheckpointWriter(TrainingObserver* inner, std::filesystem::path file, PolicyFile meta, bool writes)
      : inner_(inner), file_(writes ? std::move(file) : std::filesystem::path()), meta_(std::move(meta)) {}
  ObserverAction on_progress(const TrainingProgress& progress) override {
    return inner_ != nullptr ? inner_->on_progress(progress) : ObserverAction::kContinue;
  }
  void on_checkpoint(const TrainerState& state) override {
    if (!file_.empty()) write_checkpoint(state, meta_, file_);
    if (inner_ != nullptr) inner_->on_checkpoint(state);
  }

 private:
  TrainingObserver* inner_;
  std::filesystem::path file_;
  PolicyFile meta_;
};

const ValidationOptions& validation_of(const TrainRequest& r) {
  switch (r.method) {
    case Method::kDiffOpStep:
    case Method::kDiffOpTraj:
      return r.diffop.validation;
    case Method::kTasrl:
    case Method::kStableDdpg:
      return r.ddpg.validation;
    case Method::kRlmpcDpg:
    case Method::kRlmpcTd:
      return r.rlmpc.validation;
    case Method::kPdp:
      return r.pdp.validation;
  }
  return r.diffop.validation;
}

}  // namespace

DiffOpStructure diffop_structure(const Study& study, const TrainRequest& request) {
  DiffOpStructure s;
  s.mode = request.method == Method::kDiffOpTraj ? DiffOpMode::kTraj : DiffOpMode::kStep;
  s.horizon = request.method == Method::kDiffOpTraj || request.method == Method::kDiffOpStep
                  ? (request.horizon > 0 ? request.horizon : (s.mode == DiffOpMode::kStep ? 1 : 10))
                  : 1;
  s.episode_steps = study.steps;
  s.discount = study.discount;
  s.backoff =
      (request.method == Method::kDiffOpStep || request.method == Method::kDiffOpTraj) && request.backoff;
  if (s.mode == DiffOpMode::kTraj) s.replan = request.replan ? *request.replan : s.horizon;
  const bool diffop = request.method == Method::kDiffOpStep || request.method == Method::kDiffOpTraj;
  // Both for Step only (docs/algorithms/diffop.md, "Three-phase studies"): over a horizon the slacks double the QP
  // (H = 10 on ieee123_3p: 50 ms per dense solve, against 1 ms without them), and Traj, which holds its plan
  // between re-plans, ended 2 ieee13_3p scenarios out of band with the floor and none without it.
  const bool step = diffop && s.mode == DiffOpMode::kStep;
  const bool moves_cost = step && study.cost_form == CostForm::kStableDdpg;
  s.absolute_move = moves_cost;
  s.min_backoff = step && study.three_phase() && s.backoff ? kThreePhaseMinBackoff : 0.0;
  s.objective = moves_cost ? DiffOpObjective::kMoves : DiffOpObjective::kF;
  return s;
}

const std::vector<MethodInfo>& methods() {
  static const std::vector<MethodInfo> table = {
      {Method::kDiffOpStep, "DiffOP(Step)", "diffop-step", TrainingUnit::kIteration,
       "DiffOP, receding horizon: the policy QP is re-solved every step (implicit policy gradient)"},
      {Method::kDiffOpTraj, "DiffOP(Traj)", "diffop-traj", TrainingUnit::kIteration,
       "DiffOP, open loop: one plan of H steps at reset, the last action held"},
      {Method::kTasrl, "TASRL", "tasrl", TrainingUnit::kEpisode,
       "DDPG on the safe gradient flow with monotone networks (per-inverter agents)"},
      {Method::kStableDdpg, "Stable-DDPG", "stable-ddpg", TrainingUnit::kEpisode,
       "DDPG with monotone networks and a bounded step (per-inverter agents; per-bus agents over their "
       "phases "
       "on three-phase studies)"},
      {Method::kRlmpcDpg, "RLMPC-DPG", "rlmpc-dpg", TrainingUnit::kIteration,
       "the policy QP as an MPC, deterministic policy gradient with a compatible advantage"},
      {Method::kPdp, "PDP(Offline)", "pdp-offline", TrainingUnit::kEpoch,
       "the policy QP trained by imitation of the limit controller through its KKT sensitivities"},
      {Method::kRlmpcTd, "RLMPC-TD", "rlmpc-td", TrainingUnit::kIteration,
       "the policy QP as an MPC, Q-learning on its values"},
  };
  return table;
}

const MethodInfo& method_info(Method method) {
  for (const auto& m : methods()) {
    if (m.method == method) return m;
  }
  VVC_ASSERT(false);
  return methods().front();
}

Method parse_method(const std::string& key) {
  std::string keys;
  for (const auto& m : methods()) {
    if (m.key == key) return m.method;
    keys += (keys.empty() ? "" : ", ") + m.key;
  }
  throw InputError("unknown method '" + key + "' (expected one of: " + keys + ")");
}

bool is_diffop_form(Method method) { return method != Method::kTasrl && method != Method::kStableDdpg; }

ControllerFactory TrainResult::controller(const Study& study) const {
  if (baseline) return baseline_controller_factory(study, *baseline);
  VVC_ASSERT(model != nullptr);
  return [model = model, theta = theta] { return make_diffop_controller(*model, theta); };
}

std::optional<Evaluation> evaluate_with_progress(const Study& study, const std::string& name,
                                                 const ControllerFactory& factory, bool serial,
                                                 const EvaluationOptions& options,
                                                 TrainingObserver* observer) {
  EvaluationOptions eo = options;
  if (serial) eo.threads = 1;
  const Communicator& communicator = communicator_of(options.communicator);
  if (observer == nullptr && communicator.size() == 1)
    return evaluate(study, *make_scenarios(study), factory, eo);
  const auto start = std::chrono::steady_clock::now();
  const auto scenarios = make_scenarios(study);
  const long total = options.ids.size();
  // Blocks of scenarios between reports: one per thread and rank for the slow (Ipopt) controllers, eight
  // otherwise. Every rank runs the same blocks; they stop together when some rank's observer asks to.
  const long block = static_cast<long>(eo.threads) * (serial ? 1 : 8) * communicator.size();
  EvaluationProgress progress{name, 0, total, 0.0, nullptr, nullptr};
  const auto stop_requested = [&] {
    const bool stop = observer != nullptr && observer->on_evaluation(progress) == ObserverAction::kStop;
    return any_rank(communicator, stop);
  };
  if (stop_requested()) return std::nullopt;
  Evaluation out;
  out.final_vm.resize(std::clamp<long>(options.trace.final_voltages, 0, total), study.num_points());
  for (long done = 0; done < total;) {
    EvaluationOptions part = eo;
    part.ids = {options.ids.first + done, options.ids.first + std::min(total, done + block)};
    part.trace.episodes = static_cast<int>(std::clamp<long>(options.trace.episodes - done, 0, block));
    part.trace.final_voltages = std::clamp<long>(out.final_vm.rows() - done, 0, block);
    Evaluation ev = evaluate(study, *scenarios, factory, part);
    for (auto& e : ev.episodes) out.episodes.push_back(std::move(e));
    for (auto& t : ev.traces) out.traces.push_back(std::move(t));
    if (ev.final_vm.rows() > 0) out.final_vm.middleRows(done, ev.final_vm.rows()) = ev.final_vm;
    out.summary.controller = ev.summary.controller;
    done += part.ids.size();
    if (done == total) break;
    progress.done = done;
    progress.seconds = seconds_since(start);
    if (stop_requested()) return std::nullopt;
  }
  out.summary = summarize(out.episodes, out.summary.controller, options.steps);
  progress.done = total;
  progress.seconds = seconds_since(start);
  progress.summary = &out.summary;
  progress.evaluation = &out;
  if (observer != nullptr) observer->on_evaluation(progress);
  return out;
}

TrainResult train(const Study& study, const TrainRequest& request_in, TrainingObserver* observer) {
  TrainRequest request = request_in;
  request.diffop.threads = request.threads;
  request.diffop.gradient = request.diffop.estimator(study);
  request.diffop.violation_penalty = request.diffop.penalty(study, diffop_structure(study, request));
  request.rlmpc.threads = request.threads;
  request.pdp.threads = request.threads;
  TrainResult result;
  result.method = request.method;
  // Bad options, a training range too small and unknown reference names fail before any work (on every rank).
  const Communicator& communicator = communicator_of(request.communicator);
  std::optional<DiffOpTrainer> diffop;
  SeedSplit split;
  std::vector<const ControllerEntry*> references;
  agree_on_inputs(communicator, [&] {
    if (request.resume && request.method != Method::kDiffOpStep && request.method != Method::kDiffOpTraj) {
      throw InputError("resume: only DiffOP runs checkpoint and resume, not " +
                       method_info(request.method).name);
    }
    switch (request.method) {
      case Method::kDiffOpStep:
      case Method::kDiffOpTraj:
        request.diffop.validate();
        break;
      case Method::kTasrl:
      case Method::kStableDdpg:
        request.ddpg.validate();
        break;
      case Method::kRlmpcDpg:
      case Method::kRlmpcTd:
        request.rlmpc.validate();
        break;
      case Method::kPdp:
        request.pdp.validate();
        break;
    }
    if (study.three_phase() && request.method == Method::kPdp) {
      throw InputError(
          "PDP(Offline) is not available on three-phase studies (its imitation of the limit controller is "
          "validated on the balanced benchmark only)");
    }
    if (is_diffop_form(request.method)) {
      result.model = std::make_shared<const DiffOpModel>(study, diffop_structure(study, request));
    }
    split = split_training_seeds(study, validation_of(request));
    if (request.method == Method::kDiffOpStep || request.method == Method::kDiffOpTraj) {
      diffop.emplace(study, *result.model, request.diffop, communicator);
    }
    for (const auto& name : request.references) references.push_back(&find_controller(name, study));
  });

  EvaluationOptions on_validation;
  on_validation.ids = split.validation;
  on_validation.steps = study.steps;
  on_validation.threads = request.threads;
  on_validation.communicator = request.communicator;
  for (const ControllerEntry* entry : references) {
    auto ev = evaluate_with_progress(study, entry->name, entry->factory(study), entry->serial, on_validation,
                                     observer);
    if (!ev) {
      result.summary.termination = TrainingTermination::kStoppedByObserver;
      return result;
    }
    result.references.push_back(std::move(*ev));
  }

  switch (request.method) {
    case Method::kDiffOpStep:
    case Method::kDiffOpTraj: {
      PolicyFile meta = describe_policy(*result.model, result.model->initial_parameters());
      meta.training = request.diffop;
      meta.training.validation.scenarios = static_cast<int>(split.validation.size());
      CheckpointWriter writer(observer, request.checkpoint_file, meta, communicator.rank() == 0);
      DiffOpTrainingResult r = diffop->train(&writer, request.resume ? &*request.resume : nullptr);
      result.theta = std::move(r.theta);
      result.summary = std::move(r.summary);
      result.state = std::move(r.state);
      break;
    }
    case Method::kTasrl:
    case Method::kStableDdpg: {
      TrainedBaseline t = request.method == Method::kTasrl ? train_tasrl(study, request.ddpg, observer)
                                                           : train_stable_ddpg(study, request.ddpg, observer);
      result.summary = t.summary;
      result.baseline = std::move(t);
      break;
    }
    case Method::kRlmpcDpg:
    case Method::kRlmpcTd: {
      MpcTrainingResult r = request.method == Method::kRlmpcDpg
                                ? train_rlmpc_dpg(study, *result.model, request.rlmpc, observer)
                                : train_rlmpc_td(study, *result.model, request.rlmpc, observer);
      result.theta = std::move(r.theta);
      result.summary = std::move(r.summary);
      break;
    }
    case Method::kPdp: {
      MpcTrainingResult r = train_pdp(study, *result.model, request.pdp, observer);
      result.theta = std::move(r.theta);
      result.summary = std::move(r.summary);
      break;
    }
  }
  if (request.evaluation_seeds && !result.summary.stopped()) {
    EvaluationOptions eo;
    eo.ids = *request.evaluation_seeds;
    eo.steps = study.steps;
    eo.threads = request.threads;
    eo.trace = request.evaluation_trace;
    eo.communicator = request.communicator;
    result.evaluation = evaluate_with_progress(study, method_info(request.method).name,
                                               result.controller(study), false, eo, observer);
  }
  return result;
}

PolicyFile policy_file(const TrainRequest& request, const TrainResult& result) {
  VVC_ASSERT(result.model != nullptr);
  PolicyFile policy = describe_policy(*result.model, result.theta);
  policy.training = request.diffop;
  policy.training.gradient = request.diffop.estimator(result.model->study());
  policy.training.violation_penalty =
      request.diffop.penalty(result.model->study(), result.model->structure());
  policy.training.validation.scenarios = static_cast<int>(result.summary.seeds.validation.size());
  policy.iterations_done = result.summary.iterations;
  policy.training_seconds = result.summary.seconds;
  policy.curve = result.summary.curve;
  if (result.evaluation) {
    policy.evaluation = result.evaluation->summary;
    policy.evaluation_seeds = *request.evaluation_seeds;
  }
  return policy;
}

BaselineFile baseline_file(const Study& study, const TrainRequest& request, const TrainResult& result) {
  VVC_ASSERT(result.baseline.has_value());
  BaselineFile file = describe_baseline(study, *result.baseline, request.ddpg.seed);
  if (result.evaluation) {
    file.evaluation = result.evaluation->summary;
    file.evaluation_seeds = *request.evaluation_seeds;
  }
  return file;
}

namespace {

/// Appends warnings (and, strict, throws) for conditions that differ from the study's.
void report_conditions(const std::string& source, const std::vector<std::string>& differences, bool strict,
                       std::vector<FileWarning>& warnings) {
  if (strict && !differences.empty()) {
    std::string text;
    for (const auto& d : differences) text += (text.empty() ? "" : "; ") + d;
    throw InputError(source + ": " + text + " (--strict)");
  }
  for (const auto& d : differences) warnings.push_back({source, d});
}

struct NamedController {
  std::string name;  ///< the registry's name, or a file's row (experiment.hpp)
  ControllerFactory factory;
  bool serial = false;
  std::string source;  ///< the file of a policy or baseline; empty for the registry's controllers
};

/// Names the files' rows "CONTROLLER (FILE)" (experiment.hpp); the same source twice throws.
void name_file_rows(std::vector<NamedController>& controllers) {
  std::map<std::string, int> file_names;
  std::set<std::string> sources;
  for (const NamedController& c : controllers) {
    if (c.source.empty()) continue;
    if (!sources.insert(c.source).second) throw InputError(c.source + ": the same file is given twice");
    ++file_names[std::filesystem::path(c.source).filename().string()];
  }
  for (NamedController& c : controllers) {
    if (c.source.empty()) continue;
    const std::string file = std::filesystem::path(c.source).filename().string();
    c.name += " (" + (file_names[file] > 1 ? c.source : file) + ")";
  }
}

/// The registry's controllers, the policies and the baselines, by name, in request order; bad input throws
/// (unknown names, a policy or baseline that does not fit the study or, strict, one trained for other
/// conditions), warnings are appended.
std::vector<NamedController> resolve_controllers(const Study& study, const std::vector<std::string>& names,
                                                 const std::vector<PolicyInput>& policies,
                                                 const std::vector<BaselineInput>& baselines,
                                                 QpBackend backend, bool strict,
                                                 std::vector<FileWarning>& warnings) {
  std::vector<NamedController> out;
  for (const auto& name : names) {
    const ControllerEntry& entry = find_controller(name, study);
    out.push_back({entry.name, entry.factory(study), entry.serial, ""});
  }
  for (const auto& input : policies) {
    auto model = std::make_shared<const DiffOpModel>(study, input.policy.structure);
    check_policy_matches(input.policy, *model, input.source);
    const PolicyComparison comparison = compare_policy(input.policy, study);
    if (!comparison.recorded) {
      warnings.push_back(
          {input.source,
           "a version-1 policy records neither its network nor the band, limits and cost it was "
           "trained for; they were not compared with the study's"});
    }
    report_conditions(input.source, comparison.differences, strict, warnings);
    const Eigen::VectorXd theta = input.policy.theta;
    out.push_back({"diffop-" + to_string(model->structure().mode),
                   [model, theta, backend] { return make_diffop_controller(*model, theta, backend); },
                   backend == QpBackend::kIpopt, input.source});
  }
  for (const auto& input : baselines) {
    check_baseline_matches(input.file, study, input.source);
    if (input.file.conditions) {
      report_conditions(input.source, compare_conditions(*input.file.conditions, study), strict, warnings);
    } else {
      warnings.push_back({input.source,
                          "the networks record neither the network nor the band, limits and cost they were "
                          "trained for; they were not compared with the study's"});
    }
    out.push_back({baseline_name(input.file.trained.kind),
                   baseline_controller_factory(study, input.file.trained), false, input.source});
  }
  name_file_rows(out);
  return out;
}

}  // namespace

TrainedFile parse_trained_file(const std::string& text, const std::string& source) {
  TrainedFile out;
  const JsonDocument document(text, source);
  const JsonNode format = document.root().at("format");
  if (format.string() == "vvc.baseline") {
    out.baseline = BaselineInput{source, parse_baseline(text, source)};
  } else if (format.string() == "vvc.policy") {
    out.policy = PolicyInput{source, parse_policy(text, source)};
  } else {
    format.fail_expected("\"vvc.policy\" (a DiffOP policy) or \"vvc.baseline\" (a DDPG baseline's networks)");
  }
  return out;
}

TrainedFile read_trained_file(const std::filesystem::path& path) {
  return parse_trained_file(read_text_file(path), path.string());
}

std::vector<FileWarning> check_trained_file(const Study& study, const TrainedFile& file, bool strict) {
  std::vector<PolicyInput> policies;
  std::vector<BaselineInput> baselines;
  if (file.policy) policies.push_back(*file.policy);
  if (file.baseline) baselines.push_back(*file.baseline);
  std::vector<FileWarning> warnings;
  resolve_controllers(study, {}, policies, baselines, QpBackend::kDense, strict, warnings);
  return warnings;
}

EvaluateResult evaluate(const Study& study, const EvaluateRequest& request, TrainingObserver* observer) {
  EvaluateResult result;
  result.seeds = request.seeds ? *request.seeds : study.evaluation_seeds;
  result.steps = request.steps > 0 ? request.steps : study.steps;
  // Resolve every name and policy before the first evaluation: bad input fails at once (on every rank).
  std::vector<NamedController> controllers;
  agree_on_inputs(communicator_of(request.communicator), [&] {
    if (request.threads < 1)
      throw InputError("threads: expected an integer >= 1, got " + std::to_string(request.threads));
    controllers = resolve_controllers(study, request.controllers, request.policies, request.baselines,
                                      request.backend, request.strict, result.warnings);
  });
  EvaluationOptions eo;
  eo.ids = result.seeds;
  eo.steps = result.steps;
  eo.threads = request.threads;
  eo.trace = request.trace;
  eo.communicator = request.communicator;
  for (const NamedController& c : controllers) {
    auto ev = evaluate_with_progress(study, c.name, c.factory, c.serial, eo, observer);
    if (!ev) {
      result.stopped = true;
      return result;
    }
    ev->summary.controller = c.name;
    result.evaluations.push_back(std::move(*ev));
  }
  return result;
}

DayResult replay_day(const Study& study, const DayProfile& profile, const DayRequest& request,
                     TrainingObserver* observer) {
  return replay_day(study, make_day_scenario(study, profile, request.day), request, observer);
}

DayResult replay_day(const Study& study, const DayScenario& day, const DayRequest& request,
                     TrainingObserver* observer) {
  DayResult result;
  const std::vector<NamedController> controllers =
      resolve_controllers(study, request.controllers, request.policies, request.baselines, request.backend,
                          request.strict, result.warnings);
  result.steps = day.steps;
  for (const NamedController& c : controllers) {
    const auto start = std::chrono::steady_clock::now();
    EvaluationProgress progress{c.name, 0, day.steps, 0.0, nullptr, nullptr, "steps"};
    const auto go_on = [&](int done, int total) {
      progress.done = done;
      progress.total = total;
      progress.seconds = seconds_since(start);
      return observer == nullptr || observer->on_evaluation(progress) == ObserverAction::kContinue;
    };
    if (!go_on(0, day.steps)) {
      result.stopped = true;
      return result;
    }
    const std::unique_ptr<Controller> controller = c.factory();
    result.replays.push_back(core::replay_day(study, day, *controller, go_on));
    result.replays.back().summary.controller = c.name;
    if (result.replays.back().stopped) {
      result.stopped = true;
      return result;
    }
  }
  return result;
}

TrainRequest table_request(Method method, bool quick, int threads) {
  TrainRequest r;
  r.method = method;
  r.threads = threads;
  r.horizon = method == Method::kDiffOpTraj ? 10 : 1;
  if (quick) {
    r.diffop.iterations = 2;
    r.diffop.scenarios_per_iteration = 2;
    r.diffop.noise_draws = 2;
    r.diffop.validation = {1, 4};
    r.rlmpc.iterations = 2;
    r.rlmpc.scenarios_per_iteration = 2;
    r.rlmpc.validation = {1, 4};
    r.pdp.demonstrations = 4;
    r.pdp.epochs = 3;
    r.pdp.validation = {1, 4};
  }
  // The DDPG baselines: their reference budgets and seed 1, a held-out evaluation every 25 episodes for the
  // learning curve (it draws no random numbers, so the trained actors are the same as without it) on the same
  // validation seeds as every other method, so that the curves share one scale; episodes train on the seeds
  // after them, in order.
  r.ddpg = method == Method::kTasrl ? default_tasrl_options() : default_stable_ddpg_options();
  r.ddpg.validation = quick ? ValidationOptions{1, 4} : ValidationOptions{25, r.diffop.validation.scenarios};
  if (quick) r.ddpg.episodes = 3;
  return r;
}

TrainRequest table_request(const Study& study, Method method, bool quick, int threads) {
  TrainRequest r = table_request(method, quick, threads);
  if (method == Method::kStableDdpg) {
    BaselineOptions o = default_stable_ddpg_options(study);
    o.episodes = r.ddpg.episodes;
    o.validation = r.ddpg.validation;
    r.ddpg = o;
  }
  return r;
}

CompareRequest comparison_request(const Study& study) {
  CompareRequest r;
  if (study.three_phase()) {
    r.references = {"zero", "voltvar", "linear", "limit", "limit-band"};
    r.methods = {Method::kDiffOpStep, Method::kDiffOpTraj, Method::kStableDdpg};
  }
  return r;
}

CompareResult compare(const Study& study, const CompareRequest& request, TrainingObserver* observer) {
  CompareResult result;
  const SeedRange all = request.seeds ? *request.seeds : study.evaluation_seeds;
  result.seeds = request.quick ? SeedRange{all.first, std::min(all.last, all.first + 8)} : all;
  result.steps = study.steps;
  EvaluationOptions eo;
  eo.ids = result.seeds;
  eo.steps = study.steps;
  eo.threads = request.threads;
  eo.communicator = request.communicator;
  // A three-phase study compares what runs on it: the references without the balanced-only ones (nlp-ac), the
  // methods without PDP.
  std::vector<NamedController> controllers;
  agree_on_inputs(communicator_of(request.communicator), [&] {
    std::vector<std::string> names;
    for (const auto& name : request.references) {
      if (study.three_phase() && !find_controller(name).three_phase) continue;
      names.push_back(name);
    }
    std::vector<FileWarning> warnings;
    controllers = resolve_controllers(study, names, request.policies, request.baselines, QpBackend::kDense,
                                      false, warnings);
  });
  for (const NamedController& c : controllers) {
    auto ev = evaluate_with_progress(study, c.name, c.factory, c.serial, eo, observer);
    if (!ev) {
      result.stopped = true;
      return result;
    }
    ev->summary.controller = c.name;
    result.rows.push_back({c.name, false, c.source, ev->summary, LearningPoint::kNone});
  }
  std::vector<Method> methods;
  for (Method method : request.methods) {
    if (!(study.three_phase() && method == Method::kPdp)) methods.push_back(method);
  }
  // Each rank trains and evaluates its share of the methods alone; the summaries are gathered in method order.
  const std::vector<std::string> parts = gather_shares(
      communicator_of(request.communicator), static_cast<int>(methods.size()), [&](int first, int last) {
        ByteWriter out;
        for (int i = first; i < last; ++i) {
          TrainRequest tr =
              table_request(study, methods[static_cast<size_t>(i)], request.quick, request.threads);
          tr.evaluation_seeds = result.seeds;
          const TrainResult trained = train(study, tr, observer);
          put(out, trained.summary);
          out.put(trained.evaluation.has_value());
          if (trained.evaluation) put(out, trained.evaluation->summary);
        }
        return out.bytes();
      });
  size_t i = 0;
  for (const std::string& part : parts) {
    ByteReader in(part);
    while (!in.done()) {
      const Method method = methods[i++];
      TrainingSummary summary;
      get(in, summary);
      std::optional<EvaluationSummary> evaluation;
      if (in.get<bool>()) get(in, evaluation.emplace());
      if (result.stopped) continue;
      result.trainings.push_back(summary);
      if (!evaluation) {
        result.stopped = true;
        continue;
      }
      evaluation->controller = method_info(method).name;
      result.rows.push_back({method_info(method).name, true, "", *evaluation, summary.seconds});
    }
  }
  VVC_ASSERT(i == methods.size());
  return result;
}

}  // namespace vvc::core::experiment
