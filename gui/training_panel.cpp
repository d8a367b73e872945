#include "training_panel.hpp"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QThread>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "vvc/common/errors.hpp"
#include "vvc/core/reference/registry.hpp"

namespace vvc::gui {

namespace {

/// The methods the panel trains, in the order of its list.
constexpr core::experiment::Method kTrainedHere[] = {
    core::experiment::Method::kDiffOpStep, core::experiment::Method::kDiffOpTraj,
    core::experiment::Method::kStableDdpg, core::experiment::Method::kTasrl};

QSpinBox* int_box(QWidget* parent, int lo, int hi, int value, const QString& tip) {
  auto* box = new QSpinBox(parent);
  box->setRange(lo, hi);
  box->setValue(value);
  box->setToolTip(tip);
  return box;
}

QDoubleSpinBox* real_box(QWidget* parent, double lo, double hi, double value, int decimals,
                         const QString& tip) {
  auto* box = new QDoubleSpinBox(parent);
  box->setRange(lo, hi);
  box->setDecimals(decimals);
  box->setSingleStep(std::pow(10.0, -decimals + 1));
  box->setValue(value);
  box->setToolTip(tip);
  return box;
}

}  // namespace

TrainingPanel::TrainingPanel(QWidget* parent) : QWidget(parent) {
  const core::DiffOpTrainingOptions defaults;
  study_label_ = new QLabel(tr("no study open"), this);
  study_label_->setWordWrap(true);
  scenario_label_ = new QLabel(this);
  controller_ = new QComboBox(this);
  // DiffOP and the DDPG baselines train; the controller registry's entries are evaluated.
  for (core::experiment::Method m : kTrainedHere) {
    const core::experiment::MethodInfo& info = core::experiment::method_info(m);
    controller_->addItem(QString::fromStdString(info.name), QString::fromStdString(info.key));
    controller_->setItemData(controller_->count() - 1, QString::fromStdString(info.description),
                             Qt::ToolTipRole);
  }
  for (const core::ControllerEntry& e : core::controller_registry()) {
    controller_->addItem(QString::fromStdString(e.name), QString::fromStdString(e.name));
    controller_->setItemData(controller_->count() - 1, QString::fromStdString(e.description),
                             Qt::ToolTipRole);
  }
  controller_->setToolTip(tr(
      "DiffOP trains a QP policy with hard voltage limits, Stable-DDPG and TASRL their networks with their "
      "references' recipes (as vvc train --method); the reference controllers are evaluated on the "
      "validation scenarios (no training)"));
  iterations_ = int_box(this, 1, 100000, defaults.iterations,
                        tr("DiffOP: policy-gradient iterations; Stable-DDPG, TASRL: training episodes"));
  iterations_label_ = new QLabel(tr("Iterations"), this);
  horizon_ = int_box(this, 1, 100, 1, tr("Planning horizon H, in control steps (Step: 1, Traj: 10)"));
  scenarios_ = int_box(this, 1, 1024, defaults.scenarios_per_iteration,
                       tr("Training scenarios per iteration (B), sampled from the study's training seeds"));
  gradient_ = new QComboBox(this);
  for (core::GradientEstimator e :
       {core::GradientEstimator::kLikelihoodRatio, core::GradientEstimator::kPathwise}) {
    gradient_->addItem(QString::fromStdString(core::to_string(e)), static_cast<int>(e));
  }
  gradient_->setToolTip(tr(
      "Policy-gradient estimator: the likelihood ratio of noisy rollouts (noise draws and sigma), or "
      "pathwise "
      "through the power flow's voltage sensitivities (one deterministic rollout per scenario; three-phase "
      "studies, where it is the default)"));
  draws_ = int_box(this, 2, 64, defaults.noise_draws, tr("Exploration noise draws per scenario (K >= 2)"));
  sigma_ = real_box(this, 0.001, 1.0, defaults.sigma, 3, tr("Exploration standard deviation, MVar"));
  learning_rate_ = real_box(this, 0.0001, 1.0, defaults.adam.learning_rate, 4,
                            tr("Adam step size on the normalized parameters (dimensionless)"));
  validation_every_ = int_box(this, 1, 1000, defaults.validation.every,
                              tr("Iterations between validation evaluations (which feed the voltage plots)"));
  validation_scenarios_ =
      int_box(this, 0, 1000, defaults.validation.scenarios,
              tr("Validation scenarios: the first seeds of the training range, held out from "
                 "training; the reference lines are evaluated on the same seeds. auto: "
                 "min(64, N/4) of the study's N training seeds"));
  validation_scenarios_->setSpecialValueText(tr("auto"));
  seed_ = int_box(this, 0, 1000000, static_cast<int>(defaults.seed),
                  tr("Random seed of scenario sampling and exploration"));
  threads_ = int_box(this, 1, 64, std::max(1, QThread::idealThreadCount() - 1),
                     tr("Rollout threads; results do not depend on it. One core is left to the window."));
  references_ = new QCheckBox(this);
  references_->setChecked(true);
  references_->setToolTip(
      tr("Evaluate the reference controllers and the limit (Ipopt, serial) on the validation seeds before "
         "training"));
  eval_seeds_ = new QLineEdit(QStringLiteral("0:500"), this);
  eval_seeds_->setToolTip(
      tr("Scenario ids A:B (half-open) on which Evaluate runs the loaded or trained policy"));

  connect(controller_, &QComboBox::currentIndexChanged, this, [this] {
    horizon_->setValue(controller_->currentData().toString() == QStringLiteral("diffop-traj") ? 10 : 1);
    // Each kind of method starts from its own budget: DiffOP's iterations, a DDPG baseline's episodes.
    const bool episodes = trains() && !core::experiment::is_diffop_form(*method());
    if (episodes != (iterations_label_->text() == tr("Episodes"))) {
      iterations_label_->setText(episodes ? tr("Episodes") : tr("Iterations"));
      iterations_->setValue(episodes ? ddpg_options(*method()).episodes
                                     : core::DiffOpTrainingOptions{}.iterations);
    }
    enable_training_fields();
    start_->setText(trains() ? tr("Start") : tr("Evaluate"));
  });
  connect(gradient_, &QComboBox::currentIndexChanged, this, [this] { enable_training_fields(); });

  auto* form = new QFormLayout;
  form->addRow(tr("Study"), study_label_);
  form->addRow(tr("Scenario set"), scenario_label_);
  form->addRow(tr("Controller"), controller_);
  form->addRow(iterations_label_, iterations_);
  form->addRow(tr("Horizon H (steps)"), horizon_);
  form->addRow(tr("Scenarios / iteration"), scenarios_);
  form->addRow(tr("Gradient"), gradient_);
  form->addRow(tr("Noise draws"), draws_);
  form->addRow(tr("Sigma (MVar)"), sigma_);
  form->addRow(tr("Learning rate"), learning_rate_);
  form->addRow(tr("Validate every"), validation_every_);
  form->addRow(tr("Validation scenarios"), validation_scenarios_);
  form->addRow(tr("Seed"), seed_);
  form->addRow(tr("Threads"), threads_);
  form->addRow(references_);
  auto* setup = new QGroupBox(tr("Training"), this);
  setup->setLayout(form);

  start_ = new QPushButton(tr("Start"), this);
  pause_ = new QPushButton(tr("Pause"), this);
  pause_->setCheckable(true);
  stop_ = new QPushButton(tr("Stop"), this);
  connect(start_, &QPushButton::clicked, this, &TrainingPanel::start_requested);
  connect(pause_, &QPushButton::toggled, this, &TrainingPanel::pause_requested);
  connect(stop_, &QPushButton::clicked, this, &TrainingPanel::stop_requested);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(start_);
  buttons->addWidget(pause_);
  buttons->addWidget(stop_);
  progress_ = new QProgressBar(this);
  status_ = new QLabel(this);
  status_->setWordWrap(true);

  evaluate_ = new QPushButton(tr("Evaluate policy"), this);
  evaluate_->setToolTip(tr("Evaluate the loaded or last trained policy on the scenario ids below"));
  connect(evaluate_, &QPushButton::clicked, this, &TrainingPanel::evaluate_policy_requested);
  auto* eval_row = new QHBoxLayout;
  eval_row->addWidget(new QLabel(tr("Evaluate the policy on seeds"), this));
  eval_row->addWidget(eval_seeds_);
  eval_row->addWidget(evaluate_);
  evaluations_ = new CopyableTable(this);
  evaluations_->setColumnCount(8);
  evaluations_->setHorizontalHeaderLabels({tr("controller"), tr("scenarios"), tr("transient"), tr("steady"),
                                           tr("% out\nof band"), tr("final\nout"), tr("late"),
                                           tr("fall-\nbacks")});
  const QString tips[] = {
      tr("The controller or policy evaluated"),
      tr("The scenario set the row's means are over: the validation seeds (held out from training) for the "
         "reference lines and controllers, the seeds typed above for Evaluate policy"),
      tr("Mean over the scenarios of sum_t 0.99^t F(q_t) (lower is better)"),
      tr("Mean of F(q_T), the cost at the last step"),
      tr("Share of scenario-steps with some bus outside the band, %"),
      tr("Scenarios whose last step is outside the band"),
      tr("Scenarios with a step outside the band after step %1").arg(core::kLateStep),
      tr("Scenario-steps whose action came from the controller's fallback")};
  const char* const names[] = {"controller",    "scenarios", "transient", "steady",
                               "% out of band", "final out", "late",      "fallbacks"};
  for (int c = 0; c < evaluations_->columnCount(); ++c) {
    evaluations_->horizontalHeaderItem(c)->setToolTip(tips[c]);
    evaluations_->horizontalHeaderItem(c)->setData(CopyableTable::kHeaderNameRole, tr(names[c]));
  }
  // Every column whole: the window widens the panel to the table's columns as rows arrive (evaluation_added).
  evaluations_->horizontalHeader()->setStretchLastSection(false);
  evaluations_->resizeColumnsToContents();
  auto* eval_box = new QGroupBox(tr("Evaluation: mean costs, each row on the scenarios it names"), this);
  auto* eval_layout = new QVBoxLayout(eval_box);
  eval_layout->addWidget(evaluations_);
  eval_layout->addLayout(eval_row);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(setup);
  layout->addLayout(buttons);
  layout->addWidget(progress_);
  layout->addWidget(status_);
  layout->addWidget(eval_box, 1);
  set_study(nullptr);
}

void TrainingPanel::set_study(std::shared_ptr<const core::Study> study) {
  study_ = std::move(study);
  QStringList names;
  for (const std::string& name : reference_controllers()) names << QString::fromStdString(name);
  references_->setText(tr("reference lines (%1)").arg(names.join(QStringLiteral(", "))));
  if (study_) {
    study_label_->setText(QStringLiteral("%1 (%2 inverters, band %3 to %4 pu)")
                              .arg(QString::fromStdString(study_->name))
                              .arg(study_->num_inverters())
                              .arg(study_->vmin_pu)
                              .arg(study_->vmax_pu));
    scenario_label_->setText(tr("%1, %2 steps\ntraining seeds %3:%4")
                                 .arg(QString::fromStdString(study_->scenarios.type))
                                 .arg(study_->steps)
                                 .arg(study_->training_seeds.first)
                                 .arg(study_->training_seeds.last));
    eval_seeds_->setText(
        QStringLiteral("%1:%2").arg(study_->evaluation_seeds.first).arg(study_->evaluation_seeds.last));
    gradient_->setCurrentIndex(
        gradient_->findData(static_cast<int>(core::DiffOpTrainingOptions{}.estimator(*study_))));
    status_->setText(tr("Ready."));
  } else {
    study_label_->setText(tr("open a study to train (a plain case has no inverters or scenarios)"));
    scenario_label_->clear();
  }
  enable_training_fields();
  set_running(false, false);
}

std::vector<std::string> TrainingPanel::reference_controllers() const {
  // On the Stable-DDPG cost the gradient flow (a rule for F) is no yardstick; Stable-DDPG's linear droop is.
  if (study_ && study_->cost_form == core::CostForm::kStableDdpg) return {"zero", "linear", "limit"};
  return {"zero", "gradient-flow", "limit"};
}

std::optional<core::experiment::Method> TrainingPanel::method() const {
  const std::string key = controller_->currentData().toString().toStdString();
  for (core::experiment::Method m : kTrainedHere) {
    if (core::experiment::method_info(m).key == key) return m;
  }
  return std::nullopt;
}

core::BaselineOptions TrainingPanel::ddpg_options(core::experiment::Method method) const {
  if (method == core::experiment::Method::kTasrl) return core::default_tasrl_options();
  return study_ ? core::default_stable_ddpg_options(*study_) : core::default_stable_ddpg_options();
}

core::GradientEstimator TrainingPanel::estimator() const {
  return static_cast<core::GradientEstimator>(gradient_->currentData().toInt());
}

void TrainingPanel::enable_training_fields() {
  for (QWidget* w : std::initializer_list<QWidget*>{iterations_, validation_every_, seed_}) {
    w->setEnabled(trains());
  }
  // The DDPG baselines train with their references' hyperparameters: only DiffOP's are in the form.
  const bool diffop = trains() && core::experiment::is_diffop_form(*method());
  for (QWidget* w : std::initializer_list<QWidget*>{horizon_, scenarios_, learning_rate_})
    w->setEnabled(diffop);
  // The pathwise gradient needs the plant's sensitivities (three-phase studies) and draws no noise.
  gradient_->setEnabled(diffop && study_ && study_->three_phase());
  const bool noisy = estimator() == core::GradientEstimator::kLikelihoodRatio;
  draws_->setEnabled(diffop && noisy);
  sigma_->setEnabled(diffop && noisy);
}

TrainingJob TrainingPanel::request() const {
  if (!study_) throw InputError("no study is open: open a study (File > Open) to train");
  TrainingJob job;
  job.study = study_;
  const std::string key = controller_->currentData().toString().toStdString();
  core::DiffOpTrainingOptions o;
  o.iterations = iterations_->value();
  o.scenarios_per_iteration = scenarios_->value();
  o.gradient = estimator();
  o.noise_draws = draws_->value();
  o.sigma = sigma_->value();
  o.adam.learning_rate = learning_rate_->value();
  o.validation.every = validation_every_->value();
  o.validation.scenarios = validation_scenarios_->value();
  o.validation.traced = 4;
  o.seed = static_cast<std::uint64_t>(seed_->value());
  const core::SeedRange validation = core::split_training_seeds(*study_, o.validation).validation;
  job.scenarios = tr("validation\n%1:%2").arg(validation.first).arg(validation.last);
  if (trains() && core::experiment::is_diffop_form(*method())) {
    core::experiment::TrainRequest r;
    r.method = *method();
    r.horizon = horizon_->value();
    r.diffop = o;
    r.threads = threads_->value();
    if (references_->isChecked()) r.references = reference_controllers();
    job.train = r;
  } else if (trains()) {
    // As vvc train --method: the reference's recipe for the study's kind, with the form's episodes, seed and
    // validation (the same validation seeds as DiffOP's, so the reference lines are comparable).
    core::experiment::TrainRequest r =
        core::experiment::table_request(*study_, *method(), false, threads_->value());
    r.ddpg.episodes = iterations_->value();
    r.ddpg.seed = o.seed;
    r.ddpg.validation = o.validation;
    if (references_->isChecked()) r.references = reference_controllers();
    job.train = r;
  } else {
    // A reference controller is evaluated on the validation seeds, where the reference lines would be.
    core::experiment::EvaluateRequest r;
    r.controllers = {key};
    r.seeds = validation;
    r.threads = threads_->value();
    r.trace.episodes = 4;
    r.trace.final_voltages = 64;
    job.evaluate = r;
  }
  return job;
}

core::SeedRange TrainingPanel::evaluation_seeds() const {
  return core::parse_seed_range(eval_seeds_->text().trimmed().toStdString(), "evaluation seeds");
}

void TrainingPanel::set_running(bool running, bool paused) {
  if (running && !running_) fallbacks_ = 0;
  running_ = running;
  start_->setEnabled(!running && study_ != nullptr);
  evaluate_->setEnabled(!running && study_ != nullptr);
  pause_->setEnabled(running);
  stop_->setEnabled(running);
  pause_->blockSignals(true);
  pause_->setChecked(paused);
  pause_->setText(paused ? tr("Resume") : tr("Pause"));
  pause_->blockSignals(false);
}

void TrainingPanel::show_progress(const core::TrainingProgress& p) {
  if (p.iterations <= 0) return;
  const core::LearningPoint& point = p.point;
  progress_->setRange(0, p.iterations);
  progress_->setValue(point.iteration);
  const double eta = point.seconds / std::max(1, point.iteration) * (p.iterations - point.iteration);
  // DiffOP reports iterations (the rollouts' cost, the gradient's norm), a DDPG baseline episodes (its mean step
  // cost).
  const bool episodes = p.unit == core::TrainingUnit::kEpisode;
  QString text = tr("%1 %2/%3, %4 %5")
                     .arg(QString::fromLatin1(core::to_string(p.unit)))
                     .arg(point.iteration)
                     .arg(p.iterations)
                     .arg(episodes ? tr("mean step cost") : tr("rollout cost"))
                     .arg(point.training_cost, 0, 'f', 4);
  if (std::isfinite(point.gradient_norm)) text += tr(", |grad| %1").arg(point.gradient_norm, 0, 'g', 3);
  text += tr(", %1 s, ETA %2 s").arg(point.seconds, 0, 'f', 0).arg(eta, 0, 'f', 0);
  if (point.validated()) text += tr(", validation %1").arg(point.validation_transient, 0, 'f', 4);
  fallbacks_ += point.fallback_steps;
  if (fallbacks_ > 0) text += tr(", %1 fallback steps so far").arg(fallbacks_);
  status_->setText(text);
}

void TrainingPanel::add_evaluation(const QString& controller, const core::EvaluationSummary& s,
                                   const QString& scenarios) {
  evaluations_->setSortingEnabled(false);
  const int row = evaluations_->rowCount();
  evaluations_->insertRow(row);
  evaluations_->setItem(row, 0, text_item(controller));
  QTableWidgetItem* set = text_item(scenarios);
  set->setToolTip(scenarios.startsWith(tr("validation")) ? tr("the validation seeds (held out from training)")
                                                         : tr("the seeds typed below"));
  evaluations_->setItem(row, 1, set);
  evaluations_->setItem(row, 2, new NumberItem(s.transient, 4));
  evaluations_->setItem(row, 3, new NumberItem(s.steady, 4));
  evaluations_->setItem(row, 4, new NumberItem(100.0 * s.fraction_out_of_band, 2));
  evaluations_->setItem(row, 5, new NumberItem(s.final_violations, 0));
  evaluations_->setItem(row, 6, new NumberItem(s.late_recoveries, 0));
  evaluations_->setItem(row, 7, new NumberItem(static_cast<double>(s.fallback_steps), 0));
  evaluations_->resizeColumnsToContents();
  evaluations_->resizeRowsToContents();
  evaluations_->setSortingEnabled(true);
  emit evaluation_added();
}

void TrainingPanel::set_status(const QString& text) { status_->setText(text); }

}  // namespace vvc::gui
