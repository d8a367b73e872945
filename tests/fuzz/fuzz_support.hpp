// What every libFuzzer harness of vvc checks (docs/testing.md): a reader rejects bad input only with InputError,
// and whatever it accepts holds finite numbers only. Anything else is a finding: the harness aborts, and
// libFuzzer saves the input that caused it.
#pragma once

#include <Eigen/Dense>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "vvc/common/errors.hpp"
#include "vvc/grid/model/multiphase_network.hpp"
#include "vvc/grid/model/network.hpp"

namespace vvc::fuzz {

[[noreturn]] inline void finding(const std::string& what) {
  std::fprintf(stderr, "vvc fuzz finding: %s\n", what.c_str());
  std::abort();
}

/// The fuzz input as text.
inline std::string input_text(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

/// Runs `read`, which reads the input and checks what it accepted; an InputError is the expected rejection,
/// any other exception a finding.
template <class Read>
void read_or_reject(Read&& read) {
  try {
    read();
  } catch (const InputError&) {
  } catch (const std::exception& e) {
    finding(std::string("an exception other than InputError: ") + e.what());
  } catch (...) {
    finding("an exception other than InputError");
  }
}

inline void expect_finite(double x, std::string_view what) {
  if (!std::isfinite(x)) finding("accepted a non-finite number: " + std::string(what));
}

template <class Derived>
void expect_finite(const Eigen::DenseBase<Derived>& values, std::string_view what) {
  if (!values.derived().array().isFinite().all())
    finding("accepted a non-finite number: " + std::string(what));
}

template <class Range>
void expect_all_finite(const Range& values, std::string_view what) {
  for (const double x : values) expect_finite(x, what);
}

inline void expect_finite(const grid::Network& network) {
  expect_finite(network.base_mva, "base_mva");
  for (const grid::Bus& bus : network.buses) {
    expect_finite(bus.base_kv, "bus base_kv");
    expect_finite(bus.vmin_pu, "bus vmin_pu");
    expect_finite(bus.vmax_pu, "bus vmax_pu");
    if (bus.xy) expect_all_finite(*bus.xy, "bus xy");
  }
  for (const grid::Branch& branch : network.branches) {
    expect_finite(branch.r_pu, "branch r_pu");
    expect_finite(branch.x_pu, "branch x_pu");
    expect_finite(branch.b_pu, "branch b_pu");
  }
  for (const grid::Load& load : network.loads) {
    expect_finite(load.p_mw, "load p_mw");
    expect_finite(load.q_mvar, "load q_mvar");
    expect_all_finite(load.zip_p, "load zip_p");
    expect_all_finite(load.zip_q, "load zip_q");
  }
  for (const grid::Generator& gen : network.generators) {
    expect_finite(gen.p_mw, "generator p_mw");
    expect_finite(gen.q_mvar, "generator q_mvar");
    expect_finite(gen.q_min_mvar, "generator q_min_mvar");
    expect_finite(gen.q_max_mvar, "generator q_max_mvar");
    if (gen.s_max_mva) expect_finite(*gen.s_max_mva, "generator s_max_mva");
  }
  expect_finite(network.slack.vm_pu, "slack vm_pu");
  expect_finite(network.slack.va_rad, "slack va");
}

inline void expect_finite(const grid::MultiphaseNetwork& network) {
  expect_finite(network.frequency_hz, "frequency");
  expect_finite(network.base_mva, "base_mva");
  expect_all_finite(network.voltage_bases_kv, "voltage bases");
  for (const grid::PhaseBus& bus : network.buses) {
    expect_finite(bus.base_kv_ll, "bus " + bus.name + " base kV");
    if (bus.xy) expect_all_finite(*bus.xy, "bus " + bus.name + " coordinates");
  }
  for (const grid::PrimitiveElement& element : network.elements)
    expect_finite(element.y, element.name + " Y");
  for (const grid::PhaseLoad& load : network.loads) {
    const std::string what = "load " + load.name;
    for (const double x : {load.cvr_watts, load.cvr_vars, load.p_w, load.q_var, load.v_base_v, load.vminpu,
                           load.vmaxpu, load.vlowpu}) {
      expect_finite(x, what);
    }
    expect_all_finite(load.zipv, what + " zipv");
  }
  for (const grid::PhaseTransformer& t : network.transformers) {
    const std::string what = "transformer " + t.name;
    for (const auto* values : {&t.kv, &t.kva, &t.r_pu, &t.x_pu, &t.tap}) expect_all_finite(*values, what);
    for (const double x : {t.min_tap, t.max_tap, t.noload_pu, t.magnetizing_pu, t.ppm_antifloat}) {
      expect_finite(x, what);
    }
  }
  for (const grid::RegulatorControl& r : network.regulators) {
    for (const double x : {r.vreg, r.band, r.pt_ratio, r.ct_primary_a, r.r_v, r.x_v, r.ldc_z, r.delay_s,
                           r.tap_delay_s, r.vlimit, r.remote_pt_ratio, r.rev_vreg, r.rev_band, r.rev_r_v,
                           r.rev_x_v, r.rev_ldc_z, r.rev_threshold_kw, r.rev_delay_s}) {
      expect_finite(x, "regulator " + r.name);
    }
  }
  for (const grid::PhaseCapacitor& c : network.capacitors) {
    for (const Eigen::MatrixXcd& y : c.step_y) expect_finite(y, "capacitor " + c.name + " step Y");
    expect_finite(c.total_kvar, "capacitor " + c.name + " kvar");
  }
  for (const grid::CapacitorControl& c : network.capacitor_controls) {
    for (const double x : {c.pt_ratio, c.ct_ratio, c.on_setting, c.off_setting, c.pf_on, c.pf_off,
                           c.on_delay_s, c.off_delay_s, c.dead_time_s, c.vmin, c.vmax, c.pct_min_kvar}) {
      expect_finite(x, "capacitor control " + c.name);
    }
  }
  expect_finite(network.source_voltages, "source voltages");
}

}  // namespace vvc::fuzz
