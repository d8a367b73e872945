// Measures what docs/scaling.md models, on the ranks of an MPI job (or one process): one evaluation of a
// controller over a scenario range, one DiffOP training iteration, the bytes each gathers, and the latency of the
// collectives on this machine. Reports medians over repeats (wall time between barriers, and the CPU time of all
// ranks), asserts nothing.
//   [mpirun -np N] vvc_bench_distributed STUDY [--controller linear] [--seeds 0:500] [--threads 1]
//                                              [--scenarios 16] [--draws 4] [--repeats 5] [--skip-training]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "vvc/core/diffop/trainer.hpp"
#include "vvc/core/distributed/communicator.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/env/study.hpp"
#include "vvc/core/reference/registry.hpp"

namespace {

using namespace vvc::core;

/// Counts the collectives of an inner communicator and the bytes this rank sends through them.
class CountingCommunicator final : public Communicator {
 public:
  explicit CountingCommunicator(const Communicator& inner) : inner_(inner) {}
  int rank() const override { return inner_.rank(); }
  int size() const override { return inner_.size(); }
  void broadcast(std::string& bytes) const override {
    ++calls_;
    if (rank() == 0) sent_ += static_cast<long>(bytes.size());
    inner_.broadcast(bytes);
  }
  std::vector<std::string> all_gather(const std::string& bytes) const override {
    ++calls_;
    sent_ += static_cast<long>(bytes.size());
    return inner_.all_gather(bytes);
  }
  void reset() const { calls_ = sent_ = 0; }
  long calls() const { return calls_; }
  long sent() const { return sent_; }

 protected:
  void end_job(int status) const override { inner_.abort(status); }

 private:
  const Communicator& inner_;
  mutable long calls_ = 0;
  mutable long sent_ = 0;
};

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void barrier(const Communicator& c) { c.all_gather(std::string()); }

/// Every rank's number, on every rank.
std::vector<double> over_ranks(const Communicator& c, double mine) {
  std::string bytes(sizeof(double), '\0');
  std::memcpy(bytes.data(), &mine, sizeof(double));
  std::vector<double> out;
  for (const std::string& part : c.all_gather(bytes)) {
    double x = 0.0;
    std::memcpy(&x, part.data(), sizeof(double));
    out.push_back(x);
  }
  return out;
}

struct Timing {
  double wall;     ///< median, s
  double cpu;      ///< median over repeats of the CPU time summed over ranks, s
  double busiest;  ///< median over repeats of the largest CPU time of a rank, s: the wall time on free cores
  long calls;
  long sent;  ///< bytes this rank sent per repeat (rank 0)
};

template <class Work>
Timing measure(const CountingCommunicator& c, int repeats, Work&& work) {
  std::vector<double> walls, cpus, busiest;
  long calls = 0, sent = 0;
  for (int r = 0; r < repeats; ++r) {
    barrier(c);
    c.reset();
    const double cpu0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    work();
    barrier(c);
    const auto t1 = std::chrono::steady_clock::now();
    const double cpu = cpu_seconds() - cpu0;
    calls = c.calls() - 1;  // without the closing barrier
    sent = c.sent();
    walls.push_back(std::chrono::duration<double>(t1 - t0).count());
    const std::vector<double> per_rank = over_ranks(c, cpu);
    double sum = 0.0;
    for (const double x : per_rank) sum += x;
    cpus.push_back(sum);
    busiest.push_back(*std::max_element(per_rank.begin(), per_rank.end()));
  }
  return {median(walls), median(cpus), median(busiest), calls, sent};
}

/// Median latency of an all_gather of `bytes` bytes per rank and of a one-byte broadcast, in microseconds.
std::pair<double, double> latency(const Communicator& c, size_t bytes, int repeats) {
  std::vector<double> gather, bcast;
  const std::string payload(bytes, 'x');
  for (int r = 0; r < repeats; ++r) {
    barrier(c);
    auto t0 = std::chrono::steady_clock::now();
    c.all_gather(payload);
    auto t1 = std::chrono::steady_clock::now();
    gather.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    std::string flag(1, '1');
    barrier(c);
    t0 = std::chrono::steady_clock::now();
    c.broadcast(flag);
    t1 = std::chrono::steady_clock::now();
    bcast.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  return {median(gather), median(bcast)};
}

}  // namespace

int main(int argc, char** argv) {
  const auto job = start_communicator(argc, argv);
  const CountingCommunicator c(*job);
  if (argc < 2) {
    if (c.rank() == 0)
      std::fprintf(stderr, "usage: vvc_bench_distributed STUDY [options] (see the source)\n");
    return 2;
  }
  std::string controller = "linear";
  SeedRange seeds{0, 500};
  int threads = 1, scenarios = 16, draws = 4, repeats = 5;
  bool training = true;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : "";
    if (a == "--controller")
      controller = v, ++i;
    else if (a == "--seeds")
      seeds = parse_seed_range(v, "--seeds"), ++i;
    else if (a == "--threads")
      threads = std::atoi(v), ++i;
    else if (a == "--scenarios")
      scenarios = std::atoi(v), ++i;
    else if (a == "--draws")
      draws = std::atoi(v), ++i;
    else if (a == "--repeats")
      repeats = std::atoi(v), ++i;
    else if (a == "--skip-training")
      training = false;
  }
  const Study study = read_study(argv[1]);
  const bool root = c.rank() == 0;
  if (root) {
    std::printf(
        "study %s: %d inverters, %d monitored points, T = %d; %d rank(s) x %d thread(s), %d repeats\n",
        study.name.c_str(), study.num_inverters(), study.num_points(), study.steps, c.size(), threads,
        repeats);
  }

