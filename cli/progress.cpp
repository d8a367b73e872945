#include "progress.hpp"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <csignal>
#include <cstdio>

namespace vvc::cli {

namespace {

volatile std::sig_atomic_t g_signal = 0;

extern "C" void record_signal(int signal) { g_signal = signal; }

}  // namespace

void install_stop_handlers() {
  // A signal ignored on entry stays ignored (nohup, background jobs of a non-interactive shell).
  for (int signal : {SIGINT, SIGTERM}) {
    struct sigaction old {};
    sigaction(signal, nullptr, &old);
    if (old.sa_handler == SIG_IGN) continue;
    struct sigaction action {};
    action.sa_handler = record_signal;
    sigemptyset(&action.sa_mask);
    sigaction(signal, &action, nullptr);
  }
}

int stop_signal() { return static_cast<int>(g_signal); }

namespace {

/// printf into a string.
template <class... T>
std::string format(const char* pattern, T... values) {
  std::array<char, 512> buffer;
  const int n = std::snprintf(buffer.data(), buffer.size(), pattern, values...);
  return std::string(buffer.data(),
                     static_cast<size_t>(std::clamp(n, 0, static_cast<int>(buffer.size()) - 1)));
}

}  // namespace

ProgressReporter::ProgressReporter(Style style, bool quiet, bool never_wait)
    : style_(style),
      quiet_(quiet),
      never_wait_(never_wait),
      terminal_(isatty(STDERR_FILENO) == 1),
      last_validation_(std::nan("")) {}

void ProgressReporter::print(const std::string& text) {
  if (never_wait_) {
    // Writable: a pipe has room for PIPE_BUF bytes, which a write of at most that many takes whole.
    pollfd out{STDERR_FILENO, POLLOUT, 0};
    if (text.size() > PIPE_BUF || ::poll(&out, 1, 0) != 1 || (out.revents & POLLOUT) == 0) return;
  }
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

core::ObserverAction ProgressReporter::action() const {
  return stop_signal() != 0 ? core::ObserverAction::kStop : core::ObserverAction::kContinue;
}

double ProgressReporter::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressReporter::finish_line(std::string& line) {
  if (open_line_) line += "\n";
  open_line_ = false;
}

core::ObserverAction ProgressReporter::on_progress(const core::TrainingProgress& p) {
  if (quiet_) return action();
  const core::LearningPoint& point = p.point;
  const char* unit = core::to_string(p.unit);
  if (style_ == Style::kLog) {
    if (p.method != phase_) {
      phase_ = p.method;
      print(format("[%4.0fs] training %s\n", elapsed(), p.method.c_str()));
    }
    if (point.validated()) {
      print(format("  %s %s %d/%d  validation transient %.4f  %.0fs\n", p.method.c_str(), unit,
                   point.iteration, p.iterations, point.validation_transient, point.seconds));
    }
    return action();
  }
  if (point.validated()) last_validation_ = point.validation_transient;
  if (!terminal_ && !point.validated()) return action();
  const double eta = point.seconds / point.iteration * (p.iterations - point.iteration);
  std::string line = format("%s%s %d/%d  cost %.4f", terminal_ ? "\r" : "", unit, point.iteration,
                            p.iterations, point.training_cost);
  if (std::isfinite(last_validation_)) line += format("  validation %.4f", last_validation_);
  if (std::isfinite(point.gradient_norm)) line += format("  |grad| %.3g", point.gradient_norm);
  if (point.fallback_steps > 0) line += format("  fallbacks %ld", point.fallback_steps);
  if (std::isfinite(point.gradient_check_error))
    line += format("  grad check %.1e", point.gradient_check_error);
  line += format("  %.0fs, ETA %.0fs   ", point.seconds, eta);
  open_line_ = true;
  if (!terminal_ || point.iteration == p.iterations) finish_line(line);
  print(line);
  return action();
}

core::ObserverAction ProgressReporter::on_evaluation(const core::EvaluationProgress& p) {
  if (quiet_) return action();
  if (style_ == Style::kLog) {
    if (p.done == 0) print(format("[%4.0fs] evaluating %s\n", elapsed(), p.controller.c_str()));
    return action();
  }
  const bool end = p.done == p.total;
  if (p.done == 0) {
    printed_ = false;
    decile_ = 0;
  }
  // Without a terminal: once an evaluation has run 2 s, a line per tenth of its scenarios, and its end; short
  // evaluations print nothing.
  const long decile = p.total > 0 ? 10 * p.done / p.total : 10;
  if (!terminal_) {
    if (end ? !printed_ : (p.seconds < 2.0 || decile <= decile_)) return action();
    decile_ = decile;
    printed_ = true;
  }
  const double eta = p.done > 0
                         ? p.seconds / static_cast<double>(p.done) * static_cast<double>(p.total - p.done)
                         : std::nan("");
  std::string line = format("%sevaluating %s: %ld/%ld %s, %.0fs", terminal_ ? "\r" : "", p.controller.c_str(),
                            p.done, p.total, p.unit, p.seconds);
  if (std::isfinite(eta)) line += format(", ETA %.0fs", eta);
  line += "   ";
  open_line_ = true;
  if (!terminal_ || end) finish_line(line);
  print(line);
  return action();
}

}  // namespace vvc::cli
