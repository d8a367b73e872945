// The balanced (single-phase equivalent, positive-sequence) network model.
//
// A Network is plain data, built once by a reader (case_io.hpp) or in code, checked by validate(), and then
// used read-only by every solver. Quantities are per unit on base_mva and each bus's base_kv (units.hpp).
// The unbalanced phase-frame model lives in multiphase_network.hpp; both share the bus and element naming and
// the power-flow status and options.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vvc::grid {

/// The most buses a case may hold, and the most elements of each kind (lines and switches, loads, generators;
/// the elements of an OpenDSS script), so that reading any case takes bounded time and memory.
inline constexpr int kMaxCaseElements = 1000000;

struct Bus {
  std::string name;
  double base_kv = 1.0;   ///< line-to-line base voltage, kV
  double vmin_pu = 0.95;  ///< operating band, used by controllers and reports
  double vmax_pu = 1.05;
  std::optional<std::array<double, 2>> xy;  ///< drawing coordinates, if the case has them
};

/// A line (pi model) or a switch between two buses. Switches are branches with a (tiny) series impedance,
/// so that every solver treats them alike; an open switch or an out-of-service line is left out of the
/// admittance matrix.
struct Branch {
  std::string name;
  int from = -1;
  int to = -1;
  double r_pu = 0.0;
  double x_pu = 0.0;
  double b_pu = 0.0;  ///< total line charging susceptance, split half at each end
  bool is_switch = false;
  bool in_service = true;  ///< false: open switch or line out of service
};

/// Load models. A ZIP load's power is S = S0 * (z * |V|^2 + i * |V| + p), with z + i + p = 1 for P and for
/// Q separately.
enum class LoadModel { kConstantPower, kConstantCurrent, kConstantImpedance, kZip };

struct Load {
  std::string name;
  int bus = -1;
  double p_mw = 0.0;    ///< consumption at 1 pu voltage (positive = consumed)
  double q_mvar = 0.0;  ///< consumption at 1 pu voltage (positive = consumed, inductive)
  LoadModel model = LoadModel::kConstantPower;
  std::array<double, 3> zip_p{0.0, 0.0, 1.0};  ///< (z, i, p) fractions of P, used when model == kZip
  std::array<double, 3> zip_q{0.0, 0.0, 1.0};  ///< (z, i, p) fractions of Q, used when model == kZip
};

/// A generator or inverter: constant P and Q setpoints (an injection), with the reactive limits that
/// controllers respect.
struct Generator {
  std::string name;
  int bus = -1;
  double p_mw = 0.0;    ///< injection (positive = produced)
  double q_mvar = 0.0;  ///< injection (positive = produced, capacitive)
  double q_min_mvar = -1e30;
  double q_max_mvar = 1e30;
  std::optional<double> s_max_mva;  ///< apparent-power rating, if any
};

struct Slack {
  int bus = -1;
  double vm_pu = 1.0;
  double va_rad = 0.0;
};

struct Network {
  std::string name;
  double base_mva = 1.0;
  std::vector<Bus> buses;
  std::vector<Branch> branches;
  std::vector<Load> loads;
  std::vector<Generator> generators;
  Slack slack;

  int num_buses() const { return static_cast<int>(buses.size()); }
  int num_branches() const { return static_cast<int>(branches.size()); }

  /// Index of the bus with this name, or -1.
  int find_bus(std::string_view bus_name) const;
  /// Index of the generator with this name, or -1.
  int find_generator(std::string_view generator_name) const;
  /// Impedance base (ohm) at a bus.
  double z_base_ohm(int bus) const;
};

/// Bus indices by name, for code that looks up many buses (Network::find_bus searches linearly).
std::unordered_map<std::string, int> bus_indices(const Network& network);

/// Checks the invariants every solver relies on: at most kMaxCaseElements buses and elements of each kind,
/// indices in range, finite non-negative impedances, unique bus names, a slack bus, positive bases, ZIP
/// fractions summing to one. Throws InputError naming `source` and the element.
void validate(const Network& network, const std::string& source);

}  // namespace vvc::grid
