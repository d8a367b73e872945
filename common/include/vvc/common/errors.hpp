// The three error channels of vvc (docs/architecture.md):
//   1. a broken invariant (a bug) aborts with file and line: VVC_ASSERT;
//   2. bad input throws InputError, which names the file, the line or JSON path, and what was expected;
//   3. numerical outcomes (not converged, infeasible) are a status in the result struct, never an exception.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace vvc {

/// Bad input: malformed file, unknown or missing field, dimension mismatch, out-of-range option.
/// what() is one complete message such as "case.json: /lines/3/r_ohm: expected a finite number >= 0, got -1".
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}

  /// Builds "<file>:<line>: <message>" (line omitted when 0).
  static InputError at_line(const std::string& file, int line, const std::string& message) {
    return InputError(file + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + message);
  }
  /// Builds "<file>: <json_path>: <message>".
  static InputError at_path(const std::string& file, const std::string& json_path,
                            const std::string& message) {
    return InputError(file + ": " + (json_path.empty() ? std::string("/") : json_path) + ": " + message);
  }
};

[[noreturn]] inline void assertion_failed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "vvc: internal error: assertion '%s' failed at %s:%d\n", expr, file, line);
  std::abort();
}

}  // namespace vvc

#define VVC_ASSERT(expr) ((expr) ? static_cast<void>(0) : ::vvc::assertion_failed(#expr, __FILE__, __LINE__))
