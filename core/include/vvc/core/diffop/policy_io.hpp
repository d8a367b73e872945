// Policy files ("format": "vvc.policy", version 3, reading versions 1 and 2 too; docs/formats/policy.md) and
// trainer checkpoints ("format": "vvc.checkpoint", version 2, reading version 1 too). Doubles are written with 17
// significant digits, so files round-trip exactly, and files are written atomically. A policy of version 2 or
// later is self-describing: the layout of its parameter vector, block by block, and what it was trained for (the
// network's name and content hash, the voltage band, the inverter limits, the cost weights). Version 3 adds the
// band back-off (its parameter blocks and the "backoff" flag), Traj's re-planning interval ("replan") and the
// training's violation penalty; a version-1 or -2 file is read as a policy without back-off whose Traj plan runs
// open loop, trained without penalty.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vvc/core/diffop/policy.hpp"
#include "vvc/core/diffop/trainer.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/training/conditions.hpp"
#include "vvc/core/training/observer.hpp"

namespace vvc::core {

/// The policy format version written.
inline constexpr int kPolicyVersion = 5;

struct PolicyFile {
  int version = kPolicyVersion;  ///< the version read (1 to 5)
  std::string study_name;
  std::string study_path;
  std::vector<std::string> inverters;       ///< generator names, in the study's order
  std::vector<std::string> inverter_buses;  ///< bus names
  std::vector<std::string> modelled_buses;  ///< bus names of the voltage model's rows
  DiffOpStructure structure;
  std::vector<ParameterBlock> layout;  ///< the blocks of theta (empty in version-1 files)
  Eigen::VectorXd theta;
  std::optional<PolicyConditions> conditions;  ///< what it was trained for; none in version-1 files
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
/// Checks that a policy fits a study (same inverters, modelled buses, parameter count and layout); throws
/// InputError.
void check_policy_matches(const PolicyFile& policy, const DiffOpModel& model, const std::string& source);

/// How the conditions a policy was trained for compare with a study's: one sentence per difference (network
/// name or file content, voltage band, an inverter's limits, a cost weight). A version-1 policy records none:
/// then `recorded` is false and nothing is compared.
struct PolicyComparison {
  bool recorded = true;
  std::vector<std::string> differences;
};
PolicyComparison compare_policy(const PolicyFile& policy, const Study& study);

void write_checkpoint(const TrainerState& state, const PolicyFile& meta, const std::filesystem::path& path);
/// Reads a checkpoint; `meta` receives the policy description stored with it.
TrainerState read_checkpoint(const std::filesystem::path& path, PolicyFile& meta);
/// The same for a checkpoint's text; `source` names it in messages.
TrainerState parse_checkpoint(const std::string& text, const std::string& source, PolicyFile& meta);

}  // namespace vvc::core
