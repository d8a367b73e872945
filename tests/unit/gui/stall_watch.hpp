// The GUI tests' measure of responsiveness: a 10 ms timer on the GUI thread records the largest gap between its
// ticks while work runs (a gap of 50 ms or more is a stall a user notices).
#pragma once

#include <QElapsedTimer>
#include <QTimer>
#include <algorithm>

namespace vvc::gui {

class StallWatch {
 public:
  StallWatch() {
    ticker_.setInterval(10);
    QObject::connect(&ticker_, &QTimer::timeout, [this] {
      const qint64 now = clock_.elapsed();
      worst_ = std::max(worst_, now - last_);
      last_ = now;
    });
  }
  void start() {
    clock_.start();
    last_ = 0;
    worst_ = 0;
    ticker_.start();
  }
  /// Stops counting (while the test itself checks something a user does not wait for).
  void pause() { ticker_.stop(); }
  /// Counts again from now.
  void resume() {
    last_ = clock_.elapsed();
    ticker_.start();
  }
  void stop() { ticker_.stop(); }
  /// The largest gap between two ticks so far, ms.
  qint64 worst_ms() const { return worst_; }

 private:
  QElapsedTimer clock_;
  QTimer ticker_;
  qint64 last_ = 0;
  qint64 worst_ = 0;
};

}  // namespace vvc::gui
