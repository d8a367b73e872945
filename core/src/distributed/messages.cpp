#include "vvc/core/distributed/messages.hpp"

namespace vvc::core {

void put(ByteWriter& out, const EpisodeRecord& r) {
  out.put<std::int64_t>(r.id);
  out.put<std::int32_t>(r.kind);
  out.put(r.label);
  out.put(r.status);
  out.put(r.transient);
  out.put(r.steady);
  out.put(r.final_vmin);
  out.put(r.final_vmax);
  out.put<std::int32_t>(r.steps_out_of_band);
  out.put(r.worst_violation);
  out.put(r.discounted_violation);
  out.put<std::int32_t>(r.steps_to_recover);
  out.put<std::int32_t>(r.power_flow_failures);
  out.put<std::int32_t>(r.controller_failures);
  out.put<std::int32_t>(r.fallback_steps);
  out.put(r.ends_in_band);
}

void get(ByteReader& in, EpisodeRecord& r) {
  r.id = in.get<std::int64_t>();
  r.kind = in.get<std::int32_t>();
  r.label = in.text();
  r.status = in.get<EpisodeStatus>();
  r.transient = in.get<double>();
  r.steady = in.get<double>();
  r.final_vmin = in.get<double>();
  r.final_vmax = in.get<double>();
  r.steps_out_of_band = in.get<std::int32_t>();
  r.worst_violation = in.get<double>();
  r.discounted_violation = in.get<double>();
  r.steps_to_recover = in.get<std::int32_t>();
  r.power_flow_failures = in.get<std::int32_t>();
  r.controller_failures = in.get<std::int32_t>();
  r.fallback_steps = in.get<std::int32_t>();
  r.ends_in_band = in.get<bool>();
}

void put(ByteWriter& out, const EpisodeTrace& t) {
  out.put<std::int64_t>(t.id);
  out.put(t.vm);
  out.put(t.q);
  out.put(t.taps);
}

void get(ByteReader& in, EpisodeTrace& t) {
  t.id = in.get<std::int64_t>();
  t.vm = in.matrix();
  t.q = in.matrix();
  t.taps = in.matrix();
}

void put(ByteWriter& out, const Evaluation& e) {
  out.put(e.summary.controller);
  out.put<std::uint64_t>(e.episodes.size());
  for (const auto& r : e.episodes) put(out, r);
  out.put<std::uint64_t>(e.traces.size());
  for (const auto& t : e.traces) put(out, t);
  out.put(e.final_vm);
}

void get(ByteReader& in, Evaluation& e) {
  e.summary.controller = in.text();
  e.episodes.resize(in.get<std::uint64_t>());
  for (auto& r : e.episodes) get(in, r);
  e.traces.resize(in.get<std::uint64_t>());
  for (auto& t : e.traces) get(in, t);
  e.final_vm = in.matrix();
}

void put(ByteWriter& out, const EvaluationSummary& s) {
  out.put(s.controller);
  out.put<std::int32_t>(s.scenarios);
  out.put<std::int32_t>(s.steps);
  out.put(s.transient);
  out.put(s.steady);
  out.put(s.fraction_out_of_band);
  out.put(s.worst_violation);
  out.put(s.mean_steps_to_recover);
  out.put<std::int32_t>(s.final_violations);
  out.put<std::int32_t>(s.late_recoveries);
  out.put<std::int32_t>(s.power_flow_failures);
  out.put<std::int32_t>(s.controller_failures);
  out.put<std::int64_t>(s.fallback_steps);
}

void get(ByteReader& in, EvaluationSummary& s) {
  s.controller = in.text();
  s.scenarios = in.get<std::int32_t>();
  s.steps = in.get<std::int32_t>();
  s.transient = in.get<double>();
  s.steady = in.get<double>();
  s.fraction_out_of_band = in.get<double>();
  s.worst_violation = in.get<double>();
  s.mean_steps_to_recover = in.get<double>();
  s.final_violations = in.get<std::int32_t>();
  s.late_recoveries = in.get<std::int32_t>();
  s.power_flow_failures = in.get<std::int32_t>();
  s.controller_failures = in.get<std::int32_t>();
  s.fallback_steps = in.get<std::int64_t>();
}

void put(ByteWriter& out, const grid::MemorySourceFiles& files) {
  out.put<std::uint64_t>(files.files().size());
  for (const auto& [path, text] : files.files()) {
    out.put(path.string());
    out.put(text);
  }
}

void get(ByteReader& in, grid::MemorySourceFiles& files) {
  const auto count = in.get<std::uint64_t>();
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::string path = in.text();
    files.add(path, in.text());
  }
}

void put(ByteWriter& out, const LearningPoint& p) {
  out.put<std::int32_t>(p.iteration);
  out.put(p.seconds);
  out.put(p.training_cost);
  out.put(p.training_steady);
  out.put(p.objective);
  out.put(p.validation_transient);
  out.put(p.validation_steady);
  out.put(p.gradient_norm);
  out.put<std::int64_t>(p.fallback_steps);
  out.put<std::int64_t>(p.failed_solves);
  out.put<std::int32_t>(p.steps);
  out.put<std::int32_t>(p.power_flow_failures);
  out.put(p.gradient_check_error);
  out.put(p.critic_gradient_check_error);
}

void get(ByteReader& in, LearningPoint& p) {
  p.iteration = in.get<std::int32_t>();
  p.seconds = in.get<double>();
  p.training_cost = in.get<double>();
  p.training_steady = in.get<double>();
  p.objective = in.get<double>();
  p.validation_transient = in.get<double>();
  p.validation_steady = in.get<double>();
  p.gradient_norm = in.get<double>();
  p.fallback_steps = in.get<std::int64_t>();
  p.failed_solves = in.get<std::int64_t>();
  p.steps = in.get<std::int32_t>();
  p.power_flow_failures = in.get<std::int32_t>();
  p.gradient_check_error = in.get<double>();
  p.critic_gradient_check_error = in.get<double>();
}

void put(ByteWriter& out, const TrainingSummary& s) {
  out.put(s.method);
  out.put(s.unit);
  out.put(s.termination);
  out.put<std::int32_t>(s.iterations);
  out.put(s.seconds);
  for (const SeedRange& r : {s.seeds.validation, s.seeds.training}) {
    out.put<std::int64_t>(r.first);
    out.put<std::int64_t>(r.last);
  }
  out.put<std::int64_t>(s.fallback_steps);
  out.put<std::int64_t>(s.failed_solves);
  out.put<std::uint64_t>(s.curve.size());
  for (const auto& p : s.curve) put(out, p);
}

void get(ByteReader& in, TrainingSummary& s) {
  s.method = in.text();
  s.unit = in.get<TrainingUnit>();
  s.termination = in.get<TrainingTermination>();
  s.iterations = in.get<std::int32_t>();
  s.seconds = in.get<double>();
  for (SeedRange* r : {&s.seeds.validation, &s.seeds.training}) {
    r->first = in.get<std::int64_t>();
    r->last = in.get<std::int64_t>();
  }
  s.fallback_steps = in.get<std::int64_t>();
  s.failed_solves = in.get<std::int64_t>();
  s.curve.resize(in.get<std::uint64_t>());
  for (auto& p : s.curve) get(in, p);
}

}  // namespace vvc::core
