// The training panel: study and scenario set, controller, hyperparameters (defaults of `vvc train`, units in
// the tooltips), Start / Pause / Stop, and a table of evaluation results (reference controllers and loaded or
// trained policies), each row naming the scenario set it was evaluated on (validation seeds for the
// references, the typed seeds for Evaluate policy), with every column shown whole.
#pragma once

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QWidget>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "results_table.hpp"
#include "training_worker.hpp"

namespace vvc::gui {

class TrainingPanel : public QWidget {
  Q_OBJECT

 public:
  explicit TrainingPanel(QWidget* parent = nullptr);

  /// The study training runs on (null: a plain case is open, training is disabled).
  void set_study(std::shared_ptr<const core::Study> study);
  /// Builds the job from the form: training for the DiffOP and DDPG entries, an evaluation on the validation
  /// seeds for the reference controllers. Throws InputError for inconsistent values.
  TrainingJob request() const;
  /// The method the selected entry trains; none for a reference controller (evaluated, not trained).
  std::optional<core::experiment::Method> method() const;
  /// Whether the selected entry trains (DiffOP, Stable-DDPG, TASRL) rather than evaluates.
  bool trains() const { return method().has_value(); }
  /// The controllers of the reference lines: zero, the limit and, on the F cost, the gradient flow, on the
  /// Stable-DDPG cost, Stable-DDPG's linear droop.
  std::vector<std::string> reference_controllers() const;
  /// The selected policy-gradient estimator.
  core::GradientEstimator estimator() const;
  /// Evaluation seed range "A:B" from the form; throws InputError when malformed.
  core::SeedRange evaluation_seeds() const;
  int threads() const { return threads_->value(); }

  /// Reflects the run state in the buttons: idle, running or paused.
  void set_running(bool running, bool paused);
  void show_progress(const core::TrainingProgress& progress);
  /// Adds a row to the evaluation table; `scenarios` names the scenario set its means are over.
  void add_evaluation(const QString& controller, const core::EvaluationSummary& summary,
                      const QString& scenarios);
  void set_status(const QString& text);

  QComboBox* controller() const { return controller_; }
  /// DiffOP's iterations, or the DDPG baselines' episodes (its label says which).
  QSpinBox* iterations() const { return iterations_; }
  QLabel* iterations_label() const { return iterations_label_; }
  /// The policy-gradient estimator: likelihood ratio, or pathwise (three-phase studies, their default).
  QComboBox* gradient() const { return gradient_; }
  QSpinBox* noise_draws() const { return draws_; }
  QDoubleSpinBox* sigma() const { return sigma_; }
  QSpinBox* validation_scenarios() const { return validation_scenarios_; }
  QSpinBox* validation_every() const { return validation_every_; }
  QSpinBox* thread_count() const { return threads_; }
  QCheckBox* references() const { return references_; }
  QLineEdit* evaluation_seed_edit() const { return eval_seeds_; }
  QPushButton* start_button() const { return start_; }
  QPushButton* pause_button() const { return pause_; }
  QPushButton* stop_button() const { return stop_; }
  CopyableTable* evaluations() const { return evaluations_; }

 signals:
  void start_requested();
  void pause_requested(bool paused);
  void stop_requested();
  void evaluate_policy_requested();
  /// A row was added to the evaluation table (its columns may have widened).
  void evaluation_added();

 private:
  /// The DDPG baseline's reference options on the open study (its episode budget).
  core::BaselineOptions ddpg_options(core::experiment::Method method) const;
  /// Enables the training fields that the selected entry and estimator use (noise draws and sigma: the
  /// likelihood ratio only).
  void enable_training_fields();

  std::shared_ptr<const core::Study> study_;
  QLabel* study_label_;
  QLabel* scenario_label_;
  QComboBox* controller_;
  QSpinBox* iterations_;
  QLabel* iterations_label_;
  QSpinBox* horizon_;
  QSpinBox* scenarios_;
  QComboBox* gradient_;
  QSpinBox* draws_;
  QDoubleSpinBox* sigma_;
  QDoubleSpinBox* learning_rate_;
  QSpinBox* validation_every_;
  QSpinBox* validation_scenarios_;
  QSpinBox* seed_;
  QSpinBox* threads_;
  QCheckBox* references_;
  QLineEdit* eval_seeds_;
  QPushButton* start_;
  QPushButton* pause_;
  QPushButton* stop_;
  QPushButton* evaluate_;
  QProgressBar* progress_;
  QLabel* status_;
  CopyableTable* evaluations_;
  bool running_ = false;
  long fallbacks_ = 0;  ///< exact-penalty fallback steps of the run under way
};

}  // namespace vvc::gui
