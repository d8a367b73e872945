// Internal to vvc_core: the Ipopt::TNLP adapter over NlpProblem and the process-wide Ipopt mutex.
#pragma once

#include <mutex>

#include "IpIpoptApplication.hpp"
#include "IpTNLP.hpp"
#include "vvc/core/qp/ipopt.hpp"

namespace vvc::core::detail {

/// Held around every use of Ipopt (application creation, options, solve, destruction): MUMPS 5.5 as shipped
/// with Debian's Ipopt 3.11 keeps module-global state, and concurrent solves crash. See ipopt_qp.hpp.
std::mutex& ipopt_mutex();

/// A fresh application with vvc's fixed options (silent, no option file). Call with ipopt_mutex() held.
Ipopt::SmartPtr<Ipopt::IpoptApplication> make_application();

/// Sets the per-solve options. Call with ipopt_mutex() held.
void set_options(Ipopt::IpoptApplication& app, const IpoptOptions& options, const NlpProblem& problem,
                 bool warm);

/// Runs app on problem (with ipopt_mutex() held) and returns the result.
NlpResult optimize(Ipopt::IpoptApplication& app, const NlpProblem& problem, const NlpStart* start);

}  // namespace vvc::core::detail
