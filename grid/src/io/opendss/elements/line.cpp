// Line: a series impedance with shunt capacitance split between its ends, from its linecode or its own
// impedance properties. Series Z = (R + j X f / f_base) length, shunt j 2 pi f C length / 2 at each end. A
// 1-phase line given by its own sequence values takes the positive sequence (Z = Z1, C = C1), as in OpenDSS.
#include <numbers>

#include "../builder.hpp"
#include "../element_class.hpp"
#include "../lexer.hpp"
#include "linecode.hpp"

namespace vvc::grid::dss {

namespace {

struct LineSpec {
  Location at;
  std::string name;
  std::string bus1, bus2;
  ImpedanceData z;
  std::string linecode;
  double length = 1.0;
  LengthUnit length_units = LengthUnit::kNone;
  bool is_switch = false;
  bool sequence_model = false;  // the impedance comes from the line's own sequence values
  bool enabled = true;
};

class LineClass final : public ElementStore<LineSpec> {
 public:
  LineClass()
      : ElementStore(
            {"bus1",      "bus2",    "linecode", "length",   "phases",  "r1",       "x1",         "r0",
             "x0",        "c1",      "c0",       "rmatrix",  "xmatrix", "cmatrix",  "switch",     "rg",
             "xg",        "rho",     "geometry", "units",    "spacing", "wires",    "earthmodel", "cncables",
             "tscables",  "b1",      "b0",       "seasons",  "ratings", "linetype", "normamps",   "emergamps",
             "faultrate", "pctperm", "repair",   "basefreq", "enabled", "like"},
            {"seasons", "ratings", "linetype", "normamps", "emergamps", "faultrate", "pctperm", "repair"}) {}

 private:
  bool apply_property(LineSpec& s, const std::string& prop, const std::string& value, const Location& at,
                      ReaderContext& context) const override {
    if (prop == "bus1") {
      s.bus1 = strip_brackets(value);
    } else if (prop == "bus2") {
      s.bus2 = strip_brackets(value);
    } else if (prop == "linecode") {
      const std::string code = lower(strip_brackets(value));
      const LineCodeSpec* linecode = find_element<LineCodeSpec>(context, "linecode", code);
      if (linecode == nullptr) fail(at, "Line: linecode '" + value + "' is not defined");
      s.linecode = code;
      s.z = linecode->z;
      s.sequence_model = false;
    } else if (prop == "length") {
      s.length = parse_positive(value);
    } else if (prop == "units") {
      s.length_units = parse_unit(value, at);
    } else if (prop == "switch") {
      s.is_switch = parse_bool(value);
      if (s.is_switch) {
        // OpenDSS's switch: a 1 mm (0.001 length units) line of 1 ohm per unit, nearly no capacitance.
        s.linecode.clear();
        s.z.r1 = s.z.x1 = s.z.r0 = s.z.x0 = 1.0;
        s.z.c1 = 1.1;
        s.z.c0 = 1.0;
        s.z.units = LengthUnit::kNone;
        s.z.from_sequence();
        s.length = 0.001;
        s.length_units = LengthUnit::kNone;
        s.sequence_model = true;
      }
    } else if (prop == "enabled") {
      s.enabled = parse_bool(value);
    } else if (prop == "phases" || prop == "r1" || prop == "x1" || prop == "r0" || prop == "x0" ||
               prop == "c1" || prop == "c0" || prop == "b1" || prop == "b0" || prop == "rmatrix" ||
               prop == "xmatrix" || prop == "cmatrix" || prop == "basefreq") {
      if (prop == "phases" && !s.linecode.empty()) {
        if (parse_integer(value, 1, kMaxPhases) != s.z.nphases) {
          fail(at, "Line: phases=" + value + " does not match linecode '" + s.linecode + "' (" +
                       std::to_string(s.z.nphases) + " phases)");
        }
        return true;
      }
      if (prop == "rmatrix" || prop == "xmatrix" || prop == "cmatrix") {
        s.sequence_model = false;
      } else if (prop != "phases" && prop != "basefreq") {
        s.sequence_model = true;  // r1 x1 r0 x0 c1 c0 b1 b0
      }
      return apply_impedance(s.z, prop, value, at, context);
    } else {
      return false;
    }
    return true;
  }

  void finish_edit(LineSpec& s) const override {
    if (s.z.sequence_changed) s.z.from_sequence();
  }

  void build_element(const LineSpec& s, NetworkBuilder& builder) const override {
    if (!s.enabled) return;
    const int n = s.z.nphases;
    ImpedanceData z = s.z;
    if (s.sequence_model && n == 1) {
      // OpenDSS (Line.pas RecalcElementData): a 1-phase line given by sequence values is its positive
      // sequence.
      z.r0 = z.r1, z.x0 = z.x1, z.c0 = z.c1;
      z.from_sequence();
    }
    if (z.r.rows() != n || z.x.rows() != n || z.c.rows() != n) fail(s.at, "Line: matrix size mismatch");
    double length = s.length;
    if (z.units != LengthUnit::kNone && s.length_units != LengthUnit::kNone) {
      length *= meters(s.length_units) / meters(z.units);
    }
    const double frequency = builder.settings().frequency_hz;
    const double base_f = z.base_frequency > 0.0 && !builder.context().options().uniform_frequency
                              ? z.base_frequency
                              : frequency;
    const Eigen::MatrixXcd zs =
        (z.r.cast<Complex>() + Complex(0.0, frequency / base_f) * z.x.cast<Complex>()) * length;
    if (std::abs(zs.determinant()) == 0.0) fail(s.at, "Line: singular impedance matrix");
    const double omega = 2.0 * std::numbers::pi * frequency;
    const Eigen::MatrixXcd yc = Complex(0.0, omega * 1e-9 * length / 2.0) * z.c.cast<Complex>();
    PrimitiveElement e;
    e.name = "Line." + s.name;
    e.kind = s.is_switch ? ElementKind::kSwitch : ElementKind::kLine;
    e.terminals = 2;
    e.conductors = n;
    e.nodes = builder.terminal_nodes(s.bus1, n, n, s.at);
    const std::vector<int> to = builder.terminal_nodes(s.bus2, n, n, s.at);
    e.nodes.insert(e.nodes.end(), to.begin(), to.end());
    e.y = two_terminal(zs.inverse(), yc);
    builder.network().elements.push_back(std::move(e));
  }
};

}  // namespace

std::unique_ptr<ElementClass> make_line() { return std::make_unique<LineClass>(); }

}  // namespace vvc::grid::dss
