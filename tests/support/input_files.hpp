// Helpers of the reader tests: a scratch folder under the build tree, writing a file, and the message of the
// InputError an action throws.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "vvc/common/errors.hpp"

namespace vvc::test_support {

/// The running test's suite and name, "Suite.Name": a folder name no test running at the same time uses
/// (ctest runs each test in its own process, in parallel).
inline std::string current_test_name() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::string(info->test_suite_name()) + "." + info->name();
}

/// A fresh empty folder under the build tree, removed when the test ends.
class TempDir {
 public:
  explicit TempDir(const std::string& name) : path_(std::filesystem::path(VVC_BINARY_DIR) / "tmp" / name) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

/// The message of the InputError that `action` throws, or "" (and a test failure) if it throws none.
template <typename Action>
std::string input_error_message(Action action) {
  try {
    action();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError was thrown";
  return "";
}

}  // namespace vvc::test_support
