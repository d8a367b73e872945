// Capacitor control as OpenDSS's CapControl does it in the static control mode (docs/algorithms/three-phase.md;
// OpenDSS CapControl.pas Sample / DoPendingAction, Capacitor.pas AddStep / SubtractStep).
//
// After each converged power flow, with the regulators, every control samples its capacitor's state (closed
// while a step is in service) and the quantity at its monitored terminal: the current of its CT phase over
// the CT ratio, the voltage of its PT phase over the PT ratio (phase to the next phase for a delta bank; or
// the average, highest or lowest phase), the reactive power into the terminal (kvar), or the power factor of
// that power on OpenDSS's 0..2 scale (leading above 1). A closed bank asks to open below the OFF setting
// (above it for voltage, for the power factor above the OFF power factor) and, while it has steps out, to
// close another step above the ON setting (below it for voltage and power factor); an open bank asks to
// close past the ON setting. The voltage override, first, closes an open bank below vmin and opens a closed
// one above vmax. A request queues the switching at the ON or OFF delay (an opened bank waits out its dead
// time before closing again), unless the control already waits; a control whose request is withdrawn
// deletes its queued action. When the action runs, an OPEN takes the last step out (a 1-step bank opens),
// a CLOSE puts the next step in.
#include <algorithm>
#include <cmath>

#include "three_phase_impl.hpp"

