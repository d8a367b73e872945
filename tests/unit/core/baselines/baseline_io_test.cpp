// Baseline files ("format": "vvc.baseline"): networks and settings round-trip to the bit and act as the
// networks they were written from; evaluating a file through the experiment layer gives the evaluation of its
// networks; what the file records is compared with the study; bad files name the field and the value.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "support/benchmark_fixture.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/core/baselines/baseline_io.hpp"
#include "vvc/core/env/environment.hpp"
#include "vvc/core/env/scenarios.hpp"
#include "vvc/core/experiment/experiment.hpp"

namespace vvc::core {
namespace {

using testing::benchmark_study;

const Study& ieee13_3p() {
  static const Study study = read_study(VVC_SOURCE_DIR "/cases/ieee13_3p");
  return study;
}

/// Networks of random slopes and breakpoints (some breakpoints negative, as an optimizer step leaves them).
TrainedBaseline random_baseline(const Study& study, BaselineKind kind, std::uint64_t seed) {
  TrainedBaseline t;
  t.kind = kind;
  t.shape = kind == BaselineKind::kStableDdpg ? stable_ddpg_shape(study, 7) : tasrl_shape(study, 7);
  t.max_step = 0.37;
  t.action_unit_mvar = study.action_unit_mvar;
  t.linear_gain = study.three_phase() ? 0.1 : 0.0;
  t.alpha = 0.45;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 3.0);
  for (int i = 0; i < study.num_inverters(); ++i) {
    Eigen::VectorXd p(14);
    for (Eigen::Index k = 0; k < p.size(); ++k) p[k] = normal(rng) * (k < 7 ? 1.0 : 0.01);
    t.actors.push_back(p);
  }
  return t;
}

std::string with(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

void expect_input_error(const std::string& text, const std::string& expected) {
  try {
    parse_baseline(text, "nets.json");
    ADD_FAILURE() << "accepted a file that should fail with: " << expected;
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("nets.json"), std::string::npos) << e.what();
  }
}

TEST(BaselineFiles, RoundTripToTheBitAndActAsTheNetworksTheyWereWrittenFrom) {
  for (const Study* study : {&benchmark_study(), &ieee13_3p()}) {
    for (BaselineKind kind : {BaselineKind::kStableDdpg, BaselineKind::kTasrl}) {
      const TrainedBaseline trained = random_baseline(*study, kind, 3);
      BaselineFile file = describe_baseline(*study, trained, 42);
      file.evaluation = EvaluationSummary{};
      file.evaluation->controller = baseline_name(kind);
      file.evaluation->scenarios = 5;
      file.evaluation->steps = 100;
      file.evaluation->transient = 0.1 / 3.0;
      file.evaluation_seeds = {3, 8};
      const BaselineFile back = parse_baseline(baseline_to_json(file), "nets.json");
      EXPECT_EQ(back.inverters, file.inverters);
      EXPECT_EQ(back.study_name, study->name);
      EXPECT_EQ(back.trained.kind, kind);
      EXPECT_EQ(back.trained.shape.hidden, 7);
      EXPECT_EQ(back.trained.shape.upper, trained.shape.upper);
      EXPECT_EQ(back.trained.shape.lower, trained.shape.lower);
      EXPECT_EQ(back.trained.shape.breakpoint_total, trained.shape.breakpoint_total);
      ASSERT_EQ(back.trained.actors.size(), trained.actors.size());
      for (size_t i = 0; i < trained.actors.size(); ++i) EXPECT_EQ(back.trained.actors[i], trained.actors[i]);
      if (kind == BaselineKind::kStableDdpg) {
        EXPECT_EQ(back.trained.max_step, 0.37);
        EXPECT_EQ(back.trained.action_unit_mvar, study->action_unit_mvar);
        EXPECT_EQ(back.trained.linear_gain, trained.linear_gain);
      } else {
        EXPECT_EQ(back.trained.alpha, 0.45);
      }
      ASSERT_TRUE(back.training.has_value());
      EXPECT_EQ(back.training->seed, 42u);
      ASSERT_TRUE(back.conditions.has_value());
      EXPECT_TRUE(compare_conditions(*back.conditions, *study).empty());
      ASSERT_TRUE(back.evaluation.has_value());
      EXPECT_EQ(back.evaluation->transient, 0.1 / 3.0);
      EXPECT_EQ(back.evaluation_seeds.first, 3);
      EXPECT_EQ(back.evaluation_seeds.last, 8);

      // The file's networks act as the written ones, step by step.
      auto written = make_baseline_controller(*study, trained);
      auto read = make_baseline_controller(*study, back.trained);
      const Scenario s = make_scenarios(*study)->make(1);
      Environment env_a(*study), env_b(*study);
      const Observation& a = env_a.reset(s);
      const Observation& b = env_b.reset(s);
      Eigen::VectorXd action_a(study->num_inverters()), action_b(study->num_inverters());
      for (int k = 0; k < 5; ++k) {
        written->act(a, action_a);
        read->act(b, action_b);
        ASSERT_EQ(action_a, action_b) << k;
        env_a.step(action_a, written->rule());
        env_b.step(action_b, read->rule());
      }
      EXPECT_NE(a.q, Eigen::VectorXd::Zero(study->num_inverters()));  // the networks moved q
    }
  }
}

TEST(BaselineFiles, EvaluateThroughTheExperimentLayerAsTheirNetworks) {
  const Study& study = ieee13_3p();
  const TrainedBaseline trained = random_baseline(study, BaselineKind::kStableDdpg, 5);
  EvaluationOptions eo;
  eo.ids = {0, 6};
  eo.steps = 20;
  const Evaluation direct =
      evaluate(study, *make_scenarios(study), baseline_controller_factory(study, trained), eo);

  experiment::EvaluateRequest request;
  request.seeds = eo.ids;
  request.steps = eo.steps;
  request.threads = 2;
  BaselineFile file = describe_baseline(study, trained, 1);
  request.baselines.push_back({"nets.json", parse_baseline(baseline_to_json(file), "nets.json")});
  const experiment::EvaluateResult result = experiment::evaluate(study, request);
  ASSERT_EQ(result.evaluations.size(), 1u);
  EXPECT_TRUE(result.warnings.empty());
  const EvaluationSummary& s = result.evaluations[0].summary;
  EXPECT_EQ(s.controller, "stable-ddpg (nets.json)");
  EXPECT_EQ(s.transient, direct.summary.transient);
  EXPECT_EQ(s.steady, direct.summary.steady);
  EXPECT_EQ(s.fraction_out_of_band, direct.summary.fraction_out_of_band);

  // Recorded conditions that differ from the study's are warnings, or with strict an error; a file that records
  // none says so.
  file.conditions->vmin_pu = 0.94;
  request.baselines = {{"nets.json", file}};
  const experiment::EvaluateResult warned = experiment::evaluate(study, request);
  ASSERT_EQ(warned.warnings.size(), 1u);
  EXPECT_EQ(warned.warnings[0].source, "nets.json");
  EXPECT_NE(warned.warnings[0].text.find("voltage band [0.94, 1.05]"), std::string::npos)
      << warned.warnings[0].text;
  EXPECT_EQ(warned.warnings[0].message(), "nets.json: " + warned.warnings[0].text);
  request.strict = true;
  EXPECT_THROW(experiment::evaluate(study, request), InputError);
  request.strict = false;
  file.conditions.reset();
  request.baselines = {{"nets.json", parse_baseline(baseline_to_json(file), "nets.json")}};
  const experiment::EvaluateResult unrecorded = experiment::evaluate(study, request);
  ASSERT_EQ(unrecorded.warnings.size(), 1u);
  EXPECT_NE(unrecorded.warnings[0].text.find("were not compared"), std::string::npos);
  EXPECT_EQ(unrecorded.evaluations[0].summary.transient, direct.summary.transient);

  // Networks of another study's inverters do not fit.
  request.baselines = {
      {"nets.json", describe_baseline(benchmark_study(),
                                      random_baseline(benchmark_study(), BaselineKind::kStableDdpg, 5), 1)}};
  try {
    experiment::evaluate(study, request);
    ADD_FAILURE() << "accepted networks of other inverters";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/inverters"), std::string::npos) << e.what();
  }
}

// Every table names a file's row "CONTROLLER (FILE)": the file name, or the whole source where two files share
// their name; the same source twice is bad input, refused before any evaluation.
TEST(BaselineFiles, RowsOfSeveralFilesAreToldApart) {
  const Study& study = ieee13_3p();
  const BaselineFile a = describe_baseline(study, random_baseline(study, BaselineKind::kStableDdpg, 5), 1);
  const BaselineFile b = describe_baseline(study, random_baseline(study, BaselineKind::kStableDdpg, 6), 1);
  experiment::EvaluateRequest request;
  request.controllers = {"zero"};
  request.seeds = SeedRange{0, 2};
  request.steps = 3;
  const auto names = [&](const experiment::EvaluateRequest& r) {
    std::vector<std::string> out;
    for (const auto& ev : experiment::evaluate(study, r).evaluations) out.push_back(ev.summary.controller);
    return out;
  };
  request.baselines = {{"runs/a.json", a}, {"runs/b.json", b}};
  EXPECT_EQ(names(request),
            (std::vector<std::string>{"zero", "stable-ddpg (a.json)", "stable-ddpg (b.json)"}));
  request.baselines = {{"seed1/nets.json", a}, {"seed2/nets.json", b}, {"c.json", b}};
  EXPECT_EQ(names(request),
            (std::vector<std::string>{"zero", "stable-ddpg (seed1/nets.json)",
                                      "stable-ddpg (seed2/nets.json)", "stable-ddpg (c.json)"}));
  request.baselines = {{"seed1/nets.json", a}, {"seed1/nets.json", a}};
  try {
    experiment::evaluate(study, request);
    ADD_FAILURE() << "accepted the same file twice";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "seed1/nets.json: the same file is given twice");
  }
}

