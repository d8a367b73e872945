#include "vvc/common/files.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include "vvc/common/errors.hpp"

namespace vvc {

std::string file_too_large_message(const std::filesystem::path& path, std::uintmax_t max_bytes) {
  constexpr std::uintmax_t kGiB = std::uintmax_t{1} << 30;
  const std::string limit = max_bytes % kGiB == 0 && max_bytes > 0 ? std::to_string(max_bytes / kGiB) + " GiB"
                                                                   : std::to_string(max_bytes) + " bytes";
  return path.string() + ": larger than " + limit + ", the limit for an input file";
}

std::ifstream open_input_file(const std::filesystem::path& path, std::uintmax_t max_bytes) {
  namespace fs = std::filesystem;
  const std::string name = path.string();
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (fs::is_directory(status)) throw InputError(name + ": is a folder, expected a file");
  if (!fs::exists(status)) throw InputError(name + ": cannot open");
  if (!fs::is_regular_file(status)) throw InputError(name + ": not a regular file");
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > max_bytes) throw InputError(file_too_large_message(path, max_bytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(name + ": cannot open");
  return in;
}

std::string read_text_file(const std::filesystem::path& path, std::uintmax_t max_bytes) {
  std::ifstream in = open_input_file(path, max_bytes);
  std::string text;
  std::array<char, 65536> buffer;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto count = static_cast<std::uintmax_t>(in.gcount());
    if (text.size() + count > max_bytes) throw InputError(file_too_large_message(path, max_bytes));
    text.append(buffer.data(), static_cast<size_t>(count));
  }
  if (in.bad()) throw InputError(path.string() + ": read error");
  return text;
}

void write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  const std::string target = path.string();
  const std::filesystem::path folder =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  // The temporary file lives in the target's folder so that rename() replaces the target in one step; mkstemp
  // gives it a name no other writer uses.
  std::string tmp = (folder / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0)
    throw InputError(target + ": cannot write (folder missing or not writable): " + std::strerror(errno));
  auto fail = [&](const std::string& what, bool close_fd) {
    const std::string reason = std::strerror(errno);
    if (close_fd) ::close(fd);
    ::unlink(tmp.c_str());
    throw InputError(target + ": " + what + ": " + reason);
  };
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write failed", true);
    }
    written += static_cast<size_t>(n);
  }
  // mkstemp creates the file readable by its owner only; the files we write are ordinary documents.
  if (::fchmod(fd, 0644) != 0) fail("cannot set the file permissions", true);
  // Flushed to disk before the rename, so that after a crash the target holds either the old or the new text.
  if (::fsync(fd) != 0) fail("cannot flush to disk", true);
  if (::close(fd) != 0) fail("write failed", false);
  if (::rename(tmp.c_str(), target.c_str()) != 0) fail("cannot replace the file", false);
}

}  // namespace vvc
