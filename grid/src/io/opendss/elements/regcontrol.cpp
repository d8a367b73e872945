// RegControl: a regulator control on one winding of a transformer (RegulatorControl,
// multiphase_network.hpp); the control loop itself is the power flow's (docs/algorithms/three-phase.md). It
// builds in the second pass, after the transformers: TapNum sets the controlled winding's starting tap.
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
            {"delay", "tapdelay", "debugtrace", "eventlog"}) {}

  int build_pass() const override { return 1; }

 private:
  bool apply_property(RegControlSpec& s, const std::string& prop, const std::string& value,
                      const Location& at, ReaderContext& context) const override {
    RegulatorControl& c = s.control;
    if (prop == "transformer") {
      s.transformer = lower(strip_brackets(value));
    } else if (prop == "winding") {
      c.winding = parse_integer(value, 1, 3) - 1;
    } else if (prop == "vreg") {
      c.vreg = parse_number(value);
    } else if (prop == "band") {
      c.band = parse_number(value);
    } else if (prop == "ptratio") {
      c.pt_ratio = parse_positive(value);
    } else if (prop == "ctprim") {
      c.ct_primary_a = parse_positive(value);
    } else if (prop == "r") {
      c.r_v = parse_number(value);
    } else if (prop == "x") {
      c.x_v = parse_number(value);
    } else if (prop == "maxtapchange") {
      c.max_tap_change = parse_integer(value, 0, kMaxCount);
    } else if (prop == "tapnum") {
      s.tap_number = parse_integer(value, -kMaxCount, kMaxCount);
    } else if (prop == "enabled") {
      c.enabled = parse_bool(value);
    } else if (prop == "reversible") {
      if (parse_bool(value)) context.unsupported(at, "reversible RegControl");
    } else if (prop == "tapwinding") {
      if (parse_integer(value, 1, 3) - 1 != c.winding) {
        context.unsupported(at, "RegControl with tapwinding different from winding");
      }
    } else if (prop == "ptphase") {
      const std::string ph = lower(strip_brackets(value));
      if (ph != "1") context.unsupported(at, "RegControl PTphase=" + value);
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
    const std::string target = "Transformer." + s.transformer;
    for (size_t i = 0; i < net.transformers.size(); ++i) {
      if (lower(net.transformers[i].name) == lower(target)) c.transformer = static_cast<int>(i);
    }
    if (c.transformer < 0) {
      fail(s.at, "RegControl." + c.name + ": transformer '" + s.transformer + "' is not defined");
    }
    PhaseTransformer& t = net.transformers[static_cast<size_t>(c.transformer)];
    if (c.winding >= t.windings) {
      fail(s.at, "RegControl." + c.name + ": transformer '" + s.transformer + "' has no winding " +
                     std::to_string(c.winding + 1));
    }
    if (s.tap_number) {
      t.tap[static_cast<size_t>(c.winding)] = 1.0 + *s.tap_number * t.tap_increment();
      net.elements[static_cast<size_t>(t.element)].y = transformer_admittance(t, t.tap);
    }
    net.regulators.push_back(c);
  }
};

}  // namespace

std::unique_ptr<ElementClass> make_regcontrol() { return std::make_unique<RegControlClass>(); }

}  // namespace vvc::grid::dss
