// Unit tests of the OpenDSS reader: element semantics, Redirect through SourceFiles, lenient mode, bad
// numbers.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "vvc/common/errors.hpp"
#include "vvc/grid/io/opendss.hpp"
#include "vvc/grid/model/network.hpp"

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

// The InputError message of reading `text` (as test.dss), or "" when it is accepted.
std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(OpenDssReader, IntegersAreWholeAndRangeChecked) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Set maxcontroliter=1e10", "Set maxcontroliter: expected an integer from 1 to 1000000, got '1e10'"},
      {"Set maxcontroliter=2.5", "Set maxcontroliter: expected an integer from 1 to 1000000, got '2.5'"},
      {"Set maxiterations=0", "Set maxiterations: expected an integer from 1 to 1000000, got '0'"},
      {"New Linecode.c nphases=17", "Linecode.c nphases: expected an integer from 1 to 16, got '17'"},
      {"New Line.l src a phases=1.5", "Line.l phases: expected an integer from 1 to 16, got '1.5'"},
      {"New Load.l bus1=src phases=4", "Load.l phases: expected an integer from 1 to 3, got '4'"},
      {"New Load.l bus1=src model=1e300", "Load.l model: expected an integer from 1 to 8, got '1e300'"},
      {"New Capacitor.c bus1=src phases=0", "Capacitor.c phases: expected an integer from 1 to 3, got '0'"},
      {"New Transformer.t phases=-3", "Transformer.t phases: expected an integer from 1 to 16, got '-3'"},
      {"New Transformer.t windings=2.5",
       "Transformer.t windings: expected an integer from 1 to 16, got '2.5'"},
      {"New Transformer.t wdg=3", "Transformer.t wdg: expected an integer from 1 to 2, got '3'"},
      {"New Transformer.t numtaps=0",
       "Transformer.t numtaps: expected an integer from 1 to 1000000, got '0'"},
      {"New RegControl.r winding=4", "RegControl.r winding: expected an integer from 1 to 3, got '4'"},
      {"New RegControl.r tapwinding=0", "RegControl.r tapwinding: expected an integer from 1 to 3, got '0'"},
      {"New RegControl.r maxtapchange=-1",
       "RegControl.r maxtapchange: expected an integer from 0 to 1000000, got '-1'"},
      {"New RegControl.r tapnum=1e7",
       "RegControl.r tapnum: expected an integer from -1000000 to 1000000, got '1e7'"},
      {"New PVSystem.p bus1=src phases=2.5", "PVSystem.p phases: expected an integer from 1 to 3, got '2.5'"},
      {"New PVSystem.p bus1=src model=4", "PVSystem.p model: expected an integer from 1 to 3, got '4'"},
      {"New Vsource.v phases=1e10", "Vsource.v phases: expected an integer from 1 to 16, got '1e10'"},
  };
  for (const auto& [line, message] : cases) {
    EXPECT_EQ(error_of(std::string(kSource) + line + "\n"), "test.dss:3: " + message);
  }
}

TEST(OpenDssReader, RejectsNumbersThatAreNotFiniteDoublesWithFileAndLine) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"New Load.l bus1=src kw=nan", "Load.l kw: 'nan' is not a finite number"},
      {"New Load.l bus1=src kw=1e309", "Load.l kw: '1e309' is outside the range of a double"},
      {"New Load.l bus1=src kw=(1 1e308 10 * /)",
       "Load.l kw: RPN expression '(1 1e308 10 * /)' gives inf or NaN"},
      {"New Load.l bus1=src zipv=[1 0 0 1 0 0 -inf]", "Load.l zipv: '-inf' is not a finite number"},
      {"New Linecode.c nphases=2 rmatrix=(1 | 1e999 1)",
       "Linecode.c rmatrix: '1e999' is outside the range of a double"},
      {"New Transformer.t kvs=[12.47 inf]", "Transformer.t kvs: 'inf' is not a finite number"},
      {"Set voltagebases=[12.47 1e400]", "Set voltagebases: '1e400' is outside the range of a double"},
      {"Set defaultbasefreq=(1e300 1e300 *)",
       "Set defaultbasefreq: RPN expression '(1e300 1e300 *)' gives inf or NaN"},
  };
  for (const auto& [line, message] : cases) {
    EXPECT_EQ(error_of(std::string(kSource) + line + "\n"), "test.dss:3: " + message);
  }
  const MemorySourceFiles files{{"main.dss", std::string(kSource) + "BusCoords xy.csv\n"},
                                {"xy.csv", "src, 0, 0\nsrc, 1e309, 1\n"}};
  try {
    read_opendss("main.dss", files);
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "xy.csv:2: '1e309' is outside the range of a double");
  }
}

TEST(OpenDssReader, TheCircuitFrequencyIsPositive) {
  // A zero frequency would divide by zero in every reactance's f / f_base.
  EXPECT_EQ(error_of(std::string(kSource) + "Set defaultbasefreq=0\n"),
            "test.dss:3: Set defaultbasefreq: expected a number > 0, got '0'");
  EXPECT_EQ(error_of(std::string(kSource) + "Vsource.source.frequency=-50\n"),
            "test.dss:3: vsource.source frequency: expected a number > 0, got '-50'");
}

