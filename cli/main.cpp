// vvc: the command-line program. Dispatches to the subcommands; turns bad input into one message and exit 2.
#include <cstring>
#include <exception>
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "job.hpp"
#include "vvc/common/errors.hpp"

namespace {

constexpr const char* kUsage =
    "vvc: power-grid voltage-control simulator\n"
    "\n"
    "usage: vvc <command> [options]\n"
    "\n"
    "commands:\n"
    "  powerflow CASE     solve the power flow of a case (vvc JSON, MATPOWER .m, OpenDSS .dss, or a folder)\n"
    "  eval               evaluate controllers or a trained policy on a study's scenarios\n"
    "  train              train a DiffOP policy on a study and write it as JSON\n"
    "  bench powerflow    benchmark the power-flow solvers\n"
    "  bench policy       benchmark policy evaluation and the per-step QP (dense solver against Ipopt)\n"
    "  bench table        train and evaluate every method of the DiffOP comparison table\n"
    "\n"
    "Run 'vvc <command> --help' for the options of a command.\n";

}  // namespace

// Started by mpirun (or srun), every rank runs main: train, eval and bench table share their work among the
// ranks (job.hpp); the other commands run on rank 0 alone.
int main(int argc, char** argv) {
  const std::unique_ptr<vvc::core::Communicator> communicator = vvc::core::start_communicator(argc, argv);
  const std::string command = argc < 2 ? "" : argv[1];
  const bool shared = command == "train" || command == "eval" ||
                      (command == "bench" && argc > 2 && std::strcmp(argv[2], "table") == 0);
  if (communicator->rank() > 0 && !shared) return 0;
  vvc::cli::Job job(shared ? *communicator : vvc::core::serial_communicator());
  if (!job.root()) std::cout.rdbuf(nullptr);
  if (argc < 2 || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  try {
    if (command == "powerflow") return vvc::cli::run_powerflow(argc, argv);
    if (command == "bench") return vvc::cli::run_bench(argc, argv, job);
    if (command == "eval") return vvc::cli::run_eval(argc, argv, job);
    if (command == "train") return vvc::cli::run_train(argc, argv, job);
    std::cerr << "vvc: unknown command '" << command << "' (see vvc --help)\n";
    return 2;
  } catch (const vvc::core::SharedInputError& e) {
    if (job.root()) std::cerr << "vvc " << command << ": error: " << e.what() << "\n";
    return 2;
  } catch (const vvc::InputError& e) {
    return job.fail(command, e.what(), true);
  } catch (const std::exception& e) {
    return job.fail(command, e.what(), false);
  }
}
