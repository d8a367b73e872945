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

#include <filesystem>
#include <string>
#include <vector>

#include "vvc/grid/io/source_files.hpp"
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
/// Runs the script at `path` (following Redirect/Compile relative to each file) and builds the network.
OpenDssCase read_opendss(const std::filesystem::path& path, const OpenDssOptions& options = {});
/// The same, reading every file through `files`.
OpenDssCase read_opendss(const std::filesystem::path& path, const SourceFiles& files,
                         const OpenDssOptions& options = {});

/// Runs script text; `source` names it in messages and Redirect paths are relative to `directory` (on disk).
OpenDssCase parse_opendss(const std::string& text, const std::string& source,
                          const std::filesystem::path& directory, const OpenDssOptions& options = {});

}  // namespace vvc::grid
