// Transformer: a 2- or 3-winding unit (1 or 3 phases) in OpenDSS's model (PhaseTransformer,
// multiphase_network.hpp): winding kV, kVA, connection, resistance and tap; short-circuit reactances between
// winding pairs; core losses and magnetizing current; the tap range that a RegControl moves in. Its data may
// come from an XfmrCode (xfmrcode=, elements/xfmrcode.cpp), as the IEEE 8500-node feeder's 1,177 service
// transformers do.
#include "transformer.hpp"

#include "../builder.hpp"
#include "../element_class.hpp"
#include "../lexer.hpp"

namespace vvc::grid::dss {

bool apply_transformer_data(PhaseTransformer& t, int& active_winding, const std::string& prop,
                            const std::string& value, const Location& at, ReaderContext& context) {
  const size_t w = static_cast<size_t>(active_winding);
  const size_t nw = static_cast<size_t>(t.windings);
  auto per_winding = [&](const std::string& what) {
    const std::vector<double> v = parse_numbers(value);
    if (v.size() != nw) {
      fail(at, "Transformer " + what + ": expected " + std::to_string(nw) +
                   " values (one per winding), got " + std::to_string(v.size()));
    }
    return v;
  };
  auto pair_index = [&](int i, int j) {
    return static_cast<size_t>(i * (t.windings - 1) - i * (i - 1) / 2 + (j - i - 1));
  };
  auto set_pair = [&](int i, int j) {
    if (j >= t.windings)
      fail(at, "Transformer " + prop + ": the transformer has " + std::to_string(nw) + " windings");
    t.x_pu[pair_index(i, j)] = parse_number(value) / 100.0;
  };
  if (prop == "phases") {
    t.phases = parse_integer(value, 1, kMaxPhases);
    if (t.phases != 1 && t.phases != 3) context.unsupported(at, "Transformer with " + value + " phases");
  } else if (prop == "windings") {
    const int n = parse_integer(value, 1, kMaxWindings);
    if (n != 2 && n != 3) {
      context.unsupported(at, "Transformer with " + value + " windings (only 2- and 3-winding transformers)");
      return true;
    }
    // OpenDSS's defaults for the windings: 12.47 kV, 1000 kVA, wye, 0.2 % R, tap 1; X12 7 %, X13 35 %,
    // X23 30 %.
    t.windings = n;
    const size_t un = static_cast<size_t>(n);
    t.connection.resize(un, Connection::kWye);
    t.kv.resize(un, 12.47);
    t.kva.resize(un, 1000.0);
    t.r_pu.resize(un, 0.002);
    t.tap.resize(un, 1.0);
    t.x_pu = n == 2 ? std::vector<double>{t.x_pu[0]} : std::vector<double>{t.x_pu[0], 0.35, 0.30};
    active_winding = 0;
  } else if (prop == "wdg") {
    active_winding = parse_integer(value, 1, t.windings) - 1;
  } else if (prop == "conn") {
    t.connection[w] = parse_connection(value, at);
  } else if (prop == "kv") {
    t.kv[w] = parse_number(value);
  } else if (prop == "kva") {
    t.kva[w] = parse_number(value);
  } else if (prop == "tap") {
    t.tap[w] = parse_number(value);
  } else if (prop == "%r") {
    t.r_pu[w] = parse_number(value) / 100.0;
  } else if (prop == "conns") {
    const std::vector<std::string> c = parse_words(value);
    if (c.size() != nw) {
      fail(at, "Transformer conns: expected " + std::to_string(nw) + " connections, got " +
                   std::to_string(c.size()));
    }
    for (size_t k = 0; k < nw; ++k) t.connection[k] = parse_connection(c[k], at);
  } else if (prop == "kvs") {
    t.kv = per_winding("kVs");
  } else if (prop == "kvas") {
    t.kva = per_winding("kVAs");
  } else if (prop == "taps") {
    t.tap = per_winding("taps");
  } else if (prop == "%rs") {
    t.r_pu = per_winding("%Rs");
    for (double& r : t.r_pu) r /= 100.0;
  } else if (prop == "xhl" || prop == "x12") {
    set_pair(0, 1);
  } else if (prop == "xht" || prop == "x13") {
    if (t.windings < 3) {
      parse_number(value);  // a 2-winding transformer has no third winding: checked, then unused
    } else {
      set_pair(0, 2);
    }
  } else if (prop == "xlt" || prop == "x23") {
    if (t.windings < 3) {
      parse_number(value);
    } else {
      set_pair(1, 2);
    }
  } else if (prop == "xscarray") {
    const std::vector<double> v = parse_numbers(value);
    if (v.size() != t.x_pu.size()) {
      fail(at, "Transformer xscarray: expected " + std::to_string(t.x_pu.size()) + " values, got " +
                   std::to_string(v.size()));
    }
    for (size_t k = 0; k < v.size(); ++k) t.x_pu[k] = v[k] / 100.0;
  } else if (prop == "%loadloss") {
    // OpenDSS splits the load loss equally between windings 1 and 2.
    t.r_pu[0] = t.r_pu[1] = parse_number(value) / 200.0;
  } else if (prop == "%noloadloss") {
    t.noload_pu = parse_number(value) / 100.0;
  } else if (prop == "%imag") {
    t.magnetizing_pu = parse_number(value) / 100.0;
  } else if (prop == "ppm_antifloat") {
    t.ppm_antifloat = parse_number(value);
  } else if (prop == "maxtap") {
    t.max_tap = parse_number(value);
  } else if (prop == "mintap") {
    t.min_tap = parse_number(value);
  } else if (prop == "numtaps") {
    t.num_taps = parse_integer(value, 1, kMaxCount);
  } else {
    return false;
  }
  return true;
}

namespace {

struct TransformerSpec {
  Location at;
  std::string name;
  PhaseTransformer model;
  std::vector<std::string> buses{std::string(), std::string()};
  int active_winding = 0;
  bool enabled = true;
};

class TransformerClass final : public ElementStore<TransformerSpec> {
 public:
  TransformerClass()
      : ElementStore(
            {"phases",   "windings",  "wdg",         "bus",       "conn",      "kv",
             "kva",      "tap",       "%r",          "rneut",     "xneut",     "buses",
             "conns",    "kvs",       "kvas",        "taps",      "xhl",       "xht",
             "xlt",      "xscarray",  "thermal",     "n",         "m",         "flrise",
             "hsrise",   "%loadloss", "%noloadloss", "normhkva",  "emerghkva", "sub",
             "maxtap",   "mintap",    "numtaps",     "subname",   "%imag",     "ppm_antifloat",
             "%rs",      "bank",      "xfmrcode",    "xrconst",   "x12",       "x13",
             "x23",      "leadlag",   "wdgcurrents", "core",      "rdcohms",   "seasons",
             "ratings",  "normamps",  "emergamps",   "faultrate", "pctperm",   "repair",
             "basefreq", "enabled",   "like"},
            {"thermal", "n", "m", "flrise", "hsrise", "normhkva", "emerghkva", "sub", "subname", "bank",
             "seasons", "ratings", "normamps", "emergamps", "faultrate", "pctperm", "repair"}) {}

