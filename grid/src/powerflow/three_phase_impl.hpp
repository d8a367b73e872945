// The three-phase power flow's workspace (private to vvc_grid): shared by the solver (three_phase.cpp), the
// regulator and capacitor controls (regulator_control.cpp, capacitor_control.cpp) and the sensitivities
// (three_phase_sensitivity.cpp).
#pragma once

#include <klu.h>

#include <Eigen/Sparse>
#include <array>
#include <vector>

#include "load_models.hpp"
#include "sparse_lu.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"

namespace vvc::grid {

struct ThreePhaseWorkspace::Impl {
  const MultiphaseNetwork* network = nullptr;
  int num_nodes = 0;
  int num_unknown = 0;
  int num_sources = 0;
  // node -> unknown index (a minimum-degree order of Y_UU), or -(1 + source index) for a source node.
  std::vector<int> position;
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

  // Loads: the admittance each puts in Y (at its power in the network), its present power per phase, the
  // terms of its model at that power, and the load scale, which multiplies every load's current.
  std::vector<Complex> y_matrix;
  std::vector<Complex> power;  // per phase, VA consumed (set_injection)
  double load_scale = 1.0;
  std::vector<detail::LoadTerms> terms;

  // The load phase elements, ordered by their nodes' unknown index. Hot data (read every iteration) first:
  // the ends as indices into `ext`, the copy of the model data that the common case (a constant-power
  // element inside its band) needs, the current at the last evaluation and the derivative coefficients
  // (di = a dv + b conj(dv)) the factorized Jacobian holds.
  struct LoadElement {
    int p = 0, q = 0;
    int load = 0;
    int model = 0;           // 1, 2 or 5: the fast forms below apply; 0: any other model
    Complex coefficient;     // at the present power: conj(S) (model 1), Y_eq (2), conj(S) / V_b (5)
    double band_low2 = 0.0;  // models 1 and 5 follow their formula when band_low2 < |v|^2 <= band_high2
    double band_high2 = 0.0;
  };
  std::vector<LoadElement> load_elements;
  std::vector<Complex> element_current;
  std::vector<std::array<Complex, 2>> element_chord;
  std::vector<std::array<Complex, 2>> element_derivative;  // at the last evaluation that asked for it
  std::vector<Complex> element_y_matrix;                   // the element's admittance in Y
  std::vector<std::array<int, 4>> element_jacobian_slots;  // (p,p), (p,q), (q,p), (q,q), or -1
  std::vector<std::array<int, 3>> load_element_index;      // per load: its elements, -1 beyond its phases
  std::vector<int> load_nodes;  // the unknowns some load element touches: where Newton's F can be nonzero

  // Fixed point: KLU factorization of Y_UU.
  klu_common common{};
  klu_symbolic* symbolic = nullptr;
  klu_numeric* numeric = nullptr;
  bool y_factored = false;  // numeric holds the present Y_UU

  // Newton: the Jacobian's pattern (that of Y_UU) and its factorization, with the slot of every Y_UU entry,
  // and each load element's band region (band_region) at the operating point it was factorized at.
  detail::SparseLuPattern jacobian_pattern;
  detail::SparseLu<detail::Block2> jacobian;
  std::vector<int> y_uu_jacobian_slot;
  std::vector<unsigned char> jacobian_regions;
  bool jacobian_current = false;  // factorized for the present Y (its operating point may be older)
  // The factorization before it, with its chord coefficients and band regions: a solve whose loads return to
  // the spare's regions swaps it in rather than refactorizing (newton()).
  detail::SparseLu<detail::Block2> spare_jacobian;
  std::vector<std::array<Complex, 2>> spare_chord;
  std::vector<unsigned char> spare_regions;
  bool spare_current = false;
  std::vector<unsigned char> present_regions;  // at the present iterate

  // Voltages by solver index: the unknowns (solved in place), then the sources, then ground (0).
  Eigen::VectorXcd ext;
  Eigen::VectorXcd b;  // -Y_UF V_F
  Eigen::VectorXcd comp, comp_previous, x_previous;
  Eigen::VectorXcd residual, step;
  Complex load_power{0.0, 0.0};  // at the last evaluation of the loads
  bool warm = false;
  bool comp_current = false;      // `comp` holds c(V) at `ext` (after a converged fixed point)
  bool residual_current = false;  // `residual` holds Newton's F at `ext` and element_current the currents
  bool residual_on_load_nodes = false;  // and it is zero outside load_nodes
  bool loads_changed = true;            // powers or scale changed since element_current was evaluated
  ThreePhaseResult result;

