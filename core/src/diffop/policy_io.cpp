#include "vvc/core/diffop/policy_io.hpp"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>

#include "training/policy_file_io.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"
#include "vvc/common/json_io.hpp"

namespace vvc::core {

using nlohmann::json;

namespace {

using detail::json_vector;
using detail::read_version;
using detail::vector_json;

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

json layout_json(const std::vector<ParameterBlock>& layout) {
  json out = json::array();
  for (const auto& b : layout) {
    out.push_back({{"block", b.name}, {"offset", b.offset}, {"size", b.size}, {"meaning", b.meaning}});
  }
  return out;
}

json policy_json(const PolicyFile& p) {
  const auto& t = p.training;
  json j = {
      {"format", "vvc.policy"},
      {"version", kPolicyVersion},
      {"kind", "diffop"},
      {"study", {{"name", p.study_name}, {"path", p.study_path}}},
      {"inverters", p.inverters},
      {"inverter_buses", p.inverter_buses},
      {"modelled_buses", p.modelled_buses},
      {"mode", to_string(p.structure.mode)},
      {"horizon", p.structure.horizon},
      {"episode_steps", p.structure.episode_steps},
      {"discount", p.structure.discount},
      {"backoff", p.structure.backoff},
      {"replan", p.structure.replan},
      {"absolute_move", p.structure.absolute_move},
      {"min_backoff", p.structure.min_backoff},
      {"objective", to_string(p.structure.objective)},
      {"parameters", {{"layout", layout_json(p.layout)}, {"theta", vector_json(p.theta)}}},
      {"solver",
       {{"qp", "dense Goldfarb-Idnani"}, {"fallback", "exact L1 penalty"}, {"soft_penalty_rho", 1e4}}},
      {"training",
       {{"seed", t.seed},
        {"iterations", p.iterations_done},
        {"scenarios_per_iteration", t.scenarios_per_iteration},
        {"gradient", to_string(t.gradient.value_or(GradientEstimator::kLikelihoodRatio))},
        {"noise_draws", t.noise_draws},
        {"sigma", t.sigma},
        {"beta", t.beta},
        {"violation_penalty", t.violation_penalty.value()},
        {"learning_rate", t.adam.learning_rate},
        {"validation_scenarios", t.validation.scenarios},
        {"validation_every", t.validation.every},
        {"seconds", p.training_seconds},
        {"curve", curve_json(p.curve)}}},
  };
  if (p.conditions) detail::write_conditions(*p.conditions, j);
  if (p.evaluation) j["evaluation"] = detail::evaluation_json(*p.evaluation, p.evaluation_seeds);
  return j;
}

std::vector<ParameterBlock> json_layout(const JsonNode& node, Eigen::Index parameters) {
  std::vector<ParameterBlock> out;
  int next = 0;
  for (const JsonNode& e : node.elements()) {
    e.allow_only({"block", "offset", "size", "meaning"});
    ParameterBlock b;
    b.name = e.at("block").string();
    b.offset = e.at("offset").integer(0, kIntMax);
    b.size = e.at("size").integer(0, kIntMax);
    b.meaning = e.at("meaning").string();
    if (b.offset != next)
      e.at("offset").fail_expected(std::to_string(next) + " (where the previous block ends)");
    next = b.offset + b.size;
    out.push_back(b);
  }
  if (next != parameters) {
    node.fail("the blocks cover " + std::to_string(next) + " parameters, theta holds " +
              std::to_string(parameters));
  }
  return out;
}

PolicyFile policy_from_json(const JsonNode& root) {
  PolicyFile p;
  p.version = read_version(root, "vvc.policy", 1, kPolicyVersion);
  // The fields of each version, in the order the format lists them: version 2 adds what the policy was trained
  // for, 3 the back-off and re-planning, 4 the absolute move cost and the floor, 5 the objective.
  std::vector<std::string_view> fields = {"format", "version", "kind", "study"};
  if (p.version >= 2) fields.insert(fields.end(), {"network", "voltage_band", "inverter_limits", "cost"});
  fields.insert(fields.end(), {"inverters", "inverter_buses", "modelled_buses", "mode", "horizon",
                               "episode_steps", "discount"});
  if (p.version >= 3) fields.insert(fields.end(), {"backoff", "replan"});
  if (p.version >= 4) fields.insert(fields.end(), {"absolute_move", "min_backoff"});
  if (p.version >= 5) fields.push_back("objective");
  fields.insert(fields.end(), {"parameters", "solver", "training", "evaluation"});
  root.allow_only(fields);
  root.at("kind").one_of({"diffop"});
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
  // Versions 1 and 2 predate the band back-off and the violation penalty: their policies have neither.
  p.structure.backoff = p.version >= 3 && root.at("backoff").boolean();
  p.structure.replan = p.version >= 3 ? root.at("replan").integer(0, kMaxStudySteps) : 0;
  // Versions before 4 predate the absolute move cost and the back-off's floor.
  p.structure.absolute_move = p.version >= 4 && root.at("absolute_move").boolean();
  p.structure.min_backoff = p.version >= 4 ? root.at("min_backoff").number(at_least(0.0)) : 0.0;
  // Versions before 5 have F's objective.
  p.structure.objective =
      p.version >= 5
          ? root.at("objective")
                .choice<DiffOpObjective>({{"F", DiffOpObjective::kF}, {"moves", DiffOpObjective::kMoves}})
          : DiffOpObjective::kF;
  const JsonNode params = root.at("parameters");
  params.allow_only({"layout", "theta"});
  p.theta = json_vector(params.at("theta"));
  if (p.version == 1) {
    params.at("layout").string();  // a description in words
  } else {
    p.layout = json_layout(params.at("layout"), p.theta.size());
    p.conditions = detail::read_conditions(root, p.inverters.size());
  }
  const JsonNode tr = root.at("training");
  if (p.version >= 3) {
    tr.allow_only({"seed", "iterations", "scenarios_per_iteration", "gradient", "noise_draws", "sigma",
                   "beta", "violation_penalty", "learning_rate", "validation_scenarios", "validation_every",
                   "seconds", "curve"});
    p.training.violation_penalty = tr.at("violation_penalty").number();
    // Written since the pathwise estimator exists; the files before it were trained by the likelihood ratio.
    p.training.gradient = GradientEstimator::kLikelihoodRatio;
    if (const auto gradient = tr.find("gradient")) {
      p.training.gradient =
          gradient->choice<GradientEstimator>({{"likelihood-ratio", GradientEstimator::kLikelihoodRatio},
                                               {"pathwise", GradientEstimator::kPathwise}});
    }
    // Written since version 3 files are checkpoints too: a resume validates as often as the run it continues.
    if (const auto every = tr.find("validation_every"))
      p.training.validation.every = every->integer(0, kIntMax);
  } else {
    tr.allow_only({"seed", "iterations", "scenarios_per_iteration", "noise_draws", "sigma", "beta",
                   "learning_rate", "validation_scenarios", "seconds", "curve"});
    p.training.violation_penalty = 0.0;
    p.training.gradient = GradientEstimator::kLikelihoodRatio;
  }
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
    p.evaluation = detail::json_evaluation(*ev, "diffop-" + to_string(p.structure.mode), p.evaluation_seeds);
  }
  return p;
}

}  // namespace

