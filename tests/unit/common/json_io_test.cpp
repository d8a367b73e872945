#include "vvc/common/json_io.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "support/input_files.hpp"

namespace vvc {
namespace {

using vvc::test_support::input_error_message;

std::string parse_error(const std::string& text, const JsonLimits& limits = {}) {
  return input_error_message([&] { JsonDocument(text, "in.json", limits); });
}

std::string nested_arrays(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// ---------------------------------------------------------------------------------------------------------------
// Parsing.

TEST(JsonDocument, ParsesValuesOfEveryKind) {
  const JsonDocument doc(R"({"n": null, "t": true, "i": -3, "u": 18446744073709551615, "x": 0.1,
                             "s": "text", "a": [1, [2]], "o": {"k": {}}})",
                         "in.json");
  const JsonNode root = doc.root();
  EXPECT_TRUE(root.at("n").is_null());
  EXPECT_TRUE(root.at("t").boolean());
  EXPECT_EQ(root.at("i").integer(-10, 10), -3);
  EXPECT_EQ(root.at("u").integer<std::uint64_t>(0, std::numeric_limits<std::uint64_t>::max()),
            std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(root.at("x").number(), 0.1);
  EXPECT_EQ(root.at("s").string(), "text");
  const auto a = root.at("a").elements();
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[1].path(), "/a/1");
  EXPECT_EQ(a[1].numbers(), std::vector<double>{2.0});
  EXPECT_EQ(root.at("o").at("k").path(), "/o/k");
}

TEST(JsonDocument, SyntaxErrorsNameFileLineAndColumn) {
  // Line 2 reads `  "a": NaN`; the parser stops at the 'N', the eighth character of the line.
  EXPECT_EQ(
      parse_error("{\n  \"a\": NaN\n}"),
      "in.json:2:8: invalid JSON: syntax error while parsing value - invalid literal; last read: '\"a\": N'");
  const std::string truncated = parse_error("{\"a\": [1,\n 2");
  EXPECT_EQ(truncated.rfind("in.json:2:", 0), 0u) << truncated;
  EXPECT_NE(truncated.find("invalid JSON: syntax error"), std::string::npos) << truncated;
  EXPECT_EQ(parse_error("{} x").rfind("in.json:1:4: invalid JSON: syntax error", 0), 0u);
  EXPECT_EQ(parse_error("").rfind("in.json:1:0: invalid JSON: ", 0), 0u);
  EXPECT_EQ(parse_error("\"\xff\"").rfind("in.json:1:2: invalid JSON: ", 0), 0u);
}

TEST(JsonDocument, NumberOverflowIsAnInputError) {
  EXPECT_EQ(parse_error("{\"a\": 1e309}"),
            "in.json:1:11: invalid JSON: expected a number within the range of a double, got 1e309");
  EXPECT_EQ(parse_error("[-1e999]"),
            "in.json:1:7: invalid JSON: expected a number within the range of a double, got -1e999");
  // Integers too long for 64 bits become doubles, and underflow becomes zero, as in every JSON reader.
  const JsonDocument big("[100000000000000000000, 1e-400, 1e-320]", "in.json");
  EXPECT_EQ(big.root().numbers(), (std::vector<double>{1e20, 0.0, 1e-320}));
}

TEST(JsonDocument, LongTokensAreShortenedInMessages) {
  const std::string digits(1000, '9');
  EXPECT_EQ(parse_error("[" + digits + "e999]"),
            "in.json:1:1005: invalid JSON: expected a number within the range of a double, got " +
                std::string(57, '9') + "...");
  const std::string message = parse_error("[\"" + std::string(100000, 'a'));
  EXPECT_EQ(message.rfind("in.json:1:100002: invalid JSON: syntax error", 0), 0u) << message;
  EXPECT_LE(message.size(), 250u);
}

TEST(JsonDocument, NestingIsBoundedAt256) {
  EXPECT_NO_THROW(JsonDocument(nested_arrays(kMaxJsonDepth), "in.json"));
  const std::string expected =
      "in.json: invalid JSON: expected arrays and objects nested at most 256 deep, got deeper nesting";
  EXPECT_EQ(parse_error(nested_arrays(kMaxJsonDepth + 1)), expected);
  EXPECT_EQ(parse_error(nested_arrays(300)), expected);
  // Unclosed brackets far beyond the limit are refused at the 257th, not read to the end.
  EXPECT_EQ(parse_error(std::string(1000000, '[')), expected);
  std::string objects;
  for (int i = 0; i < 300; ++i) objects += "{\"k\":";
  EXPECT_EQ(parse_error(objects + "1" + std::string(300, '}')), expected);
}

TEST(JsonDocument, RejectsAKeyTwiceInOneObject) {
  EXPECT_EQ(parse_error(R"({"a": {"b": 1, "b": 2}})"),
            "in.json: /a: expected each key once in an object, got \"b\" twice");
  EXPECT_EQ(parse_error(R"({"l": [{}, {"k": 1, "m": [], "k": 2}]})"),
            "in.json: /l/1: expected each key once in an object, got \"k\" twice");
  EXPECT_EQ(parse_error(R"({"x": 1, "x": 1})"),
            "in.json: /: expected each key once in an object, got \"x\" twice");
  EXPECT_NO_THROW(JsonDocument(R"({"a": {"k": 1}, "b": {"k": 1}})", "in.json"));
}

TEST(JsonDocument, CountsValuesAgainstTheLimit) {
  EXPECT_NO_THROW(JsonDocument("[1, {\"a\": 2}]", "in.json", JsonLimits{4}));
  EXPECT_EQ(parse_error("[1, {\"a\": 2}]", JsonLimits{3}),
            "in.json: expected at most 3 JSON values (numbers, strings, arrays and objects), got more");
}

TEST(JsonDocument, EveryDocumentIsBoundedByDefault) {
  EXPECT_EQ(kMaxJsonValues, std::size_t{1} << 24);
  EXPECT_EQ(JsonLimits{}.max_values, kMaxJsonValues);
}

TEST(JsonDocument, ArraysAreBoundedWhenAsked) {
  const JsonLimits two{.max_array_elements = 2};
  EXPECT_NO_THROW(JsonDocument(R"({"a": [1, 2], "b": [[3, 4], {"c": [5, 6]}]})", "in.json", two));
  EXPECT_EQ(parse_error("[1, 2, 3]", two), "in.json: /: expected at most 2 elements in an array, got more");
  EXPECT_EQ(parse_error(R"({"a": [[1, 2, 3]]})", two),
            "in.json: /a/0: expected at most 2 elements in an array, got more");
  EXPECT_EQ(parse_error(R"({"a": [1, {"b": [1, 2, 3]}]})", two),
            "in.json: /a/1/b: expected at most 2 elements in an array, got more");
}

TEST(JsonDocument, NodesStayValidWhenTheDocumentMoves) {
  JsonDocument first("{\"a\": [1, 2]}", "in.json");
  const JsonNode a = first.root().at("a");
  const JsonDocument second = std::move(first);
  EXPECT_EQ(a.numbers(), (std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(a.source(), "in.json");
}

// ---------------------------------------------------------------------------------------------------------------
// Checked access: "<file>: <path>: expected <what>, got <value>".

class JsonNodeTest : public ::testing::Test {
 protected:
  /// 55 ASCII letters, then the two-byte 'é': in the dumped string (after its quote) the 57-byte cut falls
  /// between the two bytes of the 'é'.
  static std::string long_text() { return std::string(55, 'a') + "\u00e9-end"; }

  JsonNodeTest()
      : doc_(
            R"({"half": 2.5, "big": 1e20, "three": 3.0, "neg": -1, "text": "pq", "flag": false, "list": [1, "x"],
                 "nested": {"a/b": {"c~d": 1}}, "format": "vvc.case", "version": 2, "long": ")" +
                long_text() + "\"}",
            "f.json") {}
  JsonNode root() const { return doc_.root(); }
  JsonNode at(const char* key) const { return doc_.root().at(key); }

 private:
  JsonDocument doc_;
};

TEST_F(JsonNodeTest, NumbersAreCheckedAgainstTheirRange) {
  EXPECT_EQ(at("half").number(), 2.5);
  EXPECT_EQ(at("half").number(greater_than(0.0)), 2.5);
  EXPECT_EQ(input_error_message([&] { at("neg").number(at_least(0.0)); }),
            "f.json: /neg: expected a finite number >= 0, got -1");
  EXPECT_EQ(input_error_message([&] { at("half").number({.min = 0.0, .max = 1.0, .min_open = true}); }),
            "f.json: /half: expected a finite number > 0 and <= 1, got 2.5");
  EXPECT_EQ(input_error_message([&] { at("text").number(); }),
            "f.json: /text: expected a finite number, got \"pq\"");
  EXPECT_EQ(input_error_message([&] { at("list").numbers(); }),
            "f.json: /list/1: expected a finite number, got \"x\"");
}

TEST_F(JsonNodeTest, IntegersAreExactAndRangeChecked) {
  EXPECT_EQ(at("three").integer(0, 10), 3);
  EXPECT_EQ(at("neg").integer(-1, 1), -1);
  EXPECT_EQ(input_error_message([&] { at("half").integer(0, 10); }),
            "f.json: /half: expected an integer from 0 to 10, got 2.5");
  EXPECT_EQ(input_error_message([&] { at("big").integer(0, std::numeric_limits<int>::max()); }),
            "f.json: /big: expected an integer from 0 to 2147483647, got 1e+20");
  EXPECT_EQ(input_error_message([&] { at("big").integer<long>(0, std::numeric_limits<long>::max()); }),
            "f.json: /big: expected an integer from 0 to 9223372036854775807, got 1e+20");
  EXPECT_EQ(input_error_message([&] { at("neg").integer<std::uint64_t>(0, 5); }),
            "f.json: /neg: expected an integer from 0 to 5, got -1");
  EXPECT_EQ(input_error_message([&] { at("text").integer(0, 1); }),
            "f.json: /text: expected an integer from 0 to 1, got \"pq\"");
}

TEST_F(JsonNodeTest, ScalarsOfTheWrongKind) {
  EXPECT_FALSE(at("flag").boolean());
  EXPECT_EQ(input_error_message([&] { at("text").boolean(); }),
            "f.json: /text: expected true or false, got \"pq\"");
  EXPECT_EQ(input_error_message([&] { at("half").string(); }), "f.json: /half: expected a string, got 2.5");
  EXPECT_EQ(input_error_message([&] { at("half").elements(); }), "f.json: /half: expected an array, got 2.5");
  EXPECT_EQ(input_error_message([&] { at("list").strings(); }), "f.json: /list/0: expected a string, got 1");
  EXPECT_EQ(input_error_message([&] { at("list").at("x"); }),
            "f.json: /list: expected an object, got [1,\"x\"]");
}

TEST_F(JsonNodeTest, EnumeratedStrings) {
  EXPECT_EQ(at("text").one_of({"pq", "z"}), "pq");
  EXPECT_EQ(at("text").choice<int>({{"z", 1}, {"pq", 2}}), 2);
  EXPECT_EQ(input_error_message([&] {
              at("text").one_of({"step", "traj"});
            }),
            "f.json: /text: expected \"step\" or \"traj\", got \"pq\"");
  EXPECT_EQ(input_error_message([&] {
              at("text").choice<int>({{"i", 1}, {"z", 2}, {"zip", 3}});
            }),
            "f.json: /text: expected one of \"i\", \"z\" or \"zip\", got \"pq\"");
  EXPECT_EQ(input_error_message([&] { at("half").one_of({"a"}); }), "f.json: /half: expected \"a\", got 2.5");
}

TEST_F(JsonNodeTest, FieldsOfObjects) {
  EXPECT_TRUE(root().has("half"));
  EXPECT_FALSE(root().find("nothing").has_value());
  EXPECT_EQ(root().find("half")->number(), 2.5);
  EXPECT_EQ(input_error_message([&] { root().at("nothing"); }),
            "f.json: /: missing required field \"nothing\"");
  EXPECT_EQ(input_error_message([&] {
              at("nested").allow_only({"a", "b"});
            }),
            "f.json: /nested/a~1b: unknown field (expected \"a\" or \"b\")");
  EXPECT_NO_THROW(at("nested").allow_only({"a/b"}));
  EXPECT_EQ(input_error_message([&] { at("nested").at("a/b").at("c~d").string(); }),
            "f.json: /nested/a~1b/c~0d: expected a string, got 1");
}

TEST_F(JsonNodeTest, FormatAndVersion) {
  EXPECT_NO_THROW(root().expect_format("vvc.case", 2));
  EXPECT_EQ(input_error_message([&] { root().expect_format("vvc.study", 2); }),
            "f.json: /format: expected \"vvc.study\", got \"vvc.case\"");
  EXPECT_EQ(input_error_message([&] { root().expect_format("vvc.case", 1); }),
            "f.json: /version: expected version 1, got 2");
}

TEST_F(JsonNodeTest, LongValuesAreShortenedWithoutSplittingACharacter) {
  const std::string message = input_error_message([&] { at("long").number(); });
  EXPECT_EQ(message, "f.json: /long: expected a finite number, got \"" + std::string(55, 'a') + "...");
}

}  // namespace
}  // namespace vvc
