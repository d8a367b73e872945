#include "vvc/common/json_io.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "vvc/common/errors.hpp"
#include "vvc/common/numbers.hpp"

namespace vvc {

namespace {

using Json = nlohmann::json;

constexpr std::size_t kAbbreviatedLength = 60;
/// nlohmann's syntax errors quote what they last read, which can be a whole long string.
constexpr std::size_t kMaxReasonLength = 200;

/// `text` cut to at most `length` bytes, ending in "..." when cut, and never inside a UTF-8 sequence.
std::string shortened(std::string text, std::size_t length) {
  if (text.size() <= length) return text;
  std::size_t cut = length - 3;
  // Back up over continuation bytes (10xxxxxx) to the start of a character.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

/// A key as a JSON-pointer token (RFC 6901): '~' and '/' are escaped.
std::string pointer_token(std::string_view key) {
  std::string out;
  for (const char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string json_quoted(std::string_view text) { return Json(std::string(text)).dump(); }

/// "\"a\"", "\"a\" or \"b\"", "one of \"a\", \"b\" or \"c\"".
std::string alternatives(const std::vector<std::string_view>& choices) {
  std::string out = choices.size() > 2 ? "one of " : "";
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) out += i + 1 == choices.size() ? " or " : ", ";
    out += json_quoted(choices[i]);
  }
  return out;
}

/// nlohmann's messages start with a tag such as "[json.exception.parse_error.101] " and, for syntax errors,
/// "parse error at line 3, column 7: "; the position is printed by us, the rest means nothing to a user.
std::string parse_error_reason(const Json::exception& e) {
  std::string message = e.what();
  if (!message.empty() && message.front() == '[') {
    if (const auto end = message.find("] "); end != std::string::npos) message.erase(0, end + 2);
  }
  if (message.rfind("parse error", 0) == 0) {
    if (const auto colon = message.find(": "); colon != std::string::npos) message.erase(0, colon + 2);
  }
  return message;
}

/// Builds the document from the parser's events and enforces what JsonDocument promises beyond plain JSON.
/// The parser itself is iterative, so a deeply nested text is refused here before it costs more than a small
/// stack.
class DocumentBuilder {
 public:
  DocumentBuilder(std::string_view text, const std::string& source, const JsonLimits& limits, Json& root)
      : text_(text), source_(source), limits_(limits), root_(root) {}

  bool null() { return add(Json(nullptr)); }
  bool boolean(bool value) { return add(Json(value)); }
  bool number_integer(Json::number_integer_t value) { return add(Json(value)); }
  bool number_unsigned(Json::number_unsigned_t value) { return add(Json(value)); }
  bool number_float(Json::number_float_t value, const Json::string_t& /*text*/) { return add(Json(value)); }
  bool string(Json::string_t& value) { return add(Json(std::move(value))); }
  // Part of the SAX interface; JSON text has no binary values, only the binary formats nlohmann also reads.
  bool binary(Json::binary_t& value) { return add(Json(std::move(value))); }

  bool start_object(std::size_t /*size*/) { return open(Json::object()); }
  bool key(Json::string_t& key) {
    if (open_.back().value->contains(key)) {
      throw InputError::at_path(source_, open_object_path(),
                                "expected each key once in an object, got " + json_quoted(key) + " twice");
    }
    open_.back().key = std::move(key);
    return true;
  }
  bool end_object() {
    open_.pop_back();
    return true;
  }
  bool start_array(std::size_t /*size*/) { return open(Json::array()); }
  bool end_array() {
    open_.pop_back();
    return true;
  }

  bool parse_error(std::size_t position, const std::string& last_token, const Json::exception& e) {
    const auto end = text_.begin() + static_cast<std::ptrdiff_t>(std::min(position, text_.size()));
    const auto line = 1 + std::count(text_.begin(), end, '\n');
    const auto line_start = std::find(std::make_reverse_iterator(end), text_.rend(), '\n').base();
    const std::string where =
        source_ + ":" + std::to_string(line) + ":" + std::to_string(end - line_start) + ": invalid JSON: ";
    // out_of_range 406 is nlohmann's "number overflow": a number beyond the range of a double.
    if (dynamic_cast<const Json::out_of_range*>(&e) != nullptr && e.id == 406) {
      throw InputError(where + "expected a number within the range of a double, got " +
                       shortened(last_token, kAbbreviatedLength));
    }
    throw InputError(where + shortened(parse_error_reason(e), kMaxReasonLength));
  }

 private:
  struct Open {
    Json* value;
    std::string key;  ///< for an object, the key of the member being read
  };

  bool add(Json&& value) {
    place(std::move(value));
    return true;
  }

  /// Places `value` in the document (at the root, at the end of the open array, or under the open object's
  /// current key) and returns where it now lives.
  Json* place(Json&& value) {
    if (++values_ > limits_.max_values) {
      throw InputError(source_ + ": expected at most " + std::to_string(limits_.max_values) +
                       " JSON values (numbers, strings, arrays and objects), got more");
    }
    if (open_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Json& parent = *open_.back().value;
    if (parent.is_array()) {
      if (parent.size() == limits_.max_array_elements) {
        throw InputError::at_path(source_, open_object_path(),
                                  "expected at most " + std::to_string(limits_.max_array_elements) +
                                      " elements in an array, got more");
      }
      parent.push_back(std::move(value));
      return &parent.back();
    }
    return &(parent[open_.back().key] = std::move(value));
  }

  bool open(Json&& container) {
    if (open_.size() >= static_cast<std::size_t>(kMaxJsonDepth)) {
      throw InputError(source_ + ": invalid JSON: expected arrays and objects nested at most " +
                       std::to_string(kMaxJsonDepth) + " deep, got deeper nesting");
    }
    Json* placed = place(std::move(container));
    open_.push_back({placed, {}});
    return true;
  }

  /// The JSON pointer of the innermost open array or object: each enclosing one holds it as its last element
  /// or under its current key.
  std::string open_object_path() const {
    std::string path;
    for (std::size_t i = 0; i + 1 < open_.size(); ++i) {
      const Open& o = open_[i];
      path += "/";
      path += o.value->is_array() ? std::to_string(o.value->size() - 1) : pointer_token(o.key);
    }
    return path;
  }

  std::string_view text_;
  const std::string& source_;
  const JsonLimits& limits_;
  Json& root_;
  std::vector<Open> open_;
  std::size_t values_ = 0;
};

}  // namespace

bool NumberRange::contains(double x) const {
  if (!std::isfinite(x)) return false;
  if (min_open ? !(x > min) : !(x >= min)) return false;
  return max_open ? x < max : x <= max;
}

std::string NumberRange::describe() const {
  const auto bound = [](const char* op, double x) {
    char text[32];
    const auto end =
        std::to_chars(text, text + sizeof text, x).ptr;  // the shortest form that reads back as x
    return std::string(op) + " " + std::string(text, end);
  };
  std::string out = "a finite number";
  if (min > -HUGE_VAL) out += " " + bound(min_open ? ">" : ">=", min);
  if (min > -HUGE_VAL && max < HUGE_VAL) out += " and";
  if (max < HUGE_VAL) out += " " + bound(max_open ? "<" : "<=", max);
  return out;
}

JsonNode::JsonNode(const nlohmann::json& value, const std::string& source, std::string path)
    : value_(&value), source_(&source), path_(std::move(path)) {}

void JsonNode::fail(const std::string& message) const { throw InputError::at_path(*source_, path_, message); }

void JsonNode::fail_expected(const std::string& what) const {
  fail("expected " + what + ", got " + abbreviated());
}

std::string JsonNode::abbreviated() const { return shortened(value_->dump(), kAbbreviatedLength); }

bool JsonNode::is_null() const { return value_->is_null(); }

bool JsonNode::is_string() const { return value_->is_string(); }

bool JsonNode::is_number() const { return value_->is_number(); }

void JsonNode::expect_object() const {
  if (!value_->is_object()) fail_expected("an object");
}

JsonNode JsonNode::child(std::string_view key) const {
  return JsonNode(value_->find(key).value(), *source_, path_ + "/" + pointer_token(key));
}

void JsonNode::allow_only(std::initializer_list<std::string_view> fields) const {
  allow_only(std::vector<std::string_view>(fields.begin(), fields.end()));
}

void JsonNode::allow_only(const std::vector<std::string_view>& fields) const {
  expect_object();
  for (const auto& item : value_->items()) {
    if (std::find(fields.begin(), fields.end(), item.key()) == fields.end()) {
      child(item.key()).fail("unknown field (expected " + alternatives(fields) + ")");
    }
  }
}

bool JsonNode::has(std::string_view key) const {
  expect_object();
  return value_->contains(key);
}

JsonNode JsonNode::at(std::string_view key) const {
  if (!has(key)) fail("missing required field " + json_quoted(key));
  return child(key);
}

std::optional<JsonNode> JsonNode::find(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return child(key);
}

void JsonNode::expect_format(std::string_view format, int version) const {
  const JsonNode format_node = at("format");
  if (format_node.string() != format) format_node.fail_expected(json_quoted(format));
  const JsonNode version_node = at("version");
  if (!version_node.value_->is_number() || version_node.value_->get<double>() != version) {
    version_node.fail_expected("version " + std::to_string(version));
  }
}

std::vector<JsonNode> JsonNode::elements() const {
  if (!value_->is_array()) fail_expected("an array");
  std::vector<JsonNode> out;
  out.reserve(value_->size());
  for (std::size_t i = 0; i < value_->size(); ++i) {
    out.emplace_back((*value_)[i], *source_, path_ + "/" + std::to_string(i));
  }
  return out;
}

std::vector<double> JsonNode::numbers(const NumberRange& range) const {
  if (!value_->is_array()) fail_expected("an array of numbers");
  std::vector<double> out;
  out.reserve(value_->size());
  for (std::size_t i = 0; i < value_->size(); ++i) {
    const Json& item = (*value_)[i];
    if (!item.is_number() || !range.contains(item.get<double>())) {
      JsonNode(item, *source_, path_ + "/" + std::to_string(i)).fail_expected(range.describe());
    }
    out.push_back(item.get<double>());
  }
  return out;
}

std::vector<std::string> JsonNode::strings() const {
  if (!value_->is_array()) fail_expected("an array of strings");
  std::vector<std::string> out;
  out.reserve(value_->size());
  for (std::size_t i = 0; i < value_->size(); ++i) {
    const Json& item = (*value_)[i];
    if (!item.is_string())
      JsonNode(item, *source_, path_ + "/" + std::to_string(i)).fail_expected("a string");
    out.push_back(item.get<std::string>());
  }
  return out;
}

double JsonNode::number(const NumberRange& range) const {
  if (!value_->is_number() || !range.contains(value_->get<double>())) fail_expected(range.describe());
  return value_->get<double>();
}

template <typename T>
T JsonNode::integer(T min, T max) const {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
  std::optional<T> value;
  if (value_->is_number_unsigned()) {
    const auto u = value_->get<std::uint64_t>();
    if (std::in_range<T>(u)) value = static_cast<T>(u);
  } else if (value_->is_number_integer()) {
    const auto i = value_->get<std::int64_t>();
    if (std::in_range<T>(i)) value = static_cast<T>(i);
  } else if (value_->is_number_float()) {
    const auto i = exact_integer(value_->get<double>(), std::numeric_limits<std::int64_t>::min(),
                                 std::numeric_limits<std::int64_t>::max());
    if (i && std::in_range<T>(*i)) value = static_cast<T>(*i);
  }
  if (!value || *value < min || *value > max) {
    fail_expected("an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return *value;
}

template int JsonNode::integer<int>(int, int) const;
template unsigned JsonNode::integer<unsigned>(unsigned, unsigned) const;
template long JsonNode::integer<long>(long, long) const;
template unsigned long JsonNode::integer<unsigned long>(unsigned long, unsigned long) const;
template long long JsonNode::integer<long long>(long long, long long) const;
template unsigned long long JsonNode::integer<unsigned long long>(unsigned long long,
                                                                  unsigned long long) const;

bool JsonNode::boolean() const {
  if (!value_->is_boolean()) fail_expected("true or false");
  return value_->get<bool>();
}

std::string JsonNode::string() const {
  if (!value_->is_string()) fail_expected("a string");
  return value_->get<std::string>();
}

std::string JsonNode::one_of(std::initializer_list<std::string_view> choices) const {
  const std::vector<std::string_view> names(choices.begin(), choices.end());
  return std::string(names[choice_index(names)]);
}

std::size_t JsonNode::choice_index(const std::vector<std::string_view>& choices) const {
  if (value_->is_string()) {
    const auto& text = value_->get_ref<const std::string&>();
    for (std::size_t i = 0; i < choices.size(); ++i) {
      if (choices[i] == text) return i;
    }
  }
  fail_expected(alternatives(choices));
}

struct JsonDocument::Data {
  std::string source;
  Json value;
};

JsonDocument::JsonDocument(std::string_view text, std::string source, const JsonLimits& limits) {
  auto data = std::make_unique<Data>();
  data->source = std::move(source);
  DocumentBuilder builder(text, data->source, limits, data->value);
  Json::sax_parse(text.begin(), text.end(), &builder);
  data_ = std::move(data);
}

JsonDocument::~JsonDocument() = default;
JsonDocument::JsonDocument(JsonDocument&&) noexcept = default;
JsonDocument& JsonDocument::operator=(JsonDocument&&) noexcept = default;

JsonNode JsonDocument::root() const { return JsonNode(data_->value, data_->source, ""); }

}  // namespace vvc
