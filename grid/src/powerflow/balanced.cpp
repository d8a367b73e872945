// Balanced AC power flow.
//
// Bus injections: S_k(V) = s_const_k + s_current_k |V_k| + s_impedance_k |V_k|^2 (pu, positive into the bus).
// Mismatch (both algorithms): dS_k = V_k conj((Y V)_k) - S_k(V), converged when max_k |dS_k| <= tolerance
// over the non-slack buses.
//
// Backward/forward sweep (Kersting, "Distribution System Modeling and Analysis", ch. 10; Shirmohammadi et al.
// 1988): with buses in breadth-first order from the slack, each iteration computes the injected currents
// J_k = conj(S_k(V_k) / V_k) - y_sh,k V_k, sums branch currents from the leaves up (I_k = -J_k + sum of the
// children's I), and updates voltages from the slack down (V_k = V_parent - z_k I_k).
//
// Newton-Raphson in polar coordinates (Tinney & Hart 1967; derivative formulas as in MATPOWER's dSbus_dV,
// Zimmerman et al. 2011): unknowns theta and |V| of the non-slack buses;
//   dS/dtheta = j diag(V) conj(diag(I) - Y diag(V)),  dS/d|V| = diag(V) conj(Y diag(V/|V|)) + conj(diag(I))
//   diag(V/|V|),
// minus dS_spec/d|V| = s_current + 2 s_impedance |V| on the diagonal. Each bus's (theta, |V|) is one 2x2
// block; the blocks follow an elimination order of the network without fill for a radial one (the fewer
// nonzeros of a minimum-degree order and the buses' own numbering, detail::elimination_order), and the block
// sparse LU (sparse_lu.hpp) keeps its symbolic part for the workspace's life and refactorizes the values
// every iteration.
#include "vvc/grid/powerflow/balanced.hpp"

#include <Eigen/Sparse>
#include <algorithm>
#include <cmath>

#include "sparse_lu.hpp"
#include "vvc/common/errors.hpp"

namespace vvc::grid {

std::string_view to_string(PowerFlowStatus status) {
  switch (status) {
    case PowerFlowStatus::kConverged:
      return "converged";
    case PowerFlowStatus::kIterationLimit:
      return "iteration limit";
    case PowerFlowStatus::kDiverged:
      return "diverged";
  }
  return "unknown";
}

std::string_view to_string(PowerFlowAlgorithm algorithm) {
  switch (algorithm) {
    case PowerFlowAlgorithm::kAuto:
      return "auto";
    case PowerFlowAlgorithm::kSweep:
      return "bfs";
    case PowerFlowAlgorithm::kNewtonRaphson:
      return "nr";
  }
  return "unknown";
}

Injections nominal_injections(const Network& network) {
  Injections inj(network.num_buses());
  const double base = network.base_mva;
  for (const Load& load : network.loads) {
    const Complex s0(-load.p_mw / base, -load.q_mvar / base);
    const auto b = static_cast<Eigen::Index>(load.bus);
    switch (load.model) {
      case LoadModel::kConstantPower:
        inj.s_const[b] += s0;
        break;
      case LoadModel::kConstantCurrent:
        inj.s_current[b] += s0;
        break;
      case LoadModel::kConstantImpedance:
        inj.s_impedance[b] += s0;
        break;
      case LoadModel::kZip:
        inj.s_impedance[b] += Complex(s0.real() * load.zip_p[0], s0.imag() * load.zip_q[0]);
        inj.s_current[b] += Complex(s0.real() * load.zip_p[1], s0.imag() * load.zip_q[1]);
        inj.s_const[b] += Complex(s0.real() * load.zip_p[2], s0.imag() * load.zip_q[2]);
        break;
    }
  }
  for (const Generator& gen : network.generators) {
    inj.s_const[static_cast<Eigen::Index>(gen.bus)] += Complex(gen.p_mw / base, gen.q_mvar / base);
  }
  return inj;
}

using SparseC = Eigen::SparseMatrix<Complex, Eigen::ColMajor, int>;

struct PowerFlowWorkspace::Impl {
  int n = 0;
  int slack = 0;
  Topology topology;
  SparseC ybus;
  Eigen::VectorXcd v;  // last solution (bus order)
  bool has_solution = false;
  PowerFlowResult result;

