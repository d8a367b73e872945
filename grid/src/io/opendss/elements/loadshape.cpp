// LoadShape: the multipliers OpenDSS's daily mode applies to the elements that name the shape ("daily=").
// A snapshot does not read them; the network keeps them (MultiphaseNetwork::load_shapes) for the scenario
// sources that step through a day. Values come from mult (or pmult) and qmult as lists "(1 0.9 ...)" or as
// "(file=name.csv)" (one value per line, the first column), or from csvfile=; npts keeps the first npts of
// them and must not exceed their number; interval (hours), minterval or sinterval give the spacing.
#include <sstream>

#include "../builder.hpp"
#include "../element_class.hpp"
#include "../lexer.hpp"
#include "vvc/common/errors.hpp"

namespace vvc::grid::dss {

namespace {

struct LoadShapeSpec {
  Location at;
  std::string name;
  int npts = 0;  ///< 0: as many as the multipliers give
  double interval_h = 1.0;
  std::vector<double> mult, qmult;
  bool use_actual = false;
};

/// The values of a "(file=name)" list or a bare file name: the first field of every non-blank line.
std::vector<double> read_values_file(const std::string& name, const Location& at,
                                     const ReaderContext& context) {
  const std::filesystem::path path = context.directory / name;
  std::string text;
  try {
    text = context.files->read(path);
  } catch (const InputError& e) {
    fail(at, e.what());
  }
  std::vector<double> out;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    for (char& c : line) {
      if (c == ',' || c == '\t' || c == '\r') c = ' ';
    }
    std::istringstream fields(line);
    std::string first;
    if (!(fields >> first)) continue;
    try {
      out.push_back(parse_number(first));
    } catch (const std::invalid_argument& e) {
      fail(Location{path.string(), number}, e.what());
    }
  }
  return out;
}

std::vector<double> parse_values(const std::string& value, const Location& at, const ReaderContext& context) {
  const std::string inner = strip_brackets(value);
  const std::string key = lower(inner.substr(0, inner.find('=')));
  if (inner.find('=') != std::string::npos) {
    const std::string file = strip_brackets(inner.substr(inner.find('=') + 1));
    if (key == "file") return read_values_file(file, at, context);
    throw std::invalid_argument("expected a list of numbers or (file=name), got '" + value + "'");
  }
  return parse_numbers(value);
}

class LoadShapeClass final : public ElementStore<LoadShapeSpec> {
 public:
  LoadShapeClass()
      : ElementStore(
            {"npts",    "interval", "mult",  "hour",      "mean",          "stddev", "csvfile",   "sngfile",
             "dblfile", "action",   "qmult", "useactual", "pmax",          "qmax",   "sinterval", "minterval",
             "pbase",   "qbase",    "pmult", "pqcsvfile", "memorymapping", "like"},
            {"mean", "stddev", "pmax", "qmax", "pbase", "qbase", "memorymapping"}) {}

 private:
  bool apply_property(LoadShapeSpec& s, const std::string& prop, const std::string& value, const Location& at,
                      ReaderContext& context) const override {
    if (prop == "npts") {
      s.npts = parse_integer(value, 1, kMaxCount);
    } else if (prop == "interval") {
      s.interval_h = parse_positive(value);
    } else if (prop == "minterval") {
      s.interval_h = parse_positive(value) / 60.0;
    } else if (prop == "sinterval") {
      s.interval_h = parse_positive(value) / 3600.0;
    } else if (prop == "mult" || prop == "pmult") {
      s.mult = parse_values(value, at, context);
    } else if (prop == "qmult") {
      s.qmult = parse_values(value, at, context);
    } else if (prop == "csvfile") {
      s.mult = read_values_file(strip_brackets(value), at, context);
    } else if (prop == "useactual") {
      s.use_actual = parse_bool(value);
      if (s.use_actual)
        context.unsupported(at, "LoadShape useactual=yes (values in kW instead of multipliers)");
    } else if (prop == "hour") {
      context.unsupported(at, "LoadShape hour= (points at uneven times)");
    } else {
      return false;  // sngfile, dblfile, pqcsvfile, action
    }
    return true;
  }

  void build_element(const LoadShapeSpec& s, NetworkBuilder& builder) const override {
    LoadShape shape;
    shape.name = s.name;
    shape.interval_h = s.interval_h;
    shape.mult = s.mult;
    shape.qmult = s.qmult;
    const size_t n = s.npts > 0 ? static_cast<size_t>(s.npts) : s.mult.size();
    for (auto* values : {&shape.mult, &shape.qmult}) {
      if (values->empty()) continue;
      if (values->size() < n) {
        fail(s.at, "LoadShape." + s.name + ": npts=" + std::to_string(n) + " but " +
                       (values == &shape.mult ? "mult" : "qmult") + " gives " +
                       std::to_string(values->size()) + " values");
      }
      values->resize(n);
    }
    builder.network().load_shapes.push_back(std::move(shape));
  }
};

}  // namespace

std::unique_ptr<ElementClass> make_loadshape() { return std::make_unique<LoadShapeClass>(); }

}  // namespace vvc::grid::dss
