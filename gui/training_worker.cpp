#include "training_worker.hpp"

#include <algorithm>
#include <exception>

#include "vvc/common/errors.hpp"
#include "vvc/core/diffop/policy.hpp"
#include "vvc/core/env/controller.hpp"
#include "vvc/core/env/environment.hpp"
#include "vvc/core/env/scenarios.hpp"
#include "vvc/core/reference/limit.hpp"

namespace vvc::gui {

bool is_trainable(ControllerKind kind) {
  return kind == ControllerKind::kDiffOpStep || kind == ControllerKind::kDiffOpTraj;
}

QString controller_label(ControllerKind kind) {
  switch (kind) {
    case ControllerKind::kDiffOpStep:
      return QStringLiteral("DiffOP (Step)");
    case ControllerKind::kDiffOpTraj:
      return QStringLiteral("DiffOP (Traj)");
    case ControllerKind::kZero:
      return QStringLiteral("zero");
    case ControllerKind::kVoltVar:
      return QStringLiteral("voltvar");
    case ControllerKind::kGradientFlow:
      return QStringLiteral("gradient-flow");
  }
  return {};
}

namespace {

core::ControllerFactory reference_factory(const core::Study& study, ControllerKind kind) {
  switch (kind) {
    case ControllerKind::kZero:
      return [&study] { return core::make_zero_controller(study); };
    case ControllerKind::kVoltVar:
      return [&study] { return core::make_voltvar_controller(study); };
    default:
      return [&study] { return core::make_gradient_flow_controller(study, 0.5); };
  }
}

core::SeedRange validation_range(const core::Study& study, int scenarios) {
  return {study.training_seeds.first, study.training_seeds.first + scenarios};
}

}  // namespace

core::TrainingProgress trace_controller(const core::Study& study, const core::ControllerFactory& factory,
                                        core::SeedRange ids, int traced) {
  core::TrainingProgress p;
  const auto scenarios = core::make_scenarios(study);
  core::Environment env(study);
  auto controller = factory();
  Eigen::VectorXd action(study.num_inverters());
  p.final_vm.resize(ids.size(), study.network.num_buses());
  for (long i = 0; i < ids.size(); ++i) {
    const core::Scenario sc = scenarios->make(ids.first + i);
    const core::Observation& obs = env.reset(sc);
    controller->reset(obs, sc);
    const bool keep = i < traced;
    core::EpisodeTrace trace;
    if (keep) {
      trace.seed = sc.seed >= 0 ? sc.seed : ids.first + i;
      trace.vm.resize(study.steps + 1, obs.vm.size());
      trace.q.resize(study.steps + 1, study.num_inverters());
      trace.vm.row(0) = obs.vm.transpose();
      trace.q.row(0) = obs.q.transpose();
    }
    for (int t = 1; t <= study.steps; ++t) {
      controller->act(obs, action);
      env.step(action, controller->rule(), controller->alpha());
      if (keep) {
        trace.vm.row(t) = obs.vm.transpose();
        trace.q.row(t) = obs.q.transpose();
      }
    }
    p.final_vm.row(i) = obs.vm.transpose();
    if (keep) p.traces.push_back(std::move(trace));
  }
  return p;
}

class TrainingWorker::Observer final : public core::TrainingObserver {
 public:
  explicit Observer(TrainingWorker& worker) : worker_(worker) {}
  core::ObserverAction on_progress(const core::TrainingProgress& progress) override {
    emit worker_.progress(progress);
    return worker_.wait_if_paused() ? core::ObserverAction::kStop : core::ObserverAction::kContinue;
  }

