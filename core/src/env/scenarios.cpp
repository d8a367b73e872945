// The TASRL IEEE 13-bus scenario generator (voltage-control-benchmark.md section 2): for seed s, an MT19937
// seeded as std::mt19937(s) (= numpy's legacy RandomState(s)) draws the scenario kind (g() & 1) and then the
// inverters' active powers in a fixed order; all loads are zero.
#include <array>
#include <string>

#include "vvc/common/errors.hpp"
#include "vvc/core/env/scenarios.hpp"

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

std::unique_ptr<ScenarioSet> make_scenarios(const Study& study) {
  if (study.scenarios.type == "tasrl13") return make_tasrl13_scenarios(study.network);
  return read_scenario_file(study.scenarios.file, study.network, ScenarioFileLimits{.steps = study.steps});
}

}  // namespace vvc::core
