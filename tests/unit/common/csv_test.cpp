#include "vvc/common/csv.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vvc {
namespace {

using Fields = std::vector<std::string>;

TEST(CsvField, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(csv_field("diffop-step"), "diffop-step");
  EXPECT_EQ(csv_field(""), "");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");
}

TEST(SplitCsvFields, UndoesTheQuoting) {
  EXPECT_EQ(split_csv_fields(""), Fields{""});
  EXPECT_EQ(split_csv_fields("a,,b,"), (Fields{"a", "", "b", ""}));
  EXPECT_EQ(split_csv_fields("\"a,b\",1"), (Fields{"a,b", "1"}));
  EXPECT_EQ(split_csv_fields("\"x \"\"y\"\"\",2"), (Fields{"x \"y\"", "2"}));
  // A quote that does not open a field is text; an unclosed quote runs to the end of the line.
  EXPECT_EQ(split_csv_fields("a\"b,c"), (Fields{"a\"b", "c"}));
  EXPECT_EQ(split_csv_fields("\"a,b"), Fields{"a,b"});
}

TEST(SplitCsvFields, ReadsBackEveryWrittenField) {
  const Fields fields = {"stable-ddpg (a, \"b\".json)", "", "1.5", "\"", ",", "x\"", "plain"};
  std::string line;
  for (const auto& f : fields) line += (line.empty() ? "" : ",") + csv_field(f);
  EXPECT_EQ(split_csv_fields(line), fields);
}

}  // namespace
}  // namespace vvc
