// Finding and dispatching a balanced case: a .json or .m file, or a folder that holds one.
#include <algorithm>
#include <cctype>
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

fs::path resolve_folder(const fs::path& folder, const SourceFiles& files) {
  // The chosen file is named from `folder` as given, whoever lists it.
  std::vector<fs::path> matpower;
  bool has_dss = false;
  for (const fs::path& file : files.files_in(folder)) {
    if (file.filename() == "case.json") return folder / "case.json";
    const std::string ext = lower_extension(file);
    if (ext == ".m") matpower.push_back(folder / file.filename());
    has_dss = has_dss || ext == ".dss";
  }
  if (matpower.size() == 1) return matpower.front();
  if (matpower.size() > 1) {
    std::string names;
    for (const auto& p : matpower) names += " " + p.filename().string();
    throw InputError(folder.string() + ": the folder holds no case.json and several .m files (" +
                     names.substr(1) + "); name the file to read");
  }
  if (has_dss) reject_opendss(folder);
  throw InputError(folder.string() + ": the folder holds neither case.json nor a MATPOWER .m file");
}

}  // namespace

fs::path resolve_case_path(const fs::path& path) { return resolve_case_path(path, DiskSourceFiles()); }

fs::path resolve_case_path(const fs::path& path, const SourceFiles& files) {
  const PathKind kind = files.kind(path);
  if (kind == PathKind::kMissing) throw InputError(path.string() + ": no such file or folder");
  const fs::path file = kind == PathKind::kFolder ? resolve_folder(path, files) : path;
  const std::string ext = lower_extension(file);
  if (ext == ".dss") reject_opendss(file);
  if (ext != ".json" && ext != ".m") {
    throw InputError(file.string() + ": unknown case format '" + file.extension().string() +
                     "' (expected a vvc JSON case .json, a MATPOWER case .m, or a folder holding one)");
  }
  return file;
}

Network read_case(const fs::path& path) { return read_case(path, DiskSourceFiles()); }

Network read_case(const fs::path& path, const SourceFiles& files) {
  const fs::path file = resolve_case_path(path, files);
  const std::string text = files.read(file);
  return lower_extension(file) == ".m" ? parse_matpower(text, file.string())
                                       : parse_case_json(text, file.string());
}

}  // namespace vvc::grid
