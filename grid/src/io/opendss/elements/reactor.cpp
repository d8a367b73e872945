// Reactor: a constant impedance per phase (OpenDSS Reactor.pas), from R and X in ohm (x=, r=, z=[r x], lmh=
// in mH), from its kvar at kV (X = V^2 / (kvar / phases), V = kV / sqrt 3 for a 2- or 3-phase wye, kV
// otherwise; R as given), or from R and X matrices. With bus2 it is a series element between bus1 and bus2
// (the IEEE 8500-node feeder's source impedance), without it a shunt to ground (wye) or between phases
// (delta). A parallel resistance rp adds 1/rp to each phase's admittance.
#include <numbers>

#include "../builder.hpp"
#include "../element_class.hpp"
#include "../lexer.hpp"

namespace vvc::grid::dss {

namespace {

struct ReactorSpec {
  Location at;
  std::string name;
  std::string bus1, bus2;
  int phases = 3;
  double kvar = 100.0, kv = 12.47;
  Connection connection = Connection::kWye;
  enum class Spec { kKvar, kImpedance, kMatrix } spec = Spec::kKvar;
  double r = 0.0, x = 0.0;  // ohm per phase (x from kvar when spec is kKvar)
  double rp = 0.0;          // parallel resistance, 0: none
  std::vector<double> rmatrix, xmatrix;
  bool enabled = true;
};

class ReactorClass final : public ElementStore<ReactorSpec> {
 public:
  ReactorClass()
      : ElementStore({"bus1",      "bus2",     "phases", "kvar",     "kv",      "conn",     "rmatrix",
                      "xmatrix",   "parallel", "r",      "x",        "rp",      "z1",       "z2",
                      "z0",        "z",        "rcurve", "lcurve",   "lmh",     "normamps", "emergamps",
                      "faultrate", "pctperm",  "repair", "basefreq", "enabled", "like"},
                     {"normamps", "emergamps", "faultrate", "pctperm", "repair"}) {}

 private:
  bool apply_property(ReactorSpec& s, const std::string& prop, const std::string& value, const Location& at,
                      ReaderContext& context) const override {
    using Spec = ReactorSpec::Spec;
    if (prop == "bus1") {
      s.bus1 = strip_brackets(value);
    } else if (prop == "bus2") {
      s.bus2 = strip_brackets(value);
    } else if (prop == "phases") {
      s.phases = parse_integer(value, 1, kMaxPhases);
      s.rmatrix.clear();
      s.xmatrix.clear();
    } else if (prop == "kvar") {
      s.kvar = parse_positive(value), s.spec = Spec::kKvar;
    } else if (prop == "kv") {
      s.kv = parse_positive(value);
    } else if (prop == "conn") {
      s.connection = parse_connection(value, at);
    } else if (prop == "r") {
      s.r = parse_number(value);
    } else if (prop == "x") {
      s.x = parse_number(value), s.spec = Spec::kImpedance;
    } else if (prop == "lmh") {
      s.x = parse_number(value) * 1e-3 * 2.0 * std::numbers::pi * context.settings.frequency_hz;
      s.spec = Spec::kImpedance;
    } else if (prop == "z") {
      const std::vector<double> z = parse_numbers(value);
      if (z.size() != 2) fail(at, "Reactor z: expected [R X], got " + std::to_string(z.size()) + " values");
      s.r = z[0], s.x = z[1], s.spec = Spec::kImpedance;
    } else if (prop == "rp") {
      s.rp = parse_number(value);
    } else if (prop == "rmatrix") {
      s.rmatrix = parse_matrix(value, s.phases), s.spec = Spec::kMatrix;
    } else if (prop == "xmatrix") {
      s.xmatrix = parse_matrix(value, s.phases), s.spec = Spec::kMatrix;
    } else if (prop == "parallel") {
      if (parse_bool(value)) context.unsupported(at, "Reactor with parallel=yes");
    } else if (prop == "basefreq") {
      parse_positive(value);  // the reactances are given at the circuit's frequency
    } else if (prop == "enabled") {
      s.enabled = parse_bool(value);
    } else {
      return false;
    }
    return true;
  }

  void build_element(const ReactorSpec& s, NetworkBuilder& builder) const override {
    using Spec = ReactorSpec::Spec;
    if (!s.enabled) return;
    const int n = s.phases;
    if (s.connection == Connection::kDelta && (n != 3 || s.spec == Spec::kMatrix)) {
      // Lenient mode skips the element.
      builder.context().unsupported(s.at, s.spec == Spec::kMatrix
                                              ? std::string("delta Reactor given by matrices")
                                              : "delta Reactor with " + std::to_string(n) + " phases");
      return;
    }
    Eigen::MatrixXcd y = Eigen::MatrixXcd::Zero(n, n);
    if (s.spec == Spec::kMatrix) {
      if (s.rmatrix.size() != static_cast<size_t>(n * n) || s.xmatrix.size() != static_cast<size_t>(n * n)) {
        fail(s.at, "Reactor." + s.name + ": rmatrix and xmatrix must both be given for " + std::to_string(n) +
                       " phases");
      }
      Eigen::MatrixXcd z(n, n);
      for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
          const auto k = static_cast<size_t>(i * n + j);
          z(i, j) = Complex(s.rmatrix[k], s.xmatrix[k]);
        }
      }
      if (std::abs(z.determinant()) == 0.0) fail(s.at, "Reactor." + s.name + ": singular impedance matrix");
      y = z.inverse();
    } else {
      double x = s.x;
      if (s.spec == Spec::kKvar) {
        const double v = phase_element_volts(s.kv, s.connection, n) / 1000.0;
        x = v * v * 1000.0 / (s.kvar / n);
      }
      if (s.r == 0.0 && x == 0.0) fail(s.at, "Reactor." + s.name + ": zero impedance");
      Complex value = 1.0 / Complex(s.r, x);
      if (s.rp != 0.0) value += 1.0 / s.rp;
      y.diagonal().setConstant(value);
    }
    PrimitiveElement e;
    e.name = "Reactor." + s.name;
    e.kind = ElementKind::kReactor;
    e.conductors = n;
    if (s.connection == Connection::kDelta) {
      // Between each phase and the next, one terminal.
      if (!s.bus2.empty()) fail(s.at, "Reactor." + s.name + ": a delta reactor has no bus2");
      e.terminals = 1;
      e.nodes = builder.terminal_nodes(s.bus1, n, n, s.at);
      e.y = Eigen::MatrixXcd::Zero(n, n);
      for (int i = 0; i < n; ++i) {
        const int j = (i + 1) % n;
        const Complex value = y(i, i);
        e.y(i, i) += value;
        e.y(j, j) += value;
        e.y(i, j) -= value;
        e.y(j, i) -= value;
      }
    } else {
      e.terminals = 2;
      e.nodes = builder.terminal_nodes(s.bus1, n, n, s.at);
      const std::vector<int> to = s.bus2.empty() ? std::vector<int>(static_cast<size_t>(n), kGroundNode)
                                                 : builder.terminal_nodes(s.bus2, n, n, s.at);
      e.nodes.insert(e.nodes.end(), to.begin(), to.end());
      e.y = two_terminal(y, Eigen::MatrixXcd::Zero(n, n));
    }
    builder.network().elements.push_back(std::move(e));
  }
};

}  // namespace

std::unique_ptr<ElementClass> make_reactor() { return std::make_unique<ReactorClass>(); }

}  // namespace vvc::grid::dss
