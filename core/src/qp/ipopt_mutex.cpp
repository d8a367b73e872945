// The one process-wide lock around Ipopt. A function-local static: constructed on first use, thread-safe
// since C++11, and the only global state in vvc_core (it exists because the library below it has global
// state).
#include "qp/ipopt_internal.hpp"

namespace vvc::core::detail {

std::mutex& ipopt_mutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace vvc::core::detail
