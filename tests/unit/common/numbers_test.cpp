#include "vvc/common/numbers.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

namespace vvc {
namespace {

constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

TEST(ParseDecimal, AcceptsDecimalFloatingPoint) {
  EXPECT_EQ(parse_decimal("2.5"), 2.5);
  EXPECT_EQ(parse_decimal("-0.67"), -0.67);
  EXPECT_EQ(parse_decimal("+3"), 3.0);
  EXPECT_EQ(parse_decimal(".5"), 0.5);
  EXPECT_EQ(parse_decimal("5."), 5.0);
  EXPECT_EQ(parse_decimal("1e3"), 1000.0);
  EXPECT_EQ(parse_decimal("1E+3"), 1000.0);
  EXPECT_EQ(parse_decimal("-2.5e-3"), -0.0025);
  EXPECT_EQ(parse_decimal("0.1"), 0.1);
  EXPECT_EQ(parse_decimal("1.7976931348623157e308"), std::numeric_limits<double>::max());
  const auto negative_zero = parse_decimal("-0");
  ASSERT_TRUE(negative_zero);
  EXPECT_TRUE(std::signbit(*negative_zero));
}

TEST(ParseDecimal, ReadsSeventeenDigitsExactly) {
  for (const double x : {1.0 / 3.0, -2.0 / 7.0, 0.1 + 0.2, 6.02214076e23, 1e-300, 4.9406564584124654e-324}) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", x);
    EXPECT_EQ(parse_decimal(text), x) << text;
  }
}

TEST(ParseDecimal, AcceptsSubnormals) {
  const auto x = parse_decimal("1e-320");
  ASSERT_TRUE(x);
  EXPECT_GT(*x, 0.0);
  EXPECT_LT(*x, std::numeric_limits<double>::min());
  EXPECT_EQ(parse_decimal("4.9406564584124654e-324"), std::numeric_limits<double>::denorm_min());
}

TEST(ParseDecimal, RejectsEverythingElse) {
  for (const char* text :
       {"",    " ",  " 1", "1 ", "0x1p3", "0X10", "inf", "-inf", "infinity", "nan", "NaN",   "1.5x", "1e",
        "1e+", "e5", ".",  "-",  "+",     "--1",  "+-1", "1..2", "1.2.3",    "1,5", "1e5.5", "1d3",  "\t2"}) {
    EXPECT_FALSE(parse_decimal(text)) << "'" << text << "'";
  }
}

TEST(ParseDecimal, RejectsValuesOutsideTheRangeOfADouble) {
  EXPECT_FALSE(parse_decimal("1e309"));
  EXPECT_FALSE(parse_decimal("-1e309"));
  EXPECT_FALSE(parse_decimal("1.7976931348623159e308"));
  EXPECT_FALSE(parse_decimal("1e-400"));
  EXPECT_EQ(parse_decimal("0e-400"), 0.0);
}

TEST(ExactInteger, ConvertsOnlyExactIntegersInRange) {
  EXPECT_EQ(exact_integer(3.0, 0, 10), 3);
  EXPECT_EQ(exact_integer(-0.0, 0, 10), 0);
  EXPECT_FALSE(exact_integer(2.5, 0, 10));
  EXPECT_FALSE(exact_integer(11.0, 0, 10));
  EXPECT_FALSE(exact_integer(-1.0, 0, 10));
  EXPECT_FALSE(exact_integer(std::nan(""), kInt64Min, kInt64Max));
  EXPECT_FALSE(exact_integer(HUGE_VAL, kInt64Min, kInt64Max));
  // 2^63 does not fit an int64; -2^63 does. Both are exact doubles, so no rounding hides the edge.
  EXPECT_FALSE(exact_integer(9223372036854775808.0, kInt64Min, kInt64Max));
  EXPECT_EQ(exact_integer(-9223372036854775808.0, kInt64Min, kInt64Max), kInt64Min);
  EXPECT_FALSE(exact_integer(1e20, kInt64Min, kInt64Max));
}

TEST(ParseInteger, GoesThroughTheDecimalParser) {
  EXPECT_EQ(parse_integer("12", 0, 100), 12);
  EXPECT_EQ(parse_integer("12.0", 0, 100), 12);
  EXPECT_EQ(parse_integer("1.2e1", 0, 100), 12);
  EXPECT_EQ(parse_integer("+7", 0, 100), 7);
  EXPECT_FALSE(parse_integer("2.5", 0, 100));
  EXPECT_FALSE(parse_integer("1e10", 0, 100));
  EXPECT_FALSE(parse_integer("-1", 0, 100));
  EXPECT_FALSE(parse_integer("0x10", 0, 100));
  EXPECT_FALSE(parse_integer("1e309", kInt64Min, kInt64Max));
  EXPECT_FALSE(parse_integer("", 0, 100));
}

}  // namespace
}  // namespace vvc
