// libFuzzer harness of the checkpoint reader (docs/testing.md): the input is the text of a checkpoint.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "vvc/core/diffop/policy_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vvc;
  fuzz::read_or_reject([&] {
    core::PolicyFile meta;
    const core::TrainerState state =
        core::parse_checkpoint(fuzz::input_text(data, size), "checkpoint.json", meta);
    fuzz::expect_finite(state.theta, "theta");
    fuzz::expect_finite(state.adam.m, "Adam first moment");
    fuzz::expect_finite(state.adam.v, "Adam second moment");
    fuzz::expect_finite(state.best_theta, "best theta");
  });
  return 0;
}
