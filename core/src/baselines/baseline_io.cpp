#include "vvc/core/baselines/baseline_io.hpp"

#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>

#include "training/policy_file_io.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"
#include "vvc/common/json_io.hpp"

namespace vvc::core {

using detail::json_vector;
using detail::vector_json;
using nlohmann::json;

namespace {

constexpr int kIntMax = std::numeric_limits<int>::max();
constexpr int kMaxHidden = 100000;

json baseline_json(const BaselineFile& f) {
  const TrainedBaseline& t = f.trained;
  const auto h = static_cast<Eigen::Index>(t.shape.hidden);
  json actors = json::array();
  for (const Eigen::VectorXd& p : t.actors) {
    actors.push_back({{"qv", vector_json(p.head(h))}, {"b", vector_json(p.tail(p.size() - h))}});
  }
  json j = {{"format", "vvc.baseline"},
            {"version", kBaselineFileVersion},
            {"kind", baseline_name(t.kind)},
            {"description", f.description},
            {"study", {{"name", f.study_name}, {"path", f.study_path}}}};
  if (f.conditions) detail::write_conditions(*f.conditions, j);
  j["inverters"] = f.inverters;
  j["shape"] = {{"hidden", t.shape.hidden},
                {"upper", t.shape.upper},
                {"lower", t.shape.lower},
                {"breakpoint_total", t.shape.breakpoint_total}};
  if (t.kind == BaselineKind::kStableDdpg) {
    j["max_step"] = t.max_step;
    j["action_unit_mvar"] = t.action_unit_mvar;
    j["linear_gain"] = t.linear_gain;
  } else {
    j["alpha"] = t.alpha;
  }
  j["actors"] = std::move(actors);
  if (f.training) {
    j["training"] = {
        {"seed", f.training->seed}, {"episodes", f.training->episodes}, {"seconds", f.training->seconds}};
  }
  if (f.evaluation) j["evaluation"] = detail::evaluation_json(*f.evaluation, f.evaluation_seeds);
  return j;
}

BaselineFile baseline_from_json(const JsonNode& root) {
  BaselineFile f;
  detail::read_version(root, "vvc.baseline", 1, kBaselineFileVersion);
  TrainedBaseline& t = f.trained;
  t.kind = root.at("kind").choice<BaselineKind>(
      {{"stable-ddpg", BaselineKind::kStableDdpg}, {"tasrl", BaselineKind::kTasrl}});
  std::vector<std::string_view> fields = {
      "format",          "version", "kind",      "description", "study",  "network",  "voltage_band",
      "inverter_limits", "cost",    "inverters", "shape",       "actors", "training", "evaluation"};
  if (t.kind == BaselineKind::kStableDdpg) {
    fields.insert(fields.end(), {"max_step", "action_unit_mvar", "linear_gain"});
  } else {
    fields.push_back("alpha");
  }
  root.allow_only(fields);
  f.description = root.at("description").string();
  const JsonNode study = root.at("study");
  study.allow_only({"name", "path"});
  f.study_name = study.at("name").string();
  f.study_path = study.at("path").string();
  f.inverters = root.at("inverters").strings();
  if (root.has("network") || root.has("voltage_band") || root.has("inverter_limits") || root.has("cost"))
    f.conditions = detail::read_conditions(root, f.inverters.size());

  const JsonNode shape = root.at("shape");
  shape.allow_only({"hidden", "upper", "lower", "breakpoint_total"});
  t.shape.hidden = shape.at("hidden").integer(1, kMaxHidden);
  t.shape.upper = shape.at("upper").number();
  t.shape.lower = shape.at("lower").number();
  if (!(t.shape.upper >= t.shape.lower))
    shape.at("upper").fail_expected("at least lower (" + std::to_string(t.shape.lower) + ")");
  t.shape.breakpoint_total = shape.at("breakpoint_total").number(greater_than(0.0));
  if (t.kind == BaselineKind::kStableDdpg) {
    t.max_step = root.at("max_step").number(greater_than(0.0));
    t.action_unit_mvar = root.at("action_unit_mvar").number(greater_than(0.0));
    t.linear_gain = root.at("linear_gain").number(at_least(0.0));
  } else {
    t.alpha = root.at("alpha").number(greater_than(0.0));
  }

  const JsonNode actors = root.at("actors");
  const std::vector<JsonNode> elements = actors.elements();
  if (elements.size() != f.inverters.size()) {
    actors.fail("expected " + std::to_string(f.inverters.size()) + " networks (one per inverter), got " +
                std::to_string(elements.size()));
  }
  const auto h = static_cast<Eigen::Index>(t.shape.hidden);
  for (const JsonNode& e : elements) {
    e.allow_only({"qv", "b"});
    Eigen::VectorXd p(2 * h);
    for (const auto& [key, offset] : {std::pair<std::string_view, Eigen::Index>{"qv", 0}, {"b", h}}) {
      const JsonNode node = e.at(key);
      const Eigen::VectorXd v = json_vector(node);
      if (v.size() != h) {
        node.fail("expected " + std::to_string(h) + " values (shape.hidden), got " +
                  std::to_string(v.size()));
      }
      p.segment(offset, h) = v;
    }
    t.actors.push_back(p);
  }
  if (const auto tr = root.find("training")) {
    tr->allow_only({"seed", "episodes", "seconds"});
    BaselineTraining b;
    b.seed = tr->at("seed").integer<std::uint64_t>(0, std::numeric_limits<std::uint64_t>::max());
    b.episodes = tr->at("episodes").integer(0, kIntMax);
    b.seconds = tr->at("seconds").number(at_least(0.0));
    f.training = b;
  }
  if (const auto ev = root.find("evaluation"))
    f.evaluation = detail::json_evaluation(*ev, baseline_name(t.kind), f.evaluation_seeds);
  return f;
}

}  // namespace

BaselineFile describe_baseline(const Study& study, const TrainedBaseline& trained, std::uint64_t seed) {
  BaselineFile f;
  f.study_name = study.name;
  f.study_path = study.path.string();
  for (const auto& inv : study.inverters) f.inverters.push_back(inv.generator);
  f.conditions = conditions_of(study);
  f.trained = trained;
  f.trained.summary = {};
  f.description = trained.summary.method + " trained by vvc on " + study.name;
  f.training = BaselineTraining{seed, trained.summary.iterations, trained.summary.seconds};
  return f;
}

std::string baseline_to_json(const BaselineFile& file) { return baseline_json(file).dump(2) + "\n"; }

void write_baseline(const BaselineFile& file, const std::filesystem::path& path) {
  write_file_atomically(path, baseline_to_json(file));
}

BaselineFile parse_baseline(const std::string& text, const std::string& source) {
  return baseline_from_json(JsonDocument(text, source).root());
}

BaselineFile read_baseline(const std::filesystem::path& path) {
  return parse_baseline(read_text_file(path), path.string());
}

void check_baseline_matches(const BaselineFile& file, const Study& study, const std::string& source) {
  std::vector<std::string> expected;
  for (const auto& inv : study.inverters) expected.push_back(inv.generator);
  if (file.inverters != expected) {
    throw InputError::at_path(source, "/inverters", "the networks' inverters differ from the study's");
  }
}

}  // namespace vvc::core
