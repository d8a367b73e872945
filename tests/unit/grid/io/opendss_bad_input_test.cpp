// The bad-input corpus: every tests/data/opendss_bad/*.dss file states, on its first line, the error it must
// produce ("! expect: <line>: <text>", "! expect: <file>:<line>: <text>" or "! expect: <text>"). Reading and
// solving it must throw InputError whose message names the file (and the line, when given) and has the text.
// Files that are not tests themselves (Redirect targets) live in tests/data/opendss_bad/helpers/.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "vvc/common/errors.hpp"
#include "vvc/grid/io/opendss.hpp"
#include "vvc/grid/model/multiphase_network.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"

namespace vvc::grid {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> bad_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(VVC_SOURCE_DIR) / "tests/data/opendss_bad")) {
    if (entry.path().extension() == ".dss") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class OpenDssBadInput : public ::testing::TestWithParam<fs::path> {};

TEST_P(OpenDssBadInput, ThrowsInputErrorWithFileAndLine) {
  const fs::path& path = GetParam();
  std::ifstream in(path);
  std::string first;
  std::getline(in, first);
  const std::string tag = "! expect: ";
  ASSERT_EQ(first.rfind(tag, 0), 0u) << path << " has no '! expect:' line";
  std::string expect = first.substr(tag.size());
  std::string where = path.filename().string();
  const size_t colon = expect.find(": ");
  if (colon != std::string::npos && colon > 0 && expect.find(' ') > colon) {
    const std::string location = expect.substr(0, colon);
    where = location.find_first_not_of("0123456789") == std::string::npos ? where + ":" + location : location;
    expect = expect.substr(colon + 2);
  }
  try {
    const OpenDssCase c = read_opendss(path);
    ThreePhaseWorkspace workspace(c.network);
    FAIL() << path << " was accepted";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(where + ": "), std::string::npos) << message;
    EXPECT_NE(message.find(expect), std::string::npos) << message;
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, OpenDssBadInput, ::testing::ValuesIn(bad_files()),
                         [](const ::testing::TestParamInfo<fs::path>& param_info) {
                           std::string name = param_info.param.stem().string();
                           std::replace_if(
                               name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
                           return name;
                         });

}  // namespace
}  // namespace vvc::grid
