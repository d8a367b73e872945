// The TASRL IEEE 13-bus scenario generator (voltage-control-benchmark.md section 2): for seed s, an MT19937
// seeded as std::mt19937(s) (= numpy's legacy RandomState(s)) draws the scenario kind (g() & 1) and then the
// inverters' active powers in a fixed order; all loads are zero.
#include <algorithm>
#include <array>
#include <string>

#include "vvc/common/errors.hpp"
#include "vvc/core/env/day.hpp"
#include "vvc/core/env/scenarios.hpp"

#include "vvc/core/env/day.hpp"

namespace vvc::core {

namespace {

constexpr std::array<const char*, 12> kTasrlGenerators = {"pv645", "pv684", "pv692", "pv632",
                                                          "pv633", "pv646", "pv671", "pv634",
                                                          "pv680", "pv611", "pv652", "pv675"};

class Tasrl13Scenarios final : public ScenarioSet {
 public:
  explicit Tasrl13Scenarios(const grid::Network& network)
      : num_buses_(network.num_buses()), base_mva_(network.base_mva) {
    for (size_t k = 0; k < kTasrlGenerators.size(); ++k) {
      const int g = network.find_generator(kTasrlGenerators[k]);
      if (g < 0) {
        throw InputError(network.name + ": the tasrl13 scenario set needs generator '" + kTasrlGenerators[k] +
                         "' (the twelve inverters of the TASRL 13-bus case)");
      }
      bus_[k] = network.generators[static_cast<size_t>(g)].bus;
    }
  }

  Scenario make(long id) const override {
    LegacyMt19937 g(static_cast<std::uint32_t>(id));
    Scenario s;
    s.seed = id;
    s.kind = static_cast<int>(g.next() & 1u);
    s.label = "seed " + std::to_string(id);
    s.base = grid::Injections(num_buses_);
    std::array<double, 12> p{};
    if (s.kind == 0) {
      p[0] = -0.5 * g.uniform(1, 7);
      p[1] = -0.8 * g.uniform(1, 4);
      p[2] = -0.3 * g.uniform(1, 5);
    } else {
      p[0] = g.uniform(0.5, 4);
      p[1] = g.uniform(1, 4.51);
      p[2] = g.uniform(0, 5);
      p[3] = 0.6 * g.uniform(0, 2);
      p[4] = 0.6 * g.uniform(2, 3);
      p[5] = 0.7 * g.uniform(0, 2);
      p[10] = g.uniform(0.2, 3);
      p[11] = g.uniform(0, 1.5);
    }
    for (size_t k = 0; k < p.size(); ++k) s.base.s_const[bus_[k]] += Complex(p[k] / base_mva_, 0.0);
    return s;
  }

  long size() const override { return -1; }

