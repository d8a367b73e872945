// A study binds a network, its controllable inverters, the voltage band, the per-step cost and a scenario set
// (docs/formats/study.md). It is plain data, read once by read_study() and shared read-only by every worker.
//
// One vocabulary serves both kinds of network. Actions: one per inverter on a balanced network, one per
// inverter phase on a three-phase one, each a reactive power in MVar (a three-phase study gives kvar per
// phase in its file). Points: where |V| is observed, pu: the buses of a balanced network, every node (bus,
// phase) of a three-phase one. The band applies to the monitored points; each action has its own point.
#pragma once

#include <Eigen/Dense>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vvc/grid/io/source_files.hpp"
#include "vvc/grid/model/multiphase_network.hpp"
#include "vvc/grid/model/network.hpp"

namespace vvc::core {

enum class NetworkKind { kBalanced, kThreePhase };

/// One action: an inverter (balanced) or one phase of an inverter (three-phase).
struct Inverter {
  /// Balanced: the generator's name. Three-phase: the single-phase power element's name, as OpenDSS's
  /// ("generator.bus633_1", "pvsystem.pv1_2").
  std::string generator;
  int generator_index = -1;  ///< balanced: into network.generators; three-phase: into phase_network.loads
  int bus = -1;              ///< balanced: into network.buses; three-phase: into phase_network.buses
  int phase = 0;             ///< three-phase: the conductor number (1, 2, 3); balanced: 0
  int point = -1;            ///< its own point: where its |V| is observed (Study::points)
  double q_min_mvar = 0.0;
  double q_max_mvar = 0.0;
  double s_max_mva = 0.0;  ///< 0 when the study gives no rating; per phase on a three-phase network
};

/// Where |V| is observed: a bus (balanced) or a node, a bus and a phase (three-phase).
struct VoltagePoint {
  std::string bus;
  int phase = 0;        ///< the conductor number 1, 2, 3 (three-phase); 0 (balanced)
  int index = -1;       ///< balanced: the bus index; three-phase: the node index of phase_network
  double base_v = 1.0;  ///< three-phase: the node's line-to-neutral voltage base, volts
};

/// How the regulators of a three-phase network move (study field "regulators").
enum class RegulatorMode {
  kFrozen,  ///< the reset solves as the script leaves the control mode; the steps hold the taps it found
  kControl,  ///< every solve with OpenDSS's static control, the taps moving from where the last solve left them
};

/// The per-step cost (study field "cost.form").
enum class CostForm {
  kF,           ///< F(q) = 1/2 q' diag(c) q + 1/2 q' (v(q)^2 + v_init^2 - 2) at the actions' own points
  kStableDdpg,  ///< action_weight |q_t - q_{t-1}|_1 / action_unit + violation_weight sum of squared band violations
};

/// How a day profile's columns become multipliers (DayOptions::normalize).
enum class DayNormalization {
  kMean,  ///< each column over its mean: the script's powers are the day's mean
  kPeak,  ///< each column over its largest value: the script's powers are the day's peak
};

/// One kind of scenario of the random generator (scenarios type "random"): uniform ranges of the multipliers.
struct RandomScenarioKind {
  std::string name;
  double load_min = 1.0, load_max = 1.0;  ///< every load's P and Q
  double pv_min = 1.0, pv_max = 1.0;      ///< the active power of the PV systems and inverters of one bus
};

/// Which scenario generator or file a study uses.
struct ScenarioSource {
  /// Balanced: "tasrl13" or "file"; three-phase: "file", "loadshape", "day", "random", "stable-ddpg-13" or
  /// "stable-ddpg-123".
  std::string type;
  std::filesystem::path file;  ///< for types "file" and "day" (the day profile)
  std::string text;            ///< for types "file" and "day": its bytes, read with the study
  int stride = 1;              ///< for type "day": samples from one step to the next
  double pv_kw = 100.0;        ///< for types "day" and "random": as DayOptions::pv_kw
  DayNormalization normalize = DayNormalization::kMean;  ///< for type "day"
  std::vector<RandomScenarioKind> kinds;                 ///< for type "random"
};

/// Half-open range of integer seeds [first, last).
struct SeedRange {
  long first = 0;
  long last = 0;
  long size() const { return last - first; }
};
/// Parses "A:B" (A < B, both >= 0); throws InputError naming `what` otherwise.
SeedRange parse_seed_range(const std::string& text, const std::string& what);

/// The weight c of an action whose study does not give one (the Stable-DDPG cost form): where the policy QP and
/// the gradient flow start from, per MVar.
inline constexpr double kDefaultPolicyWeight = 0.1;

/// The most control steps an episode may have: it bounds a study's "steps" and a scenario series' length.
inline constexpr int kMaxStudySteps = 1000000;

struct Study {
  std::filesystem::path path;  ///< the study file
  std::string name;
  NetworkKind kind = NetworkKind::kBalanced;
  grid::Network network;  ///< balanced studies
  /// Three-phase studies: the OpenDSS script's network, each controlled inverter phase a single-phase element.
  grid::MultiphaseNetwork phase_network;
  RegulatorMode regulators = RegulatorMode::kFrozen;
  std::vector<VoltagePoint> points;    ///< every point of the network
  std::vector<int> monitored;          ///< the points the voltage band applies to (into points)
  std::filesystem::path network_file;  ///< the case file the network was read from
  std::string network_hash;  ///< content_hash() of that file: identifies the network a policy was trained on
  std::vector<Inverter> inverters;
  double vmin_pu = 0.95;
  double vmax_pu = 1.05;
  CostForm cost_form = CostForm::kF;
  /// Per-action quadratic weight c of F; with the Stable-DDPG form, the weights the policy QP and the gradient
  /// flow start from.
  Eigen::VectorXd cost_c;
  double action_weight = 1.0;        ///< Stable-DDPG form
  double violation_weight = 1000.0;  ///< Stable-DDPG form
  double action_unit_mvar = 0.1;     ///< Stable-DDPG form: the unit of the action magnitude (100 kvar)
  ScenarioSource scenarios;
  int steps = 100;
  double discount = 0.99;
  /// Scenario ids evaluated by default, and those training draws from (generators: seeds; files: rows, both
  /// ranges the whole file unless the study gives them).
  SeedRange evaluation_seeds{0, 500};
  SeedRange training_seeds{100000, 101000};

