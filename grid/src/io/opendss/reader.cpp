// The OpenDSS reader: runs the script's commands against typed element specifications (applying properties in
// the order written, as OpenDSS does), then builds the MultiphaseNetwork from the final state. Element
// semantics follow OpenDSS's LineCode, Line, Load, Capacitor, Transformer, RegControl and Vsource models; the
// details and what is not supported are in docs/formats/opendss.md.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numbers>
#include <set>
#include <sstream>
#include <stdexcept>

#include "lexer.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/grid/io/opendss.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"

namespace vvc::grid {

namespace {

using dss::lower;
using dss::Parameter;

constexpr double kSqrt3 = std::numbers::sqrt3;

struct Location {
  std::string file;
  int line = 0;
};

[[noreturn]] void fail(const Location& at, const std::string& message) {
  throw InputError::at_line(at.file, at.line, message);
}

// ----- units -----

enum class LengthUnit { kNone, kMi, kKft, kKm, kM, kFt, kIn, kCm, kMm };

LengthUnit parse_unit(const std::string& value, const Location& at) {
  const std::string u = lower(dss::strip_brackets(value));
  if (u == "none") return LengthUnit::kNone;
  if (u == "mi") return LengthUnit::kMi;
  if (u == "kft") return LengthUnit::kKft;
  if (u == "km") return LengthUnit::kKm;
  if (u == "m") return LengthUnit::kM;
  if (u == "ft") return LengthUnit::kFt;
  if (u == "in") return LengthUnit::kIn;
  if (u == "cm") return LengthUnit::kCm;
  if (u == "mm") return LengthUnit::kMm;
  fail(at, "unknown length unit '" + value + "' (expected none, mi, kft, km, m, ft, in, cm or mm)");
}

double meters(LengthUnit u) {
  switch (u) {
    case LengthUnit::kMi:
      return 1609.344;
    case LengthUnit::kKft:
      return 304.8;
    case LengthUnit::kKm:
      return 1000.0;
    case LengthUnit::kM:
      return 1.0;
    case LengthUnit::kFt:
      return 0.3048;
    case LengthUnit::kIn:
      return 0.0254;
    case LengthUnit::kCm:
      return 0.01;
    case LengthUnit::kMm:
      return 0.001;
    case LengthUnit::kNone:
      break;
  }
  return 1.0;
}

// ----- element specifications -----

// Series impedance and shunt capacitance per unit length, from sequence values or matrices (LineCode and
// Line).
struct ImpedanceData {
  int nphases = 3;
  double r1 = 0.058, x1 = 0.1206, r0 = 0.1784, x0 = 0.4047;  // ohm per unit length
  double c1 = 3.4, c0 = 1.6;                                 // nF per unit length
  Eigen::MatrixXd r, x, c;                                   // c in nF
  LengthUnit units = LengthUnit::kNone;
  double base_frequency = 0.0;  // 0: the circuit's frequency
  bool sequence_changed = false;

  ImpedanceData() { from_sequence(); }

  void from_sequence() {
    const int n = nphases;
    const double rs = (2.0 * r1 + r0) / 3.0, rm = (r0 - r1) / 3.0;
    const double xs = (2.0 * x1 + x0) / 3.0, xm = (x0 - x1) / 3.0;
    const double cs = (2.0 * c1 + c0) / 3.0, cm = (c0 - c1) / 3.0;
    r = Eigen::MatrixXd::Constant(n, n, rm);
    x = Eigen::MatrixXd::Constant(n, n, xm);
    c = Eigen::MatrixXd::Constant(n, n, cm);
    r.diagonal().setConstant(rs);
    x.diagonal().setConstant(xs);
    c.diagonal().setConstant(cs);
    sequence_changed = false;
  }
};

struct LineCodeSpec {
  Location at;
  std::string name;
  ImpedanceData z;
};

struct LineSpec {
  Location at;
  std::string name;
  std::string bus1, bus2;
  ImpedanceData z;
  std::string linecode;
  double length = 1.0;
  LengthUnit length_units = LengthUnit::kNone;
  bool is_switch = false;
  bool enabled = true;
};

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
  bool enabled = true;
};

struct CapacitorSpec {
  Location at;
  std::string name;
  std::string bus1, bus2;
  int phases = 3;
  double kvar = 1200.0, kv = 12.47;
  Connection connection = Connection::kWye;
  bool enabled = true;
};

struct TransformerSpec {
  Location at;
  std::string name;
  PhaseTransformer model;
  std::vector<std::string> buses{std::string(), std::string()};
  int active_winding = 0;
  bool enabled = true;
};

struct RegControlSpec {
  Location at;
  std::string name;
  RegulatorControl control;
  std::string transformer;
  std::optional<int> tap_number;
};

struct VsourceSpec {
  Location at;
  std::string name;
  std::string bus1 = "sourcebus", bus2;
  double basekv = 115.0, pu = 1.0, angle_deg = 0.0;
  int phases = 3;
  double mvasc3 = 2000.0, mvasc1 = 2100.0, x1r1 = 4.0, x0r0 = 3.0;
  double isc3 = 10000.0, isc1 = 10500.0;
  double r1 = 1.65, x1 = 6.6, r0 = 1.9, x0 = 5.7;
  enum class Spec { kMva, kIsc, kOhm } spec = Spec::kMva;
  bool enabled = true;
};

struct LoadShapeSpec {
  Location at;
  std::string name;
};

// A PVSystem in its snapshot behaviour: constant P + jQ injection of Pmpp * irradiance * %Pmpp (at most kVA).
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
  bool enabled = true;
};

// ----- property tables (OpenDSS order: positional parameters take the next property in this order) -----

const std::vector<std::string> kLineCodeProps = {
    "nphases",   "r1",      "x1",      "r0",      "x0",       "c1",       "c0",
    "units",     "rmatrix", "xmatrix", "cmatrix", "basefreq", "normamps", "emergamps",
    "faultrate", "pctperm", "repair",  "kron",    "rg",       "xg",       "rho",
    "neutral",   "b1",      "b0",      "seasons", "ratings",  "linetype", "like"};
const std::vector<std::string> kLineProps = {
    "bus1",      "bus2",    "linecode", "length",   "phases",  "r1",       "x1",         "r0",
    "x0",        "c1",      "c0",       "rmatrix",  "xmatrix", "cmatrix",  "switch",     "rg",
    "xg",        "rho",     "geometry", "units",    "spacing", "wires",    "earthmodel", "cncables",
    "tscables",  "b1",      "b0",       "seasons",  "ratings", "linetype", "normamps",   "emergamps",
    "faultrate", "pctperm", "repair",   "basefreq", "enabled", "like"};
const std::vector<std::string> kLoadProps = {"phases",    "bus1",
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
                                             "enabled",   "like"};
const std::vector<std::string> kCapacitorProps = {
    "bus1",      "bus2",      "phases",  "kvar",   "kv",       "conn",    "cmatrix",
    "cuf",       "r",         "xl",      "harm",   "numsteps", "states",  "normamps",
    "emergamps", "faultrate", "pctperm", "repair", "basefreq", "enabled", "like"};
const std::vector<std::string> kTransformerProps = {
    "phases",  "windings",  "wdg",         "bus",           "conn",        "kv",     "kva",      "tap",
    "%r",      "rneut",     "xneut",       "buses",         "conns",       "kvs",    "kvas",     "taps",
    "xhl",     "xht",       "xlt",         "xscarray",      "thermal",     "n",      "m",        "flrise",
    "hsrise",  "%loadloss", "%noloadloss", "normhkva",      "emerghkva",   "sub",    "maxtap",   "mintap",
    "numtaps", "subname",   "%imag",       "ppm_antifloat", "%rs",         "bank",   "xfmrcode", "xrconst",
    "x12",     "x13",       "x23",         "leadlag",       "wdgcurrents", "core",   "rdcohms",  "seasons",
    "ratings", "normamps",  "emergamps",   "faultrate",     "pctperm",     "repair", "basefreq", "enabled",
    "like"};
