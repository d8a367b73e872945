// The three output formats of 'vvc powerflow': an aligned table for people, CSV and JSON for programs.
// Powers are MW / MVar, angles degrees; a bus's p and q are its net injection (positive into the network).
#pragma once

#include <string>

#include "vvc/grid/model/network.hpp"
#include "vvc/grid/powerflow/balanced.hpp"

namespace vvc::cli {

/// "<case>: <status> after <n> iterations (algorithm <alg>, max mismatch <x> pu)" and a line end.
std::string powerflow_status_line(const grid::Network& network, const grid::PowerFlowResult& result);
/// Status line, per-bus table, total losses and slack power. Only the status line when not converged.
std::string powerflow_table(const grid::Network& network, const grid::PowerFlowResult& result);
/// Header "bus,vm_pu,va_deg,p_mw,q_mvar", then one row per bus. Precondition: result.converged().
std::string powerflow_csv(const grid::Network& network, const grid::PowerFlowResult& result);
/// One JSON object: status, iterations, algorithm, and when converged buses, branches, losses and slack.
std::string powerflow_json(const grid::Network& network, const grid::PowerFlowResult& result);

}  // namespace vvc::cli
