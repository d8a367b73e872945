// The phase-frame model: node bookkeeping and the transformer primitive admittance.
//
// Transformer (OpenDSS's model, per phase unit): with z = (r_1 + r_2 + j x) / S_phase on a one-volt base and
// y = 1/z, the one-volt winding admittance is Y_1V = y [1 -1; -1 1] (plus the core branch g - j b times
// S_phase on winding 2). Winding k's voltage is v_k / (V_base,k * tap_k), where v_k is the voltage across its
// two conductors (phase to neutral for wye, phase to the next phase for delta), so the terminal admittance is
// Y_term = A' Y_1V A with A = diag(1 / (V_base,k tap_k)) [1 -1]. Each phase unit's Y_term is stamped on its
// conductors. V_base is kV / sqrt 3 for a wye winding of a 3-phase unit and kV otherwise. Delta windings join
// phase i to phase i + d, d = -1 when the high-voltage winding is the delta one and +1 when it is the wye
// one, so the low-voltage side lags by 30 degrees (ANSI); "leadlag=lead" flips d. OpenDSS's anti-floating
// shunt, ppm of the winding's base admittance, sits on both conductors of every winding and once more on the
// neutral of a wye winding.
#include <cmath>
#include <numbers>

#include "vvc/grid/model/multiphase_network.hpp"

