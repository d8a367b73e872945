#include "context.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

#include "element_class.hpp"
#include "lexer.hpp"
#include "vvc/common/errors.hpp"

namespace vvc::grid::dss {

void fail(const Location& at, const std::string& message) {
  throw InputError::at_line(at.file, at.line, message);
}

ReaderContext::ReaderContext(const OpenDssOptions& options)
    : options_(options), classes_(make_element_classes()) {}

ReaderContext::~ReaderContext() = default;

void ReaderContext::unsupported(const Location& at, const std::string& what) {
  if (options_.strict) fail(at, "unsupported " + what + " (strict mode)");
  if (warnings_.size() == kMaxWarnings) {
    ++unlisted_warnings_;
    return;
  }
  warnings_.push_back(at.file + ":" + std::to_string(at.line) + ": skipped unsupported " + what);
}

std::vector<std::string> ReaderContext::warnings() const {
  std::vector<std::string> out = warnings_;
  if (unlisted_warnings_ > 0) {
    out.push_back("... and " + std::to_string(unlisted_warnings_) + " more skipped unsupported commands, " +
                  "properties or values");
  }
  return out;
}

void ReaderContext::clear() {
  settings = CircuitSettings{};
  elements.clear();
  classes_ = make_element_classes();
}

ElementClass* ReaderContext::element_class(const std::string& name) const {
  auto it = classes_.find(name);
  return it == classes_.end() ? nullptr : it->second.get();
}

double parse_power_factor(const std::string& value) {
  const double pf = parse_number(value);
  if (pf == 0.0 || std::abs(pf) > 1.0) {
    throw std::invalid_argument("expected a power factor in [-1, 0) or (0, 1], got '" + value + "'");
  }
  return pf;
}

double reactive_power_at(double p, double pf) {
  return p * std::sqrt(1.0 / (pf * pf) - 1.0) * (pf < 0.0 ? -1.0 : 1.0);
}

int shunt_conductors(Connection connection, int phases) {
  if (connection == Connection::kWye) return phases + 1;
  return phases == 1 ? 2 : phases;
}

double phase_element_volts(double kv, Connection connection, int phases) {
  return kv * 1000.0 / (connection == Connection::kWye && phases > 1 ? std::numbers::sqrt3 : 1.0);
}

Connection parse_connection(const std::string& value, const Location& at) {
  const std::string c = lower(strip_brackets(value));
  if (c == "wye" || c == "y" || c == "ln") return Connection::kWye;
  if (c == "delta" || c == "d" || c == "ll") return Connection::kDelta;
  fail(at, "unknown connection '" + value + "' (expected wye or delta)");
}

}  // namespace vvc::grid::dss