  const auto scenario_set = make_scenarios(study);
  const ControllerFactory factory = find_controller(controller, study).factory(study);
  EvaluationOptions eo;
  eo.ids = seeds;
  eo.steps = study.steps;
  eo.threads = threads;
  eo.communicator = &c;
  double transient = 0.0;
  const Timing ev =
      measure(c, repeats, [&] { transient = evaluate(study, *scenario_set, factory, eo).summary.transient; });
  if (root) {
    std::printf(
        "evaluation  %s on %ld scenarios: %.3f s wall, %.3f s CPU (all ranks), %.3f s CPU (busiest rank), "
        "%ld collective(s), "
        "%ld bytes sent by rank 0; transient %.10g\n",
        controller.c_str(), seeds.size(), ev.wall, ev.cpu, ev.busiest, ev.calls, ev.sent, transient);
  }

  if (training) {
    DiffOpStructure structure;
    structure.episode_steps = study.steps;
    structure.discount = study.discount;
    const DiffOpModel model(study, structure);
    DiffOpTrainingOptions options;
    options.iterations = 1;
    options.scenarios_per_iteration = scenarios;
    options.noise_draws = draws;
    options.validation.every = 0;
    options.threads = threads;
    DiffOpTrainer trainer(study, model, options, c);
    double norm = 0.0;
    const Timing it =
        measure(c, repeats, [&] { norm = trainer.train(nullptr).summary.curve.front().gradient_norm; });
    if (root) {
      std::printf(
          "iteration   DiffOP(Step), B = %d, K = %d, %d parameters: %.3f s wall, %.3f s CPU (all ranks), "
          "%.3f s CPU (busiest rank), %ld collective(s), %ld bytes sent by rank 0; |grad| %.10g\n",
          scenarios, draws, model.num_parameters(), it.wall, it.cpu, it.busiest, it.calls, it.sent, norm);
    }
    // The gradient terms of one scenario: P + 2K doubles and the headers of three arrays and a count.
    const size_t per_scenario = sizeof(double) * (model.num_parameters() + 2 * draws) + 4 * 8;
    const size_t share = per_scenario * static_cast<size_t>((scenarios + c.size() - 1) / c.size());
    if (c.size() > 1) {
      const auto [gather, bcast] = latency(c, share, 200);
      const auto [small, unused] = latency(c, 8, 200);
      if (root) {
        std::printf(
            "latency     all_gather of %zu bytes per rank: %.1f us; of 8 bytes: %.1f us; broadcast of 1 "
            "byte: %.1f us (medians of 200)\n",
            share, gather, small, bcast);
      }
    }
  }
  return 0;
}
