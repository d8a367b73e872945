// The unbalanced phase-frame network model.
//
// A MultiphaseNetwork is a set of nodes (bus, conductor) joined by elements that each carry a primitive
// admittance matrix over their terminal conductors (lines, switches, capacitors, reactors, transformers, the
// source impedance), plus the non-linear loads and the regulator controls. Quantities are SI (volts, amperes,
// siemens, watts) inside the model; per unit only at reporting, on each bus's line-to-neutral base. The
// model is 3-wire Kron-reduced, as OpenDSS's IEEE feeders are: node 0 of a bus is ground and is not a node
// of the model.
#pragma once

#include <Eigen/Dense>
#include <array>
#include <complex>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vvc/common/units.hpp"

namespace vvc::grid {

/// Node index of ground (a bus's node 0) in element node lists.
inline constexpr int kGroundNode = -1;

struct PhaseBus {
  std::string name;               ///< lower case, as OpenDSS reports it
  std::vector<int> node_numbers;  ///< conductor numbers present at the bus (1, 2, 3, ...), ascending
  std::vector<int> nodes;         ///< model node index for each entry of node_numbers
  double base_kv_ll = 0.0;        ///< voltage base, line-to-line kV; 0 when none was assigned
  std::optional<std::array<double, 2>> xy;

  /// Model node index of a conductor number, or -1 if the bus does not have it.
  int node_of(int node_number) const;
};

struct PhaseNode {
  int bus = -1;
  int number = 0;  ///< conductor number at the bus (1 = a, 2 = b, 3 = c)
};

enum class ElementKind { kLine, kSwitch, kCapacitor, kReactor, kTransformer, kSourceImpedance };

/// A linear element: the currents entering its conductors are y * v over `nodes` (kGroundNode for ground).
/// `nodes` holds terminal 1's conductors, then terminal 2's (if any), `conductors` per terminal.
struct PrimitiveElement {
  std::string name;  ///< "Class.name" as in the file, e.g. "Line.650632"
  ElementKind kind = ElementKind::kLine;
  int terminals = 2;
  int conductors = 0;
  std::vector<int> nodes;
  Eigen::MatrixXcd y;  ///< siemens
};

enum class Connection { kWye, kDelta };

/// A load with OpenDSS semantics: per-phase nominal power at the per-phase base voltage, the model, and the
/// reversion to constant impedance below vminpu and above vmaxpu (and to a linear model below vlowpu).
struct PhaseLoad {
  std::string name;
  Connection connection = Connection::kWye;
  int phases = 1;
  /// wye: phase conductors then the neutral (kGroundNode when grounded); delta: the phase conductors (a
  /// 1-phase delta load has two, between which it is connected).
  std::vector<int> nodes;
  int model = 1;                 ///< 1 constant PQ, 2 constant Z, 4 CVR, 5 constant |I|, 8 ZIP
  double cvr_watts = 1.0;        ///< model 4: P ~ |V|^cvr_watts
  double cvr_vars = 2.0;         ///< model 4: Q ~ |V|^cvr_vars
  std::array<double, 7> zipv{};  ///< model 8: Z, I, P fractions of P, then of Q, then the cut-off voltage
  double p_w = 0.0;              ///< per phase, consumption, at v_base_v
  double q_var = 0.0;
  double v_base_v = 0.0;  ///< voltage across one phase element at rated conditions
  double vminpu = 0.95;
  double vmaxpu = 1.05;
  double vlowpu = 0.50;
  int daily =
      -1;  ///< its daily load shape (OpenDSS "daily"): index into MultiphaseNetwork::load_shapes, or -1
};

/// An OpenDSS LoadShape: multipliers of an element's power at equal intervals, which OpenDSS's daily mode steps
/// through (point k at time k x interval, wrapping after the last point).
struct LoadShape {
  std::string name;           ///< lower case
  std::vector<double> mult;   ///< active-power multipliers, one per point
  std::vector<double> qmult;  ///< reactive-power multipliers; empty: mult applies to the reactive power too
  double interval_h = 1.0;    ///< hours between points
};

/// A 2- or 3-winding transformer (3-phase or 1-phase unit), in OpenDSS's model: short-circuit reactances
/// between winding pairs and winding resistances on winding 1's kVA, winding voltage bases from kV and
/// connection, an optional core branch on winding 2.
struct PhaseTransformer {
  std::string name;
  int phases = 3;
  int windings = 2;
  std::vector<Connection> connection{Connection::kWye, Connection::kWye};
  std::vector<double> kv{12.47, 12.47};  ///< rated kV as given (line-to-line for 2- and 3-phase units)
  std::vector<double> kva{1000.0, 1000.0};
  std::vector<double> r_pu{0.002, 0.002};  ///< winding resistances, pu on winding 1's kVA
  std::vector<double> x_pu{0.07};     ///< short-circuit reactances X12 (2 windings); X12, X13, X23 (3), pu
  std::vector<double> tap{1.0, 1.0};  ///< present taps, pu
  double min_tap = 0.9;
  double max_tap = 1.1;
  int num_taps = 32;
  double noload_pu = 0.0;       ///< core loss conductance, pu
  double magnetizing_pu = 0.0;  ///< magnetizing susceptance, pu
  double ppm_antifloat = 1.0;   ///< OpenDSS's tiny shunt on each winding conductor, parts per million
  bool hv_leads_lv = false;     ///< OpenDSS "leadlag=lead"; false is the ANSI default
  /// windings * (phases + 1) conductors: each winding's phase conductors and neutral, winding by winding.
  std::vector<int> nodes;
  int element = -1;  ///< its PrimitiveElement

