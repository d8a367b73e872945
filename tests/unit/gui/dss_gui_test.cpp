// Headless tests of vvc-gui with OpenDSS feeders (Qt Test, QT_QPA_PLATFORM=offscreen): the IEEE 13 feeder's
// diagram, hover text and bus-phase table against the three-phase solver run here directly; the IEEE 8500-node
// feeder's diagram, hover text, zoom and pan, and its 8,531-row table sorting without stalling the event loop;
// coordinates from the file beside the IEEE 123 script, the topology layout without coordinates, the training
// panel disabled, a power flow that does not converge, and a malformed script's error dialog.
// Screenshots go to <build>/gui-screenshots/.
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QMessageBox>
#include <QMimeData>
#include <QMouseEvent>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <algorithm>
#include <cmath>
#include <numbers>

#include "feeder_view.hpp"
#include "main_window.hpp"
#include "stall_watch.hpp"
#include "vvc/grid/io/opendss.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"

using vvc::gui::MainWindow;
using vvc::gui::StallWatch;

namespace {

const QString kSource = QStringLiteral(VVC_SOURCE_DIR);
const QString kIeee13 = kSource + "/cases/ieee13/IEEE13Nodeckt.dss";
const QString kIeee123 = kSource + "/cases/ieee123/IEEE123Master.dss";
const QString kIeee8500 = kSource + "/cases/ieee8500/Master.dss";
const QString kShots = QStringLiteral(VVC_BINARY_DIR) + "/gui-screenshots";

}  // namespace

class DssGuiTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
  }

  void ieee13_diagram_table_and_hover_match_the_solver() {
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY2(w.open_path(kIeee13), qPrintable(w.last_error()));
    // The diagram replaces the balanced view in the splitter: let the layout give it its space.
    QTRY_VERIFY(w.dss_feeder_view()->height() > 300);
    QVERIFY(w.document()->dss != nullptr);
    const vvc::gui::DssDocument& doc = *w.document()->dss;
    QVERIFY(doc.flow.converged());
    QCOMPARE(doc.coordinates_source, std::string("script"));

    // The solver, run here on its own, is the reference for every number shown.
    const vvc::grid::OpenDssCase ref_case = vvc::grid::read_opendss(kIeee13.toStdString());
    const vvc::grid::MultiphaseNetwork& net = ref_case.network;
    vvc::grid::ThreePhaseWorkspace workspace(net);
    const vvc::grid::ThreePhaseResult& ref = vvc::grid::solve(net, {}, workspace);
    QVERIFY(ref.converged());

    // Diagram: every bus, inside the view, each at its own place and found again by the hover lookup.
    const vvc::gui::DssFeederView* view = w.dss_feeder_view();
    QVERIFY(view->isVisible());
    QVERIFY(!w.feeder_view()->isVisible());
    QCOMPARE(view->bus_count(), static_cast<int>(net.buses.size()));
    QVERIFY(net.buses.size() >= 16);  // 650 ... 692, rg60, sourcebus
    for (int i = 0; i < view->bus_count(); ++i) {
      QVERIFY(view->rect().contains(view->bus_position(i).toPoint()));
      QCOMPARE(view->bus_at(view->bus_position(i)), i);
    }

    // Table: one row per bus and phase, equal to the solver's values at the shown precision.
    vvc::gui::CopyableTable* table = w.dss_results()->phases();
    int phases = 0;
    for (const auto& bus : net.buses) phases += static_cast<int>(bus.nodes.size());
    QCOMPARE(table->rowCount(), phases);
    table->sortItems(2, Qt::AscendingOrder);
    for (int r = 1; r < table->rowCount(); ++r) {
      QVERIFY(table->item(r - 1, 2)->text().toDouble() <= table->item(r, 2)->text().toDouble());
    }
    int checked = 0;
    for (int r = 0; r < table->rowCount(); ++r) {
      const int b = net.find_bus(table->item(r, 0)->text().toStdString());
      QVERIFY(b >= 0);
      const auto& bus = net.buses[static_cast<size_t>(b)];
      const int number = table->item(r, 1)->text().at(0).toLatin1() - 'a' + 1;
      const int node = bus.node_of(number);
      QVERIFY(node >= 0);
      const double volts = std::abs(ref.v[node]);
      const double base = vvc::grid::node_base_volts(net, node);
      QCOMPARE(table->item(r, 2)->text(), QString::number(volts / base, 'f', 6));
      QCOMPARE(table->item(r, 3)->text(),
               QString::number(std::arg(ref.v[node]) * 180.0 / std::numbers::pi, 'f', 4));
      QCOMPARE(table->item(r, 4)->text(), QString::number(volts, 'f', 3));
      ++checked;
    }
    QCOMPARE(checked, phases);
    vvc::gui::CopyableTable* summary = w.dss_results()->summary();
    QCOMPARE(summary->item(0, 1)->text(), QStringLiteral("converged"));
    QCOMPARE(summary->item(6, 0)->text(), QStringLiteral("losses kW"));
    QCOMPARE(summary->item(6, 1)->text(), QString::number(ref.losses.real() / 1e3, 'f', 3));
    QCOMPARE(w.dss_results()->regulators()->rowCount(), static_cast<int>(ref.regulators.size()));
    QCOMPARE(w.dss_results()->regulators()->rowCount(), 3);

    // Copy: headers first, tab separated.
    table->clearSelection();
    table->setRangeSelected(QTableWidgetSelectionRange(0, 0, 1, 4), true);
    table->copy_selection();
    const QStringList lines = QApplication::clipboard()->text().split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines.front(), QStringLiteral("bus\tphase\tvm_pu\tva_deg\tvm_volts"));

    // Hover: bus 671 has three phases and a load; bus 611 only phase c.
    const int b671 = net.find_bus("671");
    QVERIFY(b671 >= 0);
    const QString tip = view->bus_tooltip(view->bus_at(view->bus_position(b671)));
    QVERIFY2(tip.contains("bus 671"), qPrintable(tip));
    for (const char* phase : {"phase a:", "phase b:", "phase c:"})
      QVERIFY2(tip.contains(phase), qPrintable(tip));
    const int node_a = net.buses[static_cast<size_t>(b671)].node_of(1);
    QVERIFY(tip.contains(
        QString::number(std::abs(ref.v[node_a]) / vvc::grid::node_base_volts(net, node_a), 'f', 4)));
    QVERIFY2(tip.contains("load 671"), qPrintable(tip));
    const QString tip611 = view->bus_tooltip(net.find_bus("611"));
    QVERIFY(tip611.contains("phase c:"));
    QVERIFY(!tip611.contains("phase a:"));
    QVERIFY(!tip611.contains("phase b:"));

    // Phase selector: each bus takes the colour of the phase |V| chosen, computed here from the solver's
    // result; a bus without that phase is grey. The lowest and highest phase differ somewhere on this
    // unbalanced feeder, which the worst phase alone would hide.
    vvc::gui::DssFeederView* diagram = w.dss_feeder_view();
    QCOMPARE(diagram->phase_selector()->count(), 6);
    QVERIFY(diagram->phase_selector()->isVisible());
    using vvc::gui::PhaseView;
    auto ref_vm = [&](int b, int number) {
      const int node = net.buses[static_cast<size_t>(b)].node_of(number);
      return node < 0 ? std::nan("") : std::abs(ref.v[node]) / vvc::grid::node_base_volts(net, node);
    };
    int differing = 0;
    int grey_c = 0;
    for (PhaseView v : {PhaseView::kLowest, PhaseView::kHighest, PhaseView::kWorst, PhaseView::kA,
                        PhaseView::kB, PhaseView::kC}) {
      diagram->phase_selector()->setCurrentIndex(diagram->phase_selector()->findData(static_cast<int>(v)));
      QCOMPARE(diagram->phase_view(), v);
      for (int b = 0; b < diagram->bus_count(); ++b) {
        double lo = std::nan(""), hi = std::nan(""), worst = std::nan("");
        for (int number : net.buses[static_cast<size_t>(b)].node_numbers) {
          const double vm = ref_vm(b, number);
          if (!std::isfinite(vm)) continue;
          if (!(vm >= lo)) lo = vm;
          if (!(vm <= hi)) hi = vm;
          if (!(std::abs(vm - 1.0) <= std::abs(worst - 1.0))) worst = vm;
        }
        const double expected = v == PhaseView::kLowest    ? lo
                                : v == PhaseView::kHighest ? hi
                                : v == PhaseView::kWorst   ? worst
                                : v == PhaseView::kA       ? ref_vm(b, 1)
                                : v == PhaseView::kB       ? ref_vm(b, 2)
                                                           : ref_vm(b, 3);
        const QColor colour =
            std::isfinite(expected) ? vvc::gui::voltage_colour(expected, 0.95, 1.05) : QColor(200, 200, 200);
        QCOMPARE(diagram->bus_colour(b), colour);
        if (v == PhaseView::kLowest && vvc::gui::voltage_colour(hi, 0.95, 1.05) != colour) ++differing;
        if (v == PhaseView::kC && !std::isfinite(expected)) ++grey_c;
      }
    }
    QVERIFY(differing > 0);
    QVERIFY(grey_c > 0);  // 652 has phase a only
    diagram->set_phase_view(PhaseView::kLowest);
    QDir().mkpath(kShots);
    QVERIFY(w.grab().save(kShots + "/dss-ieee13-lowest-phase.png"));
    diagram->set_phase_view(PhaseView::kWorst);

    // Training is for studies: the panel is disabled and says why.
    QVERIFY(!w.panel()->isEnabled());
    QVERIFY(w.panel()->toolTip().contains("study"));
    QDir().mkpath(kShots);
    QVERIFY(w.grab().save(kShots + "/dss-ieee13.png"));

    // Back to a study: the balanced views and the panel return.
    QVERIFY(w.open_path(kSource + "/cases/ieee13_tasrl"));
    QVERIFY(w.feeder_view()->isVisible());
    QVERIFY(!view->isVisible());
    QVERIFY(w.panel()->isEnabled());
  }

  void ieee8500_opens_and_stays_responsive() {
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY2(w.open_path(kIeee8500), qPrintable(w.last_error()));
    QTRY_VERIFY(w.dss_feeder_view()->height() > 300);
    const vvc::gui::DssDocument& doc = *w.document()->dss;
    QVERIFY(doc.flow.converged());
    QCOMPARE(doc.coordinates_source, std::string("script"));

    // The solver, run here on its own, is the reference for every number shown.
    const vvc::grid::OpenDssCase ref_case = vvc::grid::read_opendss(kIeee8500.toStdString());
    const vvc::grid::MultiphaseNetwork& net = ref_case.network;
    vvc::grid::ThreePhaseWorkspace workspace(net);
    const vvc::grid::ThreePhaseResult& ref = vvc::grid::solve(net, {}, workspace);
    QVERIFY(ref.converged());

    // Every bus on the diagram, every node in the bus-phase table (OpenDSS's 8,531), the controls' tables.
    vvc::gui::DssFeederView* view = w.dss_feeder_view();
    QCOMPARE(view->bus_count(), static_cast<int>(net.buses.size()));
    vvc::gui::CopyableTable* table = w.dss_results()->phases();
    QCOMPARE(table->rowCount(), 8531);
    QCOMPARE(w.dss_results()->regulators()->rowCount(), 12);
    QCOMPARE(w.dss_results()->capacitors()->rowCount(), 10);
    for (int i = 0; i < view->bus_count(); ++i)
      QVERIFY(view->rect().contains(view->bus_position(i).toPoint()));

    // Hover at a 120/240 V secondary: zoomed in until it stands alone, the lookup finds it and the text
    // shows both halves of the split phase and its load, at the solver's values.
    const int bus = net.find_bus("sx3048196b");
    QVERIFY(bus >= 0);
    view->zoom_at(view->bus_position(bus), 400.0);
    QCOMPARE(view->bus_at(view->bus_position(bus)), bus);
    QVERIFY(view->rect().contains(view->bus_position(bus).toPoint()));
    const QString tip = view->bus_tooltip(view->bus_at(view->bus_position(bus)));
    QVERIFY2(tip.contains("bus sx3048196b") && tip.contains("phase a:") && tip.contains("phase b:"),
             qPrintable(tip));
    QVERIFY2(tip.contains("load 138237b0"), qPrintable(tip));
    const int node_b = net.buses[static_cast<size_t>(bus)].node_of(2);
    QVERIFY(tip.contains(
        QString::number(std::abs(ref.v[node_b]) / vvc::grid::node_base_volts(net, node_b), 'f', 4)));
    QVERIFY(w.grab().save(kShots + "/dss-ieee8500-zoomed.png"));

    // Zoom keeps the point under the cursor in place, dragging pans, a double click shows everything again.
    const QPointF anchor = view->bus_position(bus);
    view->zoom_at(anchor, 0.5);
    QVERIFY(std::abs(view->bus_position(bus).x() - anchor.x()) < 1e-6);
    const QPointF before = view->bus_position(bus);
    QTest::mousePress(view, Qt::LeftButton, {}, QPoint(300, 200));
    QMouseEvent move(QEvent::MouseMove, QPointF(340, 230), view->mapToGlobal(QPointF(340, 230)),
                     Qt::LeftButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view, &move);
    QTest::mouseRelease(view, Qt::LeftButton, {}, QPoint(340, 230));
    QVERIFY(std::abs(view->bus_position(bus).x() - before.x() - 40.0) < 1e-6);
    QVERIFY(std::abs(view->bus_position(bus).y() - before.y() - 30.0) < 1e-6);
    QTest::mouseDClick(view, Qt::LeftButton, {}, QPoint(300, 200));
    QCOMPARE(view->zoom(), 1.0);
    QElapsedTimer paint;
    paint.start();
    view->repaint();
    qInfo("repainting the whole 8500-node feeder: %lld ms", paint.elapsed());

    // Sorting the 8,531 rows by each column, by clicking its header as a user does, never blocks the event
    // loop for 50 ms: a 10 ms timer on the GUI thread records its largest gap.
    QHeaderView* header = table->horizontalHeader();
    StallWatch stalls;
    stalls.start();
    for (int column : {2, 0, 3, 4, 1, 2}) {
      const QPoint at(header->sectionViewportPosition(column) + header->sectionSize(column) / 2,
                      header->height() / 2);
      QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, at);
      QCOMPARE(header->sortIndicatorSection(), column);
      QTest::qWait(40);
      // The check of the order is not part of what a user waits for: the watch pauses for it.
      stalls.pause();
      if (column >= 2) {
        const bool ascending = header->sortIndicatorOrder() == Qt::AscendingOrder;
        for (int r = 1; r < table->rowCount(); ++r) {
          const double previous = table->item(r - 1, column)->text().toDouble();
          const double next = table->item(r, column)->text().toDouble();
          QVERIFY(ascending ? previous <= next : previous >= next);
        }
      }
      stalls.resume();
    }
    stalls.stop();
    qInfo("while sorting: GUI thread CPU time between 10 ms ticks at most %.1f ms, largest gap %lld ms",
          stalls.worst_cpu_ms(), stalls.worst_gap_ms());
    QVERIFY2(
        stalls.worst_cpu_ms() < 50,
        qPrintable(QString("the table blocked the event loop for %1 ms of CPU").arg(stalls.worst_cpu_ms())));
    QVERIFY(w.grab().save(kShots + "/dss-ieee8500.png"));
  }

  void ieee123_takes_coordinates_from_the_file_beside_the_script() {
    MainWindow w;
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY2(w.open_path(kIeee123), qPrintable(w.last_error()));
    QTRY_VERIFY(w.dss_feeder_view()->height() > 300);
    const vvc::gui::DssDocument& doc = *w.document()->dss;
    QCOMPARE(doc.coordinates_source, std::string("BusCoords.dat"));
    const auto& net = doc.network();
    const int b13 = net.find_bus("13");
    QVERIFY(b13 >= 0);
    QVERIFY(net.buses[static_cast<size_t>(b13)].xy.has_value());
    const vvc::gui::DssFeederView* view = w.dss_feeder_view();
    QCOMPARE(view->bus_count(), static_cast<int>(net.buses.size()));
    for (int i = 0; i < view->bus_count(); ++i)
      QVERIFY(view->rect().contains(view->bus_position(i).toPoint()));
    QVERIFY(w.dss_results()->regulators()->rowCount() > 0);
    QVERIFY(w.grab().save(kShots + "/dss-ieee123.png"));
  }

  void without_coordinates_the_feeder_is_laid_out_from_its_topology() {
    // The IEEE 13 script without its BusCoords line, in a folder without a coordinates file.
    QTemporaryDir dir;
    QFile in(kSource + "/cases/ieee13/IEEE13Nodeckt.dss");
    QVERIFY(in.open(QIODevice::ReadOnly));
    QString text = QString::fromUtf8(in.readAll());
    QVERIFY(text.contains("BusCoords IEEE13Node_BusXY.csv"));
    text.replace("BusCoords IEEE13Node_BusXY.csv", "");
    QFile out(dir.filePath("ieee13_no_coords.dss"));
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(text.toUtf8());
    out.close();
    QVERIFY(QFile::copy(kSource + "/cases/ieee13/IEEELineCodes.DSS", dir.filePath("IEEELineCodes.DSS")));

    MainWindow w;
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    // Dropped on the window, as a user would.
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(out.fileName())});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &drop);
    QVERIFY2(w.document().has_value() && w.document()->dss, qPrintable(w.last_error()));
    QTRY_VERIFY(w.dss_feeder_view()->height() > 300);
    const vvc::gui::DssDocument& doc = *w.document()->dss;
    QVERIFY(doc.coordinates_source.empty());
    const auto& net = doc.network();
    QVERIFY(std::none_of(net.buses.begin(), net.buses.end(), [](const auto& b) { return b.xy.has_value(); }));
    const vvc::gui::DssFeederView* view = w.dss_feeder_view();
    QCOMPARE(view->bus_count(), static_cast<int>(net.buses.size()));
    QCOMPARE(doc.source_buses.size(), size_t{1});
    const int source = doc.source_buses.front();
    QCOMPARE(QString::fromStdString(net.buses[static_cast<size_t>(source)].name),
             QStringLiteral("sourcebus"));
    for (int i = 0; i < view->bus_count(); ++i) {
      QVERIFY(view->rect().contains(view->bus_position(i).toPoint()));
      QCOMPARE(view->bus_at(view->bus_position(i)), i);
      // The source is the root of the tree, at the left edge.
      if (i != source) QVERIFY(view->bus_position(source).x() < view->bus_position(i).x());
    }
    // The tree has one edge per bus but the source (the 13-bus feeder is radial once the parallel
    // regulators share their edge).
    QCOMPARE(doc.edges.size(), net.buses.size() - 1);
    QCOMPARE(
        std::count_if(doc.edges.begin(), doc.edges.end(),
                      [](const vvc::gui::DssEdge& e) { return e.kind == vvc::gui::DssEdgeKind::kRegulator; }),
        1);
    QVERIFY(w.grab().save(kShots + "/dss-ieee13-topology.png"));
  }

  void a_power_flow_that_does_not_converge_is_a_status() {
    MainWindow w;
    w.show();
    QVERIFY2(w.open_path(kSource + "/tests/data/opendss_gui/overload_not_converged.dss"),
             qPrintable(w.last_error()));
    const vvc::gui::DssDocument& doc = *w.document()->dss;
    QVERIFY(!doc.flow.converged());
    const QString status = QString::fromUtf8(vvc::grid::to_string(doc.flow.status).data());
    QCOMPARE(w.dss_results()->summary()->item(0, 1)->text(), status);
    QCOMPARE(w.dss_results()->phases()->rowCount(), 6);
    QVERIFY(w.findChild<QMessageBox*>() == nullptr);
    QVERIFY(w.last_error().isEmpty());
  }

  void malformed_script_gives_a_dialog_with_file_and_line() {
    MainWindow w;
    w.show();
    const QString bad = kSource + "/tests/data/opendss_bad/bad_number.dss";
    QVERIFY(!w.open_path(bad));
    QVERIFY2(QRegularExpression("bad_number\\.dss:3: ").match(w.last_error()).hasMatch(),
             qPrintable(w.last_error()));
    QVERIFY(!w.document().has_value());
    auto* box = w.findChild<QMessageBox*>();
    QVERIFY(box != nullptr);
    QVERIFY(box->text().contains("bad_number.dss:3"));
    box->close();
    // A script that Redirects to a missing file names the file and line of the Redirect.
    QVERIFY(!w.open_path(kSource + "/tests/data/opendss_bad/missing_file.dss"));
    QVERIFY2(QRegularExpression("missing_file\\.dss:\\d+: ").match(w.last_error()).hasMatch(),
             qPrintable(w.last_error()));
    // The application carries on: a good feeder opens after the bad ones.
    QVERIFY(w.open_path(kIeee13));
    QVERIFY(w.document()->dss->flow.converged());
  }
};

QTEST_MAIN(DssGuiTest)
#include "dss_gui_test.moc"
