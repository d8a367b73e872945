#include "vvc/core/env/evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "vvc/common/csv.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"
#include "vvc/common/parallel.hpp"
#include "vvc/core/distributed/messages.hpp"

namespace vvc::core {

const char* to_string(ActionStatus status) {
  switch (status) {
    case ActionStatus::kNominal:
      return "nominal";
    case ActionStatus::kFallback:
      return "fallback";
    case ActionStatus::kFailed:
      return "failed";
  }
  return "unknown";
}

const char* to_string(EpisodeStatus status) {
  switch (status) {
    case EpisodeStatus::kCompleted:
      return "completed";
    case EpisodeStatus::kStepFailures:
      return "step failures";
    case EpisodeStatus::kResetFailed:
      return "reset failed";
  }
  return "unknown";
}

namespace {

void record_step(EpisodeTrace* trace, int t, const Observation& obs) {
  if (trace == nullptr) return;
  trace->vm.row(t) = obs.vm.transpose();
  trace->q.row(t) = obs.q.transpose();
  trace->taps.row(t) = obs.taps.transpose();
}

}  // namespace

EpisodeRecord run_episode(Environment& env, Controller& controller, const Scenario& scenario,
                          const EpisodeOptions& options, EpisodeTrace* trace, StepObserver* observer) {
  int steps = options.steps;
  EpisodeRecord rec;
  rec.id = scenario.seed;
  rec.kind = scenario.kind;
  rec.label = scenario.label;
  const Observation& obs = env.reset(scenario);
  if (!env.reset_ok()) ++rec.power_flow_failures;
  if (trace != nullptr) {
    trace->id = scenario.seed;
    trace->vm.resize(steps + 1, obs.vm.size());
    trace->q.resize(steps + 1, obs.q.size());
    trace->taps.resize(steps + 1, obs.taps.size());
  }
  record_step(trace, 0, obs);
  if (observer != nullptr && !observer->on_step(0, obs, nullptr)) steps = 0;
  controller.reset(obs, scenario);
  Eigen::VectorXd action(env.study().num_inverters());
  const double gamma = env.study().discount;
  double discount = 1.0;
  int last_out = 0;
  for (int t = 1; t <= steps; ++t) {
    const ActionStatus status = controller.act(obs, action);
    if (status == ActionStatus::kFallback) ++rec.fallback_steps;
    if (status == ActionStatus::kFailed) ++rec.controller_failures;
    const StepResult& r = env.step(action, controller.rule(), controller.alpha());
    record_step(trace, t, obs);
    discount *= gamma;
    rec.transient += discount * r.cost;
    rec.steady = r.cost;
    rec.discounted_violation += discount * r.max_violation;
    if (r.power_flow != grid::PowerFlowStatus::kConverged) ++rec.power_flow_failures;
    if (!r.in_band) {
      ++rec.steps_out_of_band;
      last_out = t;
      rec.worst_violation = std::max(rec.worst_violation, r.max_violation);
    }
    if (observer != nullptr && !observer->on_step(t, obs, &r)) steps = t;
  }
  rec.steps_to_recover = last_out + 1;
  rec.ends_in_band = last_out < steps;
  rec.final_vmin = HUGE_VAL;
  rec.final_vmax = -HUGE_VAL;
  for (const int p : env.study().monitored) {
    rec.final_vmin = std::min(rec.final_vmin, obs.vm[p]);
    rec.final_vmax = std::max(rec.final_vmax, obs.vm[p]);
  }
  if (!env.reset_ok()) {
    rec.status = EpisodeStatus::kResetFailed;
  } else if (rec.power_flow_failures > 0 || rec.controller_failures > 0) {
    rec.status = EpisodeStatus::kStepFailures;
  }
  return rec;
}

EvaluationSummary summarize(const std::vector<EpisodeRecord>& episodes, const std::string& controller,
                            int steps) {
  EvaluationSummary s;
  s.controller = controller;
  s.scenarios = static_cast<int>(episodes.size());
  s.steps = steps;
  long out_steps = 0;
  double recover = 0.0;
  for (const auto& e : episodes) {  // fixed order: identical sums for any thread count
    s.transient += e.transient;
    s.steady += e.steady;
    out_steps += e.steps_out_of_band;
    recover += e.steps_to_recover;
    s.worst_violation = std::max(s.worst_violation, e.worst_violation);
    s.final_violations += e.ends_in_band ? 0 : 1;
    s.late_recoveries += e.steps_to_recover > kLateStep ? 1 : 0;
    s.power_flow_failures += e.power_flow_failures;
    s.controller_failures += e.controller_failures;
    s.fallback_steps += e.fallback_steps;
  }
  const double count = std::max<double>(1.0, static_cast<double>(episodes.size()));
  s.transient /= count;
  s.steady /= count;
  s.mean_steps_to_recover = recover / count;
  s.fraction_out_of_band = static_cast<double>(out_steps) / (count * steps);
  return s;
}

namespace {

/// The ranks' shares of the scenarios, each evaluated alone, gathered in id order.
Evaluation evaluate_shared(const Study& study, const ScenarioSet& scenarios, const ControllerFactory& factory,
                           const EvaluationOptions& options) {
  const long traced = std::max(0, options.trace.episodes);
  const long finals = std::max(0L, options.trace.final_voltages);
  const std::vector<std::string> parts =
      gather_shares(*options.communicator, static_cast<int>(options.ids.size()), [&](int first, int last) {
        EvaluationOptions mine = options;
        mine.communicator = nullptr;
        mine.ids = {options.ids.first + first, options.ids.first + last};
        mine.trace.episodes = static_cast<int>(std::clamp<long>(traced - first, 0, last - first));
        mine.trace.final_voltages = std::clamp<long>(finals - first, 0, last - first);
        ByteWriter out;
        put(out, evaluate(study, scenarios, factory, mine));
        return out.bytes();
      });
  Evaluation out;
  std::vector<Eigen::MatrixXd> final_blocks;
  Eigen::Index final_rows = 0;
  for (const std::string& part : parts) {
    ByteReader in(part);
    Evaluation ev;
    get(in, ev);
    VVC_ASSERT(in.done());
    if (out.summary.controller.empty()) out.summary.controller = ev.summary.controller;
    for (auto& e : ev.episodes) out.episodes.push_back(std::move(e));
    for (auto& t : ev.traces) out.traces.push_back(std::move(t));
    final_rows += ev.final_vm.rows();
    final_blocks.push_back(std::move(ev.final_vm));
  }
  out.final_vm.resize(final_rows, study.num_points());
  Eigen::Index row = 0;
  for (const auto& block : final_blocks) {
    if (block.rows() > 0) out.final_vm.middleRows(row, block.rows()) = block;
    row += block.rows();
  }
  out.summary = summarize(out.episodes, out.summary.controller, options.steps);
  return out;
}

}  // namespace

Evaluation evaluate(const Study& study, const ScenarioSet& scenarios, const ControllerFactory& factory,
                    const EvaluationOptions& options) {
  if (options.communicator != nullptr && options.communicator->size() > 1) {
    return evaluate_shared(study, scenarios, factory, options);
  }
  const int count = static_cast<int>(options.ids.size());
  Evaluation out;
  out.episodes.resize(static_cast<size_t>(count));
  const int traced = std::clamp(options.trace.episodes, 0, count);
  const long finals = std::clamp<long>(options.trace.final_voltages, 0, count);
  out.traces.resize(static_cast<size_t>(traced));
  out.final_vm.resize(finals, study.num_points());
  const int threads = std::max(1, std::min(options.threads, count));
  std::vector<std::unique_ptr<Environment>> envs;
  std::vector<std::unique_ptr<Controller>> controllers;
  for (int w = 0; w < threads; ++w) {
    envs.push_back(std::make_unique<Environment>(study));
    controllers.push_back(factory());
  }
  const EpisodeOptions episode{options.steps};
  parallel_for(count, threads, [&](int worker, int i) {
    const long id = options.ids.first + i;
    const Scenario scenario = scenarios.make(id);
    Environment& env = *envs[static_cast<size_t>(worker)];
    EpisodeTrace* trace = i < traced ? &out.traces[static_cast<size_t>(i)] : nullptr;
    EpisodeRecord rec = run_episode(env, *controllers[static_cast<size_t>(worker)], scenario, episode, trace);
    rec.id = id;
    if (trace != nullptr) trace->id = id;
    if (i < finals) out.final_vm.row(i) = env.observation().vm.transpose();
    out.episodes[static_cast<size_t>(i)] = rec;
  });
  out.summary = summarize(out.episodes, controllers.front()->name(), options.steps);
  return out;
}

void write_trace_csv(const Study& study, const EpisodeTrace& trace, const std::filesystem::path& path) {
  const bool three_phase = study.three_phase();
  std::ostringstream vm, q, taps;
  vm << std::setprecision(17) << "scenario,step,bus,phase,vm_pu\n";
  q << std::setprecision(17) << "scenario,step,inverter,bus,phase," << (three_phase ? "q_kvar" : "q_mvar")
    << "\n";
  taps << std::setprecision(17) << "scenario,step,regulator,tap_pu\n";
  const auto phase = [](int p) { return p > 0 ? std::to_string(p) : std::string(); };
  for (Eigen::Index t = 0; t < trace.vm.rows(); ++t) {
    for (int p = 0; p < study.num_points(); ++p) {
      const VoltagePoint& point = study.points[static_cast<size_t>(p)];
      vm << trace.id << ',' << t << ',' << point.bus << ',' << phase(point.phase) << ',' << trace.vm(t, p)
         << '\n';
    }
    for (int i = 0; i < study.num_inverters(); ++i) {
      const Inverter& inv = study.inverters[static_cast<size_t>(i)];
      const std::string& bus = three_phase ? study.phase_network.buses[static_cast<size_t>(inv.bus)].name
                                           : study.network.buses[static_cast<size_t>(inv.bus)].name;
      q << trace.id << ',' << t << ',' << inv.generator << ',' << bus << ',' << phase(inv.phase) << ','
        << trace.q(t, i) * (three_phase ? 1000.0 : 1.0) << '\n';
    }
    for (Eigen::Index r = 0; r < trace.taps.cols(); ++r) {
      taps << trace.id << ',' << t << ',' << study.phase_network.regulators[static_cast<size_t>(r)].name
           << ',' << trace.taps(t, r) << '\n';
    }
  }
  const std::filesystem::path stem = path.parent_path() / path.stem();
  write_file_atomically(path.string(), vm.str());
  write_file_atomically(stem.string() + "_q.csv", q.str());
  if (trace.taps.cols() > 0) write_file_atomically(stem.string() + "_taps.csv", taps.str());
}

void write_episodes_csv(const Evaluation& evaluation, const std::string& path) {
  std::ostringstream out;
  out << std::setprecision(17);
  out << "seed,scenario,transient,steady,final_vmin,final_vmax,steps_out_of_band,worst_violation,"
         "steps_to_recover,power_flow_failures,controller_failures,fallback_steps\n";
  for (const auto& e : evaluation.episodes) {
    const std::string scenario = e.kind >= 0 ? std::to_string(e.kind) : csv_field(e.label);
    out << e.id << ',' << scenario << ',' << e.transient << ',' << e.steady << ',' << e.final_vmin << ','
        << e.final_vmax << ',' << e.steps_out_of_band << ',' << e.worst_violation << ',' << e.steps_to_recover
        << ',' << e.power_flow_failures << ',' << e.controller_failures << ',' << e.fallback_steps << '\n';
  }
  write_file_atomically(path, out.str());
}

}  // namespace vvc::core
