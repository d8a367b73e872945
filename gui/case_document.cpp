#include "case_document.hpp"

#include <fstream>
#include <iterator>
#include <string>
#include <unordered_map>

#include "vvc/common/errors.hpp"
#include "vvc/grid/io/case_io.hpp"

namespace vvc::gui {

bool is_study_path(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return std::filesystem::exists(path / "study.json", ec);
  if (path.extension() != ".json" || !std::filesystem::is_regular_file(path, ec)) return false;
  std::ifstream in(path);
  if (!in) return false;
  // The format tag sits near the top of every vvc JSON file; reading a few kilobytes is enough to tell.
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  return head.find("\"vvc.study\"") != std::string::npos;
}

namespace {

std::vector<int> dss_nodes_of_points(const core::Study& study, const DssDocument& dss) {
  std::unordered_map<std::string, int> bus_index;
  const grid::MultiphaseNetwork& net = dss.network();
  for (size_t b = 0; b < net.buses.size(); ++b) bus_index.emplace(net.buses[b].name, static_cast<int>(b));
  std::vector<int> nodes;
  nodes.reserve(study.points.size());
  for (const core::VoltagePoint& p : study.points) {
    const auto it = bus_index.find(p.bus);
    nodes.push_back(it == bus_index.end() ? -1 : net.buses[static_cast<size_t>(it->second)].node_of(p.phase));
  }
  return nodes;
}

}  // namespace

CaseDocument open_document(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(path.string() + ": no such file or folder");
  CaseDocument doc;
  doc.path = path;
  if (is_opendss_path(path)) {
    doc.dss = std::make_shared<const DssDocument>(open_dss_document(path));
    return doc;
  }
  if (is_study_path(path)) {
    auto study = std::make_shared<core::Study>(core::read_study(path));
    if (study->three_phase()) {
      // The feeder diagram and tables show the script's own power flow (the study's inverters at q = 0); the
      // training plots and the diagram's live colours show the study's traces, the Day tab replays a day on it.
      doc.dss = std::make_shared<const DssDocument>(open_dss_document(study->network_file));
      doc.inverter_buses = study->inverter_buses();
      doc.dss_nodes = dss_nodes_of_points(*study, *doc.dss);
      doc.study = std::move(study);
      return doc;
    }
    doc.network = study->network;
    doc.inverter_buses = study->inverter_buses();
    doc.study = std::move(study);
  } else {
    doc.network = grid::read_case(path);
    for (const auto& g : doc.network.generators) doc.inverter_buses.push_back(g.bus);
  }
  doc.topology = grid::build_topology(doc.network, path.string());
  grid::PowerFlowWorkspace workspace(doc.network);
  doc.flow =
      grid::solve(doc.network, grid::nominal_injections(doc.network), grid::PowerFlowOptions{}, workspace);
  return doc;
}

}  // namespace vvc::gui
