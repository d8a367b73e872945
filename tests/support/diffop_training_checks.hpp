// The DiffOP trainer's determinism checks: the same training on 1 and 2 threads, and a checkpoint written to a
// file after some iterations and read back as `vvc train --resume` reads it.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "support/keep_checkpoint.hpp"
#include "vvc/core/diffop/policy_io.hpp"
#include "vvc/core/diffop/trainer.hpp"

namespace vvc::core::testing {

/// Trains with `options` on 1 and on 2 threads and expects the same returned and final parameters and the same
/// best validation. Returns the 1-thread result.
inline DiffOpTrainingResult train_on_1_and_2_threads(const Study& study, const DiffOpModel& model,
                                                     DiffOpTrainingOptions options) {
  options.threads = 1;
  DiffOpTrainingResult serial = DiffOpTrainer(study, model, options).train(nullptr);
  options.threads = 2;
  const DiffOpTrainingResult parallel = DiffOpTrainer(study, model, options).train(nullptr);
  EXPECT_EQ(serial.theta, parallel.theta);
  EXPECT_EQ(serial.state.theta, parallel.state.theta);
  EXPECT_EQ(serial.state.best_validation, parallel.state.best_validation);
  return serial;
}

/// Trains with a checkpoint every iteration, keeps the one after `iteration`, writes it to `path` with the policy
/// metadata `vvc train` writes and reads it back (expecting the same state): returns the state read, its metadata
/// in `meta_back`.
inline TrainerState checkpoint_through_file(const Study& study, const DiffOpModel& model,
                                            DiffOpTrainingOptions options, int iteration,
                                            const std::string& path, PolicyFile& meta_back) {
  options.checkpoint.every = 1;
  KeepCheckpoint keep(iteration);
  DiffOpTrainer(study, model, options).train(&keep);
  EXPECT_EQ(keep.saved.iteration, iteration);
  PolicyFile meta = describe_policy(model, keep.saved.theta);
  meta.training = options;
  meta.training.violation_penalty = options.penalty(study, model.structure());
  write_checkpoint(keep.saved, meta, path);
  const TrainerState loaded = read_checkpoint(path, meta_back);
  EXPECT_EQ(loaded.iteration, keep.saved.iteration);
  EXPECT_EQ(loaded.theta, keep.saved.theta);
  EXPECT_EQ(loaded.adam.m, keep.saved.adam.m);
  EXPECT_EQ(loaded.adam.steps, keep.saved.adam.steps);
  return loaded;
}

}  // namespace vvc::core::testing
