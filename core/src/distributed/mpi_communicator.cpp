// The MPI communicator (VVC_WITH_MPI): MPI_COMM_WORLD of a job started by an MPI launcher. A process started
// without one stays alone and never initializes MPI (no singleton start-up cost, no launcher needed for the
// ordinary one-process commands).
#include <mpi.h>
#include <sched.h>

#include <cstdlib>
#include <limits>

#include "vvc/common/errors.hpp"
#include "vvc/core/distributed/communicator.hpp"

namespace vvc::core {

namespace {

/// Whether an MPI launcher started this process: Open MPI's mpirun, or a PMI/PMIx launcher such as Slurm's srun.
bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

/// Waits for a nonblocking collective, giving the core away between polls: a rank that waits for the others
/// (the end of a block of scenarios, rank 0 reading the inputs) leaves its core to them when they share it (an
/// oversubscribed or busy node) instead of spinning in MPI's progress loop; on an idle core sched_yield()
/// returns at once, so the wait is as short as the blocking call's.
void wait_for(MPI_Request& request) {
  int done = 0;
  for (;;) {
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done != 0) return;
    sched_yield();
  }
}

int checked_count(size_t bytes) {
  VVC_ASSERT(bytes <= static_cast<size_t>(std::numeric_limits<int>::max()));
  return static_cast<int>(bytes);
}

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator(int& argc, char**& argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiCommunicator() override { MPI_Finalize(); }
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void broadcast(std::string& bytes) const override {
    unsigned long long length = bytes.size();
    MPI_Request request;
    MPI_Ibcast(&length, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD, &request);
    wait_for(request);
    bytes.resize(length);
    MPI_Ibcast(bytes.data(), checked_count(length), MPI_BYTE, 0, MPI_COMM_WORLD, &request);
    wait_for(request);
  }

  std::vector<std::string> all_gather(const std::string& bytes) const override {
    const int mine = checked_count(bytes.size());
    std::vector<int> counts(static_cast<size_t>(size_));
    MPI_Request request;
    MPI_Iallgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD, &request);
    wait_for(request);
    std::vector<int> offsets(static_cast<size_t>(size_));
    size_t total = 0;
    for (int r = 0; r < size_; ++r) {
      offsets[static_cast<size_t>(r)] = checked_count(total);
      total += static_cast<size_t>(counts[static_cast<size_t>(r)]);
    }
    checked_count(total);
    std::string all(total, '\0');
    MPI_Iallgatherv(bytes.data(), mine, MPI_BYTE, all.data(), counts.data(), offsets.data(), MPI_BYTE,
                    MPI_COMM_WORLD, &request);
    wait_for(request);
    std::vector<std::string> out;
    out.reserve(static_cast<size_t>(size_));
    for (int r = 0; r < size_; ++r) {
      out.push_back(all.substr(static_cast<size_t>(offsets[static_cast<size_t>(r)]),
                               static_cast<size_t>(counts[static_cast<size_t>(r)])));
    }
    return out;
  }

 protected:
  void end_job(int status) const override { MPI_Abort(MPI_COMM_WORLD, status); }

 private:
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace

std::unique_ptr<Communicator> start_communicator(int& argc, char**& argv) {
  if (!launched_by_mpi()) return std::make_unique<SerialCommunicator>();
  return std::make_unique<MpiCommunicator>(argc, argv);
}

}  // namespace vvc::core
