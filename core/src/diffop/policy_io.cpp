#include "vvc/core/diffop/policy_io.hpp"

#include <limits>

#include "json_fields_io.hpp"
#include "vvc/common/files.hpp"

namespace vvc::core {

using nlohmann::json;

namespace {

// nlohmann::json prints doubles with max_digits10 (17) significant digits: exact round trips.
json vector_json(const Eigen::VectorXd& v) {
  return json(std::vector<double>(v.data(), v.data() + v.size()));
}

Eigen::VectorXd json_vector(const detail::JsonFields& f, const std::string& key) {
  const auto& a = f.array(key);
  Eigen::VectorXd v(static_cast<Eigen::Index>(a.size()));
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_number()) f.fail(key + "/" + std::to_string(i), "expected a number");
    v[static_cast<Eigen::Index>(i)] = a[i].get<double>();
  }
  return v;
}

std::vector<std::string> json_strings(const detail::JsonFields& f, const std::string& key) {
  std::vector<std::string> out;
  const auto& a = f.array(key);
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_string()) f.fail(key + "/" + std::to_string(i), "expected a string");
    out.push_back(a[i].get<std::string>());
  }
  return out;
}

json number_or_null(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }
double null_or_number(const json& j) {
  return j.is_number() ? j.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

json curve_json(const std::vector<TrainingProgress>& curve) {
  json out = json::array();
  for (const auto& p : curve) {
    out.push_back({{"iteration", p.iteration},
                   {"rollout_transient", p.rollout_transient},
                   {"rollout_steady", p.rollout_steady},
                   {"validation_transient", number_or_null(p.validation_transient)},
                   {"validation_steady", number_or_null(p.validation_steady)},
                   {"gradient_norm", p.gradient_norm},
                   {"seconds", p.seconds},
                   {"fallback_steps", p.fallback_steps}});
  }
  return out;
}

std::vector<TrainingProgress> json_curve(const detail::JsonFields& f, const std::string& key) {
  std::vector<TrainingProgress> out;
  const auto& a = f.array(key);
  for (size_t i = 0; i < a.size(); ++i) {
    const detail::JsonFields e(a[i], f.source(), f.path_of(key) + "/" + std::to_string(i));
    e.only({"iteration", "rollout_transient", "rollout_steady", "validation_transient", "validation_steady",
            "gradient_norm", "seconds", "fallback_steps"});
    TrainingProgress p;
    p.iteration = static_cast<int>(e.integer("iteration"));
    p.rollout_transient = e.number("rollout_transient");
    p.rollout_steady = e.number("rollout_steady");
    p.validation_transient = null_or_number(e.at("validation_transient"));
    p.validation_steady = null_or_number(e.at("validation_steady"));
    p.gradient_norm = e.number("gradient_norm");
    p.seconds = e.number("seconds");
    p.fallback_steps = e.integer("fallback_steps");
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
        {"learning_rate", t.learning_rate},
        {"validation_scenarios", t.validation_scenarios},
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

PolicyFile policy_from_json(const json& doc, const std::string& src) {
  const detail::JsonFields root(doc, src, "");
  root.only({"format", "version", "kind", "study", "inverters", "inverter_buses", "modelled_buses", "mode",
             "horizon", "episode_steps", "discount", "parameters", "solver", "training", "evaluation"});
  root.expect_format("vvc.policy", 1);
  if (root.string("kind") != "diffop") root.fail("kind", "unsupported policy kind (expected \"diffop\")");
  PolicyFile p;
  const detail::JsonFields study(root.at("study"), src, "/study");
  study.only({"name", "path"});
  p.study_name = study.string("name");
  p.study_path = study.string("path");
  p.inverters = json_strings(root, "inverters");
  p.inverter_buses = json_strings(root, "inverter_buses");
  p.modelled_buses = json_strings(root, "modelled_buses");
  p.structure.mode = parse_diffop_mode(root.string("mode"));
  p.structure.horizon = static_cast<int>(root.integer("horizon"));
  if (p.structure.horizon < 1) root.fail("horizon", "expected >= 1");
  p.structure.episode_steps = static_cast<int>(root.integer("episode_steps"));
  p.structure.discount = root.number("discount");
  const detail::JsonFields params(root.at("parameters"), src, "/parameters");
  params.only({"layout", "theta"});
  p.theta = json_vector(params, "theta");
  const detail::JsonFields tr(root.at("training"), src, "/training");
  tr.only({"seed", "iterations", "scenarios_per_iteration", "noise_draws", "sigma", "beta", "learning_rate",
           "validation_scenarios", "seconds", "curve"});
  p.training.seed = static_cast<std::uint64_t>(tr.integer("seed"));
  p.iterations_done = static_cast<int>(tr.integer("iterations"));
  p.training.iterations = p.iterations_done;
  p.training.scenarios_per_iteration = static_cast<int>(tr.integer("scenarios_per_iteration"));
  p.training.noise_draws = static_cast<int>(tr.integer("noise_draws"));
  p.training.sigma = tr.number("sigma");
  p.training.beta = tr.number("beta");
  p.training.learning_rate = tr.number("learning_rate");
  p.training.validation_scenarios = static_cast<int>(tr.integer("validation_scenarios"));
  p.training_seconds = tr.number("seconds");
  p.curve = json_curve(tr, "curve");
  if (root.has("evaluation")) {
    const detail::JsonFields ev(root.at("evaluation"), src, "/evaluation");
    ev.only({"seeds", "steps", "transient", "steady", "fraction_out_of_band", "worst_violation",
             "final_violations", "power_flow_failures"});
    EvaluationSummary e;
    e.controller = "diffop-" + to_string(p.structure.mode);
    p.evaluation_seeds = parse_seed_range(ev.string("seeds"), src + ": /evaluation/seeds");
    e.scenarios = static_cast<int>(p.evaluation_seeds.size());
    e.steps = static_cast<int>(ev.integer("steps"));
    e.transient = ev.number("transient");
    e.steady = ev.number("steady");
    e.fraction_out_of_band = ev.number("fraction_out_of_band");
    e.worst_violation = ev.number("worst_violation");
    e.final_violations = static_cast<int>(ev.integer("final_violations"));
    e.power_flow_failures = static_cast<int>(ev.integer("power_flow_failures"));
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
  return policy_from_json(detail::parse_json(text, source), source);
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
            {"adam_m", vector_json(state.adam_m)},
            {"adam_v", vector_json(state.adam_v)},
            {"best_theta", vector_json(state.best_theta)},
            {"best_validation", number_or_null(state.best_validation)},
            {"total_iterations", meta.training.iterations}};
  write_file_atomically(path, j.dump(1) + "\n");
}

TrainerState read_checkpoint(const std::filesystem::path& path, PolicyFile& meta) {
  const std::string src = path.string();
  const json doc = detail::parse_json(read_text_file(path), src);
  const detail::JsonFields root(doc, src, "");
  root.only({"format", "version", "policy", "iteration", "adam_m", "adam_v", "best_theta", "best_validation",
             "total_iterations"});
  root.expect_format("vvc.checkpoint", 1);
  meta = policy_from_json(root.at("policy"), src + " (policy)");
  meta.training.iterations = static_cast<int>(root.integer("total_iterations"));
  TrainerState st;
  st.iteration = static_cast<int>(root.integer("iteration"));
  st.theta = meta.theta;
  st.adam_m = json_vector(root, "adam_m");
  st.adam_v = json_vector(root, "adam_v");
  st.best_theta = json_vector(root, "best_theta");
  st.best_validation = null_or_number(root.at("best_validation"));
  if (!std::isfinite(st.best_validation)) st.best_validation = std::numeric_limits<double>::infinity();
  st.curve = meta.curve;
  if (st.adam_m.size() != st.theta.size() || st.adam_v.size() != st.theta.size()) {
    root.fail("adam_m", "the optimizer state does not match the parameter count");
  }
  return st;
}

}  // namespace vvc::core
