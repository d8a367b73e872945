// Reading OpenDSS scripts (.dss) into a MultiphaseNetwork: the subset of the language the IEEE 13/34/37/123
// feeders and PowerModelsDistribution's 3-wire validation cases use (docs/formats/opendss.md).
//
// Bad input (unknown command, class or property; malformed bus, number or matrix; missing linecode or file;
// circular Redirect) throws InputError naming the file and line. In strict mode, the default, a command or
// property the reader does not model is an error too; lenient mode skips it and lists it in the warnings.
//
// The reader gets its files (the script, its Redirect/Compile targets, BusCoords files) through SourceFiles:
// from disk, or from memory (a test or a fuzzer serving a script and its Redirect targets).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "vvc/common/files.hpp"
#include "vvc/grid/model/multiphase_network.hpp"

namespace vvc::grid {

struct OpenDssOptions {
  bool strict = true;
  /// The circuit's frequency is the script's last DefaultBaseFrequency. false: an element's own basefreq
  /// (e.g. a LineCode's) still scales its reactances by frequency / basefreq, as OpenDSS does. true: element
  /// basefreq properties are ignored and every impedance is taken at the circuit frequency, as
  /// PowerModelsDistribution's parser (and hence its stored OpenDSS solutions) does.
  bool uniform_frequency = false;
};

struct OpenDssCase {
  MultiphaseNetwork network;
  std::vector<std::string> warnings;  ///< "file:line: ..." for what lenient mode skipped
  bool solved = false;                ///< the script issued Solve
};

/// Redirect/Compile may nest this deep; a deeper one is an error (a cycle is one as soon as it closes).
inline constexpr int kMaxRedirectDepth = 64;
/// The largest file the reader reads from disk: 1 GiB, as every vvc reader (vvc/common/files.hpp).
inline constexpr std::uintmax_t kMaxSourceFileBytes = kMaxInputFileBytes;

/// Where the reader gets its files.
class SourceFiles {
 public:
  virtual ~SourceFiles() = default;
  /// The text of the file. Throws InputError "<path>: <why>" when it cannot be served.
  virtual std::string read(const std::filesystem::path& path) const = 0;
  /// One name per file, to recognize a Redirect cycle: by default the path made lexically normal.
  virtual std::filesystem::path identity(const std::filesystem::path& path) const;
};

/// Files on disk: only regular files (not a folder, device, FIFO or socket) of at most `max_bytes`, which
/// bounds the bytes read too (a /proc file reports size 0). A file is identified by its canonical path.
class DiskSourceFiles final : public SourceFiles {
 public:
  explicit DiskSourceFiles(std::uintmax_t max_bytes = kMaxSourceFileBytes) : max_bytes_(max_bytes) {}
  std::string read(const std::filesystem::path& path) const override;
  std::filesystem::path identity(const std::filesystem::path& path) const override;

 private:
  std::uintmax_t max_bytes_;
};

/// Files held in memory by path; paths match after being made lexically normal ("a/./b.dss" is "a/b.dss").
class MemorySourceFiles final : public SourceFiles {
 public:
  MemorySourceFiles() = default;
  MemorySourceFiles(std::initializer_list<std::pair<const std::filesystem::path, std::string>> files);
  void add(const std::filesystem::path& path, std::string text);
  std::string read(const std::filesystem::path& path) const override;

 private:
  std::map<std::filesystem::path, std::string> files_;
};

/// Runs the script at `path` (following Redirect/Compile relative to each file) and builds the network.
OpenDssCase read_opendss(const std::filesystem::path& path, const OpenDssOptions& options = {});
/// The same, reading every file through `files`.
OpenDssCase read_opendss(const std::filesystem::path& path, const SourceFiles& files,
                         const OpenDssOptions& options = {});

/// Runs script text; `source` names it in messages and Redirect paths are relative to `directory` (on disk).
OpenDssCase parse_opendss(const std::string& text, const std::string& source,
                          const std::filesystem::path& directory, const OpenDssOptions& options = {});

}  // namespace vvc::grid
