// Load: per-phase power at the per-phase base voltage, with OpenDSS's load models (1 constant PQ, 2 constant
// Z, 4 CVR, 5 constant |I|, 8 ZIP) and its reversion to constant impedance outside [vminpu, vmaxpu].
#include <algorithm>
#include <array>

#include "../builder.hpp"
#include "../element_class.hpp"
#include "../lexer.hpp"

namespace vvc::grid::dss {

namespace {

struct LoadSpec {
  Location at;
  std::string name;
  std::string bus1;
  int phases = 3;
  double kv = 12.47, kw = 10.0, kvar = 0.0, pf = 0.88;
  bool kvar_given = false;  // the later of kvar and pf wins, as in OpenDSS
  int model = 1;
  double cvr_watts = 1.0, cvr_vars = 2.0;
  Connection connection = Connection::kWye;
  double vminpu = 0.95, vmaxpu = 1.05, vlowpu = 0.50;
  std::array<double, 7> zipv{};
  bool zipv_given = false;
  std::string daily;
  bool enabled = true;
};

class LoadClass final : public ElementStore<LoadSpec> {
 public:
  LoadClass()
      : ElementStore({"phases",    "bus1",
                      "kv",        "kw",
                      "pf",        "model",
                      "yearly",    "daily",
                      "duty",      "growth",
                      "conn",      "kvar",
                      "rneut",     "xneut",
                      "status",    "class",
                      "vminpu",    "vmaxpu",
                      "vminnorm",  "vminemerg",
                      "xfkva",     "allocationfactor",
                      "kva",       "%mean",
                      "%stddev",   "cvrwatts",
                      "cvrvars",   "kwh",
                      "kwhdays",   "cfactor",
                      "cvrcurve",  "numcust",
                      "zipv",      "%seriesrl",
                      "relweight", "vlowpu",
                      "puxharm",   "xrharm",
                      "spectrum",  "basefreq",
                      "enabled",   "like"},
                     {"yearly", "duty", "growth", "class", "vminnorm", "vminemerg", "xfkva",
                      "allocationfactor", "%mean", "%stddev", "kwh", "kwhdays", "cfactor", "numcust",
                      "%seriesrl", "relweight", "puxharm", "xrharm", "spectrum"}) {}

 private:
  bool apply_property(LoadSpec& s, const std::string& prop, const std::string& value, const Location& at,
                      ReaderContext& context) const override {
    if (prop == "bus1") {
      s.bus1 = strip_brackets(value);
    } else if (prop == "phases") {
      s.phases = parse_integer(value, 1, 3);
    } else if (prop == "kv") {
      s.kv = parse_positive(value);
    } else if (prop == "kw") {
      s.kw = parse_number(value);
    } else if (prop == "kvar") {
      s.kvar = parse_number(value);
      s.kvar_given = true;
    } else if (prop == "pf") {
      s.pf = parse_power_factor(value);
      s.kvar_given = false;
    } else if (prop == "model") {
      s.model = parse_integer(value, 1, 8);
      if (s.model != 1 && s.model != 2 && s.model != 4 && s.model != 5 && s.model != 8) {
        context.unsupported(at, "Load model " + value + " (supported: 1, 2, 4, 5, 8)");
        s.model = 1;
      }
    } else if (prop == "conn") {
      s.connection = parse_connection(value, at);
    } else if (prop == "cvrwatts") {
      s.cvr_watts = parse_number(value);
    } else if (prop == "cvrvars") {
      s.cvr_vars = parse_number(value);
    } else if (prop == "vminpu") {
      s.vminpu = parse_number(value);
    } else if (prop == "vmaxpu") {
      s.vmaxpu = parse_number(value);
    } else if (prop == "vlowpu") {
      s.vlowpu = parse_number(value);
    } else if (prop == "zipv") {
      const std::vector<double> v = parse_numbers(value);
      if (v.size() != 7) fail(at, "Load: ZIPV needs 7 values, got " + std::to_string(v.size()));
      std::copy(v.begin(), v.end(), s.zipv.begin());
      s.zipv_given = true;
    } else if (prop == "enabled") {
      s.enabled = parse_bool(value);
    } else if (prop == "daily") {
      s.daily = lower(strip_brackets(value));
    } else if (prop == "status") {
      const std::string st = lower(strip_brackets(value));
      if (st != "variable" && st != "fixed" && st != "exempt")
        fail(at, "Load: unknown status '" + value + "'");
    } else {
      return false;
    }
    return true;
  }

  void build_element(const LoadSpec& s, NetworkBuilder& builder) const override {
    if (!s.enabled) return;
    PhaseLoad l;
    l.name = s.name;
    l.connection = s.connection;
    l.phases = s.phases;
    l.nodes = builder.terminal_nodes(s.bus1, shunt_conductors(s.connection, s.phases), s.phases, s.at);
    l.model = s.model;
    l.cvr_watts = s.cvr_watts;
    l.cvr_vars = s.cvr_vars;
    if (s.model == 8) {
      if (!s.zipv_given) fail(s.at, "Load: model 8 (ZIP) needs ZIPV");
      l.zipv = s.zipv;
    }
    const double kvar = s.kvar_given ? s.kvar : reactive_power_at(s.kw, s.pf);
    l.p_w = s.kw * 1000.0 / s.phases;
    l.q_var = kvar * 1000.0 / s.phases;
    l.v_base_v = phase_element_volts(s.kv, s.connection, s.phases);
    l.vminpu = s.vminpu;
    l.vmaxpu = s.vmaxpu;
    l.vlowpu = s.vlowpu;
    builder.network().loads.push_back(std::move(l));
    if (!s.daily.empty()) builder.set_daily_shape(builder.network().loads.size() - 1, s.daily, s.at);
  }
};

}  // namespace

std::unique_ptr<ElementClass> make_load() { return std::make_unique<LoadClass>(); }

}  // namespace vvc::grid::dss
