// Scenario sets: what the grid looks like (injections per bus, possibly varying per step) in each episode.
// The built-in "tasrl13" generator reproduces the TASRL / Stable-DDPG IEEE 13-bus environment bit for bit
// (voltage-control-benchmark.md section 2); file-based sets are described in docs/formats/scenarios.md.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "vvc/core/env/study.hpp"
#include "vvc/grid/powerflow/balanced.hpp"

namespace vvc::core {

/// One episode's exogenous injections. Balanced: per bus, S(t) = base (+ series[t] when the scenario is a
/// time series), pu. Three-phase: the injection of every power element of the study's phase network (loads,
/// PV systems, generators; a load injects minus its consumption), MW + j MVar, `elements` or, for a time
/// series, element_series[t]. Step t = 0 is the reset; the last entry holds after a series ends.
struct Scenario {
  std::string label;
  long seed = -1;  ///< the generator seed, or -1 for file scenarios
  int kind = -1;   ///< tasrl13 and stable-ddpg: 0 low-voltage, 1 high-voltage; random: its kind; else -1
  grid::Injections base;
  /// Optional per-step constant-power injections replacing base.s_const.
  std::vector<Eigen::VectorXcd> series;
  Eigen::VectorXcd elements;
  std::vector<Eigen::VectorXcd> element_series;

  const Eigen::VectorXcd& s_const_at(int step) const {
    return series.empty()
               ? base.s_const
               : series[static_cast<size_t>(std::min<int>(step, static_cast<int>(series.size()) - 1))];
  }
  const Eigen::VectorXcd& elements_at(int step) const {
    return element_series.empty() ? elements
                                  : element_series[static_cast<size_t>(
                                        std::min<int>(step, static_cast<int>(element_series.size()) - 1))];
  }
};

/// A source of scenarios addressed by index: seeds for generators, rows for files.
class ScenarioSet {
 public:
  virtual ~ScenarioSet() = default;
  /// Scenario for the given id (a seed for generators, a 0-based index for files). Deterministic.
  virtual Scenario make(long id) const = 0;
  /// Number of scenarios a file holds, or -1 for generators (any seed).
  virtual long size() const = 0;
};

/// numpy legacy RandomState / std::mt19937 draws, bit-exact: uniform(a, b) uses 53-bit doubles built from two
/// 32-bit words as numpy's random_sample does.
class LegacyMt19937 {
 public:
  explicit LegacyMt19937(std::uint32_t seed) : gen_(seed) {}
  std::uint32_t next() { return static_cast<std::uint32_t>(gen_()); }
  /// numpy's random_sample: (a >> 5) * 2^26 + (b >> 6), divided by 2^53.
  double uniform(double a, double b) {
    const double hi = static_cast<double>(next() >> 5);
    const double lo = static_cast<double>(next() >> 6);
    return a + (b - a) * ((hi * 67108864.0 + lo) / 9007199254740992.0);
  }

