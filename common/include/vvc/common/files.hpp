// Opening and whole-file reading, and atomic writing (a temporary file in the same folder, then rename), so
// that a crash never leaves a truncated case, policy or checkpoint behind.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

namespace vvc {

/// Opens a file for reading; throws InputError "<path>: cannot open" when it is missing or unreadable, and
/// "<path>: is a folder, expected a file".
std::ifstream open_input_file(const std::filesystem::path& path);
/// Reads a whole file, with the errors of open_input_file.
std::string read_text_file(const std::filesystem::path& path);
/// Writes text to path atomically; throws InputError naming the path when the folder is not writable.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace vvc
