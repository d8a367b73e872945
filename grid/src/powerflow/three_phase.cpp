// Unbalanced power flow in the phase frame: OpenDSS's "Normal" current-injection fixed point.
//
// Partition the nodes into unknown (U) and source (F) nodes. Every load contributes its nominal admittance
// Y_eq = (P - jQ) / V_base^2 to a constant matrix Y, so that
//     Y_UU V_U = -Y_UF V_F + c(V),    c_p(V) = sum over load elements on p of (Y_eq V_d - I_d(V_d)),
// where V_d is the element's voltage (phase to neutral or phase to phase) and I_d its current under the load
// model (constant PQ, Z, CVR, |I| or ZIP, with OpenDSS's reversion to constant impedance outside [vminpu,
// vmaxpu]). The iteration V^{k+1} = Y_UU^{-1} (b + c(V^k)) starts from the constant-impedance solution (c =
// 0) or from the last converged voltages (warm start). Y_UU is factorized once with KLU (klu_analyze +
// klu_z_factor) and only refactorized when a regulator tap moves. The residual of the true equations at
// V^{k+1} is c(V^k) - c(V^{k+1}); the iteration stops when max_p |V_p| |residual_p| <= tolerance * base_mva
// and max_p |V_p^{k+1} - V_p^k| / |V_p^{k+1}| <= voltage_tolerance (OpenDSS's own test).
//
// Regulator control (outer fixed point): after each converged flow, every RegControl compares its compensated
// voltage |V_w / PT - (R + jX) I_w / CT| with vreg; outside vreg +- band/2 its tap moves by the rounded
// number of steps needed (at most maxtapchange), and the flow is solved again, until no tap moves. Reference:
// R. C. Dugan, "OpenDSS Circuit Solution Technique"; W. H. Kersting, Distribution System Modeling and
// Analysis, ch. 7 (step-voltage regulators and line-drop compensation).
#include <klu.h>

#include <Eigen/Sparse>
#include <algorithm>
#include <cmath>
#include <numbers>

#include "vvc/common/errors.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"

