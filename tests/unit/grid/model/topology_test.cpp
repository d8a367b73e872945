#include "vvc/grid/model/topology.hpp"

#include <gtest/gtest.h>

#include "support/test_networks.hpp"
#include "vvc/common/errors.hpp"

namespace vvc::grid {
namespace {

using testing::add_line;
using testing::make_buses;

TEST(Topology, BreadthFirstOrderParentsAndDepth) {
  Network net = make_buses(5);
  add_line(net, 0, 1, 0.1, 0.1);
  add_line(net, 1, 2, 0.1, 0.1);
  add_line(net, 0, 3, 0.1, 0.1);
  add_line(net, 3, 4, 0.1, 0.1);
  const Topology t = build_topology(net);
  EXPECT_TRUE(t.radial);
  ASSERT_EQ(t.order.size(), 5u);
  EXPECT_EQ(t.order[0], 0);
  EXPECT_EQ(t.parent[2], 1);
  EXPECT_EQ(t.parent_branch[4], 3);
  EXPECT_EQ(t.depth[4], 2);
  // Parents always precede their children.
  std::vector<int> position(5);
  for (int p = 0; p < 5; ++p) position[static_cast<size_t>(t.order[static_cast<size_t>(p)])] = p;
  for (int b = 1; b < 5; ++b)
    EXPECT_LT(position[static_cast<size_t>(t.parent[static_cast<size_t>(b)])],
              position[static_cast<size_t>(b)]);
}

TEST(Topology, LoopMakesTheNetworkMeshed) {
  Network net = make_buses(3);
  add_line(net, 0, 1, 0.1, 0.1);
  add_line(net, 1, 2, 0.1, 0.1);
  add_line(net, 2, 0, 0.1, 0.1);
  EXPECT_FALSE(build_topology(net).radial);
  net.branches[2].in_service = false;  // opening the loop makes it radial again
  EXPECT_TRUE(build_topology(net).radial);
}

TEST(Topology, IslandIsAnErrorNamingTheBuses) {
  Network net = make_buses(4);
  add_line(net, 0, 1, 0.1, 0.1);
  add_line(net, 2, 3, 0.1, 0.1);
  try {
    build_topology(net, "island.json");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("island.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("b2, b3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("slack"), std::string::npos) << msg;
  }
}

TEST(Topology, PathIncidenceGivesSharedPathImpedance) {
  Network net = make_buses(4);
  add_line(net, 0, 1, 0.1, 1.0);
  add_line(net, 1, 2, 0.2, 2.0);
  add_line(net, 1, 3, 0.3, 3.0);
  const Topology t = build_topology(net);
  const Eigen::MatrixXd a = path_incidence(net, t);
  Eigen::VectorXd x(3);
  x << 1.0, 2.0, 3.0;
  const Eigen::MatrixXd shared = a.transpose() * x.asDiagonal() * a;
  EXPECT_DOUBLE_EQ(shared(2, 3), 1.0);  // buses 2 and 3 share only the first line
  EXPECT_DOUBLE_EQ(shared(2, 2), 3.0);
  EXPECT_DOUBLE_EQ(shared(3, 3), 4.0);
  EXPECT_DOUBLE_EQ(shared(0, 3), 0.0);
}

}  // namespace
}  // namespace vvc::grid
