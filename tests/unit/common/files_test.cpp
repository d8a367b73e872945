#include "vvc/common/files.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

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

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// The names in a folder.
std::vector<std::string> folder_entries(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

/// Runs `write` in a child process set up by `prepare` and returns its exit status: 0 when `write` threw an
/// InputError whose message starts with `message_start`, 1 when it threw none, 2 for another message, 3 when
/// `prepare` failed. The limits a child takes on (another user, a file size limit) stay out of this process.
int exit_status_of_failed_write(const std::function<bool()>& prepare, const std::function<void()>& write,
                                const std::string& message_start) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (!prepare()) ::_exit(3);
    try {
      write();
    } catch (const InputError& e) {
      ::_exit(std::string(e.what()).rfind(message_start, 0) == 0 ? 0 : 2);
    }
    ::_exit(1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(OutputFiles, AWriteReplacesTheFileAndLeavesNoTemporaryFile) {
  TempDir dir(current_test_name());
  const fs::path file = dir.path() / "table.csv";
  write_file_atomically(file, "old\n");
  write_file_atomically(file, "new\n");
  EXPECT_EQ(file_text(file), "new\n");
  EXPECT_EQ(folder_entries(dir.path()), std::vector<std::string>{"table.csv"});
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
}

TEST(OutputFiles, AWriteIntoAnUnwritableFolderFailsAndKeepsTheOldFile) {
  TempDir dir(current_test_name());
  const fs::path folder = dir.path() / "read-only";
  fs::create_directories(folder);
  const fs::path file = folder / "table.csv";
  write_file_atomically(file, "old\n");
  fs::permissions(folder, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                              fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  // Root writes into any folder: the write then runs as the unprivileged user "nobody" (65534).
  const auto drop_root = [] { return ::geteuid() != 0 || ::setuid(65534) == 0; };
  EXPECT_EQ(exit_status_of_failed_write(
                drop_root, [&] { write_file_atomically(file, "new\n"); },
                file.string() + ": cannot write (folder missing or not writable): Permission denied"),
            0);
  fs::permissions(folder, fs::perms::owner_all, fs::perm_options::add);
  EXPECT_EQ(file_text(file), "old\n");
  EXPECT_EQ(folder_entries(folder), std::vector<std::string>{"table.csv"});
}

TEST(OutputFiles, AWriteThatFailsHalfwayKeepsTheOldFileAndRemovesTheTemporaryOne) {
  TempDir dir(current_test_name());
  const fs::path file = dir.path() / "policy.json";
  write_file_atomically(file, "old\n");
  // A file size limit of 4 bytes makes the write of 64 fail after the first 4, as a full disk would.
  const auto limit_file_size = [] {
    std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{4, 4};
    return ::setrlimit(RLIMIT_FSIZE, &limit) == 0;
  };
  EXPECT_EQ(exit_status_of_failed_write(
                limit_file_size, [&] { write_file_atomically(file, std::string(64, 'x')); },
                file.string() + ": write failed: File too large"),
            0);
  EXPECT_EQ(file_text(file), "old\n");
  EXPECT_EQ(folder_entries(dir.path()), std::vector<std::string>{"policy.json"});
}

TEST(OutputFiles, AFolderInTheWayIsReportedAndKept) {
  TempDir dir(current_test_name());
  const fs::path target = dir.path() / "chart.png";
  fs::create_directories(target / "inside");
  EXPECT_EQ(input_error_message([&] { write_file_atomically(target, "png"); }),
            target.string() + ": cannot replace the file: Is a directory");
  EXPECT_TRUE(fs::is_directory(target / "inside"));
  EXPECT_EQ(folder_entries(dir.path()), std::vector<std::string>{"chart.png"});
}

}  // namespace
}  // namespace vvc
