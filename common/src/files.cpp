#include "vvc/common/files.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <system_error>

#include "vvc/common/errors.hpp"

namespace vvc {

std::ifstream open_input_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError(path.string() + ": is a folder, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open");
  return in;
}

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in = open_input_file(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
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