 private:
  bool apply_property(TransformerSpec& s, const std::string& prop, const std::string& value,
                      const Location& at, ReaderContext& context) const override {
    PhaseTransformer& t = s.model;
    const size_t nw = static_cast<size_t>(t.windings);
    if (prop == "bus") {
      s.buses[static_cast<size_t>(s.active_winding)] = strip_brackets(value);
    } else if (prop == "buses") {
      const std::vector<std::string> b = parse_words(value);
      if (b.size() != nw) {
        fail(at,
             "Transformer buses: expected " + std::to_string(nw) + " buses, got " + std::to_string(b.size()));
      }
      s.buses = b;
    } else if (prop == "xfmrcode") {
      const std::string code = lower(strip_brackets(value));
      const XfmrCodeSpec* x = find_element<XfmrCodeSpec>(context, "xfmrcode", code);
      if (x == nullptr) fail(at, "Transformer: xfmrcode '" + value + "' is not defined");
      // The code's phases, windings and winding data replace the transformer's; its buses stay.
      const bool hv_leads_lv = t.hv_leads_lv;
      t = x->model;
      t.hv_leads_lv = hv_leads_lv;
      s.buses.resize(static_cast<size_t>(t.windings));
      if (s.active_winding >= t.windings) s.active_winding = 0;
    } else if (prop == "leadlag") {
      const std::string l = lower(strip_brackets(value));
      if (l == "lead" || l == "euro") {
        t.hv_leads_lv = true;
      } else if (l == "lag" || l == "ansi") {
        t.hv_leads_lv = false;
      } else {
        fail(at, "Transformer leadlag: expected lead or lag");
      }
    } else if (prop == "enabled") {
      s.enabled = parse_bool(value);
    } else if (apply_transformer_data(t, s.active_winding, prop, value, at, context)) {
      s.buses.resize(static_cast<size_t>(t.windings));
    } else {
      return false;
    }
    return true;
  }

  void build_element(const TransformerSpec& s, NetworkBuilder& builder) const override {
    if (!s.enabled) return;
    PhaseTransformer t = s.model;
    t.name = "Transformer." + s.name;
    const int nc = t.phases + 1;
    for (size_t w = 0; w < static_cast<size_t>(t.windings); ++w) {
      if (t.kv[w] <= 0.0 || t.kva[w] <= 0.0) fail(s.at, t.name + ": kV and kVA must be positive");
      const std::vector<int> nodes = builder.terminal_nodes(s.buses[w], nc, t.phases, s.at);
      t.nodes.insert(t.nodes.end(), nodes.begin(), nodes.end());
    }
    for (double x : t.x_pu) {
      if (x < 0.0) fail(s.at, t.name + ": short-circuit reactances must not be negative");
    }
    if (t.x_pu[0] == 0.0 && t.r_pu[0] + t.r_pu[1] == 0.0) fail(s.at, t.name + ": zero leakage impedance");
    MultiphaseNetwork& net = builder.network();
    PrimitiveElement e;
    e.name = t.name;
    e.kind = ElementKind::kTransformer;
    e.terminals = t.windings;
    e.conductors = nc;
    e.nodes = t.nodes;
    e.y = transformer_admittance(t, t.tap);
    t.element = static_cast<int>(net.elements.size());
    net.elements.push_back(std::move(e));
    net.transformers.push_back(std::move(t));
  }
};

}  // namespace

std::unique_ptr<ElementClass> make_transformer() { return std::make_unique<TransformerClass>(); }

}  // namespace vvc::grid::dss
