// Internal: a LineCode's series impedance and shunt capacitance per unit length. A Line carries the same
// data, its own or a copy of its linecode's, and takes the same impedance properties.
#pragma once

#include <Eigen/Dense>
#include <string>

#include "../context.hpp"

namespace vvc::grid::dss {

enum class LengthUnit { kNone, kMi, kKft, kKm, kM, kFt, kIn, kCm, kMm };

LengthUnit parse_unit(const std::string& value, const Location& at);
/// Meters per unit (1 for kNone).
double meters(LengthUnit u);

// Series impedance and shunt capacitance per unit length, from sequence values or matrices.
struct ImpedanceData {
  int nphases = 3;
  double r1 = 0.058, x1 = 0.1206, r0 = 0.1784, x0 = 0.4047;  // ohm per unit length
  double c1 = 3.4, c0 = 1.6;                                 // nF per unit length
  Eigen::MatrixXd r, x, c;                                   // c in nF
  LengthUnit units = LengthUnit::kNone;
  double base_frequency = 0.0;  // 0: the circuit's frequency
  bool sequence_changed = false;

  ImpedanceData() { from_sequence(); }
  /// The matrices from the sequence values (OpenDSS recomputes them at the end of a command that changed
  /// those).
  void from_sequence();
};

/// Applies an impedance property (nphases or phases, r1 x1 r0 x0 c1 c0 b1 b0, rmatrix xmatrix cmatrix, units,
/// basefreq); false for another property.
bool apply_impedance(ImpedanceData& z, const std::string& prop, const std::string& value, const Location& at,
                     const ReaderContext& context);

struct LineCodeSpec {
  Location at;
  std::string name;
  ImpedanceData z;
};

}  // namespace vvc::grid::dss
