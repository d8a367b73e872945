// Unit tests of the OpenDSS lexer and reader.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "lexer.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/grid/io/opendss.hpp"

namespace vvc::grid {
namespace {

constexpr double kSqrt3 = std::numbers::sqrt3;

OpenDssCase parse(const std::string& text) { return parse_opendss(text, "test.dss", "."); }

const PrimitiveElement& element(const MultiphaseNetwork& net, const std::string& name) {
  for (const PrimitiveElement& e : net.elements) {
    if (e.name == name) return e;
  }
  throw std::runtime_error("no element " + name);
}

// ----- lexer -----

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

// ----- reader -----

constexpr const char* kSource =
    "Clear\n"
    "New Circuit.t basekv=12.47 pu=1.0 phases=3 bus1=src R1=0 X1=1e-6 R0=0 X0=1e-6\n";

TEST(OpenDssReader, ConvertsLengthUnitsBetweenLineAndLineCode) {
  const OpenDssCase c = parse(std::string(kSource) +
                              "New Linecode.c nphases=1 r1=0.3 x1=0.6 r0=0.3 x0=0.6 c1=0 c0=0 units=mi\n"
                              "New Line.ft src.1 a.1 linecode=c length=5280 units=ft\n"
                              "New Line.mi src.2 a.2 c length=1\n");
  const PrimitiveElement& ft = element(c.network, "Line.ft");
  const PrimitiveElement& mi = element(c.network, "Line.mi");
  ASSERT_EQ(ft.y.rows(), 2);
  const Complex y = 1.0 / Complex(0.3, 0.6);
  EXPECT_NEAR(std::abs(ft.y(0, 0) - y), 0.0, 1e-12);
  EXPECT_NEAR(std::abs(mi.y(0, 0) - y), 0.0, 1e-12);
  EXPECT_NEAR(std::abs(ft.y(0, 1) + y), 0.0, 1e-12);
}

TEST(OpenDssReader, DefaultLineCapacitanceComesFromC1AndC0) {
  // No cmatrix: OpenDSS's C1 = 3.4, C0 = 1.6 nF per length unit, half at each end.
  const OpenDssCase c = parse(std::string(kSource) +
                              "New Linecode.c nphases=3 rmatrix=(1 | 0 1 | 0 0 1) xmatrix=(1 | 0 1 | 0 0 1)\n"
                              "New Line.l src a linecode=c length=2\n");
  const PrimitiveElement& l = element(c.network, "Line.l");
  const double omega = 2.0 * std::numbers::pi * 60.0;
  const double cs = (2.0 * 3.4 + 1.6) / 3.0 * 1e-9, cm = (1.6 - 3.4) / 3.0 * 1e-9;
  const Complex ys = 1.0 / Complex(2.0, 2.0);
  EXPECT_NEAR((l.y(0, 0) - ys).imag(), omega * cs * 2.0 / 2.0, 1e-15);
  EXPECT_NEAR(l.y(0, 1).imag(), omega * cm * 2.0 / 2.0, 1e-15);
}

TEST(OpenDssReader, LikeCopiesPropertiesAndKeepsTheName) {
  const OpenDssCase c = parse(std::string(kSource) +
                              "New Load.a bus1=src.1 phases=1 kv=7.2 kw=100 kvar=50 model=2\n"
                              "New Load.b like=a bus1=src.2\n"
                              "Load.b.kw=30\n");
  ASSERT_EQ(c.network.loads.size(), 2u);
  const PhaseLoad& b = c.network.loads[1];
  EXPECT_EQ(b.name, "b");
  EXPECT_EQ(b.model, 2);
  EXPECT_DOUBLE_EQ(b.p_w, 30e3);
  EXPECT_DOUBLE_EQ(b.q_var, 50e3);
  EXPECT_DOUBLE_EQ(b.v_base_v, 7200.0);
}

TEST(OpenDssReader, PowerFactorAndKvarFollowTheLastOneGiven) {
  const OpenDssCase c = parse(std::string(kSource) +
                              "New Load.pf bus1=src phases=3 kv=12.47 kw=300 kvar=10 pf=0.8\n"
                              "New Load.kvar bus1=src phases=3 kv=12.47 kw=300 pf=0.8 kvar=10\n");
  EXPECT_NEAR(c.network.loads[0].q_var, 100e3 * 0.75, 1e-9);
  EXPECT_NEAR(c.network.loads[1].q_var, 10e3 / 3.0, 1e-9);
  EXPECT_NEAR(c.network.loads[0].v_base_v, 12470.0 / kSqrt3, 1e-9);
}

TEST(OpenDssReader, ReadsAScriptAndItsRedirectTargetsFromMemory) {
  // Redirect paths are relative to the folder of the file that names them.
  const MemorySourceFiles files{
      {"feeder/main.dss", std::string(kSource) + "Redirect parts/lines.dss\nBusCoords parts/xy.csv\n"},
      {"feeder/parts/lines.dss", "Redirect ../codes.dss\nNew Line.l src.1 a.1 linecode=c length=2\n"},
      {"feeder/codes.dss", "New Linecode.c nphases=1 r1=0.3 x1=0.6 r0=0.3 x0=0.6 c1=0 c0=0\n"},
      {"feeder/parts/xy.csv", "src, 1, 2\na, 3.5, -4\n"},
  };
  const OpenDssCase c = read_opendss("feeder/main.dss", files);
  const PrimitiveElement& line = element(c.network, "Line.l");
  EXPECT_NEAR(std::abs(line.y(0, 0) - 1.0 / Complex(0.6, 1.2)), 0.0, 1e-12);
  const PhaseBus& a = c.network.buses[static_cast<size_t>(c.network.find_bus("a"))];
  ASSERT_TRUE(a.xy.has_value());
  EXPECT_EQ(*a.xy, (std::array<double, 2>{3.5, -4.0}));
}

TEST(OpenDssReader, AFileMissingFromMemoryIsAnErrorAtItsRedirect) {
  const MemorySourceFiles files{{"main.dss", std::string(kSource) + "Redirect gone.dss\n"}};
  try {
    read_opendss("main.dss", files);
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("main.dss:3: gone.dss: cannot open"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_opendss("other.dss", files), InputError);
}

TEST(OpenDssReader, LenientModeSkipsAndWarns) {
  OpenDssOptions lenient;
  lenient.strict = false;
  // The warning of the first circuit survives the Clear that starts the second.
  const OpenDssCase c = parse_opendss(
      std::string(kSource) + "Show voltages\n" + kSource + "New Fuse.f bus1=src\nSet mode=daily\n",
      "test.dss", ".", lenient);
  ASSERT_EQ(c.warnings.size(), 3u);
  EXPECT_NE(c.warnings[0].find("test.dss:3: skipped unsupported command 'Show'"), std::string::npos);
  EXPECT_NE(c.warnings[1].find("test.dss:6"), std::string::npos);
  EXPECT_NE(c.warnings[2].find("test.dss:7"), std::string::npos);
  EXPECT_THROW(parse(std::string(kSource) + "New Fuse.f bus1=src\n"), InputError);
}

}  // namespace
}  // namespace vvc::grid
