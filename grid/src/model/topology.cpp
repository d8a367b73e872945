#include "vvc/grid/model/topology.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/connected_components.hpp>
#include <string>

#include "vvc/common/errors.hpp"

namespace vvc::grid {

namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                    boost::property<boost::edge_index_t, int>>;

/// Records, for each vertex reached by the BFS, its discovery order, parent, the joining branch and its
/// depth.
class TreeRecorder : public boost::default_bfs_visitor {
 public:
  explicit TreeRecorder(Topology& topology) : topology_(&topology) {}

  void discover_vertex(Graph::vertex_descriptor v, const Graph&) const {
    topology_->order.push_back(static_cast<int>(v));
  }
  void tree_edge(Graph::edge_descriptor e, const Graph& g) const {
    const int u = static_cast<int>(boost::source(e, g));
    const int v = static_cast<int>(boost::target(e, g));
    topology_->parent[static_cast<size_t>(v)] = u;
    topology_->parent_branch[static_cast<size_t>(v)] = boost::get(boost::edge_index, g, e);
    topology_->depth[static_cast<size_t>(v)] = topology_->depth[static_cast<size_t>(u)] + 1;
  }

 private:
  Topology* topology_;
};

}  // namespace

Topology build_topology(const Network& network, const std::string& source) {
  const int n = network.num_buses();
  Graph graph(static_cast<size_t>(n));
  int edges = 0;
  for (int k = 0; k < network.num_branches(); ++k) {
    const Branch& br = network.branches[static_cast<size_t>(k)];
    if (!br.in_service) continue;
    boost::add_edge(static_cast<size_t>(br.from), static_cast<size_t>(br.to), k, graph);
    ++edges;
  }

  std::vector<int> component(static_cast<size_t>(n));
  const int components = boost::connected_components(graph, component.data());
  if (components > 1) {
    const int slack_component = component[static_cast<size_t>(network.slack.bus)];
    std::string names;
    int count = 0;
    for (int i = 0; i < n; ++i) {
      if (component[static_cast<size_t>(i)] == slack_component) continue;
      if (count < 10) names += (count ? ", " : "") + network.buses[static_cast<size_t>(i)].name;
      ++count;
    }
    if (count > 10) names += ", ... (" + std::to_string(count) + " in all)";
    throw InputError(source + ": bus" + (count > 1 ? "es " : " ") + names + (count > 1 ? " have" : " has") +
                     " no path to the slack bus '" +
                     network.buses[static_cast<size_t>(network.slack.bus)].name + "' (island)");
  }

  Topology topology;
  topology.order.reserve(static_cast<size_t>(n));
  topology.parent.assign(static_cast<size_t>(n), -1);
  topology.parent_branch.assign(static_cast<size_t>(n), -1);
  topology.depth.assign(static_cast<size_t>(n), 0);
  boost::breadth_first_search(graph, static_cast<size_t>(network.slack.bus),
                              boost::visitor(TreeRecorder(topology)));
  topology.radial = (edges == n - 1);
  return topology;
}

Eigen::MatrixXd path_incidence(const Network& network, const Topology& topology) {
  VVC_ASSERT(topology.radial);
  const int n = network.num_buses();
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(network.num_branches(), n);
  // Parents come before children in BFS order, so a bus's path is its parent's path plus its own branch.
  for (size_t idx = 1; idx < topology.order.size(); ++idx) {
    const int bus = topology.order[idx];
    const int parent = topology.parent[static_cast<size_t>(bus)];
    a.col(bus) = a.col(parent);
    a(topology.parent_branch[static_cast<size_t>(bus)], bus) = 1.0;
  }
  return a;
}

}  // namespace vvc::grid
