// Capacitor: a bank of one or more steps (numsteps), each of kvar at kV, in service or not (states). Wye:
// per-phase susceptance B = kvar / phases / V^2 to bus2 (default ground), V = kV / sqrt 3 for 2 and 3 phases;
// delta (3 phases): B between each pair of phases at V = kV. As in OpenDSS (Capacitor.pas RecalcElementData),
// every step's susceptance is computed from the first step's kvar. A CapControl switches the steps
// (PhaseCapacitor, multiphase_network.hpp).
#include "../builder.hpp"
#include "../element_class.hpp"
#include "../lexer.hpp"

namespace vvc::grid::dss {

namespace {

struct CapacitorSpec {
  Location at;
  std::string name;
  std::string bus1, bus2;
  int phases = 3;
  std::vector<double> kvar{1200.0};  // one entry per step
  std::vector<int> states{1};
  double kv = 12.47;
  Connection connection = Connection::kWye;
  bool enabled = true;
};

class CapacitorClass final : public ElementStore<CapacitorSpec> {
 public:
  CapacitorClass()
      : ElementStore({"bus1",      "bus2",      "phases",  "kvar",   "kv",       "conn",    "cmatrix",
                      "cuf",       "r",         "xl",      "harm",   "numsteps", "states",  "normamps",
                      "emergamps", "faultrate", "pctperm", "repair", "basefreq", "enabled", "like"},
                     {"normamps", "emergamps", "faultrate", "pctperm", "repair"}) {}

 private:
  bool apply_property(CapacitorSpec& s, const std::string& prop, const std::string& value, const Location& at,
                      ReaderContext& /*context*/) const override {
    const size_t steps = s.kvar.size();
    auto per_step = [&](const std::string& what) {
      const std::vector<double> v = parse_numbers(value);
      if (v.size() != steps) {
        fail(at, "Capacitor " + what + ": expected " + std::to_string(steps) +
                     " values (one per step; numsteps=" + std::to_string(steps) + "), got " +
                     std::to_string(v.size()));
      }
      return v;
    };
    if (prop == "bus1") {
      s.bus1 = strip_brackets(value);
    } else if (prop == "bus2") {
      s.bus2 = strip_brackets(value);
    } else if (prop == "phases") {
      s.phases = parse_integer(value, 1, 3);
    } else if (prop == "kvar") {
      s.kvar = per_step("kvar");
    } else if (prop == "kv") {
      s.kv = parse_positive(value);
    } else if (prop == "conn") {
      s.connection = parse_connection(value, at);
    } else if (prop == "numsteps") {
      const int n = parse_integer(value, 1, kMaxCount);
      if (static_cast<size_t>(n) != steps) {
        // OpenDSS: from one step, the bank's kvar splits equally over the new steps, all in service; from
        // several, the steps are kept or added.
        if (steps == 1) {
          s.kvar.assign(static_cast<size_t>(n), s.kvar[0] / n);
          s.states.assign(static_cast<size_t>(n), 1);
        } else {
          s.kvar.resize(static_cast<size_t>(n), 0.0);
          s.states.resize(static_cast<size_t>(n), 0);
        }
      }
    } else if (prop == "states") {
      const std::vector<double> v = per_step("states");
      for (size_t k = 0; k < steps; ++k) {
        if (v[k] != 0.0 && v[k] != 1.0) fail(at, "Capacitor states: expected 0 or 1 per step");
        s.states[k] = static_cast<int>(v[k]);
      }
    } else if (prop == "enabled") {
      s.enabled = parse_bool(value);
    } else {
      return false;
    }
    return true;
  }

  void build_element(const CapacitorSpec& s, NetworkBuilder& builder) const override {
    if (!s.enabled) return;
    const int n = s.phases;
    const double v = phase_element_volts(s.kv, s.connection, n);
    const double b = s.kvar[0] * 1000.0 / n / (v * v);
    PrimitiveElement e;
    e.name = "Capacitor." + s.name;
    e.kind = ElementKind::kCapacitor;
    Eigen::MatrixXcd step;
    if (s.connection == Connection::kWye) {
      e.terminals = 2;
      e.conductors = n;
      e.nodes = builder.terminal_nodes(s.bus1, n, n, s.at);
      const std::vector<int> to = s.bus2.empty() ? std::vector<int>(static_cast<size_t>(n), kGroundNode)
                                                 : builder.terminal_nodes(s.bus2, n, n, s.at);
      e.nodes.insert(e.nodes.end(), to.begin(), to.end());
      step = two_terminal(Eigen::MatrixXcd::Identity(n, n) * Complex(0.0, b), Eigen::MatrixXcd::Zero(n, n));
    } else {
      if (n != 3) {
        builder.context().unsupported(s.at, "delta Capacitor with " + std::to_string(n) + " phases");
        return;
      }
      if (!s.bus2.empty()) fail(s.at, "Capacitor: a delta capacitor has no bus2");
      e.terminals = 1;
      e.conductors = n;
      e.nodes = builder.terminal_nodes(s.bus1, n, n, s.at);
      step = Eigen::MatrixXcd::Zero(n, n);
      for (int i = 0; i < n; ++i) {
        const int j = (i + 1) % n;
        step(i, i) += Complex(0.0, b);
        step(j, j) += Complex(0.0, b);
        step(i, j) -= Complex(0.0, b);
        step(j, i) -= Complex(0.0, b);
      }
    }
    MultiphaseNetwork& net = builder.network();
    PhaseCapacitor c;
    c.name = s.name;
    c.element = static_cast<int>(net.elements.size());
    c.phases = n;
    c.connection = s.connection;
    c.step_y.assign(s.kvar.size(), step);
    c.states = s.states;
    for (double kvar : s.kvar) c.total_kvar += kvar;
    e.y = capacitor_admittance(c, c.states);
    net.elements.push_back(std::move(e));
    net.capacitors.push_back(std::move(c));
  }
};

}  // namespace

std::unique_ptr<ElementClass> make_capacitor() { return std::make_unique<CapacitorClass>(); }

}  // namespace vvc::grid::dss
