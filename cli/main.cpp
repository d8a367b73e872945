// vvc: the command-line program. Dispatches to the subcommands; turns bad input into one message and exit 2.
#include <cstring>
#include <exception>
#include <iostream>
#include <string>

#include "commands.hpp"
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

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  try {
    if (command == "powerflow") return vvc::cli::run_powerflow(argc, argv);
    if (command == "bench") return vvc::cli::run_bench(argc, argv);
    if (command == "eval") return vvc::cli::run_eval(argc, argv);
    if (command == "train") return vvc::cli::run_train(argc, argv);
    std::cerr << "vvc: unknown command '" << command << "' (see vvc --help)\n";
    return 2;
  } catch (const vvc::InputError& e) {
    std::cerr << "vvc " << command << ": error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "vvc " << command << ": unexpected error: " << e.what() << "\n";
    return 1;
  }
}
