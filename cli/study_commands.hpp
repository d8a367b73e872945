// Helpers shared by the commands that simulate control (eval, train, bench table).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "args.hpp"
#include "job.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/experiment/experiment.hpp"

namespace vvc::cli {

/// Prints the comparison table: controller, transient, steady, % steps out of band, final violations,
/// failures.
void print_summary_table(std::ostream& out, const std::vector<core::EvaluationSummary>& rows);

/// Reads the study of --study and the trained file of each --policy (a DiffOP policy or a DDPG baseline's
/// networks), in the order given, as the job reads its inputs (core::read_inputs).
std::vector<core::experiment::TrainedFile> read_study_and_files(const Job& job, const Args& args,
                                                                core::Study& study);

/// Splits "a,b,c".
std::vector<std::string> split_list(const std::string& text);

}  // namespace vvc::cli
