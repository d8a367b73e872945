#include "day_view.hpp"

#include <qcustomplot.h>
#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>
#include <filesystem>
#include <sstream>

#include "live_plots.hpp"
#include "results_table.hpp"

namespace vvc::gui {

namespace {

constexpr double kSecondsPerHour = 3600.0;

QVector<double> hours(const Eigen::VectorXd& time_s) {
  QVector<double> x(static_cast<int>(time_s.size()));
  for (int i = 0; i < x.size(); ++i) x[i] = time_s[i] / kSecondsPerHour;
  return x;
}

QVector<double> values(const Eigen::VectorXd& v) { return QVector<double>(v.data(), v.data() + v.size()); }

/// The steps outside the band up to each step.
QVector<double> cumulative_out_of_band(const Eigen::VectorXi& violations) {
  QVector<double> out(static_cast<int>(violations.size()));
  double count = 0.0;
  for (int i = 0; i < out.size(); ++i) {
    count += violations[i] > 0 ? 1.0 : 0.0;
    out[i] = count;
  }
  return out;
}

const QStringList kColumns = {"controller",
                              "steps",
                              "steps out\nof band",
                              "node-phase\nviolations",
                              "worst\nviolation pu",
                              "kvar-h",
                              "losses\nkWh",
                              "cost",
                              "failures",
                              "CPU s"};

/// Reports the replay's progress to the view and passes its Stop on.
class DayObserver final : public core::TrainingObserver {
 public:
  DayObserver(DayView* view, std::shared_ptr<std::atomic<bool>> stop,
              std::function<void(const QString&, int, int, int)> report)
      : view_(view), stop_(std::move(stop)), report_(std::move(report)) {}

  core::ObserverAction on_progress(const core::TrainingProgress&) override { return action(); }
  core::ObserverAction on_evaluation(const core::EvaluationProgress& p) override {
    if (p.done == 0) ++index_;
    const QString name = QString::fromStdString(p.controller);
    const int index = index_;
    const int done = static_cast<int>(p.done);
    const int total = static_cast<int>(p.total);
    QMetaObject::invokeMethod(
        view_, [report = report_, name, index, done, total] { report(name, index, done, total); },
        Qt::QueuedConnection);
    return action();
  }

 private:
  core::ObserverAction action() const {
    return stop_->load() ? core::ObserverAction::kStop : core::ObserverAction::kContinue;
  }

