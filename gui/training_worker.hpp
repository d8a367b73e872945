// The training worker: a QObject that lives on its own QThread and runs one job at a time through the
// experiment layer (core/experiment): training a method, or evaluating controllers or a loaded policy. Jobs are
// queued to it, so two Ipopt solves (the `limit` references) never run at once. Progress and results travel
// back to the GUI thread as copies through queued signals. Pause blocks the worker thread in the observer
// between iterations (episodes); Stop makes the observer return kStop, and the policy (networks) trained so far
// is still delivered.
#pragma once

#include <QMetaType>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QVector>
#include <QWaitCondition>
#include <atomic>
#include <memory>
#include <optional>

#include "vvc/core/diffop/policy_io.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/env/study.hpp"
#include "vvc/core/experiment/experiment.hpp"

namespace vvc::gui {

/// One job: train (with reference lines first) or evaluate.
struct TrainingJob {
  std::shared_ptr<const core::Study> study;
  std::optional<core::experiment::TrainRequest> train;
  std::optional<core::experiment::EvaluateRequest> evaluate;
  /// The scenarios the job's evaluations run on, as the evaluation table names them on two lines
  /// ("validation\n100000:100064"): the reference lines and reference controllers run on the validation seeds,
  /// Evaluate policy on the seeds the user typed ("seeds\n0:500").
  QString scenarios;
};

struct ReferenceLine {
  QString name;
  core::EvaluationSummary summary;  ///< on the validation seeds
};

class TrainingWorker : public QObject {
  Q_OBJECT

 public:
  using QObject::QObject;

  /// Run on the worker thread (queue it with QMetaObject::invokeMethod).
  void run(const TrainingJob& job);

  /// Thread-safe: called from the GUI thread while a job runs.
  void set_paused(bool paused);
  void request_stop();
  bool paused() const { return paused_.load(); }

 signals:
  void references_ready(const QVector<vvc::gui::ReferenceLine>& lines);
  void progress(const vvc::core::TrainingProgress& progress);
  /// A trained DiffOP policy or DDPG baseline's networks, its source "the policy trained here" or "the
  /// networks trained here".
  void policy_ready(const vvc::core::experiment::TrainedFile& trained);
  void evaluation_ready(const QString& controller, const vvc::core::EvaluationSummary& summary);
  void failed(const QString& message);
  void job_finished();

 private:
  class Observer;
  /// Blocks while paused; returns true when a stop was requested.
  bool wait_if_paused();

  QMutex mutex_;
  QWaitCondition resumed_;
  std::atomic<bool> paused_{false};
  std::atomic<bool> stop_{false};
};

/// Registers the types above for queued connections; call once before connecting.
void register_worker_types();

}  // namespace vvc::gui

Q_DECLARE_METATYPE(vvc::gui::ReferenceLine)
Q_DECLARE_METATYPE(vvc::core::TrainingProgress)
Q_DECLARE_METATYPE(vvc::core::experiment::TrainedFile)
Q_DECLARE_METATYPE(vvc::core::EvaluationSummary)
