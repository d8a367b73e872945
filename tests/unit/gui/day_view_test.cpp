// Headless tests of the Day tab (QT_QPA_PLATFORM=offscreen): a shortened day replayed on a three-phase study
// shows in its table the core's numbers (core::experiment::replay_day run here directly) and in its plots one
// point per step; the policy trained in the window replays as `vvc eval --day --policy` replays it exported
// (its table row, and every step of its --csv), and so do Stable-DDPG networks loaded from a file; the script's daily load shapes replay as make_loadshape_day's
// day; the whole day replays on the view's own thread without stalling the event loop; a balanced
// study and a bad day file end in a message, not a crash. The screenshot goes to <build>/gui-screenshots/.
#include <qcustomplot.h>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QProgressBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>

#include "main_window.hpp"
#include "results_table.hpp"
#include "run_vvc.hpp"
#include "stall_watch.hpp"

using vvc::gui::DayView;
using vvc::gui::MainWindow;
using vvc::gui::StallWatch;

namespace {

const QString kSource = QStringLiteral(VVC_SOURCE_DIR);
const QString kShots = QStringLiteral(VVC_BINARY_DIR) + "/gui-screenshots";

double cell(const vvc::gui::CopyableTable* table, int row, int column) {
  const auto* item = dynamic_cast<const vvc::gui::NumberItem*>(table->item(row, column));
  return item == nullptr ? -1.0 : item->value();
}

}  // namespace

class DayViewTest : public QObject {
  Q_OBJECT

  /// Sets the controllers, the steps and the stride, and replays (the window's policy too when checked); the
  /// test fails on an error or after 2 minutes.
  void replay(DayView& day, const QString& controllers, int steps, int stride) {
    day.controllers()->setText(controllers);
    day.steps()->setValue(steps);
    day.stride()->setValue(stride);
    QSignalSpy finished(&day, &DayView::finished);
    QVERIFY(day.start());
    QVERIFY(finished.wait(120000));
    QVERIFY2(day.last_error().isEmpty(), qPrintable(day.last_error()));
  }

  /// `vvc eval --day` on the view's day, 48 steps of 300 s, Volt-VAR and the policy file (--csv to csv_path):
  /// its table (controller, steps, out of band, node-phase violations, worst pu, kvar-h, loss kWh, cost and
  /// failures) as printed is the view's columns 0-8 at the same precision.
  void compare_with_vvc_eval(const QString& study_path, const DayView& day, const QString& policy_path,
                             const QString& csv_path) {
    const vvc::gui::CliRun eval = vvc::gui::run_vvc(
        {"eval", "--study", study_path, "--day", day.day_file()->text(), "--controller", "voltvar",
         "--policy", policy_path, "--steps", "48", "--stride", "300", "--quiet", "--csv", csv_path});
    QVERIFY2(eval.succeeded, qPrintable(eval.err));
    qInfo("vvc eval --day --policy:\n%s", qPrintable(eval.out));
    const QStringList rows = eval.out.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(rows.size(), 3);
    QCOMPARE(day.table()->rowCount(), 2);
    for (int r = 0; r < 2; ++r) {
      // A file's row name holds a blank ("diffop-step (policy.json)"): the ten numbers are the last cells.
      const QStringList cells = rows[r + 1].split(' ', Qt::SkipEmptyParts);
      const QStringList numbers = cells.mid(cells.size() - 10);
      for (int c = 1; c < 9; ++c) QCOMPARE(day.table()->item(r, c)->text(), numbers.value(c - 1));
    }
  }