 private:
  int num_buses_;
  double base_mva_;
  std::array<int, 12> bus_{};
};

}  // namespace

std::unique_ptr<ScenarioSet> make_tasrl13_scenarios(const grid::Network& network) {
  return std::make_unique<Tasrl13Scenarios>(network);
}

Eigen::VectorXcd element_injections(const Study& study) {
  const auto& loads = study.phase_network.loads;
  Eigen::VectorXcd s(static_cast<Eigen::Index>(loads.size()));
  for (size_t l = 0; l < loads.size(); ++l) {
    s[static_cast<Eigen::Index>(l)] = -Complex(loads[l].p_w, loads[l].q_var) * (loads[l].phases / 1e6);
  }
  return s;
}

ElementRoles element_roles(const Study& study, double pv_kw) {
  const auto& loads = study.phase_network.loads;
  ElementRoles out{element_injections(study), std::vector<ElementRole>(loads.size(), ElementRole::kLoad)};
  const Eigen::VectorXcd script = out.base;
  for (size_t e = 0; e < loads.size(); ++e) {
    if (loads[e].name.starts_with("pvsystem.")) out.role[e] = ElementRole::kPhotovoltaic;
    if (loads[e].name.starts_with("generator.")) out.role[e] = ElementRole::kFixed;
  }
  for (const Inverter& inv : study.inverters) {
    out.role[static_cast<size_t>(inv.generator_index)] = ElementRole::kPhotovoltaic;
    if (script[inv.generator_index].real() == 0.0)
      out.base[inv.generator_index] = Complex(pv_kw / 1000.0, 0.0);
  }
  return out;
}

namespace {

// Stable-DDPG's IEEE 13 ranges (lo, hi) of phases a, b, c: the low-voltage kW are -100 U(lo, hi), the
// high-voltage kW 100 U(lo, hi).
constexpr std::array<std::array<double, 6>, 2> kStable13 = {{{2, 4.5, 3, 5, 2, 4}, {3, 5.5, 4.5, 5, 4, 5}}};

// Stable-DDPG's IEEE 123 injection buses in draw order and their ranges (a_lo, a_hi, b_lo, b_hi, c_lo, c_hi) in
// units of 100 kW, low voltage then high voltage.
struct Stable123Bus {
  const char* bus;
  std::array<double, 6> low, high;
};
constexpr std::array<Stable123Bus, 14> kStable123 = {{
    {"10", {-4, 0, 0, 0, 0, 0}, {5, 8, 0, 0, 0, 0}},
    {"11", {-4, 0, 0, 0, 0, 0}, {5, 8, 0, 0, 0, 0}},
    {"16", {0, 0, 0, 0, -4, 0}, {0, 0, 0, 0, 5, 8}},
    {"20", {0, 2, 0, 0, 0, 0}, {1, 5, 0, 0, 0, 0}},
    {"33", {-4, 0, 0, 0, 0, 0}, {5, 11, 0, 0, 0, 0}},
    {"36", {-4, 2, -3, 2, 0, 0}, {3, 5, 5, 10, 3, 5}},
    {"48", {-5, -2, -8, -5, -8, -5}, {3, 5, 5, 10, 5, 10}},
    {"59", {0, 0, -10, -5, 0, 0}, {3, 5, 5, 10, 3, 5}},
    {"66", {-5, -2, -5, 0, -3, 0}, {5, 11, 5, 10, 5, 10}},
    {"75", {0, 0, 0, 0, -3, 0}, {5, 11, 5, 10, 1, 5}},
    {"83", {-5, -1, -5, -1, -5, -1}, {5, 10, 5, 10, 1, 5}},
    {"92", {0, 0, 0, 0, -5, -1}, {5, 10, 5, 10, 5, 10}},
    {"104", {0, 0, 0, 0, -3, 0}, {1, 5, 1, 5, 1, 5}},
    {"61", {-5, -1, -5, 0, -5, 0}, {1, 5, 1, 5, 1, 5}},
}};

class StableDdpgScenarios final : public ScenarioSet {
 public:
  StableDdpgScenarios(const Study& study, bool ieee13) : ieee13_(ieee13), base_(element_injections(study)) {
    if (ieee13) {
      for (const Inverter& inv : study.inverters)
        by_phase_[static_cast<size_t>(inv.phase - 1)].push_back(inv.generator_index);
      return;
    }
    for (size_t b = 0; b < kStable123.size(); ++b) {
      for (const Inverter& inv : study.inverters) {
        if (study.phase_network.buses[static_cast<size_t>(inv.bus)].name == kStable123[b].bus) {
          by_bus_phase_[b][static_cast<size_t>(inv.phase - 1)].push_back(inv.generator_index);
        }
      }
    }
  }

  Scenario make(long id) const override {
    LegacyMt19937 g(static_cast<std::uint32_t>(id));
    Scenario s;
    s.seed = id;
    s.kind = static_cast<int>(g.next() & 1u);
    s.label = "seed " + std::to_string(id);
    s.elements = base_;
    auto set = [&](const std::vector<int>& elements, double kw) {
      for (int e : elements) s.elements[e] = Complex(kw / 1000.0, 0.0);
    };
    if (ieee13_) {
      const auto& r = kStable13[static_cast<size_t>(s.kind)];
      const double sign = s.kind == 0 ? -100.0 : 100.0;
      for (size_t p = 0; p < 3; ++p) set(by_phase_[p], sign * g.uniform(r[2 * p], r[2 * p + 1]));
      return s;
    }
    for (size_t b = 0; b < kStable123.size(); ++b) {
      const auto& r = s.kind == 0 ? kStable123[b].low : kStable123[b].high;
      for (size_t p = 0; p < 3; ++p) set(by_bus_phase_[b][p], 100.0 * g.uniform(r[2 * p], r[2 * p + 1]));
    }
    return s;
  }

  long size() const override { return -1; }

 private:
  bool ieee13_;
  Eigen::VectorXcd base_;
  std::array<std::vector<int>, 3> by_phase_;
  std::array<std::array<std::vector<int>, 3>, kStable123.size()> by_bus_phase_;
};

class RandomScenarios final : public ScenarioSet {
 public:
  explicit RandomScenarios(const Study& study) : kinds_(study.scenarios.kinds) {
    if (kinds_.empty())
      throw InputError(study.path.string() + ": /scenarios/kinds: expected at least one kind");
    ElementRoles roles = element_roles(study, study.scenarios.pv_kw);
    base_ = std::move(roles.base);
    const grid::MultiphaseNetwork& net = study.phase_network;
    std::vector<int> group_of_bus(net.buses.size(), -1);
    for (size_t e = 0; e < roles.role.size(); ++e) {
      const int element = static_cast<int>(e);
      if (roles.role[e] == ElementRole::kLoad) loads_.push_back(element);
      if (roles.role[e] != ElementRole::kPhotovoltaic) continue;
      const int bus = net.nodes[static_cast<size_t>(net.loads[e].nodes.front())].bus;
      int& group = group_of_bus[static_cast<size_t>(bus)];
      if (group < 0) {
        group = static_cast<int>(pv_by_bus_.size());
        pv_by_bus_.emplace_back();
      }
      pv_by_bus_[static_cast<size_t>(group)].push_back(element);
    }
  }

