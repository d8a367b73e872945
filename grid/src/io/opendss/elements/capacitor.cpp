// Capacitor: one step of kvar at kV. Wye: per-phase susceptance B = kvar / phases / V^2 to bus2 (default
// ground), V = kV / sqrt 3 for 2 and 3 phases; delta (3 phases): B between each pair of phases at V = kV.

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
  double kvar = 1200.0, kv = 12.47;
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
                      ReaderContext& context) const override {
    if (prop == "bus1") {
      s.bus1 = strip_brackets(value);
    } else if (prop == "bus2") {
      s.bus2 = strip_brackets(value);
    } else if (prop == "phases") {
      s.phases = parse_integer(value, 1, 3);
    } else if (prop == "kvar") {
      const std::vector<double> v = parse_numbers(value);
      if (v.size() != 1) context.unsupported(at, "Capacitor with several steps");
      if (!v.empty()) s.kvar = v[0];
    } else if (prop == "kv") {
      s.kv = parse_positive(value);
    } else if (prop == "conn") {
      s.connection = parse_connection(value, at);
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
    const double b = s.kvar * 1000.0 / n / (v * v);
    PrimitiveElement e;
    e.name = "Capacitor." + s.name;
    e.kind = ElementKind::kCapacitor;
    if (s.connection == Connection::kWye) {
      e.terminals = 2;
      e.conductors = n;
      e.nodes = builder.terminal_nodes(s.bus1, n, n, s.at);
      const std::vector<int> to = s.bus2.empty() ? std::vector<int>(static_cast<size_t>(n), kGroundNode)
                                                 : builder.terminal_nodes(s.bus2, n, n, s.at);
      e.nodes.insert(e.nodes.end(), to.begin(), to.end());
      e.y = two_terminal(Eigen::MatrixXcd::Identity(n, n) * Complex(0.0, b), Eigen::MatrixXcd::Zero(n, n));
    } else {
      if (n != 3)
        builder.context().unsupported(s.at, "delta Capacitor with " + std::to_string(n) + " phases");
      if (!s.bus2.empty()) fail(s.at, "Capacitor: a delta capacitor has no bus2");
      e.terminals = 1;
      e.conductors = n;
      e.nodes = builder.terminal_nodes(s.bus1, n, n, s.at);
      e.y = Eigen::MatrixXcd::Zero(n, n);
      for (int i = 0; i < n; ++i) {
        const int j = (i + 1) % n;
        e.y(i, i) += Complex(0.0, b);
        e.y(j, j) += Complex(0.0, b);
        e.y(i, j) -= Complex(0.0, b);
        e.y(j, i) -= Complex(0.0, b);
      }
    }
    builder.network().elements.push_back(std::move(e));
  }
};

}  // namespace

std::unique_ptr<ElementClass> make_capacitor() { return std::make_unique<CapacitorClass>(); }

}  // namespace vvc::grid::dss
