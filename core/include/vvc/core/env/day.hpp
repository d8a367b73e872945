// A day replayed (docs/formats/day.md): a measured day of load and PV samples applied as multipliers to a
// three-phase study's elements (or the script's own daily load shapes), one control step per sample, and what
// an operator reads from it.
//
// Multipliers of sample k, each column divided by its mean over the whole file (so that a shortened replay
// applies the same multipliers as the whole day):
//   m_P(k) = load_p(k) / mean(load_p),   m_Q(k) = load_q(k) / mean(load_q),   m_PV(k) = pv_p(k) / mean(pv_p)
// or, normalized by the peak (DayNormalization::kPeak, for scripts whose powers are peak values, as the IEEE
// 8500-node feeder's design loads and a PV system's Pmpp are), by its largest value instead of its mean.
// Element powers at sample k: every load P x m_P(k) + j Q x m_Q(k) (P + jQ its power in the script); every
// inverter phase and every other PV system P_pv x m_PV(k), with P_pv its active power in the script, or
// DayOptions::pv_kw when the script gives it none (the inverters a study creates by bus and phases); other
// generators as in the script.
//
// A study may take its scenarios from a day profile (scenarios type "day", make_day_scenarios): windows of the
// day, scenario k's step t at sample (k + t) x stride, with the same multipliers.
//
// The episode (run_episode): the reset solves sample s_0 with every q = 0; step t = 1..N applies the action the
// controller computed from the last measurement to sample s_{t-1} (s_j = j x stride), so each replayed sample is
// solved once under control. Per step: the lowest and highest |V| over the monitored node-phases, the
// node-phases outside the band, the inverters' q, the losses and the study's per-step cost. Over the day, with
// dt_t the time from sample s_{t-1} to the next replayed one (the last step: the interval before it):
//   kvar-hours = sum_t sum_i |q_i,t| dt_t / 3600 (kvar),   kWh of losses = sum_t P_loss,t dt_t / 3600 (kW).
#pragma once

#include <Eigen/Dense>
#include <filesystem>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "vvc/core/env/controller.hpp"
#include "vvc/core/env/scenarios.hpp"

namespace vvc::core {

/// A day profile (CSV header `sample,time_s,load_p,load_q,pv_p`): samples in file order.
struct DayProfile {
  std::string source;  ///< the file, for messages
  std::vector<double> time_s, load_p, load_q, pv_p;
  long samples() const { return static_cast<long>(time_s.size()); }
};

/// Reads a day profile. Throws InputError "<file>:<line>: <message>" for a wrong header, a row with another
/// number of cells, a cell that is not a decimal number, a sample number out of sequence, a time that does not
/// increase, a negative load or PV value, a column whose mean is not positive, fewer than two or more than
/// kMaxStudySteps samples.
DayProfile read_day_profile(const std::filesystem::path& path);
DayProfile parse_day_profile(std::istream& in, const std::string& source);

/// The element powers of a day profile's samples on a three-phase study (the multipliers above).
class DayElements {
 public:
  /// `pv_kw` and `normalize` as DayOptions's; `profile` must outlive this. Throws InputError as
  /// make_day_scenario does for a balanced study or pv_kw < 0.
  DayElements(const Study& study, const DayProfile& profile, double pv_kw,
              DayNormalization normalize = DayNormalization::kMean);
  /// Every element's power at `sample` (0 <= sample < the profile's samples), MW + j MVar.
  Eigen::VectorXcd at(long sample) const;

