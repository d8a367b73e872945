// An OpenDSS feeder opened in the GUI: the script read by grid::read_opendss, its unbalanced three-phase
// power flow, and the bus coordinates of the one-line diagram. Plain C++ (no Qt), like case_document.hpp: bad
// input throws vvc::InputError naming the file and line; a power flow that does not converge is flow.status.
#pragma once

#include <array>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "vvc/grid/io/opendss.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"

namespace vvc::gui {

/// Voltage band the diagram colours buses against (pu of each bus's line-to-neutral base).
inline constexpr double kDssVmin = 0.95;
inline constexpr double kDssVmax = 1.05;

/// What joins two buses on the diagram; the strongest kind of the elements between them (in this order).
enum class DssEdgeKind { kLine, kSwitch, kTransformer, kRegulator };

struct DssEdge {
  int from = -1;
  int to = -1;
  DssEdgeKind kind = DssEdgeKind::kLine;
};

/// Which of a bus's phase voltages the diagram colours it by: the one farthest from 1 pu, the lowest, the
/// highest, or phase a, b or c (conductor 1, 2, 3).
enum class PhaseView { kWorst, kLowest, kHighest, kA, kB, kC };

/// Menu text of each PhaseView, in enum order.
const char* to_string(PhaseView view);

struct DssDocument {
  grid::OpenDssCase dss;
  grid::ThreePhaseResult flow;
  /// Where the bus coordinates came from: the script's BusCoords command ("script"), a coordinates file found
  /// beside the script (its file name), or empty when the diagram is laid out from the topology.
  std::string coordinates_source;
  /// Bus pairs joined by elements with two or more terminals (lines, switches, transformers), one edge per
  /// pair (parallel single-phase regulators share one), without self-loops.
  std::vector<DssEdge> edges;
  std::vector<int> source_buses;  ///< buses the Vsource connects to (behind its impedance)

  const grid::MultiphaseNetwork& network() const { return dss.network; }
  /// |V| of a node in pu of its bus base, or NaN when the bus has no voltage base.
  double vm_pu(int node) const;
  /// The phase |V| (pu) of a bus that `view` picks; NaN when the bus has no such phase or none has a base.
  double bus_vm_pu(int bus, PhaseView view) const;
};

/// The phase |V| of `bus` that `view` picks, the node voltages given by `vm_of_node` (pu, NaN where unknown);
/// NaN when the bus has no such phase or no phase has a value.
double pick_phase_vm(const grid::PhaseBus& bus, PhaseView view, const std::function<double(int)>& vm_of_node);

/// True for an OpenDSS script (extension .dss, any case).
bool is_opendss_path(const std::filesystem::path& path);

/// "a", "b", "c" for conductors 1 to 3, else the number.
std::string phase_name(int number);

/// Reads the script, fills missing bus coordinates from a coordinates file beside it (BusCoords.dat,
/// *BusXY*.csv, *BusCoords*.*: lines "bus x y", separated by commas or blanks) when the script gave none, and
/// solves the power flow with the taps, capacitor states and controls the script asks for.
DssDocument open_dss_document(const std::filesystem::path& path);

}  // namespace vvc::gui