 private slots:
  void shortened_day_shows_the_cores_numbers() {
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    QVERIFY(w.open_path(kSource + "/cases/ieee13_3p"));
    DayView* day = w.day_view();
    QVERIFY(day->day_file()->text().endsWith("stable_ddpg_day/day_profile.csv"));
    replay(*day, "zero, voltvar,linear", 120, 60);
    if (QTest::currentTestFailed()) return;

    vvc::core::experiment::DayRequest request;
    request.controllers = {"zero", "voltvar", "linear"};
    request.day.steps = 120;
    request.day.stride = 60;
    const vvc::core::DayProfile profile = vvc::core::read_day_profile(day->day_file()->text().toStdString());
    const auto expected = vvc::core::experiment::replay_day(*w.document()->study, profile, request);
    const vvc::gui::CopyableTable* table = day->table();
    QCOMPARE(table->rowCount(), 3);
    for (int r = 0; r < 3; ++r) {
      const vvc::core::DaySummary& s = expected.replays[static_cast<size_t>(r)].summary;
      QCOMPARE(table->item(r, 0)->text(), QString::fromStdString(s.controller));
      QCOMPARE(cell(table, r, 1), 120.0);
      QCOMPARE(cell(table, r, 2), static_cast<double>(s.steps_out_of_band));
      QCOMPARE(cell(table, r, 3), static_cast<double>(s.node_phase_violations));
      QCOMPARE(cell(table, r, 4), s.worst_violation);
      QCOMPARE(cell(table, r, 5), s.kvar_hours);
      QCOMPARE(cell(table, r, 6), s.losses_kwh);
      QCOMPARE(cell(table, r, 7), s.cost);
      QCOMPARE(cell(table, r, 8), 0.0);
    }
    QVERIFY(expected.replays[1].summary.kvar_hours > 0.0);  // Volt-VAR acts over the day
    QCOMPARE(day->voltage_plot()->graphCount(), 6);         // highest and lowest per controller
    for (int g = 0; g < 6; ++g) QCOMPARE(day->voltage_plot()->graph(g)->dataCount(), 120);
    QCOMPARE(day->reactive_plot()->graphCount(), 3);
    QCOMPARE(day->violation_plot()->graphCount(), 3);
    QCOMPARE(day->progress()->value(), day->progress()->maximum());
  }

