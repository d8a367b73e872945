// A study binds a network, its controllable inverters, the voltage band, the per-step cost and a scenario set
// (docs/formats/study.md). It is plain data, read once by read_study() and shared read-only by every worker.
#pragma once

#include <Eigen/Dense>
#include <filesystem>
#include <string>
#include <vector>

#include "vvc/grid/model/network.hpp"

namespace vvc::core {

struct Inverter {
  std::string generator;  ///< generator name in the network
  int generator_index = -1;
  int bus = -1;
  double q_min_mvar = 0.0;
  double q_max_mvar = 0.0;
  double s_max_mva = 0.0;  ///< 0 when the study gives no rating
};

/// Which scenario generator or file a study uses.
struct ScenarioSource {
  std::string type;            ///< "tasrl13" or "file"
  std::filesystem::path file;  ///< for type "file"
};

/// Half-open range of integer seeds [first, last).
struct SeedRange {
  long first = 0;
  long last = 0;
  long size() const { return last - first; }
};
/// Parses "A:B" (A < B, both >= 0); throws InputError naming `what` otherwise.
SeedRange parse_seed_range(const std::string& text, const std::string& what);

/// The most control steps an episode may have: it bounds a study's "steps" and a scenario series' length.
inline constexpr int kMaxStudySteps = 1000000;

struct Study {
  std::filesystem::path path;  ///< the study file
  std::string name;
  grid::Network network;
  std::filesystem::path network_file;  ///< the case file the network was read from
  std::string network_hash;  ///< content_hash() of that file: identifies the network a policy was trained on
  std::vector<Inverter> inverters;
  double vmin_pu = 0.95;
  double vmax_pu = 1.05;
  Eigen::VectorXd cost_c;  ///< per-inverter quadratic weight c of the cost F
  ScenarioSource scenarios;
  int steps = 100;
  double discount = 0.99;
  /// Scenario ids evaluated by default, and those training draws from (generators: seeds; files: rows, both
  /// ranges the whole file unless the study gives them).
  SeedRange evaluation_seeds{0, 500};
  SeedRange training_seeds{100000, 101000};

  int num_inverters() const { return static_cast<int>(inverters.size()); }
  Eigen::VectorXd q_min() const;
  Eigen::VectorXd q_max() const;
  std::vector<int> inverter_buses() const;
};

/// "fnv1a64:" and the 16 hex digits of the 64-bit FNV-1a hash of `bytes`: tells files apart (an edit changes it),
/// it does not authenticate them.
std::string content_hash(const std::string& bytes);

/// Reads a study file, or the study.json inside a folder. The network and scenario file paths are relative to the
/// study file; a scenario file is read to check the seed ranges against its size.
Study read_study(const std::filesystem::path& path);
Study parse_study(const std::string& text, const std::filesystem::path& source);

}  // namespace vvc::core
