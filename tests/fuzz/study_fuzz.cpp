// libFuzzer harness of the study reader (docs/testing.md). A study names its network (and scenario file)
// relative to its own folder, so the input starts with that folder, one of the source tree's folders that hold
// studies (balanced and three-phase), on a line of its own; the study's text follows. The network is read from
// disk.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "vvc/core/env/study.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vvc;
  constexpr std::array<std::string_view, 5> kFolders = {"cases/ieee13_tasrl", "cases/ieee13_tasrl/examples",
                                                        "cases/ieee13_3p", "cases/ieee13/examples",
                                                        "tests/data/bad_studies"};
  const std::string input = fuzz::input_text(data, size);
  const std::size_t line_end = input.find('\n');
  if (line_end == std::string::npos) return -1;
  const std::string folder = input.substr(0, line_end);
  if (std::find(kFolders.begin(), kFolders.end(), folder) == kFolders.end()) return -1;
  const std::filesystem::path source = std::filesystem::path(VVC_SOURCE_DIR) / folder / "study.json";
  fuzz::read_or_reject([&] {
    const core::Study study = core::parse_study(input.substr(line_end + 1), source);
    fuzz::expect_finite(study.network);
    for (const core::Inverter& inverter : study.inverters) {
      fuzz::expect_finite(inverter.q_min_mvar, "inverter q_min_mvar");
      fuzz::expect_finite(inverter.q_max_mvar, "inverter q_max_mvar");
      fuzz::expect_finite(inverter.s_max_mva, "inverter s_max_mva");
    }
    fuzz::expect_finite(study.cost_c, "cost");
    fuzz::expect_finite(study.vmin_pu, "vmin_pu");
    fuzz::expect_finite(study.vmax_pu, "vmax_pu");
    fuzz::expect_finite(study.discount, "discount");
  });
  return 0;
}
