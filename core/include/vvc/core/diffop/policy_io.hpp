// Policy files ("format": "vvc.policy", version 1; docs/formats/policy.md) and trainer checkpoints
// ("format": "vvc.checkpoint"). Doubles are written with 17 significant digits, so files round-trip exactly,
// and files are written atomically.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vvc/core/diffop/policy.hpp"
#include "vvc/core/diffop/trainer.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/training/observer.hpp"

namespace vvc::core {

struct PolicyFile {
  std::string study_name;
  std::string study_path;
  std::vector<std::string> inverters;       ///< generator names, in the study's order
  std::vector<std::string> inverter_buses;  ///< bus names
  std::vector<std::string> modelled_buses;  ///< bus names of the voltage model's rows
  DiffOpStructure structure;
  Eigen::VectorXd theta;
  DiffOpTrainingOptions training;
  int iterations_done = 0;
  double training_seconds = 0.0;
  std::optional<EvaluationSummary> evaluation;  ///< metrics of the exported policy on the evaluation seeds
  SeedRange evaluation_seeds{0, 0};
  std::vector<LearningPoint> curve;  ///< learning curve
};

/// Describes a trained policy of `model` (names, structure) for export.
PolicyFile describe_policy(const DiffOpModel& model, const Eigen::VectorXd& theta);

std::string policy_to_json(const PolicyFile& policy);
void write_policy(const PolicyFile& policy, const std::filesystem::path& path);
PolicyFile parse_policy(const std::string& text, const std::string& source);
PolicyFile read_policy(const std::filesystem::path& path);
/// Checks that a policy fits a study (same inverters, modelled buses and parameter count); throws InputError.
void check_policy_matches(const PolicyFile& policy, const DiffOpModel& model, const std::string& source);

void write_checkpoint(const TrainerState& state, const PolicyFile& meta, const std::filesystem::path& path);
/// Reads a checkpoint; `meta` receives the policy description stored with it.
TrainerState read_checkpoint(const std::filesystem::path& path, PolicyFile& meta);

}  // namespace vvc::core
