// Headless tests of vvc-gui (Qt Test, QT_QPA_PLATFORM=offscreen): opening cases and studies, error dialogs,
// the feeder view and results tables, a short training run that must feed every plot and export a policy
// that reloads, pause and stop, the UI-stall measurement, the redraw rate of 20 curves x 1000 points, and the
// Comparison tab of a results folder (docs/results/ieee13_tasrl) with its error dialogs.
// Screenshots of the main views go to <build>/gui-screenshots/.
#include <qcustomplot.h>
#include <sys/resource.h>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QMessageBox>
#include <QMimeData>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <algorithm>
#include <cmath>
#include <csignal>
#include <limits>

#include "main_window.hpp"
#include "stall_watch.hpp"
#include "vvc/core/diffop/policy_io.hpp"
#include "vvc/core/reference/registry.hpp"

using vvc::gui::MainWindow;
using vvc::gui::StallWatch;

namespace {

const QString kSource = QStringLiteral(VVC_SOURCE_DIR);
const QString kStudy = kSource + "/cases/ieee13_tasrl";
const QString kShots = QStringLiteral(VVC_BINARY_DIR) + "/gui-screenshots";
const QString kResults = kSource + "/docs/results/ieee13_tasrl";
const char* const kCurveHeader = "method,unit,iteration,seconds,training_cost,validation_transient";

void save_screenshot(QWidget& widget, const QString& name) {
  QDir().mkpath(kShots);
  QVERIFY(widget.grab().save(kShots + "/" + name));
}

/// Settings for a short run: few scenarios, one rollout thread (one core stays with the GUI thread).
void short_run(MainWindow& w, int iterations, bool references) {
  vvc::gui::TrainingPanel* p = w.panel();
  p->iterations()->setValue(iterations);
  p->validation_every()->setValue(2);
  p->validation_scenarios()->setValue(8);
  p->thread_count()->setValue(1);
  p->references()->setChecked(references);
}

/// The non-empty lines of a text file.
QStringList file_lines(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return {};
  return QString(file.readAll()).split('\n', Qt::SkipEmptyParts);
}

QByteArray file_bytes(const QString& path) {
  QFile file(path);
  return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

/// A file size limit on this process while it lives (writes past it fail with EFBIG instead of raising
/// SIGXFSZ); the previous limit and signal disposition come back after.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &old_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{bytes, old_.rlim_max};
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit old_{};
  void (*old_handler_)(int) = nullptr;
};

void write_file(const QString& path, const QByteArray& text) {
  QFile file(path);
  QVERIFY(file.open(QIODevice::WriteOnly));
  QCOMPARE(file.write(text), text.size());
}

/// The points the comparison chart must draw from a curves CSV, counted here without the GUI's parser: the
/// rows with a validation value, or every row when none has one.
int expected_points(const QString& csv) {
  const QStringList lines = file_lines(csv);
  int validated = 0;
  for (int i = 1; i < lines.size(); ++i) validated += lines[i].section(',', 5, 5).isEmpty() ? 0 : 1;
  return validated > 0 ? validated : static_cast<int>(lines.size()) - 1;
}

}  // namespace

class GuiTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
  }

  void opens_vvc_json_matpower_and_study() {
    MainWindow w;
    QVERIFY(w.open_path(kStudy + "/case.json"));
    QCOMPARE(w.document()->network.num_buses(), 13);
    QVERIFY(w.document()->flow.converged());
    QVERIFY(!w.document()->study);
    QVERIFY(!w.panel()->start_button()->isEnabled());
    QVERIFY(w.open_path(kStudy + "/case_13.m"));
    QCOMPARE(w.document()->network.num_buses(), 13);
    QVERIFY(w.open_path(kStudy));
    QVERIFY(w.document()->study);
    QCOMPARE(w.document()->inverter_buses.size(), size_t{3});
    QVERIFY(w.panel()->start_button()->isEnabled());
    QVERIFY(w.open_path(kStudy + "/study.json"));
    QVERIFY(w.document()->study);
  }

  void bad_files_give_a_dialog_with_file_and_line() {
    MainWindow w;
    w.show();
    const QString bad = kSource + "/tests/data/bad_cases/m_non_numeric.m";
    QVERIFY(!w.open_path(bad));
    QVERIFY2(w.last_error().contains("m_non_numeric.m:"), qPrintable(w.last_error()));
    QVERIFY(QRegularExpression("m_non_numeric\\.m:\\d+:").match(w.last_error()).hasMatch());
    QVERIFY(!w.document().has_value());
    auto* box = w.findChild<QMessageBox*>();
    QVERIFY(box != nullptr);
    QVERIFY(box->text().contains("m_non_numeric.m"));
    box->close();
    QVERIFY(!w.open_path(kSource + "/tests/data/bad_cases/json_truncated.json"));
    QVERIFY(w.last_error().contains("json_truncated.json"));
    QVERIFY(!w.open_path(kSource + "/no/such/file.json"));
    QVERIFY(w.last_error().contains("no such file"));
    // A good file after bad ones still opens.
    QVERIFY(w.open_path(kStudy));
  }

  void recent_files_are_remembered() {
    MainWindow w;
    QVERIFY(w.open_path(kStudy + "/case.json"));
    QVERIFY(w.open_path(kStudy));
    const QStringList recent = w.recent_files();
    QVERIFY(recent.size() >= 2);
    QCOMPARE(recent.front(), QFileInfo(kStudy).absoluteFilePath());
    QCOMPARE(recent.at(1), QFileInfo(kStudy + "/case.json").absoluteFilePath());
  }

  void dropping_a_file_opens_it() {
    MainWindow w;
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(kStudy + "/case_13.m")});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &drop);
    QVERIFY(w.document().has_value());
    QCOMPARE(w.document()->path.filename().string(), std::string("case_13.m"));
  }

  // The controller list is the methods trained in the window (DiffOP's two modes, the two DDPG baselines) and the
  // core registry, each entry with its description.
  void controller_list_is_the_registry() {
    MainWindow w;
    QComboBox* combo = w.panel()->controller();
    const auto& registry = vvc::core::controller_registry();
    QCOMPARE(combo->count(), 4 + static_cast<int>(registry.size()));
    const QStringList trained = {"DiffOP(Step)", "DiffOP(Traj)", "Stable-DDPG", "TASRL"};
    for (int row = 0; row < 4; ++row) QCOMPARE(combo->itemText(row), trained[row]);
    for (size_t k = 0; k < registry.size(); ++k) {
      const int row = 4 + static_cast<int>(k);
      QCOMPARE(combo->itemText(row), QString::fromStdString(registry[k].name));
      QCOMPARE(combo->itemData(row, Qt::ToolTipRole).toString(),
               QString::fromStdString(registry[k].description));
    }
    QVERIFY(combo->findText("nlp-ac") >= 0 && combo->findText("limit-band") >= 0);
  }

  void reference_controller_is_evaluated_not_trained() {
    MainWindow w;
    QVERIFY(w.open_path(kStudy));
    short_run(w, 3, false);
    w.panel()->controller()->setCurrentIndex(w.panel()->controller()->findText("gradient-flow"));
    QCOMPARE(w.panel()->start_button()->text(), QStringLiteral("Evaluate"));
    QSignalSpy finished(&w, &MainWindow::job_finished);
    w.start_training();
    QVERIFY(finished.wait(60000));
    QVERIFY2(w.last_error().isEmpty(), qPrintable(w.last_error()));
    QVERIFY(w.policy() == nullptr);
    QCOMPARE(w.panel()->evaluations()->rowCount(), 1);
    QCOMPARE(w.panel()->evaluations()->item(0, 0)->text(), QStringLiteral("gradient-flow"));
    const long first = w.document()->study->training_seeds.first;  // the validation seeds: the first 8
    QCOMPARE(w.panel()->evaluations()->item(0, 1)->text(),
             QStringLiteral("validation\n%1:%2").arg(first).arg(first + 8));
    w.plots()->refresh();
    QVERIFY(w.plots()->curve().empty());  // no training curve: nothing was trained
    QCOMPARE(w.plots()->traces().size(), size_t{4});
    QCOMPARE(w.plots()->final_vm().rows(), 8);
  }

  void feeder_view_lays_out_and_explains_buses() {
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.open_path(kStudy));
    const vvc::gui::FeederView* view = w.feeder_view();
    const int n = w.document()->network.num_buses();
    for (int i = 0; i < n; ++i) {
      QVERIFY(view->rect().contains(view->bus_position(i).toPoint()));
      QCOMPARE(view->bus_at(view->bus_position(i)), i);
      for (int j = 0; j < i; ++j) QVERIFY(view->bus_position(i) != view->bus_position(j));
    }
    // The slack is the root of the tree, at the left edge.
    const int slack = w.document()->network.slack.bus;
    for (int i = 0; i < n; ++i) QVERIFY(view->bus_position(slack).x() <= view->bus_position(i).x());
    const int inv = w.document()->inverter_buses.front();
    const QString tip = view->bus_tooltip(inv);
    QVERIFY(tip.contains(QString::fromStdString(w.document()->network.buses[static_cast<size_t>(inv)].name)));
    QVERIFY(tip.contains("|V| = "));
    QVERIFY(tip.contains("controlled inverter"));
    QVERIFY(tip.contains(QString::number(w.document()->flow.vm[inv], 'f', 4)));
    save_screenshot(w, "feeder.png");
  }

  void results_tables_sort_and_copy() {
    MainWindow w;
    QVERIFY(w.open_path(kStudy));
    vvc::gui::CopyableTable* buses = w.results()->buses();
    QCOMPARE(buses->rowCount(), 13);
    buses->sortItems(2, Qt::AscendingOrder);
    for (int r = 1; r < buses->rowCount(); ++r) {
      QVERIFY(buses->item(r - 1, 2)->text().toDouble() <= buses->item(r, 2)->text().toDouble());
    }
    QCOMPARE(buses->item(0, 2)->text(), QString::number(w.document()->flow.vm.minCoeff(), 'f', 5));
    buses->clearSelection();
    buses->setRangeSelected(QTableWidgetSelectionRange(0, 0, 1, 2), true);
    buses->copy_selection();
    const QStringList lines = QApplication::clipboard()->text().split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines.front(), QStringLiteral("bus\tbase kV\t|V| pu"));
    QCOMPARE(lines.at(1).split('\t').size(), 3);
    QCOMPARE(w.results()->branches()->rowCount(), w.document()->network.num_branches());
  }

  void training_feeds_plots_and_exports_a_policy_that_reloads() {
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.open_path(kStudy));
    short_run(w, 4, true);
    QSignalSpy finished(&w, &MainWindow::job_finished);

    // UI responsiveness: the largest gap between 10 ms ticks on the GUI thread while training runs.
    StallWatch stalls;
    w.start_training();
    QVERIFY(w.running());
    stalls.start();
    QVERIFY(finished.wait(120000));
    stalls.stop();
    qInfo("while training: GUI thread CPU time between 10 ms ticks at most %.1f ms, largest gap %lld ms",
          stalls.worst_cpu_ms(), stalls.worst_gap_ms());
    QVERIFY2(stalls.worst_cpu_ms() < 50,
             qPrintable(QString("the GUI thread worked %1 ms between two ticks").arg(stalls.worst_cpu_ms())));
    QVERIFY2(w.last_error().isEmpty(), qPrintable(w.last_error()));

    vvc::gui::LivePlots* plots = w.plots();
    plots->refresh();
    QCOMPARE(static_cast<int>(plots->curve().size()), 4);
    QCOMPARE(plots->curve_plot()->graph(0)->dataCount(), 4);  // rollout cost per iteration
    QCOMPARE(plots->curve_plot()->graph(2)->dataCount(), 2);  // validation at iterations 2 and 4
    QCOMPARE(plots->curve_plot()->graphCount(), 7);           // + zero, gradient flow, limit
    QCOMPARE(w.panel()->references()->text(), QString("reference lines (zero, gradient-flow, limit)"));
    for (int g = 4; g < 7; ++g) QCOMPARE(plots->curve_plot()->graph(g)->dataCount(), 2);
    const int steps = w.document()->study->steps;
    QCOMPARE(plots->voltage_plot()->graphCount(), 13);
    for (int b = 0; b < 13; ++b) QCOMPARE(plots->voltage_plot()->graph(b)->dataCount(), steps + 1);
    QCOMPARE(plots->reactive_plot()->graphCount(), 3);
    for (int i = 0; i < 3; ++i) QCOMPARE(plots->reactive_plot()->graph(i)->dataCount(), steps + 1);
    QCOMPARE(plots->profile_plot()->graphCount(), 3);
    for (int k = 0; k < 3; ++k) QCOMPARE(plots->profile_plot()->graph(k)->dataCount(), 13);

    // Training curve: transient cost on the left axis, steady state on the right, each zoomed to its validation
    // points; the zero controller's 0 lies far above costs near -7, so the left axis leaves it out and its
    // label sits at the top edge, marked as beyond it.
    QCustomPlot* curve_plot = plots->curve_plot();
    QCOMPARE(curve_plot->yAxis->label(), QString("transient cost (discounted sum of F)"));
    QCOMPARE(curve_plot->yAxis2->label(), QString("steady-state cost F(q_T)"));
    QCOMPARE(curve_plot->graph(2)->valueAxis(), curve_plot->yAxis);
    QCOMPARE(curve_plot->graph(3)->valueAxis(), curve_plot->yAxis2);
    QVERIFY(curve_plot->yAxis2->visible());
    for (const auto& p : plots->curve()) {
      if (!p.validated()) continue;
      QVERIFY(curve_plot->yAxis->range().contains(p.validation_transient));
      QVERIFY(curve_plot->yAxis2->range().contains(p.validation_steady));
    }
    QVERIFY2(curve_plot->yAxis->range().size() < 1.0,
             qPrintable(QString("left axis spans %1").arg(curve_plot->yAxis->range().size())));
    QCOMPARE(plots->reference_labels().size(), 3);
    const QStringList reference_names{"zero", "gradient-flow", "limit"};
    for (int i = 0; i < 3; ++i) {
      const QString text = plots->reference_labels()[i]->text();
      QVERIFY2(text.contains(reference_names[i]), qPrintable(text));
      const double value = curve_plot->graph(4 + i)->data()->at(0)->value;
      QVERIFY(text.contains(QString::number(value, 'f', 3)));
      // At the right end of its line, or at the left end of the edge the line lies beyond.
      if (curve_plot->yAxis->range().contains(value)) {
        QCOMPARE(plots->reference_labels()[i]->position->coords().x(), 1.0);
        QCOMPARE(plots->reference_labels()[i]->position->coords().y(), value);
      } else {
        QCOMPARE(plots->reference_labels()[i]->position->coords().x(), 0.0);
        QVERIFY(text.startsWith(value > curve_plot->yAxis->range().upper ? QChar(0x25B2) : QChar(0x25BC)));
      }
    }
    QVERIFY(!curve_plot->yAxis->range().contains(0.0));
    QVERIFY(plots->reference_labels()[0]->text().startsWith(QChar(0x25B2)));

    // Transient |V|: one legend entry per bus, named by the bus, beside the axes; hovering a line names its
    // bus; a legend click hides a bus.
    QCustomPlot* voltage = plots->voltage_plot();
    const auto& buses = w.document()->study->network.buses;
    QCOMPARE(voltage->legend->itemCount(), 13);
    for (int b = 0; b < 13; ++b) {
      QCOMPARE(voltage->graph(b)->name(), QString::fromStdString(buses[static_cast<size_t>(b)].name));
      QVERIFY(voltage->legend->hasItemWithPlottable(voltage->graph(b)));
    }
    QVERIFY(!voltage->legend->outerRect().intersects(voltage->axisRect()->rect()));
    const int end_step = steps / 2;  // inside the axis rect (the last step lies on its right edge)
    int top = 0;                     // the highest line at that step: no other line above it
    for (int b = 1; b < 13; ++b) {
      if (voltage->graph(b)->data()->at(end_step)->value > voltage->graph(top)->data()->at(end_step)->value)
        top = b;
    }
    const double top_value = voltage->graph(top)->data()->at(end_step)->value;
    const QPointF at = voltage->graph(top)->coordsToPixels(end_step, top_value);
    const QString hover = vvc::gui::hover_text(voltage, at);
    // It names the top bus, or another whose line passes through the same pixel.
    const QString named = hover.section(':', 0, 0);
    bool same_pixel = false;
    for (int b = 0; b < 13; ++b) {
      if (voltage->graph(b)->name() == named) {
        same_pixel = std::abs(voltage->graph(b)
                                  ->coordsToPixels(end_step, voltage->graph(b)->data()->at(end_step)->value)
                                  .y() -
                              at.y()) < 1.0;
      }
    }
    QVERIFY2(same_pixel, qPrintable(hover));
    QVERIFY2(hover.contains(QStringLiteral("step %1").arg(end_step)), qPrintable(hover));
    emit voltage->legendClick(voltage->legend, voltage->legend->itemWithPlottable(voltage->graph(top)),
                              nullptr);
    QVERIFY(!voltage->graph(top)->visible());
    QVERIFY(!vvc::gui::hover_text(voltage, at).startsWith(voltage->graph(top)->name() + ":"));
    emit voltage->legendClick(voltage->legend, voltage->legend->itemWithPlottable(voltage->graph(top)),
                              nullptr);
    QVERIFY(voltage->graph(top)->visible());

    // Profile: min, mean and max each drawn their own way, the legend beside the axes (over them it hid the
    // max marker).
    QCustomPlot* profile = plots->profile_plot();
    QVERIFY(!profile->legend->outerRect().intersects(profile->axisRect()->rect()));
    QVERIFY(profile->graph(0)->pen().color() != profile->graph(2)->pen().color());
    QVERIFY(profile->graph(0)->scatterStyle().shape() != profile->graph(2)->scatterStyle().shape());
    QVERIFY(profile->graph(1)->scatterStyle().shape() != profile->graph(0)->scatterStyle().shape());
    QVERIFY(profile->graph(1)->pen().style() != profile->graph(0)->pen().style());
    QCOMPARE(plots->final_vm().rows(), 8);
    // min <= mean <= max on every bus.
    for (int b = 0; b < 13; ++b) {
      const double lo = plots->profile_plot()->graph(0)->data()->at(b)->value;
      const double mid = plots->profile_plot()->graph(1)->data()->at(b)->value;
      const double hi = plots->profile_plot()->graph(2)->data()->at(b)->value;
      QVERIFY(lo <= mid && mid <= hi);
    }
    save_screenshot(w, "training.png");

    // The reference rows in the evaluation table: zero, gradient flow, limit, each naming the validation seeds
    // it was evaluated on (the first 8 training seeds), every column whole.
    vvc::gui::CopyableTable* refs = w.panel()->evaluations();
    QCOMPARE(refs->rowCount(), 3);
    const long first = w.document()->study->training_seeds.first;
    for (int r = 0; r < 3; ++r) {
      QCOMPARE(refs->item(r, 1)->text(), QStringLiteral("validation\n%1:%2").arg(first).arg(first + 8));
    }
    QCOMPARE(refs->column_name(1), QStringLiteral("scenarios"));
    QCOMPARE(refs->column_name(6), QStringLiteral("late"));
    QCOMPARE(refs->column_name(7), QStringLiteral("fallbacks"));
    // Copies keep one line per row: a two-line cell is joined by a space.
    QCOMPARE(refs->selection_as_tsv().split('\n', Qt::SkipEmptyParts).size(), 4);
    QVERIFY(
        refs->selection_as_tsv().contains(QStringLiteral("\tvalidation %1:%2\t").arg(first).arg(first + 8)));
    qInfo("references: %s", qPrintable(refs->selection_as_tsv()));
    QVERIFY2(refs->horizontalHeader()->length() <= refs->viewport()->width(),
             qPrintable(QString("columns %1 px in a %2 px view")
                            .arg(refs->horizontalHeader()->length())
                            .arg(refs->viewport()->width())));
    for (int c = 0; c < refs->columnCount(); ++c) {
      for (const QString& line : refs->horizontalHeaderItem(c)->text().split('\n')) {
        QVERIFY(refs->horizontalHeader()->fontMetrics().horizontalAdvance(line) < refs->columnWidth(c));
      }
      for (int r = 0; r < refs->rowCount(); ++r) {
        for (const QString& line : refs->item(r, c)->text().split('\n')) {
          QVERIFY(refs->fontMetrics().horizontalAdvance(line) < refs->columnWidth(c));
        }
      }
    }
    // The limit bounds the transient cost from below (best constant q per scenario, full AC power flow).
    const double limit = refs->item(2, 2)->text().toDouble();
    QCOMPARE(refs->item(2, 0)->text(), QStringLiteral("limit"));
    QVERIFY(limit <= refs->item(0, 2)->text().toDouble());
    QVERIFY(limit <= refs->item(1, 2)->text().toDouble());

    QVERIFY(w.policy() != nullptr);
    QCOMPARE(w.policy()->policy->policy.iterations_done, 4);
    QTemporaryDir dir;
    const QString policy_path = dir.filePath("policy.json");
    QVERIFY(w.export_policy(policy_path));
    const vvc::core::PolicyFile reread = vvc::core::read_policy(policy_path.toStdString());
    QVERIFY(reread.theta == w.policy()->policy->policy.theta);
    QCOMPARE(reread.curve.size(), size_t{4});

    // Reload it in a fresh window and evaluate it on 8 scenarios.
    MainWindow w2;
    QVERIFY(w2.open_path(kStudy));
    QVERIFY(w2.load_policy(policy_path));
    QVERIFY(w2.policy()->policy->policy.theta == reread.theta);
    w2.panel()->evaluation_seed_edit()->setText("0:8");
    QSignalSpy evaluated(&w2, &MainWindow::job_finished);
    w2.evaluate_policy();
    QVERIFY(evaluated.wait(60000));
    QVERIFY2(w2.last_error().isEmpty(), qPrintable(w2.last_error()));
    QCOMPARE(w2.panel()->evaluations()->rowCount(), 1);
    QCOMPARE(w2.panel()->evaluations()->item(0, 1)->text(), QStringLiteral("seeds\n0:8"));
    w2.plots()->refresh();
    QCOMPARE(w2.plots()->voltage_plot()->graph(0)->dataCount(), steps + 1);

    // A policy for another study is refused with a dialog.
    QVERIFY(!w2.load_policy(kStudy + "/case.json"));
    QVERIFY(!w2.last_error().isEmpty());

    // Plots as PNG and SVG, data as CSV.
    QVERIFY(w.export_plots(dir.filePath("plots"), "png"));
    QVERIFY(w.export_plots(dir.filePath("plots"), "svg"));
    QVERIFY(w.export_data(dir.filePath("data")));
    for (const char* name : {"curve", "voltages", "profile", "reactive"}) {
      QImage png(dir.filePath(QString("plots-%1.png").arg(name)));
      QVERIFY(!png.isNull() && png.width() >= 640);
      QFile svg(dir.filePath(QString("plots-%1.svg").arg(name)));
      QVERIFY(svg.open(QIODevice::ReadOnly));
      QVERIFY(svg.readAll().contains("<svg"));
    }
    QFile curve(dir.filePath("data-curve.csv"));
    QVERIFY(curve.open(QIODevice::ReadOnly));
    QCOMPARE(QString(curve.readAll()).split('\n', Qt::SkipEmptyParts).size(), 5);
    QFile traces(dir.filePath("data-traces.csv"));
    QVERIFY(traces.open(QIODevice::ReadOnly));
    QCOMPARE(QString(traces.readAll()).split('\n', Qt::SkipEmptyParts).size(), 1 + 4 * (steps + 1));
    QVERIFY(QFileInfo::exists(dir.filePath("data-profile.csv")));
    QVERIFY(QFileInfo::exists(dir.filePath("data-buses.csv")));
  }

  // A DDPG baseline's networks (vvc train --method tasrl --out) load as the window's policy: Evaluate policy
  // gives the numbers stored in the file, Export policy writes them back as a baseline file.
  void baseline_networks_load_and_evaluate_to_their_stored_numbers() {
    const QString file = kSource + "/tests/data/baselines/tasrl_ieee13_tasrl.json";
    const vvc::core::BaselineFile stored = vvc::core::read_baseline(file.toStdString());
    QVERIFY(stored.evaluation.has_value());
    MainWindow w;
    QVERIFY(w.open_path(kStudy));
    QVERIFY(w.load_policy(file));
    QVERIFY(w.policy() != nullptr && w.policy()->baseline && !w.policy()->policy);
    QVERIFY(w.statusBar()->currentMessage().contains(QStringLiteral("tasrl networks")));
    w.panel()->evaluation_seed_edit()->setText(
        QStringLiteral("%1:%2").arg(stored.evaluation_seeds.first).arg(stored.evaluation_seeds.last));
    QSignalSpy evaluated(&w, &MainWindow::job_finished);
    w.evaluate_policy();
    QVERIFY(evaluated.wait(60000));
    QVERIFY2(w.last_error().isEmpty(), qPrintable(w.last_error()));
    const vvc::gui::CopyableTable* rows = w.panel()->evaluations();
    QCOMPARE(rows->rowCount(), 1);
    QCOMPARE(rows->item(0, 0)->text(), QStringLiteral("tasrl (tasrl_ieee13_tasrl.json)"));
    const auto number = [&](int column) {
      return dynamic_cast<const vvc::gui::NumberItem*>(rows->item(0, column))->value();
    };
    QCOMPARE(number(2), stored.evaluation->transient);
    QCOMPARE(number(3), stored.evaluation->steady);
    QCOMPARE(number(4), 100.0 * stored.evaluation->fraction_out_of_band);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(w.export_policy(dir.filePath("networks.json")));
    const vvc::core::BaselineFile exported =
        vvc::core::read_baseline(dir.filePath("networks.json").toStdString());
    QVERIFY(exported.trained.actors == stored.trained.actors);

    // Networks of another study are refused with a dialog, and the loaded ones stay.
    QVERIFY(!w.load_policy(kSource + "/tests/data/baselines/stable_ddpg_ieee13_3p_imported.json"));
    QVERIFY(w.last_error().contains(QStringLiteral("/inverters")));
    QVERIFY(w.policy()->baseline.has_value());
  }

  void pause_holds_and_stop_ends_training() {
    MainWindow w;
    QVERIFY(w.open_path(kStudy));
    short_run(w, 200, false);
    QSignalSpy pause_clicks(w.panel(), &vvc::gui::TrainingPanel::pause_requested);
    QSignalSpy finished(&w, &MainWindow::job_finished);
    w.start_training();
    QTRY_VERIFY_WITH_TIMEOUT(!w.plots()->curve().empty(), 30000);
    w.panel()->pause_button()->click();  // through the button, as a user would
    QCOMPARE(pause_clicks.count(), 1);
    QVERIFY(w.panel()->pause_button()->isChecked());
    QTest::qWait(1500);  // the iteration under way completes
    const size_t held = w.plots()->curve().size();
    QTest::qWait(1000);
    QCOMPARE(w.plots()->curve().size(), held);
    QVERIFY(w.running());
    w.panel()->pause_button()->click();
    QTRY_VERIFY_WITH_TIMEOUT(w.plots()->curve().size() > held, 30000);
    w.panel()->stop_button()->click();
    QVERIFY(finished.wait(30000));
    QVERIFY(!w.running());
    QVERIFY(w.policy() != nullptr);
    QVERIFY(w.policy()->policy->policy.iterations_done < 200);
    QCOMPARE(static_cast<size_t>(w.policy()->policy->policy.iterations_done), w.plots()->curve().size());
  }

  void redraws_20_curves_of_1000_points_at_10_fps() {
    QCustomPlot plot;
    plot.resize(686, 478);
    plot.setNotAntialiasedElements(QCP::aeAll);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    QVector<double> x(1000), y(1000);
    for (int i = 0; i < 1000; ++i) x[i] = i;
    for (int c = 0; c < 20; ++c) plot.addGraph();
    constexpr int kFrames = 30;
    QElapsedTimer clock;
    clock.start();
    for (int f = 0; f < kFrames; ++f) {
      for (int c = 0; c < 20; ++c) {
        for (int i = 0; i < 1000; ++i) y[i] = 1.0 + 0.02 * std::sin(0.01 * i + 0.3 * c + 0.1 * f);
        plot.graph(c)->setData(x, y, true);
      }
      plot.rescaleAxes();
      plot.replot(QCustomPlot::rpImmediateRefresh);
    }
    const double fps = kFrames / (clock.nsecsElapsed() * 1e-9);
    qInfo("20 curves x 1000 points: %.1f frames per second", fps);
    QVERIFY2(fps >= 10.0, qPrintable(QString("%1 fps").arg(fps)));
  }

  void comparison_plots_every_learning_curve_and_the_table() {
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY2(w.open_path(kResults), qPrintable(w.last_error()));
    QVERIFY(w.comparison()->isVisible());  // the Comparison tab is shown
    const QStringList files = QDir(kResults + "/curves").entryList({"*.csv"}, QDir::Files, QDir::Name);
    QCOMPARE(files.size(), 7);
    QCustomPlot* chart = w.comparison()->chart();
    const auto& curves = w.comparison()->curves();
    QCOMPARE(curves.size(), static_cast<int>(files.size()));
    const QStringList table_rows = file_lines(kResults + "/table.csv");
    for (int g = 0; g < curves.size(); ++g) {
      const QString csv = kResults + "/curves/" + files[g];
      const QString method = file_lines(csv).at(1).section(',', 0, 0);
      QVERIFY2(curves[g]->name().startsWith(method + " ("), qPrintable(curves[g]->name()));
      QCOMPARE(curves[g]->dataCount(), expected_points(csv));
      // x runs over the fraction of training completed and ends at 1 (every run validates at its end).
      const auto data = curves[g]->data();
      QVERIFY(data->at(0)->key > 0.0);
      QCOMPARE(data->at(data->size() - 1)->key, 1.0);
      // The final evaluation of table.csv marked at the curve's end, on the right axis.
      QString row;
      for (const QString& r : table_rows) {
        if (r.section(',', 0, 0) == method) row = r;
      }
      QVERIFY(!row.isEmpty());
      const QCPGraph* marker = w.comparison()->markers()[g];
      QVERIFY(marker != nullptr);
      QCOMPARE(marker->valueAxis(), chart->yAxis2);
      QCOMPARE(marker->data()->at(0)->key, 1.0);
      QCOMPARE(marker->data()->at(0)->value, row.section(',', 2, 2).toDouble());
      QVERIFY(!chart->legend->hasItemWithPlottable(marker));
    }
    // DiffOP(Step) validates every 10 of 150 iterations: 15 points, the first at 10/150.
    const int step = static_cast<int>(files.indexOf("diffop-step.csv"));
    QCOMPARE(curves[step]->dataCount(), 15);
    QCOMPARE(curves[step]->data()->at(0)->key, 10.0 / 150.0);
    for (const QCPGraph* g : curves) QVERIFY(chart->legend->hasItemWithPlottable(g));

    // The cost axis holds the better half of the methods (by last value, ranked here from the files) whole, with
    // 8 % of its extent as margin, and nothing more: the worse half does not widen it, and the worst method's
    // last value lies above it.
    std::vector<std::pair<double, int>> ranked;
    for (int g = 0; g < curves.size(); ++g) {
      const QStringList lines = file_lines(kResults + "/curves/" + files[g]);
      double last_value = std::nan("");
      for (int i = 1; i < lines.size(); ++i) {
        if (!lines[i].section(',', 5, 5).isEmpty()) last_value = lines[i].section(',', 5, 5).toDouble();
      }
      ranked.emplace_back(last_value, g);
    }
    std::sort(ranked.begin(), ranked.end());
    const size_t better = (ranked.size() + 1) / 2;
    auto holds_whole = [&](int g) {
      for (auto it = curves[g]->data()->constBegin(); it != curves[g]->data()->constEnd(); ++it) {
        if (!chart->yAxis->range().contains(it->value)) return false;
      }
      return true;
    };
    double lowest = std::numeric_limits<double>::infinity();
    double highest = -lowest;
    for (size_t k = 0; k < better; ++k) {
      const int g = ranked[k].second;
      QVERIFY2(holds_whole(g), qPrintable(curves[g]->name()));
      for (auto it = curves[g]->data()->constBegin(); it != curves[g]->data()->constEnd(); ++it) {
        lowest = std::min(lowest, it->value);
        highest = std::max(highest, it->value);
      }
    }
    const double margin = 0.08 * (highest - lowest);
    QVERIFY(std::abs(chart->yAxis->range().lower - (lowest - margin)) < 1e-9);
    QVERIFY(std::abs(chart->yAxis->range().upper - (highest + margin)) < 1e-9);
    QVERIFY2(ranked.back().first > chart->yAxis->range().upper,
             qPrintable(curves[ranked.back().second]->name()));
    const QCPRange zoomed = chart->yAxis->range();
    // Hiding the best methods from the legend hides their markers and lets the next one into the better half
    // of the methods shown: with the better - 1 best hidden, ranks better - 1 and better are that half.
    for (size_t k = 0; k + 1 < better; ++k) {
      const int g = ranked[k].second;
      emit chart->legendClick(chart->legend, chart->legend->itemWithPlottable(curves[g]), nullptr);
      QVERIFY(!curves[g]->visible());
      QVERIFY(!w.comparison()->markers()[g]->visible());
    }
    const int next = ranked[better].second;
    QVERIFY2(holds_whole(next), qPrintable(curves[next]->name()));
    for (size_t k = 0; k + 1 < better; ++k) {
      const int g = ranked[k].second;
      emit chart->legendClick(chart->legend, chart->legend->itemWithPlottable(curves[g]), nullptr);
      QVERIFY(curves[g]->visible());
    }
    QVERIFY(holds_whole(ranked.front().second));
    QCOMPARE(chart->yAxis->range().lower, zoomed.lower);
    QCOMPARE(chart->yAxis->range().upper, zoomed.upper);

    // Wall time and environment steps as x: each curve over its seconds or samples column, on a log axis.
    const QStringList step_lines = file_lines(kResults + "/curves/" + files[step]);
    w.comparison()->set_axis(vvc::gui::CurveAxis::kSeconds);
    QCOMPARE(chart->xAxis->scaleType(), QCPAxis::stLogarithmic);
    QCOMPARE(curves[step]->data()->at(0)->key, step_lines[10].section(',', 3, 3).toDouble());  // iteration 10
    w.comparison()->set_axis(vvc::gui::CurveAxis::kSamples);
    QCOMPARE(chart->xAxis->scaleType(), QCPAxis::stLogarithmic);
    QCOMPARE(curves[step]->dataCount(), 15);
    QCOMPARE(curves[step]->data()->at(0)->key, step_lines[10].section(',', 6, 6).toDouble());
    w.comparison()->set_axis(vvc::gui::CurveAxis::kFraction);
    QCOMPARE(curves[step]->dataCount(), 15);
    vvc::gui::CopyableTable* table = w.comparison()->table();
    const QStringList rows = file_lines(kResults + "/table.csv");
    QCOMPARE(table->rowCount(), static_cast<int>(rows.size()) - 1);
    QCOMPARE(table->columnCount(), 11);
    for (int r = 1; r < rows.size(); ++r) QCOMPARE(table->item(r - 1, 0)->text(), rows[r].section(',', 0, 0));
    // Sorting by the transient cost puts the limit (the bound) first, the zero controller last.
    // Every column whole in the 1400 px window (training_seconds was cut off): headers on two lines.
    QVERIFY2(table->horizontalHeader()->length() <= table->viewport()->width(),
             qPrintable(QString("columns %1 px in a %2 px view")
                            .arg(table->horizontalHeader()->length())
                            .arg(table->viewport()->width())));
    QCOMPARE(table->column_name(10), QStringLiteral("training_seconds"));
    table->sortItems(2, Qt::AscendingOrder);
    QCOMPARE(table->item(0, 0)->text(), QStringLiteral("limit"));
    QCOMPARE(table->item(table->rowCount() - 1, 0)->text(), QStringLiteral("zero"));
    // Empty cells (no training time for the reference controllers) sort after the numbers. The fastest method
    // is read from the file: training times are wall times and change with the machine's load.
    QString fastest;
    double fastest_seconds = 0.0;
    for (int r = 1; r < rows.size(); ++r) {
      const QString seconds = rows[r].section(',', 10, 10);
      if (!seconds.isEmpty() && (fastest.isEmpty() || seconds.toDouble() < fastest_seconds)) {
        fastest = rows[r];
        fastest_seconds = seconds.toDouble();
      }
    }
    QVERIFY(!fastest.isEmpty());
    table->sortItems(10, Qt::AscendingOrder);
    QCOMPARE(table->item(0, 0)->text(), fastest.section(',', 0, 0));
    QVERIFY(table->item(table->rowCount() - 1, 10)->text().isEmpty());
    table->clearSelection();
    table->setRangeSelected(QTableWidgetSelectionRange(0, 0, 0, 2), true);
    table->copy_selection();
    QCOMPARE(QApplication::clipboard()->text(),
             QStringLiteral("method\tkind\ttransient\n%1\t%2\t%3\n")
                 .arg(fastest.section(',', 0, 0), fastest.section(',', 1, 1))
                 .arg(fastest.section(',', 2, 2).toDouble(), 0, 'f', 4));
    save_screenshot(w, "comparison.png");

    QDir out(QStringLiteral(VVC_BINARY_DIR) + "/gui-test-results");
    QVERIFY(out.removeRecursively());
    QVERIFY(QDir().mkpath(out.path()));
    QVERIFY(w.export_comparison_chart(out.filePath("chart.png")));
    const QImage png(out.filePath("chart.png"));
    QVERIFY(!png.isNull());
    QVERIFY(png.width() >= 640 && png.height() >= 420);
    // Every curve's colour is drawn (the chart does not antialias, so its pixels have the pen's exact
    // colour).
    for (size_t k = 0; k < better; ++k) {
      const QCPGraph* g = curves[ranked[k].second];
      const QRgb colour = g->pen().color().rgb();
      int pixels = 0;
      for (int y = 0; y < png.height(); ++y) {
        for (int x = 0; x < png.width(); ++x) pixels += png.pixel(x, y) == colour ? 1 : 0;
      }
      QVERIFY2(pixels > 100, qPrintable(QString("%1: %2 pixels").arg(g->name()).arg(pixels)));
    }
    QVERIFY(w.export_comparison_chart(out.filePath("chart.svg")));
    QVERIFY(file_lines(out.filePath("chart.svg")).join('\n').contains("<svg"));
    QVERIFY(w.export_comparison_table(out.filePath("table.csv")));
    const QStringList exported = file_lines(out.filePath("table.csv"));
    QCOMPARE(exported.size(), rows.size());
    QCOMPARE(exported.front(), rows.front());

    // A failed export reports the file and keeps the old one whole: under a 64-byte file size limit (a full disk
    // in miniature, which binds root too) every export fails, and the files written above are unchanged.
    const QStringList names = {"chart.png", "chart.svg", "table.csv"};
    QHash<QString, QByteArray> before;
    for (const QString& name : names) before[name] = file_bytes(out.filePath(name));
    {
      const FileSizeLimit limit(64);
      QVERIFY(!w.export_comparison_chart(out.filePath("chart.png")));
      QVERIFY2(w.last_error().startsWith(out.filePath("chart.png") + ": write failed: File too large"),
               qPrintable(w.last_error()));
      QVERIFY(!w.export_comparison_chart(out.filePath("chart.svg")));
      QVERIFY(!w.export_comparison_table(out.filePath("table.csv")));
      QVERIFY2(w.last_error().startsWith(out.filePath("table.csv") + ": write failed"),
               qPrintable(w.last_error()));
    }
    for (const QString& name : names) QCOMPARE(file_bytes(out.filePath(name)), before[name]);
    QCOMPARE(QDir(out.path()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot), names);
  }

  void results_folder_opens_by_drop_and_errors_name_file_and_line() {
    const QString base = QStringLiteral(VVC_BINARY_DIR) + "/gui-test-results/bad";
    QVERIFY(QDir(base).removeRecursively());
    QVERIFY(QDir().mkpath(base + "/curves"));
    QVERIFY(QFile::copy(kResults + "/table.csv", base + "/table.csv"));
    MainWindow w;
    w.show();
    // No curves at all.
    QVERIFY(!w.open_path(base));
    QVERIFY2(w.last_error().contains("curves: no learning curves"), qPrintable(w.last_error()));
    // A wrong header, then a non-numeric value on line 3.
    write_file(base + "/curves/broken.csv", "method,unit,iteration,cost\nX,iteration,1,2\n");
    QVERIFY(!w.open_path(base));
    QVERIFY2(w.last_error().contains("broken.csv:1: expected the header"), qPrintable(w.last_error()));
    // With the samples column, samples must never decrease.
    write_file(
        base + "/curves/broken.csv",
        QByteArray(kCurveHeader) + ",samples\nX,iteration,1,0.1,-7,,400\nX,iteration,2,0.2,-7.5,-7.4,300\n");
    QVERIFY(!w.open_path(base));
    QVERIFY2(
        w.last_error().contains("broken.csv:3: samples: expected a count >= the previous row's, got '300'"),
        qPrintable(w.last_error()));
    write_file(base + "/curves/broken.csv",
               QByteArray(kCurveHeader) + "\nX,iteration,1,0.1,-7,\nX,iteration,2,0.2,-7.5x,-7.4\n");
    QVERIFY(!w.open_path(base));
    QVERIFY2(w.last_error().contains("broken.csv:3: training_cost: expected a number, got '-7.5x'"),
             qPrintable(w.last_error()));
    const auto boxes = w.findChildren<QMessageBox*>();
    QVERIFY(!boxes.isEmpty());
    QVERIFY(boxes.last()->text().contains("broken.csv:3:"));
    // A short row and a table row with a non-numeric field.
    write_file(base + "/curves/broken.csv", QByteArray(kCurveHeader) + "\nX,iteration,1,0.1\n");
    QVERIFY(!w.open_path(base));
    QVERIFY2(w.last_error().contains("broken.csv:2: expected 6 fields, got 4"), qPrintable(w.last_error()));
    write_file(base + "/curves/broken.csv", QByteArray(kCurveHeader) + "\nX,iteration,1,0.1,-7,\n");
    write_file(base + "/table.csv", "method,kind,transient\nzero,reference,0\nX,learned,minus seven\n");
    QVERIFY(!w.open_path(base));
    QVERIFY2(w.last_error().contains("table.csv:3: transient: expected a number, got 'minus seven'"),
             qPrintable(w.last_error()));
    QCOMPARE(w.comparison()->curves().size(), 0);  // nothing half-shown

    // The application is alive: the fixed folder opens by drag and drop, a training-cost-only curve drawn. A
    // quoted method name (a file's row of vvc bench table --policy) keeps its comma and its quote.
    write_file(
        base + "/table.csv",
        "method,kind,transient\nzero,reference,0\n\"stable-ddpg (\"\"a,b\"\".json)\",file,5\nX,learned,-7\n");
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(base)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &drop);
    QVERIFY2(w.last_error().isEmpty(), qPrintable(w.last_error()));
    QCOMPARE(w.comparison()->curves().size(), 1);
    QCOMPARE(w.comparison()->curves()[0]->dataCount(), 1);
    QCOMPARE(w.comparison()->curves()[0]->name(), QStringLiteral("X (1 iteration), training cost"));
    QCOMPARE(w.comparison()->markers()[0]->data()->at(0)->value, -7.0);  // table.csv's X row
    QCOMPARE(w.comparison()->table()->item(1, 0)->text(), QStringLiteral("stable-ddpg (\"a,b\".json)"));
    // A curve with samples: over environment steps, its points sit at the samples column.
    write_file(base + "/curves/broken.csv",
               QByteArray(kCurveHeader) +
                   ",samples\nX,iteration,1,0.1,-7,-7.1,400\nX,iteration,2,0.2,-7.5,-7.4,800\n");
    QVERIFY2(w.open_path(base), qPrintable(w.last_error()));
    w.comparison()->set_axis(vvc::gui::CurveAxis::kSamples);
    QCOMPARE(w.comparison()->curves()[0]->dataCount(), 2);
    QCOMPARE(w.comparison()->curves()[0]->data()->at(0)->key, 400.0);
    QCOMPARE(w.comparison()->curves()[0]->data()->at(1)->key, 800.0);
    QCOMPARE(w.comparison()->markers()[0]->data()->at(0)->key, 800.0);
    QVERIFY(!w.comparison()->caption()->text().contains("No environment steps"));
    // A curve written before the samples column: nothing over environment steps, and the caption says why.
    write_file(base + "/curves/broken.csv",
               QByteArray(kCurveHeader) + "\nX,iteration,1,0.1,-7,-7.1\nX,iteration,2,0.2,-7.5,-7.4\n");
    QVERIFY2(w.open_path(base), qPrintable(w.last_error()));
    w.comparison()->set_axis(vvc::gui::CurveAxis::kSamples);
    QCOMPARE(w.comparison()->curves()[0]->dataCount(), 0);
    QVERIFY2(w.comparison()->caption()->text().contains("No environment steps"),
             qPrintable(w.comparison()->caption()->text()));
    w.comparison()->set_axis(vvc::gui::CurveAxis::kFraction);
    QCOMPARE(w.comparison()->curves()[0]->dataCount(), 2);
    QCOMPARE(w.comparison()->table()->rowCount(), 3);
    // A failed open keeps what is shown; a case still opens afterwards.
    write_file(base + "/curves/broken.csv", "");
    QVERIFY(!w.open_path(base));
    QVERIFY2(w.last_error().contains("broken.csv: empty file"), qPrintable(w.last_error()));
    QCOMPARE(w.comparison()->curves().size(), 1);
    QVERIFY(w.open_path(kStudy));
  }
};

QTEST_MAIN(GuiTest)
#include "gui_test.moc"
