// What a trained policy was trained for, recorded in its file (docs/formats/policy.md): the network's name and
// the content hash of its case file, the voltage band, the inverter limits and the cost weights. A policy file
// of either kind (DiffOP's, diffop/policy_io.hpp; the DDPG baselines', baselines/baseline_io.hpp) records them,
// and evaluating it on a study compares them with the study's.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "vvc/core/env/study.hpp"

namespace vvc::core {

struct PolicyConditions {
  std::string network_name;
  std::string network_file;  ///< the case file's name
  std::string network_hash;  ///< content_hash() of the case file
  double vmin_pu = 0.0;
  double vmax_pu = 0.0;
  Eigen::VectorXd q_min_mvar;  ///< per inverter
  Eigen::VectorXd q_max_mvar;
  Eigen::VectorXd cost_c;
};

/// The study's conditions.
PolicyConditions conditions_of(const Study& study);

/// One sentence per difference between the recorded conditions and the study's (network name or file content,
/// voltage band, an inverter's limits, a cost weight); none when they agree.
std::vector<std::string> compare_conditions(const PolicyConditions& conditions, const Study& study);

}  // namespace vvc::core
