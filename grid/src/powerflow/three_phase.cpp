// Unbalanced power flow in the phase frame (docs/algorithms/three-phase.md).
//
// Partition the nodes into unknown (U) and source (F) nodes. Every load contributes its nominal admittance
// Y_eq = (P - jQ) / V_base^2 to a constant matrix Y, so that the current-injection equations read
//     F(V) = Y_UU V_U - b - c(V) = 0,   b = -Y_UF V_F,   c_p(V) = sum over load elements on p of (Y_eq v -
//     i(v)),
// where v is the element's voltage (phase to neutral or phase to phase) and i(v) = h(|v|) v its current
// under the load model (load_models.hpp), with the opposite sign at the element's other end.
//
// Fixed point (OpenDSS's "Normal" algorithm; R. C. Dugan, "OpenDSS Circuit Solution Technique"):
// V^{k+1} = Y_UU^{-1} (b + c(V^k)), Y_UU factorized with KLU (Davis & Palamadai Natarajan, ACM TOMS 37(3),
// 2010). The residual of the true equations at V^{k+1} is c(V^k) - c(V^{k+1}).
//
// Newton: with di = a dv + b conj(dv) for each load element, the Jacobian is
//     dF = (Y_UU - Y_eq stamps + a stamps) dV + (b stamps) conj(dV),
// a real-linear map, stored as 2x2 real blocks on Y_UU's pattern and factorized by detail::SparseLu in the
// unknowns' elimination order (detail::elimination_order: minimum degree or the nodes' own numbering). The
// iteration V <- V - J0^{-1} F(V) keeps J0 from an earlier operating point (a chord method) and refactorizes
// it at the present iterate when a step is not at least kRefreshRatio times smaller than the one before, or
// when the taps have moved; it also keeps the factorization before J0 as a spare and swaps it in when the loads
// return to the band regions it was made in (newton()). After a step s with J0 s = -F,
//     F(V + s) = F + Y s - (c(V + s) - c(V)) = sum over load elements of (i(v + dv) - i(v) - a0 dv - b0
//     conj(dv))
// at their nodes (a0, b0 the coefficients J0 holds): the loads' linearization error. Carrying F this way
// avoids recomputing Y V, whose rounding (switches and regulators have admittances up to 1e7 S) would floor
// |F| near the tolerance; a change of the loads' powers at fixed voltages adds i_new(v) - i_old(v).
//
// Both algorithms stop when max_p |V_p| |F_p| <= tolerance * base_mva and max_p |dV_p| / |V_p| <=
// voltage_tolerance.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>

#include "three_phase_impl.hpp"
#include "vvc/common/errors.hpp"

