// libFuzzer harness of the policy reader (docs/testing.md): the input is the text of a policy file.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "vvc/core/diffop/policy_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vvc;
  fuzz::read_or_reject([&] {
    const core::PolicyFile policy = core::parse_policy(fuzz::input_text(data, size), "policy.json");
    fuzz::expect_finite(policy.theta, "theta");
    fuzz::expect_finite(policy.structure.discount, "discount");
  });
  return 0;
}
