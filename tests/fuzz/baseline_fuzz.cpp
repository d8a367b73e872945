// libFuzzer harness of the baseline file reader (docs/testing.md): the input is the text of a baseline file.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "vvc/core/baselines/baseline_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vvc;
  fuzz::read_or_reject([&] {
    const core::BaselineFile file = core::parse_baseline(fuzz::input_text(data, size), "baseline.json");
    for (const auto& actor : file.trained.actors) fuzz::expect_finite(actor, "network parameters");
    fuzz::expect_finite(file.trained.max_step, "max_step");
    fuzz::expect_finite(file.trained.shape.upper, "shape.upper");
  });
  return 0;
}