 private:
  std::mt19937 gen_;
};

/// The TASRL 13-bus scenario generator. The network must hold the twelve inverters pv645 ... pv675.
std::unique_ptr<ScenarioSet> make_tasrl13_scenarios(const grid::Network& network);

/// Every power element's injection in a three-phase study's network, MW + j MVar (its power in the script).
Eigen::VectorXcd element_injections(const Study& study);

/// What a day replay and the random generator do to a power element of a three-phase study.
enum class ElementRole {
  kFixed,         ///< a generator other than an inverter: as in the script
  kLoad,          ///< a load: P and Q scaled
  kPhotovoltaic,  ///< a PV system or an inverter phase: its active power scaled
};
struct ElementRoles {
  /// element_injections, with pv_kw / 1000 MW for the inverter phases the script gives no active power (those a
  /// study creates by bus and phases).
  Eigen::VectorXcd base;
  std::vector<ElementRole> role;  ///< per element
};
ElementRoles element_roles(const Study& study, double pv_kw);

/// The random generator of three-phase studies (scenarios type "random", docs/formats/study.md): for seed s,
/// numpy's legacy RandomState(s) draws, in this order,
///   the kind k = floor(n u), u = random_sample(), n the number of kinds;
///   per load, in the script's order: m ~ uniform(load_min_k, load_max_k), the load's P + jQ times m;
///   per bus with PV (a PV system or an inverter phase), in the order of the buses' first PV element in the
///   script: m ~ uniform(pv_min_k, pv_max_k), the active power of every PV element at the bus times m
/// (element_roles with the study's pv_kw), generators other than inverters as in the script. One multiplier
/// per bus: the customers behind one service transformer see the same sun. Any seed from 0 to 2^32 - 1.
std::unique_ptr<ScenarioSet> make_random_scenarios(const Study& study);

/// The scenario generators of Stable-DDPG's three-phase environments (docs/benchmarks/stable-ddpg-3p.md), bit
/// for bit: for seed s, numpy's legacy RandomState(s) draws choice([0, 1]) and then the active powers of the
/// generators in the reference's order; they set the active power of the study's inverter phases at the
/// reference's injection buses. `buses13` = false: the IEEE 123 ranges.
std::unique_ptr<ScenarioSet> make_stable_ddpg_scenarios(const Study& study, bool ieee13);

/// The elements a three-phase study's daily load shapes drive (every element with daily=<shape>), as OpenDSS's
/// daily mode steps through them. Throws InputError when no element has a shape or a shape has no multipliers.
class DailyShapes {
 public:
  explicit DailyShapes(const Study& study);
  /// Points of the longest shape.
  long points() const { return points_; }
  /// Hours between the longest shape's points.
  double interval_h() const { return interval_h_; }
  /// Every element's power at `point`: a shaped element's script power with its active part times mult and its
  /// reactive part times qmult (or mult) of point `point` mod its shape's length; the others as in the script.
  Eigen::VectorXcd at(long point) const;

 private:
  const grid::MultiphaseNetwork* network_;
  Eigen::VectorXcd base_;
  std::vector<int> shaped_;
  long points_ = 0;
  double interval_h_ = 1.0;
};

/// Steps through the script's daily load shapes as OpenDSS's daily mode does: scenario k starts at shape
/// point k, step t (t = 0 the reset) uses point k + t of each element's shape, wrapping after its last
/// point; the element's active power is multiplied by mult, its reactive power by qmult (or mult). As many
/// scenarios as the longest shape has points.
std::unique_ptr<ScenarioSet> make_loadshape_scenarios(const Study& study);

/// The most injections a scenario file may give and make the reader store: 2^23 complex values (128 MiB), for
/// example a year of 15-minute steps on a 239-bus feeder, or 1,000 scenarios of 96 steps on 86 buses.
inline constexpr long kMaxScenarioInjections = 8388608;

/// What a scenario file may hold, so that reading it takes bounded time and memory whatever its content.
struct ScenarioFileLimits {
  /// Steps of an episode: a time series has at most this many steps, numbered from 0 (the study's steps).
  int steps = kMaxStudySteps;
  /// Bounds the entries the file gives (CSV rows; JSON values: numbers, strings, arrays and objects) and the
  /// complex injections stored for them (scenarios x (1 + series steps) x buses).
  long max_injections = kMaxScenarioInjections;
};

/// A scenario file for a three-phase study, keyed by element names (docs/formats/scenarios.md), from its
/// `text`; `path` names it in messages and gives its type by extension (.json or .csv).
std::unique_ptr<ScenarioSet> parse_element_scenario_file(const std::string& text,
                                                         const std::filesystem::path& path,
                                                         const Study& study,
                                                         const ScenarioFileLimits& limits = {});
/// A scenario file (JSON or CSV, docs/formats/scenarios.md) for the given network: read from `path`, or parsed
/// from its `text`.
std::unique_ptr<ScenarioSet> read_scenario_file(const std::filesystem::path& path,
                                                const grid::Network& network,
                                                const ScenarioFileLimits& limits = {});
std::unique_ptr<ScenarioSet> parse_scenario_file(const std::string& text, const std::filesystem::path& path,
                                                 const grid::Network& network,
                                                 const ScenarioFileLimits& limits = {});
/// The scenario set a study names (a file's from the bytes read with the study).
std::unique_ptr<ScenarioSet> make_scenarios(const Study& study);

}  // namespace vvc::core
