// Checked reading of JSON files, shared by every vvc JSON format (cases, studies, scenario sets, policies,
// checkpoints), so that every complaint has one of two forms:
//   malformed text:  "<file>:<line>:<column>: invalid JSON: <reason>"   (or "<file>: ..." without a position)
//   a wrong value:   "<file>: <JSON path>: expected <what>, got <offending value>"
// The offending value is printed as JSON, shortened when long. Only *_io code includes this header.
#pragma once

#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <limits>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vvc {

/// The deepest nesting of arrays and objects a JSON file may have.
inline constexpr int kMaxJsonDepth = 256;

/// The numbers a field accepts: finite, and inside optional bounds, each closed or open.
struct NumberRange {
  double min = -HUGE_VAL;
  double max = HUGE_VAL;
  bool min_open = false;  ///< min itself is excluded
  bool max_open = false;  ///< max itself is excluded

  bool contains(double x) const;
  /// "a finite number", "a finite number >= 0", "a finite number > 0 and <= 1".
  std::string describe() const;
};
inline NumberRange at_least(double min) { return {.min = min}; }
inline NumberRange greater_than(double min) { return {.min = min, .min_open = true}; }

/// One value of a parsed JSON file, with the file's name and the value's JSON pointer ("/lines/3/r_pu"), so
/// that every check can say where it failed. A node refers into its JsonDocument and must not outlive it.
class JsonNode {
 public:
  JsonNode(const nlohmann::json& value, const std::string& source, std::string path);

  const std::string& source() const { return *source_; }
  /// The JSON pointer of this value; "" for the document's root.
  const std::string& path() const { return path_; }

  /// Throws InputError "<file>: <path>: <message>".
  [[noreturn]] void fail(const std::string& message) const;
  /// Throws InputError "<file>: <path>: expected <what>, got <this value>".
  [[noreturn]] void fail_expected(const std::string& what) const;
  /// This value as JSON text, shortened to about 60 characters.
  std::string abbreviated() const;

  bool is_null() const;
  bool is_string() const;
  bool is_number() const;

  // Objects. Each of these first checks that the value is an object.
  /// Rejects a field outside `fields`: a misspelt optional field must not be silently ignored.
  void allow_only(std::initializer_list<std::string_view> fields) const;
  void allow_only(const std::vector<std::string_view>& fields) const;
  bool has(std::string_view key) const;
  /// A required field ("missing required field" when absent).
  JsonNode at(std::string_view key) const;
  /// An optional field.
  std::optional<JsonNode> find(std::string_view key) const;
  /// Checks "format" and "version" (a document's first two fields).
  void expect_format(std::string_view format, int version) const;

  // Arrays.
  std::vector<JsonNode> elements() const;
  /// An array of numbers, each in `range`.
  std::vector<double> numbers(const NumberRange& range = {}) const;
  std::vector<std::string> strings() const;

  // Scalars.
  double number(const NumberRange& range = {}) const;
  /// A number with an exact integer value from min to max ("3" and "3.0"; not "2.5", nor 1e20 for an int).
  /// Instantiated for the standard integer types.
  template <typename T>
  T integer(T min, T max) const;
  bool boolean() const;
  std::string string() const;
  /// A string that must be one of `choices`.
  std::string one_of(std::initializer_list<std::string_view> choices) const;
  /// The value paired with this string in `choices`.
  template <typename T>
  T choice(std::initializer_list<std::pair<std::string_view, T>> choices) const {
    std::vector<std::string_view> names;
    for (const auto& [name, value] : choices) names.push_back(name);
    return (choices.begin() + choice_index(names))->second;
  }

 private:
  void expect_object() const;
  JsonNode child(std::string_view key) const;
  /// The position of this string in `choices`.
  std::size_t choice_index(const std::vector<std::string_view>& choices) const;

  const nlohmann::json* value_;
  const std::string* source_;
  std::string path_;
};

/// The number of values a JSON document may hold unless its reader says otherwise: 2^24, which bounds the memory
/// of reading any file (1.7 GB measured for 2^24 numbers in objects of 100 keys, 0.6 GB for one array).
inline constexpr std::size_t kMaxJsonValues = std::size_t{1} << 24;

/// What a document may hold beyond well-formed JSON.
struct JsonLimits {
  /// The number of values (numbers, strings, booleans, nulls, arrays and objects) the document may hold: it
  /// bounds the memory of reading any file; a reader of bulk data sets its own bound.
  std::size_t max_values = kMaxJsonValues;
  /// The number of elements an array may hold: a reader whose arrays list elements of a bounded count refuses a
  /// larger file as soon as one array passes that count, before the rest of it is parsed.
  std::size_t max_array_elements = std::numeric_limits<std::size_t>::max();
};

/// A parsed JSON file. Besides malformed JSON, parsing rejects a number outside the range of a double
/// (1e309), nesting deeper than kMaxJsonDepth, a key that appears twice in one object, more values than
/// `limits.max_values` and an array longer than `limits.max_array_elements`, each an InputError naming the file.
/// No nlohmann exception leaves this class.
class JsonDocument {
 public:
  JsonDocument(std::string_view text, std::string source, const JsonLimits& limits = {});
  ~JsonDocument();
  JsonDocument(JsonDocument&&) noexcept;
  JsonDocument& operator=(JsonDocument&&) noexcept;

  JsonNode root() const;

 private:
  struct Data;
  std::unique_ptr<const Data> data_;  // on the heap, so that nodes stay valid when the document moves
};

}  // namespace vvc