  // Sweep data in breadth-first position order (position 0 is the slack).
  std::vector<int> pos_to_bus;
  std::vector<int> parent_pos;
  Eigen::VectorXcd z_pos, y_pos, ysh_pos;
  Eigen::VectorXcd s_const_pos, s_cur_pos, s_imp_pos;
  Eigen::VectorXcd v_pos, back_pos, acc_pos;

  // Newton-Raphson data: each non-slack bus's unknowns (theta, |V|) are one 2x2 block of the Jacobian, the
  // buses numbered in a minimum-degree order of the network (var_of_bus); dense_index is their place in bus
  // order, for newton_jacobian.
  std::vector<int> var_of_bus;  // non-slack bus -> block index, or -1
  std::vector<int> dense_index;
  int nv = 0;  // number of non-slack buses
  detail::SparseLuPattern jacobian_pattern;
  detail::SparseLu<detail::Block2> jacobian;
  // For each stored entry of ybus (in storage order): its Jacobian block (diagonal k, lower nv + e, upper
  // nv + nnz + e), or -1 for the slack's row or column.
  std::vector<int> jacobian_slot;
  Eigen::VectorXcd rhs;  // per block: the P and Q mismatches, then the steps of theta and |V|
  Eigen::VectorXcd ibus, s_spec, dspec_dvm, v_unit;
  explicit Impl(const Network& network);
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void build_ybus(const Network& network);
  void build_sweep(const Network& network);
  void build_newton();
  void start(const Network& network, bool warm);
  double mismatch(const Injections& inj);  // fills ibus and s_spec; returns max |dS| over non-slack buses
  void solve_sweep(const Injections& inj, const PowerFlowOptions& options);
  void fill_jacobian(const Injections& inj);  // at v; needs mismatch(inj) first
  void solve_newton(const Injections& inj, const PowerFlowOptions& options);
  void fill_outputs(const Network& network, const Injections& inj, bool angles, bool flows);
};

PowerFlowWorkspace::Impl::Impl(const Network& network) : n(network.num_buses()), slack(network.slack.bus) {
  topology = build_topology(network);
  build_ybus(network);
  if (topology.radial) build_sweep(network);
  build_newton();
  v = Eigen::VectorXcd::Constant(n, std::polar(network.slack.vm_pu, network.slack.va_rad));
  result.v.resize(n);
  result.vm.resize(n);
  result.va.resize(n);
  result.s_from.resize(network.num_branches());
  result.s_to.resize(network.num_branches());
  ibus.resize(n);
  s_spec.resize(n);
  dspec_dvm.resize(n);
}

void PowerFlowWorkspace::Impl::build_ybus(const Network& network) {
  std::vector<Eigen::Triplet<Complex, int>> triplets;
  triplets.reserve(static_cast<size_t>(4 * network.num_branches() + n));
  for (int i = 0; i < n; ++i) triplets.emplace_back(i, i, Complex(0.0, 0.0));  // every diagonal is stored
  for (const Branch& br : network.branches) {
    if (!br.in_service) continue;
    const Complex y = 1.0 / Complex(br.r_pu, br.x_pu);
    const Complex ysh(0.0, 0.5 * br.b_pu);
    triplets.emplace_back(br.from, br.from, y + ysh);
    triplets.emplace_back(br.to, br.to, y + ysh);
    triplets.emplace_back(br.from, br.to, -y);
    triplets.emplace_back(br.to, br.from, -y);
  }
  ybus.resize(n, n);
  ybus.setFromTriplets(triplets.begin(), triplets.end());
  ybus.makeCompressed();
}

void PowerFlowWorkspace::Impl::build_sweep(const Network& network) {
  pos_to_bus = topology.order;
  std::vector<int> bus_to_pos(static_cast<size_t>(n));
  for (int p = 0; p < n; ++p) bus_to_pos[static_cast<size_t>(pos_to_bus[static_cast<size_t>(p)])] = p;
  parent_pos.assign(static_cast<size_t>(n), -1);
  z_pos = Eigen::VectorXcd::Zero(n);
  y_pos = Eigen::VectorXcd::Zero(n);
  ysh_pos = Eigen::VectorXcd::Zero(n);
  for (int p = 1; p < n; ++p) {
    const int bus = pos_to_bus[static_cast<size_t>(p)];
    parent_pos[static_cast<size_t>(p)] =
        bus_to_pos[static_cast<size_t>(topology.parent[static_cast<size_t>(bus)])];
    const Branch& br =
        network.branches[static_cast<size_t>(topology.parent_branch[static_cast<size_t>(bus)])];
    z_pos[p] = Complex(br.r_pu, br.x_pu);
    y_pos[p] = 1.0 / z_pos[p];
  }
  for (const Branch& br : network.branches) {
    if (!br.in_service) continue;
    ysh_pos[bus_to_pos[static_cast<size_t>(br.from)]] += Complex(0.0, 0.5 * br.b_pu);
    ysh_pos[bus_to_pos[static_cast<size_t>(br.to)]] += Complex(0.0, 0.5 * br.b_pu);
  }
  s_const_pos.resize(n);
  s_cur_pos.resize(n);
  s_imp_pos.resize(n);
  v_pos.resize(n);
  back_pos.resize(n);
  acc_pos.resize(n);
}

void PowerFlowWorkspace::Impl::build_newton() {
  var_of_bus.assign(static_cast<size_t>(n), -1);
  dense_index.assign(static_cast<size_t>(n), -1);
  nv = 0;
  for (int i = 0; i < n; ++i) {
    if (i != slack) dense_index[static_cast<size_t>(i)] = nv++;
  }
  if (nv == 0) return;
  // An elimination order of the non-slack buses' coupling (for a radial network, leaves first: no fill).
  std::vector<std::vector<int>> adjacency(static_cast<size_t>(nv));
  for (int k = 0; k < n; ++k) {
    const int c = dense_index[static_cast<size_t>(k)];
    if (c < 0) continue;
    for (SparseC::InnerIterator it(ybus, k); it; ++it) {
      const int r = dense_index[static_cast<size_t>(it.row())];
      if (r >= 0 && r != c) adjacency[static_cast<size_t>(c)].push_back(r);
    }
  }
  std::vector<int> roots;
  for (SparseC::InnerIterator it(ybus, slack); it; ++it) {
    const int r = dense_index[static_cast<size_t>(it.row())];
    if (r >= 0) roots.push_back(r);
  }
  const std::vector<int> order = detail::elimination_order(adjacency, roots);
  std::vector<int> bus_of_dense(static_cast<size_t>(nv));
  for (int i = 0; i < n; ++i) {
    if (dense_index[static_cast<size_t>(i)] >= 0)
      bus_of_dense[static_cast<size_t>(dense_index[static_cast<size_t>(i)])] = i;
  }
  for (int k = 0; k < nv; ++k) {
    var_of_bus[static_cast<size_t>(bus_of_dense[static_cast<size_t>(order[static_cast<size_t>(k)])])] = k;
  }
  std::vector<std::vector<int>> lower(static_cast<size_t>(nv));
  for (int k = 0; k < n; ++k) {
    const int c = var_of_bus[static_cast<size_t>(k)];
    if (c < 0) continue;
    for (SparseC::InnerIterator it(ybus, k); it; ++it) {
      const int r = var_of_bus[static_cast<size_t>(it.row())];
      if (r > c) lower[static_cast<size_t>(c)].push_back(r);
    }
  }
  jacobian_pattern = detail::SparseLuPattern(lower);
  jacobian.reset(&jacobian_pattern);
  const int nnz = jacobian_pattern.nonzeros();
  jacobian_slot.assign(static_cast<size_t>(ybus.nonZeros()), -1);
  for (int k = 0; k < n; ++k) {
    for (int idx = ybus.outerIndexPtr()[k]; idx < ybus.outerIndexPtr()[k + 1]; ++idx) {
      const int r = var_of_bus[static_cast<size_t>(ybus.innerIndexPtr()[idx])];
      const int c = var_of_bus[static_cast<size_t>(k)];
      if (r < 0 || c < 0) continue;
      jacobian_slot[static_cast<size_t>(idx)] = r == c  ? r
                                                : r > c ? nv + jacobian_pattern.entry(r, c)
                                                        : nv + nnz + jacobian_pattern.entry(c, r);
    }
  }
  rhs.resize(nv);
  v_unit.resize(n);
}

void PowerFlowWorkspace::Impl::start(const Network& network, bool warm) {
  if (!(warm && has_solution)) {
    v.setConstant(std::polar(network.slack.vm_pu, network.slack.va_rad));
  }
  v[slack] = std::polar(network.slack.vm_pu, network.slack.va_rad);
}

double PowerFlowWorkspace::Impl::mismatch(const Injections& inj) {
  ibus.noalias() = ybus * v;
  double worst = 0.0;
  for (int i = 0; i < n; ++i) {
    const double vm = std::sqrt(std::norm(v[i]));
    s_spec[i] = inj.s_const[i] + vm * (inj.s_current[i] + vm * inj.s_impedance[i]);
    if (i == slack) continue;
    const double d2 = std::norm(v[i] * std::conj(ibus[i]) - s_spec[i]);
    if (!(d2 <= worst)) worst = d2;  // also propagates NaN
  }
  return std::sqrt(worst);
}

void PowerFlowWorkspace::Impl::solve_sweep(const Injections& inj, const PowerFlowOptions& options) {
  result.algorithm = PowerFlowAlgorithm::kSweep;
  for (int p = 0; p < n; ++p) {
    const int bus = pos_to_bus[static_cast<size_t>(p)];
    s_const_pos[p] = inj.s_const[bus];
    s_cur_pos[p] = inj.s_current[bus];
    s_imp_pos[p] = inj.s_impedance[bus];
    v_pos[p] = v[bus];
  }
  const Complex* z = z_pos.data();
  const Complex* y = y_pos.data();
  const Complex* ysh = ysh_pos.data();
  const int* parent = parent_pos.data();
  Complex* vp = v_pos.data();
  Complex* acc = acc_pos.data();
  Complex* back = back_pos.data();
  result.status = PowerFlowStatus::kIterationLimit;
  for (int iter = 0;; ++iter) {
    // One reverse pass computes, at the present voltages, the injected currents, the power mismatch (current
    // from the parent over the branch, plus the injection, minus what flows on to the children: final for a
    // bus once its children are done) and the backward sweep's branch currents. conj(S / V) = conj(S) V /
    // |V|^2 and |V| = sqrt(norm V) avoid std::complex's careful (and slow) division and hypot; the mismatch
    // is compared squared.
    acc_pos.setZero();
    back_pos.setZero();
    double worst2 = 0.0;
    for (int p = n - 1; p >= 1; --p) {
      const double v2 = std::norm(vp[p]);
      const double vm = std::sqrt(v2);
      const Complex s = s_const_pos[p] + vm * (s_cur_pos[p] + vm * s_imp_pos[p]);
      const Complex injected = std::conj(s) * vp[p] / v2 - ysh[p] * vp[p];
      const Complex branch = (vp[parent[p]] - vp[p]) * y[p];
      acc[p] += branch + injected;
      acc[parent[p]] -= branch;
      const double d2 = v2 * std::norm(acc[p]);
      if (!(d2 <= worst2)) worst2 = d2;  // also propagates NaN
      back[p] -= injected;
      back[parent[p]] += back[p];
    }
    const double worst = std::sqrt(worst2);
    result.iterations = iter;
    result.max_mismatch = worst;
    if (!std::isfinite(worst) || worst > 1e10) {
      result.status = PowerFlowStatus::kDiverged;
      break;
    }
    if (worst <= options.tolerance) {
      result.status = PowerFlowStatus::kConverged;
      break;
    }
    if (iter >= options.max_iterations) break;
    // Forward sweep: voltages from the slack down.
    for (int p = 1; p < n; ++p) vp[p] = vp[parent[p]] - z[p] * back[p];
  }
  for (int p = 0; p < n; ++p) v[pos_to_bus[static_cast<size_t>(p)]] = vp[p];
}

void PowerFlowWorkspace::Impl::fill_jacobian(const Injections& inj) {
  for (int i = 0; i < n; ++i) {
    const double vm = std::sqrt(std::norm(v[i]));
    v_unit[i] = v[i] / vm;
    dspec_dvm[i] = inj.s_current[i] + 2.0 * vm * inj.s_impedance[i];
    const int r = var_of_bus[static_cast<size_t>(i)];
    if (r < 0) continue;
    rhs[r] = -(v[i] * std::conj(ibus[i]) - s_spec[i]);
  }
  std::fill(jacobian.a_diag.begin(), jacobian.a_diag.end(), detail::Block2{});
  std::fill(jacobian.a_lower.begin(), jacobian.a_lower.end(), detail::Block2{});
  std::fill(jacobian.a_upper.begin(), jacobian.a_upper.end(), detail::Block2{});
  const auto nnz = static_cast<int>(jacobian.a_lower.size());
  // Jacobian blocks, column by column of ybus (column k = derivative with respect to bus k's variables):
  // [[dP/dtheta, dP/d|V|], [dQ/dtheta, dQ/d|V|]].
  const Complex j(0.0, 1.0);
  for (int k = 0; k < n; ++k) {
    const Complex vnk = v_unit[k];
    for (int idx = ybus.outerIndexPtr()[k]; idx < ybus.outerIndexPtr()[k + 1]; ++idx) {
      const int slot = jacobian_slot[static_cast<size_t>(idx)];
      if (slot < 0) continue;
      const int i = ybus.innerIndexPtr()[idx];
      const Complex yik = ybus.valuePtr()[idx];
      Complex ds_dth = -j * v[i] * std::conj(yik * v[k]);
      Complex ds_dvm = v[i] * std::conj(yik * vnk);
      if (i == k) {
        ds_dth += j * v[i] * std::conj(ibus[i]);
        ds_dvm += std::conj(ibus[i]) * vnk - dspec_dvm[i];
      }
      const detail::Block2 block(ds_dth.real(), ds_dvm.real(), ds_dth.imag(), ds_dvm.imag());
      if (slot < nv) {
        jacobian.a_diag[static_cast<size_t>(slot)] = block;
      } else if (slot < nv + nnz) {
        jacobian.a_lower[static_cast<size_t>(slot - nv)] = block;
      } else {
        jacobian.a_upper[static_cast<size_t>(slot - nv - nnz)] = block;
      }
    }
  }
}

void PowerFlowWorkspace::Impl::solve_newton(const Injections& inj, const PowerFlowOptions& options) {
  result.algorithm = PowerFlowAlgorithm::kNewtonRaphson;
  result.status = PowerFlowStatus::kIterationLimit;
  for (int iter = 0;; ++iter) {
    const double worst = mismatch(inj);
    result.iterations = iter;
    result.max_mismatch = worst;
    if (!std::isfinite(worst) || worst > 1e10) {
      result.status = PowerFlowStatus::kDiverged;
      return;
    }
    if (worst <= options.tolerance) {
      result.status = PowerFlowStatus::kConverged;
      return;
    }
    if (iter >= options.max_iterations) return;

    fill_jacobian(inj);
    if (!jacobian.factor()) {
      // A singular Jacobian (e.g. voltage collapse) is a numerical outcome.
      result.status = PowerFlowStatus::kDiverged;
      return;
    }
    jacobian.solve(rhs.data(), rhs.data());
    // V <- (|V| + d|V|) exp(j (theta + dtheta)), without recomputing the angle.
    for (int i = 0; i < n; ++i) {
      const int r = var_of_bus[static_cast<size_t>(i)];
      if (r < 0) continue;
      const double vm = std::sqrt(std::norm(v[i]));
      v[i] *= (vm + rhs[r].imag()) / vm * std::polar(1.0, rhs[r].real());
    }
  }
}

void PowerFlowWorkspace::Impl::fill_outputs(const Network& network, const Injections& inj, bool angles,
                                            bool flows) {
  result.v = v;
  for (int i = 0; i < n; ++i) result.vm[i] = std::sqrt(std::norm(v[i]));
  if (angles) {
    for (int i = 0; i < n; ++i) result.va[i] = std::arg(v[i]);
  }
  if (!flows) return;
  mismatch(inj);
  result.slack_power = v[slack] * std::conj(ibus[slack]) - s_spec[slack];
  result.losses = Complex(0.0, 0.0);
  for (int k = 0; k < network.num_branches(); ++k) {
    const Branch& br = network.branches[static_cast<size_t>(k)];
    if (!br.in_service) {
      result.s_from[k] = result.s_to[k] = Complex(0.0, 0.0);
      continue;
    }
    const Complex y = 1.0 / Complex(br.r_pu, br.x_pu);
    const Complex ysh(0.0, 0.5 * br.b_pu);
    const Complex vf = v[br.from];
    const Complex vt = v[br.to];
    result.s_from[k] = vf * std::conj((vf - vt) * y + ysh * vf);
    result.s_to[k] = vt * std::conj((vt - vf) * y + ysh * vt);
    result.losses += result.s_from[k] + result.s_to[k];
  }
}

PowerFlowWorkspace::PowerFlowWorkspace(const Network& network) : impl_(std::make_unique<Impl>(network)) {}
PowerFlowWorkspace::~PowerFlowWorkspace() = default;
PowerFlowWorkspace::PowerFlowWorkspace(PowerFlowWorkspace&&) noexcept = default;
PowerFlowWorkspace& PowerFlowWorkspace::operator=(PowerFlowWorkspace&&) noexcept = default;
const Topology& PowerFlowWorkspace::topology() const { return impl_->topology; }
void PowerFlowWorkspace::reset_start() { impl_->has_solution = false; }

const PowerFlowResult& solve(const Network& network, const Injections& injections,
                             const PowerFlowOptions& options, PowerFlowWorkspace& workspace) {
  auto& w = workspace.impl();
  VVC_ASSERT(w.n == network.num_buses());
  VVC_ASSERT(injections.s_const.size() == w.n && injections.s_current.size() == w.n &&
             injections.s_impedance.size() == w.n);
  PowerFlowAlgorithm algorithm = options.algorithm;
  if (algorithm == PowerFlowAlgorithm::kAuto) {
    algorithm = w.topology.radial ? PowerFlowAlgorithm::kSweep : PowerFlowAlgorithm::kNewtonRaphson;
  }
  if (algorithm == PowerFlowAlgorithm::kSweep && !w.topology.radial) {
    throw InputError(network.name +
                     ": the backward/forward sweep needs a radial network; use Newton-Raphson");
  }
  w.start(network, options.warm_start);
  if (algorithm == PowerFlowAlgorithm::kSweep) {
    w.solve_sweep(injections, options);
    // The sweep converges linearly and slowly on heavily loaded feeders (large reverse flows); in auto mode
    // Newton-Raphson takes over from where it stopped (or from a flat start if it diverged).
    if (options.algorithm == PowerFlowAlgorithm::kAuto && w.result.status != PowerFlowStatus::kConverged) {
      const int sweep_iterations = w.result.iterations;
      if (w.result.status == PowerFlowStatus::kDiverged) w.start(network, false);
      w.solve_newton(injections, options);
      w.result.iterations += sweep_iterations;
    }
  } else {
    w.solve_newton(injections, options);
  }
  w.has_solution = w.result.status == PowerFlowStatus::kConverged;
  w.fill_outputs(network, injections, options.compute_angles, options.compute_flows);
  return w.result;
}

Eigen::VectorXcd bus_power_injections(const Network& network, const Eigen::VectorXcd& v) {
  VVC_ASSERT(v.size() == network.num_buses());
  Eigen::VectorXcd current = Eigen::VectorXcd::Zero(v.size());
  for (const Branch& br : network.branches) {
    if (!br.in_service) continue;
    const Complex y = 1.0 / Complex(br.r_pu, br.x_pu);
    const Complex ysh(0.0, 0.5 * br.b_pu);
    current[br.from] += (v[br.from] - v[br.to]) * y + ysh * v[br.from];
    current[br.to] += (v[br.to] - v[br.from]) * y + ysh * v[br.to];
  }
  return v.cwiseProduct(current.conjugate());
}

Eigen::MatrixXd newton_jacobian(const Network& network, const Injections& injections,
                                const Eigen::VectorXcd& v, PowerFlowWorkspace& workspace) {
  auto& w = workspace.impl();
  VVC_ASSERT(w.n == network.num_buses() && v.size() == w.n);
  w.v = v;
  w.has_solution = false;
  w.mismatch(injections);
  w.fill_jacobian(injections);
  // The blocks in bus order: rows [Re F; Im F], columns [theta; |V|].
  const int nv = w.nv;
  Eigen::MatrixXd dense = Eigen::MatrixXd::Zero(2 * nv, 2 * nv);
  const auto nnz = static_cast<int>(w.jacobian.a_lower.size());
  for (int k = 0; k < w.n; ++k) {
    for (int idx = w.ybus.outerIndexPtr()[k]; idx < w.ybus.outerIndexPtr()[k + 1]; ++idx) {
      const int slot = w.jacobian_slot[static_cast<size_t>(idx)];
      if (slot < 0) continue;
      const int r = w.dense_index[static_cast<size_t>(w.ybus.innerIndexPtr()[idx])];
      const int c = w.dense_index[static_cast<size_t>(k)];
      const detail::Block2& b = slot < nv         ? w.jacobian.a_diag[static_cast<size_t>(slot)]
                                : slot < nv + nnz ? w.jacobian.a_lower[static_cast<size_t>(slot - nv)]
                                                  : w.jacobian.a_upper[static_cast<size_t>(slot - nv - nnz)];
      dense(r, c) = b.a;
      dense(r, c + nv) = b.b;
      dense(r + nv, c) = b.c;
      dense(r + nv, c + nv) = b.d;
    }
  }
  return dense;
}

}  // namespace vvc::grid
