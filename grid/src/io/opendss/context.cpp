#include "context.hpp"

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
  warnings_.push_back(at.file + ":" + std::to_string(at.line) + ": skipped unsupported " + what);
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

Connection parse_connection(const std::string& value, const Location& at) {
  const std::string c = lower(strip_brackets(value));
  if (c == "wye" || c == "y" || c == "ln") return Connection::kWye;
  if (c == "delta" || c == "d" || c == "ll") return Connection::kDelta;
  fail(at, "unknown connection '" + value + "' (expected wye or delta)");
}

}  // namespace vvc::grid::dss
