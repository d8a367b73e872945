// Progress on stderr for the commands that train and evaluate, and the stop request of SIGINT and SIGTERM:
// the handlers only set a flag, which the observer turns into ObserverAction::kStop, so training stops at the
// end of an iteration and the command can still write what it has.
#pragma once

#include <chrono>
#include <string>

#include "vvc/core/training/observer.hpp"

namespace vvc::cli {

/// Installs SIGINT and SIGTERM handlers that record the signal (once per process).
void install_stop_handlers();
/// The signal received since install_stop_handlers(), or 0.
int stop_signal();

/// Exit status of a command stopped by a signal (128 + SIGINT, as a shell reports an interrupted command).
inline constexpr int kStoppedExitStatus = 130;

/// Prints progress: on a terminal one line rewritten in place, otherwise (logs, CI) a line per validation of a
/// training run, and a line per tenth of the scenarios of an evaluation that runs longer than 2 s. Asks to stop
/// once a signal arrived.
///
/// `never_wait` (rank 0 of an MPI job): a line that stderr cannot take at once is dropped. The launcher forwards
/// the ranks' output, and after Ctrl-C Open MPI's mpirun stops reading it while it waits to send SIGTERM and then
/// SIGKILL (docs/algorithms/distributed.md): a rank waiting on a full pipe would never reach the end of its
/// iteration, nor write the checkpoint.
class ProgressReporter : public core::TrainingObserver {
 public:
  enum class Style {
    kLine,  ///< `vvc train`, `vvc eval`: the progress line described above
    kLog,   ///< `vvc bench table`: a timestamped line per phase and per validation
  };
  ProgressReporter(Style style, bool quiet, bool never_wait);
  core::ObserverAction on_progress(const core::TrainingProgress& progress) override;
  core::ObserverAction on_evaluation(const core::EvaluationProgress& progress) override;

 private:
  core::ObserverAction action() const;
  void finish_line(std::string& line);
  void print(const std::string& text);
  double elapsed() const;

  Style style_;
  bool quiet_;
  bool never_wait_;
  bool terminal_;
  bool open_line_ = false;
  std::string phase_;
  double last_validation_;
  bool printed_ = false;  ///< a line of the evaluation under way was printed
  long decile_ = 0;       ///< the last tenth of its scenarios reported
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace vvc::cli
