// Connectivity, radiality and breadth-first ordering from the slack bus (Boost.Graph), and the shared-path
// matrices of radial feeders used by LinDistFlow.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "vvc/grid/model/network.hpp"

namespace vvc::grid {

struct Topology {
  bool radial = false;             ///< connected and (in-service branches) == (buses - 1)
  std::vector<int> order;          ///< breadth-first order from the slack; order[0] == slack
  std::vector<int> parent;         ///< parent bus in the BFS tree (-1 for the slack)
  std::vector<int> parent_branch;  ///< branch joining a bus to its parent (-1 for the slack)
  std::vector<int> depth;          ///< hops from the slack
};

/// Builds the topology of the in-service branches. Throws InputError naming the unreachable buses (islands or
/// buses without a path to the slack); `source` names the case in that message.
Topology build_topology(const Network& network, const std::string& source = "network");

/// Path incidence of a radial network: entry (k, i) is 1 when branch k lies on the path from the slack to bus
/// i. Shared-path resistance R = A' diag(r) A and reactance X = A' diag(x) A between any two buses follow
/// from it. Precondition: topology.radial.
Eigen::MatrixXd path_incidence(const Network& network, const Topology& topology);

}  // namespace vvc::grid