const std::vector<std::string> kRegControlProps = {
    "transformer", "winding",      "vreg",       "band",         "ptratio",     "ctprim",        "r",
    "x",           "bus",          "delay",      "reversible",   "revvreg",     "revband",       "revr",
    "revx",        "tapdelay",     "debugtrace", "maxtapchange", "inversetime", "tapwinding",    "vlimit",
    "ptphase",     "revthreshold", "revdelay",   "revneutral",   "eventlog",    "remoteptratio", "tapnum",
    "reset",       "ldc_z",        "rev_z",      "cogen",        "basefreq",    "enabled",       "like"};
const std::vector<std::string> kVsourceProps = {
    "bus1",  "basekv", "pu",    "angle",    "frequency", "phases",   "mvasc3",  "mvasc1",   "x1r1",
    "x0r0",  "isc3",   "isc1",  "r1",       "x1",        "r0",       "x0",      "scantype", "sequence",
    "bus2",  "z1",     "z0",    "z2",       "puz1",      "puz0",     "puz2",    "basemva",  "yearly",
    "daily", "duty",   "model", "puzideal", "spectrum",  "basefreq", "enabled", "like"};
const std::vector<std::string> kPvSystemProps = {"phases",       "bus1",         "kv",
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
                                                 "enabled",      "like"};
const std::vector<std::string> kLoadShapeProps = {
    "npts",    "interval", "mult",  "hour",      "mean",          "stddev", "csvfile",   "sngfile",
    "dblfile", "action",   "qmult", "useactual", "pmax",          "qmax",   "sinterval", "minterval",
    "pbase",   "qbase",    "pmult", "pqcsvfile", "memorymapping", "like"};

// Properties that exist in OpenDSS but do not change a snapshot power flow (ratings, reliability, time-series
// shapes, tap-change timing). They are accepted in strict mode; docs/formats/opendss.md lists them.
const std::set<std::string> kInert = {
    "normamps", "emergamps", "faultrate", "pctperm",    "repair",    "seasons",  "ratings",
    "linetype", "yearly",    "daily",     "duty",       "growth",    "class",    "numcust",
    "spectrum", "relweight", "puxharm",   "xrharm",     "%seriesrl", "normhkva", "emerghkva",
    "sub",      "subname",   "bank",      "thermal",    "n",         "m",        "flrise",
    "hsrise",   "delay",     "tapdelay",  "debugtrace", "eventlog",  "xfkva",    "allocationfactor",
    "%mean",    "%stddev",   "kwh",       "kwhdays",    "cfactor",   "vminnorm", "vminemerg",
    "tyearly",  "tdaily",    "tduty",     "dutystart"};

std::string resolve_property(const std::vector<std::string>& table, const std::string& name,
                             const Location& at, const std::string& cls) {
  if (std::find(table.begin(), table.end(), name) != table.end()) return name;
  if (name == "ppm") return "ppm_antifloat";
  std::string match;
  for (const std::string& p : table) {
    if (p.rfind(name, 0) == 0) {
      if (!match.empty()) fail(at, cls + ": ambiguous property '" + name + "'");
      match = p;
    }
  }
  if (match.empty()) fail(at, cls + ": unknown property '" + name + "'");
  return match;
}

// ----- the interpreter -----

class Interpreter {
 public:
  Interpreter(const OpenDssOptions& options) : options_(options) {}

  void run_file(const std::filesystem::path& path, const Location& from) {
    std::error_code ec;
    const std::filesystem::path canonical = std::filesystem::weakly_canonical(path, ec);
    const std::filesystem::path key = ec ? path : canonical;
    if (std::find(stack_.begin(), stack_.end(), key) != stack_.end()) {
      fail(from, "circular Redirect/Compile of '" + path.string() + "'");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      if (from.file.empty()) throw InputError(path.string() + ": cannot open the file");
      fail(from, "cannot open '" + path.string() + "'");
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    stack_.push_back(key);
    run_text(buffer.str(), path.string(), path.parent_path());
    stack_.pop_back();
  }

  void run_text(const std::string& text, const std::string& source, const std::filesystem::path& directory) {
    for (const dss::Command& command : dss::split_commands(text)) {
      const Location at{source, command.line};
      std::vector<Parameter> params;
      try {
        params = dss::split_parameters(command.text);
      } catch (const std::invalid_argument& e) {
        fail(at, e.what());
      }
      if (params.empty()) continue;
      execute(params, at, directory);
    }
  }

  OpenDssCase finish(const std::string& source);

 private:
  void execute(std::vector<Parameter>& params, const Location& at, const std::filesystem::path& directory) {
    // "Class.name.property=value ..." edits an element.
    if (!params[0].name.empty() && std::count(params[0].name.begin(), params[0].name.end(), '.') >= 2) {
      const std::string& full = params[0].name;
      const size_t first = full.find('.');
      const size_t last = full.rfind('.');
      const std::string cls = full.substr(0, first);
      const std::string name = full.substr(first + 1, last - first - 1);
      params[0].name = full.substr(last + 1);
      edit(cls, name, params, 0, at, false);
      return;
    }
    if (!params[0].name.empty()) fail(at, "expected a command, got '" + params[0].name + "=...'");
    const std::string verb = lower(params[0].value);
    if (verb == "clear") {
      restart();
    } else if (verb == "new" || verb == "edit") {
      if (params.size() < 2) fail(at, verb + ": expected Class.name");
      if (!params[1].name.empty() && params[1].name != "object") fail(at, verb + ": expected Class.name");
      const std::string target = dss::strip_brackets(params[1].value);
      const size_t dot = target.find('.');
      if (dot == std::string::npos || dot == 0 || dot + 1 == target.size()) {
        fail(at, verb + ": expected Class.name, got '" + target + "'");
      }
      edit(target.substr(0, dot), target.substr(dot + 1), params, 2, at, verb == "new");
    } else if (verb == "redirect" || verb == "compile") {
      if (params.size() != 2) fail(at, verb + ": expected one file name");
      run_file(directory / dss::strip_brackets(params[1].value), at);
    } else if (verb == "set") {
      for (size_t i = 1; i < params.size(); ++i) set_option(params[i], at);
    } else if (verb == "calcvoltagebases" || verb == "calcv") {
      calc_voltage_bases_ = true;
    } else if (verb == "solve") {
      for (size_t i = 1; i < params.size(); ++i) set_option(params[i], at);
      solved_ = true;
    } else if (verb == "buscoords") {
      if (params.size() != 2) fail(at, "BusCoords: expected one file name");
      read_bus_coords(directory / dss::strip_brackets(params[1].value), at);
    } else {
      unsupported(at, "command '" + params[0].value + "'");
    }
  }

  // Clear and New Circuit: a fresh circuit; the Redirect stack and the warnings so far are kept.
  void restart() {
    Interpreter fresh(options_);
    fresh.stack_ = std::move(stack_);
    fresh.warnings_ = std::move(warnings_);
    *this = std::move(fresh);
  }

  void unsupported(const Location& at, const std::string& what) {
    if (options_.strict) fail(at, "unsupported " + what + " (strict mode)");
    warnings_.push_back(at.file + ":" + std::to_string(at.line) + ": skipped unsupported " + what);
  }

  void set_option(const Parameter& p, const Location& at) {
    const std::string name = p.name;
    try {
      if (name == "voltagebases") {
        voltage_bases_ = dss::parse_numbers(p.value);
      } else if (name == "defaultbasefreq" || name == "defaultbasefrequency") {
        frequency_ = dss::parse_number(p.value);
      } else if (name == "controlmode") {
        const std::string mode = lower(dss::strip_brackets(p.value));
        if (mode == "off") {
          control_ = false;
        } else if (mode == "static") {
          control_ = true;
        } else {
          unsupported(at, "control mode '" + p.value + "'");
        }
      } else if (name == "maxcontroliter") {
        max_control_iterations_ = static_cast<int>(dss::parse_number(p.value));
      } else if (name == "tolerance" || name == "maxiterations" || name == "maxiter") {
        dss::parse_number(p.value);  // vvc converges on its own mismatch tolerance (docs/formats/opendss.md)
      } else if (name == "mode") {
        if (lower(dss::strip_brackets(p.value)) != "snapshot" &&
            lower(dss::strip_brackets(p.value)) != "snap") {
          unsupported(at, "solution mode '" + p.value + "'");
        }
      } else if (name == "algorithm") {
        const std::string a = lower(dss::strip_brackets(p.value));
        if (a != "normal" && a != "newton") fail(at, "Set algorithm: expected normal or newton");
      } else if (name == "earthmodel") {
        const std::string model = lower(dss::strip_brackets(p.value));
        // Only line geometries use the earth model, and they are not supported; the value must still be
        // valid.
        if (model != "carson" && model != "fullcarson" && model != "deri") {
          fail(at, "Set earthmodel: expected carson, fullcarson or deri");
        }
      } else {
        unsupported(at, "option 'Set " + (name.empty() ? p.value : name) + "'");
      }
    } catch (const std::invalid_argument& e) {
      fail(at, "Set " + name + ": " + e.what());
    }
  }

  void read_bus_coords(const std::filesystem::path& path, const Location& at) {
    std::ifstream in(path);
    if (!in) fail(at, "cannot open '" + path.string() + "'");
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      for (char& c : line) {
        if (c == ',' || c == '\t' || c == '\r') c = ' ';
      }
      std::istringstream fields(line);
      std::string name;
      double x = 0.0, y = 0.0;
      if (!(fields >> name)) continue;
      if (!(fields >> x >> y)) {
        fail(Location{path.string(), number}, "expected 'bus, x, y'");
      }
      coords_[lower(name)] = {x, y};
    }
  }

