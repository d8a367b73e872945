// vvc bench: timing reports (medians over repeated batches). Benchmarks report; they never assert on time.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "args.hpp"
#include "commands.hpp"
#include "vvc/grid/case_io.hpp"
#include "vvc/grid/errors.hpp"
#include "vvc/grid/powerflow.hpp"
#include "vvc/grid/synthetic.hpp"

namespace vvc::cli {

namespace {

struct Timing {
  std::string name;
  double median_us = 0.0;
  int iterations = 0;  ///< power-flow iterations of the last timed solve
};

/// Median over `batches` of the mean time per call in a batch of `per_batch` calls, in microseconds.
double median_time_us(const std::function<void()>& call, int batches, int per_batch) {
  std::vector<double> samples;
  for (int b = 0; b < batches; ++b) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < per_batch; ++i) call();
    const std::chrono::duration<double, std::micro> elapsed = std::chrono::steady_clock::now() - start;
    samples.push_back(elapsed.count() / per_batch);
  }
  std::nth_element(samples.begin(), samples.begin() + static_cast<long>(samples.size() / 2), samples.end());
  return samples[samples.size() / 2];
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
  bool flip = false;
  int iterations = 0;
  grid::solve(net, base, opt, ws);
  const double us = median_time_us(
      [&] {
        iterations = grid::solve(net, flip ? other : base, opt, ws).iterations;
        flip = !flip;
      },
      7, per_batch);
  return {name, us, iterations};
}

int bench_powerflow(const Args& args, const std::filesystem::path& root) {
  const grid::Network ieee13 = grid::read_case(root / "cases" / "ieee13_tasrl");
  std::vector<Timing> rows;
  rows.push_back(time_powerflow("ieee13_tasrl bfs", ieee13, grid::PowerFlowAlgorithm::kSweep, 20000));
  rows.push_back(time_powerflow("ieee13_tasrl nr", ieee13, grid::PowerFlowAlgorithm::kNewtonRaphson, 5000));
  for (int n : {1000, 10000, 100000}) {
    const grid::Network net = grid::make_radial_feeder(n);
    const int per_batch = std::max(2, 2000000 / n / 10);
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
  if (args.has("json")) {
    std::cout << std::setprecision(6)
              << "{\n  \"benchmark\": \"powerflow\",\n  \"unit\": \"us per solve (median)\",\n"
              << "  \"results\": [\n";
    for (size_t i = 0; i < rows.size(); ++i) {
      std::cout << "    {\"name\": \"" << rows[i].name << "\", \"median_us\": " << rows[i].median_us
                << ", \"iterations\": " << rows[i].iterations << "}" << (i + 1 < rows.size() ? "," : "")
                << "\n";
    }
    std::cout << "  ],\n  \"ratio_100k_over_10k_bfs\": " << ratio << "\n}\n";
  } else {
    std::cout << "warm power-flow solve, median of 7 batches (tolerance 1e-10 pu)\n";
    std::cout << std::left << std::setw(24) << "case" << std::right << std::setw(14) << "us/solve"
              << std::setw(12) << "iterations"
              << "\n";
    for (const auto& r : rows) {
      std::cout << std::left << std::setw(24) << r.name << std::right << std::setw(14) << std::fixed
                << std::setprecision(2) << r.median_us << std::setw(12) << r.iterations << "\n";
    }
    std::cout << "ratio radial 100k / 10k (bfs): " << std::setprecision(2) << ratio << "\n";
  }
  return 0;
}

const std::vector<OptionSpec> kBenchOptions = {
    {"json", false, "print the results as JSON"},
    {"root", true, "the vvc source folder holding cases/ (default: the current folder)", "DIR"},
};

}  // namespace

int run_bench(int argc, char** argv) {
  const Args args(argc, argv, 2, kBenchOptions);
  if (args.help() || args.positional().empty()) {
    std::cout
        << "usage: vvc bench powerflow [options]\n\n"
           "Times warm power-flow solves of the IEEE 13-bus benchmark case and of synthetic radial feeders\n"
           "of 1,000, 10,000 and 100,000 buses (median of 7 batches; no assertions on time).\n\noptions:\n"
        << format_options(kBenchOptions);
    return args.help() ? 0 : 2;
  }
  const std::filesystem::path root = args.get_or("root", ".");
  const std::string what = args.positional().front();
  if (what == "powerflow") return bench_powerflow(args, root);
  throw InputError("unknown benchmark '" + what + "' (expected: powerflow)");
}

}  // namespace vvc::cli
