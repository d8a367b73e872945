// Helpers shared by the commands that simulate control (eval, train, bench table).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "vvc/core/env/evaluation.hpp"

namespace vvc::cli {

/// Prints the comparison table: controller, transient, steady, % steps out of band, final violations,
/// failures.
void print_summary_table(std::ostream& out, const std::vector<core::EvaluationSummary>& rows);

/// Splits "a,b,c".
std::vector<std::string> split_list(const std::string& text);

}  // namespace vvc::cli
