// The training worker: a QObject that lives on its own QThread and runs one job at a time (training, or the
// evaluation of a controller or a loaded policy). Jobs are queued to it, so two Ipopt solves (the `limit`
// reference) never run at once. Results travel back to the GUI thread as copies through queued signals.
// Pause blocks the training thread on a QWaitCondition between iterations; Stop makes the observer return
// kStop, and the policy trained so far is still delivered.
#pragma once

#include <QMetaType>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QVector>
#include <QWaitCondition>
#include <atomic>
#include <memory>

#include "vvc/core/diffop/policy_io.hpp"
#include "vvc/core/diffop/trainer.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/env/study.hpp"

namespace vvc::gui {

enum class ControllerKind { kDiffOpStep, kDiffOpTraj, kZero, kVoltVar, kGradientFlow };

/// True for the two DiffOP variants (which train); the others are reference controllers (evaluated only).
bool is_trainable(ControllerKind kind);
QString controller_label(ControllerKind kind);

struct TrainingRequest {
  std::shared_ptr<const core::Study> study;
  ControllerKind controller = ControllerKind::kDiffOpStep;
  int horizon = 1;
  core::DiffOpTrainingOptions options;
  bool references = true;  ///< evaluate zero, gradient flow and limit on the validation seeds first
};

struct ReferenceLine {
  QString name;
  core::EvaluationSummary summary;  ///< on the validation seeds
};

/// Traces (|V| and q per step) of the first `traced` scenarios of `ids` and the final |V| of all of them,
/// packed as a TrainingProgress (iteration 0) so that the live plots show them like a validation iteration.
core::TrainingProgress trace_controller(const core::Study& study, const core::ControllerFactory& factory,
                                        core::SeedRange ids, int traced);

class TrainingWorker : public QObject {
  Q_OBJECT

 public:
  using QObject::QObject;

  /// Run on the worker thread (queue them with QMetaObject::invokeMethod).
  void run_training(const TrainingRequest& request);
  void run_evaluation(std::shared_ptr<const core::Study> study, ControllerKind controller,
                      std::shared_ptr<const core::PolicyFile> policy, core::SeedRange ids, int threads);

  /// Thread-safe: called from the GUI thread while a job runs.
  void set_paused(bool paused);
  void request_stop();
  bool paused() const { return paused_.load(); }

 signals:
  void references_ready(const QVector<vvc::gui::ReferenceLine>& lines);
  void progress(const vvc::core::TrainingProgress& progress);
  void policy_ready(const vvc::core::PolicyFile& policy);
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
Q_DECLARE_METATYPE(vvc::core::PolicyFile)
Q_DECLARE_METATYPE(vvc::core::EvaluationSummary)