  bool three_phase() const { return kind == NetworkKind::kThreePhase; }
  int num_inverters() const { return static_cast<int>(inverters.size()); }
  int num_points() const { return static_cast<int>(points.size()); }
  /// The network's name (either kind).
  const std::string& network_name() const { return three_phase() ? phase_network.name : network.name; }
  Eigen::VectorXd q_min() const;
  Eigen::VectorXd q_max() const;
  std::vector<int> inverter_buses() const;
  std::vector<int> inverter_points() const;  ///< each action's own point
};

/// The voltage sensitivities of a three-phase study at its network's own operating point (the script's powers and
/// taps, every action at q = 0).
struct ThreePhaseSensitivity {
  Eigen::MatrixXd dvm_dq;  ///< (points x actions) d|V|/dq, pu of each point's base voltage per MVar
  Eigen::VectorXd vm;      ///< |V| of each point there, pu
};
/// The sensitivities of the given points (into Study::points) to every action, from the three-phase power flow's
/// voltage_sensitivities(). Throws InputError when that power flow does not converge.
ThreePhaseSensitivity three_phase_sensitivity(const Study& study, const std::vector<int>& points);

/// "fnv1a64:" and the 16 hex digits of the 64-bit FNV-1a hash of `bytes`: tells files apart (an edit changes it),
/// it does not authenticate them.
std::string content_hash(const std::string& bytes);

/// One inverter of a three-phase study file given by bus and phases: a new single-phase generator per phase.
struct PhaseInverterSpec {
  std::string bus;
  std::string phases = "abc";  ///< "abc", "bc", "a", ...
  std::string name;            ///< the generators' name stem; empty: the reader's inv<bus>
  bool has_q_limits = true;
  double q_min_kvar = 0.0;  ///< per phase, with has_q_limits
  double q_max_kvar = 0.0;
  double s_max_kva = 0.0;  ///< per phase; 0: no rating (then the q limits are needed)
};

/// A three-phase study as its file states it (docs/formats/study.md, "Three-phase studies"), before
/// read_study() resolves it against the script: what vvc-gui's study dialog builds and write_study() writes.
/// Paths are written as given: relative to the study file's folder, or absolute.
struct ThreePhaseStudySpec {
  std::string name;
  std::filesystem::path network;  ///< the OpenDSS script
  std::vector<PhaseInverterSpec> inverters;
  /// "all", "inverter buses", or empty for the list monitored_buses.
  std::string monitored = "all";
  std::vector<std::string> monitored_buses;
  RegulatorMode regulators = RegulatorMode::kFrozen;
  double vmin_pu = 0.95;
  double vmax_pu = 1.05;
  CostForm cost_form = CostForm::kF;
  double c = kDefaultPolicyWeight;  ///< every action's weight, per MVar
  double action_weight = 1.0;       ///< Stable-DDPG form
  double violation_weight = 1000.0;
  double action_unit_kvar = 100.0;
  /// "file" (scenario_file), "loadshape", "day" (scenario_file a day profile, day_stride, day_pv_kw),
  /// "stable-ddpg-13" or "stable-ddpg-123".
  std::string scenarios = "loadshape";
  std::filesystem::path scenario_file;
  int day_stride = 1;
  double day_pv_kw = 100.0;
  int steps = 100;
  double discount = 0.99;
  std::optional<SeedRange> evaluation_seeds;  ///< none: the reader's default
  std::optional<SeedRange> training_seeds;
};

/// The study file's JSON text (doubles with 17 significant digits).
std::string format_study(const ThreePhaseStudySpec& spec);
/// Writes the study file atomically at `path`, after reading it back as read_study() would (the script, the
/// buses and phases, the scenario source): bad input throws InputError naming `path` and the JSON path, and
/// nothing is written.
void write_study(const ThreePhaseStudySpec& spec, const std::filesystem::path& path);

/// Reads a study file, or the study.json inside a folder, with its network and scenario files (paths relative to
/// the study file; a scenario file is parsed to check the seed ranges against its size): from disk, or every
/// file through `files`.
Study read_study(const std::filesystem::path& path);
Study read_study(const std::filesystem::path& path, const grid::SourceFiles& files);
/// The study file `source` holding `text`, its network and scenario files read from disk or through `files`.
Study parse_study(const std::string& text, const std::filesystem::path& source);
Study parse_study(const std::string& text, const std::filesystem::path& source,
                  const grid::SourceFiles& files);

}  // namespace vvc::core
