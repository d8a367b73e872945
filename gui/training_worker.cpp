#include "training_worker.hpp"

#include <exception>

namespace vvc::gui {

/// Turns the experiment's reports into queued signals, and pause and stop into the observer's answer. The
/// evaluations that finish before the first training iteration are the reference lines.
class TrainingWorker::Observer final : public core::TrainingObserver {
 public:
  Observer(TrainingWorker& worker, bool training) : worker_(worker), training_(training) {}

  core::ObserverAction on_progress(const core::TrainingProgress& progress) override {
    flush_references();
    emit worker_.progress(progress);
    return answer();
  }
  core::ObserverAction on_evaluation(const core::EvaluationProgress& progress) override {
    if (progress.summary != nullptr) {
      const QString name = QString::fromStdString(progress.controller);
      if (training_ && !trained_) {
        references_.push_back({name, *progress.summary});
      } else {
        emit worker_.evaluation_ready(name, *progress.summary);
        emit worker_.progress(traces_of(*progress.evaluation));
      }
    }
    return answer();
  }
  /// Sends the reference lines gathered so far (once).
  void flush_references() {
    if (training_ && !trained_ && !references_.isEmpty()) emit worker_.references_ready(references_);
    trained_ = true;
  }

 private:
  core::ObserverAction answer() {
    return worker_.wait_if_paused() ? core::ObserverAction::kStop : core::ObserverAction::kContinue;
  }
  /// An evaluation's traces and final voltages, as a progress report without a curve point (iterations = 0).
  static core::TrainingProgress traces_of(const core::Evaluation& evaluation) {
    core::TrainingProgress p;
    p.traces = evaluation.traces;
    p.final_vm = evaluation.final_vm;
    p.point.validation_transient = evaluation.summary.transient;
    p.point.validation_steady = evaluation.summary.steady;
    return p;
  }

  TrainingWorker& worker_;
  bool training_;
  bool trained_ = false;
  QVector<ReferenceLine> references_;
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

void TrainingWorker::run(const TrainingJob& job) {
  stop_ = false;
  try {
    const core::Study& study = *job.study;
    Observer observer(*this, job.train.has_value());
    if (job.train) {
      const core::experiment::TrainResult result = core::experiment::train(study, *job.train, &observer);
      observer.flush_references();
      if (!result.summary.curve.empty()) {
        core::experiment::TrainedFile trained;
        if (result.baseline) {
          trained.baseline = core::experiment::BaselineInput{
              "the networks trained here", core::experiment::baseline_file(study, *job.train, result)};
        } else if (result.model != nullptr) {
          trained.policy = core::experiment::PolicyInput{"the policy trained here",
                                                         core::experiment::policy_file(*job.train, result)};
        }
        if (trained.policy || trained.baseline) emit policy_ready(trained);
      }
    } else if (job.evaluate) {
      core::experiment::evaluate(study, *job.evaluate, &observer);
    }
  } catch (const std::exception& e) {
    emit failed(QString::fromStdString(e.what()));
  }
  emit job_finished();
}

void register_worker_types() {
  qRegisterMetaType<vvc::gui::ReferenceLine>();
  qRegisterMetaType<QVector<vvc::gui::ReferenceLine>>();
  qRegisterMetaType<vvc::core::TrainingProgress>();
  qRegisterMetaType<vvc::core::experiment::TrainedFile>();
  qRegisterMetaType<vvc::core::EvaluationSummary>();
}

}  // namespace vvc::gui
