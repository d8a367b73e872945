// The GUI tests' measure of responsiveness: a 10 ms timer on the GUI thread records, between two of its ticks while
// work runs, the GUI thread's own CPU time (the work that kept the event loop from the next tick; 50 ms or more is
// a stall a user notices) and the wall-clock gap. The tests assert on the CPU time, which does not grow with the
// machine's load; the wall-clock gap, which does (another process holding both cores delays every tick), is
// reported only. A GUI thread blocked waiting (on a lock, a file) uses no CPU and is not caught here.
#pragma once

#include <QElapsedTimer>
#include <QTimer>
#include <algorithm>
#include <ctime>

namespace vvc::gui {

class StallWatch {
 public:
  StallWatch() {
    ticker_.setInterval(10);
    QObject::connect(&ticker_, &QTimer::timeout, [this] {
      const qint64 now = clock_.elapsed();
      const double cpu = thread_cpu_ms();
      worst_gap_ = std::max(worst_gap_, now - last_);
      worst_cpu_ = std::max(worst_cpu_, cpu - last_cpu_);
      last_ = now;
      last_cpu_ = cpu;
    });
  }
  void start() {
    clock_.start();
    last_ = 0;
    last_cpu_ = thread_cpu_ms();
    worst_gap_ = 0;
    worst_cpu_ = 0.0;
    ticker_.start();
  }
  /// Stops counting (while the test itself checks something a user does not wait for).
  void pause() { ticker_.stop(); }
  /// Counts again from now.
  void resume() {
    last_ = clock_.elapsed();
    last_cpu_ = thread_cpu_ms();
    ticker_.start();
  }
  void stop() { ticker_.stop(); }
  /// The most CPU time the GUI thread used between two ticks so far, ms.
  double worst_cpu_ms() const { return worst_cpu_; }
  /// The largest wall-clock gap between two ticks so far, ms (load-dependent: reported, not asserted).
  qint64 worst_gap_ms() const { return worst_gap_; }

 private:
  static double thread_cpu_ms() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return 1e3 * static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_nsec);
  }

  QElapsedTimer clock_;
  QTimer ticker_;
  qint64 last_ = 0;
  double last_cpu_ = 0.0;
  qint64 worst_gap_ = 0;
  double worst_cpu_ = 0.0;
};

}  // namespace vvc::gui
