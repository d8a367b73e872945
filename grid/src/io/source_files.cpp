// Where the readers get their input files: from disk, from memory, or from disk keeping a copy.
#include "vvc/grid/io/source_files.hpp"

#include <algorithm>
#include <system_error>

#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"

namespace vvc::grid {

std::filesystem::path SourceFiles::identity(const std::filesystem::path& path) const {
  return path.lexically_normal();
}

std::string DiskSourceFiles::read(const std::filesystem::path& path) const {
  return read_text_file(path, max_bytes_);
}

PathKind DiskSourceFiles::kind(const std::filesystem::path& path) const {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) return PathKind::kMissing;
  return std::filesystem::is_directory(status) ? PathKind::kFolder : PathKind::kFile;
}

std::vector<std::filesystem::path> DiskSourceFiles::files_in(const std::filesystem::path& folder) const {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  if (ec) throw InputError(folder.string() + ": cannot list the folder: " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
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

namespace {

/// A folder's path as its files' parent_path() gives it: lexically normal, without a trailing separator, "" for
/// the working folder.
std::filesystem::path folder_key(const std::filesystem::path& folder) {
  std::filesystem::path key = folder.lexically_normal();
  if (!key.has_filename()) key = key.parent_path();
  return key == "." ? std::filesystem::path() : key;
}

}  // namespace

PathKind MemorySourceFiles::kind(const std::filesystem::path& path) const {
  if (files_.count(path.lexically_normal()) != 0) return PathKind::kFile;
  const std::filesystem::path folder = folder_key(path);
  for (const auto& entry : files_) {
    for (std::filesystem::path p = entry.first.parent_path();; p = p.parent_path()) {
      if (p == folder) return PathKind::kFolder;
      if (!p.has_relative_path()) break;
    }
  }
  return PathKind::kMissing;
}

std::vector<std::filesystem::path> MemorySourceFiles::files_in(const std::filesystem::path& folder) const {
  const std::filesystem::path key = folder_key(folder);
  std::vector<std::filesystem::path> files;
  for (const auto& entry : files_) {
    if (entry.first.parent_path() == key) files.push_back(entry.first);
  }
  return files;
}

std::string RecordingSourceFiles::read(const std::filesystem::path& path) const {
  std::string text = source_->read(path);
  recorded_.add(path, text);
  return text;
}

}  // namespace vvc::grid
