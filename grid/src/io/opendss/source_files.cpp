// Where the OpenDSS reader gets its files: from disk or from memory.
#include <array>
#include <fstream>

#include "vvc/common/errors.hpp"
#include "vvc/grid/io/opendss.hpp"

namespace vvc::grid {

std::filesystem::path SourceFiles::identity(const std::filesystem::path& path) const {
  return path.lexically_normal();
}

std::string DiskSourceFiles::read(const std::filesystem::path& path) const {
  namespace fs = std::filesystem;
  const std::string name = path.string();
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (fs::is_directory(status)) throw InputError(name + ": is a folder, expected a file");
  if (!fs::exists(status)) throw InputError(name + ": cannot open");
  // A device or FIFO may never end (/dev/zero) or block (a FIFO nobody writes).
  if (!fs::is_regular_file(status)) throw InputError(name + ": not a regular file");
  constexpr std::uintmax_t kGiB = std::uintmax_t{1} << 30;
  const std::string limit = max_bytes_ % kGiB == 0 ? std::to_string(max_bytes_ / kGiB) + " GiB"
                                                   : std::to_string(max_bytes_) + " bytes";
  const std::string too_large = name + ": larger than " + limit + ", the limit for a script file";
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > max_bytes_) throw InputError(too_large);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(name + ": cannot open");
  std::string text;
  std::array<char, 65536> buffer;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto count = static_cast<std::uintmax_t>(in.gcount());
    if (text.size() + count > max_bytes_) throw InputError(too_large);
    text.append(buffer.data(), static_cast<size_t>(count));
  }
  if (in.bad()) throw InputError(name + ": read error");
  return text;
}

std::filesystem::path DiskSourceFiles::identity(const std::filesystem::path& path) const {
  std::error_code ec;
  const std::filesystem::path canonical = std::filesystem::weakly_canonical(path, ec);
  return ec ? path.lexically_normal() : canonical;
}

MemorySourceFiles::MemorySourceFiles(
    std::initializer_list<std::pair<const std::filesystem::path, std::string>> files) {
  for (const auto& [path, text] : files) add(path, text);
}

void MemorySourceFiles::add(const std::filesystem::path& path, std::string text) {
  files_[path.lexically_normal()] = std::move(text);
}

std::string MemorySourceFiles::read(const std::filesystem::path& path) const {
  auto it = files_.find(path.lexically_normal());
  if (it == files_.end()) throw InputError(path.string() + ": cannot open (no such file in memory)");
  return it->second;
}

}  // namespace vvc::grid
