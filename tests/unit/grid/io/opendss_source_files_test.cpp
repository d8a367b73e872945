// Unit tests of the readers' files (source_files.hpp): on disk only regular files, at most kMaxSourceFileBytes,
// read with a bound even when the size the file system reports is wrong; in memory the folders of the files held;
// a recording that serves a reader from memory what it read from disk (the other ranks of an MPI job).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "vvc/common/errors.hpp"
#include "vvc/grid/io/case_io.hpp"
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

// The InputError message of `run`, or "".
template <class F>
std::string read_error_of(F run) {
  try {
    run();
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

TEST(MemorySourceFiles, HasTheFoldersOfItsFiles) {
  const MemorySourceFiles files{{"cases/a/study.json", "{}"}, {"cases/a/net/x.dss", "Clear"}, {"top.m", ""}};
  EXPECT_EQ(files.kind("cases/a/study.json"), PathKind::kFile);
  EXPECT_EQ(files.kind("cases/./a/../a/study.json"), PathKind::kFile);
  EXPECT_EQ(files.kind("cases/a"), PathKind::kFolder);
  EXPECT_EQ(files.kind("cases/a/"), PathKind::kFolder);
  EXPECT_EQ(files.kind("cases"), PathKind::kFolder);
  EXPECT_EQ(files.kind("cases/a/net"), PathKind::kFolder);
  EXPECT_EQ(files.kind("."), PathKind::kFolder);
  EXPECT_EQ(files.kind("cases/ab"), PathKind::kMissing);
  EXPECT_EQ(files.kind("cases/a/study"), PathKind::kMissing);
  EXPECT_EQ(files.files_in("cases/a"), std::vector<fs::path>{"cases/a/study.json"});
  EXPECT_EQ(files.files_in("./cases/a/"), std::vector<fs::path>{"cases/a/study.json"});
  EXPECT_EQ(files.files_in("."), std::vector<fs::path>{"top.m"});
  EXPECT_TRUE(files.files_in("cases/b").empty());
}

TEST(RecordingSourceFiles, ServesFromMemoryWhatItReadFromDisk) {
  const TempFolder folder;
  folder.write(
      "main.dss",
      "Clear\nNew Circuit.c basekv=12.47 bus1=src pu=1.0\nRedirect lines.dss\nSet voltagebases=[12.47]\n");
  folder.write("lines.dss", "New Line.l1 bus1=src bus2=load phases=3 r1=0.1 x1=0.2 length=1\n");
  folder.write("unread.dss", "Clear\n");
  const DiskSourceFiles disk;
  const RecordingSourceFiles recording(disk);
  const OpenDssCase from_disk = read_opendss(folder.path() / "main.dss", recording);
  const MemorySourceFiles& recorded = recording.recorded();
  EXPECT_EQ(recorded.files().size(), 2u);
  EXPECT_EQ(recorded.kind(folder.path() / "unread.dss"), PathKind::kMissing);
  const OpenDssCase from_memory = read_opendss(folder.path() / "main.dss", recorded);
  EXPECT_EQ(from_memory.network.num_nodes(), from_disk.network.num_nodes());
  EXPECT_EQ(from_memory.network.buses.size(), from_disk.network.buses.size());
  EXPECT_EQ(from_memory.network.name, from_disk.network.name);
}

TEST(RecordingSourceFiles, ResolvesACaseFolderInMemoryAsOnDisk) {
  const fs::path ieee13 = fs::path(VVC_SOURCE_DIR) / "cases/ieee13_tasrl";
  const TempFolder folder;
  fs::copy_file(ieee13 / "case_13.m", folder.path() / "case_13.m");
  folder.write("notes.txt", "not a case");
  for (const fs::path& path : {ieee13, folder.path()}) {
    const DiskSourceFiles disk;
    const RecordingSourceFiles recording(disk);
    const fs::path on_disk = resolve_case_path(path, recording);
    const Network network = read_case(path, recording);
    EXPECT_EQ(resolve_case_path(path, recording.recorded()), on_disk);
    EXPECT_EQ(read_case(path, recording.recorded()).num_buses(), network.num_buses());
    EXPECT_EQ(recording.recorded().files().size(), 1u) << path;
  }
  EXPECT_NE(
      read_error_of([&] { resolve_case_path(ieee13, MemorySourceFiles()); }).find("no such file or folder"),
      std::string::npos);
}

}  // namespace
}  // namespace vvc::grid
