// libFuzzer harness of the MATPOWER case reader (docs/testing.md): the input is the text of a .m file.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "vvc/grid/io/case_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vvc;
  fuzz::read_or_reject(
      [&] { fuzz::expect_finite(grid::parse_matpower(fuzz::input_text(data, size), "case.m")); });
  return 0;
}
