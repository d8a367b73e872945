// The Day tab: a day replayed on the open three-phase study under several controllers and the window's policy
// (core::experiment::replay_day, docs/formats/day.md). The day is a day profile file or the study script's own
// daily load shapes (vvc eval --day FILE, --day-shapes); the controllers are names of the registry, and the
// policy the one trained in the window or loaded from a file (a DiffOP policy or a DDPG baseline's networks: the
// one Evaluate policy runs). The replay runs on a thread of its own with a progress
// bar and a Stop button; the plots over 24 h show each controller's voltage envelope (lowest and highest |V| of
// the monitored node-phases) against the shaded band, the reactive power it used and its steps outside the band
// so far, and a table its summary (violations, kvar-hours, kWh of losses, cost).
#pragma once

#include <QThread>
#include <QWidget>
#include <atomic>
#include <memory>

#include "vvc/core/experiment/experiment.hpp"

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace vvc::gui {

class CopyableTable;

class DayView : public QWidget {
  Q_OBJECT

 public:
  explicit DayView(QWidget* parent = nullptr);
  ~DayView() override;

  /// The study the next replay runs on (null, or a balanced one: the view says that it needs a three-phase
  /// study). The day file field starts at the bundled day (cases/stable_ddpg_day/day_profile.csv beside the
  /// study's folder) when it is empty.
  void set_study(std::shared_ptr<const core::Study> study);
  /// The window's policy (null: none; the checkbox that replays it is disabled) and what it is, for the
  /// checkbox ("trained in the window", a file name). A new policy is checked.
  void set_policy(std::shared_ptr<const core::experiment::TrainedFile> policy, const QString& origin);
  /// Starts replaying (no-op while one runs); bad input (the day file, the controllers) shows in the status
  /// line and returns false.
  bool start();
  void stop();
  bool running() const { return running_; }

  enum Source { kDayFile = 0, kDailyShapes = 1 };
  QComboBox* source() const { return source_; }  ///< a Source: the day file, or the script's daily shapes
  QLineEdit* day_file() const { return day_file_; }
  QCheckBox* replay_policy() const { return replay_policy_; }  ///< replays the window's policy too
  QLineEdit* controllers() const { return controllers_; }
  QSpinBox* steps() const { return steps_; }  ///< 0: the whole day
  QSpinBox* stride() const { return stride_; }
  QProgressBar* progress() const { return progress_; }
  CopyableTable* table() const { return table_; }
  QCustomPlot* voltage_plot() const { return voltage_; }
  QCustomPlot* reactive_plot() const { return reactive_; }
  QCustomPlot* violation_plot() const { return violations_; }
  /// The last replay's result (null before the first).
  std::shared_ptr<const core::experiment::DayResult> result() const { return result_; }
  const QString& last_error() const { return last_error_; }

 signals:
  /// A replay ended (finished, stopped or failed).
  void finished();

 private:
  void show_result();
  void on_progress(const QString& controller, int index, int done, int total);
  void on_source_changed();

  std::shared_ptr<const core::Study> study_;
  std::shared_ptr<const core::experiment::TrainedFile> policy_;
  std::shared_ptr<const core::experiment::DayResult> result_;
  QString last_error_;
  bool running_ = false;
  std::shared_ptr<std::atomic<bool>> stop_;
  int controller_count_ = 0;

  QComboBox* source_;
  QLineEdit* day_file_;
  QPushButton* browse_;
  QLineEdit* controllers_;
  QCheckBox* replay_policy_;
  QSpinBox* steps_;
  QSpinBox* stride_;
  QPushButton* replay_;
  QPushButton* stop_button_;
  QProgressBar* progress_;
  QLabel* status_;
  QCustomPlot* voltage_;
  QCustomPlot* reactive_;
  QCustomPlot* violations_;
  CopyableTable* table_;
  QThread thread_;
  QObject* worker_;  ///< lives on thread_
};

}  // namespace vvc::gui