namespace vvc::grid {

namespace {

// Precomputed per-load quantities at the present load scale (OpenDSS Load.SetNominalLoad).
struct LoadTerms {
  Complex y_matrix;  // the admittance this load puts in Y: Yeq at the nominal load (scale 1)
  Complex s;         // P + jQ per phase element
  Complex yeq, yeq105, yeq105i;
  Complex i_low, m95, m95i;
  double v_base = 0.0, v_low = 0.0, v95 = 0.0, v105 = 0.0;
};

LoadTerms load_terms(const PhaseLoad& load, double scale) {
  LoadTerms t;
  t.s = Complex(load.p_w, load.q_var) * scale;
  t.v_base = load.v_base_v;
  t.yeq = std::conj(t.s) / (t.v_base * t.v_base);
  t.y_matrix = t.yeq / scale;
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

// conj(s / v) without a library complex division: conj(s) v / |v|^2.
inline Complex conj_div(Complex s, Complex v) { return std::conj(s) * v / std::norm(v); }

// Current drawn by one load element at voltage v (OpenDSS Load.DoConstantPQLoad / DoConstantZLoad /
// DoConstantILoad / DoCVRModel / DoZIPVModel).
Complex load_current(const PhaseLoad& load, const LoadTerms& t, Complex v) {
  if (load.model == 2) return t.yeq * v;
  const double vm2 = std::norm(v);
  if (load.model == 1 && vm2 > t.v95 * t.v95 && vm2 > t.v_low * t.v_low && vm2 <= t.v105 * t.v105) {
    return std::conj(t.s) * v / vm2;  // inside the band: constant power
  }
  const double vm = std::sqrt(vm2);
  if (vm <= t.v_low || vm == 0.0) return t.yeq * v;
  if (load.model == 1) {
    if (vm <= t.v95) return (t.i_low + t.m95 * (vm - t.v_low)) / vm * v;
    return t.yeq105 * v;
  }
  if (load.model == 4) {
    if (vm <= t.v95) return (t.i_low + t.m95 * (vm - t.v_low)) / vm * v;
    if (vm > t.v105) return t.yeq105 * v;
    const double ratio = vm / t.v_base;
    const double watt_factor = load.cvr_watts != 1.0 ? std::pow(ratio, load.cvr_watts) : ratio;
    Complex current =
        watt_factor > 0.0 ? std::conj(Complex(t.s.real() * watt_factor, 0.0) / v) : Complex(0.0, 0.0);
    if (load.cvr_vars == 2.0) {
      current += Complex(0.0, t.yeq.imag()) * v;
    } else {
      current += std::conj(Complex(0.0, t.s.imag() * std::pow(ratio, load.cvr_vars)) / v);
    }
    return current;
  }
  if (load.model == 5) {
    if (vm <= t.v95) return (t.i_low + t.m95i * (vm - t.v_low)) / vm * v;
    if (vm > t.v105) return t.yeq105i * v;
    return conj_div(t.s, v) * (vm / t.v_base);
  }
  // Model 8: ZIPV.
  const auto& z = load.zipv;
  Complex current;
  if (vm <= t.v95) {
    const Complex yp = (t.i_low + t.m95 * (vm - t.v_low)) / vm;
    const Complex yi = (t.i_low + t.m95i * (vm - t.v_low)) / vm;
    current = (Complex(t.yeq.real() * z[0], t.yeq.imag() * z[3]) +
               Complex(yi.real() * z[1], yi.imag() * z[4]) + Complex(yp.real() * z[2], yp.imag() * z[5])) *
              v;
  } else if (vm > t.v105) {
    current = (Complex(t.yeq.real() * z[0], t.yeq.imag() * z[3]) +
               Complex(t.yeq105i.real() * z[1], t.yeq105i.imag() * z[4]) +
               Complex(t.yeq105.real() * z[2], t.yeq105.imag() * z[5])) *
              v;
  } else {
    current = Complex(t.yeq.real() * z[0], t.yeq.imag() * z[3]) * v +
              std::conj(Complex(t.s.real() * z[1], t.s.imag() * z[4]) / (v / vm * t.v_base)) +
              std::conj(Complex(t.s.real() * z[2], t.s.imag() * z[5]) / v);
  }
  if (z[6] > 0.0) {
    const double vx = 500.0 * (vm / t.v_base - z[6]);
    if (vx < 20.0) {
      const double evx = std::exp(2.0 * vx);
      current *= 0.5 * (1.0 + (evx - 1.0) / (evx + 1.0));
    }
  }
  return current;
}

// The two nodes across load element k (p to q).
std::pair<int, int> load_element_nodes(const PhaseLoad& load, int k) {
  const auto& n = load.nodes;
  if (load.connection == Connection::kWye) return {n[static_cast<size_t>(k)], n.back()};
  return {n[static_cast<size_t>(k)], n[static_cast<size_t>((k + 1) % static_cast<int>(n.size()))]};
}

}  // namespace

struct ThreePhaseWorkspace::Impl {
  int num_nodes = 0;
  int num_unknown = 0;
  int num_sources = 0;
  std::vector<int> position;          // node -> unknown index, or -(1 + source index) for a source node
  Eigen::SparseMatrix<Complex> y_uu;  // column-major, int indices: KLU's CSC layout
  Eigen::SparseMatrix<Complex> y_uf;
  // For each element, for each (i, j) entry of its primitive: offset into y_uu's values, or into y_uf's
  // values encoded as -(2 + offset), or -1 when the entry does not enter either matrix.
  std::vector<std::vector<int>> element_slots;
  // For each load, for each phase element: the four (p,q) slots, same encoding.
  std::vector<std::vector<std::array<int, 4>>> load_slots;
  std::vector<std::vector<double>> taps;    // present taps of each transformer
  std::vector<Eigen::MatrixXcd> element_y;  // present primitive (transformers change with taps)
  std::vector<int> source_elements;         // elements with a conductor on a source node
  std::vector<LoadTerms> terms;