 private:
  TrainingWorker& worker_;
};

void TrainingWorker::set_paused(bool paused) {
  QMutexLocker lock(&mutex_);
  paused_ = paused;
  if (!paused) resumed_.wakeAll();
}

void TrainingWorker::request_stop() {
  QMutexLocker lock(&mutex_);
  stop_ = true;
  resumed_.wakeAll();
}

bool TrainingWorker::wait_if_paused() {
  QMutexLocker lock(&mutex_);
  while (paused_ && !stop_) resumed_.wait(&mutex_);
  return stop_;
}

void TrainingWorker::run_training(const TrainingRequest& request) {
  stop_ = false;
  try {
    const core::Study& study = *request.study;
    const core::SeedRange validation = validation_range(study, request.options.validation_scenarios);
    if (request.references) {
      core::EvaluationOptions eo;
      eo.ids = validation;
      eo.steps = study.steps;
      eo.threads = request.options.threads;
      const auto scenarios = core::make_scenarios(study);
      QVector<ReferenceLine> lines;
      for (ControllerKind kind : {ControllerKind::kZero, ControllerKind::kGradientFlow}) {
        const core::Evaluation ev = core::evaluate(study, *scenarios, reference_factory(study, kind), eo);
        lines.push_back({controller_label(kind), ev.summary});
        if (wait_if_paused()) break;
      }
      if (!stop_) {
        // Ipopt, serial: this worker runs one job at a time, so no other Ipopt solve can overlap it.
        const core::Evaluation ev = core::evaluate_limit(study, *scenarios, eo, false);
        lines.push_back({QStringLiteral("limit"), ev.summary});
      }
      emit references_ready(lines);
    }
    if (!stop_ && is_trainable(request.controller)) {
      core::DiffOpStructure structure;
      structure.mode = request.controller == ControllerKind::kDiffOpTraj ? core::DiffOpMode::kTraj
                                                                         : core::DiffOpMode::kStep;
      structure.horizon = request.horizon;
      structure.episode_steps = study.steps;
      structure.discount = study.discount;
      const core::DiffOpModel model(study, structure);
      core::DiffOpTrainer trainer(study, model, request.options);
      Observer observer(*this);
      const core::DiffOpTrainingResult result = trainer.train(&observer);
      core::PolicyFile policy = core::describe_policy(model, result.theta);
      policy.training = request.options;
      policy.iterations_done = result.state.iteration;
      policy.training_seconds = result.seconds;
      policy.curve = result.state.curve;
      emit policy_ready(policy);
    } else if (!stop_) {
      run_evaluation(request.study, request.controller, nullptr, validation, request.options.threads);
      return;
    }
  } catch (const std::exception& e) {
    emit failed(QString::fromStdString(e.what()));
  }
  emit job_finished();
}

void TrainingWorker::run_evaluation(std::shared_ptr<const core::Study> study_ptr, ControllerKind controller,
                                    std::shared_ptr<const core::PolicyFile> policy, core::SeedRange ids,
                                    int threads) {
  stop_ = false;
  try {
    const core::Study& study = *study_ptr;
    const auto scenarios = core::make_scenarios(study);
    core::EvaluationOptions eo;
    eo.ids = ids;
    eo.steps = study.steps;
    eo.threads = threads;
    std::unique_ptr<core::DiffOpModel> model;
    core::ControllerFactory factory;
    QString name = controller_label(controller);
    if (policy) {
      model = std::make_unique<core::DiffOpModel>(study, policy->structure);
      core::check_policy_matches(*policy, *model, policy->study_path.empty() ? "policy" : policy->study_path);
      factory = [&] { return core::make_diffop_controller(*model, policy->theta); };
      name = QStringLiteral("policy DiffOP (%1)")
                 .arg(QString::fromStdString(core::to_string(policy->structure.mode)));
    } else {
      factory = reference_factory(study, controller);
    }
    const core::Evaluation ev = core::evaluate(study, *scenarios, factory, eo);
    core::EvaluationSummary summary = ev.summary;
    summary.controller = name.toStdString();
    emit evaluation_ready(name, summary);
    // The profile plot shows at most the first 64 scenarios, enough for min/mean/max at a glance.
    const core::SeedRange profile{ids.first, ids.first + std::min<long>(ids.size(), 64)};
    core::TrainingProgress traces = trace_controller(study, factory, profile, 4);
    traces.validation_transient = summary.transient;
    traces.validation_steady = summary.steady;
    emit progress(traces);
  } catch (const std::exception& e) {
    emit failed(QString::fromStdString(e.what()));
  }
  emit job_finished();
}

void register_worker_types() {
  qRegisterMetaType<vvc::gui::ReferenceLine>();
  qRegisterMetaType<QVector<vvc::gui::ReferenceLine>>();
  qRegisterMetaType<vvc::core::TrainingProgress>();
  qRegisterMetaType<vvc::core::PolicyFile>();
  qRegisterMetaType<vvc::core::EvaluationSummary>();
}

}  // namespace vvc::gui
