// Where the readers get their input files (an OpenDSS script and its Redirect, Compile, BusCoords and LoadShape
// files; a balanced case and the folder holding it; a study, its scenario file, a policy): from disk, or from
// memory. In a job of several processes rank 0 reads from disk through RecordingSourceFiles and hands the bytes
// to the other ranks, which read the same inputs from a MemorySourceFiles holding them without touching the file
// system (docs/algorithms/distributed.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "vvc/common/files.hpp"

namespace vvc::grid {

/// The largest file read from disk: 1 GiB, as every vvc reader (vvc/common/files.hpp).
inline constexpr std::uintmax_t kMaxSourceFileBytes = kMaxInputFileBytes;

/// What a path names.
enum class PathKind { kMissing, kFile, kFolder };

class SourceFiles {
 public:
  virtual ~SourceFiles() = default;
  /// The text of the file. Throws InputError "<path>: <why>" when it cannot be served.
  virtual std::string read(const std::filesystem::path& path) const = 0;
  /// Whether `path` names a file (anything that is not a folder), a folder, or nothing.
  virtual PathKind kind(const std::filesystem::path& path) const = 0;
  /// The files directly inside `folder`, sorted. Throws InputError when the folder cannot be listed.
  virtual std::vector<std::filesystem::path> files_in(const std::filesystem::path& folder) const = 0;
  /// One name per file, to recognize a Redirect cycle: by default the path made lexically normal.
  virtual std::filesystem::path identity(const std::filesystem::path& path) const;
};

/// Files on disk: only regular files (not a folder, device, FIFO or socket) of at most `max_bytes`, which
/// bounds the bytes read too (a /proc file reports size 0). A file is identified by its canonical path.
class DiskSourceFiles final : public SourceFiles {
 public:
  explicit DiskSourceFiles(std::uintmax_t max_bytes = kMaxSourceFileBytes) : max_bytes_(max_bytes) {}
  std::string read(const std::filesystem::path& path) const override;
  PathKind kind(const std::filesystem::path& path) const override;
  std::vector<std::filesystem::path> files_in(const std::filesystem::path& folder) const override;
  std::filesystem::path identity(const std::filesystem::path& path) const override;

 private:
  std::uintmax_t max_bytes_;
};

/// Files held in memory by path; paths match after being made lexically normal ("a/./b.dss" is "a/b.dss"). A
/// folder is a path some file lies under: the folders are those of the files, so a reader that found what it
/// read on disk takes the same turns on the files it read.
class MemorySourceFiles final : public SourceFiles {
 public:
  MemorySourceFiles() = default;
  MemorySourceFiles(std::initializer_list<std::pair<const std::filesystem::path, std::string>> files);
  void add(const std::filesystem::path& path, std::string text);
  const std::map<std::filesystem::path, std::string>& files() const { return files_; }
  std::string read(const std::filesystem::path& path) const override;
  PathKind kind(const std::filesystem::path& path) const override;
  std::vector<std::filesystem::path> files_in(const std::filesystem::path& folder) const override;

 private:
  std::map<std::filesystem::path, std::string> files_;
};

/// Reads through another SourceFiles and keeps a copy of every file read: a MemorySourceFiles that then serves a
/// reader the same inputs.
class RecordingSourceFiles final : public SourceFiles {
 public:
  explicit RecordingSourceFiles(const SourceFiles& source) : source_(&source) {}
  const MemorySourceFiles& recorded() const { return recorded_; }
  std::string read(const std::filesystem::path& path) const override;
  PathKind kind(const std::filesystem::path& path) const override { return source_->kind(path); }
  std::vector<std::filesystem::path> files_in(const std::filesystem::path& folder) const override {
    return source_->files_in(folder);
  }
  std::filesystem::path identity(const std::filesystem::path& path) const override {
    return source_->identity(path);
  }

 private:
  const SourceFiles* source_;
  mutable MemorySourceFiles recorded_;
};

}  // namespace vvc::grid