  // One entry per load phase element: the element's two ends as indices into `ext`.
  // The hot fields are copied here so that the common case (a constant-power element inside its band) touches
  // nothing else.
  struct LoadElement {
    int p = 0, q = 0;
    int load = 0;
    bool constant_power = false;  // model 1
    Complex y_matrix;             // its admittance in Y
    Complex conj_s;               // conj(P + jQ) at the present scale
    double band_low2 = 0.0;       // constant power when band_low2 < |V|^2 <= band_high2
    double band_high2 = 0.0;
  };
  std::vector<LoadElement> load_elements;

  klu_common common{};
  klu_symbolic* symbolic = nullptr;
  klu_numeric* numeric = nullptr;

  // Voltages by solver index: the unknowns (solved in place by KLU), then the sources, then ground (0).
  Eigen::VectorXcd ext;
  Eigen::VectorXcd b;  // -Y_UF V_F
  Eigen::VectorXcd comp, comp_previous, x_previous;
  Complex load_power{0.0, 0.0};  // at the last compensation evaluation
  bool warm = false;
  bool comp_current = false;  // `comp` holds c(V) at the voltages in `ext` (after a converged flow)
  ThreePhaseResult result;

  const MultiphaseNetwork* network = nullptr;

  ~Impl() {
    if (numeric != nullptr) klu_z_free_numeric(&numeric, &common);
    if (symbolic != nullptr) klu_free_symbolic(&symbolic, &common);
  }

  // Index of a node's voltage in `ext`.
  int ext_index(int node) const {
    if (node < 0) return num_unknown + num_sources;
    const int p = position[static_cast<size_t>(node)];
    return p >= 0 ? p : num_unknown - (p + 1);
  }
  Complex voltage(int node) const { return ext[ext_index(node)]; }

  int slot(int row_node, int col_node) const {
    if (row_node < 0 || col_node < 0) return -1;
    const int r = position[static_cast<size_t>(row_node)];
    const int c = position[static_cast<size_t>(col_node)];
    if (r < 0) return -1;  // source rows are not equations
    if (c >= 0) return offset(y_uu, r, c);
    return -(2 + offset(y_uf, r, -(c + 1)));
  }

  static int offset(const Eigen::SparseMatrix<Complex>& m, int row, int col) {
    const int* outer = m.outerIndexPtr();
    const int* inner = m.innerIndexPtr();
    const int* found = std::lower_bound(inner + outer[col], inner + outer[col + 1], row);
    VVC_ASSERT(found != inner + outer[col + 1] && *found == row);
    return static_cast<int>(found - inner);
  }

  void add(int s, Complex value) {
    if (s >= 0) {
      y_uu.valuePtr()[s] += value;
    } else if (s <= -2) {
      y_uf.valuePtr()[-(s + 2)] += value;
    }
  }

  void assemble_values() {
    std::fill(y_uu.valuePtr(), y_uu.valuePtr() + y_uu.nonZeros(), Complex(0.0, 0.0));
    std::fill(y_uf.valuePtr(), y_uf.valuePtr() + y_uf.nonZeros(), Complex(0.0, 0.0));
    for (size_t e = 0; e < element_slots.size(); ++e) {
      const Eigen::MatrixXcd& y = element_y[e];
      const Eigen::Index n = y.rows();
      for (Eigen::Index j = 0; j < n; ++j) {
        for (Eigen::Index i = 0; i < n; ++i) add(element_slots[e][static_cast<size_t>(j * n + i)], y(i, j));
      }
    }
    for (size_t l = 0; l < load_slots.size(); ++l) {
      const Complex y = terms[l].y_matrix;
      for (const auto& s : load_slots[l]) {
        add(s[0], y);
        add(s[1], -y);
        add(s[2], -y);
        add(s[3], y);
      }
    }
    b.setZero();
    const Eigen::VectorXcd& vf = network->source_voltages;
    for (int c = 0; c < y_uf.outerSize(); ++c) {
      for (Eigen::SparseMatrix<Complex>::InnerIterator it(y_uf, c); it; ++it) {
        b[it.row()] -= it.value() * vf[c];
      }
    }
  }

  bool factorize() {
    if (numeric != nullptr) {
      if (klu_z_refactor(y_uu.outerIndexPtr(), y_uu.innerIndexPtr(),
                         reinterpret_cast<double*>(y_uu.valuePtr()), symbolic, numeric, &common) == 1) {
        return true;
      }
      klu_z_free_numeric(&numeric, &common);
    }
    numeric = klu_z_factor(y_uu.outerIndexPtr(), y_uu.innerIndexPtr(),
                           reinterpret_cast<double*>(y_uu.valuePtr()), symbolic, &common);
    return numeric != nullptr;
  }

