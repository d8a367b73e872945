// OpenDSS's load models as admittance functions of the voltage magnitude (private to vvc_grid).
//
// Every model draws i = h(|v|) v from the voltage v across a load phase element: constant PQ h = conj(S) /
// |v|^2, constant Z h = Y_eq, constant |I| h = conj(S) / (V_b |v|), CVR h = P (|v|/V_b)^cvrwatts / |v|^2 -
// j Q (|v|/V_b)^cvrvars / |v|^2, ZIPV a combination of the three with a cut-off factor, and outside
// [vminpu, vmaxpu] OpenDSS's reversion to a constant impedance (above) or to a current linear in |v| (below,
// down to vlowpu): h = (I_low + m (|v| - V_low)) / |v| (OpenDSS Load.pas: DoConstantPQLoad, DoConstantZLoad,
// DoConstantILoad, DoCVRModel, DoZIPVModel). The Newton iteration needs the derivative of i: with |v|' =
// Re(conj(v) dv) / |v|,
//     di = (h + h' |v| / 2) dv + (h' v^2 / (2 |v|)) conj(dv),
// where h' = dh/d|v|; load_current_derivative returns the two coefficients. h is linear in S = P + jQ in
// every region (the regions depend on |v| only), which the voltage sensitivities use.
#pragma once

#include <cmath>
#include <utility>

#include "vvc/common/units.hpp"
#include "vvc/grid/model/multiphase_network.hpp"

namespace vvc::grid::detail {

/// Per-load quantities at one power S (OpenDSS Load.SetNominalLoad).
struct LoadTerms {
  Complex s;  ///< P + jQ per phase element, consumption
  Complex yeq, yeq105, yeq105i;
  Complex i_low, m95, m95i;
  double v_base = 0.0, v_low = 0.0, v95 = 0.0, v105 = 0.0;
};

inline LoadTerms load_terms(const PhaseLoad& load, Complex s_per_phase) {
  LoadTerms t;
  t.s = s_per_phase;
  t.v_base = load.v_base_v;
  t.yeq = std::conj(t.s) / (t.v_base * t.v_base);
  const Complex yeq95 = load.vminpu != 0.0 ? t.yeq / (load.vminpu * load.vminpu) : Complex(0.0, 0.0);
  t.yeq105 = load.vmaxpu != 0.0 ? t.yeq / (load.vmaxpu * load.vmaxpu) : t.yeq;
  t.yeq105i = load.vmaxpu != 0.0 ? t.yeq / load.vmaxpu : t.yeq;
  t.v_low = load.vlowpu * t.v_base;
  t.v95 = load.vminpu * t.v_base;
  t.v105 = load.vmaxpu * t.v_base;
  t.i_low = t.yeq * t.v_low;
  const Complex i95 = yeq95 * t.v95;
  const double span = t.v95 - t.v_low;
  t.m95 = span != 0.0 ? (i95 - t.i_low) / span : Complex(0.0, 0.0);
  t.m95i = span != 0.0 ? (t.yeq * t.v_base - t.i_low) / span : Complex(0.0, 0.0);
  return t;
}

/// h(|v|) and dh/d|v| of one load phase element, |v| = vm > 0.
inline std::pair<Complex, Complex> load_admittance(const PhaseLoad& load, const LoadTerms& t, double vm) {
  const Complex zero(0.0, 0.0);
  if (load.model == 2) return {t.yeq, zero};
  if (vm <= t.v_low || vm == 0.0) return {t.yeq, zero};
  // The linear reversion below vminpu: h = (I_low + m (vm - V_low)) / vm.
  auto linear = [&](Complex slope) {
    const Complex offset = t.i_low - slope * t.v_low;
    return std::pair<Complex, Complex>{offset / vm + slope, -offset / (vm * vm)};
  };
  if (load.model == 1) {
    if (vm <= t.v95) return linear(t.m95);
    if (vm > t.v105) return {t.yeq105, zero};
    const Complex h = std::conj(t.s) / (vm * vm);
    return {h, -2.0 * h / vm};
  }
  if (load.model == 4) {
    if (vm <= t.v95) return linear(t.m95);
    if (vm > t.v105) return {t.yeq105, zero};
    const double ratio = vm / t.v_base;
    const double watt_factor = load.cvr_watts != 1.0 ? std::pow(ratio, load.cvr_watts) : ratio;
    Complex h = t.s.real() * watt_factor / (vm * vm);
    Complex dh = (load.cvr_watts - 2.0) * h / vm;
    if (load.cvr_vars == 2.0) {
      h += Complex(0.0, t.yeq.imag());
    } else {
      const Complex hq = Complex(0.0, -t.s.imag() * std::pow(ratio, load.cvr_vars)) / (vm * vm);
      h += hq;
      dh += (load.cvr_vars - 2.0) * hq / vm;
    }
    return {h, dh};
  }
  if (load.model == 5) {
    if (vm <= t.v95) return linear(t.m95i);
    if (vm > t.v105) return {t.yeq105i, zero};
    const Complex h = std::conj(t.s) / (t.v_base * vm);
    return {h, -h / vm};
  }
  // Model 8: ZIPV. Each share takes the real parts of its admittance with the P fraction and the imaginary
  // parts with the Q fraction.
  const auto& z = load.zipv;
  auto mix = [](Complex y, double fp, double fq) { return Complex(y.real() * fp, y.imag() * fq); };
  Complex h, dh;
  if (vm <= t.v95) {
    const auto [hp, dhp] = linear(t.m95);
    const auto [hi, dhi] = linear(t.m95i);
    h = mix(t.yeq, z[0], z[3]) + mix(hi, z[1], z[4]) + mix(hp, z[2], z[5]);
    dh = mix(dhi, z[1], z[4]) + mix(dhp, z[2], z[5]);
  } else if (vm > t.v105) {
    h = mix(t.yeq, z[0], z[3]) + mix(t.yeq105i, z[1], z[4]) + mix(t.yeq105, z[2], z[5]);
    dh = zero;
  } else {
    const Complex hi = std::conj(Complex(t.s.real() * z[1], t.s.imag() * z[4])) / (t.v_base * vm);
    const Complex hp = std::conj(Complex(t.s.real() * z[2], t.s.imag() * z[5])) / (vm * vm);
    h = mix(t.yeq, z[0], z[3]) + hi + hp;
    dh = -hi / vm - 2.0 * hp / vm;
  }
  if (z[6] > 0.0) {
    // Cut-off: the current fades out below the cut-off voltage as (1 + tanh(500 (vm/V_b - z6))) / 2.
    const double vx = 500.0 * (vm / t.v_base - z[6]);
    if (vx < 20.0) {
      const double th = std::tanh(vx);
      const double factor = 0.5 * (1.0 + th);
      const double dfactor = 0.5 * (1.0 - th * th) * 500.0 / t.v_base;
      dh = factor * dh + dfactor * h;
      h *= factor;
    }
  }
  return {h, dh};
}

/// The coefficients (a, b) of di = a dv + b conj(dv) at voltage v, given h and h' at |v|.
inline std::pair<Complex, Complex> load_current_derivative(Complex v, double vm, Complex h, Complex dh) {
  return {h + 0.5 * vm * dh, dh * v * v / (2.0 * vm)};
}

}  // namespace vvc::grid::detail