  Scenario make(long id) const override {
    if (id < 0 || id > 4294967295L) {
      throw InputError("scenario id " + std::to_string(id) +
                       " is outside the random generator's seeds 0 to 4294967295");
    }
    LegacyMt19937 g(static_cast<std::uint32_t>(id));
    Scenario s;
    s.seed = id;
    const auto n = static_cast<int>(kinds_.size());
    s.kind = std::min(n - 1, static_cast<int>(static_cast<double>(n) * g.uniform(0.0, 1.0)));
    const RandomScenarioKind& kind = kinds_[static_cast<size_t>(s.kind)];
    s.label = "seed " + std::to_string(id) + (kind.name.empty() ? "" : ", " + kind.name);
    s.elements = base_;
    for (const int e : loads_) s.elements[e] *= g.uniform(kind.load_min, kind.load_max);
    for (const std::vector<int>& bus : pv_by_bus_) {
      const double m = g.uniform(kind.pv_min, kind.pv_max);
      for (const int e : bus) s.elements[e] = Complex(base_[e].real() * m, base_[e].imag());
    }
    return s;
  }

  long size() const override { return -1; }

 private:
  std::vector<RandomScenarioKind> kinds_;
  Eigen::VectorXcd base_;
  std::vector<int> loads_;
  std::vector<std::vector<int>> pv_by_bus_;  ///< the PV elements of each bus with PV, in first-element order
};

class LoadShapeScenarios final : public ScenarioSet {
 public:
  explicit LoadShapeScenarios(const Study& study) : study_(&study), shapes_(study) {}

  Scenario make(long id) const override {
    if (id < 0 || id >= shapes_.points()) {
      throw InputError(
          "scenario id " + std::to_string(id) + " is outside the " + std::to_string(shapes_.points()) +
          " starting points of the load shapes (ids 0:" + std::to_string(shapes_.points()) + ")");
    }
    Scenario s;
    s.label = "point " + std::to_string(id);
    for (int t = 0; t <= study_->steps; ++t) s.element_series.push_back(shapes_.at(id + t));
    s.elements = s.element_series.front();
    return s;
  }

  long size() const override { return shapes_.points(); }

 private:
  const Study* study_;
  DailyShapes shapes_;
};

}  // namespace

DailyShapes::DailyShapes(const Study& study)
    : network_(&study.phase_network), base_(element_injections(study)) {
  const auto& loads = study.phase_network.loads;
  for (size_t l = 0; l < loads.size(); ++l) {
    const int d = loads[l].daily;
    if (d < 0) continue;
    const grid::LoadShape& shape = study.phase_network.load_shapes[static_cast<size_t>(d)];
    if (shape.mult.empty()) {
      throw InputError(study.network_file.string() + ": LoadShape." + shape.name + " gives no multipliers");
    }
    shaped_.push_back(static_cast<int>(l));
    if (static_cast<long>(shape.mult.size()) > points_) {
      points_ = static_cast<long>(shape.mult.size());
      interval_h_ = shape.interval_h;
    }
  }
  if (shaped_.empty()) {
    throw InputError(study.network_file.string() +
                     ": the loadshape scenarios need elements with a daily LoadShape (daily=<shape>), and "
                     "none has one");
  }
}

Eigen::VectorXcd DailyShapes::at(long point) const {
  Eigen::VectorXcd e = base_;
  for (int l : shaped_) {
    const grid::LoadShape& shape =
        network_->load_shapes[static_cast<size_t>(network_->loads[static_cast<size_t>(l)].daily)];
    const auto k = static_cast<size_t>(point % static_cast<long>(shape.mult.size()));
    const double p = shape.mult[k];
    const double q = shape.qmult.empty() ? p : shape.qmult[k];
    e[l] = Complex(base_[l].real() * p, base_[l].imag() * q);
  }
  return e;
}

std::unique_ptr<ScenarioSet> make_stable_ddpg_scenarios(const Study& study, bool ieee13) {
  return std::make_unique<StableDdpgScenarios>(study, ieee13);
}

std::unique_ptr<ScenarioSet> make_random_scenarios(const Study& study) {
  return std::make_unique<RandomScenarios>(study);
}

std::unique_ptr<ScenarioSet> make_loadshape_scenarios(const Study& study) {
  return std::make_unique<LoadShapeScenarios>(study);
}

std::unique_ptr<ScenarioSet> make_scenarios(const Study& study) {
  const ScenarioFileLimits limits{.steps = study.steps};
  const std::string& type = study.scenarios.type;
  if (type == "tasrl13") return make_tasrl13_scenarios(study.network);
  if (type == "stable-ddpg-13") return make_stable_ddpg_scenarios(study, true);
  if (type == "stable-ddpg-123") return make_stable_ddpg_scenarios(study, false);
  if (type == "loadshape") return make_loadshape_scenarios(study);
  if (type == "random") return make_random_scenarios(study);
  if (type == "day") return make_day_scenarios(study);
  if (study.three_phase()) {
    return parse_element_scenario_file(study.scenarios.text, study.scenarios.file, study, limits);
  }
  return parse_scenario_file(study.scenarios.text, study.scenarios.file, study.network, limits);
}

}  // namespace vvc::core