  // c(V) at the voltages in `ext` into `out`; also the total load power.
  void compensation(Eigen::VectorXcd& out) {
    out.setZero();
    Complex total(0.0, 0.0);
    const auto& loads = network->loads;
    for (const LoadElement& e : load_elements) {
      const Complex vd = ext[e.p] - ext[e.q];
      const double vm2 = std::norm(vd);
      const Complex i =
          e.constant_power && vm2 > e.band_low2 && vm2 <= e.band_high2
              ? e.conj_s * vd / vm2
              : load_current(loads[static_cast<size_t>(e.load)], terms[static_cast<size_t>(e.load)], vd);
      const Complex c = e.y_matrix * vd - i;
      if (e.p < num_unknown) out[e.p] += c;
      if (e.q < num_unknown) out[e.q] -= c;
      total += vd * std::conj(i);
    }
    load_power = total;
  }

  // One power flow at the present taps. Returns the status; fills iterations and mismatch.
  PowerFlowStatus flow(const PowerFlowOptions& options, double voltage_tolerance, int& iterations,
                       double& mismatch) {
    const double s_base = network->base_mva * 1e6;
    auto head = ext.head(num_unknown);
    if (warm && options.warm_start) {
      if (comp_current) {
        comp_previous.swap(comp);
      } else {
        compensation(comp_previous);
      }
    } else {
      comp_previous.setZero();
      head.setZero();
    }
    comp_current = false;
    for (int it = 1; it <= options.max_iterations; ++it) {
      x_previous = head;
      head = b + comp_previous;
      klu_z_solve(symbolic, numeric, num_unknown, 1, reinterpret_cast<double*>(ext.data()), &common);
      compensation(comp);
      // Squared measures: |V|^2 |residual|^2 and |dV|^2 / |V|^2, square roots taken once.
      double mismatch2 = 0.0;
      double change2 = 0.0;
      for (int p = 0; p < num_unknown; ++p) {
        const double vm2 = std::norm(head[p]);
        mismatch2 = std::max(mismatch2, vm2 * std::norm(comp[p] - comp_previous[p]));
        change2 = std::max(change2, std::norm(head[p] - x_previous[p]) / std::max(vm2, 1e-6));
      }
      mismatch = std::sqrt(mismatch2) / s_base;
      ++iterations;
      if (!std::isfinite(mismatch) || !std::isfinite(change2)) {
        warm = false;
        return PowerFlowStatus::kDiverged;
      }
      if (mismatch <= options.tolerance && change2 <= voltage_tolerance * voltage_tolerance) {
        warm = true;
        comp_current = true;
        return PowerFlowStatus::kConverged;
      }
      comp_previous.swap(comp);
    }
    warm = false;
    return PowerFlowStatus::kIterationLimit;
  }

  // Copies the present load terms into the flat load elements.
  void refresh_load_elements() {
    for (LoadElement& e : load_elements) {
      const LoadTerms& t = terms[static_cast<size_t>(e.load)];
      e.constant_power = network->loads[static_cast<size_t>(e.load)].model == 1;
      e.y_matrix = t.y_matrix;
      e.conj_s = std::conj(t.s);
      const double low = std::max(t.v95, t.v_low);
      e.band_low2 = low * low;
      e.band_high2 = t.v105 * t.v105;
    }
  }

  void set_tap(size_t transformer, const std::vector<double>& value) {
    taps[transformer] = value;
    comp_current = false;
    const PhaseTransformer& t = network->transformers[transformer];
    element_y[static_cast<size_t>(t.element)] = transformer_admittance(t, value);
  }

  // Current entering element e at its conductor `row`, at the present voltages.
  Complex element_current(size_t e, size_t row) const {
    const PrimitiveElement& el = network->elements[e];
    const Eigen::MatrixXcd& y = element_y[e];
    Complex i(0.0, 0.0);
    for (size_t k = 0; k < el.nodes.size(); ++k) {
      i += y(static_cast<Eigen::Index>(row), static_cast<Eigen::Index>(k)) * voltage(el.nodes[k]);
    }
    return i;
  }

