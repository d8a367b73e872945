// Internal: runs OpenDSS commands (Clear, New, Edit, Class.name.property=, Redirect/Compile, Set,
// CalcVoltageBases, Solve, BusCoords) against the reader context. New and Edit resolve property names
// (positional values, unique abbreviations, like=) and hand each property to its element class in the order
// written, as OpenDSS does.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "context.hpp"
#include "lexer.hpp"

namespace vvc::grid::dss {

class Interpreter {
 public:
  /// Reads every file through `files`, which must outlive the interpreter.
  Interpreter(const SourceFiles& files, const OpenDssOptions& options);

  /// Runs the script at `path`; `from` is the Redirect/Compile command that names it (empty file for the top
  /// script).
  void run_file(const std::filesystem::path& path, const Location& from);
  /// Runs script text; `source` names it in messages and Redirect paths are relative to `directory`.
  void run_text(const std::string& text, const std::string& source, const std::filesystem::path& directory);

  ReaderContext& context() { return context_; }

 private:
  void execute(std::vector<Parameter>& params, const Location& at, const std::filesystem::path& directory);
  void set_option(const Parameter& p, const Location& at);
  /// The text of a file a command names; a file that cannot be read is an error at the command.
  std::string read_named_file(const std::filesystem::path& path, const Location& at) const;
  void read_bus_coords(const std::filesystem::path& path, const Location& at);
  /// Applies parameters [first, end) to the element, creating it for New.
  void edit(const std::string& raw_class, const std::string& raw_name, const std::vector<Parameter>& params,
            size_t first, const Location& at, bool create);

  const SourceFiles& files_;
  ReaderContext context_;
  std::vector<std::filesystem::path> stack_;  ///< the files being run, to detect a Redirect cycle
  int redirect_depth_ = 0;                    ///< Redirect/Compile commands being run
};

}  // namespace vvc::grid::dss
