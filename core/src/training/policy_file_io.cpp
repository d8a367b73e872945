#include "training/policy_file_io.hpp"

#include <limits>

namespace vvc::core::detail {

using nlohmann::json;

json vector_json(const Eigen::VectorXd& v) {
  return json(std::vector<double>(v.data(), v.data() + v.size()));
}

Eigen::VectorXd json_vector(const JsonNode& node) {
  const std::vector<double> values = node.numbers();
  return Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
}

int read_version(const JsonNode& root, std::string_view format, int oldest, int newest) {
  const JsonNode format_node = root.at("format");
  if (format_node.string() != format) format_node.fail_expected("\"" + std::string(format) + "\"");
  return root.at("version").integer(oldest, newest);
}

void write_conditions(const PolicyConditions& c, json& root) {
  root["network"] = {{"name", c.network_name}, {"file", c.network_file}, {"hash", c.network_hash}};
  root["voltage_band"] = {{"vmin_pu", c.vmin_pu}, {"vmax_pu", c.vmax_pu}};
  root["inverter_limits"] = {{"q_min_mvar", vector_json(c.q_min_mvar)},
                             {"q_max_mvar", vector_json(c.q_max_mvar)}};
  root["cost"] = {{"c", vector_json(c.cost_c)}};
}

namespace {

/// A vector with one value per inverter.
Eigen::VectorXd per_inverter(const JsonNode& node, size_t inverters) {
  const Eigen::VectorXd v = json_vector(node);
  if (static_cast<size_t>(v.size()) != inverters) {
    node.fail("expected " + std::to_string(inverters) + " values (one per inverter), got " +
              std::to_string(v.size()));
  }
  return v;
}

constexpr int kIntMax = std::numeric_limits<int>::max();

}  // namespace

PolicyConditions read_conditions(const JsonNode& root, size_t inverters) {
  PolicyConditions c;
  const JsonNode network = root.at("network");
  network.allow_only({"name", "file", "hash"});
  c.network_name = network.at("name").string();
  c.network_file = network.at("file").string();
  c.network_hash = network.at("hash").string();
  const JsonNode band = root.at("voltage_band");
  band.allow_only({"vmin_pu", "vmax_pu"});
  c.vmin_pu = band.at("vmin_pu").number();
  c.vmax_pu = band.at("vmax_pu").number();
  const JsonNode limits = root.at("inverter_limits");
  limits.allow_only({"q_min_mvar", "q_max_mvar"});
  c.q_min_mvar = per_inverter(limits.at("q_min_mvar"), inverters);
  c.q_max_mvar = per_inverter(limits.at("q_max_mvar"), inverters);
  const JsonNode cost = root.at("cost");
  cost.allow_only({"c"});
  c.cost_c = per_inverter(cost.at("c"), inverters);
  return c;
}

json evaluation_json(const EvaluationSummary& e, const SeedRange& seeds) {
  return {{"seeds", std::to_string(seeds.first) + ":" + std::to_string(seeds.last)},
          {"steps", e.steps},
          {"transient", e.transient},
          {"steady", e.steady},
          {"fraction_out_of_band", e.fraction_out_of_band},
          {"worst_violation", e.worst_violation},
          {"final_violations", e.final_violations},
          {"power_flow_failures", e.power_flow_failures}};
}

EvaluationSummary json_evaluation(const JsonNode& ev, const std::string& controller, SeedRange& seeds) {
  ev.allow_only({"seeds", "steps", "transient", "steady", "fraction_out_of_band", "worst_violation",
                 "final_violations", "power_flow_failures"});
  EvaluationSummary e;
  e.controller = controller;
  const JsonNode seeds_node = ev.at("seeds");
  seeds = parse_seed_range(seeds_node.string(), seeds_node.source() + ": " + seeds_node.path());
  if (seeds.size() > kIntMax) seeds_node.fail_expected("at most " + std::to_string(kIntMax) + " seeds");
  e.scenarios = static_cast<int>(seeds.size());
  e.steps = ev.at("steps").integer(0, kIntMax);
  e.transient = ev.at("transient").number();
  e.steady = ev.at("steady").number();
  e.fraction_out_of_band = ev.at("fraction_out_of_band").number();
  e.worst_violation = ev.at("worst_violation").number();
  e.final_violations = ev.at("final_violations").integer(0, kIntMax);
  e.power_flow_failures = ev.at("power_flow_failures").integer(0, kIntMax);
  return e;
}

}  // namespace vvc::core::detail
