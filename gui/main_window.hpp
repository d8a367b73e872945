// The vvc desktop window: File menu (open a case, a study or a results folder, recent files, load and export
// policies, export plots and data), the feeder view with its results tables, the live training plots, the
// comparison of a results folder's learning curves, and the training panel in a dock. Training and evaluation
// run on one worker thread (training_worker.hpp); every error in a file or a form becomes a dialog naming the
// file and line or field.
#pragma once

#include <QMainWindow>
#include <QThread>
#include <memory>
#include <optional>

#include "case_document.hpp"
#include "comparison_view.hpp"
#include "day_view.hpp"
#include "dss_feeder_view.hpp"
#include "dss_results.hpp"
#include "feeder_view.hpp"
#include "live_plots.hpp"
#include "results_table.hpp"
#include "study_dialog.hpp"
#include "training_panel.hpp"
#include "training_worker.hpp"

class QDockWidget;
class QMenu;
class QScrollArea;
class QTabWidget;

namespace vvc::gui {

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  enum Tab { kFeederTab = 0, kTrainingTab = 1, kComparisonTab = 2, kDayTab = 3 };

  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  /// Opens a case, a study or a results folder (is_results_folder); on bad input shows a dialog and returns
  /// false.
  bool open_path(const QString& path);
  /// Opens a results folder of `vvc bench table` in the Comparison tab; dialog and false on bad input, and
  /// whatever was shown before stays.
  bool open_results(const QString& path);
  /// Opens the "New study from this feeder" dialog on the open OpenDSS feeder (a dialog and null when none is
  /// open); the study it saves is opened.
  StudyDialog* new_study_from_feeder();
  /// Starts training (or evaluates a reference controller) with the panel's settings.
  void start_training();
  void set_paused(bool paused);
  void stop_training();
  /// Loads a DiffOP policy or a DDPG baseline's networks (by the file's "format") and checks that it fits the
  /// open study; dialog and false on error.
  bool load_policy(const QString& path);
  /// Evaluates the current policy on the panel's evaluation seeds (on the worker thread).
  void evaluate_policy();
  /// Export helpers (dialogs on error); return whether everything was written. The policy is written in its
  /// own format (a policy file, or a baseline file for loaded networks).
  bool export_policy(const QString& path);
  bool export_plots(const QString& base, const QString& format);
  bool export_data(const QString& base);
  /// The comparison chart as PNG or SVG (by the suffix of `path`), and the comparison table as CSV.
  bool export_comparison_chart(const QString& path);
  bool export_comparison_table(const QString& path);
  void show_tab(Tab tab);

  bool running() const { return running_; }
  const std::optional<CaseDocument>& document() const { return document_; }
  std::shared_ptr<const core::experiment::TrainedFile> policy() const { return policy_; }
  const QString& last_error() const { return last_error_; }
  QStringList recent_files() const;
  FeederView* feeder_view() const { return feeder_; }
  ResultsTables* results() const { return results_; }
  DssFeederView* dss_feeder_view() const { return dss_feeder_; }
  DssResultsTables* dss_results() const { return dss_results_; }
  TrainingPanel* panel() const { return panel_; }
  LivePlots* plots() const { return plots_; }
  ComparisonView* comparison() const { return comparison_; }
  DayView* day_view() const { return day_; }

 signals:
  /// A training or evaluation job ended (finished, stopped or failed).
  void job_finished();
  void document_opened();

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  void closeEvent(QCloseEvent* event) override;

 private:
  void build_menus();
  /// Widens the training dock when the evaluation table's columns have grown past it.
  void fit_panel();
  void rebuild_recent_menu();
  void remember(const QString& path);
  void report_error(const QString& title, const QString& message);
  void on_progress(const core::TrainingProgress& progress);
  /// A three-phase study: colours the feeder diagram by the final |V| of the validation scenario the training
  /// plots show.
  void show_scenario_on_feeder();
  /// Shows an OpenDSS feeder's diagram and tables in place of the balanced ones (null: the balanced ones)
  /// and disables the training panel, which needs a study.
  void show_dss(const DssDocument* dss);

  std::optional<CaseDocument> document_;
  std::shared_ptr<const core::experiment::TrainedFile> policy_;
  QString last_error_;
  bool running_ = false;
  QString job_scenarios_;  ///< TrainingJob::scenarios of the job under way

  QTabWidget* tabs_;
  FeederView* feeder_;
  ResultsTables* results_;
  DssFeederView* dss_feeder_;
  DssResultsTables* dss_results_;
  LivePlots* plots_;
  ComparisonView* comparison_;
  DayView* day_;
  TrainingPanel* panel_;
  QScrollArea* scroll_ = nullptr;
  QDockWidget* dock_ = nullptr;
  QMenu* recent_menu_ = nullptr;
  QThread thread_;
  TrainingWorker* worker_;
};

}  // namespace vvc::gui
