#include "dss_document.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"

namespace vvc::gui {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

/// The coordinates file beside a script: the first, in name order, whose name mentions bus coordinates.
std::optional<std::filesystem::path> find_coordinates_file(const std::filesystem::path& script) {
  std::vector<std::filesystem::path> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(script.parent_path(), ec)) {
    if (!entry.is_regular_file(ec)) continue;
    const std::string name = lower(entry.path().filename().string());
    const std::string ext = lower(entry.path().extension().string());
    const bool named = name.find("buscoords") != std::string::npos || name.find("busxy") != std::string::npos;
    if (named && (ext == ".dat" || ext == ".csv" || ext == ".txt")) found.push_back(entry.path());
  }
  if (found.empty()) return std::nullopt;
  std::sort(found.begin(), found.end());
  return found.front();
}

/// Lines "bus x y" (commas, tabs or blanks between); blank lines and "!" comments are skipped.
std::map<std::string, std::array<double, 2>> read_coordinates(const std::filesystem::path& path) {
  std::ifstream in = open_input_file(path);
  std::map<std::string, std::array<double, 2>> coords;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    line = line.substr(0, line.find('!'));
    std::replace_if(
        line.begin(), line.end(), [](char c) { return c == ',' || c == '\t' || c == '\r'; }, ' ');
    std::istringstream fields(line);
    std::string name;
    double x = 0.0, y = 0.0;
    if (!(fields >> name)) continue;
    if (!(fields >> x >> y)) throw InputError::at_line(path.string(), number, "expected 'bus, x, y'");
    coords[lower(name)] = {x, y};
  }
  return coords;
}

}  // namespace

bool is_opendss_path(const std::filesystem::path& path) { return lower(path.extension().string()) == ".dss"; }

std::string phase_name(int number) {
  if (number >= 1 && number <= 3) return std::string(1, static_cast<char>('a' + number - 1));
  return std::to_string(number);
}

double DssDocument::vm_pu(int node) const {
  const double base = grid::node_base_volts(dss.network, node);
  if (base <= 0.0 || node >= flow.v.size()) return std::numeric_limits<double>::quiet_NaN();
  return std::abs(flow.v[node]) / base;
}

const char* to_string(PhaseView view) {
  switch (view) {
    case PhaseView::kWorst:
      return "worst phase (farthest from 1 pu)";
    case PhaseView::kLowest:
      return "lowest phase";
    case PhaseView::kHighest:
      return "highest phase";
    case PhaseView::kA:
      return "phase a";
    case PhaseView::kB:
      return "phase b";
    case PhaseView::kC:
      return "phase c";
  }
  return "";
}

double pick_phase_vm(const grid::PhaseBus& b, PhaseView view, const std::function<double(int)>& vm_of_node) {
  if (view == PhaseView::kA || view == PhaseView::kB || view == PhaseView::kC) {
    const int node = b.node_of(view == PhaseView::kA ? 1 : view == PhaseView::kB ? 2 : 3);
    return node >= 0 ? vm_of_node(node) : std::numeric_limits<double>::quiet_NaN();
  }
  double picked = std::numeric_limits<double>::quiet_NaN();
  for (int node : b.nodes) {
    const double vm = vm_of_node(node);
    if (!std::isfinite(vm)) continue;
    const bool better = view == PhaseView::kLowest    ? !(vm >= picked)
                        : view == PhaseView::kHighest ? !(vm <= picked)
                                                      : !(std::abs(vm - 1.0) <= std::abs(picked - 1.0));
    if (better) picked = vm;
  }
  return picked;
}

double DssDocument::bus_vm_pu(int bus, PhaseView view) const {
  return pick_phase_vm(dss.network.buses[static_cast<size_t>(bus)], view,
                       [this](int node) { return vm_pu(node); });
}

DssDocument open_dss_document(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(path.string() + ": no such file or folder");
  DssDocument doc;
  doc.dss = grid::read_opendss(path);
  grid::MultiphaseNetwork& net = doc.dss.network;

  const bool script_coords =
      std::any_of(net.buses.begin(), net.buses.end(), [](const auto& b) { return b.xy; });
  if (script_coords) {
    doc.coordinates_source = "script";
  } else if (const auto file = find_coordinates_file(path)) {
    const auto coords = read_coordinates(*file);
    for (grid::PhaseBus& bus : net.buses) {
      const auto it = coords.find(bus.name);
      if (it != coords.end()) bus.xy = it->second;
    }
    if (std::any_of(net.buses.begin(), net.buses.end(), [](const auto& b) { return b.xy; }))
      doc.coordinates_source = file->filename().string();
  }

  std::vector<DssEdgeKind> element_kind(net.elements.size(), DssEdgeKind::kLine);
  for (size_t i = 0; i < net.elements.size(); ++i) {
    if (net.elements[i].kind == grid::ElementKind::kSwitch) element_kind[i] = DssEdgeKind::kSwitch;
  }
  for (const grid::PhaseTransformer& t : net.transformers) {
    element_kind[static_cast<size_t>(t.element)] = DssEdgeKind::kTransformer;
  }
  for (const grid::RegulatorControl& r : net.regulators) {
    const int element = net.transformers[static_cast<size_t>(r.transformer)].element;
    element_kind[static_cast<size_t>(element)] = DssEdgeKind::kRegulator;
  }
  std::map<std::array<int, 2>, size_t> edge_of_pair;
  for (size_t i = 0; i < net.elements.size(); ++i) {
    const grid::PrimitiveElement& e = net.elements[i];
    if (e.terminals < 2) continue;
    std::vector<int> buses;  // the first bus of each terminal
    for (int t = 0; t < e.terminals; ++t) {
      for (int c = 0; c < e.conductors; ++c) {
        const int node = e.nodes[static_cast<size_t>(t * e.conductors + c)];
        // Ground, and the source's internal nodes (no bus), are not diagram buses.
        if (node == grid::kGroundNode || net.nodes[static_cast<size_t>(node)].bus < 0) continue;
        buses.push_back(net.nodes[static_cast<size_t>(node)].bus);
        break;
      }
    }
    if (e.kind == grid::ElementKind::kSourceImpedance && !buses.empty()) {
      if (std::find(doc.source_buses.begin(), doc.source_buses.end(), buses[0]) == doc.source_buses.end())
        doc.source_buses.push_back(buses[0]);
    }
    for (size_t k = 1; k < buses.size(); ++k) {
      const std::array<int, 2> pair{std::min(buses[0], buses[k]), std::max(buses[0], buses[k])};
      if (pair[0] == pair[1]) continue;
      const auto [it, added] = edge_of_pair.emplace(pair, doc.edges.size());
      if (added) {
        doc.edges.push_back({pair[0], pair[1], element_kind[i]});
      } else {
        DssEdge& edge = doc.edges[it->second];
        edge.kind = std::max(edge.kind, element_kind[i]);
      }
    }
  }

  grid::ThreePhaseWorkspace workspace(net);
  doc.flow = grid::solve(net, grid::ThreePhaseOptions{}, workspace);
  return doc;
}

}  // namespace vvc::gui
