// Trains the DDPG baselines on the benchmark study and evaluates them on the 500 evaluation scenarios (seeds
// 0..499, T = 100): the numbers of docs/algorithms/baselines.md. Reports numbers, asserts nothing.
//   vvc_baselines_run [stable-ddpg|tasrl|both] [episodes (0: default)] [seed] [eval_every]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "vvc/core/baselines/ddpg.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/env/scenarios.hpp"
#include "vvc/core/env/study.hpp"
#include "vvc/core/experiment/experiment.hpp"

namespace {

class PrintProgress final : public vvc::core::TrainingObserver {
 public:
  vvc::core::ObserverAction on_progress(const vvc::core::TrainingProgress& p) override {
    const auto& pt = p.point;
    if (pt.validated()) {
      std::printf(
          "  %s episode %4d/%d  steps %2d  training objective %9.4f  mean F %8.4f  held-out %.4f / %.4f\n",
          p.method.c_str(), pt.iteration, p.iterations, pt.steps, pt.objective, pt.training_cost,
          pt.validation_transient, pt.validation_steady);
      std::fflush(stdout);
    }
    return vvc::core::ObserverAction::kContinue;
  }
};

void run(const vvc::core::Study& study, vvc::core::BaselineKind kind, int episodes, unsigned long seed,
         int eval_every) {
  using namespace vvc::core;
  // The comparison table's settings with this run's budget, seed and evaluation cadence, and the held-out
  // block of the measurements in docs/algorithms/baselines.md: the last 50 training seeds, so that episodes
  // train on the first training seeds, in order.
  const auto method =
      kind == BaselineKind::kStableDdpg ? experiment::Method::kStableDdpg : experiment::Method::kTasrl;
  BaselineOptions options = experiment::table_request(method, false, 1).ddpg;
  if (episodes > 0) options.episodes = episodes;
  options.seed = seed;
  options.validation.every = eval_every;
  options.validation.seeds = SeedRange{study.training_seeds.last - 50, study.training_seeds.last};
  PrintProgress progress;
  const std::clock_t c0 = std::clock();
  const auto t0 = std::chrono::steady_clock::now();
  const TrainedBaseline trained = kind == BaselineKind::kStableDdpg
                                      ? train_stable_ddpg(study, options, &progress)
                                      : train_tasrl(study, options, &progress);
  const auto t1 = std::chrono::steady_clock::now();
  const double training_cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  const auto scenarios = make_scenarios(study);
  EvaluationOptions eo;
  eo.ids = study.evaluation_seeds;
  eo.steps = study.steps;
  eo.threads = 1;
  const Evaluation ev = evaluate(study, *scenarios, baseline_controller_factory(study, trained), eo);
  const auto t2 = std::chrono::steady_clock::now();
  long steps = 0;
  for (const auto& p : trained.summary.curve) steps += p.steps;
  std::printf(
      "%s: episodes %d (env steps %ld), seed %lu, training %.1f s (cpu %.1f s), evaluation %.1f s\n"
      "  transient %.4f  steady %.4f  out-of-band %.4f  final violations %d  pf failures %d\n",
      baseline_name(kind), options.episodes, steps, seed, std::chrono::duration<double>(t1 - t0).count(),
      training_cpu, std::chrono::duration<double>(t2 - t1).count(), ev.summary.transient, ev.summary.steady,
      ev.summary.fraction_out_of_band, ev.summary.final_violations, ev.summary.power_flow_failures);
  for (size_t i = 0; i < trained.actors.size(); ++i) {
    const MonotoneNet net(trained.shape, trained.actors[i]);
    std::printf("  inverter %zu: N(v) at v =", i);
    for (double v : {0.90, 0.93, 0.94, 0.96, 1.04, 1.06, 1.07, 1.10})
      std::printf(" %.2f: %.4f", v, net.value(v));
    std::printf("\n");
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string method = argc > 1 ? argv[1] : "both";
  const int episodes = argc > 2 ? std::atoi(argv[2]) : 0;
  const unsigned long seed = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 1;
  const int eval_every = argc > 4 ? std::atoi(argv[4]) : 0;
  const vvc::core::Study study = vvc::core::read_study(VVC_SOURCE_DIR "/cases/ieee13_tasrl");
  if (method == "stable-ddpg" || method == "both")
    run(study, vvc::core::BaselineKind::kStableDdpg, episodes, seed, eval_every);
  if (method == "tasrl" || method == "both")
    run(study, vvc::core::BaselineKind::kTasrl, episodes, seed, eval_every);
  return 0;
}
