#include "vvc/core/diffop/policy_io.hpp"

#include <limits>
#include <nlohmann/json.hpp>

#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"
#include "vvc/common/json_io.hpp"

namespace vvc::core {

using nlohmann::json;

namespace {

// nlohmann::json prints doubles with max_digits10 (17) significant digits: exact round trips.
json vector_json(const Eigen::VectorXd& v) {
  return json(std::vector<double>(v.data(), v.data() + v.size()));
}

Eigen::VectorXd json_vector(const JsonNode& node) {
  const std::vector<double> values = node.numbers();
  return Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
}

json number_or_null(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }
/// A finite number, or NaN for null.
double null_or_number(const JsonNode& node) {
  return node.is_null() ? std::numeric_limits<double>::quiet_NaN() : node.number();
}

json curve_json(const std::vector<LearningPoint>& curve) {
  json out = json::array();
  for (const auto& p : curve) {
    out.push_back({{"iteration", p.iteration},
                   {"rollout_transient", p.training_cost},
                   {"rollout_steady", p.training_steady},
                   {"validation_transient", number_or_null(p.validation_transient)},
                   {"validation_steady", number_or_null(p.validation_steady)},
                   {"gradient_norm", p.gradient_norm},
                   {"seconds", p.seconds},
                   {"fallback_steps", p.fallback_steps}});
  }
  return out;
}

constexpr int kIntMax = std::numeric_limits<int>::max();

std::vector<LearningPoint> json_curve(const JsonNode& node) {
  std::vector<LearningPoint> out;
  for (const JsonNode& e : node.elements()) {
    e.allow_only({"iteration", "rollout_transient", "rollout_steady", "validation_transient",
                  "validation_steady", "gradient_norm", "seconds", "fallback_steps"});
    LearningPoint p;
    p.iteration = e.at("iteration").integer(0, kIntMax);
    p.training_cost = e.at("rollout_transient").number();
    p.training_steady = e.at("rollout_steady").number();
    p.validation_transient = null_or_number(e.at("validation_transient"));
    p.validation_steady = null_or_number(e.at("validation_steady"));
    p.gradient_norm = e.at("gradient_norm").number();
    p.seconds = e.at("seconds").number();
    p.fallback_steps = e.at("fallback_steps").integer(0L, std::numeric_limits<long>::max());
    out.push_back(p);
  }
  return out;
}

json policy_json(const PolicyFile& p) {
  const auto& t = p.training;
  json j = {
      {"format", "vvc.policy"},
      {"version", 1},
      {"kind", "diffop"},
      {"study", {{"name", p.study_name}, {"path", p.study_path}}},
      {"inverters", p.inverters},
      {"inverter_buses", p.inverter_buses},
      {"modelled_buses", p.modelled_buses},
      {"mode", to_string(p.structure.mode)},
      {"horizon", p.structure.horizon},
      {"episode_steps", p.structure.episode_steps},
      {"discount", p.structure.discount},
      {"parameters",
       {{"layout",
         "lambda (inverter block Cholesky factor, row-major lower triangle, scale 0.1), omega (other "
         "modelled rows x inverters, scale 0.05), a (log cost-weight factors), b (log move penalties)"},
        {"theta", vector_json(p.theta)}}},
      {"solver",
       {{"qp", "dense Goldfarb-Idnani"}, {"fallback", "exact L1 penalty"}, {"soft_penalty_rho", 1e4}}},
      {"training",
       {{"seed", t.seed},
        {"iterations", p.iterations_done},
        {"scenarios_per_iteration", t.scenarios_per_iteration},
        {"noise_draws", t.noise_draws},
        {"sigma", t.sigma},
        {"beta", t.beta},
        {"learning_rate", t.adam.learning_rate},
        {"validation_scenarios", t.validation.scenarios},
        {"seconds", p.training_seconds},
        {"curve", curve_json(p.curve)}}},
  };
  if (p.evaluation) {
    const auto& e = *p.evaluation;
    j["evaluation"] = {
        {"seeds", std::to_string(p.evaluation_seeds.first) + ":" + std::to_string(p.evaluation_seeds.last)},
        {"steps", e.steps},
        {"transient", e.transient},
        {"steady", e.steady},
        {"fraction_out_of_band", e.fraction_out_of_band},
        {"worst_violation", e.worst_violation},
        {"final_violations", e.final_violations},
        {"power_flow_failures", e.power_flow_failures}};
  }
  return j;
}

PolicyFile policy_from_json(const JsonNode& root) {
  root.allow_only({"format", "version", "kind", "study", "inverters", "inverter_buses", "modelled_buses",
                   "mode", "horizon", "episode_steps", "discount", "parameters", "solver", "training",
                   "evaluation"});
  root.expect_format("vvc.policy", 1);
  root.at("kind").one_of({"diffop"});
  PolicyFile p;
  const JsonNode study = root.at("study");
  study.allow_only({"name", "path"});
  p.study_name = study.at("name").string();
  p.study_path = study.at("path").string();
  p.inverters = root.at("inverters").strings();
  p.inverter_buses = root.at("inverter_buses").strings();
  p.modelled_buses = root.at("modelled_buses").strings();
  p.structure.mode =
      root.at("mode").choice<DiffOpMode>({{"step", DiffOpMode::kStep}, {"traj", DiffOpMode::kTraj}});
  p.structure.horizon = root.at("horizon").integer(1, kMaxStudySteps);
  p.structure.episode_steps = root.at("episode_steps").integer(1, kMaxStudySteps);
  p.structure.discount = root.at("discount").number();
  const JsonNode params = root.at("parameters");
  params.allow_only({"layout", "theta"});
  p.theta = json_vector(params.at("theta"));
  const JsonNode tr = root.at("training");
  tr.allow_only({"seed", "iterations", "scenarios_per_iteration", "noise_draws", "sigma", "beta",
                 "learning_rate", "validation_scenarios", "seconds", "curve"});
  p.training.seed = tr.at("seed").integer<std::uint64_t>(0, std::numeric_limits<std::uint64_t>::max());
  p.iterations_done = tr.at("iterations").integer(0, kIntMax);
  p.training.iterations = p.iterations_done;
  p.training.scenarios_per_iteration = tr.at("scenarios_per_iteration").integer(0, kIntMax);
  p.training.noise_draws = tr.at("noise_draws").integer(0, kIntMax);
  p.training.sigma = tr.at("sigma").number();
  p.training.beta = tr.at("beta").number();
  p.training.adam.learning_rate = tr.at("learning_rate").number();
  p.training.validation.scenarios = tr.at("validation_scenarios").integer(0, kIntMax);
  p.training_seconds = tr.at("seconds").number();
  p.curve = json_curve(tr.at("curve"));
  if (const auto ev = root.find("evaluation")) {
    ev->allow_only({"seeds", "steps", "transient", "steady", "fraction_out_of_band", "worst_violation",
                    "final_violations", "power_flow_failures"});
    EvaluationSummary e;
    e.controller = "diffop-" + to_string(p.structure.mode);
    const JsonNode seeds = ev->at("seeds");
    p.evaluation_seeds = parse_seed_range(seeds.string(), seeds.source() + ": " + seeds.path());
    if (p.evaluation_seeds.size() > kIntMax)
      seeds.fail_expected("at most " + std::to_string(kIntMax) + " seeds");
    e.scenarios = static_cast<int>(p.evaluation_seeds.size());
    e.steps = ev->at("steps").integer(0, kIntMax);
    e.transient = ev->at("transient").number();
    e.steady = ev->at("steady").number();
    e.fraction_out_of_band = ev->at("fraction_out_of_band").number();
    e.worst_violation = ev->at("worst_violation").number();
    e.final_violations = ev->at("final_violations").integer(0, kIntMax);
    e.power_flow_failures = ev->at("power_flow_failures").integer(0, kIntMax);
    p.evaluation = e;
  }
  return p;
}

}  // namespace

PolicyFile describe_policy(const DiffOpModel& model, const Eigen::VectorXd& theta) {
  PolicyFile p;
  const Study& study = model.study();
  p.study_name = study.name;
  p.study_path = study.path.string();
  for (const auto& inv : study.inverters) {
    p.inverters.push_back(inv.generator);
    p.inverter_buses.push_back(study.network.buses[static_cast<size_t>(inv.bus)].name);
  }
  for (int b : model.modelled_buses())
    p.modelled_buses.push_back(study.network.buses[static_cast<size_t>(b)].name);
  p.structure = model.structure();
  p.theta = theta;
  return p;
}

std::string policy_to_json(const PolicyFile& policy) { return policy_json(policy).dump(2) + "\n"; }

void write_policy(const PolicyFile& policy, const std::filesystem::path& path) {
  write_file_atomically(path, policy_to_json(policy));
}

PolicyFile parse_policy(const std::string& text, const std::string& source) {
  return policy_from_json(JsonDocument(text, source).root());
}

PolicyFile read_policy(const std::filesystem::path& path) {
  return parse_policy(read_text_file(path), path.string());
}

void check_policy_matches(const PolicyFile& policy, const DiffOpModel& model, const std::string& source) {
  const PolicyFile expected = describe_policy(model, Eigen::VectorXd());
  if (policy.inverters != expected.inverters) {
    throw InputError::at_path(source, "/inverters", "the policy's inverters differ from the study's");
  }
  if (policy.modelled_buses != expected.modelled_buses) {
    throw InputError::at_path(source, "/modelled_buses",
                              "the policy's modelled buses differ from the study's network");
  }
  if (policy.theta.size() != model.num_parameters()) {
    throw InputError::at_path(source, "/parameters/theta",
                              "expected " + std::to_string(model.num_parameters()) + " parameters, got " +
                                  std::to_string(policy.theta.size()));
  }
}

void write_checkpoint(const TrainerState& state, const PolicyFile& meta, const std::filesystem::path& path) {
  PolicyFile m = meta;
  m.curve = state.curve;
  m.iterations_done = state.iteration;
  m.theta = state.theta;
  json j = {{"format", "vvc.checkpoint"},
            {"version", 1},
            {"policy", policy_json(m)},
            {"iteration", state.iteration},
            {"adam_m", vector_json(state.adam.m)},
            {"adam_v", vector_json(state.adam.v)},
            {"adam_steps", state.adam.steps},
            {"best_theta", vector_json(state.best_theta)},
            {"best_validation", number_or_null(state.best_validation)},
            {"total_iterations", meta.training.iterations}};
  write_file_atomically(path, j.dump(1) + "\n");
}

TrainerState read_checkpoint(const std::filesystem::path& path, PolicyFile& meta) {
  const JsonDocument document(read_text_file(path), path.string());
  const JsonNode root = document.root();
  root.allow_only({"format", "version", "policy", "iteration", "adam_m", "adam_v", "adam_steps", "best_theta",
                   "best_validation", "total_iterations"});
  root.expect_format("vvc.checkpoint", 1);
  meta = policy_from_json(root.at("policy"));
  meta.training.iterations = root.at("total_iterations").integer(0, kIntMax);
  TrainerState st;
  st.iteration = root.at("iteration").integer(0, kIntMax);
  st.theta = meta.theta;
  st.adam.m = json_vector(root.at("adam_m"));
  st.adam.v = json_vector(root.at("adam_v"));
  // Checkpoints written before the step count was stored took exactly one Adam step per iteration.
  const auto steps = root.find("adam_steps");
  st.adam.steps = steps ? steps->integer(0L, std::numeric_limits<long>::max()) : st.iteration;
  st.best_theta = json_vector(root.at("best_theta"));
  st.best_validation = null_or_number(root.at("best_validation"));
  if (!std::isfinite(st.best_validation)) st.best_validation = std::numeric_limits<double>::infinity();
  st.curve = meta.curve;
  if (st.adam.m.size() != st.theta.size() || st.adam.v.size() != st.theta.size()) {
    root.at("adam_m").fail("the optimizer state does not match the parameter count");
  }
  return st;
}

}  // namespace vvc::core
