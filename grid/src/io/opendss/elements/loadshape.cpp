// Loadshape: accepted so that loads may name it. Shapes only matter in time-series modes; a snapshot uses
// each load's base kW and kvar, so the shape's values are not read.
#include "../element_class.hpp"

namespace vvc::grid::dss {

namespace {

struct LoadShapeSpec {
  Location at;
  std::string name;
};

class LoadShapeClass final : public ElementStore<LoadShapeSpec> {
 public:
  LoadShapeClass()
      : ElementStore(
            {"npts",    "interval", "mult",  "hour",      "mean",          "stddev", "csvfile",   "sngfile",
             "dblfile", "action",   "qmult", "useactual", "pmax",          "qmax",   "sinterval", "minterval",
             "pbase",   "qbase",    "pmult", "pqcsvfile", "memorymapping", "like"},
            {}) {}

 private:
  bool apply_property(LoadShapeSpec&, const std::string& prop, const std::string&, const Location&,
                      ReaderContext&) const override {
    return prop == "npts" || prop == "interval" || prop == "minterval" || prop == "sinterval" ||
           prop == "mult" || prop == "pmult" || prop == "qmult" || prop == "useactual" || prop == "hour";
  }
  void build_element(const LoadShapeSpec&, NetworkBuilder&) const override {}
};

}  // namespace

std::unique_ptr<ElementClass> make_loadshape() { return std::make_unique<LoadShapeClass>(); }

}  // namespace vvc::grid::dss
