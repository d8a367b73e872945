// What the application has open: a network (from a vvc JSON case, a MATPOWER .m file, or a study), its power
// flow at the file's nominal injections, and the study when one was opened; or an OpenDSS feeder
// (dss_document.hpp), which leaves the balanced network empty, alone or as the network of a three-phase study. Plain C++ (no Qt), so that the
// loading rules are the command line's: bad input throws vvc::InputError naming the file and line or field.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "dss_document.hpp"
#include "vvc/core/env/study.hpp"
#include "vvc/grid/model/network.hpp"
#include "vvc/grid/model/topology.hpp"
#include "vvc/grid/powerflow/balanced.hpp"

namespace vvc::gui {

struct CaseDocument {
  std::filesystem::path path;                ///< what the user opened
  std::shared_ptr<const core::Study> study;  ///< null when a plain case was opened
  grid::Network network;
  grid::Topology topology;
  grid::PowerFlowResult flow;  ///< at the nominal injections of the case's loads and generators
  /// The study's inverters (buses of the balanced network, or of the three-phase one), else every generator's
  /// bus.
  std::vector<int> inverter_buses;
  /// The unbalanced feeder when an OpenDSS script or a three-phase study was opened (then network is empty);
  /// else null. For viewing the feeder and its power flow, and the Day tab's replay of a three-phase study.
  std::shared_ptr<const DssDocument> dss;
  /// A three-phase study: the node of dss's network at each of the study's points (by bus name and phase, -1
  /// where the script's network lacks it), to colour the diagram from the study's traces.
  std::vector<int> dss_nodes;
};

/// True when `path` is a study: a folder holding study.json, or a JSON file whose format is "vvc.study".
bool is_study_path(const std::filesystem::path& path);

/// Opens a case, a study or an OpenDSS script and solves its power flow. Throws InputError for bad input; a
/// power flow that does not converge is not an error (flow.status tells).
CaseDocument open_document(const std::filesystem::path& path);

}  // namespace vvc::gui
