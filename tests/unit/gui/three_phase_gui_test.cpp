// Headless tests of vvc-gui with three-phase studies (Qt Test, QT_QPA_PLATFORM=offscreen): cases/ieee13_3p opens
// with its feeder diagram and an enabled training panel; a short training run keeps the window responsive and
// feeds the per-phase plots (a line per monitored node-phase in its phase's colour, a legend of the phases, the
// bus named on hover, a bus picker, the profile per node-phase, q per inverter phase); the feeder diagram takes
// its colours from the validation scenario shown, per phase; the trained policy exports, reloads and evaluates.
// Stable-DDPG trains in the window and its networks match `vvc train --method stable-ddpg`'s.
// "New study from this feeder" on cases/ieee13/IEEE13Nodeckt.dss: three inverters placed by clicks on the
// diagram, the study saved and opened, 5 training iterations, the policy exported and evaluated by `vvc eval
// --policy`, and `vvc train` run on the saved study; a second study on the real day (windows of the bundled day
// profile) saved, opened and trained by `vvc train`.
// Screenshots go to <build>/gui-screenshots/.
#include <qcustomplot.h>
#include <QDir>
#include <QMenu>
#include <QMouseEvent>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QToolButton>
#include <algorithm>
#include <cmath>

#include "main_window.hpp"
#include "run_vvc.hpp"
#include "stall_watch.hpp"
#include "vvc/core/baselines/baseline_io.hpp"
#include "vvc/core/diffop/policy_io.hpp"

using vvc::gui::MainWindow;
using vvc::gui::StallWatch;

namespace {

const QString kSource = QStringLiteral(VVC_SOURCE_DIR);
const QString kStudy = kSource + "/cases/ieee13_3p";
const QString kIeee13 = kSource + "/cases/ieee13/IEEE13Nodeckt.dss";
const QString kShots = QStringLiteral(VVC_BINARY_DIR) + "/gui-screenshots";

/// The point of the study at a bus and conductor, found by name (-1 when there is none).
int point_of(const vvc::core::Study& study, const std::string& bus, int phase) {
  for (int p = 0; p < study.num_points(); ++p) {
    const auto& point = study.points[static_cast<size_t>(p)];
    if (point.bus == bus && point.phase == phase) return p;
  }
  return -1;
}

}  // namespace

class ThreePhaseGuiTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
  }

  void opens_a_three_phase_study_for_training() {
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY2(w.open_path(kStudy), qPrintable(w.last_error()));
    const auto& doc = *w.document();
    QVERIFY(doc.study && doc.study->three_phase());
    QVERIFY(doc.dss != nullptr);
    QVERIFY(w.dss_feeder_view()->isVisibleTo(&w));
    QVERIFY(w.panel()->isEnabled());
    QVERIFY(w.panel()->start_button()->isEnabled());
    // Every point of the study is a node of the diagram's network, at the same bus and phase.
    QCOMPARE(doc.dss_nodes.size(), static_cast<size_t>(doc.study->num_points()));
    const auto& net = doc.dss->network();
    for (int p = 0; p < doc.study->num_points(); ++p) {
      const int node = doc.dss_nodes[static_cast<size_t>(p)];
      QVERIFY(node >= 0);
      const auto& point = doc.study->points[static_cast<size_t>(p)];
      QCOMPARE(net.buses[static_cast<size_t>(net.nodes[static_cast<size_t>(node)].bus)].name, point.bus);
      QCOMPARE(net.nodes[static_cast<size_t>(node)].number, point.phase);
    }
    // Twelve inverter buses, 29 inverter phases (ieee13_3p/study.json).
    QCOMPARE(doc.study->num_inverters(), 29);
    QVERIFY(w.plots()->bus_picker()->isVisibleTo(w.plots()));
  }

  // The study's default estimator is selected; noise draws and sigma are for the likelihood ratio alone, and a
  // balanced study offers no pathwise gradient.
  void gradient_choice_enables_the_fields_it_uses() {
    MainWindow w;
    QVERIFY2(w.open_path(kStudy), qPrintable(w.last_error()));
    vvc::gui::TrainingPanel* panel = w.panel();
    QCOMPARE(panel->gradient()->currentText(), QStringLiteral("pathwise"));
    QVERIFY(panel->gradient()->isEnabled());
    QVERIFY(!panel->noise_draws()->isEnabled());
    QVERIFY(!panel->sigma()->isEnabled());
    QCOMPARE(panel->request().train->diffop.gradient, vvc::core::GradientEstimator::kPathwise);
    panel->gradient()->setCurrentText(QStringLiteral("likelihood-ratio"));
    QVERIFY(panel->noise_draws()->isEnabled());
    QVERIFY(panel->sigma()->isEnabled());
    QCOMPARE(panel->request().train->diffop.gradient, vvc::core::GradientEstimator::kLikelihoodRatio);
    // A reference controller trains nothing.
    panel->controller()->setCurrentText(QStringLiteral("voltvar"));
    QVERIFY(!panel->gradient()->isEnabled());
    QVERIFY(!panel->noise_draws()->isEnabled());
    QVERIFY2(w.open_path(kSource + "/cases/ieee13_tasrl"), qPrintable(w.last_error()));
    panel->controller()->setCurrentIndex(0);
    QCOMPARE(panel->gradient()->currentText(), QStringLiteral("likelihood-ratio"));
    QVERIFY(!panel->gradient()->isEnabled());
    QVERIFY(panel->noise_draws()->isEnabled());
  }

  void training_feeds_the_per_phase_plots_without_stalling() {
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY2(w.open_path(kStudy), qPrintable(w.last_error()));
    vvc::gui::TrainingPanel* panel = w.panel();
    panel->iterations()->setValue(4);
    panel->validation_every()->setValue(2);
    panel->validation_scenarios()->setValue(8);
    panel->thread_count()->setValue(1);
    panel->references()->setChecked(true);
    QSignalSpy finished(&w, &MainWindow::job_finished);

    // UI responsiveness: the largest gap between 10 ms ticks on the GUI thread while training runs.
    StallWatch stalls;
    w.start_training();
    QVERIFY(w.running());
    stalls.start();
    QVERIFY(finished.wait(600000));
    stalls.stop();
    qInfo(
        "three-phase study: while training: GUI thread CPU time between 10 ms ticks at most %.1f ms, largest "
        "gap %lld ms",
        stalls.worst_cpu_ms(), stalls.worst_gap_ms());
    QVERIFY2(stalls.worst_cpu_ms() < 50,
             qPrintable(QString("the GUI thread worked %1 ms between two ticks").arg(stalls.worst_cpu_ms())));
    QVERIFY2(w.last_error().isEmpty(), qPrintable(w.last_error()));

    const vvc::core::Study& study = *w.document()->study;
    vvc::gui::LivePlots* plots = w.plots();
    plots->refresh();
    QCOMPARE(static_cast<int>(plots->curve().size()), 4);
    QCOMPARE(plots->curve_plot()->graphCount(), 7);  // rollouts, validation, zero, linear droop, limit
    // On the Stable-DDPG cost the reference lines are zero, Stable-DDPG's linear droop and the limit.
    QCOMPARE(panel->reference_controllers(), (std::vector<std::string>{"zero", "linear", "limit"}));
    QCOMPARE(panel->references()->text(), QString("reference lines (zero, linear, limit)"));
    // The study's cost is the Stable-DDPG form, and the cost axes say so.
    QCOMPARE(plots->curve_plot()->yAxis->label(), QString("transient cost (discounted sum of c_t)"));
    QCOMPARE(plots->curve_plot()->yAxis2->label(), QString("steady-state cost c_T"));
    QCOMPARE(w.panel()->evaluations()->rowCount(), 3);
    // The reference labels, some beyond the cost axis's range, do not cover each other.
    plots->curve_plot()->replot();
    const auto& labels = plots->reference_labels();
    QCOMPARE(labels.size(), 3);
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < i; ++j) {
        const QRectF a(labels[i]->topLeft->pixelPosition(), labels[i]->bottomRight->pixelPosition());
        const QRectF b(labels[j]->topLeft->pixelPosition(), labels[j]->bottomRight->pixelPosition());
        QVERIFY2(!a.intersects(b), qPrintable(labels[i]->text() + " covers " + labels[j]->text()));
      }
    }

    // Transient |V|: one line per monitored node-phase, named bus.phase, in its phase's colour; the legend
    // holds the three phases only.
    const int n = static_cast<int>(study.monitored.size());
    QCustomPlot* voltage = plots->voltage_plot();
    QCOMPARE(voltage->graphCount(), n + 3);
    QCOMPARE(voltage->legend->itemCount(), 3);
    const char* const phase_names[] = {"a", "b", "c"};
    for (int k = 0; k < 3; ++k) {
      QCPGraph* entry = voltage->graph(n + k);
      QVERIFY(voltage->legend->hasItemWithPlottable(entry));
      QCOMPARE(entry->name(), QStringLiteral("phase %1").arg(phase_names[k]));
      QCOMPARE(entry->pen().color(), vvc::gui::phase_colour(k + 1));
    }
    const auto& traces = plots->traces();
    QCOMPARE(traces.size(), size_t{4});
    for (int k = 0; k < n; ++k) {
      const auto& point = study.points[static_cast<size_t>(study.monitored[static_cast<size_t>(k)])];
      QCPGraph* g = voltage->graph(k);
      QCOMPARE(g->name(), QString::fromStdString(point.bus) + "." + phase_names[point.phase - 1]);
      QCOMPARE(g->pen().color(), vvc::gui::phase_colour(point.phase));
      QCOMPARE(g->dataCount(), study.steps + 1);
      QVERIFY(!voltage->legend->hasItemWithPlottable(g));
      // The line is the trace's column of that bus and phase.
      const int p = point_of(study, point.bus, point.phase);
      QCOMPARE(g->data()->at(study.steps)->value, traces.front().vm(study.steps, p));
    }
    // Hovering a line names its bus and phase.
    const int mid = study.steps / 2;
    int top = 0;
    for (int k = 1; k < n; ++k) {
      if (voltage->graph(k)->data()->at(mid)->value > voltage->graph(top)->data()->at(mid)->value) top = k;
    }
    const QPointF at = voltage->graph(top)->coordsToPixels(mid, voltage->graph(top)->data()->at(mid)->value);
    const QString hover = vvc::gui::hover_text(voltage, at);
    const QString named = hover.section(':', 0, 0);
    QVERIFY2(named.contains('.'), qPrintable(hover));
    bool same_pixel = false;
    for (int k = 0; k < n; ++k) {
      if (voltage->graph(k)->name() != named) continue;
      same_pixel =
          std::abs(voltage->graph(k)->coordsToPixels(mid, voltage->graph(k)->data()->at(mid)->value).y() -
                   at.y()) < 1.0;
    }
    QVERIFY2(same_pixel, qPrintable(hover));

    // A click on the legend's phase c hides every phase-c line and no other.
    emit voltage->legendClick(voltage->legend, voltage->legend->itemWithPlottable(voltage->graph(n + 2)),
                              nullptr);
    for (int k = 0; k < n; ++k) {
      const int phase = study.points[static_cast<size_t>(study.monitored[static_cast<size_t>(k)])].phase;
      QCOMPARE(voltage->graph(k)->visible(), phase != 3);
    }
    plots->set_phase_shown(3, true);
    // The bus picker: its menu lists each monitored bus once; unticking 671 hides its three node-phases.
    QMenu* menu = plots->bus_picker()->menu();
    QAction* bus671 = nullptr;
    int listed = 0;
    for (QAction* a : menu->actions()) {
      if (!a->isCheckable()) continue;
      ++listed;
      if (a->text() == "671") bus671 = a;
    }
    QCOMPARE(listed, 12);
    QVERIFY(bus671 != nullptr);
    bus671->setChecked(false);
    int hidden = 0;
    for (int k = 0; k < n; ++k) {
      const bool is671 = voltage->graph(k)->name().startsWith("671.");
      QCOMPARE(voltage->graph(k)->visible(), !is671);
      hidden += is671 ? 1 : 0;
    }
    QCOMPARE(hidden, 3);
    bus671->setChecked(true);
    for (int k = 0; k < n; ++k) QVERIFY(voltage->graph(k)->visible());

    // The profile per monitored node-phase: min <= mean <= max of the final |V| over the validation scenarios.
    QCustomPlot* profile = plots->profile_plot();
    QCOMPARE(profile->graphCount(), 3);
    const Eigen::MatrixXd& final_vm = plots->final_vm();
    QCOMPARE(final_vm.rows(), 8);
    for (int k = 0; k < n; ++k) {
      const auto& point = study.points[static_cast<size_t>(study.monitored[static_cast<size_t>(k)])];
      const int p = point_of(study, point.bus, point.phase);
      QCOMPARE(profile->graph(0)->data()->at(k)->value, final_vm.col(p).minCoeff());
      QCOMPARE(profile->graph(2)->data()->at(k)->value, final_vm.col(p).maxCoeff());
      QVERIFY(profile->graph(0)->data()->at(k)->value <= profile->graph(1)->data()->at(k)->value);
      QVERIFY(profile->graph(1)->data()->at(k)->value <= profile->graph(2)->data()->at(k)->value);
    }

    // Hovering a profile point names its node-phase, also where the axis leaves the name out for room.
    profile->replot();
    for (int k : {0, 1, n - 1}) {
      const double mean = profile->graph(1)->data()->at(k)->value;
      const QString text = vvc::gui::hover_text(profile, profile->graph(1)->coordsToPixels(k, mean));
      QVERIFY2(text.endsWith("(node-phase " + voltage->graph(k)->name() + ")"), qPrintable(text));
    }

    // q per inverter phase, named bus.phase (on hover), in its phase's colour; the legend names the phases.
    QCustomPlot* reactive = plots->reactive_plot();
    QCOMPARE(reactive->graphCount(), study.num_inverters() + 3);
    QCOMPARE(reactive->legend->itemCount(), 3);
    for (int i = 0; i < study.num_inverters(); ++i) {
      const auto& inv = study.inverters[static_cast<size_t>(i)];
      QCOMPARE(reactive->graph(i)->pen().color(), vvc::gui::phase_colour(inv.phase));
      QVERIFY(reactive->graph(i)->name().endsWith(QString(".") + phase_names[inv.phase - 1]));
      QCOMPARE(reactive->graph(i)->dataCount(), study.steps + 1);
      QCOMPARE(reactive->graph(i)->data()->at(study.steps)->value, traces.front().q(study.steps, i));
    }

    // The feeder diagram is coloured by the shown validation scenario's final |V|, phase by phase: at 671 the
    // lowest and the highest phase, and phase c, each as the trace has them.
    vvc::gui::DssFeederView* feeder = w.dss_feeder_view();
    QVERIFY(!feeder->node_voltages().empty());
    const auto& dss_buses = w.document()->dss->network().buses;
    int bus = -1;
    for (size_t b = 0; b < dss_buses.size(); ++b) {
      if (dss_buses[b].name == "671") bus = static_cast<int>(b);
    }
    QVERIFY(bus >= 0);
    for (int shown = 0; shown < 2; ++shown) {
      plots->scenario_selector()->setCurrentIndex(shown);
      const auto& trace = traces[static_cast<size_t>(shown)];
      QVERIFY(feeder->caption().contains(QString::number(trace.id)));
      double lo = INFINITY, hi = -INFINITY;
      for (int phase = 1; phase <= 3; ++phase) {
        const double v = trace.vm(study.steps, point_of(study, "671", phase));
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
      feeder->set_phase_view(vvc::gui::PhaseView::kLowest);
      QCOMPARE(feeder->shown_vm(bus), lo);
      feeder->set_phase_view(vvc::gui::PhaseView::kHighest);
      QCOMPARE(feeder->shown_vm(bus), hi);
      feeder->set_phase_view(vvc::gui::PhaseView::kC);
      QCOMPARE(feeder->shown_vm(bus), trace.vm(study.steps, point_of(study, "671", 3)));
      QVERIFY(feeder->bus_tooltip(bus).contains(QString::number(lo, 'f', 4)));
    }
    QDir().mkpath(kShots);
    w.show_tab(MainWindow::kTrainingTab);
    QVERIFY(w.grab().save(kShots + "/three-phase-training.png"));
    w.show_tab(MainWindow::kFeederTab);
    feeder->set_phase_view(vvc::gui::PhaseView::kLowest);
    QVERIFY(w.grab().save(kShots + "/three-phase-feeder-lowest.png"));

    // The policy exports, reloads in a fresh window and evaluates there.
    QVERIFY(w.policy() != nullptr);
    QTemporaryDir dir;
    const QString policy_path = dir.filePath("policy.json");
    QVERIFY(w.export_policy(policy_path));
    MainWindow w2;
    QVERIFY(w2.open_path(kStudy));
    QVERIFY2(w2.load_policy(policy_path), qPrintable(w2.last_error()));
    QVERIFY(w2.policy()->policy->policy.theta == w.policy()->policy->policy.theta);
    w2.panel()->evaluation_seed_edit()->setText("0:4");
    w2.panel()->thread_count()->setValue(1);
    QSignalSpy evaluated(&w2, &MainWindow::job_finished);
    w2.evaluate_policy();
    QVERIFY(evaluated.wait(300000));
    QVERIFY2(w2.last_error().isEmpty(), qPrintable(w2.last_error()));
    QCOMPARE(w2.panel()->evaluations()->rowCount(), 1);
    w2.plots()->refresh();
    QCOMPARE(w2.plots()->voltage_plot()->graph(0)->dataCount(), study.steps + 1);

    // The data export names every point by bus and phase.
    QVERIFY(w.export_data(dir.filePath("data")));
    QFile csv(dir.filePath("data-traces.csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QString header = QString(csv.readLine()).trimmed();
    QCOMPARE(header.split(',').size(), 2 + study.num_points() + study.num_inverters());
    QVERIFY(header.contains(",vm_671.c,"));
  }

  // Stable-DDPG trains in the window as `vvc train --method stable-ddpg` trains it: the networks exported are
  // those the command writes for the same episodes and seed, number for number; the form offers the episodes,
  // seed and validation, not DiffOP's hyperparameters; the curve counts episodes.
  void stable_ddpg_trains_here_as_vvc_train_does() {
    MainWindow w;
    QVERIFY2(w.open_path(kStudy), qPrintable(w.last_error()));
    vvc::gui::TrainingPanel* panel = w.panel();
    panel->controller()->setCurrentText(QStringLiteral("Stable-DDPG"));
    QVERIFY(panel->trains());
    QCOMPARE(panel->iterations_label()->text(), QStringLiteral("Episodes"));
    QCOMPARE(panel->iterations()->value(),
             vvc::core::default_stable_ddpg_options(*w.document()->study).episodes);
    QVERIFY(panel->iterations()->isEnabled() && panel->validation_every()->isEnabled());
    QVERIFY(!panel->gradient()->isEnabled() && !panel->noise_draws()->isEnabled() &&
            !panel->sigma()->isEnabled());
    panel->iterations()->setValue(3);
    panel->validation_every()->setValue(1);
    panel->thread_count()->setValue(1);
    panel->references()->setChecked(false);
    QSignalSpy finished(&w, &MainWindow::job_finished);
    w.start_training();
    QVERIFY(finished.wait(600000));
    QVERIFY2(w.last_error().isEmpty(), qPrintable(w.last_error()));
    QVERIFY(w.policy() != nullptr && w.policy()->baseline && !w.policy()->policy);
    QVERIFY2(w.statusBar()->currentMessage().startsWith(
                 QStringLiteral("stable-ddpg networks trained (3 episodes")),
             qPrintable(w.statusBar()->currentMessage()));
    QVERIFY(w.day_view()->replay_policy()->isEnabled());
    w.plots()->refresh();
    QCOMPARE(static_cast<int>(w.plots()->curve().size()), 3);
    QCOMPARE(w.plots()->curve_plot()->xAxis->label(), QStringLiteral("episode"));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString gui_path = dir.filePath("gui.json");
    const QString cli_path = dir.filePath("cli.json");
    QVERIFY(w.export_policy(gui_path));
    const vvc::gui::CliRun train =
        vvc::gui::run_vvc({"train", "--study", kStudy, "--method", "stable-ddpg", "--episodes", "3", "--seed",
                           "1", "--eval-seeds", "0:2", "--out", cli_path, "--quiet"});
    QVERIFY2(train.succeeded, qPrintable(train.err));
    const vvc::core::BaselineFile gui = vvc::core::read_baseline(gui_path.toStdString());
    const vvc::core::BaselineFile cli = vvc::core::read_baseline(cli_path.toStdString());
    QCOMPARE(gui.trained.actors.size(), cli.trained.actors.size());
    for (size_t i = 0; i < gui.trained.actors.size(); ++i) {
      QVERIFY2(gui.trained.actors[i] == cli.trained.actors[i], qPrintable(QStringLiteral("actor %1").arg(i)));
    }
    QCOMPARE(gui.trained.max_step, cli.trained.max_step);
    QVERIFY(gui.training.has_value() && gui.training->episodes == 3 && gui.training->seed == 1);

    // Back to DiffOP, the form offers its iterations again.
    panel->controller()->setCurrentIndex(0);
    QCOMPARE(panel->iterations_label()->text(), QStringLiteral("Iterations"));
    QCOMPARE(panel->iterations()->value(), vvc::core::DiffOpTrainingOptions{}.iterations);
    QVERIFY(panel->gradient()->isEnabled());
  }

  void new_study_from_a_feeder_trains_and_its_policy_reloads_in_vvc() {
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    // Without a feeder open there is nothing to place inverters on.
    QVERIFY(w.new_study_from_feeder() == nullptr);
    QVERIFY(w.last_error().contains("OpenDSS feeder"));
    QVERIFY2(w.open_path(kIeee13), qPrintable(w.last_error()));
    QVERIFY(!w.panel()->isEnabled());  // a feeder alone has no study to train
    vvc::gui::StudyDialog* dialog = w.new_study_from_feeder();
    QVERIFY(dialog != nullptr);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    vvc::gui::DssFeederView* diagram = dialog->feeder_view();
    QTRY_VERIFY(diagram->height() > 200);

    // Three clicks on the diagram place inverters at 671 (abc), 675 (abc) and 652 (a).
    const auto& net = w.document()->dss->network();
    auto bus_index = [&](const std::string& name) {
      for (size_t b = 0; b < net.buses.size(); ++b) {
        if (net.buses[b].name == name) return static_cast<int>(b);
      }
      return -1;
    };
    for (const char* name : {"671", "675", "652"}) {
      const int bus = bus_index(name);
      QVERIFY(bus >= 0);
      QCOMPARE(diagram->bus_at(diagram->bus_position(bus)), bus);
      QTest::mouseClick(diagram, Qt::LeftButton, Qt::NoModifier, diagram->bus_position(bus).toPoint());
    }
    QTableWidget* table = dialog->inverters();
    QCOMPARE(table->rowCount(), 3);
    QCOMPARE(table->item(0, vvc::gui::StudyDialog::kBus)->text(), QStringLiteral("671"));
    QCOMPARE(qobject_cast<QLineEdit*>(table->cellWidget(0, vvc::gui::StudyDialog::kPhases))->text(),
             QStringLiteral("abc"));
    QCOMPARE(qobject_cast<QLineEdit*>(table->cellWidget(2, vvc::gui::StudyDialog::kPhases))->text(),
             QStringLiteral("a"));
    // A second click on a bus adds nothing.
    QTest::mouseClick(diagram, Qt::LeftButton, Qt::NoModifier,
                      diagram->bus_position(bus_index("671")).toPoint());
    QCOMPARE(table->rowCount(), 3);
    // 675 by its kVA rating, 200 kVA per phase.
    qobject_cast<QComboBox*>(table->cellWidget(1, vvc::gui::StudyDialog::kLimits))->setCurrentIndex(1);
    qobject_cast<QDoubleSpinBox*>(table->cellWidget(1, vvc::gui::StudyDialog::kSMax))->setValue(200.0);
    QVERIFY(!table->cellWidget(1, vvc::gui::StudyDialog::kQMin)->isEnabled());
    QVERIFY(table->cellWidget(1, vvc::gui::StudyDialog::kSMax)->isEnabled());
    QVERIFY(!table->cellWidget(0, vvc::gui::StudyDialog::kSMax)->isEnabled());

    // Scenarios from a file that scales three of the script's loads: 8 scenarios of 10 steps.
    QTemporaryDir dir;
    {
      QFile csv(dir.filePath("scenarios.csv"));
      QVERIFY(csv.open(QIODevice::WriteOnly | QIODevice::Text));
      QTextStream out(&csv);
      out << "scenario,step,element,mult\n";
      for (int k = 0; k < 8; ++k) {
        for (int t = 0; t < 10; ++t) {
          out << "s" << k << "," << t << ",Load.671," << 0.8 + 0.1 * k + 0.02 * t << "\n";
          out << "s" << k << "," << t << ",Load.675a," << 1.4 - 0.05 * k << "\n";
          out << "s" << k << "," << t << ",Load.611," << 0.5 + 0.05 * t << "\n";
        }
      }
    }
    dialog->monitored()->setCurrentIndex(dialog->monitored()->findData(QStringLiteral("inverter buses")));
    dialog->scenarios()->setCurrentIndex(dialog->scenarios()->findData(QStringLiteral("file")));
    dialog->scenario_file()->setText(dir.filePath("scenarios.csv"));
    dialog->steps()->setValue(10);
    dialog->cost_form()->setCurrentIndex(1);  // Stable-DDPG

    QDir().mkpath(kShots);
    QVERIFY(dialog->grab().save(kShots + "/new-study-dialog.png"));

    // A bad seed range is refused with a message, and nothing is written.
    const QString study_path = dir.filePath("study.json");
    dialog->training_seeds()->setText("0:99");
    QVERIFY(!dialog->save(study_path));
    QVERIFY2(dialog->last_error().contains("training_seeds"), qPrintable(dialog->last_error()));
    QVERIFY(!QFileInfo::exists(study_path));
    dialog->training_seeds()->clear();
    QSignalSpy opened(&w, &MainWindow::document_opened);
    QVERIFY2(dialog->save(study_path), qPrintable(dialog->last_error()));
    QCOMPARE(opened.count(), 1);

    // The window now holds the study: 3 + 3 + 1 inverter phases, training enabled.
    const auto& study = w.document()->study;
    QVERIFY(study && study->three_phase());
    QCOMPARE(study->num_inverters(), 7);
    QCOMPARE(study->inverters[3].s_max_mva, 0.2);
    QCOMPARE(study->steps, 10);
    QVERIFY(w.panel()->isEnabled() && w.panel()->start_button()->isEnabled());
    // The scenario file sits beside the study: written as a relative path.
    QFile written(study_path);
    QVERIFY(written.open(QIODevice::ReadOnly));
    QVERIFY(written.readAll().contains("\"path\": \"scenarios.csv\""));

    // Five iterations.
    vvc::gui::TrainingPanel* panel = w.panel();
    panel->iterations()->setValue(5);
    panel->validation_every()->setValue(5);
    panel->validation_scenarios()->setValue(2);
    panel->thread_count()->setValue(1);
    panel->references()->setChecked(false);
    QSignalSpy finished(&w, &MainWindow::job_finished);
    w.start_training();
    QVERIFY(finished.wait(300000));
    QVERIFY2(w.last_error().isEmpty(), qPrintable(w.last_error()));
    QVERIFY(w.policy() != nullptr);
    QCOMPARE(w.policy()->policy->policy.iterations_done, 5);
    w.plots()->refresh();
    QCOMPARE(w.plots()->reactive_plot()->graphCount(), 7 + 3);
    QCOMPARE(w.plots()->voltage_plot()->graph(0)->dataCount(), 11);

    // The window evaluates the policy on scenarios 0:4.
    panel->evaluation_seed_edit()->setText("0:4");
    w.evaluate_policy();
    QVERIFY(finished.wait(300000));
    QVERIFY2(w.last_error().isEmpty(), qPrintable(w.last_error()));
    vvc::gui::CopyableTable* evaluations = panel->evaluations();
    QCOMPARE(evaluations->rowCount(), 1);
    const QString gui_transient = evaluations->item(0, 2)->text();
    const QString gui_steady = evaluations->item(0, 3)->text();

    // The policy, exported, is read back by vvc eval on the saved study.
    const QString policy_path = dir.filePath("policy.json");
    QVERIFY(w.export_policy(policy_path));
    const vvc::gui::CliRun eval = vvc::gui::run_vvc({"eval", "--study", study_path, "--policy", policy_path,
                                                     "--seeds", "0:4", "--threads", "1", "--quiet"});
    QVERIFY2(eval.succeeded, qPrintable(eval.err));
    qInfo("vvc eval --policy on the dialog's study:\n%s", qPrintable(eval.out));
    // Its row gives the transient and steady costs the window's own evaluation gives on the same scenarios.
    const QStringList rows = eval.out.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(rows.size(), 2);
    const QStringList cells = rows[1].split(' ', Qt::SkipEmptyParts);
    QCOMPARE(cells.value(0), QStringLiteral("diffop-step"));
    QCOMPARE(cells.value(1), QStringLiteral("(policy.json)"));
    QCOMPARE(cells.value(2), gui_transient);
    QCOMPARE(cells.value(3), gui_steady);
    QVERIFY2(!eval.err.contains("warning"), qPrintable(eval.err));  // it fits the study it was trained on

    // vvc train reads the study unchanged.
    const vvc::gui::CliRun train =
        vvc::gui::run_vvc({"train", "--study", study_path, "--out", dir.filePath("cli-policy.json"),
                           "--iterations", "2", "--threads", "1", "--quiet"});
    QVERIFY2(train.succeeded, qPrintable(train.err));
    QVERIFY(QFileInfo::exists(dir.filePath("cli-policy.json")));
  }

  // The dialog's real day: a study whose scenarios are windows of the bundled day, written with the day profile's
  // path, stride and PV kW; the window opens it and `vvc train` trains on it for 2 iterations.
  void new_study_on_the_real_day_trains_in_vvc() {
    MainWindow w;
    QVERIFY2(w.open_path(kIeee13), qPrintable(w.last_error()));
    vvc::gui::StudyDialog* dialog = w.new_study_from_feeder();
    QVERIFY(dialog != nullptr);
    const auto& net = w.document()->dss->network();
    for (const char* name : {"671", "675"}) {
      int bus = -1;
      for (size_t b = 0; b < net.buses.size(); ++b) {
        if (net.buses[b].name == name) bus = static_cast<int>(b);
      }
      QVERIFY(dialog->add_inverter(bus) >= 0);
    }
    QVERIFY(!dialog->day_stride()->isEnabled());
    dialog->scenarios()->setCurrentIndex(dialog->scenarios()->findData(QStringLiteral("day")));
    QVERIFY(dialog->scenario_file()->isEnabled() && dialog->day_stride()->isEnabled());
    dialog->scenario_file()->setText(kSource + "/cases/stable_ddpg_day/day_profile.csv");
    dialog->day_stride()->setValue(60);
    dialog->day_pv_kw()->setValue(150.0);
    dialog->steps()->setValue(10);
    dialog->evaluation_seeds()->setText("0:4");
    dialog->training_seeds()->setText("100:120");

    QTemporaryDir dir;
    const QString study_path = dir.filePath("study.json");
    // A range past the day's 231 windows is refused, and nothing is written.
    dialog->training_seeds()->setText("100:300");
    QVERIFY(!dialog->save(study_path));
    QVERIFY2(dialog->last_error().contains("231 scenarios of day_profile.csv"),
             qPrintable(dialog->last_error()));
    QVERIFY(!QFileInfo::exists(study_path));
    dialog->training_seeds()->setText("100:120");
    QVERIFY2(dialog->save(study_path), qPrintable(dialog->last_error()));
    const auto& study = w.document()->study;
    QVERIFY(study && study->three_phase());
    QCOMPARE(QString::fromStdString(study->scenarios.type), QStringLiteral("day"));
    QCOMPARE(study->scenarios.stride, 60);
    QCOMPARE(study->scenarios.pv_kw, 150.0);

    const vvc::gui::CliRun train =
        vvc::gui::run_vvc({"train", "--study", study_path, "--out", dir.filePath("policy.json"),
                           "--iterations", "2", "--threads", "1", "--quiet"});
    QVERIFY2(train.succeeded, qPrintable(train.err));
    QVERIFY(QFileInfo::exists(dir.filePath("policy.json")));
  }
};

QTEST_MAIN(ThreePhaseGuiTest)
#include "three_phase_gui_test.moc"
