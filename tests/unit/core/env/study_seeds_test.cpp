// The seed ranges of a study: generator studies keep their defaults; a study whose scenarios come from a file
// evaluates and trains on the whole file unless it says otherwise, and ranges beyond the file are input errors.
#include <gtest/gtest.h>

#include <string>

#include "vvc/common/errors.hpp"
#include "vvc/core/env/study.hpp"

namespace vvc::core {
namespace {

TEST(StudySeeds, FileStudiesDefaultToTheWholeFile) {
  const Study csv = read_study(VVC_SOURCE_DIR "/cases/ieee13_tasrl/examples/study_csv.json");
  EXPECT_EQ(csv.evaluation_seeds.first, 0);
  EXPECT_EQ(csv.evaluation_seeds.last, 2);
  EXPECT_EQ(csv.training_seeds.first, 0);
  EXPECT_EQ(csv.training_seeds.last, 2);
  const Study given = read_study(VVC_SOURCE_DIR "/tests/data/studies/file_evaluation_seeds.json");
  EXPECT_EQ(given.evaluation_seeds.first, 2);
  EXPECT_EQ(given.evaluation_seeds.last, 3);
  EXPECT_EQ(given.training_seeds.last, 2);
  const Study generator = read_study(VVC_SOURCE_DIR "/cases/ieee13_tasrl");
  EXPECT_EQ(generator.evaluation_seeds.last, 500);
  EXPECT_EQ(generator.training_seeds.first, 100000);
}

TEST(StudySeeds, RangesBeyondTheFileNameTheFieldAndTheNumbers) {
  try {
    read_study(VVC_SOURCE_DIR "/tests/data/bad_studies/file_seeds_outside.json");
    FAIL() << "0:500 of a 3-scenario file must be an input error";
  } catch (const InputError& e) {
    EXPECT_NE(
        std::string(e.what()).find(
            "/evaluation_seeds: the range 0:500 lies outside the 3 scenarios of scenarios.json (ids 0:3)"),
        std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace vvc::core
