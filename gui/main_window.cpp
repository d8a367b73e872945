#include "main_window.hpp"

#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <exception>
#include <limits>

#include "vvc/common/errors.hpp"
#include "vvc/core/diffop/policy.hpp"

namespace vvc::gui {

namespace {
constexpr int kMaxRecent = 8;
const char* const kRecentKey = "recentFiles";
const QString kCaseFilter = QObject::tr(
    "Cases and studies (*.json *.m *.dss);;vvc JSON (*.json);;MATPOWER (*.m);;OpenDSS (*.dss);;All files "
    "(*)");
}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      tabs_(new QTabWidget(this)),
      feeder_(new FeederView(this)),
      results_(new ResultsTables(this)),
      dss_feeder_(new DssFeederView(this)),
      dss_results_(new DssResultsTables(this)),
      plots_(new LivePlots(this)),
      comparison_(new ComparisonView(this)),
      day_(new DayView(this)),
      panel_(new TrainingPanel(this)),
      worker_(new TrainingWorker) {
  register_worker_types();
  setWindowTitle(tr("vvc"));
  setAcceptDrops(true);

  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(feeder_);
  split->addWidget(results_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  split->addWidget(dss_feeder_);
  split->addWidget(dss_results_);
  split->setStretchFactor(2, 3);
  split->setStretchFactor(3, 2);
  dss_feeder_->hide();
  dss_results_->hide();
  tabs_->addTab(split, tr("Feeder"));
  tabs_->addTab(plots_, tr("Training plots"));
  tabs_->addTab(comparison_, tr("Comparison"));
  tabs_->addTab(day_, tr("Day"));
  setCentralWidget(tabs_);

  scroll_ = new QScrollArea(this);
  scroll_->setWidget(panel_);
  scroll_->setWidgetResizable(true);
  dock_ = new QDockWidget(tr("Training"), this);
  dock_->setObjectName("trainingDock");
  dock_->setWidget(scroll_);
  dock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
  addDockWidget(Qt::LeftDockWidgetArea, dock_);
  connect(panel_, &TrainingPanel::evaluation_added, this, &MainWindow::fit_panel);

  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(worker_, &TrainingWorker::progress, this, &MainWindow::on_progress);
  connect(worker_, &TrainingWorker::references_ready, plots_, &LivePlots::set_references);
  connect(plots_, &LivePlots::shown_scenario_changed, this, &MainWindow::show_scenario_on_feeder);
  connect(worker_, &TrainingWorker::references_ready, panel_, [this](const QVector<ReferenceLine>& lines) {
    for (const ReferenceLine& line : lines) panel_->add_evaluation(line.name, line.summary, job_scenarios_);
  });
  connect(worker_, &TrainingWorker::policy_ready, this, [this](const core::experiment::TrainedFile& trained) {
    policy_ = std::make_shared<const core::experiment::TrainedFile>(trained);
    day_->set_policy(policy_, tr("trained here"));
    if (trained.policy) {
      const core::PolicyFile& p = trained.policy->policy;
      statusBar()->showMessage(tr("Policy trained (%1 iterations, %2 s): File > Export policy saves it")
                                   .arg(p.iterations_done)
                                   .arg(p.training_seconds, 0, 'f', 1));
    } else {
      const core::BaselineFile& f = trained.baseline->file;
      statusBar()->showMessage(tr("%1 networks trained (%2 episodes, %3 s): File > Export policy saves them")
                                   .arg(QString::fromStdString(core::baseline_name(f.trained.kind)))
                                   .arg(f.training->episodes)
                                   .arg(f.training->seconds, 0, 'f', 1));
    }
  });
  connect(worker_, &TrainingWorker::evaluation_ready, panel_,
          [this](const QString& controller, const core::EvaluationSummary& summary) {
            panel_->add_evaluation(controller, summary, job_scenarios_);
          });
  connect(worker_, &TrainingWorker::failed, this,
          [this](const QString& message) { report_error(tr("Training failed"), message); });
  connect(worker_, &TrainingWorker::job_finished, this, [this] {
    running_ = false;
    panel_->set_running(false, false);
    plots_->refresh();
    emit job_finished();
  });
  thread_.setObjectName("vvc-training");
  thread_.start();

  connect(panel_, &TrainingPanel::start_requested, this, &MainWindow::start_training);
  connect(panel_, &TrainingPanel::pause_requested, this, &MainWindow::set_paused);
  connect(panel_, &TrainingPanel::stop_requested, this, &MainWindow::stop_training);
  connect(panel_, &TrainingPanel::evaluate_policy_requested, this, &MainWindow::evaluate_policy);

  build_menus();
  statusBar()->showMessage(
      tr("Open a case, a study or a results folder: File > Open, or drop a file or folder on the window"));
}

MainWindow::~MainWindow() {
  worker_->request_stop();
  thread_.quit();
  thread_.wait();
}

void MainWindow::fit_panel() {
  // The evaluation table's columns, whole, within the panel's margins (on both sides as on its left) and
  // beside the vertical scroll bar.
  const CopyableTable* table = panel_->evaluations();
  const int needed = table->content_width() + 2 * table->mapTo(panel_, QPoint(0, 0)).x() +
                     scroll_->verticalScrollBar()->sizeHint().width() + 2 * scroll_->frameWidth();
  if (dock_->width() < needed) resizeDocks({dock_}, {needed}, Qt::Horizontal);
}

void MainWindow::build_menus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open case or study..."), QKeySequence::Open, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a case or a study"), {}, kCaseFilter);
    if (!path.isEmpty()) open_path(path);
  });
  file->addAction(tr("Open study &folder..."), this, [this] {
    const QString path = QFileDialog::getExistingDirectory(this, tr("Open a case or study folder"));
    if (!path.isEmpty()) open_path(path);
  });
  file->addAction(tr("Open res&ults folder..."), this, [this] {
    const QString path =
        QFileDialog::getExistingDirectory(this, tr("Open a results folder (table.csv and curves/)"));
    if (!path.isEmpty()) open_results(path);
  });
  file->addAction(tr("&New study from this feeder..."), this, [this] { new_study_from_feeder(); });
  recent_menu_ = file->addMenu(tr("Open &recent"));
  rebuild_recent_menu();
  file->addSeparator();
  file->addAction(tr("&Load policy..."), this, [this] {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Load a policy"), {}, tr("Policy JSON (*.json)"));
    if (!path.isEmpty()) load_policy(path);
  });
  file->addAction(tr("&Export policy..."), QKeySequence::Save, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the policy"), "policy.json",
                                                      tr("Policy JSON (*.json)"));
    if (!path.isEmpty()) export_policy(path);
  });
  file->addAction(tr("Export &plots..."), this, [this] {
    QString filter;
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export the plots (four files)"), "vvc.png",
                                     tr("PNG images (*.png);;SVG drawings (*.svg)"), &filter);
    if (path.isEmpty()) return;
    const QFileInfo info(path);
    const QString format = info.suffix() == "svg" || filter.startsWith("SVG") ? "svg" : "png";
    export_plots(info.dir().filePath(info.completeBaseName()), format);
  });
  file->addAction(tr("Export &data (CSV)..."), this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the data (several CSV files)"),
                                                      "vvc.csv", tr("CSV (*.csv)"));
    if (path.isEmpty()) return;
    const QFileInfo info(path);
    export_data(info.dir().filePath(info.completeBaseName()));
  });
  file->addAction(tr("Export comparison &chart..."), this, [this] {
    QString filter;
    QString path = QFileDialog::getSaveFileName(this, tr("Export the comparison chart"), "comparison.png",
                                                tr("PNG images (*.png);;SVG drawings (*.svg)"), &filter);
    if (path.isEmpty()) return;
    if (QFileInfo(path).suffix().isEmpty()) path += filter.startsWith("SVG") ? ".svg" : ".png";
    export_comparison_chart(path);
  });
  file->addAction(tr("Export comparison &table (CSV)..."), this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the comparison table"),
                                                      "comparison.csv", tr("CSV (*.csv)"));
    if (!path.isEmpty()) export_comparison_table(path);
  });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  QMenu* run = menuBar()->addMenu(tr("&Training"));
  run->addAction(tr("&Start"), this, &MainWindow::start_training);
  run->addAction(tr("&Pause / resume"), this, [this] { set_paused(!worker_->paused()); });
  run->addAction(tr("S&top"), this, &MainWindow::stop_training);
  run->addAction(tr("&Evaluate policy"), this, &MainWindow::evaluate_policy);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(tr("&Feeder"), this, [this] { show_tab(kFeederTab); });
  view->addAction(tr("&Training plots"), this, [this] { show_tab(kTrainingTab); });
  view->addAction(tr("&Comparison"), this, [this] { show_tab(kComparisonTab); });
  view->addAction(tr("&Day"), this, [this] { show_tab(kDayTab); });
}

