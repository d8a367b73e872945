// The one message format of the options structs' validate() (private to core):
//   "<prefix><option>: expected <what>, got <value>".
#pragma once

#include <sstream>
#include <string>

#include "vvc/common/errors.hpp"

namespace vvc::core::detail {

template <class T>
[[noreturn]] void option_error(const std::string& option, const std::string& expected, const T& value) {
  std::ostringstream text;
  text << option << ": expected " << expected << ", got " << value;
  throw InputError(text.str());
}

}  // namespace vvc::core::detail
