// Whole-file reading and atomic writing (a temporary file in the same folder, then rename), so that a crash
// never leaves a truncated case, policy or checkpoint behind.
#pragma once

#include <filesystem>
#include <string>

namespace vvc {

/// Reads a file; throws InputError "<path>: cannot open" when it is missing or unreadable.
std::string read_text_file(const std::filesystem::path& path);
/// Writes text to path atomically; throws InputError naming the path when the folder is not writable.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace vvc
