// The three-phase study writer (write_study, format_study): what it writes reads back through read_study() as
// the specification says, doubles exactly; bad input names the file and the JSON path and writes nothing; and
// training runs on the written study.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/input_files.hpp"
#include "vvc/core/env/study.hpp"
#include "vvc/core/experiment/experiment.hpp"

namespace vvc::core {
namespace {

namespace fs = std::filesystem;

const fs::path kScript = fs::path(VVC_SOURCE_DIR) / "cases/ieee13/IEEE13Nodeckt.dss";

/// Six scenarios of four steps that scale three of the script's loads.
void write_scenarios(const fs::path& path) {
  std::ofstream out(path);
  out << "scenario,step,element,mult\n";
  for (int k = 0; k < 6; ++k) {
    for (int t = 0; t < 4; ++t) {
      out << "s" << k << "," << t << ",Load.671," << 0.6 + 0.1 * k + 0.05 * t << "\n";
      out << "s" << k << "," << t << ",Load.675a," << 1.2 - 0.1 * k << "\n";
      out << "s" << k << "," << t << ",Load.611," << 0.5 + 0.2 * t << "\n";
    }
  }
}

/// Three inverters at 671 (abc, kvar limits), 675 (abc, a kVA rating) and 652 (phase a, both).
ThreePhaseStudySpec spec_of_three(const fs::path& dir) {
  write_scenarios(dir / "scenarios.csv");
  ThreePhaseStudySpec spec;
  spec.name = "ieee13 with three inverters";
  spec.network = kScript;
  PhaseInverterSpec a;
  a.bus = "671";
  a.q_min_kvar = -200.0;
  a.q_max_kvar = 150.0;
  PhaseInverterSpec b;
  b.bus = "675";
  b.has_q_limits = false;
  b.s_max_kva = 250.0;
  PhaseInverterSpec c;
  c.bus = "652";
  c.phases = "a";
  c.name = "pv652";
  c.q_min_kvar = -100.0;
  c.q_max_kvar = 100.0;
  c.s_max_kva = 0.1234567890123456789e3;
  spec.inverters = {a, b, c};
  spec.monitored.clear();
  spec.monitored_buses = {"671", "675", "652", "634"};
  spec.regulators = RegulatorMode::kControl;
  spec.vmin_pu = 0.9512345678901234;
  spec.vmax_pu = 1.0487654321098765;
  spec.cost_form = CostForm::kStableDdpg;
  spec.c = 0.2;
  spec.action_weight = 0.5;
  spec.violation_weight = 500.0;
  spec.action_unit_kvar = 50.0;
  spec.scenarios = "file";
  spec.scenario_file = "scenarios.csv";
  spec.steps = 10;
  spec.discount = 0.95;
  spec.evaluation_seeds = SeedRange{0, 4};
  spec.training_seeds = SeedRange{2, 6};
  return spec;
}

TEST(StudyWriter, ReadsBackAsSpecified) {
  const vvc::test_support::TempDir temp(vvc::test_support::current_test_name());
  const fs::path& dir = temp.path();
  const ThreePhaseStudySpec spec = spec_of_three(dir);
  write_study(spec, dir / "study.json");
  const Study study = read_study(dir);
  ASSERT_TRUE(study.three_phase());
  EXPECT_EQ(study.name, spec.name);
  EXPECT_EQ(study.network_file, kScript);
  // 671 and 675 carry three phases, 652 one: seven actions, named as the reader names them.
  ASSERT_EQ(study.num_inverters(), 7);
  EXPECT_EQ(study.inverters[0].generator, "generator.inv671_1");
  EXPECT_EQ(study.inverters[2].generator, "generator.inv671_3");
  EXPECT_EQ(study.inverters[3].generator, "generator.inv675_1");
  EXPECT_EQ(study.inverters[6].generator, "generator.pv652_1");
  EXPECT_EQ(study.inverters[6].phase, 1);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(study.inverters[static_cast<size_t>(i)].q_min_mvar, -0.2);
    EXPECT_EQ(study.inverters[static_cast<size_t>(i)].q_max_mvar, 0.15);
    EXPECT_EQ(study.inverters[static_cast<size_t>(i)].s_max_mva, 0.0);
  }
  for (int i = 3; i < 6; ++i) {
    EXPECT_EQ(study.inverters[static_cast<size_t>(i)].q_min_mvar, -0.25);
    EXPECT_EQ(study.inverters[static_cast<size_t>(i)].q_max_mvar, 0.25);
    EXPECT_EQ(study.inverters[static_cast<size_t>(i)].s_max_mva, 0.25);
  }
  EXPECT_EQ(study.inverters[6].q_min_mvar, -0.1);
  EXPECT_EQ(study.inverters[6].s_max_mva, spec.inverters[2].s_max_kva / 1000.0);
  // Every phase of the four monitored buses: 671 and 675 three each, 652 one, 634 three.
  ASSERT_EQ(study.monitored.size(), size_t{10});
  for (int p : study.monitored) {
    const std::string& bus = study.points[static_cast<size_t>(p)].bus;
    EXPECT_TRUE(bus == "671" || bus == "675" || bus == "652" || bus == "634") << bus;
  }
  EXPECT_EQ(study.regulators, RegulatorMode::kControl);
  EXPECT_EQ(study.vmin_pu, spec.vmin_pu);  // exactly: 17 significant digits
  EXPECT_EQ(study.vmax_pu, spec.vmax_pu);
  EXPECT_EQ(study.cost_form, CostForm::kStableDdpg);
  EXPECT_EQ(study.action_weight, 0.5);
  EXPECT_EQ(study.violation_weight, 500.0);
  EXPECT_EQ(study.action_unit_mvar, 0.05);
  ASSERT_EQ(study.cost_c.size(), 7);
  EXPECT_EQ(study.cost_c[4], 0.2);
  EXPECT_EQ(study.scenarios.type, "file");
  EXPECT_EQ(study.scenarios.file, dir / "scenarios.csv");
  EXPECT_EQ(study.steps, 10);
  EXPECT_EQ(study.discount, 0.95);
  EXPECT_EQ(study.evaluation_seeds.first, 0);
  EXPECT_EQ(study.evaluation_seeds.last, 4);
  EXPECT_EQ(study.training_seeds.first, 2);
  EXPECT_EQ(study.training_seeds.last, 6);
}

TEST(StudyWriter, DefaultsAndTheFFormReadBack) {
  const vvc::test_support::TempDir temp(vvc::test_support::current_test_name());
  const fs::path& dir = temp.path();
  ThreePhaseStudySpec spec = spec_of_three(dir);
  spec.monitored = "inverter buses";
  spec.cost_form = CostForm::kF;
  spec.c = 0.125;
  spec.regulators = RegulatorMode::kFrozen;
  spec.evaluation_seeds.reset();
  spec.training_seeds.reset();
  write_study(spec, dir / "study.json");
  const Study study = read_study(dir / "study.json");
  EXPECT_EQ(study.cost_form, CostForm::kF);
  EXPECT_EQ(study.cost_c[0], 0.125);
  EXPECT_EQ(study.regulators, RegulatorMode::kFrozen);
  // The inverter buses 671, 675 and 652: seven node-phases.
  EXPECT_EQ(study.monitored.size(), size_t{7});
  // Both ranges default to the file's six scenarios.
  EXPECT_EQ(study.evaluation_seeds.last, 6);
  EXPECT_EQ(study.training_seeds.last, 6);
  // Writing the same specification twice gives the same text.
  EXPECT_EQ(format_study(spec), format_study(spec));
}

// The real day as the scenario source: the day profile's path, the stride and the PV kW read back; the ids
// default to the day's windows.
TEST(StudyWriter, TheRealDayReadsBack) {
  const vvc::test_support::TempDir temp(vvc::test_support::current_test_name());
  const fs::path& dir = temp.path();
  ThreePhaseStudySpec spec = spec_of_three(dir);
  spec.scenarios = "day";
  spec.scenario_file = fs::path(VVC_SOURCE_DIR) / "cases/stable_ddpg_day/day_profile.csv";
  spec.day_stride = 600;
  spec.day_pv_kw = 12.345678901234567;
  spec.evaluation_seeds.reset();
  spec.training_seeds.reset();
  write_study(spec, dir / "study.json");
  const Study study = read_study(dir / "study.json");
  EXPECT_EQ(study.scenarios.type, "day");
  EXPECT_EQ(study.scenarios.file, spec.scenario_file);
  EXPECT_EQ(study.scenarios.stride, 600);
  EXPECT_EQ(study.scenarios.pv_kw, 12.345678901234567);
  // 14421 samples: points 0, 600, ..., 14400 (25 of them); a window of 10 steps spans 11.
  EXPECT_EQ(study.evaluation_seeds.first, 0);
  EXPECT_EQ(study.evaluation_seeds.last, 15);
  EXPECT_EQ(study.training_seeds.last, 15);
}

TEST(StudyWriter, BadInputNamesTheFieldAndWritesNothing) {
  const vvc::test_support::TempDir temp(vvc::test_support::current_test_name());
  const fs::path& dir = temp.path();
  ThreePhaseStudySpec spec = spec_of_three(dir);
  spec.inverters[2].bus = "611";  // 611 has phase c only
  const fs::path path = dir / "study.json";
  const std::string message = vvc::test_support::input_error_message([&] { write_study(spec, path); });
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  EXPECT_NE(message.find("/inverters/2/phases"), std::string::npos) << message;
  EXPECT_NE(message.find("has no phase a (it has c)"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(path));
  spec = spec_of_three(dir);
  spec.monitored_buses.push_back("999");
  EXPECT_NE(
      vvc::test_support::input_error_message([&] { write_study(spec, path); }).find("unknown bus '999'"),
      std::string::npos);
  EXPECT_FALSE(fs::exists(path));
}

TEST(StudyWriter, TrainingRunsOnTheWrittenStudy) {
  const vvc::test_support::TempDir temp(vvc::test_support::current_test_name());
  const fs::path& dir = temp.path();
  write_study(spec_of_three(dir), dir / "study.json");
  const Study study = read_study(dir);
  experiment::TrainRequest request;
  request.method = experiment::Method::kDiffOpStep;
  request.diffop.iterations = 2;
  request.diffop.scenarios_per_iteration = 2;
  request.diffop.noise_draws = 2;
  request.diffop.validation.every = 2;
  request.diffop.validation.scenarios = 1;
  const experiment::TrainResult result = experiment::train(study, request, nullptr);
  ASSERT_NE(result.model, nullptr);
  ASSERT_EQ(result.summary.curve.size(), size_t{2});
  EXPECT_TRUE(std::isfinite(result.summary.curve.back().validation_transient));
}

}  // namespace
}  // namespace vvc::core
