// The IEEE 13-bus benchmark study shared by the core tests, and a helper that puts the environment in a given
// state.
#pragma once

#include "vvc/core/diffop/policy.hpp"
#include "vvc/core/env/environment.hpp"
#include "vvc/core/env/scenarios.hpp"
#include "vvc/core/env/study.hpp"

namespace vvc::core::testing {

/// cases/ieee13_tasrl/study.json, read once.
inline const Study& benchmark_study() {
  static const Study study = read_study(VVC_SOURCE_DIR "/cases/ieee13_tasrl");
  return study;
}

/// The policy state after resetting to scenario `seed` and applying q.
inline DiffOpModel::State state_after(const DiffOpModel& model, long seed, const Eigen::VectorXd& q) {
  const Study& study = model.study();
  Environment env(study);
  const Scenario s = make_scenarios(study)->make(seed);
  env.reset(s);
  env.apply(q);
  DiffOpModel::State state;
  model.observe(env.observation(), state);
  return state;
}

}  // namespace vvc::core::testing
