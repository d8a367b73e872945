#include "vvc/grid/powerflow/lindistflow.hpp"

#include <gtest/gtest.h>

#include "support/test_networks.hpp"
#include "vvc/grid/powerflow/balanced.hpp"
#include "vvc/grid/synthetic/radial.hpp"

namespace vvc::grid {
namespace {

// At the no-load flat profile the exact AC sensitivity d|V_i|^2/dq_k equals 2 X_ik (and 2 R_ik for p):
// LinDistFlow is exact there. Central differences of the nonlinear power flow check the shared-path matrices.
TEST(LinDistFlow, MatchesCentralDifferencesOfAcPowerFlowAtNoLoad) {
  Network net = make_radial_feeder(40);
  net.loads.clear();
  const std::vector<int> observed = {3, 17, 25, 39};
  const std::vector<int> controlled = {5, 17, 30};
  const auto sens = lindistflow_sensitivity(net, observed, controlled);
  PowerFlowWorkspace ws(net);
  PowerFlowOptions opt;
  opt.tolerance = 1e-13;
  const double h = 1e-4;  // MW / MVar
  for (size_t k = 0; k < controlled.size(); ++k) {
    for (int reactive = 0; reactive < 2; ++reactive) {
      Injections plus(net.num_buses()), minus(net.num_buses());
      const std::complex<double> d =
          reactive ? std::complex<double>(0, h / net.base_mva) : std::complex<double>(h / net.base_mva, 0);
      plus.s_const[controlled[k]] = d;
      minus.s_const[controlled[k]] = -d;
      const Eigen::VectorXd vp = solve(net, plus, opt, ws).vm;
      const Eigen::VectorXd vm = solve(net, minus, opt, ws).vm;
      for (size_t i = 0; i < observed.size(); ++i) {
        const int b = observed[i];
        const double fd = (vp[b] * vp[b] - vm[b] * vm[b]) / (2 * h);
        const double analytic = reactive
                                    ? sens.dv2_dq(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k))
                                    : sens.dv2_dp(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k));
        EXPECT_NEAR(fd, analytic, 1e-8 + 1e-6 * std::abs(analytic)) << "bus " << b << " control " << k;
      }
    }
  }
}

TEST(LinDistFlow, PredictionIsCloseToAcPowerFlowAtLightLoad) {
  Network net = make_radial_feeder(100);
  for (auto& load : net.loads) load.p_mw *= 0.1, load.q_mvar *= 0.1;
  const auto inj = nominal_injections(net);
  PowerFlowWorkspace ws(net);
  const Eigen::VectorXd vm = solve(net, inj, PowerFlowOptions{}, ws).vm;
  const Eigen::VectorXd v2 = lindistflow_v2(net, inj.s_const);
  // LinDistFlow drops the losses, so it is close but not equal: the error is second order in the flows.
  EXPECT_LE((v2 - vm.cwiseProduct(vm)).cwiseAbs().maxCoeff(), 1e-5);
  EXPECT_GT((v2 - vm.cwiseProduct(vm)).cwiseAbs().maxCoeff(), 0.0);
}

}  // namespace
}  // namespace vvc::grid
