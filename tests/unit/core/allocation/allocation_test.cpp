// Checks that a warm DenseQpWorkspace solves without heap allocation. Eigen allocates with malloc, not
// operator new, so the test executable is linked with -Wl,--wrap=malloc (vvc_core is a static library, so its
// calls are redirected too) and also replaces operator new; both count while `counting` is set. The
// replacement operator delete frees with std::free, which matches the replacement operator new (std::malloc);
// GCC cannot see that pairing when it inlines them into new-expressions and would warn.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <random>

#include "support/random_qp.hpp"
#include "vvc/core/baselines/ddpg.hpp"
#include "vvc/core/diffop/policy.hpp"
#include "vvc/core/env/day.hpp"
#include "vvc/core/env/environment.hpp"
#include "vvc/core/experiment/experiment.hpp"
#include "vvc/core/qp/dense_qp.hpp"
#include "vvc/core/qp/kkt_sensitivity.hpp"
#include "vvc/grid/io/opendss.hpp"
#include "vvc/grid/powerflow/balanced.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"
#include "vvc/grid/synthetic/radial.hpp"

namespace {
std::atomic<bool> counting{false};
std::atomic<long> allocations{0};
}  // namespace

extern "C" {
void* __real_malloc(std::size_t size);   // NOLINT(bugprone-reserved-identifier)
void* __wrap_malloc(std::size_t size) {  // NOLINT(bugprone-reserved-identifier)
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  return __real_malloc(size);
}
}

void* operator new(std::size_t size) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// std::stable_sort's buffer comes from the nothrow form and goes back through the sized delete above: replaced too,
// or a sanitizer's own nothrow new would pair with std::free (AddressSanitizer: alloc-dealloc-mismatch).
void* operator new(std::size_t size, const std::nothrow_t& /*tag*/) noexcept {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t /*size*/) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t& /*tag*/) noexcept { std::free(p); }

