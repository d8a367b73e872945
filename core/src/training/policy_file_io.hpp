// The pieces both kinds of policy file write and read alike (private to core): exact vectors, the format and
// version header, the conditions a policy was trained for, and the evaluation of the exported policy.
#pragma once

#include <Eigen/Dense>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "vvc/common/json_io.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/env/study.hpp"
#include "vvc/core/training/conditions.hpp"

namespace vvc::core::detail {

/// nlohmann::json prints doubles with max_digits10 (17) significant digits: exact round trips.
nlohmann::json vector_json(const Eigen::VectorXd& v);
Eigen::VectorXd json_vector(const JsonNode& node);

/// The format's version, from `oldest` to `newest`; InputError naming the field otherwise.
int read_version(const JsonNode& root, std::string_view format, int oldest, int newest);

/// Writes "network", "voltage_band", "inverter_limits" and "cost" into `root`.
void write_conditions(const PolicyConditions& conditions, nlohmann::json& root);
/// Reads them back; the per-inverter vectors must have `inverters` values.
PolicyConditions read_conditions(const JsonNode& root, size_t inverters);

/// The "evaluation" object: the metrics of the exported policy on `seeds`.
nlohmann::json evaluation_json(const EvaluationSummary& evaluation, const SeedRange& seeds);
/// Reads it back; `controller` names the summary's controller.
EvaluationSummary json_evaluation(const JsonNode& node, const std::string& controller, SeedRange& seeds);

}  // namespace vvc::core::detail
