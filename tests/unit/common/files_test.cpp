#include "vvc/common/files.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/input_files.hpp"

namespace vvc {
namespace {

namespace fs = std::filesystem;

using vvc::test_support::current_test_name;
using vvc::test_support::input_error_message;
using vvc::test_support::TempDir;
using vvc::test_support::write_file;

std::string read_error(const fs::path& path, std::uintmax_t max_bytes = kMaxInputFileBytes) {
  return input_error_message([&] { read_text_file(path, max_bytes); });
}

TEST(InputFiles, OnlyRegularFilesAreRead) {
  const TempDir dir(current_test_name());
  write_file(dir.path() / "a.json", "{}\n");
  EXPECT_EQ(read_text_file(dir.path() / "a.json"), "{}\n");
  // A device never ends and a FIFO nobody writes blocks: both are refused before they are opened.
  EXPECT_EQ(read_error("/dev/zero"), "/dev/zero: not a regular file");
  const fs::path fifo = dir.path() / "fifo.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(read_error(fifo), fifo.string() + ": not a regular file");
  EXPECT_EQ(input_error_message([&] { open_input_file(fifo); }), fifo.string() + ": not a regular file");
  EXPECT_EQ(read_error(dir.path()), dir.path().string() + ": is a folder, expected a file");
  EXPECT_EQ(read_error(dir.path() / "none.json"), (dir.path() / "none.json").string() + ": cannot open");
}

TEST(InputFiles, FilesOverTheLimitAreRefusedFromTheirSize) {
  const TempDir dir(current_test_name());
  // A sparse file one byte over 1 GiB: refused without reading it.
  const fs::path big = dir.path() / "big.json";
  std::ofstream(big).close();
  fs::resize_file(big, kMaxInputFileBytes + 1);
  EXPECT_EQ(read_error(big), big.string() + ": larger than 1 GiB, the limit for an input file");
  EXPECT_EQ(input_error_message([&] { open_input_file(big); }),
            big.string() + ": larger than 1 GiB, the limit for an input file");
  write_file(dir.path() / "ten.json", "0123456789");
  EXPECT_EQ(read_text_file(dir.path() / "ten.json", 10), "0123456789");
  EXPECT_EQ(read_error(dir.path() / "ten.json", 9),
            (dir.path() / "ten.json").string() + ": larger than 9 bytes, the limit for an input file");
}

TEST(InputFiles, TheBytesReadAreBoundedWhenTheReportedSizeIsWrong) {
  // /proc files are regular files of reported size 0 whatever they hold.
  const fs::path status = "/proc/self/status";
  if (!fs::exists(status)) GTEST_SKIP() << "no " << status;
  ASSERT_EQ(fs::file_size(status), 0u);
  EXPECT_FALSE(read_text_file(status).empty());
  EXPECT_EQ(read_error(status, 16), status.string() + ": larger than 16 bytes, the limit for an input file");
}

}  // namespace
}  // namespace vvc
