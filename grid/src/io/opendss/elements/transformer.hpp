// Internal: what Transformer and XfmrCode share. An XfmrCode holds a transformer's data without its buses
// (phases, windings and each winding's connection, kV, kVA, tap and resistance, the short-circuit reactances,
// losses, tap range); a Transformer's xfmrcode= copies it, as OpenDSS's FetchXfmrCode does.
#pragma once

#include <string>

#include "../context.hpp"
#include "vvc/grid/model/multiphase_network.hpp"

namespace vvc::grid::dss {

/// Applies one property of a transformer's data (not its buses nor its code) to `t`, whose active winding
/// (wdg=) is `active_winding` (0-based); false for a property neither class models.
bool apply_transformer_data(PhaseTransformer& t, int& active_winding, const std::string& prop,
                            const std::string& value, const Location& at, ReaderContext& context);

struct XfmrCodeSpec {
  Location at;
  std::string name;
  PhaseTransformer model;
  int active_winding = 0;
};

}  // namespace vvc::grid::dss
