// Unit tests of the OpenDSS lexer: commands, parameters, numbers, RPN, arrays and matrices.
#include <gtest/gtest.h>

#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "lexer.hpp"

namespace vvc::grid {
namespace {

constexpr double kSqrt3 = std::numbers::sqrt3;

TEST(OpenDssLexer, JoinsContinuationsAndDropsComments) {
  const auto commands = dss::split_commands(
      "New Line.a bus1=x ! comment\n"
      "~ bus2=y // another\n"
      "\n"
      "more length=2\n"
      "/* block\n"
      "still comment */\n"
      "Solve\n");
  ASSERT_EQ(commands.size(), 2u);
  EXPECT_EQ(commands[0].text, "New Line.a bus1=x bus2=y length=2");
  EXPECT_EQ(commands[0].line, 1);
  EXPECT_EQ(commands[1].text, "Solve");
  EXPECT_EQ(commands[1].line, 7);
}

TEST(OpenDssLexer, SplitsNamedPositionalAndBracketedParameters) {
  const auto p =
      dss::split_parameters("New Load.l phases=1 bus.1.0 ( 0.4 3 sqrt / ) kvs = \"1 2\" x=[1 | 2 3]");
  ASSERT_EQ(p.size(), 7u);
  EXPECT_EQ(p[2].name, "phases");
  EXPECT_EQ(p[3].name, "");
  EXPECT_EQ(p[3].value, "bus.1.0");
  EXPECT_EQ(p[4].value, "( 0.4 3 sqrt / )");
  EXPECT_EQ(p[5].name, "kvs");
  EXPECT_EQ(p[5].value, "\"1 2\"");
  EXPECT_EQ(p[6].value, "[1 | 2 3]");
  EXPECT_THROW(dss::split_parameters("x=(1 2"), std::invalid_argument);
}

TEST(OpenDssLexer, EvaluatesRpnAndParsesMatrices) {
  EXPECT_NEAR(dss::parse_number("( 0.4 3 sqrt / )"), 0.4 / kSqrt3, 1e-15);
  EXPECT_DOUBLE_EQ(dss::parse_number("(0.00625 12 * 1 +)"), 1.075);
  EXPECT_DOUBLE_EQ(dss::parse_number("(8 1000 /)"), 0.008);
  EXPECT_DOUBLE_EQ(dss::parse_number(".85"), 0.85);
  EXPECT_THROW(dss::parse_number("(1 +)"), std::invalid_argument);
  EXPECT_THROW(dss::parse_number("abc"), std::invalid_argument);
  const std::vector<double> lower = dss::parse_matrix("(1 | 2 3 | 4 5 6)", 3);
  EXPECT_EQ(lower, (std::vector<double>{1, 2, 4, 2, 3, 5, 4, 5, 6}));
  const std::vector<double> full = dss::parse_matrix("[1 2 | 3 4]", 2);
  EXPECT_EQ(full, (std::vector<double>{1, 2, 3, 4}));
  EXPECT_THROW(dss::parse_matrix("(1 | 2 3)", 3), std::invalid_argument);
}

// The message of the std::invalid_argument that f throws, or "" when it throws none.
template <class F>
std::string invalid_argument_message(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(OpenDssLexer, IntegersMustBeWholeAndInRange) {
  EXPECT_EQ(dss::parse_integer("3", 1, 3), 3);
  EXPECT_EQ(dss::parse_integer("3.0", 1, 3), 3);
  EXPECT_EQ(dss::parse_integer("(6 2 /)", 1, 3), 3);
  EXPECT_EQ(dss::parse_integer("-7", -10, 10), -7);
  for (const std::string bad : {"2.5", "0", "4", "1e10", "-1e10", "(1 3 /)", "2147483648", "x"}) {
    EXPECT_THROW(dss::parse_integer(bad, 1, 3), std::invalid_argument) << bad;
  }
  EXPECT_EQ(invalid_argument_message([] { dss::parse_integer("1e10", 1, 3); }),
            "expected an integer from 1 to 3, got '1e10'");
  EXPECT_EQ(invalid_argument_message([] { dss::parse_integer("2.5", -1, 1000000); }),
            "expected an integer from -1 to 1000000, got '2.5'");
}

TEST(OpenDssLexer, RejectsNumbersThatAreNotFiniteDoubles) {
  for (const std::string bad : {"nan", "NaN", "-nan", "inf", "-inf", "+Infinity"}) {
    EXPECT_EQ(invalid_argument_message([&] { dss::parse_number(bad); }),
              "'" + bad + "' is not a finite number");
  }
  for (const std::string bad : {"1e309", "-1e309", "1e-400"}) {
    EXPECT_EQ(invalid_argument_message([&] { dss::parse_number(bad); }),
              "'" + bad + "' is outside the range of a double");
  }
  // RPN: a literal, the result, or any intermediate value out of range.
  EXPECT_EQ(invalid_argument_message([] { dss::parse_number("(1e309 1 +)"); }),
            "'1e309' is outside the range of a double");
  EXPECT_EQ(invalid_argument_message([] { dss::parse_number("(1e308 10 *)"); }),
            "RPN expression '(1e308 10 *)' gives inf or NaN");
  EXPECT_EQ(invalid_argument_message([] { dss::parse_number("(1 1e308 10 * /)"); }),
            "RPN expression '(1 1e308 10 * /)' gives inf or NaN");
  EXPECT_THROW(dss::parse_number("(0 0 /)"), std::invalid_argument);
  EXPECT_THROW(dss::parse_number("(-1 sqrt)"), std::invalid_argument);
  EXPECT_THROW(dss::parse_number("(1 0 /)"), std::invalid_argument);
  // Arrays and matrices.
  EXPECT_EQ(invalid_argument_message([] { dss::parse_numbers("[1 2 inf]"); }),
            "'inf' is not a finite number");
  EXPECT_EQ(invalid_argument_message([] { dss::parse_numbers("1e309, 2"); }),
            "'1e309' is outside the range of a double");
  EXPECT_EQ(invalid_argument_message([] { dss::parse_matrix("(1 | nan 3)", 2); }),
            "'nan' is not a finite number");
}

}  // namespace
}  // namespace vvc::grid