  void fill_outputs(ThreePhaseResult& r) const {
    r.v.resize(num_nodes);
    for (int node = 0; node < num_nodes; ++node) r.v[node] = voltage(node);
    // Power the sources inject: V conj(I) at every source node, I from the elements that touch it.
    Complex source(0.0, 0.0);
    for (const int e : source_elements) {
      const PrimitiveElement& el = network->elements[static_cast<size_t>(e)];
      for (size_t row = 0; row < el.nodes.size(); ++row) {
        const int node = el.nodes[row];
        if (node < 0 || position[static_cast<size_t>(node)] >= 0) continue;
        source += voltage(node) * std::conj(element_current(static_cast<size_t>(e), row));
      }
    }
    r.source_power = source;
    r.load_power = load_power;
    r.losses = source - load_power;
    r.regulators.resize(network->regulators.size());
    for (size_t k = 0; k < network->regulators.size(); ++k) {
      const RegulatorControl& c = network->regulators[k];
      const PhaseTransformer& t = network->transformers[static_cast<size_t>(c.transformer)];
      const double tap = taps[static_cast<size_t>(c.transformer)][static_cast<size_t>(c.winding)];
      const double inc = t.tap_increment();
      r.regulators[k].name = c.name;
      r.regulators[k].tap = tap;
      r.regulators[k].position = inc > 0.0 ? static_cast<int>(std::lround((tap - 1.0) / inc)) : 0;
    }
  }

  // One control round: moves taps that are out of band. Returns true when a tap moved.
  bool control_round() {
    bool moved = false;
    for (const RegulatorControl& c : network->regulators) {
      if (c.max_tap_change == 0) continue;
      const size_t ti = static_cast<size_t>(c.transformer);
      const PhaseTransformer& t = network->transformers[ti];
      const int nc = t.phases + 1;
      const int w = c.winding;
      // Winding conductors: phase 1 and its return (the second conductor of a 1-phase unit, the neutral of a
      // wye winding, phase 2 of a delta winding).
      const int plus_row = w * nc;
      const int minus_row = t.phases == 1 || t.connection[static_cast<size_t>(w)] == Connection::kDelta
                                ? w * nc + 1
                                : w * nc + t.phases;
      const Complex vw =
          voltage(t.nodes[static_cast<size_t>(plus_row)]) - voltage(t.nodes[static_cast<size_t>(minus_row)]);
      // Current out of the regulated winding's phase-1 conductor, toward the load.
      const Complex i_load = -element_current(static_cast<size_t>(t.element), static_cast<size_t>(plus_row));
      const Complex v_comp = vw / c.pt_ratio - Complex(c.r_v, c.x_v) * (i_load / c.ct_primary_a);
      const double error = c.vreg - std::abs(v_comp);
      if (std::abs(error) <= c.band / 2.0) continue;
      const double inc = t.tap_increment();
      const bool wye = t.connection[static_cast<size_t>(w)] == Connection::kWye;
      const double v_base =
          t.kv[static_cast<size_t>(w)] * 1000.0 / (wye && t.phases > 1 ? std::numbers::sqrt3 : 1.0);
      const double step_volts = inc * v_base / c.pt_ratio;
      long steps = step_volts > 0.0 ? std::lround(error / step_volts) : 0;
      if (steps == 0) steps = error > 0.0 ? 1 : -1;
      steps = std::clamp(steps, -static_cast<long>(c.max_tap_change), static_cast<long>(c.max_tap_change));
      std::vector<double> tap = taps[ti];
      double& wt = tap[static_cast<size_t>(w)];
      const double before = wt;
      wt = std::clamp(wt + static_cast<double>(steps) * inc, t.min_tap, t.max_tap);
      if (std::abs(wt - before) > 1e-12) {
        set_tap(ti, tap);
        moved = true;
      }
    }
    return moved;
  }
};

ThreePhaseWorkspace::ThreePhaseWorkspace(const MultiphaseNetwork& network) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.network = &network;
  m.num_nodes = network.num_nodes();
  m.position.assign(static_cast<size_t>(m.num_nodes), 0);
  for (size_t s = 0; s < network.source_nodes.size(); ++s) {
    m.position[static_cast<size_t>(network.source_nodes[s])] = -(1 + static_cast<int>(s));
  }
  int unknown = 0;
  for (int node = 0; node < m.num_nodes; ++node) {
    if (m.position[static_cast<size_t>(node)] == 0 &&
        std::find(network.source_nodes.begin(), network.source_nodes.end(), node) ==
            network.source_nodes.end()) {
      m.position[static_cast<size_t>(node)] = unknown++;
    }
  }
  m.num_unknown = unknown;
  if (unknown == 0) throw InputError(network.name + ": the network has no nodes besides the source");

