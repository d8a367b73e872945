#include "vvc/core/env/evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "vvc/common/files.hpp"
#include "vvc/common/parallel.hpp"

namespace vvc::core {

EpisodeRecord run_episode(Environment& env, Controller& controller, const Scenario& scenario, int steps) {
  EpisodeRecord rec;
  rec.id = scenario.seed;
  rec.kind = scenario.kind;
  rec.label = scenario.label;
  const Observation& obs = env.reset(scenario);
  if (!env.reset_ok()) ++rec.power_flow_failures;
  controller.reset(obs, scenario);
  Eigen::VectorXd action(env.study().num_inverters());
  const double gamma = env.study().discount;
  double discount = 1.0;
  int last_out = 0;
  for (int t = 1; t <= steps; ++t) {
    controller.act(obs, action);
    const StepResult& r = env.step(action, controller.rule(), controller.alpha());
    discount *= gamma;
    rec.transient += discount * r.cost;
    rec.steady = r.cost;
    if (r.power_flow != grid::PowerFlowStatus::kConverged) ++rec.power_flow_failures;
    if (!r.in_band) {
      ++rec.steps_out_of_band;
      last_out = t;
      rec.worst_violation = std::max(rec.worst_violation, r.max_violation);
    }
  }
  rec.steps_to_recover = last_out + 1;
  rec.ends_in_band = last_out < steps;
  rec.final_vmin = obs.vm.minCoeff();
  rec.final_vmax = obs.vm.maxCoeff();
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
    s.power_flow_failures += e.power_flow_failures;
  }
  const double count = std::max<double>(1.0, static_cast<double>(episodes.size()));
  s.transient /= count;
  s.steady /= count;
  s.mean_steps_to_recover = recover / count;
  s.fraction_out_of_band = static_cast<double>(out_steps) / (count * steps);
  return s;
}

Evaluation evaluate(const Study& study, const ScenarioSet& scenarios, const ControllerFactory& factory,
                    const EvaluationOptions& options) {
  const int count = static_cast<int>(options.ids.size());
  Evaluation out;
  out.episodes.resize(static_cast<size_t>(count));
  const int threads = std::max(1, std::min(options.threads, count));
  std::vector<std::unique_ptr<Environment>> envs;
  std::vector<std::unique_ptr<Controller>> controllers;
  for (int w = 0; w < threads; ++w) {
    envs.push_back(std::make_unique<Environment>(study));
    controllers.push_back(factory());
  }
  parallel_for(count, threads, [&](int worker, int i) {
    const Scenario scenario = scenarios.make(options.ids.first + i);
    EpisodeRecord rec = run_episode(*envs[static_cast<size_t>(worker)],
                                    *controllers[static_cast<size_t>(worker)], scenario, options.steps);
    rec.id = options.ids.first + i;
    out.episodes[static_cast<size_t>(i)] = rec;
  });
  out.summary = summarize(out.episodes, controllers.front()->name(), options.steps);
  return out;
}

void write_episodes_csv(const Evaluation& evaluation, const std::string& path) {
  std::ostringstream out;
  out << std::setprecision(17);
  out << "seed,scenario,transient,steady,final_vmin,final_vmax,steps_out_of_band,worst_violation,steps_to_"
         "recover,"
         "power_flow_failures\n";
  for (const auto& e : evaluation.episodes) {
    std::string scenario = e.kind >= 0 ? std::to_string(e.kind) : e.label;
    if (scenario.find_first_of(",\"") != std::string::npos) {
      std::string quoted = "\"";
      for (char ch : scenario) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      scenario = quoted + "\"";
    }
    out << e.id << ',' << scenario << ',' << e.transient << ',' << e.steady << ',' << e.final_vmin << ','
        << e.final_vmax << ',' << e.steps_out_of_band << ',' << e.worst_violation << ',' << e.steps_to_recover
        << ',' << e.power_flow_failures << '\n';
  }
  write_file_atomically(path, out.str());
}

}  // namespace vvc::core