QStringList MainWindow::recent_files() const { return QSettings().value(kRecentKey).toStringList(); }

void MainWindow::remember(const QString& path) {
  QStringList list = recent_files();
  const QString full = QFileInfo(path).absoluteFilePath();
  list.removeAll(full);
  list.prepend(full);
  while (list.size() > kMaxRecent) list.removeLast();
  QSettings().setValue(kRecentKey, list);
  rebuild_recent_menu();
}

void MainWindow::rebuild_recent_menu() {
  recent_menu_->clear();
  const QStringList list = recent_files();
  for (const QString& path : list) {
    recent_menu_->addAction(path, this, [this, path] { open_path(path); });
  }
  recent_menu_->setEnabled(!list.isEmpty());
}

void MainWindow::report_error(const QString& title, const QString& message) {
  last_error_ = message;
  statusBar()->showMessage(message);
  // Window-modal and non-blocking: the event loop (and a running training) carries on behind it.
  auto* box = new QMessageBox(QMessageBox::Critical, title, message, QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

bool MainWindow::open_path(const QString& path) {
  // A results folder only fills the Comparison tab, so it may open while training runs.
  if (is_results_folder(path.toStdString())) return open_results(path);
  if (running_) {
    report_error(tr("Cannot open"), tr("Stop the running training before opening another case."));
    return false;
  }
  try {
    CaseDocument doc = open_document(path.toStdString());
    document_ = std::move(doc);
  } catch (const std::exception& e) {
    report_error(tr("Cannot open %1").arg(QFileInfo(path).fileName()), QString::fromStdString(e.what()));
    return false;
  }
  last_error_.clear();
  policy_.reset();
  day_->set_policy(nullptr, {});
  feeder_->set_document(&*document_);
  results_->set_document(&*document_);
  panel_->set_study(document_->study);
  plots_->reset(document_->study);
  day_->set_study(document_->study);
  remember(path);
  setWindowTitle(tr("vvc - %1").arg(QFileInfo(path).fileName()));
  statusBar()->showMessage(tr("%1: %2 buses, %3 branches; power flow %4")
                               .arg(path)
                               .arg(document_->network.num_buses())
                               .arg(document_->network.num_branches())
                               .arg(QString::fromUtf8(grid::to_string(document_->flow.status).data())));
  show_dss(document_->dss.get());
  if (document_->study && document_->study->three_phase()) {
    dss_feeder_->set_marked_buses(document_->inverter_buses);
    const core::Study& study = *document_->study;
    statusBar()->showMessage(tr("%1: three-phase study on %2, %3 inverter phases, %4 monitored node-phases")
                                 .arg(path, QString::fromStdString(study.network_file.filename().string()))
                                 .arg(study.num_inverters())
                                 .arg(study.monitored.size()));
  }
  emit document_opened();
  return true;
}

bool MainWindow::open_results(const QString& path) {
  try {
    const ResultsFolder folder = read_results_folder(path.toStdString());
    comparison_->set_results(folder);
  } catch (const std::exception& e) {
    report_error(tr("Cannot open %1").arg(QFileInfo(path).fileName()), QString::fromStdString(e.what()));
    return false;
  }
  last_error_.clear();
  remember(path);
  show_tab(kComparisonTab);
  statusBar()->showMessage(tr("Results folder %1").arg(path));
  return true;
}

void MainWindow::show_dss(const DssDocument* dss) {
  feeder_->setVisible(dss == nullptr);
  results_->setVisible(dss == nullptr);
  dss_feeder_->setVisible(dss != nullptr);
  dss_results_->setVisible(dss != nullptr);
  dss_feeder_->set_document(dss);
  dss_results_->set_document(dss);
  const bool study = document_ && document_->study;
  panel_->setEnabled(dss == nullptr || study);
  panel_->setToolTip(dss == nullptr || study
                         ? QString()
                         : tr("Training needs a study (a feeder with its inverters and scenarios). An "
                              "OpenDSS feeder is opened to view its unbalanced power flow."));
  if (dss == nullptr) return;
  int phases = 0;
  for (const grid::PhaseBus& bus : dss->network().buses) phases += static_cast<int>(bus.nodes.size());
  statusBar()->showMessage(
      tr("%1: OpenDSS feeder, %2 buses, %3 bus phases, %4 regulators, %5 capacitors; "
         "unbalanced power flow %6 after %7 iterations (viewing only: training needs a study)")
          .arg(QString::fromStdString(document_->path.string()))
          .arg(dss->network().buses.size())
          .arg(phases)
          .arg(dss->network().regulators.size())
          .arg(dss->network().capacitors.size())
          .arg(QString::fromUtf8(grid::to_string(dss->flow.status).data()))
          .arg(dss->flow.iterations));
}

StudyDialog* MainWindow::new_study_from_feeder() {
  if (!document_ || !document_->dss) {
    report_error(tr("New study"),
                 tr("Open an OpenDSS feeder (.dss) first: the study places inverters on it."));
    return nullptr;
  }
  const std::filesystem::path script = document_->study ? document_->study->network_file : document_->path;
  auto* dialog = new StudyDialog(document_->dss, script, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &StudyDialog::saved, this, [this](const QString& path) { open_path(path); });
  dialog->open();
  return dialog;
}

void MainWindow::start_training() {
  if (running_) return;
  TrainingJob job;
  try {
    job = panel_->request();
  } catch (const std::exception& e) {
    report_error(tr("Cannot start"), QString::fromStdString(e.what()));
    return;
  }
  running_ = true;
  job_scenarios_ = job.scenarios;
  panel_->set_running(true, false);
  plots_->reset(job.study);
  if (job.train) show_tab(kTrainingTab);
  worker_->set_paused(false);
  QMetaObject::invokeMethod(
      worker_, [w = worker_, job] { w->run(job); }, Qt::QueuedConnection);
}

void MainWindow::set_paused(bool paused) {
  if (!running_) return;
  worker_->set_paused(paused);
  panel_->set_running(true, paused);
  panel_->set_status(paused ? tr("Paused (after the current iteration).") : tr("Resumed."));
}

void MainWindow::stop_training() {
  if (!running_) return;
  worker_->request_stop();
  panel_->set_status(tr("Stopping after the current iteration..."));
}

void MainWindow::on_progress(const core::TrainingProgress& progress) {
  plots_->add_progress(progress);
  panel_->show_progress(progress);
  if (progress.final_vm.rows() > 0 && document_ && document_->study && !document_->study->three_phase()) {
    const Eigen::VectorXd mean = progress.final_vm.colwise().mean().transpose();
    const QString when =
        progress.iterations > 0 ? tr("at iteration %1").arg(progress.point.iteration) : tr("evaluated");
    feeder_->set_voltages(
        mean, tr("mean final |V| over %1 validation scenarios, %2").arg(progress.final_vm.rows()).arg(when));
  }
}

void MainWindow::show_scenario_on_feeder() {
  if (!document_ || !document_->study || !document_->study->three_phase() || !document_->dss) return;
  const Eigen::VectorXd vm = plots_->shown_final_vm();
  if (vm.size() != static_cast<Eigen::Index>(document_->dss_nodes.size())) return;
  std::vector<double> node_vm(document_->dss->network().nodes.size(),
                              std::numeric_limits<double>::quiet_NaN());
  for (Eigen::Index p = 0; p < vm.size(); ++p) {
    const int node = document_->dss_nodes[static_cast<size_t>(p)];
    if (node >= 0) node_vm[static_cast<size_t>(node)] = vm[p];
  }
  dss_feeder_->set_node_voltages(
      std::move(node_vm), tr("|V| after the last step of scenario %1 (the one the training plots show)")
                              .arg(plots_->shown_scenario_id()));
}

bool MainWindow::load_policy(const QString& path) {
  QString differences;
  try {
    if (!document_ || !document_->study) throw InputError("open the study the policy was trained on first");
    auto policy = std::make_shared<const core::experiment::TrainedFile>(
        core::experiment::read_trained_file(path.toStdString()));
    // The status line names the file once, so each warning gives only what differs.
    for (const auto& warning : core::experiment::check_trained_file(*document_->study, *policy))
      differences += QStringLiteral("; ") + QString::fromStdString(warning.text);
    policy_ = std::move(policy);
    day_->set_policy(policy_, QFileInfo(path).fileName());
  } catch (const std::exception& e) {
    report_error(tr("Cannot load policy %1").arg(QFileInfo(path).fileName()),
                 QString::fromStdString(e.what()));
    return false;
  }
  const QString kind =
      policy_->policy
          ? tr("DiffOP %1, H = %2")
                .arg(QString::fromStdString(core::to_string(policy_->policy->policy.structure.mode)))
                .arg(policy_->policy->policy.structure.horizon)
          : tr("%1 networks").arg(core::baseline_name(policy_->baseline->file.trained.kind));
  statusBar()->showMessage(tr("Policy %1 loaded (%2): Evaluate policy runs it").arg(path, kind) +
                           (differences.isEmpty() ? QString() : tr(". Warning: %1").arg(differences.mid(2))));
  return true;
}

void MainWindow::evaluate_policy() {
  if (running_) return;
  core::SeedRange ids;
  try {
    if (!policy_) throw InputError("no policy: train one or load one (File > Load policy)");
    if (!document_ || !document_->study) throw InputError("no study is open");
    ids = panel_->evaluation_seeds();
  } catch (const std::exception& e) {
    report_error(tr("Cannot evaluate"), QString::fromStdString(e.what()));
    return;
  }
  TrainingJob job;
  job.study = document_->study;
  core::experiment::EvaluateRequest request;
  policy_->add_to(request);
  request.seeds = ids;
  request.threads = panel_->threads();
  // The profile plot shows at most the first 64 scenarios, enough for min/mean/max at a glance.
  request.trace.episodes = 4;
  request.trace.final_voltages = 64;
  job.evaluate = request;
  job.scenarios = tr("seeds\n%1:%2").arg(ids.first).arg(ids.last);
  job_scenarios_ = job.scenarios;
  running_ = true;
  panel_->set_running(true, false);
  panel_->set_status(tr("Evaluating the policy on seeds %1:%2...").arg(ids.first).arg(ids.last));
  plots_->reset(document_->study);
  QMetaObject::invokeMethod(
      worker_, [w = worker_, job] { w->run(job); }, Qt::QueuedConnection);
}

bool MainWindow::export_policy(const QString& path) {
  try {
    if (!policy_) throw InputError("no policy to export: train one first");
    if (policy_->policy) core::write_policy(policy_->policy->policy, path.toStdString());
    if (policy_->baseline) core::write_baseline(policy_->baseline->file, path.toStdString());
  } catch (const std::exception& e) {
    report_error(tr("Cannot export the policy"), QString::fromStdString(e.what()));
    return false;
  }
  statusBar()->showMessage(tr("Policy written to %1").arg(path));
  return true;
}

bool MainWindow::export_plots(const QString& base, const QString& format) {
  try {
    const QStringList files = plots_->export_images(base, format);
    statusBar()->showMessage(tr("Wrote %1").arg(files.join(", ")));
  } catch (const std::exception& e) {
    report_error(tr("Cannot export the plots"), QString::fromStdString(e.what()));
    return false;
  }
  return true;
}

bool MainWindow::export_data(const QString& base) {
  try {
    QStringList files = plots_->export_csv(base);
    if (document_ && document_->dss) {
      write_text_file(base + "-bus-phases.csv", dss_results_->phases()->to_csv());
      files << base + "-bus-phases.csv";
    } else if (document_) {
      write_text_file(base + "-buses.csv", results_->buses()->to_csv());
      write_text_file(base + "-branches.csv", results_->branches()->to_csv());
      files << base + "-buses.csv" << base + "-branches.csv";
    }
    statusBar()->showMessage(tr("Wrote %1").arg(files.join(", ")));
  } catch (const std::exception& e) {
    report_error(tr("Cannot export the data"), QString::fromStdString(e.what()));
    return false;
  }
  return true;
}

bool MainWindow::export_comparison_chart(const QString& path) {
  try {
    if (comparison_->table()->rowCount() == 0) throw InputError("no results folder is open");
    save_plot(comparison_->chart(), path, QFileInfo(path).suffix() == "svg" ? "svg" : "png");
  } catch (const std::exception& e) {
    report_error(tr("Cannot export the chart"), QString::fromStdString(e.what()));
    return false;
  }
  statusBar()->showMessage(tr("Wrote %1").arg(path));
  return true;
}

bool MainWindow::export_comparison_table(const QString& path) {
  try {
    if (comparison_->table()->rowCount() == 0) throw InputError("no results folder is open");
    write_text_file(path, comparison_->table()->to_csv());
  } catch (const std::exception& e) {
    report_error(tr("Cannot export the table"), QString::fromStdString(e.what()));
    return false;
  }
  statusBar()->showMessage(tr("Wrote %1").arg(path));
  return true;
}

void MainWindow::show_tab(Tab tab) { tabs_->setCurrentIndex(tab); }

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const auto urls = event->mimeData()->urls();
  if (urls.isEmpty() || !urls.front().isLocalFile()) return;
  event->acceptProposedAction();
  open_path(urls.front().toLocalFile());
}

void MainWindow::closeEvent(QCloseEvent* event) {
  worker_->request_stop();
  event->accept();
}

}  // namespace vvc::gui
