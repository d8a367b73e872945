// The OpenDSS reader: the lexer splits a script into commands and values (lexer.hpp), the interpreter runs
// the commands (interpreter.hpp) and hands each element property to its element class (elements/,
// element_class.hpp), and the builder turns the final state into the MultiphaseNetwork (builder.hpp). Element
// semantics follow OpenDSS; the details and what is not supported are in docs/formats/opendss.md.
#include "builder.hpp"
#include "interpreter.hpp"
#include "vvc/grid/io/opendss.hpp"

namespace vvc::grid {

OpenDssCase read_opendss(const std::filesystem::path& path, const OpenDssOptions& options) {
  return read_opendss(path, DiskSourceFiles(), options);
}

OpenDssCase read_opendss(const std::filesystem::path& path, const SourceFiles& files,
                         const OpenDssOptions& options) {
  dss::Interpreter interpreter(files, options);
  interpreter.run_file(path, dss::Location{});
  return dss::NetworkBuilder(interpreter.context()).build(path.string());
}

OpenDssCase parse_opendss(const std::string& text, const std::string& source,
                          const std::filesystem::path& directory, const OpenDssOptions& options) {
  const DiskSourceFiles files;
  dss::Interpreter interpreter(files, options);
  interpreter.run_text(text, source, directory);
  return dss::NetworkBuilder(interpreter.context()).build(source);
}

}  // namespace vvc::grid
