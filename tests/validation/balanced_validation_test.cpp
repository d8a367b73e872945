// Data-driven validation of the balanced power flow: every folder under cases/ with a balanced case
// (case.json or a MATPOWER .m) and a tolerances.json naming a bus-voltage reference (columns ieee_node,
// vm_pu, va_degree, and the slack's p_mw, q_mvar as consumption) is one test instance. References come from
// independent tools (for ieee13_tasrl: pandapower's backward/forward sweep), never from vvc's own output.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "vvc/common/units.hpp"
#include "vvc/grid/io/case_io.hpp"
#include "vvc/grid/powerflow/balanced.hpp"

namespace vvc::grid {
namespace {

namespace fs = std::filesystem;

struct ReferenceRow {
  double vm = 0.0, va_deg = 0.0, p_mw = 0.0, q_mvar = 0.0;
};

std::vector<std::string> balanced_cases() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(fs::path(VVC_SOURCE_DIR) / "cases")) {
    const fs::path tol = entry.path() / "tolerances.json";
    if (!fs::exists(tol)) continue;
    std::ifstream in(tol);
    const auto j = nlohmann::json::parse(in);
    if (j.contains("vm_pu") && j.contains("reference") && fs::exists(entry.path() / "case.json")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::map<std::string, ReferenceRow> read_reference(const fs::path& csv) {
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  std::stringstream hs(line);
  for (std::string c; std::getline(hs, c, ',');) header.push_back(c);
  auto col = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    EXPECT_NE(it, header.end()) << "column " << name << " missing in " << csv;
    return static_cast<size_t>(it - header.begin());
  };
  const size_t bus = col("ieee_node"), vm = col("vm_pu"), va = col("va_degree"), p = col("p_mw"),
               q = col("q_mvar");
  std::map<std::string, ReferenceRow> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ls(line);
    for (std::string c; std::getline(ls, c, ',');) cells.push_back(c);
    if (cells.size() < header.size()) continue;
    rows[cells[bus]] = {std::stod(cells[vm]), std::stod(cells[va]), std::stod(cells[p]), std::stod(cells[q])};
  }
  return rows;
}

class BalancedValidation : public ::testing::TestWithParam<std::string> {};

TEST_P(BalancedValidation, MatchesIndependentReference) {
  const fs::path folder = fs::path(VVC_SOURCE_DIR) / "cases" / GetParam();
  std::ifstream tin(folder / "tolerances.json");
  const auto tol = nlohmann::json::parse(tin);
  const double vm_tol = tol["vm_pu"].get<double>();
  // Angles are printed to 6 decimals of a degree, like the magnitudes; 1e-5 degree is the matching tolerance.
  const double va_tol_deg = 1e-5;
  const auto reference = read_reference(folder / tol["reference"].get<std::string>());
  std::vector<fs::path> inputs = {folder / "case.json"};
  for (const auto& e : fs::directory_iterator(folder)) {
    if (e.path().extension() == ".m") inputs.push_back(e.path());
  }
  for (const auto& input : inputs) {
    const Network net = read_case(input);
    ASSERT_EQ(reference.size(), static_cast<size_t>(net.num_buses())) << input;
    Eigen::VectorXcd sweep_v;
    for (auto algorithm : {PowerFlowAlgorithm::kSweep, PowerFlowAlgorithm::kNewtonRaphson}) {
      PowerFlowWorkspace ws(net);
      PowerFlowOptions opt;
      opt.algorithm = algorithm;
      opt.tolerance = 1e-12;
      const auto& res = solve(net, nominal_injections(net), opt, ws);
      ASSERT_TRUE(res.converged()) << input << " " << to_string(algorithm);
      for (int b = 0; b < net.num_buses(); ++b) {
        const std::string& name = net.buses[static_cast<size_t>(b)].name;
        const auto it = reference.find(name);
        ASSERT_NE(it, reference.end()) << "bus " << name;
        EXPECT_NEAR(res.vm[b], it->second.vm, vm_tol) << input << " bus " << name;
        EXPECT_NEAR(rad_to_deg(res.va[b]), it->second.va_deg, va_tol_deg) << input << " bus " << name;
      }
      const auto slack = reference.at(net.buses[static_cast<size_t>(net.slack.bus)].name);
      EXPECT_NEAR(res.slack_power.real() * net.base_mva, -slack.p_mw, 1e-6);
      EXPECT_NEAR(res.slack_power.imag() * net.base_mva, -slack.q_mvar, 1e-6);
      if (algorithm == PowerFlowAlgorithm::kSweep) {
        sweep_v = res.v;
      } else {
        EXPECT_LE((res.v - sweep_v).cwiseAbs().maxCoeff(), 1e-9) << "sweep and Newton-Raphson disagree";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, BalancedValidation, ::testing::ValuesIn(balanced_cases()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace vvc::grid
