// Reading a whole input file, with the failure reported as bad input naming the file.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "vvc/grid/errors.hpp"

namespace vvc::grid {

inline std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open the file");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError(path.string() + ": cannot read the file");
  return text;
}

}  // namespace vvc::grid
