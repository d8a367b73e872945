// The controllers that need nothing but a study, by name: what `vvc eval --controller` accepts, what its help
// and its unknown-name error list, and what the desktop application offers.
#pragma once

#include <string>
#include <vector>

#include "vvc/core/env/controller.hpp"

namespace vvc::core {

struct ControllerEntry {
  std::string name;
  std::string description;  ///< one line
  /// Solves with Ipopt, which is serialized process-wide: evaluate it on one thread (more would only wait).
  bool serial = false;
  /// A factory for evaluate(); it refers to the study, which must outlive it.
  ControllerFactory (*factory)(const Study& study) = nullptr;
  /// Runs on three-phase studies too (nlp-ac solves the balanced AC power flow).
  bool three_phase = true;
};

/// Every entry, in the order help texts list them.
const std::vector<ControllerEntry>& controller_registry();
/// The entry named `name`; throws InputError naming it and listing the known names.
const ControllerEntry& find_controller(const std::string& name);
/// The entry named `name` for `study`: also throws InputError when it does not run on the study's kind.
const ControllerEntry& find_controller(const std::string& name, const Study& study);
/// "zero, voltvar, ...": the names, comma-separated, in registry order.
std::string controller_names();

}  // namespace vvc::core