  // Sparsity pattern from every element and load stamp.
  std::vector<Eigen::Triplet<Complex>> uu, uf;
  auto stamp = [&](int a, int c) {
    if (a < 0 || c < 0) return;
    const int r = m.position[static_cast<size_t>(a)];
    const int k = m.position[static_cast<size_t>(c)];
    if (r < 0) return;
    if (k >= 0) {
      uu.emplace_back(r, k, Complex(0.0, 0.0));
    } else {
      uf.emplace_back(r, -(k + 1), Complex(0.0, 0.0));
    }
  };
  for (int u = 0; u < unknown; ++u) uu.emplace_back(u, u, Complex(0.0, 0.0));
  for (const PrimitiveElement& e : network.elements) {
    for (int a : e.nodes) {
      for (int c : e.nodes) stamp(a, c);
    }
  }
  for (const PhaseLoad& load : network.loads) {
    for (int k = 0; k < load.phases; ++k) {
      const auto [p, q] = load_element_nodes(load, k);
      stamp(p, p), stamp(p, q), stamp(q, p), stamp(q, q);
    }
  }
  m.y_uu.resize(unknown, unknown);
  m.y_uu.setFromTriplets(uu.begin(), uu.end());
  m.y_uu.makeCompressed();
  m.y_uf.resize(unknown, static_cast<Eigen::Index>(network.source_nodes.size()));
  m.y_uf.setFromTriplets(uf.begin(), uf.end());
  m.y_uf.makeCompressed();

  for (const PrimitiveElement& e : network.elements) {
    if (std::any_of(e.nodes.begin(), e.nodes.end(),
                    [&](int node) { return node >= 0 && m.position[static_cast<size_t>(node)] < 0; })) {
      m.source_elements.push_back(static_cast<int>(m.element_slots.size()));
    }
    std::vector<int> slots;
    for (int j : e.nodes) {
      for (int i : e.nodes) slots.push_back(m.slot(i, j));
    }
    m.element_slots.push_back(std::move(slots));
    m.element_y.push_back(e.y);
  }
  for (const PhaseLoad& load : network.loads) {
    std::vector<std::array<int, 4>> s;
    for (int k = 0; k < load.phases; ++k) {
      const auto [p, q] = load_element_nodes(load, k);
      s.push_back({m.slot(p, p), m.slot(p, q), m.slot(q, p), m.slot(q, q)});
    }
    m.load_slots.push_back(std::move(s));
  }
  for (const PhaseTransformer& t : network.transformers) m.taps.push_back(t.tap);

  m.num_sources = static_cast<int>(network.source_nodes.size());
  m.ext = Eigen::VectorXcd::Zero(unknown + m.num_sources + 1);
  m.ext.segment(unknown, m.num_sources) = network.source_voltages;
  for (const PhaseLoad& load : network.loads) {
    for (int k = 0; k < load.phases; ++k) {
      const auto [p, q] = load_element_nodes(load, k);
      Impl::LoadElement e;
      e.p = m.ext_index(p);
      e.q = m.ext_index(q);
      e.load = static_cast<int>(&load - network.loads.data());
      m.load_elements.push_back(e);
    }
  }
  m.b = Eigen::VectorXcd::Zero(unknown);
  m.comp = Eigen::VectorXcd::Zero(unknown);
  m.comp_previous = Eigen::VectorXcd::Zero(unknown);
  m.x_previous = Eigen::VectorXcd::Zero(unknown);
  for (const PhaseLoad& load : network.loads) m.terms.push_back(load_terms(load, 1.0));
  m.refresh_load_elements();
  m.assemble_values();

