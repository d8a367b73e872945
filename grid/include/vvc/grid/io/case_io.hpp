// Reading and writing balanced cases: vvc's own JSON format (docs/formats/case.md) and MATPOWER .m files.
// Bad input throws InputError naming the file and the line (MATPOWER) or JSON path (vvc JSON).
#pragma once

#include <filesystem>
#include <string>

#include "vvc/grid/io/source_files.hpp"
#include "vvc/grid/model/network.hpp"

namespace vvc::grid {

/// Reads a vvc JSON case ("format": "vvc.case", "version": 1).
Network read_case_json(const std::filesystem::path& path);
/// Parses vvc JSON case text; `source` names it in error messages.
Network parse_case_json(const std::string& text, const std::string& source);
/// Writes a vvc JSON case atomically (temporary file, then rename). Each double is printed in the shortest
/// form that reads back to the same value (at most 17 significant digits), so reading the file gives the
/// same `network` back.
void write_case_json(const Network& network, const std::filesystem::path& path);
std::string case_to_json_text(const Network& network);

/// Reads a MATPOWER case file (mpc.baseMVA, mpc.bus, mpc.branch, mpc.gen, optional mpc.bus_name and
/// mpc.gen_name; version 2). PV buses and transformer taps are rejected (docs/formats/case.md, section 2).
Network read_matpower(const std::filesystem::path& path);
Network parse_matpower(const std::string& text, const std::string& source);

/// Resolves a case argument: a .json or .m file, or a folder holding case.json (preferred) or exactly one
/// .m file. Looks on disk, or through `files`.
std::filesystem::path resolve_case_path(const std::filesystem::path& path);
std::filesystem::path resolve_case_path(const std::filesystem::path& path, const SourceFiles& files);
/// Reads a balanced case by extension (.json or .m), after resolve_case_path. A .dss file is an InputError:
/// three-phase OpenDSS cases have their own reader. Reads from disk, or through `files`.
Network read_case(const std::filesystem::path& path);
Network read_case(const std::filesystem::path& path, const SourceFiles& files);

}  // namespace vvc::grid
