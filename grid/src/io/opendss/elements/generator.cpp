// Generator in its snapshot behaviour, model 1 (OpenDSS Generator.pas, DoConstantPQGen): a constant P + jQ
// injection of kW and kvar (or kvar from pf, the later of the two wins, as for a Load), split equally over the
// phases; outside [vminpu, vmaxpu] of the per-phase base voltage it reverts to the constant impedance that
// injects the nominal power at the limit (Yeq / vminpu^2 below, Yeq / vmaxpu^2 above), exactly as a model-1
// Load does with negative power. A 1-phase generator's kv is the voltage across it; 2- and 3-phase wye
// generators take kv line to line.
#include "../builder.hpp"
#include "../element_class.hpp"
#include "../lexer.hpp"

namespace vvc::grid::dss {

namespace {

struct GeneratorSpec {
  Location at;
  std::string name;
  std::string bus1;
  int phases = 3;
  double kv = 12.47, kw = 1000.0, pf = 0.88, kvar = 0.0;
  bool kvar_given = false;  // the later of kvar and pf wins
  Connection connection = Connection::kWye;
  double vminpu = 0.90, vmaxpu = 1.10;
  std::string daily;
  bool enabled = true;
};

class GeneratorClass final : public ElementStore<GeneratorSpec> {
 public:
  GeneratorClass()
      : ElementStore(
            {"phases",    "bus1",       "kv",        "kw",        "pf",       "kvar",       "model",
             "vminpu",    "vmaxpu",     "yearly",    "daily",     "duty",     "dispmode",   "dispvalue",
             "conn",      "rneut",      "xneut",     "status",    "class",    "vpu",        "maxkvar",
             "minkvar",   "pvfactor",   "forceon",   "kva",       "mva",      "xd",         "xdp",
             "xdpp",      "h",          "d",         "usermodel", "userdata", "shaftmodel", "shaftdata",
             "dutystart", "debugtrace", "balanced",  "xrdp",      "usefuel",  "fuelkwh",    "%fuel",
             "%reserve",  "refuel",     "dynamiceq", "dynout",    "spectrum", "basefreq",   "enabled",
             "like"},
            // Dynamics, fuel, harmonics and the time-series modes' settings: no effect on a snapshot of
            // a model-1 generator.
            {"yearly",    "duty",      "dispmode",   "dispvalue", "rneut",    "xneut",   "status",
             "class",     "vpu",       "maxkvar",    "minkvar",   "pvfactor", "forceon", "kva",
             "mva",       "xd",        "xdp",        "xdpp",      "h",        "d",       "shaftmodel",
             "shaftdata", "dutystart", "debugtrace", "xrdp",      "usefuel",  "fuelkwh", "%fuel",
             "%reserve",  "refuel",    "dynamiceq",  "dynout",    "spectrum"}) {}

 private:
  bool apply_property(GeneratorSpec& s, const std::string& prop, const std::string& value, const Location& at,
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
      if (parse_integer(value, 1, 7) != 1) context.unsupported(at, "Generator model " + value);
    } else if (prop == "conn") {
      s.connection = parse_connection(value, at);
    } else if (prop == "vminpu") {
      s.vminpu = parse_number(value);
    } else if (prop == "vmaxpu") {
      s.vmaxpu = parse_number(value);
    } else if (prop == "daily") {
      s.daily = lower(strip_brackets(value));
    } else if (prop == "balanced") {
      if (parse_bool(value)) context.unsupported(at, "Generator balanced=yes");
    } else if (prop == "usermodel" || prop == "userdata") {
      if (!strip_brackets(value).empty()) context.unsupported(at, "Generator " + prop);
    } else if (prop == "enabled") {
      s.enabled = parse_bool(value);
    } else {
      return false;
    }
    return true;
  }

  void build_element(const GeneratorSpec& s, NetworkBuilder& builder) const override {
    if (!s.enabled) return;
    const double kvar = s.kvar_given ? s.kvar : reactive_power_at(s.kw, s.pf);
    PhaseLoad l;
    l.name = "generator." + s.name;
    l.connection = s.connection;
    l.phases = s.phases;
    l.nodes = builder.terminal_nodes(s.bus1, shunt_conductors(s.connection, s.phases), s.phases, s.at);
    l.model = 1;
    l.p_w = -s.kw * 1000.0 / s.phases;  // an injection: negative consumption
    l.q_var = -kvar * 1000.0 / s.phases;
    l.v_base_v = phase_element_volts(s.kv, s.connection, s.phases);
    l.vminpu = s.vminpu;
    l.vmaxpu = s.vmaxpu;
    l.vlowpu = 0.0;  // a generator has no linear region below vminpu: constant impedance down to 0
    builder.network().loads.push_back(std::move(l));
    if (!s.daily.empty()) builder.set_daily_shape(builder.network().loads.size() - 1, s.daily, s.at);
  }
};

}  // namespace

std::unique_ptr<ElementClass> make_generator() { return std::make_unique<GeneratorClass>(); }

}  // namespace vvc::grid::dss