  DayView* view_;
  std::shared_ptr<std::atomic<bool>> stop_;
  std::function<void(const QString&, int, int, int)> report_;
  int index_ = -1;
};

}  // namespace

DayView::DayView(QWidget* parent)
    : QWidget(parent),
      source_(new QComboBox(this)),
      day_file_(new QLineEdit(this)),
      browse_(new QPushButton(tr("Browse..."), this)),
      controllers_(new QLineEdit("zero,voltvar", this)),
      replay_policy_(new QCheckBox(tr("this window's policy"), this)),
      steps_(new QSpinBox(this)),
      stride_(new QSpinBox(this)),
      replay_(new QPushButton(tr("Replay"), this)),
      stop_button_(new QPushButton(tr("Stop"), this)),
      progress_(new QProgressBar(this)),
      status_(new QLabel(this)),
      voltage_(make_plot(this, tr("Voltage envelope (monitored node-phases)"), tr("hour"), tr("|V| pu"))),
      reactive_(make_plot(this, tr("Reactive power used"), tr("hour"), tr("sum |q| kvar"))),
      violations_(make_plot(this, tr("Steps out of band"), tr("hour"), tr("steps so far"))),
      table_(new CopyableTable(this)),
      worker_(new QObject) {
  steps_->setRange(0, core::kMaxStudySteps);
  steps_->setSpecialValueText(tr("whole day"));
  steps_->setToolTip(tr("Replay only the first steps (0: every sample)"));
  stride_->setRange(1, 3600);
  stride_->setToolTip(tr("Replay every k-th sample"));
  controllers_->setToolTip(tr("Comma-separated controllers of the registry (vvc eval --help lists them)"));
  source_->insertItem(kDayFile, tr("day profile file"));
  source_->insertItem(kDailyShapes, tr("the script's daily load shapes"));
  source_->setToolTip(
      tr("A day profile (vvc eval --day FILE) or the study script's own daily load shapes "
         "(vvc eval --day-shapes)"));
  connect(source_, &QComboBox::currentIndexChanged, this, &DayView::on_source_changed);
  replay_policy_->setEnabled(false);
  replay_policy_->setToolTip(tr("Train a policy or load one (File > Load policy) to replay it"));
  connect(browse_, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Day profile"), day_file_->text(),
                                                      tr("Day profiles (*.csv);;All files (*)"));
    if (!path.isEmpty()) day_file_->setText(path);
  });
  stop_button_->setEnabled(false);
  progress_->setRange(0, 1000);
  progress_->setValue(0);
  connect(replay_, &QPushButton::clicked, this, [this] { start(); });
  connect(stop_button_, &QPushButton::clicked, this, &DayView::stop);

  auto* file_row = new QHBoxLayout;
  file_row->addWidget(source_);
  file_row->addWidget(day_file_, 1);
  file_row->addWidget(browse_);
  auto* form = new QFormLayout;
  form->addRow(tr("Day"), file_row);
  auto* who = new QHBoxLayout;
  who->addWidget(controllers_, 1);
  who->addWidget(replay_policy_);
  form->addRow(tr("Controllers"), who);
  auto* options = new QHBoxLayout;
  options->addWidget(new QLabel(tr("steps"), this));
  options->addWidget(steps_);
  options->addWidget(new QLabel(tr("stride"), this));
  options->addWidget(stride_);
  options->addWidget(replay_);
  options->addWidget(stop_button_);
  options->addWidget(progress_, 1);
  form->addRow(tr("Replay"), options);

  place_legend(voltage_, Qt::RightEdge, 1);
  place_legend(reactive_, Qt::RightEdge, 1);
  place_legend(violations_, Qt::RightEdge, 1);
  for (QCustomPlot* plot : {voltage_, reactive_, violations_}) {
    enable_hover_text(plot);
    plot->setMinimumHeight(110);  // the tab fits the smallest window the other tabs allow (1000 x 700)
  }
  table_->setMinimumHeight(70);
  table_->setColumnCount(static_cast<int>(kColumns.size()));
  for (int c = 0; c < kColumns.size(); ++c) {
    auto* header = new QTableWidgetItem(kColumns[c]);
    header->setData(CopyableTable::kHeaderNameRole, QString(kColumns[c]).replace('\n', ' '));
    table_->setHorizontalHeaderItem(c, header);
  }
  table_->verticalHeader()->hide();

  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(voltage_);
  split->addWidget(reactive_);
  split->addWidget(violations_);
  split->addWidget(table_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  split->setStretchFactor(2, 2);
  split->setStretchFactor(3, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(split, 1);
  layout->addWidget(status_);
  status_->setText(tr("Open a three-phase study, choose a day profile and press Replay."));

  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  thread_.setObjectName("vvc-day");
  thread_.start();
}

DayView::~DayView() {
  if (stop_) stop_->store(true);
  thread_.quit();
  thread_.wait();
}

void DayView::set_study(std::shared_ptr<const core::Study> study) {
  study_ = std::move(study);
  if (study_ && day_file_->text().isEmpty()) {
    const std::filesystem::path bundled =
        study_->path.parent_path().parent_path() / "stable_ddpg_day" / "day_profile.csv";
    if (std::filesystem::exists(bundled)) day_file_->setText(QString::fromStdString(bundled.string()));
  }
  const bool usable = study_ && study_->three_phase();
  replay_->setEnabled(usable && !running_);
  status_->setText(usable ? tr("%1: press Replay.").arg(QString::fromStdString(study_->name))
                          : tr("The day replay needs a three-phase study (an OpenDSS script as network)."));
}

void DayView::set_policy(std::shared_ptr<const core::experiment::TrainedFile> policy, const QString& origin) {
  policy_ = std::move(policy);
  replay_policy_->setEnabled(policy_ != nullptr);
  replay_policy_->setChecked(policy_ != nullptr);
  replay_policy_->setText(policy_ ? tr("this window's policy (%1)").arg(origin) : tr("this window's policy"));
}

void DayView::on_source_changed() {
  const bool file = source_->currentIndex() == kDayFile;
  day_file_->setEnabled(file);
  browse_->setEnabled(file);
}

bool DayView::start() {
  if (running_) return false;
  last_error_.clear();
  if (!study_ || !study_->three_phase()) {
    last_error_ = tr("The day replay needs a three-phase study (an OpenDSS script as network).");
    status_->setText(last_error_);
    return false;
  }
  core::experiment::DayRequest request;
  std::stringstream names(controllers_->text().toStdString());
  for (std::string name; std::getline(names, name, ',');) {
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    if (!name.empty()) request.controllers.push_back(name);
  }
  if (replay_policy_->isChecked() && policy_) policy_->add_to(request);
  if (request.controllers.empty() && request.policies.empty() && request.baselines.empty()) {
    last_error_ = tr("Nothing to replay: name controllers or check the window's policy.");
    status_->setText(last_error_);
    return false;
  }
  request.day.steps = steps_->value();
  request.day.stride = stride_->value();
  controller_count_ = static_cast<int>(request.controllers.size() + request.policies.size());
  running_ = true;
  replay_->setEnabled(false);
  stop_button_->setEnabled(true);
  progress_->setValue(0);
  status_->setText(tr("Replaying..."));
  stop_ = std::make_shared<std::atomic<bool>>(false);
  const bool shapes = source_->currentIndex() == kDailyShapes;
  const std::string path = day_file_->text().toStdString();
  auto report = [this](const QString& name, int index, int done, int total) {
    on_progress(name, index, done, total);
  };
  QMetaObject::invokeMethod(
      worker_,
      [this, study = study_, request, shapes, path, stop = stop_, report] {
        std::shared_ptr<const core::experiment::DayResult> result;
        QString error;
        try {
          const core::DayScenario day =
              shapes ? core::make_loadshape_day(*study, request.day)
                     : core::make_day_scenario(*study, core::read_day_profile(path), request.day);
          DayObserver observer(this, stop, report);
          result = std::make_shared<const core::experiment::DayResult>(
              core::experiment::replay_day(*study, day, request, &observer));
        } catch (const std::exception& e) {
          error = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(
            this,
            [this, result, error] {
              running_ = false;
              replay_->setEnabled(true);
              stop_button_->setEnabled(false);
              if (result) {
                result_ = result;
                show_result();
              } else {
                last_error_ = error;
                status_->setText(error);
              }
              emit finished();
            },
            Qt::QueuedConnection);
      },
      Qt::QueuedConnection);
  return true;
}

void DayView::stop() {
  if (stop_) stop_->store(true);
}

void DayView::on_progress(const QString& controller, int index, int done, int total) {
  if (!running_ || total <= 0 || controller_count_ <= 0) return;
  const double part = (static_cast<double>(index) + static_cast<double>(done) / total) / controller_count_;
  progress_->setValue(static_cast<int>(1000.0 * part));
  status_->setText(tr("Replaying %1: step %2 of %3").arg(controller).arg(done).arg(total));
}

void DayView::show_result() {
  const core::experiment::DayResult& r = *result_;
  for (QCustomPlot* plot : {voltage_, reactive_, violations_}) {
    plot->clearGraphs();
    plot->clearItems();
  }
  add_band(voltage_, study_->vmin_pu, study_->vmax_pu);
  table_->setSortingEnabled(false);
  table_->setRowCount(static_cast<int>(r.replays.size()));
  for (int c = 0; c < static_cast<int>(r.replays.size()); ++c) {
    const core::DayReplay& day = r.replays[static_cast<size_t>(c)];
    const QString name = QString::fromStdString(day.summary.controller);
    const QColor colour = palette_colour(c);
    const QVector<double> x = hours(day.time_s);
    QCPGraph* high = voltage_->addGraph();
    high->setName(name);
    high->setPen(QPen(colour, 1.2));
    high->setData(x, values(day.vmax), true);
    QCPGraph* low = voltage_->addGraph();
    low->setName(name + tr(" (lowest)"));
    low->setPen(QPen(colour, 1.2, Qt::DashLine));
    low->setData(x, values(day.vmin), true);
    low->removeFromLegend();
    QCPGraph* q = reactive_->addGraph();
    q->setName(name);
    q->setPen(QPen(colour, 1.2));
    q->setData(x, values(day.q_abs_kvar), true);
    QCPGraph* out = violations_->addGraph();
    out->setName(name);
    out->setPen(QPen(colour, 1.5));
    out->setData(x, cumulative_out_of_band(day.violations), true);

    const core::DaySummary& s = day.summary;
    table_->setItem(c, 0, text_item(name));
    table_->setItem(c, 1, new NumberItem(s.steps, 0));
    table_->setItem(c, 2, new NumberItem(s.steps_out_of_band, 0));
    table_->setItem(c, 3, new NumberItem(static_cast<double>(s.node_phase_violations), 0));
    table_->setItem(c, 4, new NumberItem(s.worst_violation, 5));
    table_->setItem(c, 5, new NumberItem(s.kvar_hours, 1));
    table_->setItem(c, 6, new NumberItem(s.losses_kwh, 1));
    table_->setItem(c, 7, new NumberItem(s.cost, 3));
    table_->setItem(c, 8, new NumberItem(s.power_flow_failures + s.controller_failures, 0));
    table_->setItem(c, 9, new NumberItem(s.cpu_seconds, 2));
  }
  table_->setSortingEnabled(true);
  table_->resizeColumnsToContents();
  // The hours replayed, edge to edge, ticked every 3 h over a day.
  auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
  ticker->setTickStep(3.0);
  ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
  for (QCustomPlot* plot : {voltage_, reactive_, violations_}) {
    plot->rescaleAxes();
    plot->xAxis->setTicker(ticker);
    plot->yAxis->setRange(padded(plot->yAxis->range()));
  }
  const QCPRange v = voltage_->yAxis->range();
  voltage_->yAxis->setRange(std::min(v.lower, study_->vmin_pu - 0.005),
                            std::max(v.upper, study_->vmax_pu + 0.005));
  // Queued: each plot redraws in its own turn of the event loop, so no one turn draws all three.
  for (QCustomPlot* plot : {voltage_, reactive_, violations_}) plot->replot(QCustomPlot::rpQueuedReplot);
  progress_->setValue(r.stopped ? progress_->value() : progress_->maximum());
  QString status = r.stopped
                       ? tr("Stopped: the table holds the steps replayed so far.")
                       : tr("%1 steps replayed under %2 controllers.").arg(r.steps).arg(r.replays.size());
  for (const auto& warning : r.warnings)
    status += tr(" Warning: %1.").arg(QString::fromStdString(warning.message()));
  status_->setText(status);
}

}  // namespace vvc::gui