  // Applies parameters [first, end) to the element, creating it for New.
  void edit(const std::string& raw_cls, const std::string& raw_name, const std::vector<Parameter>& params,
            size_t first, const Location& at, bool create);

  template <class Spec>
  Spec& find_or_create(std::map<std::string, size_t>& index, std::vector<Spec>& specs, const std::string& cls,
                       const std::string& name, bool create, const Location& at, const std::string& display) {
    auto it = index.find(name);
    if (it == index.end()) {
      if (!create) fail(at, display + " is not defined");
      index[name] = specs.size();
      specs.emplace_back();
      specs.back().at = at;
      specs.back().name = name;
      order_.push_back({cls, specs.size() - 1});
      return specs.back();
    }
    if (create) specs[it->second] = Spec{};  // New on an existing name redefines it
    specs[it->second].at = at;
    specs[it->second].name = name;
    return specs[it->second];
  }

  // like=: copies another element's properties, keeping this element's name.
  template <class Spec>
  void copy_like(Spec& target, const std::map<std::string, size_t>& index, const std::vector<Spec>& specs,
                 const std::string& display_class, const std::string& other, const Location& at) {
    auto it = index.find(lower(other));
    if (it == index.end()) fail(at, "like=" + other + ": " + display_class + "." + other + " is not defined");
    const std::string name = target.name;
    target = specs[it->second];
    target.name = name;
    target.at = at;
  }

  void apply_impedance(ImpedanceData& z, const std::string& prop, const std::string& value,
                       const Location& at, const std::string& what);
  void apply_line(LineSpec& s, const std::string& prop, const std::string& value, const Location& at);
  void apply_load(LoadSpec& s, const std::string& prop, const std::string& value, const Location& at);
  void apply_capacitor(CapacitorSpec& s, const std::string& prop, const std::string& value,
                       const Location& at);
  void apply_transformer(TransformerSpec& s, const std::string& prop, const std::string& value,
                         const Location& at);
  void apply_regcontrol(RegControlSpec& s, const std::string& prop, const std::string& value,
                        const Location& at);
  void apply_vsource(VsourceSpec& s, const std::string& prop, const std::string& value, const Location& at);
  void apply_pvsystem(PvSystemSpec& s, const std::string& prop, const std::string& value, const Location& at);

  // Building the network.
  std::vector<int> terminal_nodes(MultiphaseNetwork& net, const std::string& bus_spec, int conductors,
                                  int phases, const Location& at);

  OpenDssOptions options_;
  std::vector<std::filesystem::path> stack_;
  std::vector<std::string> warnings_;
  std::string circuit_name_;
  double frequency_ = 60.0;
  double base_mva_ = 100.0;
  bool control_ = true;
  int max_control_iterations_ = 15;
  bool calc_voltage_bases_ = false;
  bool solved_ = false;
  std::vector<double> voltage_bases_;
  std::map<std::string, std::array<double, 2>> coords_;

  std::vector<std::pair<std::string, size_t>> order_;
  std::map<std::string, size_t> linecode_index_, line_index_, load_index_, capacitor_index_,
      transformer_index_, regcontrol_index_, vsource_index_, loadshape_index_;
  std::vector<LineCodeSpec> linecodes_;
  std::vector<LineSpec> lines_;
  std::vector<LoadSpec> loads_;
  std::vector<CapacitorSpec> capacitors_;
  std::vector<TransformerSpec> transformers_;
  std::vector<RegControlSpec> regcontrols_;
  std::vector<VsourceSpec> vsources_;
  std::vector<LoadShapeSpec> loadshapes_;
  std::map<std::string, size_t> pvsystem_index_;
  std::vector<PvSystemSpec> pvsystems_;
};

int parse_int(const std::string& value, const Location& at, const std::string& what) {
  double v = 0.0;
  try {
    v = dss::parse_number(value);
  } catch (const std::invalid_argument& e) {
    fail(at, what + ": " + e.what());
  }
  if (v != std::floor(v) || std::abs(v) > 1e6) fail(at, what + ": expected an integer, got '" + value + "'");
  return static_cast<int>(v);
}

Connection parse_connection(const std::string& value, const Location& at) {
  const std::string c = lower(dss::strip_brackets(value));
  if (c == "wye" || c == "y" || c == "ln") return Connection::kWye;
  if (c == "delta" || c == "d" || c == "ll") return Connection::kDelta;
  fail(at, "unknown connection '" + value + "' (expected wye or delta)");
}