namespace vvc::grid {

namespace {

using detail::Block2;

// Refactorize the chord Jacobian when a step is not at least this much smaller than the previous one.
constexpr double kRefreshRatio = 0.1;
// After the loads moved to other band regions than the Jacobian's: refactorize when a step is not at least this
// much smaller than the one before. A factorization costs about four chord iterations (ieee123, docs/algorithms/
// env.md), and a chord contracting by 0.01 or better needs at most a step or two more than a fresh one.
constexpr double kRegionRefreshRatio = 0.01;

// The two nodes across load element k (p to q).
std::pair<int, int> load_element_nodes(const PhaseLoad& load, int k) {
  const auto& n = load.nodes;
  if (load.connection == Connection::kWye) return {n[static_cast<size_t>(k)], n.back()};
  return {n[static_cast<size_t>(k)], n[static_cast<size_t>((k + 1) % static_cast<int>(n.size()))]};
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The Jacobian's values addressed by one integer: diagonal k, then the lower entries, then the upper ones.
struct JacobianSlots {
  const detail::SparseLuPattern* pattern = nullptr;
  int n = 0, nnz = 0;
  int encode(int row, int col) const {
    if (row == col) return row;
    if (row > col) return n + pattern->entry(row, col);
    return n + nnz + pattern->entry(col, row);
  }
  void add(detail::SparseLu<Block2>& lu, int slot, const Block2& value) const {
    if (slot < 0) return;
    if (slot < n) {
      lu.a_diag[static_cast<size_t>(slot)] += value;
    } else if (slot < n + nnz) {
      lu.a_lower[static_cast<size_t>(slot - n)] += value;
    } else {
      lu.a_upper[static_cast<size_t>(slot - n - nnz)] += value;
    }
  }
};

}  // namespace

std::string_view to_string(ThreePhaseAlgorithm algorithm) {
  return algorithm == ThreePhaseAlgorithm::kNewton ? "newton" : "fixed point";
}

int find_power_element(const MultiphaseNetwork& network, std::string_view name) {
  std::string wanted = lower(name);
  if (wanted.rfind("load.", 0) == 0) wanted = wanted.substr(5);
  for (size_t i = 0; i < network.loads.size(); ++i) {
    if (lower(network.loads[i].name) == wanted) return static_cast<int>(i);
  }
  return -1;
}

ThreePhaseWorkspace::Impl::Impl(const MultiphaseNetwork& net, Purpose purpose) : network(&net) {
  static const std::vector<PhaseLoad> kNoLoads;
  const bool power_flow = purpose == Purpose::kPowerFlow;
  const std::vector<PhaseLoad>& loads = power_flow ? net.loads : kNoLoads;
  num_nodes = net.num_nodes();
  num_sources = static_cast<int>(net.source_nodes.size());
  position.assign(static_cast<size_t>(num_nodes), 0);
  for (size_t s = 0; s < net.source_nodes.size(); ++s) {
    position[static_cast<size_t>(net.source_nodes[s])] = -(1 + static_cast<int>(s));
  }
  std::vector<int> unknown_nodes;
  for (int node = 0; node < num_nodes; ++node) {
    if (position[static_cast<size_t>(node)] == 0 &&
        std::find(net.source_nodes.begin(), net.source_nodes.end(), node) == net.source_nodes.end()) {
      position[static_cast<size_t>(node)] = static_cast<int>(unknown_nodes.size());
      unknown_nodes.push_back(node);
    }
  }
  num_unknown = static_cast<int>(unknown_nodes.size());
  if (num_unknown == 0) throw InputError(net.name + ": the network has no nodes besides the source");

  // The coupling of the unknowns (every element and load stamp); an elimination order of it becomes the
  // unknowns' numbering, so that the Newton Jacobian's LU needs no permutation. (KLU, which alone solves the
  // network without loads, orders on its own.)
  if (power_flow) {
    std::vector<std::vector<int>> adjacency(static_cast<size_t>(num_unknown));
    auto couple = [&](int a, int c) {
      if (a < 0 || c < 0) return;
      const int r = position[static_cast<size_t>(a)];
      const int k = position[static_cast<size_t>(c)];
      if (r >= 0 && k >= 0 && r != k) adjacency[static_cast<size_t>(k)].push_back(r);
    };
    for (const PrimitiveElement& e : net.elements) {
      for (int a : e.nodes) {
        for (int c : e.nodes) couple(a, c);
      }
    }
    for (const PhaseLoad& load : loads) {
      for (int k = 0; k < load.phases; ++k) {
        const auto [p, q] = load_element_nodes(load, k);
        couple(p, q), couple(q, p);
      }
    }
    for (auto& neighbours : adjacency) {
      std::sort(neighbours.begin(), neighbours.end());
      neighbours.erase(std::unique(neighbours.begin(), neighbours.end()), neighbours.end());
    }
    std::vector<int> roots;  // unknowns next to a source node
    for (const PrimitiveElement& e : net.elements) {
      const bool at_source = std::any_of(e.nodes.begin(), e.nodes.end(), [&](int node) {
        return node >= 0 && position[static_cast<size_t>(node)] < 0;
      });
      for (int node : e.nodes) {
        if (at_source && node >= 0 && position[static_cast<size_t>(node)] >= 0) {
          roots.push_back(position[static_cast<size_t>(node)]);
        }
      }
    }
    const std::vector<int> order = detail::elimination_order(adjacency, roots);
    for (int k = 0; k < num_unknown; ++k) {
      position[static_cast<size_t>(unknown_nodes[static_cast<size_t>(order[static_cast<size_t>(k)])])] = k;
    }
  }

  // Sparsity pattern of Y from every element and load stamp.
  std::vector<Eigen::Triplet<Complex>> uu, uf;
  auto stamp = [&](int a, int c) {
    if (a < 0 || c < 0) return;
    const int r = position[static_cast<size_t>(a)];
    const int k = position[static_cast<size_t>(c)];
    if (r < 0) return;
    if (k >= 0) {
      uu.emplace_back(r, k, Complex(0.0, 0.0));
    } else {
      uf.emplace_back(r, -(k + 1), Complex(0.0, 0.0));
    }
  };
  for (int u = 0; u < num_unknown; ++u) uu.emplace_back(u, u, Complex(0.0, 0.0));
  for (const PrimitiveElement& e : net.elements) {
    for (int a : e.nodes) {
      for (int c : e.nodes) stamp(a, c);
    }
  }
  for (const PhaseLoad& load : loads) {
    for (int k = 0; k < load.phases; ++k) {
      const auto [p, q] = load_element_nodes(load, k);
      stamp(p, p), stamp(p, q), stamp(q, p), stamp(q, q);
    }
  }
  y_uu.resize(num_unknown, num_unknown);
  y_uu.setFromTriplets(uu.begin(), uu.end());
  y_uu.makeCompressed();
  y_uf.resize(num_unknown, num_sources);
  y_uf.setFromTriplets(uf.begin(), uf.end());
  y_uf.makeCompressed();

  auto offset = [](const Eigen::SparseMatrix<Complex>& m, int row, int col) {
    const int* outer = m.outerIndexPtr();
    const int* inner = m.innerIndexPtr();
    const int* found = std::lower_bound(inner + outer[col], inner + outer[col + 1], row);
    VVC_ASSERT(found != inner + outer[col + 1] && *found == row);
    return static_cast<int>(found - inner);
  };
  auto slot = [&](int row_node, int col_node) {
    if (row_node < 0 || col_node < 0) return -1;
    const int r = position[static_cast<size_t>(row_node)];
    const int c = position[static_cast<size_t>(col_node)];
    if (r < 0) return -1;  // source rows are not equations
    if (c >= 0) return offset(y_uu, r, c);
    return -(2 + offset(y_uf, r, -(c + 1)));
  };
  for (const PrimitiveElement& e : net.elements) {
    if (std::any_of(e.nodes.begin(), e.nodes.end(),
                    [&](int node) { return node >= 0 && position[static_cast<size_t>(node)] < 0; })) {
      source_elements.push_back(static_cast<int>(element_slots.size()));
    }
    std::vector<int> slots;
    for (int j : e.nodes) {
      for (int i : e.nodes) slots.push_back(slot(i, j));
    }
    element_slots.push_back(std::move(slots));
    element_y.push_back(e.y);
  }
  for (const PhaseLoad& load : loads) {
    std::vector<std::array<int, 4>> s;
    for (int k = 0; k < load.phases; ++k) {
      const auto [p, q] = load_element_nodes(load, k);
      s.push_back({slot(p, p), slot(p, q), slot(q, p), slot(q, q)});
    }
    load_slots.push_back(std::move(s));
  }
  for (const PhaseTransformer& t : net.transformers) taps.push_back(t.tap);

  // The Newton Jacobian: Y_UU's pattern, the slot of each of its entries and of each load stamp.
  if (power_flow) {
    std::vector<std::vector<int>> lower_pattern(static_cast<size_t>(num_unknown));
    for (int c = 0; c < num_unknown; ++c) {
      for (Eigen::SparseMatrix<Complex>::InnerIterator it(y_uu, c); it; ++it) {
        if (it.row() > c) lower_pattern[static_cast<size_t>(c)].push_back(static_cast<int>(it.row()));
      }
    }
    jacobian_pattern = detail::SparseLuPattern(lower_pattern);
    jacobian.reset(&jacobian_pattern);
    spare_jacobian.reset(&jacobian_pattern);
  }
  const JacobianSlots js{&jacobian_pattern, num_unknown, jacobian_pattern.nonzeros()};
  for (int c = 0; power_flow && c < num_unknown; ++c) {
    for (Eigen::SparseMatrix<Complex>::InnerIterator it(y_uu, c); it; ++it) {
      y_uu_jacobian_slot.push_back(js.encode(static_cast<int>(it.row()), c));
    }
  }

  ext = Eigen::VectorXcd::Zero(num_unknown + num_sources + 1);
  ext.segment(num_unknown, num_sources) = net.source_voltages;
  // Load phase elements in the order of their nodes, so that a pass over them walks the voltages forward.
  struct Placed {
    int key, load, phase;
  };
  std::vector<Placed> placed;
  for (size_t l = 0; l < loads.size(); ++l) {
    for (int k = 0; k < loads[l].phases; ++k) {
      const auto [p, q] = load_element_nodes(loads[l], k);
      placed.push_back({std::min(ext_index(p), ext_index(q)), static_cast<int>(l), k});
    }
  }
  std::stable_sort(placed.begin(), placed.end(),
                   [](const Placed& x, const Placed& y) { return x.key < y.key; });
  load_element_index.assign(loads.size(), {-1, -1, -1});
  auto jacobian_slot = [&](int a, int c) {
    if (a < 0 || c < 0) return -1;
    const int r = position[static_cast<size_t>(a)];
    const int k = position[static_cast<size_t>(c)];
    return r >= 0 && k >= 0 ? js.encode(r, k) : -1;
  };
  for (const Placed& x : placed) {
    const auto [p, q] = load_element_nodes(loads[static_cast<size_t>(x.load)], x.phase);
    for (int node : {p, q}) {
      if (node >= 0 && position[static_cast<size_t>(node)] >= 0)
        load_nodes.push_back(position[static_cast<size_t>(node)]);
    }
  }
  std::sort(load_nodes.begin(), load_nodes.end());
  load_nodes.erase(std::unique(load_nodes.begin(), load_nodes.end()), load_nodes.end());
  for (const Placed& x : placed) {
    const auto [p, q] = load_element_nodes(loads[static_cast<size_t>(x.load)], x.phase);
    LoadElement e;
    e.p = ext_index(p);
    e.q = ext_index(q);
    e.load = x.load;
    load_element_index[static_cast<size_t>(x.load)][static_cast<size_t>(x.phase)] =
        static_cast<int>(load_elements.size());
    load_elements.push_back(e);
    element_jacobian_slots.push_back(
        {jacobian_slot(p, p), jacobian_slot(p, q), jacobian_slot(q, p), jacobian_slot(q, q)});
  }
  const size_t elements = load_elements.size();
  element_current.assign(elements, Complex(0.0, 0.0));
  element_chord.assign(elements, {});
  spare_chord.assign(elements, {});
  jacobian_regions.assign(elements, 1);
  spare_regions.assign(elements, 1);
  present_regions.assign(elements, 1);
  element_derivative.assign(elements, {});
  element_y_matrix.assign(elements, Complex(0.0, 0.0));

  b = Eigen::VectorXcd::Zero(num_unknown);
  comp = Eigen::VectorXcd::Zero(num_unknown);
  comp_previous = Eigen::VectorXcd::Zero(num_unknown);
  x_previous = Eigen::VectorXcd::Zero(num_unknown);
  residual = Eigen::VectorXcd::Zero(ext.size());
  step = Eigen::VectorXcd::Zero(ext.size());
  for (const PhaseLoad& load : loads) {
    power.emplace_back(load.p_w, load.q_var);
    y_matrix.push_back(std::conj(power.back()) / (load.v_base_v * load.v_base_v));
    terms.push_back(detail::load_terms(load, power.back()));
  }
  refresh_load_terms();
  regulator_runtime.resize(net.regulators.size());
  capacitor_control_runtime.resize(net.capacitor_controls.size());
  queue.reserve(2 * net.regulators.size() + net.capacitor_controls.size() + 1);
  reset_capacitors();
  assemble_values();

  klu_defaults(&common);
  symbolic = klu_analyze(num_unknown, y_uu.outerIndexPtr(), y_uu.innerIndexPtr(), &common);
  if (symbolic == nullptr || !factorize_y()) {
    // A constructor that throws runs no destructor: the analysis is freed here.
    if (symbolic != nullptr) klu_free_symbolic(&symbolic, &common);
    throw InputError(
        net.name +
        ": the admittance matrix is singular: some node has no path to the source (an island or a "
        "floating conductor)");
  }
}

ThreePhaseWorkspace::Impl::~Impl() {
  if (numeric != nullptr) klu_z_free_numeric(&numeric, &common);
  if (symbolic != nullptr) klu_free_symbolic(&symbolic, &common);
}

void ThreePhaseWorkspace::Impl::assemble_values() {
  std::fill(y_uu.valuePtr(), y_uu.valuePtr() + y_uu.nonZeros(), Complex(0.0, 0.0));
  std::fill(y_uf.valuePtr(), y_uf.valuePtr() + y_uf.nonZeros(), Complex(0.0, 0.0));
  auto add = [this](int s, Complex value) {
    if (s >= 0) {
      y_uu.valuePtr()[s] += value;
    } else if (s <= -2) {
      y_uf.valuePtr()[-(s + 2)] += value;
    }
  };
  for (size_t e = 0; e < element_slots.size(); ++e) {
    const Eigen::MatrixXcd& y = element_y[e];
    const Eigen::Index n = y.rows();
    for (Eigen::Index j = 0; j < n; ++j) {
      for (Eigen::Index i = 0; i < n; ++i) add(element_slots[e][static_cast<size_t>(j * n + i)], y(i, j));
    }
  }
  for (size_t l = 0; l < load_slots.size(); ++l) {
    const Complex y = y_matrix[l];
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
  y_factored = false;
  jacobian_current = false;
  spare_current = false;
  comp_current = false;
  residual_current = false;
}

bool ThreePhaseWorkspace::Impl::factorize_y() {
  if (y_factored) return true;
  if (numeric != nullptr) {
    if (klu_z_refactor(y_uu.outerIndexPtr(), y_uu.innerIndexPtr(), reinterpret_cast<double*>(y_uu.valuePtr()),
                       symbolic, numeric, &common) == 1) {
      y_factored = true;
      return true;
    }
    klu_z_free_numeric(&numeric, &common);
  }
  numeric = klu_z_factor(y_uu.outerIndexPtr(), y_uu.innerIndexPtr(),
                         reinterpret_cast<double*>(y_uu.valuePtr()), symbolic, &common);
  y_factored = numeric != nullptr;
  return y_factored;
}

// The load terms at the present powers and scale, copied into the load elements.
void ThreePhaseWorkspace::Impl::refresh_load_terms() {
  for (size_t k = 0; k < load_elements.size(); ++k) {
    LoadElement& e = load_elements[k];
    const PhaseLoad& load = network->loads[static_cast<size_t>(e.load)];
    e.model = load.model == 1 || load.model == 2 || load.model == 5 ? load.model : 0;
    const double low = std::max(load.vminpu, load.vlowpu) * load.v_base_v;
    e.band_low2 = low * low;
    e.band_high2 = load.vmaxpu * load.v_base_v * load.vmaxpu * load.v_base_v;
    element_y_matrix[k] = y_matrix[static_cast<size_t>(e.load)];
  }
  for (size_t l = 0; l < terms.size(); ++l) set_element_power(l);
}

void ThreePhaseWorkspace::Impl::set_element_power(size_t l) {
  const PhaseLoad& load = network->loads[l];
  terms[l] = detail::load_terms(load, power[l]);
  const detail::LoadTerms& t = terms[l];
  const Complex coefficient = load.model == 2   ? t.yeq
                              : load.model == 5 ? std::conj(t.s) / t.v_base
                                                : std::conj(t.s);
  for (int k : load_element_index[l]) {
    if (k >= 0) load_elements[static_cast<size_t>(k)].coefficient = coefficient;
  }
  loads_changed = true;
  comp_current = false;
}

Complex ThreePhaseWorkspace::Impl::load_current_general(size_t k, Complex vd, bool derivatives) {
  const LoadElement& e = load_elements[k];
  const double vm = std::sqrt(std::norm(vd));
  auto [h, dh] = detail::load_admittance(network->loads[static_cast<size_t>(e.load)],
                                         terms[static_cast<size_t>(e.load)], vm);
  h *= load_scale;
  dh *= load_scale;
  if (derivatives) {
    if (vm > 0.0) {
      const auto [a, bc] = detail::load_current_derivative(vd, vm, h, dh);
      element_derivative[k] = {a, bc};
    } else {
      element_derivative[k] = {h, Complex(0.0, 0.0)};
    }
  }
  return h * vd;
}

// c(V) at the voltages in `ext` into `out` and the total load power; each element's current derivative
// when asked.
void ThreePhaseWorkspace::Impl::compensation(Eigen::VectorXcd& out, bool derivatives) {
  out.setZero();
  Complex total(0.0, 0.0);
  for (size_t k = 0; k < load_elements.size(); ++k) {
    const LoadElement& e = load_elements[k];
    const Complex vd = ext[e.p] - ext[e.q];
    const Complex i = load_current(k, vd, derivatives);
    const Complex c = element_y_matrix[k] * vd - i;
    if (e.p < num_unknown) out[e.p] += c;
    if (e.q < num_unknown) out[e.q] -= c;
    total += vd * std::conj(i);
  }
  load_power = total;
}

void ThreePhaseWorkspace::Impl::swap_jacobians() {
  std::swap(jacobian, spare_jacobian);
  element_chord.swap(spare_chord);
  jacobian_regions.swap(spare_regions);
  std::swap(jacobian_current, spare_current);
}

// J = Y_UU - (Y_eq - a) stamps + b stamps, from element_derivative at the voltages in `ext`, which becomes the
// chord's; the factorization it replaces becomes the spare.
bool ThreePhaseWorkspace::Impl::factorize_jacobian() {
  if (jacobian_current) swap_jacobians();
  for (size_t k = 0; k < load_elements.size(); ++k) {
    jacobian_regions[k] = band_region(k, ext[load_elements[k].p] - ext[load_elements[k].q]);
  }
  const JacobianSlots js{&jacobian_pattern, num_unknown, jacobian_pattern.nonzeros()};
  std::fill(jacobian.a_diag.begin(), jacobian.a_diag.end(), Block2{});
  std::fill(jacobian.a_lower.begin(), jacobian.a_lower.end(), Block2{});
  std::fill(jacobian.a_upper.begin(), jacobian.a_upper.end(), Block2{});
  const Complex* y = y_uu.valuePtr();
  for (size_t k = 0; k < y_uu_jacobian_slot.size(); ++k) {
    js.add(jacobian, y_uu_jacobian_slot[k], Block2::from(y[k], Complex(0.0, 0.0)));
  }
  for (size_t k = 0; k < load_elements.size(); ++k) {
    const auto [a, bc] = element_derivative[k];
    element_chord[k] = element_derivative[k];
    const Complex ym = element_y_matrix[k];
    const Block2 d = Block2::from(a - ym, bc);
    const Block2 minus = Block2::from(ym - a, -bc);
    const auto& s = element_jacobian_slots[k];
    js.add(jacobian, s[0], d);
    js.add(jacobian, s[1], minus);
    js.add(jacobian, s[2], minus);
    js.add(jacobian, s[3], d);
  }
  jacobian_current = jacobian.factor();
  return jacobian_current;
}

// One power flow at the present taps by the fixed point. Returns the status; adds to iterations.
PowerFlowStatus ThreePhaseWorkspace::Impl::fixed_point(const PowerFlowOptions& options,
                                                       double voltage_tolerance, int& iterations,
                                                       double& mismatch) {
  const double s_base = network->base_mva * 1e6;
  auto head = ext.head(num_unknown);
  residual_current = false;
  if (!factorize_y()) {
    warm = false;
    return PowerFlowStatus::kDiverged;
  }
  if (warm && options.warm_start) {
    if (comp_current) {
      comp_previous.swap(comp);
    } else {
      compensation(comp_previous, false);
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
    compensation(comp, false);
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

// One power flow at the present taps by the chord Newton iteration (the header comment gives F's update).
PowerFlowStatus ThreePhaseWorkspace::Impl::newton(const PowerFlowOptions& options, double voltage_tolerance,
                                                  ThreePhaseResult& r) {
  const double s_base = network->base_mva * 1e6;
  const int n = num_unknown;
  Complex* x = ext.data();
  Complex* f = residual.data();
  Complex* s = step.data();
  const bool cold = !(warm && options.warm_start);
  warm = false;
  comp_current = false;
  bool refresh = cold || !jacobian_current;
  if (cold) {
    // The constant-impedance solution (c = 0), as the fixed point starts: there Y V - b = 0.
    if (!factorize_y()) return PowerFlowStatus::kDiverged;
    ext.head(n) = b;
    klu_z_solve(symbolic, numeric, n, 1, reinterpret_cast<double*>(x), &common);
    residual.setZero();
  } else if (!residual_current) {
    residual.head(n).noalias() = y_uu * ext.head(n);
    residual.head(n) -= b;
  }
  residual.tail(residual.size() - n).setZero();  // the sources' and ground's entries, never read
  // F at the starting voltages: -c(V) added to Y V - b, or the change of the loads' currents.
  const bool from_scratch = cold || !residual_current;
  bool sparse = cold || (residual_current && residual_on_load_nodes);
  Complex total = load_power;
  if (from_scratch || loads_changed || refresh) {
    total = Complex(0.0, 0.0);
    for (size_t k = 0; k < load_elements.size(); ++k) {
      const LoadElement& e = load_elements[k];
      const Complex vd = x[e.p] - x[e.q];
      const Complex i = load_current(k, vd, refresh);
      const Complex fk = from_scratch ? i - element_y_matrix[k] * vd : i - element_current[k];
      f[e.p] += fk;
      f[e.q] -= fk;
      element_current[k] = i;
      total += vd * std::conj(i);
    }
  }
  loads_changed = false;
  residual_current = true;
  double change2 = 0.0;
  double previous_change2 = 0.0;
  double start_mismatch = 0.0;
  bool regions_moved = false;  // after the first step, from J0's regions, with no spare in the present ones
  // Steps taken with the present factorization: the refresh rule and the voltage test compare two of them.
  int chord_steps = 0;
  for (int it = 0;; ++it) {
    // max_p |V_p|^2 |F_p|^2, over the load nodes when F is zero elsewhere and they are few.
    double mismatch2 = 0.0;
    if (sparse && 2 * load_nodes.size() <= static_cast<size_t>(n)) {
      for (const int p : load_nodes) mismatch2 = std::max(mismatch2, std::norm(x[p]) * std::norm(f[p]));
    } else {
      for (int p = 0; p < n; ++p) mismatch2 = std::max(mismatch2, std::norm(x[p]) * std::norm(f[p]));
    }
    r.max_mismatch = std::sqrt(mismatch2) / s_base;
    residual_on_load_nodes = sparse;
    if (!std::isfinite(r.max_mismatch)) {
      residual_current = false;
      return PowerFlowStatus::kDiverged;
    }
    // The voltage test: the last step's relative change, or the error it leaves by the contraction the last two
    // steps show when the present J0 took both, rho / (1 - rho) times the change (rho below kRefreshRatio,
    // where the chord is effective).
    const double rho2 = chord_steps >= 2 && previous_change2 > 0.0 ? change2 / previous_change2 : 1.0;
    const double error2 = rho2 < kRefreshRatio * kRefreshRatio
                              ? change2 * rho2 / ((1.0 - std::sqrt(rho2)) * (1.0 - std::sqrt(rho2)))
                              : change2;
    if (it > 0 && r.max_mismatch <= options.tolerance &&
        std::min(change2, error2) <= voltage_tolerance * voltage_tolerance) {
      warm = true;
      load_power = total;
      return PowerFlowStatus::kConverged;
    }
    if (it >= options.max_iterations) return PowerFlowStatus::kIterationLimit;
    // Some load is outside the band region the chord Jacobian was linearized in (its current's derivative
    // jumps at the band's edges): the chord contracts slowly from here on. Checked after the first step of a
    // solve when it did not reduce the mismatch by kRegionRefreshRatio (a chord in the right regions does, and
    // the check costs a pass over the loads), and if the regions had moved, again after the second: swap in
    // the spare factorization if it was made in the present regions; else, after the second step (nearer the
    // solution, whose regions the new factorization should have), refactorize if that step contracted by less
    // than kRegionRefreshRatio.
    if (it == 0) start_mismatch = r.max_mismatch;
    if (((it == 1 && r.max_mismatch > kRegionRefreshRatio * start_mismatch) || (it == 2 && regions_moved)) &&
        !refresh) {
      regions_moved = false;
      for (size_t k = 0; k < load_elements.size(); ++k) {
        present_regions[k] = band_region(k, x[load_elements[k].p] - x[load_elements[k].q]);
        regions_moved = regions_moved || present_regions[k] != jacobian_regions[k];
      }
      if (regions_moved && spare_current && present_regions == spare_regions) {
        swap_jacobians();
        chord_steps = 0;
        regions_moved = false;
      } else if (regions_moved && chord_steps >= 2 &&
                 change2 > kRegionRefreshRatio * kRegionRefreshRatio * previous_change2) {
        refresh = true;
        for (size_t k = 0; k < load_elements.size(); ++k) {
          load_current(k, x[load_elements[k].p] - x[load_elements[k].q], true);
        }
      }
    }
    if (refresh) {
      ++r.jacobian_factorizations;
      if (!factorize_jacobian()) {
        residual_current = false;
        return PowerFlowStatus::kDiverged;
      }
      chord_steps = 0;
    }
    // The step is -s with J0 s = F.
    jacobian.solve(f, s);
    previous_change2 = change2;
    change2 = 0.0;
    // The new voltages, the largest relative change, and F cleared for the loads' contributions.
    const bool clear_all = !sparse || 2 * load_nodes.size() > static_cast<size_t>(n);
    for (int p = 0; p < n; ++p) {
      x[p] -= s[p];
      const double step2 = std::norm(s[p]);
      const double v2 = std::max(std::norm(x[p]), 1e-6);
      if (step2 > change2 * v2) change2 = step2 / v2;
      if (clear_all) f[p] = Complex(0.0, 0.0);
    }
    if (!clear_all) {
      for (const int p : load_nodes) f[p] = Complex(0.0, 0.0);
    }
    sparse = true;
    ++r.iterations;
    ++chord_steps;
    refresh = chord_steps >= 2 && change2 > kRefreshRatio * kRefreshRatio * previous_change2;
    total = Complex(0.0, 0.0);
    for (size_t k = 0; k < load_elements.size(); ++k) {
      const LoadElement& e = load_elements[k];
      const Complex vd = x[e.p] - x[e.q];
      const Complex ds = s[e.p] - s[e.q];  // minus the element's voltage step
      const Complex i = load_current(k, vd, refresh);
      const auto& chord = element_chord[k];
      const Complex fk = i - element_current[k] + chord[0] * ds + chord[1] * std::conj(ds);
      f[e.p] += fk;
      f[e.q] -= fk;
      element_current[k] = i;
      total += vd * std::conj(i);
    }
  }
}

PowerFlowStatus ThreePhaseWorkspace::Impl::flow(const ThreePhaseOptions& options, ThreePhaseResult& r) {
  if (options.algorithm == ThreePhaseAlgorithm::kNewton) {
    r.algorithm = ThreePhaseAlgorithm::kNewton;
    const PowerFlowStatus status = newton(options.power_flow, options.voltage_tolerance, r);
    if (status == PowerFlowStatus::kConverged) return status;
    warm = false;
  }
  // The fixed point, or Newton's fallback from the constant-impedance start.
  r.algorithm = ThreePhaseAlgorithm::kFixedPoint;
  return fixed_point(options.power_flow, options.voltage_tolerance, r.iterations, r.max_mismatch);
}

void ThreePhaseWorkspace::Impl::set_tap(size_t transformer, int winding, double value) {
  taps[transformer][static_cast<size_t>(winding)] = value;
  const PhaseTransformer& t = network->transformers[transformer];
  element_y[static_cast<size_t>(t.element)] = transformer_admittance(t, taps[transformer]);
  admittance_changed = true;
}

// Current entering element e at its conductor `row`, at the present voltages.
Complex ThreePhaseWorkspace::Impl::element_current_at(size_t e, size_t row) const {
  const PrimitiveElement& el = network->elements[e];
  const Eigen::MatrixXcd& y = element_y[e];
  Complex i(0.0, 0.0);
  for (size_t k = 0; k < el.nodes.size(); ++k) {
    i += y(static_cast<Eigen::Index>(row), static_cast<Eigen::Index>(k)) * voltage(el.nodes[k]);
  }
  return i;
}

void ThreePhaseWorkspace::Impl::fill_outputs(ThreePhaseResult& r) const {
  r.v.resize(num_nodes);
  for (int node = 0; node < num_nodes; ++node) r.v[node] = voltage(node);
  // Power the sources inject: V conj(I) at every source node, I from the elements that touch it.
  Complex source(0.0, 0.0);
  for (const int e : source_elements) {
    const PrimitiveElement& el = network->elements[static_cast<size_t>(e)];
    for (size_t row = 0; row < el.nodes.size(); ++row) {
      const int node = el.nodes[row];
      if (node < 0 || position[static_cast<size_t>(node)] >= 0) continue;
      source += voltage(node) * std::conj(element_current_at(static_cast<size_t>(e), row));
    }
  }
  r.source_power = source;
  r.load_power = load_power;
  r.losses = source - load_power;
  r.regulators.resize(network->regulators.size());
  for (size_t k = 0; k < network->regulators.size(); ++k) {
    const RegulatorControl& c = network->regulators[k];
    const PhaseTransformer& t = network->transformers[static_cast<size_t>(c.transformer)];
    const double tap = taps[static_cast<size_t>(c.transformer)][static_cast<size_t>(c.tap_winding)];
    const double inc = t.tap_increment();
    r.regulators[k].name = c.name;
    r.regulators[k].tap = tap;
    r.regulators[k].position =
        inc > 0.0 ? static_cast<int>(std::lround((tap - 0.5 * (t.max_tap + t.min_tap)) / inc)) : 0;
  }
  r.capacitors.resize(network->capacitors.size());
  for (size_t k = 0; k < network->capacitors.size(); ++k) {
    r.capacitors[k].name = network->capacitors[k].name;
    r.capacitors[k].states = capacitor_runtime[k].states;
  }
}

ThreePhaseWorkspace::ThreePhaseWorkspace(const MultiphaseNetwork& network)
    : impl_(std::make_unique<Impl>(network)) {}
ThreePhaseWorkspace::~ThreePhaseWorkspace() = default;
ThreePhaseWorkspace::ThreePhaseWorkspace(ThreePhaseWorkspace&&) noexcept = default;
ThreePhaseWorkspace& ThreePhaseWorkspace::operator=(ThreePhaseWorkspace&&) noexcept = default;

void ThreePhaseWorkspace::reset() {
  Impl& m = *impl_;
  m.warm = false;
  m.jacobian_current = false;
  m.spare_current = false;
  m.reset_control();
  m.reset_capacitors();
  for (size_t t = 0; t < m.taps.size(); ++t) {
    const PhaseTransformer& transformer = m.network->transformers[t];
    for (int w = 0; w < transformer.windings; ++w) {
      if (m.taps[t][static_cast<size_t>(w)] != transformer.tap[static_cast<size_t>(w)]) {
        m.set_tap(t, w, transformer.tap[static_cast<size_t>(w)]);
      }
    }
  }
  if (m.admittance_changed) {
    m.assemble_values();
    m.admittance_changed = false;
  }
  m.load_scale = 1.0;
  for (size_t l = 0; l < m.power.size(); ++l) {
    m.power[l] = Complex(m.network->loads[l].p_w, m.network->loads[l].q_var);
  }
  m.refresh_load_terms();
}

void ThreePhaseWorkspace::set_load_scale(double factor) {
  Impl& m = *impl_;
  VVC_ASSERT(factor > 0.0);
  // Every load model's current is linear in its power, so the scale multiplies the currents: nothing is
  // refactorized or recomputed per load.
  m.load_scale = factor;
  m.loads_changed = true;
  m.comp_current = false;
}

void ThreePhaseWorkspace::set_injection(int element, Complex s_mva) {
  Impl& m = *impl_;
  if (element < 0 || element >= static_cast<int>(m.power.size())) {
    throw InputError("set_injection: element " + std::to_string(element) + " out of range (the network has " +
                     std::to_string(m.power.size()) + " power elements)");
  }
  const auto l = static_cast<size_t>(element);
  m.power[l] = -s_mva * 1e6 / static_cast<double>(m.network->loads[l].phases);
  m.set_element_power(l);
}

Complex ThreePhaseWorkspace::injection(int element) const {
  const Impl& m = *impl_;
  VVC_ASSERT(element >= 0 && element < static_cast<int>(m.power.size()));
  const auto l = static_cast<size_t>(element);
  return -m.power[l] * static_cast<double>(m.network->loads[l].phases) / 1e6;
}

const ThreePhaseResult& solve(const MultiphaseNetwork& network, const ThreePhaseOptions& options,
                              ThreePhaseWorkspace& workspace) {
  ThreePhaseWorkspace::Impl& m = workspace.impl();
  VVC_ASSERT(m.network == &network);
  ThreePhaseResult& r = m.result;
  r.iterations = 0;
  r.control_iterations = 0;
  r.jacobian_factorizations = 0;
  r.taps_settled = true;
  const bool control = (!network.regulators.empty() || !network.capacitor_controls.empty()) &&
                       (options.taps == TapMode::kControl ||
                        (options.taps == TapMode::kAsNetwork && network.regulator_control));
  if (!control) {
    r.status = m.flow(options, r);
  } else {
    // OpenDSS's SolveSnap in the static control mode: solve, sample every control, execute the queued
    // actions with the nearest time, and repeat until no action is queued or MaxControlIter power flows.
    bool done = false;
    const int max_control = std::max(1, network.max_control_iterations);
    while (true) {
      ++r.control_iterations;
      r.status = m.flow(options, r);
      if (r.control_iterations < max_control) {
        if (r.status == PowerFlowStatus::kConverged) {
          for (size_t k = 0; k < network.regulators.size(); ++k) m.sample(k);
          for (size_t k = 0; k < network.capacitor_controls.size(); ++k) m.sample_capacitor(k);
          done = !m.do_nearest_actions();
        } else {
          done = true;
        }
      }
      if (m.admittance_changed) {
        m.assemble_values();
        m.admittance_changed = false;
      }
      if (done || r.control_iterations >= max_control) break;
    }
    r.taps_settled = done && r.status == PowerFlowStatus::kConverged;
  }
  m.fill_outputs(r);
  return r;
}

void calc_voltage_bases(MultiphaseNetwork& network) {
  if (network.voltage_bases_kv.empty()) return;
  // The network without its loads: one linear solve (two fixed-point iterations, the second confirming).
  ThreePhaseWorkspace::Impl m(network, ThreePhaseWorkspace::Impl::Purpose::kNoLoadSolve);
  PowerFlowOptions options;
  int iterations = 0;
  double mismatch = 0.0;
  m.fixed_point(options, 1e-9, iterations, mismatch);
  for (PhaseBus& bus : network.buses) {
    if (bus.nodes.empty()) continue;
    double sum = 0.0;
    for (int node : bus.nodes) sum += std::abs(m.voltage(node));
    const double kv_ll = std::numbers::sqrt3 * sum / static_cast<double>(bus.nodes.size()) / 1000.0;
    double best = network.voltage_bases_kv.front();
    for (double base : network.voltage_bases_kv) {
      if (std::abs(kv_ll / base - 1.0) < std::abs(kv_ll / best - 1.0)) best = base;
    }
    bus.base_kv_ll = best;
  }
}

}  // namespace vvc::grid
