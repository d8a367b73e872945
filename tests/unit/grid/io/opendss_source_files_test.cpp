// Unit tests of the OpenDSS reader's files on disk: only regular files, at most kMaxSourceFileBytes, read
// with a bound even when the size the file system reports is wrong.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "vvc/common/errors.hpp"
#include "vvc/grid/io/opendss.hpp"

namespace vvc::grid {
namespace {

namespace fs = std::filesystem;

// A fresh folder for one test, removed at the end.
class TempFolder {
 public:
  TempFolder() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("vvc_opendss_" + std::string(test->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
    return path_ / name;
  }

 private:
  fs::path path_;
};

// The InputError message of reading `path` through `files`, or "" when it is read.
std::string read_error(const SourceFiles& files, const fs::path& path) {
  try {
    files.read(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(OpenDssSourceFiles, ReadsOnlyRegularFiles) {
  const TempFolder folder;
  const DiskSourceFiles files;
  EXPECT_EQ(files.read(folder.write("a.dss", "Clear\n")), "Clear\n");
  EXPECT_EQ(read_error(files, "/dev/zero"), "/dev/zero: not a regular file");
  const fs::path fifo = folder.path() / "fifo.dss";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(read_error(files, fifo), fifo.string() + ": not a regular file");
  EXPECT_EQ(read_error(files, folder.path()), folder.path().string() + ": is a folder, expected a file");
  EXPECT_EQ(read_error(files, folder.path() / "none.dss"),
            (folder.path() / "none.dss").string() + ": cannot open");
}

TEST(OpenDssSourceFiles, RefusesFilesOverTheSizeLimit) {
  const TempFolder folder;
  // A sparse file one byte over 1 GiB: refused from its size, without reading it.
  const fs::path big = folder.path() / "big.dss";
  std::ofstream(big).close();
  fs::resize_file(big, kMaxSourceFileBytes + 1);
  EXPECT_EQ(read_error(DiskSourceFiles(), big),
            big.string() + ": larger than 1 GiB, the limit for an input file");
  // The limit holds for the bytes read, too: a smaller limit shows it on a small file.
  const DiskSourceFiles small(10);
  const fs::path eleven = folder.write("eleven.dss", "01234567890");
  EXPECT_EQ(small.read(folder.write("ten.dss", "0123456789")), "0123456789");
  EXPECT_EQ(read_error(small, eleven),
            eleven.string() + ": larger than 10 bytes, the limit for an input file");
}

TEST(OpenDssSourceFiles, BoundsTheBytesReadWhenTheReportedSizeIsWrong) {
  // /proc files are regular files of reported size 0 whatever they hold.
  const fs::path status = "/proc/self/status";
  if (!fs::exists(status)) GTEST_SKIP() << "no " << status;
  ASSERT_EQ(fs::file_size(status), 0u);
  EXPECT_FALSE(DiskSourceFiles().read(status).empty());
  EXPECT_EQ(read_error(DiskSourceFiles(16), status),
            status.string() + ": larger than 16 bytes, the limit for an input file");
}

TEST(OpenDssSourceFiles, AScriptCannotRedirectToADevice) {
  const TempFolder folder;
  const fs::path script = folder.write("main.dss",
                                       "New Circuit.c basekv=12.47 bus1=src\n"
                                       "Redirect /dev/zero\n");
  try {
    read_opendss(script);
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), script.string() + ":2: /dev/zero: not a regular file");
  }
}

}  // namespace
}  // namespace vvc::grid
