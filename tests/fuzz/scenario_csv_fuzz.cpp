// libFuzzer harness of the CSV scenario-file reader (docs/testing.md, scenario_fuzz.hpp).
#include "scenario_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  vvc::fuzz::read_scenarios(data, size, "scenarios.csv");
  return 0;
}
