// Work spread over the processes of a job (docs/algorithms/distributed.md). `vvc train`, `vvc eval` and
// `vvc bench table` started by an MPI launcher (mpirun, srun) run one process per rank; every rank holds the same
// study and runs the same loop, computes its share of each parallel step (the scenarios of an evaluation, the
// training scenarios of an iteration, the methods of a table), and the shares are gathered to every rank in item
// order and reduced there serially, so the numbers are those of one process for any rank and thread count.
//
// Shares are contiguous: of n items on N ranks, rank r takes [r n / N, (r + 1) n / N) (integer division), so the
// concatenation of the shares in rank order is the items in order. Bytes travel in the machine's own layout
// (every rank runs the same program on the same architecture).
#pragma once

#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vvc/common/errors.hpp"
#include "vvc/grid/io/source_files.hpp"

namespace vvc::core {

/// The processes of a job. Every call except rank(), size() and abort() is collective: every rank makes it, in
/// the same order.
class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// Rank 0's bytes, on every rank.
  virtual void broadcast(std::string& bytes) const = 0;
  /// Every rank's bytes in rank order, on every rank.
  virtual std::vector<std::string> all_gather(const std::string& bytes) const = 0;
  /// Ends every process of the job with `status`; the caller has printed why.
  [[noreturn]] void abort(int status) const {
    end_job(status);
    std::exit(status);
  }

 protected:
  /// Ends the other processes of the job (MPI_Abort).
  virtual void end_job(int status) const = 0;
};

/// This process alone.
class SerialCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void broadcast(std::string&) const override {}
  std::vector<std::string> all_gather(const std::string& bytes) const override { return {bytes}; }

 protected:
  void end_job(int) const override {}
};
const Communicator& serial_communicator();

/// The job this process belongs to: MPI_COMM_WORLD when vvc is built with MPI (VVC_WITH_MPI) and the process was
/// started by an MPI launcher, else this process alone. Called once, at the start of main; destroying the
/// returned object ends MPI.
std::unique_ptr<Communicator> start_communicator(int& argc, char**& argv);

/// Rank `rank`'s share [first, last) of `count` items.
struct Share {
  int first = 0;
  int last = 0;
};
Share share_of(int count, int rank, int size);

/// Collective: whether some rank's flag is set, on every rank (a stop request: the ranks stop at the same point
/// whichever of them a signal reached).
bool any_rank(const Communicator& communicator, bool flag);

/// Runs compute(first, last) on this rank's share of `count` items and returns every rank's bytes in rank order,
/// that is in item order, on every rank.
std::vector<std::string> gather_shares(const Communicator& communicator, int count,
                                       const std::function<std::string(int first, int last)>& compute);

/// Bad input that every rank of a job throws alike (agree_on_inputs): reported once, by rank 0.
class SharedInputError : public InputError {
 public:
  using InputError::InputError;
};

/// Collective: this rank's outcome of reading its inputs (empty: read; else its InputError's message) and every
/// rank's; returns the first failure in rank order ("rank R: message" for a rank other than 0), or nothing.
std::optional<std::string> first_input_failure(const Communicator& communicator, const std::string& mine);

/// Runs `read` on every rank; when it throws InputError on some rank, every rank throws SharedInputError with the
/// first failure. Bad input thus ends every rank alike, before any work is shared.
void agree_on_inputs(const Communicator& communicator, const std::function<void()>& read);

/// Collective: reads a command's inputs once. Rank 0 runs `read` on the files on disk, keeping a copy of every
/// file it reads, and broadcasts them; the other ranks then run `read` on those bytes and never touch the file
/// system (on a cluster, one process reads the study instead of hundreds). Bad input on rank 0 (InputError)
/// makes every rank throw SharedInputError before the broadcast.
void read_inputs(const Communicator& communicator, const std::function<void(const grid::SourceFiles&)>& read);

}  // namespace vvc::core
