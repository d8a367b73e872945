// The serial communicator and the helpers every communicator shares (communicator.hpp).
#include "vvc/core/distributed/communicator.hpp"

#include <algorithm>

#include "vvc/common/errors.hpp"
#include "vvc/core/distributed/messages.hpp"

namespace vvc::core {

const Communicator& serial_communicator() {
  static const SerialCommunicator serial;
  return serial;
}

Share share_of(int count, int rank, int size) {
  VVC_ASSERT(size >= 1 && rank >= 0 && rank < size && count >= 0);
  const auto bound = [&](int r) { return static_cast<int>(static_cast<long long>(count) * r / size); };
  return {bound(rank), bound(rank + 1)};
}

bool any_rank(const Communicator& communicator, bool flag) {
  if (communicator.size() == 1) return flag;
  const std::vector<std::string> flags = communicator.all_gather(std::string(1, flag ? '1' : '0'));
  return std::find(flags.begin(), flags.end(), "1") != flags.end();
}

std::vector<std::string> gather_shares(const Communicator& communicator, int count,
                                       const std::function<std::string(int first, int last)>& compute) {
  const Share share = share_of(count, communicator.rank(), communicator.size());
  return communicator.all_gather(compute(share.first, share.last));
}

std::optional<std::string> first_input_failure(const Communicator& communicator, const std::string& mine) {
  if (communicator.size() == 1) return mine.empty() ? std::nullopt : std::optional<std::string>(mine);
  const std::vector<std::string> all = communicator.all_gather(mine);
  for (size_t r = 0; r < all.size(); ++r) {
    if (all[r].empty()) continue;
    return r == 0 ? all[r] : "rank " + std::to_string(r) + ": " + all[r];
  }
  return std::nullopt;
}

void agree_on_inputs(const Communicator& communicator, const std::function<void()>& read) {
  if (communicator.size() == 1) {
    read();
    return;
  }
  std::string mine;
  try {
    read();
  } catch (const InputError& e) {
    mine = e.what();
    if (mine.empty()) mine = "bad input";
  }
  if (const auto failure = first_input_failure(communicator, mine)) throw SharedInputError(*failure);
}

void read_inputs(const Communicator& communicator,
                 const std::function<void(const grid::SourceFiles&)>& read) {
  const grid::DiskSourceFiles disk;
  if (communicator.size() == 1) {
    read(disk);
    return;
  }
  std::string bytes;
  std::string failure;
  if (communicator.rank() == 0) {
    const grid::RecordingSourceFiles recording(disk);
    try {
      read(recording);
      ByteWriter out;
      put(out, recording.recorded());
      bytes = out.bytes();
    } catch (const InputError& e) {
      failure = e.what();
      if (failure.empty()) failure = "bad input";
    }
  }
  if (const auto first = first_input_failure(communicator, failure)) throw SharedInputError(*first);
  communicator.broadcast(bytes);
  if (communicator.rank() == 0) return;
  grid::MemorySourceFiles files;
  ByteReader in(bytes);
  get(in, files);
  read(files);
}

}  // namespace vvc::core
