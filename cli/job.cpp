#include "job.hpp"

#include <iostream>

namespace vvc::cli {

void Job::inputs_read() const {
  if (const auto failure = core::first_input_failure(*communicator_, std::string())) {
    throw core::SharedInputError(*failure);
  }
}

int Job::fail(const std::string& command, const std::string& message, bool input) const {
  const int status = input ? 2 : 1;
  const char* kind = input ? "error" : "unexpected error";
  if (communicator_->size() == 1) {
    std::cerr << "vvc " << command << ": " << kind << ": " << message << "\n";
    return status;
  }
  if (input && !working_) {
    const auto failure = core::first_input_failure(*communicator_, message.empty() ? "bad input" : message);
    if (root()) std::cerr << "vvc " << command << ": error: " << *failure << "\n";
    return status;
  }
  std::cerr << "vvc " << command << ": rank " << communicator_->rank() << ": " << kind << ": " << message
            << "\n";
  std::cerr.flush();
  communicator_->abort(status);
}

}  // namespace vvc::cli