namespace vvc::grid {

int PhaseBus::node_of(int node_number) const {
  for (size_t i = 0; i < node_numbers.size(); ++i) {
    if (node_numbers[i] == node_number) return nodes[i];
  }
  return -1;
}

int MultiphaseNetwork::find_bus(std::string_view bus_name) const {
  for (size_t i = 0; i < buses.size(); ++i) {
    if (buses[i].name == bus_name) return static_cast<int>(i);
  }
  return -1;
}

int MultiphaseNetwork::add_bus(const std::string& bus_name) {
  const int found = find_bus(bus_name);
  if (found >= 0) return found;
  buses.push_back(PhaseBus{bus_name, {}, {}, 0.0, std::nullopt});
  return static_cast<int>(buses.size()) - 1;
}

int MultiphaseNetwork::add_node(int bus, int number) {
  PhaseBus& b = buses[static_cast<size_t>(bus)];
  const int found = b.node_of(number);
  if (found >= 0) return found;
  const int node = static_cast<int>(nodes.size());
  nodes.push_back({bus, number});
  // Keep node_numbers ascending.
  size_t pos = 0;
  while (pos < b.node_numbers.size() && b.node_numbers[pos] < number) ++pos;
  b.node_numbers.insert(b.node_numbers.begin() + static_cast<std::ptrdiff_t>(pos), number);
  b.nodes.insert(b.nodes.begin() + static_cast<std::ptrdiff_t>(pos), node);
  return node;
}

double node_base_volts(const MultiphaseNetwork& network, int node) {
  const int bus = network.nodes[static_cast<size_t>(node)].bus;
  if (bus < 0) return 0.0;
  return network.buses[static_cast<size_t>(bus)].base_kv_ll * 1000.0 / std::numbers::sqrt3;
}

Eigen::MatrixXcd transformer_admittance(const PhaseTransformer& t, const std::vector<double>& taps) {
  const int phases = t.phases;
  const int windings = t.windings;
  const int nc = phases + 1;
  const double va_phase = t.kva[0] * 1000.0 / phases;
  // Short-circuit impedances between winding pairs, ohm on a one-volt base; pair (i, j) at x_pu[pair(i, j)].
  auto pair = [windings](int i, int j) { return i * (windings - 1) - i * (i - 1) / 2 + (j - i - 1); };
  auto z_pair = [&](int i, int j) {
    return Complex(t.r_pu[static_cast<size_t>(i)] + t.r_pu[static_cast<size_t>(j)],
                   t.x_pu[static_cast<size_t>(pair(i, j))]) /
           va_phase;
  };
  // ZB (windings - 1 square): winding 1 against each other winding, then its inverse mapped onto all
  // windings: Y_1V = A' ZB^-1 A with A = [-1 | I].
  const int m = windings - 1;
  Eigen::MatrixXcd zb(m, m);
  for (int i = 0; i < m; ++i) zb(i, i) = z_pair(0, i + 1);
  for (int i = 0; i < m; ++i) {
    for (int j = i + 1; j < m; ++j) zb(i, j) = zb(j, i) = 0.5 * (zb(i, i) + zb(j, j) - z_pair(i + 1, j + 1));
  }
  Eigen::MatrixXcd a = Eigen::MatrixXcd::Zero(m, windings);
  a.col(0).setConstant(-1.0);
  a.rightCols(m).setIdentity();
  Eigen::MatrixXcd y1v = a.transpose() * zb.inverse() * a;
  y1v(1, 1) += Complex(t.noload_pu, -t.magnetizing_pu) * va_phase;

  std::vector<double> v_base(static_cast<size_t>(windings));  // rated turns voltage, volts
  std::vector<double> n(static_cast<size_t>(windings));       // with the tap
  for (size_t w = 0; w < v_base.size(); ++w) {
    const bool wye = t.connection[w] == Connection::kWye;
    v_base[w] = t.kv[w] * 1000.0 / (wye && phases > 1 ? std::numbers::sqrt3 : 1.0);
    n[w] = v_base[w] * (taps[w] == 0.0 ? 1e-4 : taps[w]);
  }
  // Terminal admittance of one phase unit over (w1+, w1-, w2+, w2-, ...).
  const int nt = 2 * windings;
  Eigen::MatrixXcd y_term(nt, nt);
  for (int i = 0; i < nt; ++i) {
    for (int j = 0; j < nt; ++j) {
      const double si = (i % 2 == 0) ? 1.0 : -1.0;
      const double sj = (j % 2 == 0) ? 1.0 : -1.0;
      y_term(i, j) =
          si * sj * y1v(i / 2, j / 2) / (n[static_cast<size_t>(i / 2)] * n[static_cast<size_t>(j / 2)]);
    }
  }
  // OpenDSS's anti-floating admittance: a tiny inductive shunt on both conductors of each winding.
  for (int w = 0; w < windings; ++w) {
    const double vb = v_base[static_cast<size_t>(w)];
    const double y_ppm = -t.ppm_antifloat * 1e-6 / (vb * vb / va_phase) / 2.0;
    y_term(2 * w, 2 * w) += Complex(0.0, y_ppm);
    y_term(2 * w + 1, 2 * w + 1) += Complex(0.0, y_ppm);
  }

  // OpenDSS decides the delta direction from windings 1 and 2 only.
  int delta_direction = 1;
  if (t.connection[0] != t.connection[1]) {
    const size_t hv = t.kv[0] >= t.kv[1] ? 0 : 1;
    const bool hv_wye = t.connection[hv] == Connection::kWye;
    delta_direction = (hv_wye != t.hv_leads_lv) ? 1 : -1;
  }
  Eigen::MatrixXcd out = Eigen::MatrixXcd::Zero(windings * nc, windings * nc);
  std::vector<int> ref(static_cast<size_t>(nt));
  for (int k = 0; k < phases; ++k) {
    for (int w = 0; w < windings; ++w) {
      const size_t plus = static_cast<size_t>(2 * w);
      if (phases == 1) {
        ref[plus] = w * nc;
        ref[plus + 1] = w * nc + 1;
      } else if (t.connection[static_cast<size_t>(w)] == Connection::kWye) {
        ref[plus] = w * nc + k;
        ref[plus + 1] = w * nc + phases;
      } else {
        ref[plus] = w * nc + k;
        ref[plus + 1] = w * nc + (k + delta_direction + phases) % phases;
      }
    }
    for (int i = 0; i < nt; ++i) {
      for (int j = 0; j < nt; ++j)
        out(ref[static_cast<size_t>(i)], ref[static_cast<size_t>(j)]) += y_term(i, j);
    }
  }
  // OpenDSS (AddNeutralToY) bumps the neutral conductor of each wye winding by the same admittance once more,
  // the neutral being the winding's last conductor: for a centre-tapped secondary's second half
  // (bus X.0.2) that is its phase.
  for (int w = 0; w < windings; ++w) {
    if (t.connection[static_cast<size_t>(w)] != Connection::kWye) continue;
    const double vb = v_base[static_cast<size_t>(w)];
    const int neutral = w * nc + phases;
    out(neutral, neutral) += Complex(0.0, -t.ppm_antifloat * 1e-6 / (vb * vb / va_phase) / 2.0);
  }
  return out;
}

Eigen::MatrixXcd capacitor_admittance(const PhaseCapacitor& capacitor, const std::vector<int>& states) {
  Eigen::MatrixXcd y =
      Eigen::MatrixXcd::Zero(capacitor.step_y.front().rows(), capacitor.step_y.front().cols());
  for (size_t k = 0; k < capacitor.step_y.size(); ++k) {
    if (states[k] == 1) y += capacitor.step_y[k];
  }
  return y;
}

}  // namespace vvc::grid
