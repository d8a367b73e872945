// Checked access to JSON fields with error messages that name the file and the JSON path (private to core).
#pragma once

#include <cmath>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

#include "vvc/common/errors.hpp"

namespace vvc::core::detail {

class JsonFields {
 public:
  JsonFields(const nlohmann::json& object, std::string source, std::string path)
      : object_(&object), source_(std::move(source)), path_(std::move(path)) {
    if (!object.is_object()) fail("", "expected an object");
  }

  [[noreturn]] void fail(const std::string& key, const std::string& message) const {
    throw InputError::at_path(source_, key.empty() ? path_ : path_ + "/" + key, message);
  }
  std::string path_of(const std::string& key) const { return path_ + "/" + key; }
  const std::string& source() const { return source_; }

  /// Rejects keys that are not in `allowed`.
  void only(std::initializer_list<const char*> allowed) const {
    for (auto it = object_->begin(); it != object_->end(); ++it) {
      bool known = false;
      for (const char* a : allowed) known = known || it.key() == a;
      if (!known) fail(it.key(), "unknown field");
    }
  }
  bool has(const std::string& key) const { return object_->contains(key); }
  const nlohmann::json& at(const std::string& key) const {
    if (!has(key)) fail(key, "missing required field");
    return (*object_)[key];
  }
  double number(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_number()) fail(key, "expected a number, got " + std::string(v.type_name()));
    const double x = v.get<double>();
    if (!std::isfinite(x)) fail(key, "expected a finite number");
    return x;
  }
  double number_or(const std::string& key, double fallback) const {
    return has(key) ? number(key) : fallback;
  }
  long integer(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_number_integer()) fail(key, "expected an integer, got " + std::string(v.type_name()));
    return v.get<long>();
  }
  std::string string(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_string()) fail(key, "expected a string, got " + std::string(v.type_name()));
    return v.get<std::string>();
  }
  const nlohmann::json& array(const std::string& key) const {
    const auto& v = at(key);
    if (!v.is_array()) fail(key, "expected an array, got " + std::string(v.type_name()));
    return v;
  }
  void expect_format(const std::string& format, int version) const {
    if (string("format") != format) fail("format", "expected \"" + format + "\"");
    if (integer("version") != version)
      fail("version", "unsupported version (this vvc reads version " + std::to_string(version) + ")");
  }

 private:
  const nlohmann::json* object_;
  std::string source_;
  std::string path_;
};

/// Parses JSON text; a syntax error names the file and the byte offset.
inline nlohmann::json parse_json(const std::string& text, const std::string& source) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(source + ": invalid JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  }
}

}  // namespace vvc::core::detail
