// RegControl: a regulator control on one winding of a transformer (RegulatorControl,
// multiphase_network.hpp); the control loop itself is the power flow's (docs/algorithms/three-phase.md). It
// builds in the second pass, after the transformers: TapNum sets the tapped winding's starting tap.
#include <optional>

#include "../builder.hpp"
#include "../element_class.hpp"
#include "../lexer.hpp"

namespace vvc::grid::dss {

namespace {

struct RegControlSpec {
  Location at;
  std::string name;
  RegulatorControl control;
  std::string transformer;
  std::string bus;        // the regulated bus (lower case), empty for the winding
  int bus_conductor = 1;  // its conductor 1's node number
  std::optional<int> tap_number;
};

class RegControlClass final : public ElementStore<RegControlSpec> {
 public:
  RegControlClass()
      : ElementStore(
            {"transformer", "winding",    "vreg",          "band",     "ptratio",      "ctprim",
             "r",           "x",          "bus",           "delay",    "reversible",   "revvreg",
             "revband",     "revr",       "revx",          "tapdelay", "debugtrace",   "maxtapchange",
             "inversetime", "tapwinding", "vlimit",        "ptphase",  "revthreshold", "revdelay",
             "revneutral",  "eventlog",   "remoteptratio", "tapnum",   "reset",        "ldc_z",
             "rev_z",       "cogen",      "basefreq",      "enabled",  "like"},
            {"debugtrace", "eventlog"}) {}

  int build_pass() const override { return 1; }

 private:
  bool apply_property(RegControlSpec& s, const std::string& prop, const std::string& value,
                      const Location& /*at*/, ReaderContext& /*context*/) const override {
    RegulatorControl& c = s.control;
    if (prop == "transformer") {
      s.transformer = lower(strip_brackets(value));
    } else if (prop == "winding") {
      c.winding = parse_integer(value, 1, 3) - 1;
      c.tap_winding = c.winding;  // OpenDSS resets the tapped winding with the monitored one
    } else if (prop == "tapwinding") {
      c.tap_winding = parse_integer(value, 1, 3) - 1;
    } else if (prop == "vreg") {
      c.vreg = parse_number(value);
    } else if (prop == "band") {
      c.band = parse_number(value);
    } else if (prop == "ptratio") {
      c.pt_ratio = parse_positive(value);
      c.remote_pt_ratio = c.pt_ratio;  // as OpenDSS does
    } else if (prop == "remoteptratio") {
      c.remote_pt_ratio = parse_positive(value);
    } else if (prop == "ctprim") {
      c.ct_primary_a = parse_positive(value);
    } else if (prop == "r") {
      c.r_v = parse_number(value);
    } else if (prop == "x") {
      c.x_v = parse_number(value);
    } else if (prop == "ldc_z") {
      c.ldc_z = parse_number(value);
    } else if (prop == "delay") {
      c.delay_s = parse_number(value);
    } else if (prop == "tapdelay") {
      c.tap_delay_s = parse_number(value);
    } else if (prop == "inversetime") {
      c.inverse_time = parse_bool(value);
    } else if (prop == "maxtapchange") {
      c.max_tap_change = parse_integer(value, 0, kMaxCount);
    } else if (prop == "vlimit") {
      c.vlimit = parse_number(value);
    } else if (prop == "ptphase") {
      const std::string ph = lower(strip_brackets(value));
      c.pt_phase = ph == "max" ? kPtPhaseMax : ph == "min" ? kPtPhaseMin : parse_integer(value, 1, 3);
    } else if (prop == "bus") {
      const std::string spec = lower(strip_brackets(value));
      const size_t dot = spec.find('.');
      s.bus = spec.substr(0, dot);
      s.bus_conductor =
          dot == std::string::npos
              ? 1
              : parse_integer(spec.substr(dot + 1, spec.find('.', dot + 1) - dot - 1), 1, kMaxPhases);
    } else if (prop == "tapnum") {
      s.tap_number = parse_integer(value, -kMaxCount, kMaxCount);
    } else if (prop == "enabled") {
      c.enabled = parse_bool(value);
    } else if (prop == "reversible") {
      c.reversible = parse_bool(value);
    } else if (prop == "cogen") {
      c.cogen = parse_bool(value);
    } else if (prop == "revneutral") {
      c.rev_neutral = parse_bool(value);
    } else if (prop == "revvreg") {
      c.rev_vreg = parse_number(value);
    } else if (prop == "revband") {
      c.rev_band = parse_number(value);
    } else if (prop == "revr") {
      c.rev_r_v = parse_number(value);
    } else if (prop == "revx") {
      c.rev_x_v = parse_number(value);
    } else if (prop == "rev_z") {
      c.rev_ldc_z = parse_number(value);
    } else if (prop == "revthreshold") {
      c.rev_threshold_kw = parse_number(value);
    } else if (prop == "revdelay") {
      c.rev_delay_s = parse_number(value);
    } else {
      return false;
    }
    return true;
  }

  void build_element(const RegControlSpec& s, NetworkBuilder& builder) const override {
    if (!s.control.enabled) return;
    MultiphaseNetwork& net = builder.network();
    RegulatorControl c = s.control;
    c.name = s.name;
    c.transformer = builder.transformer_index("Transformer." + s.transformer);
    if (c.transformer < 0) {
      fail(s.at, "RegControl." + c.name + ": transformer '" + s.transformer + "' is not defined");
    }
    PhaseTransformer& t = net.transformers[static_cast<size_t>(c.transformer)];
    for (const int w : {c.winding, c.tap_winding}) {
      if (w >= t.windings) {
        fail(s.at, "RegControl." + c.name + ": transformer '" + s.transformer + "' has no winding " +
                       std::to_string(w + 1));
      }
    }
    if (!s.bus.empty()) {
      // The regulated node: conductor 1 of the bus specification, measured to ground.
      const int bus = net.find_bus(s.bus);
      c.regulated_node = bus >= 0 ? net.buses[static_cast<size_t>(bus)].node_of(s.bus_conductor) : -1;
      if (c.regulated_node < 0) {
        fail(s.at,
             "RegControl." + c.name + ": bus '" + s.bus + "' has no node " + std::to_string(s.bus_conductor));
      }
      if (t.connection[static_cast<size_t>(c.winding)] != Connection::kWye) {
        builder.context().unsupported(s.at, "RegControl with a regulated bus on a delta winding");
      }
      if (c.pt_phase != 1 && c.pt_phase != kPtPhaseMax && c.pt_phase != kPtPhaseMin) {
        builder.context().unsupported(
            s.at, "RegControl with a regulated bus and PTphase=" + std::to_string(c.pt_phase));
      }
    } else if (c.pt_phase > t.phases) {
      c.pt_phase = 1;  // as OpenDSS resets it
    }
    if (s.tap_number) {
      t.tap[static_cast<size_t>(c.tap_winding)] =
          0.5 * (t.max_tap + t.min_tap) + *s.tap_number * t.tap_increment();
      net.elements[static_cast<size_t>(t.element)].y = transformer_admittance(t, t.tap);
    }
    net.regulators.push_back(c);
  }
};

}  // namespace

std::unique_ptr<ElementClass> make_regcontrol() { return std::make_unique<RegControlClass>(); }

}  // namespace vvc::grid::dss