void Interpreter::edit(const std::string& raw_cls, const std::string& raw_name,
                       const std::vector<Parameter>& params, size_t first, const Location& at, bool create) {
  std::string cls = lower(raw_cls);
  std::string name = lower(raw_name);
  if (cls == "circuit") {
    if (create) {
      // A new circuit starts from scratch and creates its source, Vsource.source.
      restart();
      circuit_name_ = name;
    }
    cls = "vsource";
    name = "source";
  }
  const std::vector<std::string>* table = nullptr;
  if (cls == "linecode") table = &kLineCodeProps;
  if (cls == "line") table = &kLineProps;
  if (cls == "load") table = &kLoadProps;
  if (cls == "capacitor") table = &kCapacitorProps;
  if (cls == "transformer") table = &kTransformerProps;
  if (cls == "regcontrol") table = &kRegControlProps;
  if (cls == "vsource") table = &kVsourceProps;
  if (cls == "loadshape") table = &kLoadShapeProps;
  if (cls == "pvsystem") table = &kPvSystemProps;
  if (table == nullptr) {
    unsupported(at, "element class '" + raw_cls + "'");
    return;
  }
  if (name.empty()) fail(at, "an element needs a name");

  const std::string what = raw_cls + "." + raw_name;
  LineCodeSpec* linecode = nullptr;
  LineSpec* line = nullptr;
  LoadSpec* load = nullptr;
  CapacitorSpec* capacitor = nullptr;
  TransformerSpec* transformer = nullptr;
  RegControlSpec* regcontrol = nullptr;
  VsourceSpec* vsource = nullptr;
  PvSystemSpec* pv = nullptr;
  if (cls == "pvsystem") pv = &find_or_create(pvsystem_index_, pvsystems_, cls, name, create, at, what);
  if (cls == "linecode") linecode = &find_or_create(linecode_index_, linecodes_, cls, name, create, at, what);
  if (cls == "line") line = &find_or_create(line_index_, lines_, cls, name, create, at, what);
  if (cls == "load") load = &find_or_create(load_index_, loads_, cls, name, create, at, what);
  if (cls == "capacitor")
    capacitor = &find_or_create(capacitor_index_, capacitors_, cls, name, create, at, what);
  if (cls == "transformer")
    transformer = &find_or_create(transformer_index_, transformers_, cls, name, create, at, what);
  if (cls == "regcontrol")
    regcontrol = &find_or_create(regcontrol_index_, regcontrols_, cls, name, create, at, what);
  if (cls == "vsource") vsource = &find_or_create(vsource_index_, vsources_, cls, name, create, at, what);
  if (cls == "loadshape") find_or_create(loadshape_index_, loadshapes_, cls, name, create, at, what);
  if (transformer != nullptr) transformer->model.name = "Transformer." + name;
  if (regcontrol != nullptr) regcontrol->control.name = name;

  size_t next = 0;  // index into the table of the next positional property
  for (size_t i = first; i < params.size(); ++i) {
    const Parameter& p = params[i];
    std::string prop;
    if (p.name.empty()) {
      if (next >= table->size()) fail(at, what + ": too many positional values ('" + p.value + "')");
      prop = (*table)[next];
    } else {
      prop = resolve_property(*table, p.name, at, what);
    }
    next = static_cast<size_t>(std::find(table->begin(), table->end(), prop) - table->begin()) + 1;

    if (prop == "like") {
      const std::string other = dss::strip_brackets(p.value);
      if (linecode) copy_like(*linecode, linecode_index_, linecodes_, raw_cls, other, at);
      if (line) copy_like(*line, line_index_, lines_, raw_cls, other, at);
      if (load) copy_like(*load, load_index_, loads_, raw_cls, other, at);
      if (capacitor) copy_like(*capacitor, capacitor_index_, capacitors_, raw_cls, other, at);
      if (transformer) {
        copy_like(*transformer, transformer_index_, transformers_, raw_cls, other, at);
        transformer->model.name = "Transformer." + name;
      }
      if (regcontrol) {
        copy_like(*regcontrol, regcontrol_index_, regcontrols_, raw_cls, other, at);
        regcontrol->control.name = name;
      }
      if (vsource) copy_like(*vsource, vsource_index_, vsources_, raw_cls, other, at);
      if (pv) copy_like(*pv, pvsystem_index_, pvsystems_, raw_cls, other, at);
      continue;
    }
    if (kInert.count(prop) > 0) continue;
    try {
      if (linecode) apply_impedance(linecode->z, prop, p.value, at, what);
      if (line) apply_line(*line, prop, p.value, at);
      if (load) apply_load(*load, prop, p.value, at);
      if (capacitor) apply_capacitor(*capacitor, prop, p.value, at);
      if (transformer) apply_transformer(*transformer, prop, p.value, at);
      if (regcontrol) apply_regcontrol(*regcontrol, prop, p.value, at);
      if (vsource) apply_vsource(*vsource, prop, p.value, at);
      if (pv) apply_pvsystem(*pv, prop, p.value, at);
      if (cls == "loadshape") {
        // Load shapes only matter in time-series modes; a snapshot uses each load's base kW and kvar.
        if (prop != "npts" && prop != "interval" && prop != "minterval" && prop != "sinterval" &&
            prop != "mult" && prop != "pmult" && prop != "qmult" && prop != "useactual" && prop != "hour") {
          unsupported(at, what + " property '" + prop + "'");
        }
      }
    } catch (const std::invalid_argument& e) {
      fail(at, what + " " + prop + ": " + e.what());
    }
  }
  // OpenDSS recomputes the matrices from the sequence values at the end of an edit that changed them.
  if (linecode && linecode->z.sequence_changed) linecode->z.from_sequence();
  if (line && line->z.sequence_changed) line->z.from_sequence();
}

void Interpreter::apply_impedance(ImpedanceData& z, const std::string& prop, const std::string& value,
                                  const Location& at, const std::string& what) {
  auto matrix = [&](Eigen::MatrixXd& m) {
    const std::vector<double> v = dss::parse_matrix(value, z.nphases);
    m = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        v.data(), z.nphases, z.nphases);
  };
  if (prop == "nphases" || prop == "phases") {
    const int n = parse_int(value, at, what + " " + prop);
    if (n < 1 || n > 16) fail(at, what + ": " + prop + " must be between 1 and 16");
    if (n != z.nphases || z.r.rows() != n) {
      z.nphases = n;
      z.from_sequence();
    }
  } else if (prop == "r1") {
    z.r1 = dss::parse_number(value), z.sequence_changed = true;
  } else if (prop == "x1") {
    z.x1 = dss::parse_number(value), z.sequence_changed = true;
  } else if (prop == "r0") {
    z.r0 = dss::parse_number(value), z.sequence_changed = true;
  } else if (prop == "x0") {
    z.x0 = dss::parse_number(value), z.sequence_changed = true;
  } else if (prop == "c1") {
    z.c1 = dss::parse_number(value), z.sequence_changed = true;
  } else if (prop == "c0") {
    z.c0 = dss::parse_number(value), z.sequence_changed = true;
  } else if (prop == "b1") {
    z.c1 = dss::parse_number(value) / (2.0 * std::numbers::pi * frequency_) * 1e3, z.sequence_changed = true;
  } else if (prop == "b0") {
    z.c0 = dss::parse_number(value) / (2.0 * std::numbers::pi * frequency_) * 1e3, z.sequence_changed = true;
  } else if (prop == "rmatrix") {
    matrix(z.r);
  } else if (prop == "xmatrix") {
    matrix(z.x);
  } else if (prop == "cmatrix") {
    matrix(z.c);
  } else if (prop == "units") {
    z.units = parse_unit(value, at);
  } else if (prop == "basefreq") {
    z.base_frequency = dss::parse_number(value);
  } else {
    unsupported(at, what + " property '" + prop + "'");
  }
}

void Interpreter::apply_line(LineSpec& s, const std::string& prop, const std::string& value,
                             const Location& at) {
  const std::string what = "Line";
  if (prop == "bus1") {
    s.bus1 = dss::strip_brackets(value);
  } else if (prop == "bus2") {
    s.bus2 = dss::strip_brackets(value);
  } else if (prop == "linecode") {
    const std::string code = lower(dss::strip_brackets(value));
    auto it = linecode_index_.find(code);
    if (it == linecode_index_.end()) fail(at, "Line: linecode '" + value + "' is not defined");
    s.linecode = code;
    s.z = linecodes_[it->second].z;
  } else if (prop == "length") {
    s.length = dss::parse_number(value);
    if (s.length <= 0.0) fail(at, "Line: length must be positive");
  } else if (prop == "units") {
    s.length_units = parse_unit(value, at);
  } else if (prop == "switch") {
    s.is_switch = dss::parse_bool(value);
    if (s.is_switch) {
      // OpenDSS's switch: a 1 mm (0.001 length units) line of 1 ohm per unit, nearly no capacitance.
      s.linecode.clear();
      s.z.r1 = s.z.x1 = s.z.r0 = s.z.x0 = 1.0;
      s.z.c1 = 1.1;
      s.z.c0 = 1.0;
      s.z.units = LengthUnit::kNone;
      s.z.from_sequence();
      s.length = 0.001;
      s.length_units = LengthUnit::kNone;
    }
  } else if (prop == "enabled") {
    s.enabled = dss::parse_bool(value);
  } else if (prop == "phases" || prop == "r1" || prop == "x1" || prop == "r0" || prop == "x0" ||
             prop == "c1" || prop == "c0" || prop == "b1" || prop == "b0" || prop == "rmatrix" ||
             prop == "xmatrix" || prop == "cmatrix" || prop == "basefreq") {
    if (prop == "phases" && !s.linecode.empty()) {
      if (parse_int(value, at, "Line phases") != s.z.nphases) {
        fail(at, "Line: phases=" + value + " does not match linecode '" + s.linecode + "' (" +
                     std::to_string(s.z.nphases) + " phases)");
      }
      return;
    }
    apply_impedance(s.z, prop, value, at, what);
  } else {
    unsupported(at, "Line property '" + prop + "'");
  }
}

