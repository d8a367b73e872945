// CapControl: switches a capacitor's steps by the current, voltage, reactive power or power factor at a
// terminal of a network element (CapacitorControl, multiphase_network.hpp); the control loop itself is the
// power flow's (docs/algorithms/three-phase.md). It builds in the second pass, after the elements it names.
#include <cctype>
#include <stdexcept>

#include "../builder.hpp"
#include "../element_class.hpp"
#include "../lexer.hpp"

namespace vvc::grid::dss {

namespace {

struct CapControlSpec {
  Location at;
  std::string name;
  CapacitorControl control;
  std::string capacitor;  // lower case
  std::string element;    // "class.name", lower case
  int terminal = 1;
  bool enabled = true;
};

// A monitored phase: a conductor number, or avg, max, min (OpenDSS's "Monitored Phase" enumeration, which
// matches on the first one or two letters).
int parse_monitored_phase(const std::string& value) {
  const std::string v = lower(strip_brackets(value));
  if (!v.empty() && std::isalpha(static_cast<unsigned char>(v[0]))) {
    if (v.rfind("av", 0) == 0) return kPhaseAverage;
    if (v.rfind("ma", 0) == 0) return kPtPhaseMax;
    if (v.rfind("mi", 0) == 0) return kPtPhaseMin;
    throw std::invalid_argument("expected a phase number, avg, max or min, got '" + value + "'");
  }
  return parse_integer(value, 1, kMaxPhases);
}

// A power-factor setting in [-1, 1] on OpenDSS's 0..2 scale: a negative (leading) value p becomes 2 + p.
double pf_scale(double value) {
  if (value < -1.0 || value > 1.0) {
    throw std::invalid_argument("expected a power factor in [-1, 1], got " + std::to_string(value));
  }
  return value < 0.0 ? 2.0 + value : value;
}

class CapControlClass final : public ElementStore<CapControlSpec> {
 public:
  CapControlClass()
      : ElementStore(
            {"element",    "terminal",      "capacitor",    "type",     "ptratio",   "ctratio",  "onsetting",
             "offsetting", "delay",         "voltoverride", "vmax",     "vmin",      "delayoff", "deadtime",
             "ctphase",    "ptphase",       "vbus",         "eventlog", "usermodel", "userdata", "pctminkvar",
             "reset",      "controlsignal", "basefreq",     "enabled",  "like"},
            {"eventlog"}) {}

  int build_pass() const override { return 1; }

 private:
  bool apply_property(CapControlSpec& s, const std::string& prop, const std::string& value,
                      const Location& at, ReaderContext& context) const override {
    CapacitorControl& c = s.control;
    if (prop == "element") {
      s.element = lower(strip_brackets(value));
    } else if (prop == "terminal") {
      s.terminal = parse_integer(value, 1, kMaxWindings);
    } else if (prop == "capacitor") {
      s.capacitor = lower(strip_brackets(value));
    } else if (prop == "type") {
      const std::string t = lower(strip_brackets(value));
      switch (t.empty() ? ' ' : t[0]) {  // OpenDSS matches the first letter
        case 'c':
          c.type = CapacitorControlType::kCurrent;
          break;
        case 'v':
          c.type = CapacitorControlType::kVoltage;
          break;
        case 'k':
          c.type = CapacitorControlType::kKvar;
          break;
        case 'p':
          // Choosing the type resets the power-factor settings to their defaults, as OpenDSS does.
          c.type = CapacitorControlType::kPowerFactor;
          c.pf_on = 0.95;
          c.pf_off = 1.05;
          break;
        case 't':
        case 'f':
          context.unsupported(at, "CapControl type '" + value + "' (time and follow need a simulation time)");
          break;
        default:
          fail(at, "CapControl type: expected current, voltage, kvar or pf, got '" + value + "'");
      }
    } else if (prop == "ptratio") {
      c.pt_ratio = parse_positive(value);
    } else if (prop == "ctratio") {
      c.ct_ratio = parse_positive(value);
    } else if (prop == "onsetting") {
      c.on_setting = parse_number(value);
      if (c.type == CapacitorControlType::kPowerFactor) c.pf_on = pf_scale(c.on_setting);
    } else if (prop == "offsetting") {
      c.off_setting = parse_number(value);
      if (c.type == CapacitorControlType::kPowerFactor) c.pf_off = pf_scale(c.off_setting);
    } else if (prop == "delay") {
      c.on_delay_s = parse_number(value);
    } else if (prop == "delayoff") {
      c.off_delay_s = parse_number(value);
    } else if (prop == "deadtime") {
      c.dead_time_s = parse_number(value);
    } else if (prop == "voltoverride") {
      c.voltage_override = parse_bool(value);
    } else if (prop == "vmax") {
      c.vmax = parse_number(value);
    } else if (prop == "vmin") {
      c.vmin = parse_number(value);
    } else if (prop == "ptphase") {
      c.pt_phase = parse_monitored_phase(value);
    } else if (prop == "ctphase") {
      c.ct_phase = parse_monitored_phase(value);
    } else if (prop == "pctminkvar") {
      c.pct_min_kvar = parse_number(value);
    } else if (prop == "basefreq") {
      parse_positive(value);  // a control has no impedance
    } else if (prop == "enabled") {
      s.enabled = parse_bool(value);
    } else {
      return false;  // vbus, usermodel, userdata, reset, controlsignal
    }
    return true;
  }

  void build_element(const CapControlSpec& s, NetworkBuilder& builder) const override {
    if (!s.enabled) return;
    MultiphaseNetwork& net = builder.network();
    CapacitorControl c = s.control;
    c.name = s.name;
    const std::string what = "CapControl." + s.name;
    if (s.capacitor.empty()) fail(s.at, what + ": no capacitor (capacitor=)");
    c.capacitor = builder.capacitor_index(s.capacitor);
    if (c.capacitor < 0) fail(s.at, what + ": capacitor '" + s.capacitor + "' is not defined or not enabled");
    if (s.element.empty()) fail(s.at, what + ": no monitored element (element=)");
    c.element = builder.element_index(s.element);
    if (c.element < 0) {
      fail(s.at, what + ": element '" + s.element +
                     "' is not defined or not enabled (a CapControl monitors a line, transformer, reactor, "
                     "capacitor or the source)");
    }
    const PrimitiveElement& e = net.elements[static_cast<size_t>(c.element)];
    if (s.terminal > e.terminals) {
      fail(s.at, what + ": element '" + s.element + "' has no terminal " + std::to_string(s.terminal));
    }
    c.terminal = s.terminal - 1;
    for (const auto& [phase, name] : {std::pair{c.pt_phase, "PTphase"}, std::pair{c.ct_phase, "CTphase"}}) {
      if (phase > e.conductors) {
        fail(s.at, what + ": " + name + "=" + std::to_string(phase) + ", but element '" + s.element +
                       "' has " + std::to_string(e.conductors) + " conductor(s) per terminal");
      }
    }
    net.capacitor_controls.push_back(c);
  }
};

}  // namespace

std::unique_ptr<ElementClass> make_capcontrol() { return std::make_unique<CapControlClass>(); }

}  // namespace vvc::grid::dss
