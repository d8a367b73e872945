// Evaluation of a controller over a scenario set: the benchmark metrics (voltage-control-benchmark.md section
// 3) and operator figures. Scenarios run in parallel threads; each scenario is a pure function of
// (controller, scenario), and sums are taken in scenario order, so the results do not depend on the thread
// count.
#pragma once

#include <string>
#include <vector>

#include "vvc/core/env/controller.hpp"
#include "vvc/core/env/scenarios.hpp"

namespace vvc::core {

struct EpisodeRecord {
  long id = 0;             ///< seed or file index
  int kind = -1;           ///< tasrl13: 0 low-voltage, 1 high-voltage
  std::string label;       ///< the scenario's name
  double transient = 0.0;  ///< sum_{t=1..T} gamma^t F(q_t)
  double steady = 0.0;     ///< F(q_T)
  double final_vmin = 0.0;
  double final_vmax = 0.0;
  int steps_out_of_band = 0;
  double worst_violation = 0.0;
  int steps_to_recover =
      0;  ///< first t after which every step is in band (T + 1 if the last step is outside)
  int power_flow_failures = 0;
  bool ends_in_band = true;
};

struct EvaluationSummary {
  std::string controller;
  int scenarios = 0;
  int steps = 0;
  double transient = 0.0;             ///< mean over scenarios
  double steady = 0.0;                ///< mean over scenarios
  double fraction_out_of_band = 0.0;  ///< scenario-steps with some bus outside the band / all scenario-steps
  double worst_violation = 0.0;
  double mean_steps_to_recover = 0.0;
  int final_violations = 0;     ///< scenarios whose last step is outside the band
  int power_flow_failures = 0;  ///< scenario-steps whose power flow did not converge
};

struct Evaluation {
  EvaluationSummary summary;
  std::vector<EpisodeRecord> episodes;
};

struct EvaluationOptions {
  SeedRange ids{0, 500};
  int steps = 100;
  int threads = 1;
};

/// Runs one episode of `steps` steps; also the building block of training rollouts.
EpisodeRecord run_episode(Environment& env, Controller& controller, const Scenario& scenario, int steps);

Evaluation evaluate(const Study& study, const ScenarioSet& scenarios, const ControllerFactory& factory,
                    const EvaluationOptions& options);

/// Aggregates episode records in their order.
EvaluationSummary summarize(const std::vector<EpisodeRecord>& episodes, const std::string& controller,
                            int steps);

/// Writes per-episode records as CSV (seed,scenario,transient,steady,final_vmin,final_vmax,...), atomically;
/// `scenario` is the kind (0 low, 1 high voltage) for generated sets and the scenario's name for files.
void write_episodes_csv(const Evaluation& evaluation, const std::string& path);

}  // namespace vvc::core
