// LineCode: impedance per unit length for lines (sequence values or matrices, OpenDSS's defaults).
#include "linecode.hpp"

#include <numbers>

#include "../element_class.hpp"
#include "../lexer.hpp"

namespace vvc::grid::dss {

LengthUnit parse_unit(const std::string& value, const Location& at) {
  const std::string u = lower(strip_brackets(value));
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

void ImpedanceData::from_sequence() {
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

bool apply_impedance(ImpedanceData& z, const std::string& prop, const std::string& value, const Location& at,
                     const ReaderContext& context) {
  auto matrix = [&](Eigen::MatrixXd& m) {
    const std::vector<double> v = parse_matrix(value, z.nphases);
    m = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        v.data(), z.nphases, z.nphases);
  };
  const double omega = 2.0 * std::numbers::pi * context.settings.frequency_hz;
  if (prop == "nphases" || prop == "phases") {
    const int n = parse_integer(value, 1, kMaxPhases);
    if (n != z.nphases || z.r.rows() != n) {
      z.nphases = n;
      z.from_sequence();
    }
  } else if (prop == "r1") {
    z.r1 = parse_number(value), z.sequence_changed = true;
  } else if (prop == "x1") {
    z.x1 = parse_number(value), z.sequence_changed = true;
  } else if (prop == "r0") {
    z.r0 = parse_number(value), z.sequence_changed = true;
  } else if (prop == "x0") {
    z.x0 = parse_number(value), z.sequence_changed = true;
  } else if (prop == "c1") {
    z.c1 = parse_number(value), z.sequence_changed = true;
  } else if (prop == "c0") {
    z.c0 = parse_number(value), z.sequence_changed = true;
  } else if (prop == "b1") {
    z.c1 = parse_number(value) / omega * 1e3, z.sequence_changed = true;
  } else if (prop == "b0") {
    z.c0 = parse_number(value) / omega * 1e3, z.sequence_changed = true;
  } else if (prop == "rmatrix") {
    matrix(z.r);
  } else if (prop == "xmatrix") {
    matrix(z.x);
  } else if (prop == "cmatrix") {
    matrix(z.c);
  } else if (prop == "units") {
    z.units = parse_unit(value, at);
  } else if (prop == "basefreq") {
    z.base_frequency = parse_number(value);
  } else {
    return false;
  }
  return true;
}

namespace {

class LineCodeClass final : public ElementStore<LineCodeSpec> {
 public:
  LineCodeClass()
      : ElementStore(
            {"nphases",   "r1",      "x1",      "r0",      "x0",       "c1",       "c0",
             "units",     "rmatrix", "xmatrix", "cmatrix", "basefreq", "normamps", "emergamps",
             "faultrate", "pctperm", "repair",  "kron",    "rg",       "xg",       "rho",
             "neutral",   "b1",      "b0",      "seasons", "ratings",  "linetype", "like"},
            {"normamps", "emergamps", "faultrate", "pctperm", "repair", "seasons", "ratings", "linetype"}) {}

 private:
  bool apply_property(LineCodeSpec& s, const std::string& prop, const std::string& value, const Location& at,
                      ReaderContext& context) const override {
    return apply_impedance(s.z, prop, value, at, context);
  }
  void finish_edit(LineCodeSpec& s) const override {
    if (s.z.sequence_changed) s.z.from_sequence();
  }
  void build_element(const LineCodeSpec&, NetworkBuilder&) const override {}
};

}  // namespace

std::unique_ptr<ElementClass> make_linecode() { return std::make_unique<LineCodeClass>(); }

}  // namespace vvc::grid::dss
