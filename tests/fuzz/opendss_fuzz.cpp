// libFuzzer harness of the OpenDSS reader (docs/testing.md). The input is a script and the files it may read
// (Redirect and Compile targets, BusCoords files), all served from memory: the text up to the first NUL byte is
// the script main.dss; each further NUL byte starts another file, its name up to the first line end and its text
// after it ("\0IEEELineCodes.DSS\n..."). The script is read strict, and lenient with uniform frequency.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "vvc/grid/io/opendss.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vvc;
  const std::string input = fuzz::input_text(data, size);
  grid::MemorySourceFiles files;
  std::size_t end = input.find('\0');
  files.add("main.dss", input.substr(0, end));
  while (end != std::string::npos) {
    const std::size_t start = end + 1;
    end = input.find('\0', start);
    const std::string file = input.substr(start, end == std::string::npos ? end : end - start);
    const std::size_t line_end = file.find('\n');
    const std::string name = file.substr(0, line_end);
    if (!name.empty()) files.add(name, line_end == std::string::npos ? "" : file.substr(line_end + 1));
  }
  for (const bool strict : {true, false}) {
    const grid::OpenDssOptions options{.strict = strict, .uniform_frequency = !strict};
    fuzz::read_or_reject(
        [&] { fuzz::expect_finite(grid::read_opendss("main.dss", files, options).network); });
  }
  return 0;
}
