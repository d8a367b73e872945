// vvc bench: timing reports (medians over repeated batches). Benchmarks report; they never assert on time.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "args.hpp"
#include "commands.hpp"
#include "data_dir.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/common/parallel.hpp"
#include "vvc/core/diffop/policy.hpp"
#include "vvc/core/diffop/policy_io.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/qp/ipopt.hpp"
#include "vvc/grid/io/case_io.hpp"
#include "vvc/grid/io/opendss.hpp"
#include "vvc/grid/powerflow/balanced.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"
#include "vvc/grid/synthetic/radial.hpp"
#include "vvc/grid/synthetic/radial3.hpp"

namespace vvc::cli {

namespace {

struct Timing {
  std::string name;
  double median_us = 0.0;  ///< wall time per call
  /// This thread's CPU time per call (less sensitive to other load on the machine).
  double median_cpu_us = 0.0;
  int iterations = 0;  ///< power-flow iterations of the last timed solve
};

/// Medians over `batches` of the mean wall and thread CPU time per call in a batch of `per_batch` calls, in
/// microseconds.
std::pair<double, double> median_times_us(const std::function<void()>& call, int batches, int per_batch) {
  std::vector<double> wall, cpu;
  for (int b = 0; b < batches; ++b) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = thread_cpu_seconds();
    for (int i = 0; i < per_batch; ++i) call();
    const std::chrono::duration<double, std::micro> elapsed = std::chrono::steady_clock::now() - start;
    wall.push_back(elapsed.count() / per_batch);
    cpu.push_back((thread_cpu_seconds() - cpu_start) * 1e6 / per_batch);
  }
  auto median = [](std::vector<double>& v) {
    std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  return {median(wall), median(cpu)};
}

double median_time_us(const std::function<void()>& call, int batches, int per_batch) {
  return median_times_us(call, batches, per_batch).first;
}

Timing time_powerflow(const std::string& name, const grid::Network& net, grid::PowerFlowAlgorithm algorithm,
                      int per_batch) {
  grid::PowerFlowWorkspace ws(net);
  const grid::Injections base = grid::nominal_injections(net);
  grid::Injections other = base;
  other.s_const *= 1.05;  // alternate two load levels: every timed solve iterates from the previous solution
  grid::PowerFlowOptions opt;
  opt.algorithm = algorithm;
  opt.compute_flows = false;
  opt.compute_angles = false;
  bool flip = false;
  int iterations = 0;
  grid::solve(net, base, opt, ws);
  const auto [wall_us, cpu_us] = median_times_us(
      [&] {
        iterations = grid::solve(net, flip ? other : base, opt, ws).iterations;
        flip = !flip;
      },
      7, per_batch);
  return {name, wall_us, cpu_us, iterations};
}

int bench_powerflow(const Args& args, const std::filesystem::path& cases) {
  const grid::Network ieee13 = grid::read_case(cases / "ieee13_tasrl");
  // --quick: a few solves of the IEEE 13-bus case and of the 1,000-bus feeder, to check that it runs.
  const bool quick = args.has("quick");
  const int scale = quick ? 100 : 1;
  std::vector<Timing> rows;
  rows.push_back(time_powerflow("ieee13_tasrl bfs", ieee13, grid::PowerFlowAlgorithm::kSweep, 20000 / scale));
  rows.push_back(
      time_powerflow("ieee13_tasrl nr", ieee13, grid::PowerFlowAlgorithm::kNewtonRaphson, 5000 / scale));
  const std::vector<int> sizes = quick ? std::vector<int>{1000} : std::vector<int>{1000, 10000, 100000};
  for (int n : sizes) {
    const grid::Network net = grid::make_radial_feeder(n);
    const int per_batch = std::max(2, 2000000 / n / 10 / scale);
    rows.push_back(time_powerflow("radial " + std::to_string(n) + " bfs", net,
                                  grid::PowerFlowAlgorithm::kSweep, per_batch));
    rows.push_back(time_powerflow("radial " + std::to_string(n) + " nr", net,
                                  grid::PowerFlowAlgorithm::kNewtonRaphson, std::max(2, per_batch / 4)));
  }
  auto find = [&](const std::string& name) {
    for (const auto& r : rows) {
      if (r.name == name) return r.median_us;
    }
    return 0.0;
  };
  const double ratio = find("radial 100000 bfs") / find("radial 10000 bfs");
  const double cpu_ratio = [&] {
    double a = 0.0, b = 0.0;
    for (const auto& r : rows) {
      if (r.name == "radial 100000 bfs") a = r.median_cpu_us;
      if (r.name == "radial 10000 bfs") b = r.median_cpu_us;
    }
    return a / b;
  }();
  if (args.has("json")) {
    std::cout << std::setprecision(6)
              << "{\n  \"benchmark\": \"powerflow\",\n  \"unit\": \"us per solve (median)\",\n"
              << "  \"results\": [\n";
    for (size_t i = 0; i < rows.size(); ++i) {
      std::cout << "    {\"name\": \"" << rows[i].name << "\", \"median_us\": " << rows[i].median_us
                << ", \"iterations\": " << rows[i].iterations << "}" << (i + 1 < rows.size() ? "," : "")
                << "\n";
    }
    std::cout << "  ]";
    if (!quick) {
      std::cout << ",\n  \"ratio_100k_over_10k_bfs\": " << ratio
                << ",\n  \"cpu_ratio_100k_over_10k_bfs\": " << cpu_ratio;
    }
    std::cout << "\n}\n";
  } else {
    std::cout << "warm power-flow solve, median of 7 batches (tolerance 1e-10 pu)\n";
    std::cout << std::left << std::setw(24) << "case" << std::right << std::setw(14) << "wall us/solve"
              << std::setw(14) << "cpu us/solve" << std::setw(12) << "iterations"
              << "\n";
    for (const auto& r : rows) {
      std::cout << std::left << std::setw(24) << r.name << std::right << std::setw(14) << std::fixed
                << std::setprecision(2) << r.median_us << std::setw(14) << r.median_cpu_us << std::setw(12)
                << r.iterations << "\n";
    }
    if (!quick) {
      std::cout << "ratio radial 100k / 10k (bfs): wall " << std::setprecision(2) << ratio << ", cpu "
                << cpu_ratio << "\n";
    }
  }
  return 0;
}

struct ThreePhaseTiming {
  std::string network;
  std::string algorithm;
  std::string loads;  ///< "unchanged" or "alternating"
  int nodes = 0;
  double median_us = 0.0;
  double median_cpu_us = 0.0;
  double iterations = 0.0;  ///< per timed solve, mean
};

/// Warm solves with the taps and capacitors held where a first solve under control left them (as OpenDSS's
/// timing runs do with "Set controlmode=off"): the same loads again, or loads alternating between 100 % and 105 %.
ThreePhaseTiming time_three_phase(const std::string& name, const grid::MultiphaseNetwork& net,
                                  grid::ThreePhaseAlgorithm algorithm, bool alternating,
                                  double voltage_tolerance, int per_batch) {
  grid::ThreePhaseWorkspace ws(net);
  grid::ThreePhaseOptions options;
  options.algorithm = algorithm;
  options.voltage_tolerance = voltage_tolerance;
  if (!grid::solve(net, options, ws).converged()) {
    throw InputError(name + ": the power flow does not converge");
  }
  options.taps = grid::TapMode::kFixed;
  grid::solve(net, options, ws);
  bool flip = true;
  long iterations = 0, solves = 0;
  bool converged = true;
  const auto [wall_us, cpu_us] = median_times_us(
      [&] {
        if (alternating) ws.set_load_scale(flip ? 1.05 : 1.0);
        const grid::ThreePhaseResult& r = grid::solve(net, options, ws);
        converged = converged && r.converged();
        iterations += r.iterations;
        ++solves;
        flip = !flip;
      },
      7, per_batch);
  if (!converged) throw InputError(name + ": a timed solve did not converge");
  return {name,
          std::string(grid::to_string(algorithm)),
          alternating ? "alternating" : "unchanged",
          net.num_nodes(),
          wall_us,
          cpu_us,
          static_cast<double>(iterations) / static_cast<double>(solves)};
}

/// Reading an OpenDSS script into its network, and building the power flow's workspace for it.
struct ReadTiming {
  std::string network;
  int nodes = 0;
  double read_ms = 0.0, read_cpu_ms = 0.0;
  double workspace_ms = 0.0, workspace_cpu_ms = 0.0;
};

ReadTiming time_read(const std::string& name, const std::filesystem::path& script, int repeats) {
  ReadTiming t{name};
  const auto [read_us, read_cpu_us] = median_times_us(
      [&] {
        const grid::OpenDssCase dss = grid::read_opendss(script);
        t.nodes = dss.network.num_nodes();
      },
      repeats, 1);
  const grid::MultiphaseNetwork net = grid::read_opendss(script).network;
  const auto [ws_us, ws_cpu_us] =
      median_times_us([&] { const grid::ThreePhaseWorkspace ws(net); }, repeats, 1);
  t.read_ms = read_us / 1e3;
  t.read_cpu_ms = read_cpu_us / 1e3;
  t.workspace_ms = ws_us / 1e3;
  t.workspace_cpu_ms = ws_cpu_us / 1e3;
  return t;
}

/// One environment step of a three-phase study: new q for every inverter phase, the warm power flow with the
/// study's taps, the observation and the cost. The q alternate between 20 % and 25 % of the limits on a
/// low-voltage scenario and their negatives on a high-voltage one (seeds 0 and 1 of the bundled benchmarks).
struct EnvironmentTiming {
  std::string study;
  int actions = 0;
  int points = 0;
  double median_us = 0.0, median_cpu_us = 0.0;
};

EnvironmentTiming time_environment_step(const std::string& name, const std::filesystem::path& study_path,
                                        int per_batch) {
  const core::Study study = core::read_study(study_path);
  const auto scenarios = core::make_scenarios(study);
  EnvironmentTiming t{name, study.num_inverters(), study.num_points()};
  core::Environment env(study);
  std::vector<double> wall, cpu;
  for (long seed : {0L, 1L}) {
    const core::Scenario scenario = scenarios->make(seed);
    const double sign = scenario.kind == 0 ? 1.0 : -1.0;
    const Eigen::VectorXd q1 = sign * 0.20 * study.q_max();
    const Eigen::VectorXd q2 = sign * 0.25 * study.q_max();
    env.reset(scenario);
    bool flip = false, converged = true;
    const auto [wall_us, cpu_us] = median_times_us(
        [&] {
          converged = converged && env.apply(flip ? q1 : q2).power_flow == grid::PowerFlowStatus::kConverged;
          flip = !flip;
        },
        7, per_batch);
    if (!converged) throw InputError(name + ": a timed environment step did not converge");
    wall.push_back(wall_us);
    cpu.push_back(cpu_us);
  }
  t.median_us = 0.5 * (wall[0] + wall[1]);
  t.median_cpu_us = 0.5 * (cpu[0] + cpu[1]);
  return t;
}

int bench_three_phase(const Args& args, const std::filesystem::path& cases) {
  // --quick: a few solves of the IEEE 13-bus feeder and of radial3 1,000, to check that it runs.
  const bool quick = args.has("quick");
  const double voltage_tolerance = 1e-8;
  std::vector<std::pair<std::string, grid::MultiphaseNetwork>> networks;
  std::vector<ReadTiming> reads;
  for (const auto& [name, file] : {std::pair<std::string, std::string>{"ieee13", "ieee13/IEEE13Nodeckt.dss"},
                                   {"ieee34", "ieee34/ieee34Mod1.dss"},
                                   {"ieee37", "ieee37/ieee37.dss"},
                                   {"ieee123", "ieee123/IEEE123Master.dss"},
                                   {"ieee8500", "ieee8500/Master.dss"}}) {
    if (quick && name != "ieee13") continue;
    networks.emplace_back(name, grid::read_opendss(cases / file).network);
    reads.push_back(time_read(name, cases / file, quick ? 1 : 7));
  }
  for (int n : quick ? std::vector<int>{1000} : std::vector<int>{1000, 10000}) {
    for (bool unbalanced : {false, true}) {
      networks.emplace_back("radial3 " + std::to_string(n) + (unbalanced ? " unbalanced" : " balanced"),
                            grid::make_radial3_feeder(n, unbalanced));
    }
  }
  std::vector<EnvironmentTiming> steps;
  for (const auto& [name, per_batch] :
       {std::pair<const char*, int>{"ieee13_3p", 2000}, {"ieee123_3p", 2000}, {"ieee8500_pv", 40}}) {
    steps.push_back(time_environment_step(name, cases / name, quick ? 2 : per_batch));
  }
  std::vector<ThreePhaseTiming> rows;
  for (const auto& [name, net] : networks) {
    const int per_batch = quick ? 2 : std::max(4, 400000 / net.num_nodes());
    for (const grid::ThreePhaseAlgorithm algorithm :
         {grid::ThreePhaseAlgorithm::kNewton, grid::ThreePhaseAlgorithm::kFixedPoint}) {
      for (bool alternating : {false, true}) {
        rows.push_back(time_three_phase(name, net, algorithm, alternating, voltage_tolerance, per_batch));
      }
    }
  }
  if (args.has("json")) {
    std::cout << std::setprecision(6)
              << "{\n  \"benchmark\": \"three-phase\",\n  \"unit\": \"us per solve (median)\",\n"
              << "  \"voltage_tolerance\": " << voltage_tolerance
              << ",\n  \"mismatch_tolerance_pu\": 1e-10,\n"
              << "  \"results\": [\n";
    for (size_t i = 0; i < rows.size(); ++i) {
      const ThreePhaseTiming& r = rows[i];
      std::cout << "    {\"network\": \"" << r.network << "\", \"algorithm\": \"" << r.algorithm
                << "\", \"loads\": \"" << r.loads << "\", \"nodes\": " << r.nodes
                << ", \"median_us\": " << r.median_us << ", \"median_cpu_us\": " << r.median_cpu_us
                << ", \"iterations\": " << r.iterations << "}" << (i + 1 < rows.size() ? "," : "") << "\n";
    }
    std::cout << "  ],\n  \"read\": [\n";
    for (size_t i = 0; i < reads.size(); ++i) {
      const ReadTiming& r = reads[i];
      std::cout << "    {\"network\": \"" << r.network << "\", \"nodes\": " << r.nodes
                << ", \"read_ms\": " << r.read_ms << ", \"read_cpu_ms\": " << r.read_cpu_ms
                << ", \"workspace_ms\": " << r.workspace_ms
                << ", \"workspace_cpu_ms\": " << r.workspace_cpu_ms << "}"
                << (i + 1 < reads.size() ? "," : "") << "\n";
    }
    std::cout << "  ],\n  \"environment_step\": [\n";
    for (size_t i = 0; i < steps.size(); ++i) {
      const EnvironmentTiming& e = steps[i];
      std::cout << "    {\"study\": \"" << e.study << "\", \"actions\": " << e.actions
                << ", \"points\": " << e.points << ", \"median_us\": " << e.median_us
                << ", \"median_cpu_us\": " << e.median_cpu_us << "}" << (i + 1 < steps.size() ? "," : "")
                << "\n";
    }
    std::cout << "  ]\n}\n";
  } else {
    std::cout
        << "warm three-phase solves, taps and capacitors held where control left them, median of 7 batches\n"
           "(tolerance: relative voltage change 1e-8, power mismatch 1e-10 pu; alternating: loads 100 % / "
           "105 %)\n";
    std::cout << std::left << std::setw(26) << "network" << std::setw(13) << "algorithm" << std::setw(13)
              << "loads" << std::right << std::setw(8) << "nodes" << std::setw(14) << "wall us/solve"
              << std::setw(14) << "cpu us/solve" << std::setw(12) << "iterations"
              << "\n";
    for (const ThreePhaseTiming& r : rows) {
      std::cout << std::left << std::setw(26) << r.network << std::setw(13) << r.algorithm << std::setw(13)
                << r.loads << std::right << std::setw(8) << r.nodes << std::setw(14) << std::fixed
                << std::setprecision(2) << r.median_us << std::setw(14) << r.median_cpu_us << std::setw(12)
                << std::setprecision(1) << r.iterations << "\n";
    }
    std::cout << "\nreading the OpenDSS script (read_opendss) and building the workspace, median of "
              << (quick ? 1 : 7) << "\n"
              << std::left << std::setw(26) << "network" << std::right << std::setw(8) << "nodes"
              << std::setw(14) << "read ms" << std::setw(14) << "read cpu ms" << std::setw(16)
              << "workspace ms" << std::setw(18) << "workspace cpu ms"
              << "\n";
    for (const ReadTiming& r : reads) {
      std::cout << std::left << std::setw(26) << r.network << std::right << std::setw(8) << r.nodes
                << std::setw(14) << std::fixed << std::setprecision(2) << r.read_ms << std::setw(14)
                << r.read_cpu_ms << std::setw(16) << r.workspace_ms << std::setw(18) << r.workspace_cpu_ms
                << "\n";
    }
    std::cout << "\nthree-phase environment step (new q per inverter phase, warm power flow, taps frozen, "
                 "observation, cost), median of 7 batches, mean of seeds 0 and 1\n"
              << std::left << std::setw(26) << "study" << std::right << std::setw(8) << "actions"
              << std::setw(8) << "points" << std::setw(14) << "wall us/step" << std::setw(14) << "cpu us/step"
              << "\n";
    for (const EnvironmentTiming& e : steps) {
      std::cout << std::left << std::setw(26) << e.study << std::right << std::setw(8) << e.actions
                << std::setw(8) << e.points << std::setw(14) << std::fixed << std::setprecision(2)
                << e.median_us << std::setw(14) << e.median_cpu_us << "\n";
    }
  }
  return 0;
}

/// Wall time of one call, in seconds: the median of `repeats` calls.
double median_seconds(const std::function<void()>& call, int repeats) {
  std::vector<double> samples;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    call();
    samples.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(samples.begin(), samples.begin() + static_cast<long>(samples.size() / 2), samples.end());
  return samples[samples.size() / 2];
}

/// States met by a policy along real episodes (the QPs it actually solves).
std::vector<core::DiffOpModel::State> sample_states(const core::Study& study, const core::DiffOpModel& model,
                                                    const Eigen::VectorXd& theta, int episodes, int steps) {
  const auto scenarios = core::make_scenarios(study);
  core::Environment env(study);
  auto controller = core::make_diffop_controller(model, theta);
  std::vector<core::DiffOpModel::State> states;
  Eigen::VectorXd action(study.num_inverters());
  for (int e = 0; e < episodes; ++e) {
    const core::Scenario sc = scenarios->make(study.evaluation_seeds.first + e);
    const core::Observation& obs = env.reset(sc);
    controller->reset(obs, sc);
    for (int t = 0; t < steps; ++t) {
      core::DiffOpModel::State st;
      model.observe(obs, st);
      states.push_back(st);
      controller->act(obs, action);
      env.step(action, controller->rule(), controller->alpha());
    }
  }
  return states;
}

int bench_policy(const Args& args, const std::filesystem::path& study_path) {
  const core::Study study = core::read_study(study_path);
  const auto scenarios = core::make_scenarios(study);
  std::cout << std::fixed;
  // 1. Evaluation of the 500 x 100 benchmark: reference gradient flow and the DiffOP policy.
  Eigen::VectorXd theta;
  core::DiffOpStructure structure;
  structure.episode_steps = study.steps;
  if (args.has("policy")) {
    const core::PolicyFile policy = core::read_policy(*args.get("policy"));
    structure = policy.structure;
    theta = policy.theta;
  }
  const core::DiffOpModel model(study, structure);
  if (!args.has("policy")) theta = model.initial_parameters();
  core::check_policy_matches(core::describe_policy(model, theta), model, "policy");
  std::cout << "evaluation of " << study.evaluation_seeds.size() << " scenarios x " << study.steps
            << " steps, wall time (median of 3)\n";
  for (int threads : {1, 2}) {
    core::EvaluationOptions eo;
    eo.ids = study.evaluation_seeds;
    eo.steps = study.steps;
    eo.threads = threads;
    const double gf = median_seconds(
        [&] {
          core::evaluate(
              study, *scenarios, [&] { return core::make_gradient_flow_controller(study, 0.5); }, eo);
        },
        3);
    const double dp = median_seconds(
        [&] {
          core::evaluate(
              study, *scenarios, [&] { return core::make_diffop_controller(model, theta); }, eo);
        },
        3);
    std::cout << "  threads " << threads << ": gradient-flow " << std::setprecision(3) << gf << " s, diffop-"
              << core::to_string(structure.mode) << " " << dp << " s\n";
  }
  // 2. Per-step policy QP: the project's dense solver against Ipopt on the same problems, H = 1 and H = 10.
  std::cout << "policy QP per solve on states met along 20 episodes, H = 10 along the first 4 (median of 7 "
               "passes)\n";
  for (int horizon : {1, 10}) {
    core::DiffOpStructure s = structure;
    s.mode = core::DiffOpMode::kStep;
    s.horizon = horizon;
    const core::DiffOpModel m(study, s);
    const Eigen::VectorXd th = m.initial_parameters();
    const auto states = sample_states(study, model, theta, horizon == 1 ? 20 : 4, 50);
    std::vector<core::QpProblem> problems(states.size());
    core::DiffOpModel::Workspace model_workspace;
    for (size_t i = 0; i < states.size(); ++i) m.build(th, states[i], problems[i], model_workspace);
    core::QpSolution sol;
    core::DenseQpOptions dense_options;
    dense_options.warm_start = true;
    auto dense_time_us = [&](const core::DenseQpOptions& options) {
      core::DenseQpWorkspace ws;
      return median_time_us(
          [&, i = size_t{0}]() mutable {
            core::solve(problems[i], options, ws, sol);
            i = (i + 1) % problems.size();
          },
          7, static_cast<int>(problems.size()));
    };
    const double dense_us = dense_time_us(dense_options);
    core::DenseQpOptions imposing_options = dense_options;
    imposing_options.reuse_warm_start_factors = false;
    const double imposing_us = dense_time_us(imposing_options);
    core::IpoptQpSolver ipopt;
    core::IpoptOptions ipopt_options;
    ipopt_options.warm_start = true;
    ipopt_options.tolerance = 1e-9;
    const double ipopt_us = median_time_us(
        [&, i = size_t{0}]() mutable {
          ipopt.solve(problems[i], ipopt_options);
          i = (i + 1) % problems.size();
        },
        3, std::min<int>(200, static_cast<int>(problems.size())));
    std::cout << "  H = " << horizon << " (" << problems.front().num_variables() << " variables, "
              << problems.front().num_rows() << " rows): dense " << std::setprecision(2) << dense_us
              << " us (" << imposing_us << " us imposing the warm-start set again, " << std::setprecision(1)
              << imposing_us / dense_us << "x), Ipopt (warm) " << std::setprecision(2) << ipopt_us
              << " us, ratio " << std::setprecision(0) << ipopt_us / dense_us << "x\n";
  }
  return 0;
}

const std::vector<OptionSpec> kBenchOptions = {
    {"json", false, "print the results as JSON (powerflow, three-phase)"},
    {"quick", false, "powerflow, three-phase: a few solves of the smallest cases only (checks that it runs)"},
    {"data-dir", true,
     "the folder of vvc's case data, holding ieee13_tasrl/ (default: share/vvc/cases beside the installed "
     "program, or the source tree's cases/ for the program in its build folder)",
     "DIR"},
    {"study", true, "study for 'policy' (default: DIR/ieee13_tasrl)", "PATH"},
    {"policy", true, "trained policy JSON for 'policy' (default: the untrained starting point)", "FILE"},
};

}  // namespace

int run_bench(int argc, char** argv, Job& job) {
  if (argc > 2 && std::string(argv[2]) == "table") return run_bench_table(argc, argv, job);
  const Args args(argc, argv, 2, kBenchOptions);
  if (args.help() || args.positional().empty()) {
    std::cout
        << "usage: vvc bench powerflow|three-phase|policy [options]\n"
           "       vvc bench table --study STUDY [--out DIR] (see vvc bench table --help)\n\n"
           "powerflow: warm power-flow solves of the IEEE 13-bus benchmark case and of synthetic radial\n"
           "  feeders of 1,000, 10,000 and 100,000 buses (median of 7 batches).\n"
           "three-phase: warm unbalanced solves of the IEEE 13, 34, 37, 123 and 8500-node feeders (taps and\n"
           "  capacitors set by control, then held) and of radial3 1,000 and 10,000, balanced and "
           "unbalanced,\n"
           "  by Newton and the fixed point, with unchanged loads and loads alternating between 100 % and\n"
           "  105 % (median of 7 batches); then the time to read each feeder's script and build its "
           "workspace,\n"
           "  and the environment step of the three-phase studies ieee13_3p, ieee123_3p and ieee8500_pv (new "
           "q,\n"
           "  warm power flow, observation, cost).\n"
           "policy: evaluation time of the study's evaluation scenarios (gradient flow and a DiffOP policy, "
           "1 and 2\n"
           "  threads) and the per-step policy QP (H = 1 and 10) by the dense solver and by Ipopt.\n"
           "table: trains and evaluates every method of the DiffOP paper's comparison.\n"
           "Benchmarks report; they assert nothing on time.\n\noptions:\n"
        << format_options(kBenchOptions);
    return args.help() ? 0 : 2;
  }
  const std::string what = args.positional().front();
  if (what == "powerflow") return bench_powerflow(args, find_cases_dir(args.get("data-dir")));
  if (what == "three-phase") return bench_three_phase(args, find_cases_dir(args.get("data-dir")));
  if (what == "policy") {
    const std::filesystem::path study = args.has("study")
                                            ? std::filesystem::path(*args.get("study"))
                                            : find_cases_dir(args.get("data-dir")) / "ieee13_tasrl";
    return bench_policy(args, study);
  }
  throw InputError("unknown benchmark '" + what + "' (expected: powerflow, three-phase, policy, table)");
}

}  // namespace vvc::cli