PolicyFile describe_policy(const DiffOpModel& model, const Eigen::VectorXd& theta) {
  PolicyFile p;
  const Study& study = model.study();
  // The training options' defaults, resolved for this study (a trainer's caller sets its own).
  p.training.gradient = p.training.estimator(study);
  p.training.violation_penalty = p.training.penalty(study, model.structure());
  p.study_name = study.name;
  p.study_path = study.path.string();
  // Points by name: the bus (balanced), bus.phase (three-phase).
  const auto point_name = [&](int point) {
    const VoltagePoint& v = study.points[static_cast<size_t>(point)];
    return v.phase > 0 ? v.bus + "." + std::to_string(v.phase) : v.bus;
  };
  for (const auto& inv : study.inverters) {
    p.inverters.push_back(inv.generator);
    p.inverter_buses.push_back(point_name(inv.point));
  }
  for (int b : model.modelled_buses()) p.modelled_buses.push_back(point_name(b));
  p.structure = model.structure();
  p.layout = model.parameter_layout();
  p.theta = theta;
  p.conditions = conditions_of(study);
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
  if (!policy.layout.empty()) {
    const std::vector<ParameterBlock> layout = model.parameter_layout();
    bool same = layout.size() == policy.layout.size();
    for (size_t k = 0; same && k < layout.size(); ++k) {
      same = layout[k].name == policy.layout[k].name && layout[k].offset == policy.layout[k].offset &&
             layout[k].size == policy.layout[k].size;
    }
    if (!same) {
      throw InputError::at_path(source, "/parameters/layout",
                                "the parameter blocks differ from this version's DiffOP model");
    }
  }
}

PolicyComparison compare_policy(const PolicyFile& policy, const Study& study) {
  PolicyComparison out;
  if (!policy.conditions) {
    out.recorded = false;
    return out;
  }
  out.differences = compare_conditions(*policy.conditions, study);
  return out;
}

void write_checkpoint(const TrainerState& state, const PolicyFile& meta, const std::filesystem::path& path) {
  PolicyFile m = meta;
  m.curve = state.curve;
  m.iterations_done = state.iteration;
  m.theta = state.theta;
  json j = {{"format", "vvc.checkpoint"},
            {"version", 2},
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
  return parse_checkpoint(read_text_file(path), path.string(), meta);
}

TrainerState parse_checkpoint(const std::string& text, const std::string& source, PolicyFile& meta) {
  const JsonDocument document(text, source);
  const JsonNode root = document.root();
  const int version = read_version(root, "vvc.checkpoint", 1, 2);
  if (version == 1) {
    root.allow_only({"format", "version", "policy", "iteration", "adam_m", "adam_v", "best_theta",
                     "best_validation", "total_iterations"});
  } else {
    root.allow_only({"format", "version", "policy", "iteration", "adam_m", "adam_v", "adam_steps",
                     "best_theta", "best_validation", "total_iterations"});
  }
  meta = policy_from_json(root.at("policy"));
  meta.training.iterations = root.at("total_iterations").integer(0, kIntMax);
  TrainerState st;
  st.iteration = root.at("iteration").integer(0, kIntMax);
  st.theta = meta.theta;
  st.adam.m = json_vector(root.at("adam_m"));
  st.adam.v = json_vector(root.at("adam_v"));
  // Version-1 checkpoints did not store the step count: they took exactly one Adam step per iteration.
  st.adam.steps =
      version == 1 ? st.iteration : root.at("adam_steps").integer(0L, std::numeric_limits<long>::max());
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
