// Regulator control as OpenDSS's RegControl does it in the static control mode
// (docs/algorithms/three-phase.md; OpenDSS RegControl.pas Sample / DoPendingAction, ControlQueue.pas,
// Solution.pas SolveSnap).
//
// After each converged power flow every control samples its voltage: the winding voltage of the PT phase
// over the PT ratio (or a remote node's voltage over the remote PT ratio), plus the line-drop compensation
// (R + jX) I / CT with I the winding's phase current into the regulator (or |V| - Z |I| in the Beckwith
// form). Outside vreg +- band/2 it computes the boost in per unit of the winding's base voltage, rounds it
// to whole tap steps (round half to even) and, unless it already waits, queues a tap change at its delay.
// Back inside the band, it withdraws a waiting change. The queue then executes every action whose time
// equals the earliest one: a tap change moves 70 % of the pending steps rounded down, at least one and at
// most maxtapchange, clipped to the tap range. Time does not advance in the static mode, so a control with a
// longer delay acts only once those with shorter delays stop asking. The loop ends when the queue is empty
// or after MaxControlIter power flows; the queue and the waiting controls carry over to the next solve.
#include <algorithm>
#include <cmath>

#include "three_phase_impl.hpp"

namespace vvc::grid {

namespace {

constexpr double kEpsilon = 1e-12;  // OpenDSS's EPSILON
constexpr double kInvSqrt3x1000 = 577.35026918962576450914;

// The phase a delta winding's phase i (1-based) is joined to (OpenDSS Transformer.RotatePhases).
int rotate_phase(const PhaseTransformer& t, int i) {
  int direction = 1;
  if (t.connection[0] != t.connection[1]) {
    const size_t hv = t.kv[0] >= t.kv[1] ? 0 : 1;
    const bool hv_wye = t.connection[hv] == Connection::kWye;
    direction = hv_wye == t.hv_leads_lv ? -1 : 1;
  }
  int r = i + direction;
  if (t.phases > 2) {
    if (r > t.phases) r = 1;
    if (r < 1) r = t.phases;
  } else if (r < 1) {
    r = 3;
  }
  return r;
}

// The winding's voltage base in volts (OpenDSS Winding.VBase).
double winding_base_volts(const PhaseTransformer& t, int winding) {
  const double kv = t.kv[static_cast<size_t>(winding)];
  if (t.connection[static_cast<size_t>(winding)] == Connection::kWye && t.phases >= 2)
    return kv * kInvSqrt3x1000;
  return kv * 1000.0;
}

}  // namespace

void ThreePhaseWorkspace::Impl::reset_control() {
  std::fill(regulator_runtime.begin(), regulator_runtime.end(), RegulatorRuntime{});
  std::fill(capacitor_control_runtime.begin(), capacitor_control_runtime.end(), CapacitorControlRuntime{});
  queue.clear();
  last_handle = 0;
}

// Inserted before the first action at the same or a later time, as OpenDSS's ControlQueue.Push.
int ThreePhaseWorkspace::Impl::push_action(double delay, int code, int device) {
  ControlAction action{delay, code, ++last_handle, device};
  const auto at =
      std::find_if(queue.begin(), queue.end(), [&](const ControlAction& a) { return delay <= a.time; });
  queue.insert(at, action);
  return action.handle;
}

void ThreePhaseWorkspace::Impl::delete_action(int handle) {
  const auto at =
      std::find_if(queue.begin(), queue.end(), [&](const ControlAction& a) { return a.handle == handle; });
  if (at != queue.end()) queue.erase(at);
}

bool ThreePhaseWorkspace::Impl::do_nearest_actions() {
  if (queue.empty()) return false;
  const double time = queue.front().time;
  while (true) {
    const auto at =
        std::find_if(queue.begin(), queue.end(), [&](const ControlAction& a) { return a.time <= time; });
    if (at == queue.end()) break;
    const ControlAction action = *at;
    queue.erase(at);
    do_pending_action(action);
  }
  return true;
}

void ThreePhaseWorkspace::Impl::do_pending_action(const ControlAction& action) {
  if (action.code == kCapacitorSwitch) {
    do_capacitor_action(static_cast<size_t>(action.device));
    return;
  }
  const RegulatorControl& c = network->regulators[static_cast<size_t>(action.device)];
  RegulatorRuntime& s = regulator_runtime[static_cast<size_t>(action.device)];
  if (action.code == kReverse) {
    if (s.reverse_pending) {
      if (c.cogen) {
        s.in_cogen = !s.in_cogen;
      } else {
        s.in_reverse = !s.in_reverse;
      }
      s.reverse_pending = false;
    }
    return;
  }
  if (s.pending_change == 0.0) {
    s.armed = false;
    return;
  }
  const auto ti = static_cast<size_t>(c.transformer);
  const PhaseTransformer& t = network->transformers[ti];
  const double increment = t.tap_increment();
  // 70 % of the way, at least one step, at most maxtapchange.
  int steps = static_cast<int>(std::trunc(0.7 * std::abs(s.pending_change) / increment));
  if (steps == 0) steps = 1;
  steps = std::min(steps, c.max_tap_change);
  const double change = (s.pending_change > 0.0 ? steps : -steps) * increment;
  const double present = taps[ti][static_cast<size_t>(c.tap_winding)];
  const double moved = std::clamp(present + change, t.min_tap, t.max_tap);
  if (moved != present) set_tap(ti, c.tap_winding, moved);
  s.pending_change = 0.0;
  s.armed = false;
}

void ThreePhaseWorkspace::Impl::sample(size_t k) {
  const RegulatorControl& c = network->regulators[k];
  RegulatorRuntime& s = regulator_runtime[k];
  if (!c.enabled) return;
  if (c.max_tap_change == 0) {
    s.pending_change = 0.0;
    return;
  }
  const auto ti = static_cast<size_t>(c.transformer);
  const PhaseTransformer& t = network->transformers[ti];
  const auto element = static_cast<size_t>(t.element);
  const int nc = t.phases + 1;
  const int w = c.winding;
  const double present_tap = taps[ti][static_cast<size_t>(c.tap_winding)];
  const bool remote = c.regulated_node >= 0;

  // Reverse power: the power into the winding's terminal decides, after rev_delay_s, to switch modes.
  if (!remote && (c.reversible || c.cogen)) {
    Complex terminal_power(0.0, 0.0);
    for (int i = 0; i < nc; ++i) {
      const auto row = static_cast<size_t>(w * nc + i);
      terminal_power += voltage(t.nodes[row]) * std::conj(element_current_at(element, row));
    }
    const double forward = -terminal_power.real();
    const double threshold = c.rev_threshold_kw * 1000.0;
    const bool looking_forward = !s.in_reverse || s.in_cogen;
    if (looking_forward && !s.in_cogen) {
      if (!s.reverse_pending && forward < -threshold) {
        s.reverse_pending = true;
        s.reverse_handle = push_action(c.rev_delay_s, kReverse, static_cast<int>(k));
      }
      if (s.reverse_pending && forward >= -threshold) {
        s.reverse_pending = false;
        if (s.reverse_handle > 0) {
          delete_action(s.reverse_handle);
          s.reverse_handle = 0;
        }
      }
    } else {
      if (!s.reverse_pending && forward > threshold) {
        s.reverse_pending = true;
        s.reverse_back_handle = push_action(c.rev_delay_s, kReverse, static_cast<int>(k));
      }
      if (s.reverse_pending && forward <= threshold) {
        s.reverse_pending = false;
        if (s.reverse_back_handle > 0) {
          delete_action(s.reverse_back_handle);
          s.reverse_back_handle = 0;
        }
      }
      if (c.rev_neutral) {
        // Back to the neutral tap, one action after tap_delay_s.
        if (!s.armed) {
          s.pending_change = 0.0;
          if (std::abs(present_tap - 1.0) > kEpsilon) {
            const double increment = t.tap_increment();
            s.pending_change = std::nearbyint((1.0 - present_tap) / increment) * increment;
            if (s.pending_change != 0.0) {
              push_action(c.tap_delay_s, kTapChange, static_cast<int>(k));
              s.armed = true;
            }
          }
        }
        return;
      }
    }
  }

  // The winding's phase voltages (phase to neutral, or to the phase a delta winding joins).
  auto winding_voltage = [&](int phase) {
    const int base = w * nc;
    const Complex v = voltage(t.nodes[static_cast<size_t>(base + phase - 1)]);
    if (t.connection[static_cast<size_t>(w)] == Connection::kWye) {
      return v - voltage(t.nodes[static_cast<size_t>(base + t.phases)]);
    }
    const auto other = static_cast<size_t>(base + rotate_phase(t, phase) - 1);
    return v - (other < t.nodes.size() ? voltage(t.nodes[other]) : Complex(0.0, 0.0));
  };
  Complex v_control;
  int controlled_phase = 1;
  if (remote) {
    v_control = voltage(c.regulated_node) / c.remote_pt_ratio;
  } else {
    if (c.pt_phase == kPtPhaseMax || c.pt_phase == kPtPhaseMin) {
      double best = std::abs(winding_voltage(1));
      for (int phase = 2; phase <= t.phases; ++phase) {
        const double vm = std::abs(winding_voltage(phase));
        if (c.pt_phase == kPtPhaseMax ? vm > best : vm < best) {
          best = vm;
          controlled_phase = phase;
        }
      }
    } else {
      controlled_phase = c.pt_phase;
    }
    v_control = winding_voltage(controlled_phase) / c.pt_ratio;
  }
  const bool vlimit_active = c.vlimit > 0.0;
  const double v_local = !vlimit_active ? 0.0
                         : remote       ? std::abs(winding_voltage(1) / c.pt_ratio)
                                        : std::abs(v_control);
  const bool reverse_settings = s.in_reverse || s.in_cogen;
  if (!remote && (c.r_v != 0.0 || c.x_v != 0.0 || c.ldc_z > 0.0)) {
    // The current into the terminal, so adding (R + jX) I subtracts the drop toward the load.
    const Complex i_ldc =
        element_current_at(element, static_cast<size_t>(w * nc + controlled_phase - 1)) / c.ct_primary_a;
    if (c.ldc_z == 0.0) {
      v_control += (reverse_settings ? Complex(c.rev_r_v, c.rev_x_v) : Complex(c.r_v, c.x_v)) * i_ldc;
    } else {
      v_control = std::abs(v_control) - std::abs(i_ldc) * (reverse_settings ? c.rev_ldc_z : c.ldc_z);
    }
  }
  double v_actual = std::abs(v_control);
  double vreg = c.vreg;
  double band = c.band;
  if (s.in_reverse) {
    v_actual /= present_tap;
    vreg = c.rev_vreg;
    band = c.rev_band;
  } else if (s.in_cogen) {
    vreg = c.rev_vreg;
    band = c.rev_band;
  }
  const bool over_limit = vlimit_active && v_local > c.vlimit;
  if (std::abs(vreg - v_actual) > band / 2.0 || over_limit) {
    const double boost = over_limit ? c.vlimit - v_local : vreg - v_actual;
    const double boost_pu = boost * c.pt_ratio / winding_base_volts(t, w);
    const double increment = t.tap_increment();
    s.pending_change = std::nearbyint(boost_pu / increment) * increment;
    if (c.tap_winding != c.winding || s.in_reverse) s.pending_change = -s.pending_change;
    if (s.pending_change != 0.0 && !s.armed) {
      const bool can_move = s.pending_change > 0.0 ? present_tap < t.max_tap : present_tap > t.min_tap;
      if (can_move) {
        const double delay = c.inverse_time
                                 ? c.delay_s / std::min(10.0, 2.0 * std::abs(c.vreg - v_actual) / c.band)
                                 : c.delay_s;
        s.action_handle = push_action(delay, kTapChange, static_cast<int>(k));
        s.armed = true;
      }
    }
  } else {
    s.pending_change = 0.0;
    if (s.armed) {
      delete_action(s.action_handle);
      s.armed = false;
      s.action_handle = 0;
    }
  }
}

}  // namespace vvc::grid
