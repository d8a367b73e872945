// vvc-gui [CASE_OR_STUDY_OR_RESULTS]
// vvc-gui --screenshot FILE.png [--train-iterations K] [--view feeder|training|comparison|day]
//         [--phase worst|lowest|highest|a|b|c] [--new-study BUSES] PATH
#include <QApplication>
#include <QBuffer>
#include <QCommandLineParser>
#include <QEventLoop>
#include <QFileInfo>
#include <QTimer>
#include <algorithm>
#include <cstdio>

#include "main_window.hpp"
#include "vvc/common/errors.hpp"

namespace {

bool platform_chosen() {
  return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
         !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication::setOrganizationName("vvc");
  QCoreApplication::setApplicationName("vvc-gui");
  QCoreApplication::setApplicationVersion("0.1.0");

  QCommandLineParser parser;
  parser.setApplicationDescription(
      "The vvc desktop application: open a feeder case or a study, look at its voltages, train a DiffOP "
      "policy while watching the voltages settle, export the policy, and compare the learning curves of a "
      "results folder of 'vvc bench table'.");
  const QCommandLineOption help = parser.addHelpOption();
  const QCommandLineOption version = parser.addVersionOption();
  parser.addPositionalArgument(
      "CASE_OR_STUDY_OR_RESULTS",
      "a vvc JSON case, a MATPOWER .m file, an OpenDSS .dss script, a study (file or "
      "folder), or a results folder of 'vvc bench table' (table.csv and curves/)");
  const QCommandLineOption screenshot(
      "screenshot", "render the main window to FILE.png and exit (needs no display)", "FILE.png");
  const QCommandLineOption iterations("train-iterations", "with --screenshot: train K iterations first", "K",
                                      "0");
  const QCommandLineOption view("view",
                                "with --screenshot: the tab shown, feeder, training, comparison or day (a "
                                "three-phase study's day replayed; default: training after training, "
                                "comparison for a results folder, else feeder)",
                                "TAB");
  const QCommandLineOption size("size", "with --screenshot: window size WxH (default 1400x900)", "WxH",
                                "1400x900");
  const QCommandLineOption phase(
      "phase",
      "with --screenshot of an OpenDSS feeder or a three-phase study: the phase |V| that colours the buses, "
      "worst, lowest, highest, a, b or c (default: worst)",
      "PHASE", "worst");
  const QCommandLineOption new_study("new-study",
                                     "with --screenshot of an OpenDSS feeder: render the New study dialog "
                                     "instead of the window, with inverters "
                                     "placed at these buses (comma-separated)",
                                     "BUSES");
  parser.addOptions({screenshot, iterations, view, size, phase, new_study});

  // The command line is read before the GUI application exists: help, version and argument errors need no
  // display, and screenshots render off screen when there is none.
  QStringList arguments;
  for (int i = 0; i < argc; ++i) arguments << QString::fromLocal8Bit(argv[i]);
  if (!parser.parse(arguments)) {
    std::fprintf(stderr, "vvc-gui: %s (see vvc-gui --help)\n", qPrintable(parser.errorText()));
    return 2;
  }
  if (parser.isSet(help)) {
    // Without an application object Qt cannot know the program's name.
    std::fputs(qPrintable(parser.helpText().replace("<executable_name>", "vvc-gui")), stdout);
    return 0;
  }
  if (parser.isSet(version)) {
    std::printf("vvc-gui %s\n", qPrintable(QCoreApplication::applicationVersion()));
    return 0;
  }
  if (!platform_chosen()) {
    if (!parser.isSet(screenshot)) {
      std::fprintf(stderr,
                   "vvc-gui: no display (DISPLAY and WAYLAND_DISPLAY are not set); run it in a desktop "
                   "session, or render a window to a file with --screenshot FILE.png\n");
      return 2;
    }
    qputenv("QT_QPA_PLATFORM", "offscreen");
  }
  QApplication app(argc, argv);

  vvc::gui::MainWindow window;
  const QStringList args = parser.positionalArguments();
  if (!parser.isSet(screenshot)) {
    window.resize(1400, 900);
    window.show();
    if (!args.isEmpty()) window.open_path(args.front());
    return QApplication::exec();
  }

  // Screenshot mode: errors go to stderr and the exit status, as in the command-line program.
  bool ok = false;
  const int k = parser.value(iterations).toInt(&ok);
  const QStringList wh = parser.value(size).split('x');
  const QStringList views{"feeder", "training", "comparison", "day"};     // in the order of MainWindow::Tab
  const QStringList phases{"worst", "lowest", "highest", "a", "b", "c"};  // in the order of PhaseView
  if (!ok || k < 0 || args.size() != 1 || wh.size() != 2 ||
      (parser.isSet(view) && !views.contains(parser.value(view))) || !phases.contains(parser.value(phase))) {
    std::fprintf(
        stderr,
        "vvc-gui: --screenshot needs one CASE_OR_STUDY_OR_RESULTS, --train-iterations K >= 0, --size "
        "WxH, --view feeder|training|comparison|day, --phase worst|lowest|highest|a|b|c\n");
    return 2;
  }
  window.resize(wh[0].toInt(), wh[1].toInt());
  window.show();
  if (!window.open_path(args.front())) {
    std::fprintf(stderr, "vvc-gui: %s\n", qPrintable(window.last_error()));
    return 2;
  }
  if (k > 0) {
    window.panel()->iterations()->setValue(k);
    window.panel()->validation_every()->setValue(std::min(k, window.panel()->validation_every()->value()));
    QEventLoop loop;
    QObject::connect(&window, &vvc::gui::MainWindow::job_finished, &loop, &QEventLoop::quit);
    window.start_training();
    if (window.running()) loop.exec();
    if (!window.last_error().isEmpty()) {
      std::fprintf(stderr, "vvc-gui: %s\n", qPrintable(window.last_error()));
      return 1;
    }
  }
  QString shown = k > 0 ? "training" : "feeder";
  if (vvc::gui::is_results_folder(args.front().toStdString())) shown = "comparison";
  if (parser.isSet(view)) shown = parser.value(view);
  window.show_tab(static_cast<vvc::gui::MainWindow::Tab>(views.indexOf(shown)));
  if (shown == "day") {
    QEventLoop loop;
    QObject::connect(window.day_view(), &vvc::gui::DayView::finished, &loop, &QEventLoop::quit);
    if (window.day_view()->start()) loop.exec();
    if (!window.day_view()->last_error().isEmpty()) {
      std::fprintf(stderr, "vvc-gui: %s\n", qPrintable(window.day_view()->last_error()));
      return 2;
    }
  }
  window.dss_feeder_view()->set_phase_view(
      static_cast<vvc::gui::PhaseView>(phases.indexOf(parser.value(phase))));
  window.plots()->refresh();
  QWidget* shot = &window;
  if (parser.isSet(new_study)) {
    vvc::gui::StudyDialog* dialog = window.new_study_from_feeder();
    if (dialog == nullptr) {
      std::fprintf(stderr, "vvc-gui: --new-study: %s\n", qPrintable(window.last_error()));
      return 2;
    }
    const auto& buses = window.document()->dss->network().buses;
    for (const QString& name : parser.value(new_study).split(',', Qt::SkipEmptyParts)) {
      const auto at = std::find_if(buses.begin(), buses.end(), [&](const auto& bus) {
        return bus.name == name.trimmed().toLower().toStdString();
      });
      if (at == buses.end()) {
        std::fprintf(stderr, "vvc-gui: --new-study: the feeder has no bus '%s'\n", qPrintable(name));
        return 2;
      }
      dialog->add_inverter(static_cast<int>(at - buses.begin()));
    }
    dialog->resize(window.size());
    shot = dialog;
  }
  // Let queued replots and layout run before grabbing.
  QEventLoop settle;
  QTimer::singleShot(300, &settle, &QEventLoop::quit);
  settle.exec();
  // Drawn into memory, then written atomically: a failed write keeps the old file.
  const QString path = parser.value(screenshot);
  const QString suffix = QFileInfo(path).suffix().toLower();
  QByteArray bytes;
  QBuffer buffer(&bytes);
  if (!buffer.open(QIODevice::WriteOnly) ||
      !shot->grab().save(&buffer, suffix.isEmpty() ? "PNG" : qPrintable(suffix))) {
    std::fprintf(stderr, "vvc-gui: %s: cannot draw the screenshot (format '%s')\n", qPrintable(path),
                 qPrintable(suffix));
    return 1;
  }
  try {
    vvc::gui::write_file(path, bytes);
  } catch (const vvc::InputError& e) {
    std::fprintf(stderr, "vvc-gui: %s\n", e.what());
    return 1;
  }
  return 0;
}