TEST(OpenDssReader, RedirectNestsAtMost64FilesDeep) {
  // main.dss redirects to d1.dss, d1 to d2, ..., dN holds a load.
  auto chain = [](int depth) {
    MemorySourceFiles files;
    files.add("main.dss", std::string(kSource) + "Redirect d1.dss\n");
    for (int k = 1; k < depth; ++k) {
      files.add("d" + std::to_string(k) + ".dss", "Redirect d" + std::to_string(k + 1) + ".dss\n");
    }
    files.add("d" + std::to_string(depth) + ".dss", "New Load.l bus1=src.1 phases=1 kv=7.2 kw=1\n");
    return files;
  };
  ASSERT_EQ(kMaxRedirectDepth, 64);
  EXPECT_EQ(read_opendss("main.dss", chain(kMaxRedirectDepth)).network.loads.size(), 1u);
  try {
    read_opendss("main.dss", chain(kMaxRedirectDepth + 1));
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "d64.dss:1: Redirect: more than 64 nested Redirect/Compile files");
  }
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

TEST(OpenDssReader, LenientModeListsAThousandWarningsAndCountsTheRest) {
  std::string script = kSource;
  for (int i = 0; i < 1005; ++i) script += "Show voltages\n";
  const OpenDssCase c = parse_opendss(script, "test.dss", ".", OpenDssOptions{.strict = false});
  ASSERT_EQ(c.warnings.size(), 1001u);
  EXPECT_EQ(c.warnings[999], "test.dss:1002: skipped unsupported command 'Show'");
  EXPECT_EQ(c.warnings[1000], "... and 5 more skipped unsupported commands, properties or values");
}

TEST(OpenDssReader, AScriptHoldsAtMostTheCaseLimitOfElementsAndCoordinates) {
  ASSERT_EQ(kMaxCaseElements, 1000000);
  std::string script = kSource;
  for (int i = 0; i < kMaxCaseElements; ++i) script += "New Loadshape.s" + std::to_string(i) + "\n";
  // The circuit's source is one element already.
  EXPECT_EQ(error_of(script), "test.dss:1000002: expected at most 1000000 elements, got more");
  std::string coords;
  for (int i = 0; i <= kMaxCaseElements; ++i) coords += "b" + std::to_string(i) + " 0 0\n";
  const MemorySourceFiles files{{"main.dss", std::string(kSource) + "BusCoords xy.csv\n"},
                                {"xy.csv", coords}};
  try {
    read_opendss("main.dss", files);
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "xy.csv:1000001: expected at most 1000000 bus coordinates, got more");
  }
}

TEST(OpenDssReader, AScriptHoldsAtMostTheCaseLimitOfBuses) {
  // Each line brings two buses of its own.
  std::string script = kSource;
  for (int i = 0; i < kMaxCaseElements / 2; ++i) {
    const std::string n = std::to_string(i);
    script += "New Line.l" + n + " phases=1 bus1=a" + n + ".1 bus2=b" + n + ".1\n";
  }
  EXPECT_EQ(error_of(script), "test.dss:500002: expected at most 1000000 buses, got more");
}

TEST(OpenDssReader, SourceShortCircuitLevelsMustBePositiveAndFitTogether) {
  EXPECT_EQ(error_of("New Circuit.c basekv=12.47 bus1=src MVAsc3=0\n"),
            "test.dss:1: Circuit.c mvasc3: expected a number > 0, got '0'");
  // Three-phase 1 MVA and single-phase 2100 MVA: no zero-sequence impedance gives that (OpenDSS takes R0 = 0).
  EXPECT_EQ(
      error_of("New Circuit.c basekv=12.47 bus1=src MVAsc3=1\n"),
      "test.dss:1: Vsource.source: the single-phase short-circuit level is too high for the three-phase one "
      "(no zero-sequence impedance gives it)");
}

TEST(OpenDssReader, FiniteValuesThatComputeToInfinityAreRejectedAtTheirElement) {
  const std::string why = " (a value too large or too small to compute with)";
  EXPECT_EQ(error_of("New Circuit.c basekv=12.47 bus1=src pu=1e306\n"),
            "test.dss:1: Vsource.source: its values give a non-finite source voltage" + why);
  // 1e-300 ohm per unit length over 1e-10 units: an impedance of 1e-310 ohm, whose inverse overflows.
  EXPECT_EQ(error_of(std::string(kSource) +
                     "New Line.l bus1=src.1 bus2=b.1 phases=1 rmatrix=[1e-300] xmatrix=[0] cmatrix=[0] "
                     "length=1e-10\n"),
            "test.dss:3: Line.l: its values give a non-finite admittance" + why);
  EXPECT_EQ(error_of(std::string(kSource) + "New Load.l bus1=src.1 phases=1 kv=7.2 kw=1e308 kvar=0\n"),
            "test.dss:3: load 'l': its values give a non-finite power or voltage" + why);
  EXPECT_EQ(error_of(std::string(kSource) + "New Transformer.t buses=[src b] maxtap=1e308 mintap=-1e308\n"),
            "test.dss:3: Transformer.t: its values give a non-finite rating, impedance or tap" + why);
  EXPECT_EQ(
      error_of(std::string(kSource) + "New Transformer.t buses=[src b] maxtap=1e308 mintap=0 numtaps=1\n"
                                      "New RegControl.r transformer=t tapnum=10\n"),
      "test.dss:4: RegControl.r: its tap of Transformer.t is not finite" + why);
}

}  // namespace
}  // namespace vvc::grid
