// Vsource (and the Circuit's source, Vsource.source): an ideal source behind its 3x3 (or 1x1) impedance, from
// R1..X0 in ohm or from the short-circuit data as OpenDSS does: |Z1| = kV^2 / MVAsc3 split by X1/R1, and Z0
// with ratio X0/R0 such that |2 Z1 + Z0| = 3 kV^2 / MVAsc1 (Isc data: MVAsc = sqrt 3 kV Isc / 1000).
#include <cmath>
#include <numbers>

#include "../builder.hpp"
#include "../element_class.hpp"
#include "../lexer.hpp"

namespace vvc::grid::dss {

namespace {

struct VsourceSpec {
  Location at;
  std::string name;
  std::string bus1 = "sourcebus", bus2;
  double basekv = 115.0, pu = 1.0, angle_deg = 0.0;
  int phases = 3;
  double mvasc3 = 2000.0, mvasc1 = 2100.0, x1r1 = 4.0, x0r0 = 3.0;
  double isc3 = 10000.0, isc1 = 10500.0;
  double r1 = 1.65, x1 = 6.6, r0 = 1.9, x0 = 5.7;
  enum class Spec { kMva, kIsc, kOhm } spec = Spec::kMva;
  bool enabled = true;
};

class VsourceClass final : public ElementStore<VsourceSpec> {
 public:
  VsourceClass()
      : ElementStore({"bus1",   "basekv", "pu",       "angle",    "frequency", "phases",  "mvasc3",
                      "mvasc1", "x1r1",   "x0r0",     "isc3",     "isc1",      "r1",      "x1",
                      "r0",     "x0",     "scantype", "sequence", "bus2",      "z1",      "z0",
                      "z2",     "puz1",   "puz0",     "puz2",     "basemva",   "yearly",  "daily",
                      "duty",   "model",  "puzideal", "spectrum", "basefreq",  "enabled", "like"},
                     {"yearly", "daily", "duty", "spectrum"}) {}

 private:
  bool apply_property(VsourceSpec& s, const std::string& prop, const std::string& value, const Location& at,
                      ReaderContext& context) const override {
    using Spec = VsourceSpec::Spec;
    if (prop == "bus1") {
      s.bus1 = strip_brackets(value);
    } else if (prop == "bus2") {
      s.bus2 = strip_brackets(value);
    } else if (prop == "basekv") {
      s.basekv = parse_positive(value);
    } else if (prop == "pu") {
      s.pu = parse_number(value);
    } else if (prop == "angle") {
      s.angle_deg = parse_number(value);
    } else if (prop == "phases") {
      s.phases = parse_integer(value, 1, kMaxPhases);
      if (s.phases != 3 && s.phases != 1) context.unsupported(at, "Vsource with " + value + " phases");
    } else if (prop == "mvasc3") {
      s.mvasc3 = parse_positive(value), s.spec = Spec::kMva;
    } else if (prop == "mvasc1") {
      s.mvasc1 = parse_positive(value), s.spec = Spec::kMva;
    } else if (prop == "isc3") {
      s.isc3 = parse_positive(value), s.spec = Spec::kIsc;
    } else if (prop == "isc1") {
      s.isc1 = parse_positive(value), s.spec = Spec::kIsc;
    } else if (prop == "x1r1") {
      s.x1r1 = parse_number(value);
    } else if (prop == "x0r0") {
      s.x0r0 = parse_number(value);
    } else if (prop == "r1") {
      s.r1 = parse_number(value), s.spec = Spec::kOhm;
    } else if (prop == "x1") {
      s.x1 = parse_number(value), s.spec = Spec::kOhm;
    } else if (prop == "r0") {
      s.r0 = parse_number(value), s.spec = Spec::kOhm;
    } else if (prop == "x0") {
      s.x0 = parse_number(value), s.spec = Spec::kOhm;
    } else if (prop == "basemva") {
      context.settings.base_mva = parse_positive(value);
    } else if (prop == "frequency" || prop == "basefreq") {
      context.settings.frequency_hz = parse_positive(value);
    } else if (prop == "enabled") {
      s.enabled = parse_bool(value);
    } else {
      return false;
    }
    return true;
  }

  void build_element(const VsourceSpec& s, NetworkBuilder& builder) const override {
    if (!s.enabled) return;
    const int n = s.phases;
    Complex z1, z0;
    if (s.spec == VsourceSpec::Spec::kOhm) {
      z1 = {s.r1, s.x1};
      z0 = {s.r0, s.x0};
    } else {
      double mva3 = s.mvasc3, mva1 = s.mvasc1;
      if (s.spec == VsourceSpec::Spec::kIsc) {
        mva3 = std::numbers::sqrt3 * s.basekv * s.isc3 / 1000.0;
        mva1 = std::numbers::sqrt3 * s.basekv * s.isc1 / 1000.0;
      }
      // |Z1| from the 3-phase short-circuit power; Z0 so that |2 Z1 + Z0| = 3 V_LN / I_sc1.
      const double z1_mag = s.basekv * s.basekv / mva3;
      const double r1 = z1_mag / std::sqrt(1.0 + s.x1r1 * s.x1r1);
      const double x1 = r1 * s.x1r1;
      const double a = 1.0 + s.x0r0 * s.x0r0;
      const double b = 4.0 * (r1 + x1 * s.x0r0);
      const double three_z = 3.0 * s.basekv * s.basekv / mva1;
      const double c = 4.0 * (r1 * r1 + x1 * x1) - three_z * three_z;
      const double r0 = (-b + std::sqrt(b * b - 4.0 * a * c)) / (2.0 * a);
      // No real root, or only a negative one: no zero-sequence impedance gives this single-phase short-circuit
      // level (OpenDSS silently takes R0 = 0 then).
      if (!(r0 >= 0.0)) {
        fail(s.at, "Vsource." + s.name +
                       ": the single-phase short-circuit level is too high for the three-phase one (no "
                       "zero-sequence impedance gives it)");
      }
      z1 = {r1, x1};
      z0 = {r0, r0 * s.x0r0};
    }
    Eigen::MatrixXcd z = Eigen::MatrixXcd::Constant(n, n, (z0 - z1) / 3.0);
    z.diagonal().setConstant(n == 1 ? z1 : (2.0 * z1 + z0) / 3.0);
    const std::vector<int> bus_nodes = builder.terminal_nodes(s.bus1, n, n, s.at);
    if (!s.bus2.empty()) builder.context().unsupported(s.at, "Vsource with bus2");
    PrimitiveElement e;
    e.name = "Vsource." + s.name;
    e.kind = ElementKind::kSourceImpedance;
    e.terminals = 2;
    e.conductors = n;
    const double v_ln = s.pu * s.basekv * 1000.0 / (n == 1 ? 1.0 : std::numbers::sqrt3);
    for (int k = 0; k < n; ++k) {
      e.nodes.push_back(builder.add_source_node(
          k + 1, std::polar(v_ln, (s.angle_deg - 120.0 * k) * std::numbers::pi / 180.0)));
    }
    e.nodes.insert(e.nodes.end(), bus_nodes.begin(), bus_nodes.end());
    e.y = two_terminal(z.inverse(), Eigen::MatrixXcd::Zero(n, n));
    builder.network().elements.push_back(std::move(e));
  }
};

}  // namespace

std::unique_ptr<ElementClass> make_vsource() { return std::make_unique<VsourceClass>(); }

}  // namespace vvc::grid::dss
