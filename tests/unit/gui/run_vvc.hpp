// Runs the command-line program from a GUI test (VVC_CLI_EXE, defined by the test target), so that the test can
// compare the window's numbers and files with what `vvc` makes of the same inputs.
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>

namespace vvc::gui {

struct CliRun {
  bool succeeded = false;  ///< finished within the time limit, exit status 0
  QString out;             ///< standard output
  QString err;             ///< standard error (and why it failed, when it did not finish)
};

/// Runs `vvc ARGS` and waits for it, up to 5 minutes.
inline CliRun run_vvc(const QStringList& args) {
  QProcess process;
  process.start(QStringLiteral(VVC_CLI_EXE), args);
  CliRun run;
  const bool finished = process.waitForFinished(300000);
  run.out = process.readAllStandardOutput();
  run.err = process.readAllStandardError();
  run.succeeded = finished && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
  if (!finished) run.err += QStringLiteral("\nvvc did not finish within 5 minutes");
  return run;
}

}  // namespace vvc::gui