  // Controls (OpenDSS's RegControl and CapControl objects and its control queue in static mode).
  struct RegulatorRuntime {
    bool armed = false;
    double pending_change = 0.0;  // pu tap change computed at the last sample
    int action_handle = 0;
    bool in_reverse = false;
    bool in_cogen = false;
    bool reverse_pending = false;
    int reverse_handle = 0;
    int reverse_back_handle = 0;
  };
  enum class CapacitorAction { kNone, kOpen, kClose };
  struct CapacitorControlRuntime {
    CapacitorAction pending = CapacitorAction::kNone;
    bool closed_state = true;  // the state the last sample saw (OpenDSS PresentState)
    bool armed = false;
    int action_handle = 0;
    // OpenDSS starts it one default dead time (300 s) in the past when it creates the control, whatever
    // dead time the script then sets.
    double last_open_time = -300.0;
  };
  // A capacitor's switched state: its steps (OpenDSS FStates), the last step in service and whether its
  // terminal is closed (opened with the last step, closed with the first).
  struct CapacitorRuntime {
    std::vector<int> states;
    int last_step = 0;
    bool closed = true;
  };
  struct ControlAction {
    double time = 0.0;
    int code = 0;  // kTapChange, kReverse or kCapacitorSwitch
    int handle = 0;
    int device = 0;  // index of the regulator or capacitor control
  };
  static constexpr int kTapChange = 0;
  static constexpr int kReverse = 1;
  static constexpr int kCapacitorSwitch = 2;
  std::vector<RegulatorRuntime> regulator_runtime;
  std::vector<CapacitorControlRuntime> capacitor_control_runtime;
  std::vector<CapacitorRuntime> capacitor_runtime;
  std::vector<ControlAction> queue;  // ascending time
  int last_handle = 0;
  bool admittance_changed = false;  // a control action moved a tap or switched a capacitor since assembly

  // Sensitivity scratch.
  Eigen::VectorXcd sensitivity_rhs;

  // kNoLoadSolve: the admittance matrix without the loads and without the Newton Jacobian, for
  // calc_voltage_bases's one linear solve.
  enum class Purpose { kPowerFlow, kNoLoadSolve };
  explicit Impl(const MultiphaseNetwork& net, Purpose purpose = Purpose::kPowerFlow);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  int ext_index(int node) const {
    if (node < 0) return num_unknown + num_sources;
    const int p = position[static_cast<size_t>(node)];
    return p >= 0 ? p : num_unknown - (p + 1);
  }
  Complex voltage(int node) const { return ext[ext_index(node)]; }

  // The current of load element k at voltage vd (and its derivative coefficients when asked): constant
  // power h = conj(S) / |v|^2, constant impedance h = Y_eq, constant current h = conj(S) / (V_b |v|) inline,
  // the rest (other models, outside the band) through load_admittance; all times the load scale. Forced
  // inline: it runs once per load phase element and iteration.
  [[gnu::always_inline]] Complex load_current(size_t k, Complex vd, bool derivatives) {
    const LoadElement& e = load_elements[k];
    if (e.model == 2) {
      const Complex y = load_scale * e.coefficient;
      if (derivatives) element_derivative[k] = {y, Complex(0.0, 0.0)};
      return y * vd;
    }
    const double vm2 = std::norm(vd);
    if (vm2 > e.band_low2 && vm2 <= e.band_high2) {
      if (e.model == 1) {
        const Complex h = (load_scale / vm2) * e.coefficient;
        if (derivatives) element_derivative[k] = {Complex(0.0, 0.0), -h * vd / std::conj(vd)};
        return h * vd;
      }
      if (e.model == 5) {
        const Complex h = (load_scale / std::sqrt(vm2)) * e.coefficient;
        if (derivatives) element_derivative[k] = {0.5 * h, -0.5 * h * vd / std::conj(vd)};
        return h * vd;
      }
    }
    return load_current_general(k, vd, derivatives);
  }
  Complex load_current_general(size_t k, Complex vd, bool derivatives);
  // Where load element k's voltage lies: 0 below its band, 1 in it (and always for a constant impedance),
  // 2 above; its current's derivative jumps between them.
  unsigned char band_region(size_t k, Complex vd) const {
    const LoadElement& e = load_elements[k];
    const double vm2 = std::norm(vd);
    return e.model == 2 ? 1 : vm2 <= e.band_low2 ? 0 : vm2 <= e.band_high2 ? 1 : 2;
  }
  void swap_jacobians();

  void assemble_values();
  bool factorize_y();
  void refresh_load_terms();
  void set_element_power(size_t load);
  void compensation(Eigen::VectorXcd& out, bool derivatives);
  bool factorize_jacobian();
  PowerFlowStatus fixed_point(const PowerFlowOptions& options, double voltage_tolerance, int& iterations,
                              double& mismatch);
  PowerFlowStatus newton(const PowerFlowOptions& options, double voltage_tolerance, ThreePhaseResult& r);
  PowerFlowStatus flow(const ThreePhaseOptions& options, ThreePhaseResult& r);
  void set_tap(size_t transformer, int winding, double value);
  Complex element_current_at(size_t e, size_t row) const;
  void fill_outputs(ThreePhaseResult& r) const;

  // regulator_control.cpp
  void reset_control();
  void sample(size_t regulator);
  void do_pending_action(const ControlAction& action);
  bool do_nearest_actions();  // false when the queue is empty
  int push_action(double delay, int code, int device);
  void delete_action(int handle);

  // capacitor_control.cpp
  void reset_capacitors();
  void sample_capacitor(size_t control);
  void do_capacitor_action(size_t control);
  void set_capacitor_states(size_t capacitor);
};

}  // namespace vvc::grid