// Files written by vvc train (tests/data/baselines/, 2 episodes on the balanced benchmark, evaluated on seeds
// 0:20) evaluate to the metrics stored in them: the format keeps its meaning.
TEST(BaselineFiles, StoredFilesEvaluateToTheMetricsStoredInThem) {
  const Study& study = benchmark_study();
  for (const char* name : {"tasrl_ieee13_tasrl.json", "stable_ddpg_ieee13_tasrl.json"}) {
    const BaselineFile file = read_baseline(std::string(VVC_SOURCE_DIR "/tests/data/baselines/") + name);
    ASSERT_TRUE(file.evaluation.has_value()) << name;
    EvaluationOptions eo;
    eo.ids = file.evaluation_seeds;
    eo.steps = file.evaluation->steps;
    const EvaluationSummary s =
        evaluate(study, *make_scenarios(study), baseline_controller_factory(study, file.trained), eo).summary;
    const EvaluationSummary& stored = *file.evaluation;
    EXPECT_NEAR(s.transient, stored.transient, 1e-12 * std::abs(stored.transient)) << name;
    EXPECT_NEAR(s.steady, stored.steady, 1e-12 * std::abs(stored.transient)) << name;
    EXPECT_EQ(s.fraction_out_of_band, stored.fraction_out_of_band) << name;
    EXPECT_EQ(s.final_violations, stored.final_violations) << name;
  }
  // The networks imported from checkpoints record no conditions and evaluate on the study they name.
  const BaselineFile imported =
      read_baseline(VVC_SOURCE_DIR "/tests/data/baselines/stable_ddpg_ieee13_3p_imported.json");
  EXPECT_FALSE(imported.conditions.has_value());
  EXPECT_FALSE(imported.training.has_value());
  EXPECT_NO_THROW(check_baseline_matches(imported, ieee13_3p(), "imported"));
}