  klu_defaults(&m.common);
  m.symbolic = klu_analyze(unknown, m.y_uu.outerIndexPtr(), m.y_uu.innerIndexPtr(), &m.common);
  if (m.symbolic == nullptr || !m.factorize()) {
    throw InputError(
        network.name +
        ": the admittance matrix is singular: some node has no path to the source (an island or a "
        "floating conductor)");
  }
}

ThreePhaseWorkspace::~ThreePhaseWorkspace() = default;
ThreePhaseWorkspace::ThreePhaseWorkspace(ThreePhaseWorkspace&&) noexcept = default;
ThreePhaseWorkspace& ThreePhaseWorkspace::operator=(ThreePhaseWorkspace&&) noexcept = default;

void ThreePhaseWorkspace::reset() {
  Impl& m = *impl_;
  m.warm = false;
  bool changed = false;
  for (size_t t = 0; t < m.taps.size(); ++t) {
    if (m.taps[t] != m.network->transformers[t].tap) {
      m.set_tap(t, m.network->transformers[t].tap);
      changed = true;
    }
  }
  if (changed) {
    m.assemble_values();
    m.factorize();
  }
}

void ThreePhaseWorkspace::set_load_scale(double factor) {
  Impl& m = *impl_;
  VVC_ASSERT(factor > 0.0);
  m.comp_current = false;
  // Y keeps the nominal load admittances: the compensation currents carry the difference, so no
  // refactorization.
  for (size_t l = 0; l < m.terms.size(); ++l) m.terms[l] = load_terms(m.network->loads[l], factor);
  m.refresh_load_elements();
}

const ThreePhaseResult& solve(const MultiphaseNetwork& network, const ThreePhaseOptions& options,
                              ThreePhaseWorkspace& workspace) {
  ThreePhaseWorkspace::Impl& m = workspace.impl();
  VVC_ASSERT(m.network == &network);
  ThreePhaseResult& r = m.result;
  r.iterations = 0;
  r.control_iterations = 0;
  r.taps_settled = true;
  const bool control =
      !network.regulators.empty() && (options.taps == TapMode::kControl ||
                                      (options.taps == TapMode::kAsNetwork && network.regulator_control));
  r.status = m.flow(options.power_flow, options.voltage_tolerance, r.iterations, r.max_mismatch);
  if (control) {
    r.control_iterations = 1;
    while (r.status == PowerFlowStatus::kConverged) {
      if (!m.control_round()) break;
      if (r.control_iterations >= network.max_control_iterations) {
        r.taps_settled = false;
        break;
      }
      m.assemble_values();
      if (!m.factorize()) {
        r.status = PowerFlowStatus::kDiverged;
        break;
      }
      r.status = m.flow(options.power_flow, options.voltage_tolerance, r.iterations, r.max_mismatch);
      ++r.control_iterations;
    }
  }
  m.fill_outputs(r);
  return r;
}

void calc_voltage_bases(MultiphaseNetwork& network) {
  if (network.voltage_bases_kv.empty()) return;
  MultiphaseNetwork unloaded = network;
  unloaded.loads.clear();
  ThreePhaseWorkspace workspace(unloaded);
  ThreePhaseOptions options;
  options.taps = TapMode::kFixed;
  const ThreePhaseResult& r = solve(unloaded, options, workspace);
  for (PhaseBus& bus : network.buses) {
    if (bus.nodes.empty()) continue;
    double sum = 0.0;
    for (int node : bus.nodes) sum += std::abs(r.v[node]);
    const double kv_ll = std::numbers::sqrt3 * sum / static_cast<double>(bus.nodes.size()) / 1000.0;
    double best = network.voltage_bases_kv.front();
    for (double base : network.voltage_bases_kv) {
      if (std::abs(kv_ll / base - 1.0) < std::abs(kv_ll / best - 1.0)) best = base;
    }
    bus.base_kv_ll = best;
  }
}

}  // namespace vvc::grid