void Interpreter::apply_load(LoadSpec& s, const std::string& prop, const std::string& value,
                             const Location& at) {
  if (prop == "bus1") {
    s.bus1 = dss::strip_brackets(value);
  } else if (prop == "phases") {
    s.phases = parse_int(value, at, "Load phases");
    if (s.phases < 1 || s.phases > 3) fail(at, "Load: phases must be 1, 2 or 3");
  } else if (prop == "kv") {
    s.kv = dss::parse_number(value);
    if (s.kv <= 0.0) fail(at, "Load: kV must be positive");
  } else if (prop == "kw") {
    s.kw = dss::parse_number(value);
  } else if (prop == "kvar") {
    s.kvar = dss::parse_number(value);
    s.kvar_given = true;
  } else if (prop == "pf") {
    s.pf = dss::parse_number(value);
    if (s.pf == 0.0 || std::abs(s.pf) > 1.0) fail(at, "Load: pf must be in [-1, 0) or (0, 1]");
    s.kvar_given = false;
  } else if (prop == "model") {
    s.model = parse_int(value, at, "Load model");
    if (s.model != 1 && s.model != 2 && s.model != 4 && s.model != 5 && s.model != 8) {
      if (s.model < 1 || s.model > 8) fail(at, "Load: model must be between 1 and 8");
      unsupported(at, "Load model " + value + " (supported: 1, 2, 4, 5, 8)");
      s.model = 1;
    }
  } else if (prop == "conn") {
    s.connection = parse_connection(value, at);
  } else if (prop == "cvrwatts") {
    s.cvr_watts = dss::parse_number(value);
  } else if (prop == "cvrvars") {
    s.cvr_vars = dss::parse_number(value);
  } else if (prop == "vminpu") {
    s.vminpu = dss::parse_number(value);
  } else if (prop == "vmaxpu") {
    s.vmaxpu = dss::parse_number(value);
  } else if (prop == "vlowpu") {
    s.vlowpu = dss::parse_number(value);
  } else if (prop == "zipv") {
    const std::vector<double> v = dss::parse_numbers(value);
    if (v.size() != 7) fail(at, "Load: ZIPV needs 7 values, got " + std::to_string(v.size()));
    std::copy(v.begin(), v.end(), s.zipv.begin());
    s.zipv_given = true;
  } else if (prop == "enabled") {
    s.enabled = dss::parse_bool(value);
  } else if (prop == "status") {
    const std::string st = lower(dss::strip_brackets(value));
    if (st != "variable" && st != "fixed" && st != "exempt") fail(at, "Load: unknown status '" + value + "'");
  } else {
    unsupported(at, "Load property '" + prop + "'");
  }
}

void Interpreter::apply_capacitor(CapacitorSpec& s, const std::string& prop, const std::string& value,
                                  const Location& at) {
  if (prop == "bus1") {
    s.bus1 = dss::strip_brackets(value);
  } else if (prop == "bus2") {
    s.bus2 = dss::strip_brackets(value);
  } else if (prop == "phases") {
    s.phases = parse_int(value, at, "Capacitor phases");
    if (s.phases < 1 || s.phases > 3) fail(at, "Capacitor: phases must be 1, 2 or 3");
  } else if (prop == "kvar") {
    const std::vector<double> v = dss::parse_numbers(value);
    if (v.size() != 1) unsupported(at, "Capacitor with several steps");
    if (!v.empty()) s.kvar = v[0];
  } else if (prop == "kv") {
    s.kv = dss::parse_number(value);
    if (s.kv <= 0.0) fail(at, "Capacitor: kV must be positive");
  } else if (prop == "conn") {
    s.connection = parse_connection(value, at);
  } else if (prop == "enabled") {
    s.enabled = dss::parse_bool(value);
  } else {
    unsupported(at, "Capacitor property '" + prop + "'");
  }
}

void Interpreter::apply_transformer(TransformerSpec& s, const std::string& prop, const std::string& value,
                                    const Location& at) {
  PhaseTransformer& t = s.model;
  const size_t w = static_cast<size_t>(s.active_winding);
  const size_t nw = static_cast<size_t>(t.windings);
  auto per_winding = [&](const std::string& what) {
    const std::vector<double> v = dss::parse_numbers(value);
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
    t.x_pu[pair_index(i, j)] = dss::parse_number(value) / 100.0;
  };
  if (prop == "phases") {
    t.phases = parse_int(value, at, "Transformer phases");
    if (t.phases != 1 && t.phases != 3) unsupported(at, "Transformer with " + value + " phases");
  } else if (prop == "windings") {
    const int n = parse_int(value, at, "Transformer windings");
    if (n != 2 && n != 3) {
      unsupported(at, "Transformer with " + value + " windings (only 2- and 3-winding transformers)");
      return;
    }
    // OpenDSS's defaults for the windings: 12.47 kV, 1000 kVA, wye, 0.2 % R, tap 1; X12 7 %, X13 35 %, X23 30
    // %.
    t.windings = n;
    const size_t un = static_cast<size_t>(n);
    t.connection.resize(un, Connection::kWye);
    t.kv.resize(un, 12.47);
    t.kva.resize(un, 1000.0);
    t.r_pu.resize(un, 0.002);
    t.tap.resize(un, 1.0);
    t.x_pu = n == 2 ? std::vector<double>{t.x_pu[0]} : std::vector<double>{t.x_pu[0], 0.35, 0.30};
    s.buses.resize(un);
    s.active_winding = 0;
  } else if (prop == "wdg") {
    const int k = parse_int(value, at, "Transformer wdg");
    if (k < 1 || k > t.windings) fail(at, "Transformer: wdg must be between 1 and " + std::to_string(nw));
    s.active_winding = k - 1;
  } else if (prop == "bus") {
    s.buses[w] = dss::strip_brackets(value);
  } else if (prop == "conn") {
    t.connection[w] = parse_connection(value, at);
  } else if (prop == "kv") {
    t.kv[w] = dss::parse_number(value);
  } else if (prop == "kva") {
    t.kva[w] = dss::parse_number(value);
  } else if (prop == "tap") {
    t.tap[w] = dss::parse_number(value);
  } else if (prop == "%r") {
    t.r_pu[w] = dss::parse_number(value) / 100.0;
  } else if (prop == "buses") {
    const std::vector<std::string> b = dss::parse_words(value);
    if (b.size() != nw) {
      fail(at,
           "Transformer buses: expected " + std::to_string(nw) + " buses, got " + std::to_string(b.size()));
    }
    s.buses = b;
  } else if (prop == "conns") {
    const std::vector<std::string> c = dss::parse_words(value);
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
      dss::parse_number(value);  // a 2-winding transformer has no third winding: checked, then unused
    } else {
      set_pair(0, 2);
    }
  } else if (prop == "xlt" || prop == "x23") {
    if (t.windings < 3) {
      dss::parse_number(value);
    } else {
      set_pair(1, 2);
    }
  } else if (prop == "xscarray") {
    const std::vector<double> v = dss::parse_numbers(value);
    if (v.size() != t.x_pu.size()) {
      fail(at, "Transformer xscarray: expected " + std::to_string(t.x_pu.size()) + " values, got " +
                   std::to_string(v.size()));
    }
    for (size_t k = 0; k < v.size(); ++k) t.x_pu[k] = v[k] / 100.0;
  } else if (prop == "%loadloss") {
    // OpenDSS splits the load loss equally between windings 1 and 2.
    t.r_pu[0] = t.r_pu[1] = dss::parse_number(value) / 200.0;
  } else if (prop == "%noloadloss") {
    t.noload_pu = dss::parse_number(value) / 100.0;
  } else if (prop == "%imag") {
    t.magnetizing_pu = dss::parse_number(value) / 100.0;
  } else if (prop == "ppm_antifloat") {
    t.ppm_antifloat = dss::parse_number(value);
  } else if (prop == "maxtap") {
    t.max_tap = dss::parse_number(value);
  } else if (prop == "mintap") {
    t.min_tap = dss::parse_number(value);
  } else if (prop == "numtaps") {
    t.num_taps = parse_int(value, at, "Transformer numtaps");
  } else if (prop == "leadlag") {
    const std::string l = lower(dss::strip_brackets(value));
    if (l == "lead" || l == "euro") {
      t.hv_leads_lv = true;
    } else if (l == "lag" || l == "ansi") {
      t.hv_leads_lv = false;
    } else {
      fail(at, "Transformer leadlag: expected lead or lag");
    }
  } else if (prop == "enabled") {
    s.enabled = dss::parse_bool(value);
  } else {
    unsupported(at, "Transformer property '" + prop + "'");
  }
}

