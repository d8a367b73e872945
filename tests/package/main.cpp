// Reads the IEEE 13-bus benchmark case and its study from the installed case data, solves the base-case power
// flow and prints the lowest bus voltage (pandapower's answer: 0.900402 pu at bus 675) and the inverter count.
#include <Eigen/Core>
#include <cstdio>
#include <filesystem>
#include <string_view>

#include "vvc/core/env/study.hpp"
#include "vvc/grid/io/case_io.hpp"
#include "vvc/grid/powerflow/balanced.hpp"

int main() {
  const std::filesystem::path ieee13 = std::filesystem::path(VVC_CASES_DIR) / "ieee13_tasrl";
  const vvc::grid::Network network = vvc::grid::read_case(ieee13);
  vvc::grid::PowerFlowWorkspace workspace(network);
  const vvc::grid::PowerFlowResult& result =
      vvc::grid::solve(network, vvc::grid::nominal_injections(network), {}, workspace);
  if (!result.converged()) {
    const std::string_view status = vvc::grid::to_string(result.status);
    std::printf("%s: power flow %.*s\n", network.name.c_str(), static_cast<int>(status.size()),
                status.data());
    return 1;
  }
  Eigen::Index lowest = 0;
  const double vmin = result.vm.minCoeff(&lowest);
  const vvc::core::Study study = vvc::core::read_study(ieee13);
  std::printf("%s: %d buses, min |V| = %.4f pu at bus %s, %d inverters\n", network.name.c_str(),
              network.num_buses(), vmin, network.buses[static_cast<size_t>(lowest)].name.c_str(),
              study.num_inverters());
  return 0;
}
