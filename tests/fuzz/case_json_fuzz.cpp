// libFuzzer harness of the vvc JSON case reader (docs/testing.md): the input is the text of a case file.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "vvc/grid/io/case_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vvc;
  fuzz::read_or_reject(
      [&] { fuzz::expect_finite(grid::parse_case_json(fuzz::input_text(data, size), "case.json")); });
  return 0;
}