void Interpreter::apply_regcontrol(RegControlSpec& s, const std::string& prop, const std::string& value,
                                   const Location& at) {
  RegulatorControl& c = s.control;
  if (prop == "transformer") {
    s.transformer = lower(dss::strip_brackets(value));
  } else if (prop == "winding") {
    c.winding = parse_int(value, at, "RegControl winding") - 1;
    if (c.winding < 0 || c.winding > 2) fail(at, "RegControl: winding must be 1, 2 or 3");
  } else if (prop == "vreg") {
    c.vreg = dss::parse_number(value);
  } else if (prop == "band") {
    c.band = dss::parse_number(value);
  } else if (prop == "ptratio") {
    c.pt_ratio = dss::parse_number(value);
    if (c.pt_ratio <= 0.0) fail(at, "RegControl: ptratio must be positive");
  } else if (prop == "ctprim") {
    c.ct_primary_a = dss::parse_number(value);
    if (c.ct_primary_a <= 0.0) fail(at, "RegControl: CTprim must be positive");
  } else if (prop == "r") {
    c.r_v = dss::parse_number(value);
  } else if (prop == "x") {
    c.x_v = dss::parse_number(value);
  } else if (prop == "maxtapchange") {
    c.max_tap_change = parse_int(value, at, "RegControl maxtapchange");
  } else if (prop == "tapnum") {
    s.tap_number = parse_int(value, at, "RegControl TapNum");
  } else if (prop == "enabled") {
    c.enabled = dss::parse_bool(value);
  } else if (prop == "reversible") {
    if (dss::parse_bool(value)) unsupported(at, "reversible RegControl");
  } else if (prop == "tapwinding") {
    if (parse_int(value, at, "RegControl tapwinding") - 1 != c.winding) {
      unsupported(at, "RegControl with tapwinding different from winding");
    }
  } else if (prop == "ptphase") {
    const std::string ph = lower(dss::strip_brackets(value));
    if (ph != "1") unsupported(at, "RegControl PTphase=" + value);
  } else {
    unsupported(at, "RegControl property '" + prop + "'");
  }
}

void Interpreter::apply_vsource(VsourceSpec& s, const std::string& prop, const std::string& value,
                                const Location& at) {
  using Spec = VsourceSpec::Spec;
  if (prop == "bus1") {
    s.bus1 = dss::strip_brackets(value);
  } else if (prop == "bus2") {
    s.bus2 = dss::strip_brackets(value);
  } else if (prop == "basekv") {
    s.basekv = dss::parse_number(value);
    if (s.basekv <= 0.0) fail(at, "Vsource: basekv must be positive");
  } else if (prop == "pu") {
    s.pu = dss::parse_number(value);
  } else if (prop == "angle") {
    s.angle_deg = dss::parse_number(value);
  } else if (prop == "phases") {
    s.phases = parse_int(value, at, "Vsource phases");
    if (s.phases != 3 && s.phases != 1) unsupported(at, "Vsource with " + value + " phases");
  } else if (prop == "mvasc3") {
    s.mvasc3 = dss::parse_number(value), s.spec = Spec::kMva;
  } else if (prop == "mvasc1") {
    s.mvasc1 = dss::parse_number(value), s.spec = Spec::kMva;
  } else if (prop == "isc3") {
    s.isc3 = dss::parse_number(value), s.spec = Spec::kIsc;
  } else if (prop == "isc1") {
    s.isc1 = dss::parse_number(value), s.spec = Spec::kIsc;
  } else if (prop == "x1r1") {
    s.x1r1 = dss::parse_number(value);
  } else if (prop == "x0r0") {
    s.x0r0 = dss::parse_number(value);
  } else if (prop == "r1") {
    s.r1 = dss::parse_number(value), s.spec = Spec::kOhm;
  } else if (prop == "x1") {
    s.x1 = dss::parse_number(value), s.spec = Spec::kOhm;
  } else if (prop == "r0") {
    s.r0 = dss::parse_number(value), s.spec = Spec::kOhm;
  } else if (prop == "x0") {
    s.x0 = dss::parse_number(value), s.spec = Spec::kOhm;
  } else if (prop == "basemva") {
    base_mva_ = dss::parse_number(value);
    if (base_mva_ <= 0.0) fail(at, "Vsource: basemva must be positive");
  } else if (prop == "frequency" || prop == "basefreq") {
    frequency_ = dss::parse_number(value);
  } else if (prop == "enabled") {
    s.enabled = dss::parse_bool(value);
  } else {
    unsupported(at, "Vsource property '" + prop + "'");
  }
}

void Interpreter::apply_pvsystem(PvSystemSpec& s, const std::string& prop, const std::string& value,
                                 const Location& at) {
  if (prop == "bus1") {
    s.bus1 = dss::strip_brackets(value);
  } else if (prop == "phases") {
    s.phases = parse_int(value, at, "PVSystem phases");
    if (s.phases < 1 || s.phases > 3) fail(at, "PVSystem: phases must be 1, 2 or 3");
  } else if (prop == "kv") {
    s.kv = dss::parse_number(value);
    if (s.kv <= 0.0) fail(at, "PVSystem: kV must be positive");
  } else if (prop == "irradiance") {
    s.irradiance = dss::parse_number(value);
  } else if (prop == "pmpp") {
    s.pmpp = dss::parse_number(value);
  } else if (prop == "%pmpp") {
    s.pct_pmpp = dss::parse_number(value);
  } else if (prop == "pf") {
    s.pf = dss::parse_number(value);
    if (s.pf == 0.0 || std::abs(s.pf) > 1.0) fail(at, "PVSystem: pf must be in [-1, 0) or (0, 1]");
    s.kvar_given = false;
  } else if (prop == "kvar") {
    s.kvar = dss::parse_number(value);
    s.kvar_given = true;
  } else if (prop == "kva") {
    s.kva = dss::parse_number(value);
    if (s.kva <= 0.0) fail(at, "PVSystem: kVA must be positive");
  } else if (prop == "%cutin") {
    s.cutin_pct = dss::parse_number(value);
  } else if (prop == "%cutout") {
    dss::parse_number(value);  // only matters when the output falls from above cut-in, in time series
  } else if (prop == "conn") {
    s.connection = parse_connection(value, at);
  } else if (prop == "vminpu") {
    s.vminpu = dss::parse_number(value);
  } else if (prop == "vmaxpu") {
    s.vmaxpu = dss::parse_number(value);
  } else if (prop == "model") {
    if (parse_int(value, at, "PVSystem model") != 1) unsupported(at, "PVSystem model " + value);
  } else if (prop == "enabled") {
    s.enabled = dss::parse_bool(value);
  } else {
    unsupported(at, "PVSystem property '" + prop + "'");
  }
}

