// Files of trained DDPG baselines ("format": "vvc.baseline", version 1; docs/formats/policy.md, "Baseline
// files"): the monotone network of every inverter (phase) of a trained Stable-DDPG or TASRL policy and what its
// evaluation controller needs besides (the networks' shape; Stable-DDPG's step clip, action unit and linear
// deadband gain; TASRL's safe-clamp gain), the study and conditions it was trained for, how it was trained, and
// the evaluation of the exported policy. `vvc train --method stable-ddpg|tasrl --out FILE` writes one, `vvc eval
// --policy FILE` evaluates it. Doubles round-trip exactly; files are written atomically.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vvc/core/baselines/ddpg.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/training/conditions.hpp"

namespace vvc::core {

/// The baseline file format version written.
inline constexpr int kBaselineFileVersion = 1;

/// How a baseline file's networks were trained (none for networks made elsewhere, e.g. imported).
struct BaselineTraining {
  std::uint64_t seed = 0;
  int episodes = 0;  ///< completed
  double seconds = 0.0;
};

struct BaselineFile {
  std::string study_name;
  std::string study_path;
  std::vector<std::string> inverters;  ///< generator names, in the study's order; one network each
  /// What the networks were trained for; none for networks trained elsewhere (then nothing is compared).
  std::optional<PolicyConditions> conditions;
  /// kind, shape, one [qv; b] per inverter and the controller's settings (its summary is not stored).
  TrainedBaseline trained;
  std::string description;  ///< where the networks come from, in words (may be empty)
  std::optional<BaselineTraining> training;
  std::optional<EvaluationSummary> evaluation;  ///< of the exported networks on evaluation_seeds
  SeedRange evaluation_seeds{0, 0};
};

/// Describes networks trained on `study` for export (the training record from trained.summary and `seed`).
BaselineFile describe_baseline(const Study& study, const TrainedBaseline& trained, std::uint64_t seed);

std::string baseline_to_json(const BaselineFile& file);
void write_baseline(const BaselineFile& file, const std::filesystem::path& path);
/// Throws InputError naming the source, the JSON path and the offending value.
BaselineFile parse_baseline(const std::string& text, const std::string& source);
BaselineFile read_baseline(const std::filesystem::path& path);

/// Checks that the file's networks fit a study (the same inverters, in order); throws InputError.
void check_baseline_matches(const BaselineFile& file, const Study& study, const std::string& source);

}  // namespace vvc::core
