// The scenario-file harnesses (scenario_json_fuzz.cpp, scenario_csv_fuzz.cpp): the input is the text of a
// scenario file, read twice with a study's 20 steps per episode: by bus for the IEEE 13-bus case of
// cases/ieee13_tasrl, and by element for the three-phase study cases/ieee13/examples/study_elements_json.json
// (IEEE13Nodeckt.dss with three inverters). Every scenario a reader accepts must hold finite powers only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "fuzz_support.hpp"
#include "vvc/core/env/scenarios.hpp"
#include "vvc/core/env/study.hpp"
#include "vvc/grid/io/case_io.hpp"

namespace vvc::fuzz {

inline void read_scenarios(const std::uint8_t* data, std::size_t size, const std::filesystem::path& source) {
  static const grid::Network network =
      grid::read_case_json(std::filesystem::path(VVC_SOURCE_DIR) / "cases/ieee13_tasrl/case.json");
  read_or_reject([&] {
    const auto scenarios = core::parse_scenario_file(input_text(data, size), source, network,
                                                     core::ScenarioFileLimits{.steps = 20});
    for (long id = 0; id < scenarios->size(); ++id) {
      const core::Scenario s = scenarios->make(id);
      expect_finite(s.base.s_const, "constant-power injections");
      expect_finite(s.base.s_current, "constant-current injections");
      expect_finite(s.base.s_impedance, "constant-impedance injections");
      for (const Eigen::VectorXcd& step : s.series) expect_finite(step, "series injections");
    }
  });
  static const core::Study three_phase = core::read_study(std::filesystem::path(VVC_SOURCE_DIR) /
                                                          "cases/ieee13/examples/study_elements_json.json");
  read_or_reject([&] {
    const auto scenarios = core::parse_element_scenario_file(input_text(data, size), source, three_phase,
                                                             core::ScenarioFileLimits{.steps = 20});
    for (long id = 0; id < scenarios->size(); ++id) {
      const core::Scenario s = scenarios->make(id);
      expect_finite(s.elements, "element powers");
      for (const Eigen::VectorXcd& step : s.element_series) expect_finite(step, "element series powers");
    }
  });
}

}  // namespace vvc::fuzz