 private:
  const DayProfile* profile_;
  Eigen::VectorXcd base_;
  std::vector<ElementRole> role_;
  double scale_p_ = 1.0, scale_q_ = 1.0, scale_pv_ = 1.0;  ///< the divisors of the columns
};

struct DayOptions {
  int stride = 1;  ///< replay every stride-th sample
  long steps = 0;  ///< at most this many steps; 0: every replayed sample
  /// kW per inverter phase at m_PV = 1 when the script gives the inverter no active power.
  double pv_kw = 100.0;
  DayNormalization normalize = DayNormalization::kMean;
};

/// The day as a scenario of a study: element_series[0] is sample s_0 (the reset), element_series[t] sample
/// s_{t-1} (step t).
struct DayScenario {
  Scenario scenario;
  int steps = 0;
  Eigen::VectorXd time_s;  ///< per step: the time of its sample
  Eigen::VectorXd dt_s;    ///< per step: the time it stands for (dt_t above)
};
/// Throws InputError for a balanced study (the replay runs on the three-phase power flow), a stride < 1,
/// steps < 0 or pv_kw < 0.
DayScenario make_day_scenario(const Study& study, const DayProfile& profile, const DayOptions& options);

/// The script's own daily load shapes as a day (what the study's "loadshape" scenarios step through, OpenDSS's
/// daily mode): sample k is shape point k (DailyShapes::at), k x interval apart, over the longest shape's points;
/// pv_kw does not apply. Throws InputError as make_day_scenario, and when no element has a daily shape.
DayScenario make_loadshape_day(const Study& study, const DayOptions& options);

/// The study's "day" scenarios (docs/formats/study.md): its day profile (ScenarioSource::text) cut into windows.
/// With stride s and T the study's steps, scenario k's reset is sample k x s and its step t sample (k + t) x s
/// (the element powers of DayElements); the ids run over the windows that lie inside the day, 0 to
/// floor((samples - 1) / s) - T. Throws InputError naming the study and the day file for a profile too short
/// for one window.
std::unique_ptr<ScenarioSet> make_day_scenarios(const Study& study);

struct DaySummary {
  std::string controller;
  int steps = 0;                   ///< steps taken (fewer than the day's when stopped)
  int steps_out_of_band = 0;       ///< steps with some monitored node-phase outside the band
  long node_phase_violations = 0;  ///< sum over steps of the monitored node-phases outside the band
  double worst_violation = 0.0;    ///< pu
  double kvar_hours = 0.0;         ///< sum of |q| dt over inverter phases
  double losses_kwh = 0.0;         ///< sum of the losses dt
  double cost = 0.0;               ///< sum of the study's per-step costs
  int power_flow_failures = 0;     ///< steps (and the reset) whose power flow did not converge
  int controller_failures = 0;     ///< steps without an action
  int fallback_steps = 0;          ///< steps whose action came from the controller's fallback
  double cpu_seconds = 0.0;        ///< the replay's thread CPU time
};

/// One controller's day, step by step (index t - 1 for step t).
struct DayReplay {
  DaySummary summary;
  Eigen::VectorXd time_s;
  Eigen::VectorXd vmin, vmax;                ///< over the monitored node-phases, pu
  Eigen::VectorXi violations;                ///< monitored node-phases outside the band
  Eigen::VectorXd q_total_kvar, q_abs_kvar;  ///< sum of q and of |q| over the inverter phases
  Eigen::VectorXd losses_kw;
  Eigen::VectorXd cost;
  Eigen::MatrixXd q_kvar;  ///< steps x inverter phases
  bool stopped = false;    ///< `progress` asked to stop: the vectors hold summary.steps entries
};

/// Called every kDayProgressEvery steps and at the end with (steps done, steps); returning false stops the
/// replay after the step under way.
using DayProgress = std::function<bool(int done, int total)>;
inline constexpr int kDayProgressEvery = 256;

/// Replays the day under one controller: one episode of run_episode in a fresh environment. Deterministic; once
/// the environment is warm, a step allocates nothing.
DayReplay replay_day(const Study& study, const DayScenario& day, Controller& controller,
                     const DayProgress& progress = {});

/// Writes the replays' steps as CSV, atomically: controller,step,time_s,vmin_pu,vmax_pu,out_of_band,
/// violations,q_total_kvar,q_abs_kvar,losses_kw,cost (17 significant digits).
void write_day_csv(const std::vector<DayReplay>& replays, const std::filesystem::path& path);

}  // namespace vvc::core