TEST(BaselineFiles, RejectBadFilesNamingTheFieldAndTheValue) {
  const Study& study = benchmark_study();
  TrainedBaseline trained = random_baseline(study, BaselineKind::kStableDdpg, 2);
  trained.shape.upper = 1.03;
  trained.shape.lower = 0.97;
  const std::string good = baseline_to_json(describe_baseline(study, trained, 1));
  EXPECT_NO_THROW(parse_baseline(good, "nets.json"));
  expect_input_error(with(good, "\"vvc.baseline\"", "\"vvc.policy\""), "/format");
  expect_input_error(with(good, "\"version\": 1", "\"version\": 2"), "/version");
  expect_input_error(with(good, "\"kind\": \"stable-ddpg\"", "\"kind\": \"ddpg\""), "ddpg");
  expect_input_error(with(good, "\"max_step\": 0.37", "\"max_step\": -1.0"), "/max_step");
  expect_input_error(with(good, "\"max_step\": 0.37", "\"alpha\": 0.5"), "alpha");
  expect_input_error(with(good, "\"hidden\": 7", "\"hidden\": 6"), "expected 6 values (shape.hidden), got 7");
  expect_input_error(with(good, "\"breakpoint_total\": 0.15", "\"breakpoint_total\": 0.0"),
                     "/shape/breakpoint_total");
  expect_input_error(with(good, "\"lower\": 0.97", "\"lower\": 1.5"), "/shape/upper");
  expect_input_error(with(good, "\"pv645\",", ""), "expected 2 values (one per inverter), got 3");
  expect_input_error(with(good, "\"vmin_pu\": 0.95", "\"v_min\": 0.95"), "/voltage_band");
}

}  // namespace
}  // namespace vvc::core
