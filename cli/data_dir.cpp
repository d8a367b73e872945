#include "data_dir.hpp"

#include <system_error>
#include <vector>

#include "vvc/common/errors.hpp"

namespace vvc::cli {

namespace fs = std::filesystem;

std::filesystem::path find_cases_dir(const std::optional<std::string>& data_dir) {
  if (data_dir) {
    if (!fs::is_directory(*data_dir)) throw InputError("--data-dir " + *data_dir + ": no such folder");
    return *data_dir;
  }
  std::error_code error;
  const fs::path program = fs::read_symlink("/proc/self/exe", error);
  if (error) {
    throw InputError("cannot locate the vvc program (/proc/self/exe: " + error.message() +
                     "), so cannot find its case data: give --data-dir DIR");
  }
  const fs::path program_dir = program.parent_path();
  std::vector<fs::path> candidates{(program_dir / VVC_INSTALLED_CASES_FROM_PROGRAM).lexically_normal()};
  if (fs::equivalent(program_dir, VVC_BUILD_PROGRAM_DIR, error))
    candidates.emplace_back(VVC_SOURCE_CASES_DIR);
  std::string looked;
  for (const fs::path& candidate : candidates) {
    if (fs::is_directory(candidate)) return candidate;
    looked += (looked.empty() ? "" : ", ") + candidate.string();
  }
  throw InputError("cannot find vvc's case data (looked in " + looked +
                   "): give --data-dir DIR, the folder holding ieee13_tasrl/");
}

}  // namespace vvc::cli