  double tap_increment() const { return num_taps > 0 ? (max_tap - min_tap) / num_taps : 0.0; }
};

/// Builds the primitive admittance (siemens) of a transformer at the given taps (one per winding), in the
/// order of its `nodes`.
Eigen::MatrixXcd transformer_admittance(const PhaseTransformer& transformer, const std::vector<double>& taps);

/// RegulatorControl::pt_phase values besides a phase number: the highest or the lowest phase voltage.
inline constexpr int kPtPhaseMax = -2;
inline constexpr int kPtPhaseMin = -3;

/// A regulator control (OpenDSS RegControl) acting on one winding of a transformer. Voltages are on the PT
/// secondary; docs/algorithms/three-phase.md says how each setting enters the control.
struct RegulatorControl {
  std::string name;
  int transformer = -1;
  int winding = 1;      ///< 0-based winding whose voltage and current are measured
  int tap_winding = 1;  ///< 0-based winding whose tap moves (OpenDSS: the monitored winding unless set)
  double vreg = 120.0;  ///< volts
  double band = 3.0;    ///< volts, centred on vreg
  double pt_ratio = 60.0;
  double ct_primary_a = 300.0;
  double r_v = 0.0;           ///< line-drop compensator R, volts at rated CT current
  double x_v = 0.0;           ///< line-drop compensator X
  double ldc_z = 0.0;         ///< > 0: Beckwith-style compensation by |I| (volts), instead of R and X
  double delay_s = 15.0;      ///< time delay of the first tap change; orders the regulators' actions
  double tap_delay_s = 2.0;   ///< delay between tap changes (static mode: only the reverse-neutral return)
  bool inverse_time = false;  ///< delay_s scaled down by the voltage error (inverse-time characteristic)
  int max_tap_change = 16;    ///< per control action; 0 holds the tap
  int pt_phase = 1;           ///< 1-based phase of the winding measured, or kPtPhaseMax / kPtPhaseMin
  double vlimit = 0.0;        ///< > 0: tap down whenever the local PT voltage exceeds it
  /// >= 0: the regulated node (OpenDSS "bus"): its voltage to ground over remote_pt_ratio is controlled,
  /// without line-drop compensation; -1: the winding's own voltage.
  int regulated_node = -1;
  double remote_pt_ratio = 60.0;
  // Reverse power flow (OpenDSS reversible, cogen): after the power through the winding has reversed
  // beyond rev_threshold_kw, with a delay of rev_delay_s, control switches to the reverse settings.
  bool reversible = false;
  bool cogen = false;
  bool rev_neutral = false;  ///< in reverse: return the tap to neutral instead of regulating
  double rev_vreg = 120.0;
  double rev_band = 3.0;
  double rev_r_v = 0.0;
  double rev_x_v = 0.0;
  double rev_ldc_z = 0.0;
  double rev_threshold_kw = 100.0;
  double rev_delay_s = 60.0;
  bool enabled = true;
};

/// A shunt capacitor bank of one or more steps (OpenDSS Capacitor). Its PrimitiveElement holds the sum of the
/// admittances of the steps in service; a CapacitorControl switches them.
struct PhaseCapacitor {
  std::string name;  ///< lower case, as OpenDSS reports it
  int element = -1;  ///< its PrimitiveElement
  int phases = 3;
  Connection connection = Connection::kWye;
  std::vector<Eigen::MatrixXcd>
      step_y;               ///< each step's primitive admittance, siemens, over the element's nodes
  std::vector<int> states;  ///< per step: 1 in service, 0 out (as the file sets them)
  double total_kvar = 0.0;  ///< rated kvar of all steps
};

/// The primitive admittance of a capacitor with the given step states.
Eigen::MatrixXcd capacitor_admittance(const PhaseCapacitor& capacitor, const std::vector<int>& states);

enum class CapacitorControlType { kCurrent, kVoltage, kKvar, kPowerFactor };

/// CapacitorControl::pt_phase and ct_phase values besides a phase number (with kPtPhaseMax, kPtPhaseMin).
inline constexpr int kPhaseAverage = -1;

/// A capacitor control (OpenDSS CapControl) switching a capacitor's steps by a quantity measured at a
/// terminal of a network element; docs/algorithms/three-phase.md says how each setting enters the control.
struct CapacitorControl {
  std::string name;
  int capacitor = -1;  ///< index into MultiphaseNetwork::capacitors
  int element = -1;    ///< the monitored PrimitiveElement
  int terminal = 0;    ///< 0-based terminal of it
  CapacitorControlType type = CapacitorControlType::kCurrent;
  double pt_ratio = 60.0;
  double ct_ratio = 60.0;
  /// Switch on above (current, kvar) or below (voltage) on_setting, off below (current, kvar) or above
  /// (voltage) off_setting: amperes, volts (PT secondary), kvar. Power factor: on below pf_on, off above
  /// pf_off, on OpenDSS's 0..2 scale (leading power factors above 1).
  double on_setting = 300.0;
  double off_setting = 200.0;
  double pf_on = 0.95;
  double pf_off = 1.05;
  double on_delay_s = 15.0;
  double off_delay_s = 15.0;
  double dead_time_s = 300.0;  ///< an opened bank closes again only after this long
  bool voltage_override = false;
  double vmin = 115.0;  ///< volts: the override closes the bank below vmin and opens it above vmax
  double vmax = 126.0;
  int pt_phase = 1;  ///< 1-based conductor of the terminal, or kPhaseAverage, kPtPhaseMax, kPtPhaseMin
  int ct_phase = 1;
  double pct_min_kvar =
      50.0;  ///< power factor: close only when the reactive power exceeds this % of the bank
};

/// The unbalanced network. Built by a reader (opendss.hpp) or in code; used read-only by the solver.
struct MultiphaseNetwork {
  std::string name;
  double frequency_hz = 60.0;
  double base_mva = 100.0;  ///< power base of the mismatch test (OpenDSS's circuit basemva)
  std::vector<PhaseBus> buses;
  std::vector<PhaseNode> nodes;
  std::vector<PrimitiveElement> elements;
  std::vector<PhaseLoad> loads;
  std::vector<LoadShape> load_shapes;
  std::vector<PhaseTransformer> transformers;
  std::vector<RegulatorControl> regulators;
  std::vector<PhaseCapacitor> capacitors;
  std::vector<CapacitorControl> capacitor_controls;
  std::vector<int> source_nodes;     ///< nodes held at fixed voltages (the ideal source behind its impedance)
  Eigen::VectorXcd source_voltages;  ///< volts, parallel to source_nodes
  bool regulator_control = true;     ///< false: "Set controlmode=off" (regulator and capacitor controls)
  int max_control_iterations = 10;   ///< OpenDSS's MaxControlIter
  std::vector<double> voltage_bases_kv;  ///< "Set voltagebases", line-to-line kV

  int num_nodes() const { return static_cast<int>(nodes.size()); }
  int find_bus(std::string_view bus_name) const;
  /// Adds a bus if needed and returns its index.
  int add_bus(const std::string& bus_name);
  /// Adds conductor `number` to a bus if needed and returns its node index.
  int add_node(int bus, int number);
};

/// Line-to-neutral voltage base of a node in volts (its bus's base_kv_ll / sqrt 3), or 0 when its bus has no
/// voltage base.
double node_base_volts(const MultiphaseNetwork& network, int node);

}  // namespace vvc::grid
