// Episodes and the evaluation of a controller over a scenario set: the benchmark metrics
// (voltage-control-benchmark.md section 3) and operator figures. Scenarios run in parallel threads; each
// episode is a pure function of (controller, scenario), and sums are taken in scenario order, so the results do
// not depend on the thread count, nor on how the scenario range is split into blocks (evaluating ids A:C equals
// evaluating A:B and B:C and summarizing the records in order), nor on the ranks of a distributed run (each
// evaluates its share of the ids; the records are gathered to every rank in id order).
#pragma once

#include <Eigen/Dense>
#include <filesystem>
#include <string>
#include <vector>

#include "vvc/core/distributed/communicator.hpp"
#include "vvc/core/env/controller.hpp"
#include "vvc/core/env/scenarios.hpp"

namespace vvc::core {

/// How an episode went.
enum class EpisodeStatus {
  kCompleted,     ///< every power flow converged and the controller computed every action
  kStepFailures,  ///< some steps failed: a power flow did not converge or the controller computed no action
  kResetFailed,   ///< the power flow at reset did not converge (no operating point to start from)
};
const char* to_string(EpisodeStatus status);

struct EpisodeRecord {
  long id = 0;        ///< seed or file index
  int kind = -1;      ///< tasrl13: 0 low-voltage, 1 high-voltage
  std::string label;  ///< the scenario's name
  EpisodeStatus status = EpisodeStatus::kCompleted;
  double transient = 0.0;  ///< sum_{t=1..T} gamma^t F(q_t)
  double steady = 0.0;     ///< F(q_T)
  double final_vmin = 0.0;
  double final_vmax = 0.0;
  int steps_out_of_band = 0;
  double worst_violation = 0.0;
  double discounted_violation = 0.0;  ///< sum_{t=1..T} gamma^t (largest distance outside the band), pu
  /// The first t after which every step is in band (T + 1 if the last step is outside).
  int steps_to_recover = 0;
  int power_flow_failures = 0;  ///< steps (and the reset) whose power flow did not converge
  int controller_failures = 0;  ///< steps for which the controller computed no action (ActionStatus::kFailed)
  int fallback_steps = 0;       ///< steps whose action came from the controller's fallback
  bool ends_in_band = true;
};

/// |V|, q and the taps of one episode, step by step.
struct EpisodeTrace {
  long id = 0;           ///< the scenario id (seed or file index)
  Eigen::MatrixXd vm;    ///< (T + 1) x points: |V| after reset and after each step
  Eigen::MatrixXd q;     ///< (T + 1) x actions, MVar
  Eigen::MatrixXd taps;  ///< (T + 1) x regulators (three-phase), pu
};

struct EpisodeOptions {
  int steps = 100;  ///< T
};

/// Sees an episode step by step, as run_episode takes it: for records beyond the trace (a replayed day) and
/// for progress and a stop request within one long episode.
class StepObserver {
 public:
  virtual ~StepObserver() = default;
  /// After the reset (t = 0, `result` null) and after every step t = 1..T. Returning false ends the episode
  /// after this step.
  virtual bool on_step(int t, const Observation& obs, const StepResult* result) = 0;
};

/// Runs one episode of options.steps steps: reset, then T times act and step. With `trace`, also records |V|
/// and q after the reset and after every step; with `observer`, shows it every step. The building block of
/// evaluations, validations, traces and day replays. An episode the observer ends early is summarized over the
/// steps it took.
EpisodeRecord run_episode(Environment& env, Controller& controller, const Scenario& scenario,
                          const EpisodeOptions& options, EpisodeTrace* trace = nullptr,
                          StepObserver* observer = nullptr);

/// The step after which a controller is expected to hold the band (issue targets: "no step out of band after
/// step 5").
inline constexpr int kLateStep = 5;

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
  int late_recoveries = 0;      ///< scenarios with a step outside the band after step kLateStep
  int power_flow_failures = 0;  ///< scenario-steps whose power flow did not converge
  int controller_failures = 0;  ///< scenario-steps for which the controller computed no action
  long fallback_steps = 0;      ///< scenario-steps whose action came from the controller's fallback
};

/// Which episodes of an evaluation are recorded beyond their metrics.
struct TraceOptions {
  int episodes = 0;         ///< the first `episodes` scenarios are traced step by step
  long final_voltages = 0;  ///< the final |V| of the first `final_voltages` scenarios is kept
};

struct EvaluationOptions {
  SeedRange ids{0, 500};
  int steps = 100;
  int threads = 1;  ///< per rank
  TraceOptions trace;
  /// The ranks that share the scenarios (a collective call: every rank evaluates with the same options); none:
  /// this process alone.
  const Communicator* communicator = nullptr;
};

struct Evaluation {
  EvaluationSummary summary;
  std::vector<EpisodeRecord> episodes;
  std::vector<EpisodeTrace> traces;  ///< TraceOptions::episodes of them
  Eigen::MatrixXd final_vm;          ///< TraceOptions::final_voltages x buses
};

/// Every rank of options.communicator returns the whole evaluation.
Evaluation evaluate(const Study& study, const ScenarioSet& scenarios, const ControllerFactory& factory,
                    const EvaluationOptions& options);

/// Aggregates episode records in their order.
EvaluationSummary summarize(const std::vector<EpisodeRecord>& episodes, const std::string& controller,
                            int steps);

/// Writes an episode's trace, atomically, as three CSV files: `path` with scenario,step,bus,phase,vm_pu for every
/// point at every step (step 0: after the reset; phase empty on a balanced network), and beside it
/// <stem>_q.csv with scenario,step,inverter,bus,phase,q_kvar (balanced: q_mvar) and, on a three-phase network
/// with regulators, <stem>_taps.csv with scenario,step,regulator,tap_pu.
void write_trace_csv(const Study& study, const EpisodeTrace& trace, const std::filesystem::path& path);

/// Writes per-episode records as CSV (seed,scenario,transient,steady,final_vmin,final_vmax,...), atomically;
/// `scenario` is the kind (0 low, 1 high voltage) for generated sets and the scenario's name for files.
void write_episodes_csv(const Evaluation& evaluation, const std::string& path);

}  // namespace vvc::core
