// PVSystem in its snapshot behaviour: a constant P + jQ injection of P = Pmpp * irradiance * %Pmpp / 100
// (none below cut-in), Q from pf or kvar, P and Q scaled down together to kVA; like a load, it reverts to
// constant impedance outside [vminpu, vmaxpu].
#include <cmath>

#include "../builder.hpp"
#include "../element_class.hpp"
#include "../lexer.hpp"

namespace vvc::grid::dss {

namespace {

struct PvSystemSpec {
  Location at;
  std::string name;
  std::string bus1;
  int phases = 3;
  double kv = 12.47, irradiance = 1.0, pmpp = 500.0, pct_pmpp = 100.0, pf = 1.0, kvar = 0.0, kva = 500.0;
  bool kvar_given = false;
  double cutin_pct = 20.0;
  Connection connection = Connection::kWye;
  double vminpu = 0.90, vmaxpu = 1.10;
  std::string daily;
  bool enabled = true;
};

class PvSystemClass final : public ElementStore<PvSystemSpec> {
 public:
  PvSystemClass()
      : ElementStore({"phases",       "bus1",         "kv",
                      "irradiance",   "pmpp",         "%pmpp",
                      "temperature",  "pf",           "conn",
                      "kvar",         "kva",          "%cutin",
                      "%cutout",      "effcurve",     "p-tcurve",
                      "%r",           "%x",           "model",
                      "vminpu",       "vmaxpu",       "balanced",
                      "limitcurrent", "yearly",       "daily",
                      "duty",         "tyearly",      "tdaily",
                      "tduty",        "class",        "usercontrol",
                      "userdata",     "debugtrace",   "varfollowinverter",
                      "dutystart",    "wattpriority", "pfpriority",
                      "%pminnovars",  "%pminkvarmax", "kvarmax",
                      "kvarmaxabs",   "kvdc",         "kp",
                      "puvmax",       "spectrum",     "basefreq",
                      "enabled",      "like"},
                     {"yearly", "duty", "tyearly", "tdaily", "tduty", "class", "debugtrace", "dutystart",
                      "spectrum"}) {}

 private:
  bool apply_property(PvSystemSpec& s, const std::string& prop, const std::string& value, const Location& at,
                      ReaderContext& context) const override {
    if (prop == "bus1") {
      s.bus1 = strip_brackets(value);
    } else if (prop == "phases") {
      s.phases = parse_integer(value, 1, 3);
    } else if (prop == "kv") {
      s.kv = parse_positive(value);
    } else if (prop == "irradiance") {
      s.irradiance = parse_number(value);
    } else if (prop == "pmpp") {
      s.pmpp = parse_number(value);
    } else if (prop == "%pmpp") {
      s.pct_pmpp = parse_number(value);
    } else if (prop == "pf") {
      s.pf = parse_power_factor(value);
      s.kvar_given = false;
    } else if (prop == "kvar") {
      s.kvar = parse_number(value);
      s.kvar_given = true;
    } else if (prop == "kva") {
      s.kva = parse_positive(value);
    } else if (prop == "%cutin") {
      s.cutin_pct = parse_number(value);
    } else if (prop == "%cutout") {
      parse_number(value);  // only matters when the output falls from above cut-in, in time series
    } else if (prop == "conn") {
      s.connection = parse_connection(value, at);
    } else if (prop == "vminpu") {
      s.vminpu = parse_number(value);
    } else if (prop == "vmaxpu") {
      s.vmaxpu = parse_number(value);
    } else if (prop == "model") {
      if (parse_integer(value, 1, 3) != 1) context.unsupported(at, "PVSystem model " + value);
    } else if (prop == "enabled") {
      s.enabled = parse_bool(value);
    } else if (prop == "daily") {
      s.daily = lower(strip_brackets(value));
    } else {
      return false;
    }
    return true;
  }

  void build_element(const PvSystemSpec& s, NetworkBuilder& builder) const override {
    if (!s.enabled) return;
    double p = s.irradiance * 100.0 < s.cutin_pct ? 0.0 : s.pmpp * s.irradiance * s.pct_pmpp / 100.0;
    double q = s.kvar_given ? s.kvar : reactive_power_at(p, s.pf);
    const double apparent = std::hypot(p, q);
    if (apparent > s.kva) {
      p *= s.kva / apparent;
      q *= s.kva / apparent;
    }
    PhaseLoad l;
    l.name = "pvsystem." + s.name;
    l.connection = s.connection;
    l.phases = s.phases;
    l.nodes = builder.terminal_nodes(s.bus1, shunt_conductors(s.connection, s.phases), s.phases, s.at);
    l.model = 1;
    l.p_w = -p * 1000.0 / s.phases;  // an injection: negative consumption
    l.q_var = -q * 1000.0 / s.phases;
    l.v_base_v = phase_element_volts(s.kv, s.connection, s.phases);
    l.vminpu = s.vminpu;
    l.vmaxpu = s.vmaxpu;
    builder.network().loads.push_back(std::move(l));
    if (!s.daily.empty()) builder.set_daily_shape(builder.network().loads.size() - 1, s.daily, s.at);
  }
};

}  // namespace

std::unique_ptr<ElementClass> make_pvsystem() { return std::make_unique<PvSystemClass>(); }

}  // namespace vvc::grid::dss
