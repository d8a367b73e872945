// Units and sign conventions of vvc, written once.
//
// - Per unit: every network quantity inside the numerics is per unit on the case's base power (base_mva,
//   three-phase MVA for balanced cases) and each bus's base voltage (base_kv, line-to-line kV).
//   Z_base = base_kv^2 / base_mva.
// - Power injections are positive INTO the bus. A load consuming P is an injection of -P; a generator or
//   inverter producing P (or Q) is an injection of +P (+Q).
// - Angles are radians inside the library; degrees only at input and output (files, command line, GUI).
// - At the user boundary, power is in MW and MVar, voltages in pu (and in volts where a format says so), and
//   impedances in ohm or pu, as the file format says.
#pragma once

#include <complex>
#include <numbers>

namespace vvc {

/// Complex phasors and powers (real part active, imaginary part reactive).
using Complex = std::complex<double>;

inline constexpr double kPi = std::numbers::pi;
inline constexpr double kDegPerRad = 180.0 / kPi;
inline constexpr double kRadPerDeg = kPi / 180.0;

inline constexpr double deg_to_rad(double deg) { return deg * kRadPerDeg; }
inline constexpr double rad_to_deg(double rad) { return rad * kDegPerRad; }

/// Impedance base in ohm for a line-to-line base voltage in kV and a three-phase base power in MVA.
inline constexpr double impedance_base_ohm(double base_kv, double base_mva) {
  return base_kv * base_kv / base_mva;
}

}  // namespace vvc