namespace vvc::core {
namespace {

long count_allocations(const QpProblem& p, const DenseQpOptions& options, DenseQpWorkspace& ws,
                       QpSolution& s) {
  allocations = 0;
  counting = true;
  solve(p, options, ws, s);
  counting = false;
  return allocations.load();
}

TEST(DenseQpAllocation, WarmWorkspaceSolvesWithoutAllocating) {
  std::mt19937_64 rng(21);
  for (const auto& [n, m] : {std::pair{3, 26}, std::pair{30, 260}}) {
    testing::RandomQpSpec spec;
    spec.n = n;
    spec.m = m;
    QpProblem p = testing::random_qp(rng, spec);
    DenseQpWorkspace ws;
    QpSolution s;
    DenseQpOptions options;
    options.warm_start = true;
    // The first solve sizes the workspace and the solution: the counter must see it.
    EXPECT_GT(count_allocations(p, options, ws, s), 0);
    ASSERT_TRUE(s.optimal());
    for (int step = 0; step < 10; ++step) {
      p.c += testing::random_vector(rng, n, 0.1);
      p.upper.array() += 0.01;
      EXPECT_EQ(count_allocations(p, options, ws, s), 0) << "n = " << n << ", step " << step;
      ASSERT_TRUE(s.optimal());
    }
    p.P(0, 0) += 1.0;  // a new P is refactorized in place
    EXPECT_EQ(count_allocations(p, options, ws, s), 0);
  }
}

// The power flow and the environment step are allocation-free once their workspaces are warm (issue targets:
// "no allocation per solve", "no heap allocation per step").
TEST(PowerFlowAllocation, WarmSolvesDoNotAllocate) {
  const grid::Network net = grid::make_radial_feeder(200);
  const grid::Injections base = grid::nominal_injections(net);
  grid::Injections other = base;
  other.s_const *= 1.1;
  for (auto algorithm : {grid::PowerFlowAlgorithm::kSweep, grid::PowerFlowAlgorithm::kNewtonRaphson}) {
    grid::PowerFlowWorkspace ws(net);
    grid::PowerFlowOptions options;
    options.algorithm = algorithm;
    grid::solve(net, base, options, ws);
    grid::solve(net, other, options, ws);
    allocations = 0;
    counting = true;
    const bool converged = grid::solve(net, base, options, ws).converged();
    counting = false;
    EXPECT_TRUE(converged);
    EXPECT_EQ(allocations.load(), 0) << grid::to_string(algorithm);
  }
}

// The three-phase power flow once warm, by either algorithm: solves with fixed taps whose element injections
// or load scale changed in between, and the voltage sensitivities after their first call.
TEST(ThreePhaseAllocation, WarmSolvesInjectionChangesAndSensitivitiesDoNotAllocate) {
  const grid::MultiphaseNetwork net =
      grid::read_opendss(std::string(VVC_SOURCE_DIR) + "/cases/ieee13/IEEE13Nodeckt.dss").network;
  const int element = grid::find_power_element(net, "Load.675a");
  ASSERT_GE(element, 0);
  const std::vector<int> elements = {element, 0};
  const grid::PhaseBus& bus = net.buses[static_cast<size_t>(net.find_bus("675"))];
  const std::vector<int> nodes(bus.nodes.begin(), bus.nodes.end());
  for (auto algorithm : {grid::ThreePhaseAlgorithm::kNewton, grid::ThreePhaseAlgorithm::kFixedPoint}) {
    grid::ThreePhaseWorkspace ws(net);
    grid::ThreePhaseOptions options;
    options.algorithm = algorithm;
    grid::solve(net, options, ws);
    options.taps = grid::TapMode::kFixed;
    grid::VoltageSensitivities sensitivities;
    grid::voltage_sensitivities(net, ws, elements, nodes, sensitivities);
    ws.set_load_scale(1.05);
    grid::solve(net, options, ws);
    allocations = 0;
    counting = true;
    ws.set_injection(element, Complex(0.1, 0.05));
    bool converged = grid::solve(net, options, ws).converged();
    ws.set_load_scale(1.0);
    converged = converged && grid::solve(net, options, ws).converged();
    const bool sensitivities_ok = grid::voltage_sensitivities(net, ws, elements, nodes, sensitivities);
    counting = false;
    EXPECT_TRUE(converged);
    EXPECT_TRUE(sensitivities_ok);
    EXPECT_EQ(allocations.load(), 0) << grid::to_string(algorithm);
  }
}

TEST(EnvironmentAllocation, WarmStepsDoNotAllocate) {
  const Study study = read_study(VVC_SOURCE_DIR "/cases/ieee13_tasrl");
  const auto scenarios = make_scenarios(study);
  const Scenario s = scenarios->make(1);
  Environment env(study);
  Eigen::VectorXd q(3);
  q << -0.3, -0.4, -0.2;
  env.reset(s);
  env.apply(q);
  q *= 1.5;
  allocations = 0;
  counting = true;
  env.reset(s);
  for (int t = 0; t < 10; ++t) {
    q *= 0.9;
    env.apply(q);
  }
  counting = false;
  EXPECT_EQ(allocations.load(), 0);
}

// A three-phase environment step (new q per inverter phase, warm power flow with the taps frozen, observation
// and cost) and a reset with frozen regulators, on both bundled benchmarks, once warm; also with the q
// alternating as in `vvc bench three-phase`, where load elements cross their band edges and back and the power
// flow swaps its two Jacobian factorizations.
TEST(EnvironmentAllocation, WarmThreePhaseStepsDoNotAllocate) {
  for (const char* folder : {"ieee13_3p", "ieee123_3p"}) {
    const Study study = read_study(std::string(VVC_SOURCE_DIR) + "/cases/" + folder);
    const auto scenarios = make_scenarios(study);
    const Scenario low = scenarios->make(0);
    const Scenario high = scenarios->make(1);
    ASSERT_NE(low.kind, high.kind);
    Environment env(study);
    Eigen::VectorXd q = 0.5 * study.q_max();
    const Eigen::VectorXd q_low = 0.20 * study.q_max();
    const Eigen::VectorXd q_high = 0.25 * study.q_max();
    env.reset(high);
    env.apply(-q);
    env.reset(low);
    env.apply(q);
    allocations = 0;
    counting = true;
    env.reset(high);
    bool converged = true;
    for (int t = 0; t < 10; ++t) {
      q *= -0.9;
      converged = converged && env.apply(q).power_flow == grid::PowerFlowStatus::kConverged;
    }
    env.reset(low);
    converged = converged && env.apply(q).power_flow == grid::PowerFlowStatus::kConverged;
    for (int t = 0; t < 6; ++t) {
      converged =
          converged && env.apply(t % 2 == 0 ? q_low : q_high).power_flow == grid::PowerFlowStatus::kConverged;
    }
    counting = false;
    EXPECT_TRUE(converged) << folder;
    EXPECT_EQ(allocations.load(), 0) << folder;
  }
}

// The step gradient (the power flow's voltage sensitivities at the step's solution and the cost's derivatives, both
// cost forms) after warm three-phase steps, on both bundled benchmarks, once warm.
TEST(EnvironmentAllocation, WarmStepGradientsDoNotAllocate) {
  for (const char* folder : {"ieee13_3p", "ieee123_3p"}) {
    for (const CostForm form : {CostForm::kStableDdpg, CostForm::kF}) {
      Study study = read_study(std::string(VVC_SOURCE_DIR) + "/cases/" + folder);
      study.cost_form = form;
      const auto scenarios = make_scenarios(study);
      const Scenario low = scenarios->make(0);
      Environment env(study);
      StepGradient gradient;
      Eigen::VectorXd q = 0.5 * study.q_max();
      env.reset(low);
      env.apply(q);
      ASSERT_TRUE(env.step_gradient(gradient)) << folder;
      allocations = 0;
      counting = true;
      bool computed = true;
      for (int t = 0; t < 5; ++t) {
        q *= -0.9;
        env.apply(q);
        computed = env.step_gradient(gradient) && computed;
      }
      counting = false;
      EXPECT_TRUE(computed) << folder;
      EXPECT_EQ(allocations.load(), 0) << folder;
    }
  }
}

// A day replayed under Volt-VAR on both bundled benchmarks: once the environment is warm, the steps (the
// elements' powers of every sample, the warm power flow, the controller, the day's records) allocate nothing.
// The progress callback counts from step 256 to step 768 of the real day every 14th sample: 6 h to 17.9 h.
TEST(DayReplayAllocation, WarmStepsDoNotAllocate) {
  const DayProfile day = read_day_profile(VVC_SOURCE_DIR "/cases/stable_ddpg_day/day_profile.csv");
  for (const char* folder : {"ieee13_3p", "ieee123_3p"}) {
    const Study study = read_study(std::string(VVC_SOURCE_DIR) + "/cases/" + folder);
    const DayScenario d = make_day_scenario(study, day, {.stride = 14, .steps = 1000});
    auto controller = make_voltvar_controller(study);
    long counted = -1;
    const DayReplay r = replay_day(study, d, *controller, [&](int done, int) {
      if (done == kDayProgressEvery) {
        allocations = 0;
        counting = true;
      }
      if (done == 3 * kDayProgressEvery) {
        counting = false;
        counted = allocations.load();
      }
      return true;
    });
    EXPECT_EQ(r.summary.power_flow_failures, 0) << folder;
    EXPECT_GT(r.summary.kvar_hours, 0.0) << folder;
    EXPECT_EQ(counted, 0) << folder;
  }
}

// The three-phase Stable-DDPG controller (per-phase networks with the linear deadband term) acting on ieee13_3p
// with the environment's steps, once warm.
TEST(ControllerAllocation, ThreePhaseStableDdpgActsWithoutAllocating) {
  const Study study = read_study(VVC_SOURCE_DIR "/cases/ieee13_3p");
  const Scenario s = make_scenarios(study)->make(0);
  TrainedBaseline t;
  t.kind = BaselineKind::kStableDdpg;
  t.shape = stable_ddpg_shape(study, 20);
  t.max_step = 0.5;
  t.action_unit_mvar = study.action_unit_mvar;
  t.linear_gain = 0.1;
  std::mt19937_64 rng(2);
  for (int i = 0; i < study.num_inverters(); ++i) t.actors.push_back(MonotoneNet(t.shape, rng).params());
  auto controller = make_baseline_controller(study, t);
  Environment env(study);
  Eigen::VectorXd action(study.num_inverters());
  auto episode = [&](int steps) {
    const Observation& obs = env.reset(s);
    controller->reset(obs, s);
    for (int k = 0; k < steps; ++k) {
      controller->act(obs, action);
      env.step(action, controller->rule());
    }
  };
  episode(5);
  allocations = 0;
  counting = true;
  episode(10);
  counting = false;
  EXPECT_EQ(allocations.load(), 0);
}

// DiffOP acting, once warm: the QP built from the observation (DiffOpModel::build) and its dense solve, on
// DiffOP(Step) on ieee13_3p (the moves objective with the absolute move cost) and on ieee13_tasrl (F's objective),
// and DiffOP(Traj) on ieee13_3p (F's objective over H = 10 stages); and the chain rule from the QP data's gradient
// to the parameters' and the state's (DiffOpModel::chain, chain_state). The KKT factorization in between is sized by the active set and
// allocates (kkt_sensitivity.hpp).
TEST(DiffOpAllocation, WarmPolicyStepsAndChainRuleDoNotAllocate) {
  struct Case {
    const char* folder;
    experiment::Method method;
  };
  for (const Case c : {Case{"ieee13_3p", experiment::Method::kDiffOpStep},
                       Case{"ieee13_3p", experiment::Method::kDiffOpTraj},
                       Case{"ieee13_tasrl", experiment::Method::kDiffOpStep}}) {
    const Study study = read_study(std::string(VVC_SOURCE_DIR) + "/cases/" + c.folder);
    experiment::TrainRequest request;
    request.method = c.method;
    const DiffOpModel model(study, experiment::diffop_structure(study, request));
    const Eigen::VectorXd theta = model.initial_parameters();
    const int m = model.num_inverters();
    DiffOpSolver solver(model);
    DiffOpModel::State state;
    Eigen::VectorXd q(m);
    const Scenario s = make_scenarios(study)->make(0);
    Environment env(study);
    const Observation& obs = env.reset(s);
    solver.reset();
    int solved = 0;
    const auto step = [&] {
      model.observe(obs, state);
      solved += solver.solve(theta, state) == PolicySolveStatus::kOptimal ? 1 : 0;
      q = solver.plan().head(m);
      env.apply(q);
    };
    for (int t = 0; t < 3; ++t) step();
    solved = 0;
    allocations = 0;
    counting = true;
    for (int t = 0; t < 5; ++t) step();
    counting = false;
    EXPECT_EQ(solved, 5) << c.folder;
    EXPECT_EQ(allocations.load(), 0) << c.folder << " " << experiment::method_info(c.method).name;

    // The chain rule at the last state, for L = sum of the plan.
    QpProblem qp;
    DiffOpModel::Workspace workspace;
    model.build(theta, state, qp, workspace);
    DenseQpWorkspace qp_workspace(qp.num_variables(), qp.num_rows());
    const QpSolution solution = solve(qp, DenseQpOptions{}, qp_workspace);
    ASSERT_TRUE(solution.optimal()) << c.folder;
    KktSensitivity kkt;
    ASSERT_TRUE(kkt.factorize(qp, solution).usable()) << c.folder;
    Eigen::VectorXd w = Eigen::VectorXd::Zero(qp.num_variables());
    w.head(m * model.structure().horizon).setOnes();
    QpDataTangent data_gradient;
    kkt.adjoint(w, data_gradient);
    Eigen::VectorXd dtheta = Eigen::VectorXd::Zero(model.num_parameters());
    DiffOpModel::StateGradient state_gradient;
    model.chain(theta, state, data_gradient, dtheta, workspace);
    model.chain_state(theta, state, data_gradient, state_gradient, workspace);
    allocations = 0;
    counting = true;
    for (int t = 0; t < 3; ++t) {
      model.chain(theta, state, data_gradient, dtheta, workspace);
      model.chain_state(theta, state, data_gradient, state_gradient, workspace);
    }
    counting = false;
    EXPECT_EQ(allocations.load(), 0) << c.folder << " " << experiment::method_info(c.method).name;
    EXPECT_GT(dtheta.norm(), 0.0) << c.folder;
    EXPECT_GT(state_gradient.y0.norm() + state_gradient.q0.norm(), 0.0) << c.folder;
  }
}

}  // namespace
}  // namespace vvc::core
