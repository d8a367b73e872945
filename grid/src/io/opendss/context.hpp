// Internal: the state an OpenDSS script builds up while it runs. The interpreter's commands change the
// circuit settings and define elements; the element classes apply their properties; the builder turns the
// final state into a MultiphaseNetwork.
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "vvc/grid/io/opendss.hpp"

namespace vvc::grid::dss {

/// The most warnings listed one by one; the others are counted.
inline constexpr size_t kMaxWarnings = 1000;

/// Where a command starts: its file and the line of its first physical line.
struct Location {
  std::string file;
  int line = 0;
};

/// Throws InputError "file:line: message".
[[noreturn]] void fail(const Location& at, const std::string& message);

/// Circuit-wide settings: the Set options, the circuit's name and source settings, what the script asked for.
struct CircuitSettings {
  std::string name;      ///< New Circuit.<name>
  bool defined = false;  ///< New Circuit was given
  double frequency_hz = 60.0;
  double base_mva = 100.0;
  bool regulator_control = true;
  int max_control_iterations = 10;  ///< OpenDSS's MaxControlIter default
  std::vector<double> voltage_bases_kv;
  bool calc_voltage_bases = false;
  bool solved = false;
  std::map<std::string, std::array<double, 2>> coords;  ///< BusCoords, by lower-case bus name
};

class ElementClass;

/// One defined element: its class and its index among the class's elements.
struct ElementRef {
  ElementClass* element_class = nullptr;
  size_t index = 0;
};

class ReaderContext {
 public:
  explicit ReaderContext(const OpenDssOptions& options);
  ~ReaderContext();
  ReaderContext(const ReaderContext&) = delete;
  ReaderContext& operator=(const ReaderContext&) = delete;

  const OpenDssOptions& options() const { return options_; }
  /// A command, class, property or value the reader does not model: an InputError in strict mode, else a
  /// warning "file:line: skipped unsupported <what>".
  void unsupported(const Location& at, const std::string& what);
  /// The warnings: the first kMaxWarnings, then one line that counts the others.
  std::vector<std::string> warnings() const;

  /// Clear and New Circuit: default settings and no elements; the warnings so far are kept.
  void clear();
  /// The class registered under `name` (lower case), or nullptr.
  ElementClass* element_class(const std::string& name) const;

  CircuitSettings settings;
  std::vector<ElementRef> elements;  ///< every element, in definition order
  /// Where the script's files come from, and the folder of the file being run (relative file names of
  /// properties, e.g. a LoadShape's mult=(file=...), are relative to it).
  const SourceFiles* files = nullptr;
  std::filesystem::path directory;

 private:
  OpenDssOptions options_;
  std::vector<std::string> warnings_;
  long unlisted_warnings_ = 0;
  std::map<std::string, std::unique_ptr<ElementClass>> classes_;
};

}  // namespace vvc::grid::dss
