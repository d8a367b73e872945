// Where the OpenDSS reader gets its files: from disk or from memory.
#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"
#include "vvc/grid/io/opendss.hpp"

namespace vvc::grid {

std::filesystem::path SourceFiles::identity(const std::filesystem::path& path) const {
  return path.lexically_normal();
}

std::string DiskSourceFiles::read(const std::filesystem::path& path) const {
  return read_text_file(path, max_bytes_);
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
