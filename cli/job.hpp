// The job a command runs in: one process, or the ranks of an MPI job (core/distributed/communicator.hpp).
// Every rank reads the command line; rank 0 alone reads the input files (the study with its network and scenario
// files, a policy, a checkpoint) and hands them on as bytes (core::read_inputs), writes every output and prints;
// the other ranks print nothing unless they fail.
//
// A command reads its inputs in phases without collective calls and ends each phase with inputs_read(), a
// collective check (core::first_input_failure): when bad input failed some rank, every rank ends with status 2
// and rank 0 prints the message once, naming the rank when it was another. After the last phase (start_work())
// bad input found by the experiment layer is shared the same way (core::SharedInputError); any other failure
// prints "vvc COMMAND: rank R: ..." on its rank and ends the whole job (MPI_Abort) with a non-zero status.
#pragma once

#include <string>

#include "vvc/core/distributed/communicator.hpp"

namespace vvc::cli {

class Job {
 public:
  explicit Job(const core::Communicator& communicator) : communicator_(&communicator) {}
  const core::Communicator& communicator() const { return *communicator_; }
  bool root() const { return communicator_->rank() == 0; }

  /// Ends an input phase on this rank without error; throws core::SharedInputError when another rank failed.
  void inputs_read() const;
  /// The inputs are read on every rank: failures from now on end the job.
  void start_work() { working_ = true; }

  /// What main does with an exception of the command: prints it as above and returns the exit status, or ends
  /// the job. `input`: bad input (InputError, status 2), else an unexpected error (status 1).
  int fail(const std::string& command, const std::string& message, bool input) const;

 private:
  const core::Communicator* communicator_;
  bool working_ = false;
};

}  // namespace vvc::cli