// Parses "name.1.2.3" and returns the model nodes of `conductors` terminal conductors: listed nodes first,
// then 1..phases when no node was listed, else ground for the rest.
std::vector<int> Interpreter::terminal_nodes(MultiphaseNetwork& net, const std::string& bus_spec,
                                             int conductors, int phases, const Location& at) {
  if (bus_spec.empty()) fail(at, "missing bus");
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = bus_spec.find('.', start);
    parts.push_back(bus_spec.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  const std::string name = lower(parts[0]);
  if (name.empty() || name.find_first_of(" =()[]{}\"'") != std::string::npos) {
    fail(at, "bad bus name in '" + bus_spec + "'");
  }
  std::vector<int> numbers;
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (p.empty() || p.size() > 4 || p.find_first_not_of("0123456789") != std::string::npos) {
      fail(at, "bad node '" + p + "' in bus '" + bus_spec + "' (expected bus.1.2.3 with node numbers)");
    }
    numbers.push_back(std::stoi(p));
  }
  if (static_cast<int>(numbers.size()) > conductors) {
    fail(at, "bus '" + bus_spec + "' lists " + std::to_string(numbers.size()) + " nodes for " +
                 std::to_string(conductors) + " conductors");
  }
  if (numbers.empty()) {
    for (int k = 1; k <= phases && k <= conductors; ++k) numbers.push_back(k);
  }
  while (static_cast<int>(numbers.size()) < conductors) numbers.push_back(0);
  const int bus = net.add_bus(name);
  std::vector<int> nodes;
  for (int number : numbers) nodes.push_back(number == 0 ? kGroundNode : net.add_node(bus, number));
  return nodes;
}

Eigen::MatrixXcd two_terminal(const Eigen::MatrixXcd& series, const Eigen::MatrixXcd& shunt_each_end) {
  const Eigen::Index n = series.rows();
  Eigen::MatrixXcd y(2 * n, 2 * n);
  y.topLeftCorner(n, n) = series + shunt_each_end;
  y.topRightCorner(n, n) = -series;
  y.bottomLeftCorner(n, n) = -series;
  y.bottomRightCorner(n, n) = series + shunt_each_end;
  return y;
}

// Every bus must reach the source through elements; a bus that does not would make the admittance matrix
// singular.
void check_connected(const MultiphaseNetwork& net, const std::string& source) {
  const size_t n = net.nodes.size();
  std::vector<std::vector<int>> touching(n);
  for (size_t e = 0; e < net.elements.size(); ++e) {
    for (int node : net.elements[e].nodes) {
      if (node >= 0) touching[static_cast<size_t>(node)].push_back(static_cast<int>(e));
    }
  }
  std::vector<char> reached(n, 0), element_done(net.elements.size(), 0);
  std::vector<int> stack(net.source_nodes.begin(), net.source_nodes.end());
  for (int node : stack) reached[static_cast<size_t>(node)] = 1;
  while (!stack.empty()) {
    const int node = stack.back();
    stack.pop_back();
    for (int e : touching[static_cast<size_t>(node)]) {
      if (element_done[static_cast<size_t>(e)]) continue;
      element_done[static_cast<size_t>(e)] = 1;
      for (int other : net.elements[static_cast<size_t>(e)].nodes) {
        if (other >= 0 && !reached[static_cast<size_t>(other)]) {
          reached[static_cast<size_t>(other)] = 1;
          stack.push_back(other);
        }
      }
    }
  }
  std::string missing;
  int count = 0;
  for (const PhaseBus& bus : net.buses) {
    const bool cut = std::any_of(bus.nodes.begin(), bus.nodes.end(),
                                 [&](int node) { return !reached[static_cast<size_t>(node)]; });
    if (!cut) continue;
    if (++count <= 10) missing += (missing.empty() ? "" : ", ") + bus.name;
  }
  if (count > 0) {
    throw InputError(source + ": " + std::to_string(count) +
                     " bus(es) without a path to the source: " + missing + (count > 10 ? ", ..." : ""));
  }
}

