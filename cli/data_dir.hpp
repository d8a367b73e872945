// Where the vvc program finds its case data (the case folders ieee13_tasrl/, ieee13/, ...), so that it runs
// from any working folder: the folder given with --data-dir; else, beside the program, the installed
// share/vvc/cases; else, when the program runs from its build folder, the source tree's cases/.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace vvc::cli {

/// The case-data folder. `data_dir` is the value of --data-dir, if given: it must be a folder. Throws
/// InputError when the given folder does not exist, or when no folder is given and none was found, naming
/// where it looked.
std::filesystem::path find_cases_dir(const std::optional<std::string>& data_dir);

}  // namespace vvc::cli
