// Finding and dispatching a balanced case: a .json or .m file, or a folder that holds one.
#include <algorithm>
#include <cctype>
#include <system_error>
#include <vector>

#include "vvc/common/errors.hpp"
#include "vvc/grid/io/case_io.hpp"

namespace vvc::grid {

namespace {

namespace fs = std::filesystem;

std::string lower_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

[[noreturn]] void reject_opendss(const fs::path& path) {
  throw InputError(
      path.string() +
      ": this is an OpenDSS case; three-phase OpenDSS cases are read by the OpenDSS reader, not by the "
      "balanced case reader (which takes vvc JSON and MATPOWER .m)");
}

fs::path resolve_folder(const fs::path& folder) {
  if (fs::is_regular_file(folder / "case.json")) return folder / "case.json";
  std::vector<fs::path> matpower;
  bool has_dss = false;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (!entry.is_regular_file()) continue;
    const std::string ext = lower_extension(entry.path());
    if (ext == ".m") matpower.push_back(entry.path());
    has_dss = has_dss || ext == ".dss";
  }
  if (ec) throw InputError(folder.string() + ": cannot list the folder: " + ec.message());
  if (matpower.size() == 1) return matpower.front();
  if (matpower.size() > 1) {
    std::sort(matpower.begin(), matpower.end());
    std::string names;
    for (const auto& p : matpower) names += " " + p.filename().string();
    throw InputError(folder.string() + ": the folder holds no case.json and several .m files (" +
                     names.substr(1) + "); name the file to read");
  }
  if (has_dss) reject_opendss(folder);
  throw InputError(folder.string() + ": the folder holds neither case.json nor a MATPOWER .m file");
}

}  // namespace

fs::path resolve_case_path(const fs::path& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (!fs::exists(status)) throw InputError(path.string() + ": no such file or folder");
  const fs::path file = fs::is_directory(status) ? resolve_folder(path) : path;
  const std::string ext = lower_extension(file);
  if (ext == ".dss") reject_opendss(file);
  if (ext != ".json" && ext != ".m") {
    throw InputError(file.string() + ": unknown case format '" + file.extension().string() +
                     "' (expected a vvc JSON case .json, a MATPOWER case .m, or a folder holding one)");
  }
  return file;
}

Network read_case(const fs::path& path) {
  const fs::path file = resolve_case_path(path);
  return lower_extension(file) == ".m" ? read_matpower(file) : read_case_json(file);
}

}  // namespace vvc::grid
