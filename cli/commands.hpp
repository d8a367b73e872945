// The vvc subcommands. Each returns the process exit status; bad input throws InputError (exit 2 in main).
#pragma once

namespace vvc::cli {

class Job;

/// argv[0] is the program, argv[1] the subcommand name; options start at argv[2].
int run_powerflow(int argc, char** argv);
/// train, eval and bench table run in a job (job.hpp): on every rank of an MPI job.
int run_bench(int argc, char** argv, Job& job);
/// vvc bench table: argv[2] is "table", options start at argv[3].
int run_bench_table(int argc, char** argv, Job& job);
int run_eval(int argc, char** argv, Job& job);
int run_train(int argc, char** argv, Job& job);
/// The unbalanced power flow of an OpenDSS script (vvc powerflow CASE.dss): run_powerflow hands .dss to it.
int run_powerflow_dss(int argc, char** argv);

}  // namespace vvc::cli
