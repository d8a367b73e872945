// start_communicator without MPI (VVC_WITH_MPI off): every process is a job of its own.
#include "vvc/core/distributed/communicator.hpp"

namespace vvc::core {

std::unique_ptr<Communicator> start_communicator(int&, char**&) {
  return std::make_unique<SerialCommunicator>();
}

}  // namespace vvc::core