  // The whole day on IEEE 123 on the view's thread: a 10 ms timer on the GUI thread records its largest gap.
  void whole_day_replays_without_stalling_the_ui() {
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.open_path(kSource + "/cases/ieee123_3p"));
    w.show_tab(MainWindow::kDayTab);
    DayView* day = w.day_view();
    QSignalSpy finished(day, &DayView::finished);
    StallWatch stalls;
    QVERIFY(day->start());
    stalls.start();
    QVERIFY(finished.wait(300000));
    QTest::qWait(300);  // the plots' queued redraws of the result count too
    stalls.stop();
    qInfo(
        "while replaying the day: GUI thread CPU time between 10 ms ticks at most %.1f ms, largest gap %lld "
        "ms",
        stalls.worst_cpu_ms(), stalls.worst_gap_ms());
    QVERIFY2(stalls.worst_cpu_ms() < 50,
             qPrintable(QString("the GUI thread worked %1 ms between two ticks").arg(stalls.worst_cpu_ms())));
    QVERIFY2(day->last_error().isEmpty(), qPrintable(day->last_error()));
    QCOMPARE(day->table()->rowCount(), 2);
    QCOMPARE(cell(day->table(), 0, 1), 14421.0);
    QDir().mkpath(kShots);
    QVERIFY(w.grab().save(kShots + "/day-ieee123_3p.png"));
  }

  // Stop at the first progress report: the replay ends after the step under way and the table holds the steps
  // replayed so far.
  void stop_ends_the_replay_with_the_steps_so_far() {
    MainWindow w;
    QVERIFY(w.open_path(kSource + "/cases/ieee123_3p"));
    DayView* day = w.day_view();
    QObject::connect(day->progress(), &QProgressBar::valueChanged, day, [day](int value) {
      if (value > 0) day->stop();
    });
    QSignalSpy finished(day, &DayView::finished);
    QVERIFY(day->start());
    QVERIFY(finished.wait(300000));
    QVERIFY(day->result() != nullptr);
    QVERIFY(day->result()->stopped);
    // Normally the first controller, partial (the second if the GUI thread saw no event for its whole day).
    const int rows = day->table()->rowCount();
    QVERIFY(rows == 1 || rows == 2);
    const double steps = cell(day->table(), rows - 1, 1);
    QVERIFY2(steps >= 256 && steps < 14421, qPrintable(QString::number(steps)));
    QCOMPARE(day->voltage_plot()->graph(2 * (rows - 1))->dataCount(), static_cast<int>(steps));
  }

  // Two training iterations in the window, then a shortened day under Volt-VAR and the window's policy; the
  // policy, exported, replayed by vvc eval on the same day gives the same row and the same steps.
  void window_policy_replays_as_vvc_eval_does() {
    MainWindow w;
    const QString study_path = kSource + "/cases/ieee13_3p";
    QVERIFY(w.open_path(study_path));
    DayView* day = w.day_view();
    QVERIFY(!day->replay_policy()->isEnabled());
    vvc::gui::TrainingPanel* panel = w.panel();
    panel->iterations()->setValue(2);
    panel->validation_every()->setValue(2);
    panel->validation_scenarios()->setValue(2);
    panel->thread_count()->setValue(1);
    panel->references()->setChecked(false);
    QSignalSpy trained(&w, &MainWindow::job_finished);
    w.start_training();
    QVERIFY(trained.wait(600000));
    QVERIFY2(w.last_error().isEmpty(), qPrintable(w.last_error()));
    QVERIFY(w.policy() != nullptr);
    QVERIFY(day->replay_policy()->isEnabled() && day->replay_policy()->isChecked());

    replay(*day, "voltvar", 48, 300);
    if (QTest::currentTestFailed()) return;
    const vvc::gui::CopyableTable* table = day->table();
    QCOMPARE(table->rowCount(), 2);
    QCOMPARE(table->item(0, 0)->text(), QStringLiteral("voltvar"));
    QCOMPARE(table->item(1, 0)->text(), QStringLiteral("diffop-step (the policy trained here)"));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString policy_path = dir.filePath("policy.json");
    const QString csv_path = dir.filePath("day.csv");
    QVERIFY(w.export_policy(policy_path));
    compare_with_vvc_eval(study_path, *day, policy_path, csv_path);
    if (QTest::currentTestFailed()) return;

    // Every step of the policy's replay, to the 17 digits of the CSV.
    const vvc::core::DayReplay& gui = day->result()->replays[1];
    QFile csv(csv_path);
    QVERIFY(csv.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.value(0), QStringLiteral("controller,step,time_s,vmin_pu,vmax_pu,out_of_band,violations,"
                                            "q_total_kvar,q_abs_kvar,losses_kw,cost"));
    int compared = 0;
    for (const QString& line : lines.mid(1)) {
      const QStringList f = line.split(',');
      if (f.value(0) != QStringLiteral("diffop-step (policy.json)")) continue;
      const int t = f.value(1).toInt() - 1;
      QVERIFY(t >= 0 && t < gui.summary.steps);
      QCOMPARE(f.value(2).toDouble(), gui.time_s[t]);
      QCOMPARE(f.value(3).toDouble(), gui.vmin[t]);
      QCOMPARE(f.value(4).toDouble(), gui.vmax[t]);
      QCOMPARE(f.value(6).toInt(), gui.violations[t]);
      QCOMPARE(f.value(7).toDouble(), gui.q_total_kvar[t]);
      QCOMPARE(f.value(8).toDouble(), gui.q_abs_kvar[t]);
      QCOMPARE(f.value(9).toDouble(), gui.losses_kw[t]);
      QCOMPARE(f.value(10).toDouble(), gui.cost[t]);
      ++compared;
    }
    QCOMPARE(compared, 48);
    QVERIFY(gui.summary.kvar_hours > 0.0);  // the policy acts

    // Unchecked, the policy is left out.
    day->replay_policy()->setChecked(false);
    replay(*day, "voltvar", 48, 300);
    if (QTest::currentTestFailed()) return;
    QCOMPARE(day->table()->rowCount(), 1);
  }

  // Stable-DDPG networks loaded from a baseline file (here imported from checkpoints by
  // scripts/import-stable-ddpg) replay in the day as `vvc eval --day --policy FILE` replays them.
  void loaded_networks_replay_as_vvc_eval_does() {
    MainWindow w;
    const QString study_path = kSource + "/cases/ieee13_3p";
    const QString networks = kSource + "/tests/data/baselines/stable_ddpg_ieee13_3p_imported.json";
    QVERIFY(w.open_path(study_path));
    QVERIFY(w.load_policy(networks));
    // The file records no training conditions: the status line warns, naming the file once.
    const QString status = w.statusBar()->currentMessage();
    QVERIFY2(status.contains(QStringLiteral(". Warning: the networks record neither the network")),
             qPrintable(status));
    QCOMPARE(status.count(networks), 1);
    DayView* day = w.day_view();
    QVERIFY(day->replay_policy()->isEnabled() && day->replay_policy()->isChecked());
    QVERIFY(day->replay_policy()->text().contains(QStringLiteral("stable_ddpg_ieee13_3p_imported.json")));
    replay(*day, "voltvar", 48, 300);
    if (QTest::currentTestFailed()) return;
    QCOMPARE(day->table()->item(1, 0)->text(),
             QStringLiteral("stable-ddpg (stable_ddpg_ieee13_3p_imported.json)"));
    QVERIFY(day->result()->replays[1].summary.kvar_hours > 0.0);  // the networks act
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    compare_with_vvc_eval(study_path, *day, networks, dir.filePath("day.csv"));
  }

  // The operator's script's own daily load shapes (24 hourly points) as the day: make_loadshape_day's day.
  void daily_shapes_replay_as_the_core_replays_them() {
    MainWindow w;
    QVERIFY(w.open_path(kSource + "/cases/ieee13/examples/study_daily.json"));
    DayView* day = w.day_view();
    day->source()->setCurrentIndex(DayView::kDailyShapes);
    QVERIFY(!day->day_file()->isEnabled());
    day->controllers()->setText("zero,voltvar");
    QSignalSpy finished(day, &DayView::finished);
    QVERIFY(day->start());
    QVERIFY(finished.wait(120000));
    QVERIFY2(day->last_error().isEmpty(), qPrintable(day->last_error()));

    vvc::core::experiment::DayRequest request;
    request.controllers = {"zero", "voltvar"};
    const vvc::core::Study& study = *w.document()->study;
    const auto expected =
        vvc::core::experiment::replay_day(study, vvc::core::make_loadshape_day(study, request.day), request);
    QCOMPARE(day->table()->rowCount(), 2);
    for (int r = 0; r < 2; ++r) {
      const vvc::core::DaySummary& s = expected.replays[static_cast<size_t>(r)].summary;
      QCOMPARE(cell(day->table(), r, 1), 24.0);
      QCOMPARE(cell(day->table(), r, 3), static_cast<double>(s.node_phase_violations));
      QCOMPARE(cell(day->table(), r, 5), s.kvar_hours);
      QCOMPARE(cell(day->table(), r, 6), s.losses_kwh);
      QCOMPARE(cell(day->table(), r, 7), s.cost);
    }

    // On a script without daily shapes, the message make_loadshape_day gives.
    QVERIFY(w.open_path(kSource + "/cases/ieee13_3p"));
    day->source()->setCurrentIndex(DayView::kDailyShapes);
    QVERIFY(day->start());
    QVERIFY(finished.wait(120000));
    QVERIFY2(day->last_error().contains("need elements with a daily LoadShape"),
             qPrintable(day->last_error()));
  }

  void balanced_study_and_bad_day_file_give_messages() {
    MainWindow w;
    QVERIFY(w.open_path(kSource + "/cases/ieee13_tasrl"));
    DayView* day = w.day_view();
    QVERIFY(!day->start());
    QVERIFY(day->last_error().contains("three-phase"));
    QVERIFY(w.open_path(kSource + "/cases/ieee13_3p"));
    const QString bad = kSource + "/tests/data/bad_days/non_numeric.csv";
    day->day_file()->setText(bad);
    QSignalSpy finished(day, &DayView::finished);
    QVERIFY(day->start());
    QVERIFY(finished.wait(60000));
    QVERIFY2(day->last_error().startsWith(bad + ":3: column load_q"), qPrintable(day->last_error()));
  }
};

QTEST_MAIN(DayViewTest)
#include "day_view_test.moc"
