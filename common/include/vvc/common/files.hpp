// Opening and whole-file reading, bounded, and atomic writing (a temporary file in the same folder, then rename),
// so that a crash never leaves a truncated case, policy or checkpoint behind.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace vvc {

/// The largest file vvc reads: 1 GiB.
inline constexpr std::uintmax_t kMaxInputFileBytes = std::uintmax_t{1} << 30;

/// Opens a file for reading. Only a regular file of at most `max_bytes` is opened: a device or FIFO may never
/// end (/dev/zero) or block (a FIFO nobody writes). Throws InputError "<path>: cannot open" when it is missing or
/// unreadable, "<path>: is a folder, expected a file", "<path>: not a regular file" and "<path>: larger than
/// 1 GiB, the limit for an input file".
std::ifstream open_input_file(const std::filesystem::path& path,
                              std::uintmax_t max_bytes = kMaxInputFileBytes);
/// Reads a whole file, with the errors of open_input_file. The bytes read are bounded by `max_bytes` too, since
/// a file may hold more than its reported size (a /proc file reports 0).
std::string read_text_file(const std::filesystem::path& path, std::uintmax_t max_bytes = kMaxInputFileBytes);
/// "<path>: larger than <max_bytes>, the limit for an input file", for readers that bound the bytes they read.
std::string file_too_large_message(const std::filesystem::path& path,
                                   std::uintmax_t max_bytes = kMaxInputFileBytes);
/// Writes text to path atomically; throws InputError naming the path when the folder is not writable.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace vvc
