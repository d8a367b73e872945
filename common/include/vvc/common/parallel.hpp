// Deterministic parallel loops: work items are independent and write to their own slots, so the outcome
// depends neither on the thread count nor on the schedule. Never use them for Ipopt work: Debian 12's Ipopt
// is not thread-safe.
#pragma once

#include <algorithm>
#include <atomic>
#include <ctime>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace vvc {

/// The calling thread's CPU time, seconds: for timings on a machine other work shares.
inline double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

/// Calls body(worker, index) for index in [0, count) on `threads` threads (worker in [0, threads)); items are
/// handed out dynamically. The first exception thrown by a body is rethrown after all threads finish.
template <class Body>
void parallel_for(int count, int threads, Body&& body) {
  threads = std::max(1, std::min(threads, count));
  if (threads == 1) {
    for (int i = 0; i < count; ++i) body(0, i);
    return;
  }
  std::atomic<int> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&](int worker) {
    for (int i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
      try {
        body(worker, i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        next.store(count);
      }
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < threads; ++w) pool.emplace_back(work, w);
  work(0);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace vvc