OpenDssCase Interpreter::finish(const std::string& source) {
  if (vsources_.empty())
    throw InputError(source + ": no circuit defined: the script needs 'New Circuit.<name>'");
  OpenDssCase result;
  MultiphaseNetwork& net = result.network;
  net.name = circuit_name_;
  net.frequency_hz = frequency_;
  net.base_mva = base_mva_;
  net.regulator_control = control_;
  net.max_control_iterations = max_control_iterations_;
  net.voltage_bases_kv = voltage_bases_;
  const double omega = 2.0 * std::numbers::pi * frequency_;
  std::vector<double> source_v;
  std::vector<Complex> source_phasors;

  for (const auto& [cls, index] : order_) {
    if (cls == "vsource") {
      const VsourceSpec& s = vsources_[index];
      if (!s.enabled) continue;
      const int n = s.phases;
      Complex z1, z0;
      if (s.spec == VsourceSpec::Spec::kOhm) {
        z1 = {s.r1, s.x1};
        z0 = {s.r0, s.x0};
      } else {
        double mva3 = s.mvasc3, mva1 = s.mvasc1;
        if (s.spec == VsourceSpec::Spec::kIsc) {
          mva3 = kSqrt3 * s.basekv * s.isc3 / 1000.0;
          mva1 = kSqrt3 * s.basekv * s.isc1 / 1000.0;
        }
        // |Z1| from the 3-phase short-circuit power; Z0 so that |2 Z1 + Z0| = 3 V_LN / I_sc1.
        const double z1_mag = s.basekv * s.basekv / mva3;
        const double r1 = z1_mag / std::sqrt(1.0 + s.x1r1 * s.x1r1);
        const double x1 = r1 * s.x1r1;
        const double a = 1.0 + s.x0r0 * s.x0r0;
        const double b = 4.0 * (r1 + x1 * s.x0r0);
        const double three_z = 3.0 * s.basekv * s.basekv / mva1;
        const double c = 4.0 * (r1 * r1 + x1 * x1) - three_z * three_z;
        const double r0 = (-b + std::sqrt(b * b - 4.0 * a * c)) / (2.0 * a);
        z1 = {r1, x1};
        z0 = {r0, r0 * s.x0r0};
      }
      Eigen::MatrixXcd z = Eigen::MatrixXcd::Constant(n, n, (z0 - z1) / 3.0);
      z.diagonal().setConstant(n == 1 ? z1 : (2.0 * z1 + z0) / 3.0);
      const std::vector<int> bus_nodes = terminal_nodes(net, s.bus1, n, n, s.at);
      if (!s.bus2.empty()) unsupported(s.at, "Vsource with bus2");
      PrimitiveElement e;
      e.name = "Vsource." + s.name;
      e.kind = ElementKind::kSourceImpedance;
      e.terminals = 2;
      e.conductors = n;
      const double v_ln = s.pu * s.basekv * 1000.0 / (n == 1 ? 1.0 : kSqrt3);
      for (int k = 0; k < n; ++k) {
        const int node = static_cast<int>(net.nodes.size());
        net.nodes.push_back({-1, k + 1});
        net.source_nodes.push_back(node);
        source_phasors.push_back(std::polar(v_ln, (s.angle_deg - 120.0 * k) * std::numbers::pi / 180.0));
        e.nodes.push_back(node);
      }
      e.nodes.insert(e.nodes.end(), bus_nodes.begin(), bus_nodes.end());
      e.y = two_terminal(z.inverse(), Eigen::MatrixXcd::Zero(n, n));
      net.elements.push_back(std::move(e));
    } else if (cls == "line") {
      const LineSpec& s = lines_[index];
      if (!s.enabled) continue;
      const int n = s.z.nphases;
      const ImpedanceData& z = s.z;
      if (z.r.rows() != n || z.x.rows() != n || z.c.rows() != n) fail(s.at, "Line: matrix size mismatch");
      double length = s.length;
      if (z.units != LengthUnit::kNone && s.length_units != LengthUnit::kNone) {
        length *= meters(s.length_units) / meters(z.units);
      }
      const double base_f =
          z.base_frequency > 0.0 && !options_.uniform_frequency ? z.base_frequency : frequency_;
      const Eigen::MatrixXcd zs =
          (z.r.cast<Complex>() + Complex(0.0, frequency_ / base_f) * z.x.cast<Complex>()) * length;
      if (std::abs(zs.determinant()) == 0.0) fail(s.at, "Line: singular impedance matrix");
      const Eigen::MatrixXcd yc = Complex(0.0, omega * 1e-9 * length / 2.0) * z.c.cast<Complex>();
      PrimitiveElement e;
      e.name = "Line." + s.name;
      e.kind = s.is_switch ? ElementKind::kSwitch : ElementKind::kLine;
      e.terminals = 2;
      e.conductors = n;
      e.nodes = terminal_nodes(net, s.bus1, n, n, s.at);
      const std::vector<int> to = terminal_nodes(net, s.bus2, n, n, s.at);
      e.nodes.insert(e.nodes.end(), to.begin(), to.end());
      e.y = two_terminal(zs.inverse(), yc);
      net.elements.push_back(std::move(e));
    } else if (cls == "capacitor") {
      const CapacitorSpec& s = capacitors_[index];
      if (!s.enabled) continue;
      const int n = s.phases;
      const double v = s.kv * 1000.0 / (s.connection == Connection::kWye && n > 1 ? kSqrt3 : 1.0);
      const double b = s.kvar * 1000.0 / n / (v * v);
      PrimitiveElement e;
      e.name = "Capacitor." + s.name;
      e.kind = ElementKind::kCapacitor;
      if (s.connection == Connection::kWye) {
        e.terminals = 2;
        e.conductors = n;
        e.nodes = terminal_nodes(net, s.bus1, n, n, s.at);
        const std::vector<int> to = s.bus2.empty() ? std::vector<int>(static_cast<size_t>(n), kGroundNode)
                                                   : terminal_nodes(net, s.bus2, n, n, s.at);
        e.nodes.insert(e.nodes.end(), to.begin(), to.end());
        e.y = two_terminal(Eigen::MatrixXcd::Identity(n, n) * Complex(0.0, b), Eigen::MatrixXcd::Zero(n, n));
      } else {
        if (n != 3) unsupported(s.at, "delta Capacitor with " + std::to_string(n) + " phases");
        if (!s.bus2.empty()) fail(s.at, "Capacitor: a delta capacitor has no bus2");
        e.terminals = 1;
        e.conductors = n;
        e.nodes = terminal_nodes(net, s.bus1, n, n, s.at);
        e.y = Eigen::MatrixXcd::Zero(n, n);
        for (int i = 0; i < n; ++i) {
          const int j = (i + 1) % n;
          e.y(i, i) += Complex(0.0, b);
          e.y(j, j) += Complex(0.0, b);
          e.y(i, j) -= Complex(0.0, b);
          e.y(j, i) -= Complex(0.0, b);
        }
      }
      net.elements.push_back(std::move(e));
    } else if (cls == "transformer") {
      TransformerSpec s = transformers_[index];
      if (!s.enabled) continue;
      PhaseTransformer& t = s.model;
      const int nc = t.phases + 1;
      for (size_t w = 0; w < static_cast<size_t>(t.windings); ++w) {
        if (t.kv[w] <= 0.0 || t.kva[w] <= 0.0) fail(s.at, t.name + ": kV and kVA must be positive");
        const std::vector<int> nodes = terminal_nodes(net, s.buses[w], nc, t.phases, s.at);
        t.nodes.insert(t.nodes.end(), nodes.begin(), nodes.end());
      }
      for (double x : t.x_pu) {
        if (x < 0.0) fail(s.at, t.name + ": short-circuit reactances must not be negative");
      }
      if (t.x_pu[0] == 0.0 && t.r_pu[0] + t.r_pu[1] == 0.0) fail(s.at, t.name + ": zero leakage impedance");
      PrimitiveElement e;
      e.name = t.name;
      e.kind = ElementKind::kTransformer;
      e.terminals = t.windings;
      e.conductors = nc;
      e.nodes = t.nodes;
      e.y = transformer_admittance(t, t.tap);
      t.element = static_cast<int>(net.elements.size());
      net.elements.push_back(std::move(e));
      net.transformers.push_back(t);
    } else if (cls == "pvsystem") {
      const PvSystemSpec& s = pvsystems_[index];
      if (!s.enabled) continue;
      // Output P = Pmpp irradiance %Pmpp (none below cut-in), Q from pf or kvar, limited to kVA.
      double p = s.irradiance * 100.0 < s.cutin_pct ? 0.0 : s.pmpp * s.irradiance * s.pct_pmpp / 100.0;
      double q = s.kvar_given ? s.kvar : p * std::sqrt(1.0 / (s.pf * s.pf) - 1.0) * (s.pf < 0.0 ? -1.0 : 1.0);
      const double apparent = std::hypot(p, q);
      if (apparent > s.kva) {
        p *= s.kva / apparent;
        q *= s.kva / apparent;
      }
      PhaseLoad l;
      l.name = "pvsystem." + s.name;
      l.connection = s.connection;
      l.phases = s.phases;
      const bool wye = s.connection == Connection::kWye;
      l.nodes =
          terminal_nodes(net, s.bus1, wye ? s.phases + 1 : (s.phases == 1 ? 2 : s.phases), s.phases, s.at);
      l.model = 1;
      l.p_w = -p * 1000.0 / s.phases;  // an injection: negative consumption
      l.q_var = -q * 1000.0 / s.phases;
      l.v_base_v = s.kv * 1000.0 / (wye && s.phases > 1 ? kSqrt3 : 1.0);
      l.vminpu = s.vminpu;
      l.vmaxpu = s.vmaxpu;
      net.loads.push_back(std::move(l));
    } else if (cls == "load") {
      const LoadSpec& s = loads_[index];
      if (!s.enabled) continue;
      PhaseLoad l;
      l.name = s.name;
      l.connection = s.connection;
      l.phases = s.phases;
      const bool wye = s.connection == Connection::kWye;
      const int conductors = wye ? s.phases + 1 : (s.phases == 1 ? 2 : s.phases);
      l.nodes = terminal_nodes(net, s.bus1, conductors, s.phases, s.at);
      l.model = s.model;
      l.cvr_watts = s.cvr_watts;
      l.cvr_vars = s.cvr_vars;
      if (s.model == 8) {
        if (!s.zipv_given) fail(s.at, "Load: model 8 (ZIP) needs ZIPV");
        l.zipv = s.zipv;
      }
      const double kvar =
          s.kvar_given ? s.kvar : s.kw * std::sqrt(1.0 / (s.pf * s.pf) - 1.0) * (s.pf < 0.0 ? -1.0 : 1.0);
      l.p_w = s.kw * 1000.0 / s.phases;
      l.q_var = kvar * 1000.0 / s.phases;
      l.v_base_v = s.kv * 1000.0 / (wye && s.phases > 1 ? kSqrt3 : 1.0);
      l.vminpu = s.vminpu;
      l.vmaxpu = s.vmaxpu;
      l.vlowpu = s.vlowpu;
      net.loads.push_back(std::move(l));
    }
  }
  for (const auto& [cls, index] : order_) {
    if (cls != "regcontrol") continue;
    const RegControlSpec& s = regcontrols_[index];
    if (!s.control.enabled) continue;
    RegulatorControl c = s.control;
    const std::string target = "Transformer." + s.transformer;
    for (size_t i = 0; i < net.transformers.size(); ++i) {
      if (lower(net.transformers[i].name) == lower(target)) c.transformer = static_cast<int>(i);
    }
    if (c.transformer < 0)
      fail(s.at, "RegControl." + c.name + ": transformer '" + s.transformer + "' is not defined");
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
  net.source_voltages = Eigen::Map<const Eigen::VectorXcd>(source_phasors.data(),
                                                           static_cast<Eigen::Index>(source_phasors.size()));
  for (PhaseBus& bus : net.buses) {
    auto it = coords_.find(bus.name);
    if (it != coords_.end()) bus.xy = it->second;
  }
  check_connected(net, source);
  if (!voltage_bases_.empty() && (calc_voltage_bases_ || solved_)) calc_voltage_bases(net);
  result.warnings = warnings_;
  result.solved = solved_;
  return result;
}

}  // namespace

OpenDssCase read_opendss(const std::filesystem::path& path, const OpenDssOptions& options) {
  Interpreter interpreter(options);
  interpreter.run_file(path, Location{});
  return interpreter.finish(path.string());
}

OpenDssCase parse_opendss(const std::string& text, const std::string& source,
                          const std::filesystem::path& directory, const OpenDssOptions& options) {
  Interpreter interpreter(options);
  interpreter.run_text(text, source, directory);
  return interpreter.finish(source);
}

}  // namespace vvc::grid
