// A training observer that keeps the checkpoint of one iteration: the trainers' resume tests.
#pragma once

#include "vvc/core/training/observer.hpp"

namespace vvc::core::testing {

/// Keeps the checkpoint of one iteration.
class KeepCheckpoint final : public TrainingObserver {
 public:
  explicit KeepCheckpoint(int iteration) : iteration_(iteration) {}
  ObserverAction on_progress(const TrainingProgress&) override { return ObserverAction::kContinue; }
  void on_checkpoint(const TrainerState& state) override {
    if (state.iteration == iteration_) saved = state;
  }
  TrainerState saved;

 private:
  int iteration_;
};

}  // namespace vvc::core::testing