namespace vvc::grid {

namespace {

// Phases of an element as OpenDSS counts them for the average of its terminal voltages: a transformer's
// terminals carry the neutral as their last conductor.
int element_phases(const PrimitiveElement& e) {
  return e.kind == ElementKind::kTransformer ? e.conductors - 1 : e.conductors;
}

// Power factor on OpenDSS's 0..2 scale: |P| / |S|, and 2 minus that when Q is negative (leading).
double pf_0_to_2(Complex s) {
  const double magnitude = std::abs(s);
  const double pf = magnitude != 0.0 ? std::abs(s.real()) / magnitude : 1.0;
  return s.imag() < 0.0 ? 2.0 - pf : pf;
}

}  // namespace

void ThreePhaseWorkspace::Impl::reset_capacitors() {
  capacitor_runtime.resize(network->capacitors.size());
  for (size_t c = 0; c < network->capacitors.size(); ++c) {
    const PhaseCapacitor& bank = network->capacitors[c];
    CapacitorRuntime& run = capacitor_runtime[c];
    const bool changed = run.states != bank.states;
    run.states = bank.states;
    run.last_step = 0;
    for (size_t k = bank.states.size(); k > 0; --k) {
      if (bank.states[k - 1] == 1) {
        run.last_step = static_cast<int>(k);
        break;
      }
    }
    run.closed = true;
    if (changed) set_capacitor_states(c);
  }
}

void ThreePhaseWorkspace::Impl::set_capacitor_states(size_t c) {
  const PhaseCapacitor& bank = network->capacitors[c];
  Eigen::MatrixXcd& y = element_y[static_cast<size_t>(bank.element)];
  y.setZero();
  for (size_t k = 0; k < bank.step_y.size(); ++k) {
    if (capacitor_runtime[c].states[k] == 1) y += bank.step_y[k];
  }
  admittance_changed = true;
}

void ThreePhaseWorkspace::Impl::sample_capacitor(size_t k) {
  const CapacitorControl& c = network->capacitor_controls[k];
  CapacitorControlRuntime& s = capacitor_control_runtime[k];
  const auto ci = static_cast<size_t>(c.capacitor);
  const PhaseCapacitor& bank = network->capacitors[ci];
  const CapacitorRuntime& cap = capacitor_runtime[ci];
  const auto element = static_cast<size_t>(c.element);
  const PrimitiveElement& e = network->elements[element];
  const int nc = e.conductors;
  const int first = c.terminal * nc;  // the terminal's first conductor
  const int available = static_cast<int>(bank.states.size()) - cap.last_step;
  s.closed_state = cap.closed;

  auto terminal_voltage = [&](int i) { return voltage(e.nodes[static_cast<size_t>(first + i - 1)]); };
  auto control_voltage = [&] {
    const int phases = element_phases(e);
    double v = 0.0;
    switch (c.pt_phase) {
      case kPhaseAverage:
        for (int i = 1; i <= phases; ++i) v += std::abs(terminal_voltage(i));
        return v / phases / c.pt_ratio;
      case kPtPhaseMax:
        for (int i = 1; i <= phases; ++i) v = std::max(v, std::abs(terminal_voltage(i)));
        return v / c.pt_ratio;
      case kPtPhaseMin:
        v = 1e50;
        for (int i = 1; i <= phases; ++i) v = std::min(v, std::abs(terminal_voltage(i)));
        return v / c.pt_ratio;
      default:
        if (bank.connection == Connection::kDelta) {
          const int next = c.pt_phase + 1 > bank.phases ? 1 : c.pt_phase + 1;
          return std::abs(terminal_voltage(c.pt_phase) - terminal_voltage(next)) / c.pt_ratio;
        }
        return std::abs(terminal_voltage(c.pt_phase)) / c.pt_ratio;
    }
  };
  auto control_current = [&] {
    auto current = [&](int row) { return std::abs(element_current_at(element, static_cast<size_t>(row))); };
    double i = 0.0;
    switch (c.ct_phase) {
      case kPhaseAverage:
        for (int p = 0; p < bank.phases; ++p) i += current(first + p);
        return i / bank.phases / c.ct_ratio;
      case kPtPhaseMax:
        for (int p = 0; p < bank.phases; ++p) i = std::max(i, current(first + p));
        return i / c.ct_ratio;
      case kPtPhaseMin:
        i = 1e50;
        for (int p = 0; p < bank.phases; ++p) i = std::min(i, current(first + p));
        return i / c.ct_ratio;
      default:
        // OpenDSS indexes the element's currents from its first terminal here, whatever the terminal.
        return current(c.ct_phase - 1) / c.ct_ratio;
    }
  };
  auto terminal_power = [&] {
    Complex total(0.0, 0.0);
    for (int i = 0; i < nc; ++i) {
      const int node = e.nodes[static_cast<size_t>(first + i)];
      if (node >= 0)
        total += voltage(node) * std::conj(element_current_at(element, static_cast<size_t>(first + i)));
    }
    return total;
  };

  bool should_switch = false;
  if (c.voltage_override && c.type != CapacitorControlType::kVoltage) {
    const double v = control_voltage();
    if (!s.closed_state && v < c.vmin) {
      s.pending = CapacitorAction::kClose;
      should_switch = true;
    } else if (s.closed_state && v > c.vmax) {
      s.pending = CapacitorAction::kOpen;
      should_switch = true;
    }
  }
  if (!should_switch) {
    // The value tested against the ON and OFF settings, and which side of them asks to close.
    double value = 0.0;
    bool on_above = true;
    double on = c.on_setting, off = c.off_setting;
    bool close_allowed = true;  // power factor: enough reactive power for the bank
    bool close_another = true;
    switch (c.type) {
      case CapacitorControlType::kCurrent:
        value = control_current();
        break;
      case CapacitorControlType::kVoltage:
        value = control_voltage();
        on_above = false;
        break;
      case CapacitorControlType::kKvar:
        value = terminal_power().imag() * 0.001;
        break;
      case CapacitorControlType::kPowerFactor: {
        const Complex s_terminal = terminal_power();
        value = pf_0_to_2(s_terminal);
        on_above = false;
        on = c.pf_on;
        off = c.pf_off;
        close_allowed = s_terminal.imag() * 0.001 > bank.total_kvar * c.pct_min_kvar * 0.01;
        close_another =
            s_terminal.imag() * 0.001 > bank.total_kvar / static_cast<double>(bank.states.size()) * 0.5;
        break;
      }
    }
    const bool asks_on = on_above ? value > on : value < on;
    const bool asks_off = on_above ? value < off : value > off;
    if (!s.closed_state) {
      if (asks_on && close_allowed) {
        s.pending = CapacitorAction::kClose;
        should_switch = true;
      } else {
        s.pending = CapacitorAction::kNone;
      }
    } else {
      // OpenDSS's voltage control clears the request first; the others keep an earlier one while the bank
      // has steps out and the value lies between the settings.
      if (c.type == CapacitorControlType::kVoltage) s.pending = CapacitorAction::kNone;
      if (asks_off) {
        s.pending = CapacitorAction::kOpen;
        should_switch = true;
      } else if (available > 0) {
        if (asks_on && close_another) {
          s.pending = CapacitorAction::kClose;
          should_switch = true;
        }
      } else {
        s.pending = CapacitorAction::kNone;
      }
    }
  }
  if (should_switch && !s.armed) {
    // Time stands at 0 in the static mode.
    double delay = c.off_delay_s;
    if (s.pending == CapacitorAction::kClose) {
      const double since_open = 0.0 - s.last_open_time;
      delay = since_open < c.dead_time_s ? std::max(c.on_delay_s, c.dead_time_s + c.on_delay_s - since_open)
                                         : c.on_delay_s;
    }
    s.action_handle = push_action(delay, kCapacitorSwitch, static_cast<int>(k));
    s.armed = true;
  }
  if (s.armed && s.pending == CapacitorAction::kNone) {
    delete_action(s.action_handle);
    s.armed = false;
  }
}

void ThreePhaseWorkspace::Impl::do_capacitor_action(size_t k) {
  const CapacitorControl& c = network->capacitor_controls[k];
  CapacitorControlRuntime& s = capacitor_control_runtime[k];
  const auto ci = static_cast<size_t>(c.capacitor);
  CapacitorRuntime& cap = capacitor_runtime[ci];
  const int steps = static_cast<int>(cap.states.size());
  // Capacitor.pas AddStep and SubtractStep; SubtractStep is false once no step is left in service.
  auto add_step = [&] {
    if (cap.last_step == steps) return;
    cap.states[static_cast<size_t>(cap.last_step++)] = 1;
    set_capacitor_states(ci);
  };
  auto subtract_step = [&] {
    if (cap.last_step == 0) return false;
    cap.states[static_cast<size_t>(--cap.last_step)] = 0;
    set_capacitor_states(ci);
    return cap.last_step != 0;
  };
  if (s.pending == CapacitorAction::kOpen && s.closed_state) {
    if (steps == 1) {
      cap.closed = false;
      subtract_step();
      s.closed_state = false;
      s.last_open_time = 0.0;
    } else if (!subtract_step()) {
      s.closed_state = false;
      cap.closed = false;
    }
  } else if (s.pending == CapacitorAction::kClose) {
    if (!s.closed_state) {
      cap.closed = true;
      s.closed_state = true;
    }
    add_step();
  }
  s.armed = false;
}

}  // namespace vvc::grid
