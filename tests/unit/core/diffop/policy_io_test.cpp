// Policy files and trainer checkpoints (docs/formats/policy.md): exact round trips of every field, and bad
// input, each an InputError naming the file, the JSON path (or line and column) and the offending value.
#include "vvc/core/diffop/policy_io.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <string>

#include "support/benchmark_fixture.hpp"
#include "support/input_files.hpp"
#include "vvc/common/files.hpp"

namespace vvc::core {
namespace {

namespace fs = std::filesystem;
using testing::benchmark_study;
using vvc::test_support::input_error_message;
using vvc::test_support::TempDir;
using vvc::test_support::write_file;

/// Numbers that need all 17 significant digits.
Eigen::VectorXd awkward_vector(Eigen::Index size, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::VectorXd v(size);
  for (Eigen::Index i = 0; i < size; ++i) v[i] = normal(rng) / 3.0;
  return v;
}

LearningPoint progress(int iteration, bool validated) {
  LearningPoint p;
  p.iteration = iteration;
  p.training_cost = -6.0 - 1.0 / (iteration + 3.0);
  p.training_steady = -0.1 / 7.0 * iteration;
  if (validated) {
    p.validation_transient = -6.123456789012345 + iteration;
    p.validation_steady = 2.0 / 3.0;
  }
  p.gradient_norm = std::sqrt(2.0) * iteration;
  p.seconds = 0.1 * iteration;
  p.fallback_steps = 3000000000L + iteration;
  return p;
}

/// A policy of the benchmark study with every field set, numbers that need 17 digits.
PolicyFile awkward_policy(const DiffOpModel& model) {
  PolicyFile p =
      describe_policy(model, model.initial_parameters() + awkward_vector(model.num_parameters(), 9));
  p.training.seed = std::numeric_limits<std::uint64_t>::max();
  p.training.iterations = 7;
  p.iterations_done = 7;
  p.training.scenarios_per_iteration = 5;
  p.training.noise_draws = 3;
  p.training.gradient = GradientEstimator::kPathwise;
  p.training.sigma = 0.1 / 3.0;
  p.training.beta = 2.0 / 7.0;
  p.training.violation_penalty = 1.0 / 3.0;
  p.structure.replan = 4;
  p.training.adam.learning_rate = 1e-320;
  p.training.validation.scenarios = 11;
  p.training.validation.every = 3;
  p.training_seconds = 12.345678901234567;
  p.curve = {progress(1, true), progress(2, false)};
  EvaluationSummary e;
  e.controller = "diffop-traj";
  e.scenarios = 500;
  e.steps = 100;
  e.transient = -6.123456789012345;
  e.steady = -0.1;
  e.fraction_out_of_band = 1.0 / 3.0;
  e.worst_violation = 0.04000000000000001;
  e.final_violations = 2;
  e.power_flow_failures = 1;
  p.evaluation = e;
  p.evaluation_seeds = {0, 500};
  return p;
}

/// Equal, or both NaN (a curve's validation cost on an iteration without validation).
void expect_same_or_both_nan(double a, double b) {
  if (std::isnan(a)) {
    EXPECT_TRUE(std::isnan(b)) << b;
  } else {
    EXPECT_EQ(a, b);
  }
}

void expect_same_curve(const std::vector<LearningPoint>& a, const std::vector<LearningPoint>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].iteration, b[k].iteration);
    EXPECT_EQ(a[k].training_cost, b[k].training_cost);
    EXPECT_EQ(a[k].training_steady, b[k].training_steady);
    expect_same_or_both_nan(a[k].validation_transient, b[k].validation_transient);
    expect_same_or_both_nan(a[k].validation_steady, b[k].validation_steady);
    EXPECT_EQ(a[k].gradient_norm, b[k].gradient_norm);
    EXPECT_EQ(a[k].seconds, b[k].seconds);
    EXPECT_EQ(a[k].fallback_steps, b[k].fallback_steps);
  }
}

void expect_same_policy(const PolicyFile& a, const PolicyFile& b) {
  EXPECT_EQ(a.study_name, b.study_name);
  EXPECT_EQ(a.study_path, b.study_path);
  EXPECT_EQ(a.inverters, b.inverters);
  EXPECT_EQ(a.inverter_buses, b.inverter_buses);
  EXPECT_EQ(a.modelled_buses, b.modelled_buses);
  EXPECT_EQ(a.structure.mode, b.structure.mode);
  EXPECT_EQ(a.structure.horizon, b.structure.horizon);
  EXPECT_EQ(a.structure.episode_steps, b.structure.episode_steps);
  EXPECT_EQ(a.structure.discount, b.structure.discount);
  EXPECT_EQ(a.structure.backoff, b.structure.backoff);
  EXPECT_EQ(a.structure.replan, b.structure.replan);
  EXPECT_EQ(a.theta, b.theta);
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.layout, b.layout);
  ASSERT_EQ(a.conditions.has_value(), b.conditions.has_value());
  if (a.conditions) {
    EXPECT_EQ(a.conditions->network_name, b.conditions->network_name);
    EXPECT_EQ(a.conditions->network_file, b.conditions->network_file);
    EXPECT_EQ(a.conditions->network_hash, b.conditions->network_hash);
    EXPECT_EQ(a.conditions->vmin_pu, b.conditions->vmin_pu);
    EXPECT_EQ(a.conditions->vmax_pu, b.conditions->vmax_pu);
    EXPECT_EQ(a.conditions->q_min_mvar, b.conditions->q_min_mvar);
    EXPECT_EQ(a.conditions->q_max_mvar, b.conditions->q_max_mvar);
    EXPECT_EQ(a.conditions->cost_c, b.conditions->cost_c);
  }
  EXPECT_EQ(a.training.seed, b.training.seed);
  EXPECT_EQ(a.training.iterations, b.training.iterations);
  EXPECT_EQ(a.training.scenarios_per_iteration, b.training.scenarios_per_iteration);
  EXPECT_EQ(a.training.noise_draws, b.training.noise_draws);
  EXPECT_EQ(a.training.gradient, b.training.gradient);
  EXPECT_EQ(a.training.sigma, b.training.sigma);
  EXPECT_EQ(a.training.beta, b.training.beta);
  EXPECT_EQ(a.training.violation_penalty, b.training.violation_penalty);
  EXPECT_EQ(a.training.adam.learning_rate, b.training.adam.learning_rate);
  EXPECT_EQ(a.training.validation.scenarios, b.training.validation.scenarios);
  EXPECT_EQ(a.training.validation.every, b.training.validation.every);
  EXPECT_EQ(a.iterations_done, b.iterations_done);
  EXPECT_EQ(a.training_seconds, b.training_seconds);
  ASSERT_EQ(a.evaluation.has_value(), b.evaluation.has_value());
  if (a.evaluation) {
    EXPECT_EQ(a.evaluation->controller, b.evaluation->controller);
    EXPECT_EQ(a.evaluation->scenarios, b.evaluation->scenarios);
    EXPECT_EQ(a.evaluation->steps, b.evaluation->steps);
    EXPECT_EQ(a.evaluation->transient, b.evaluation->transient);
    EXPECT_EQ(a.evaluation->steady, b.evaluation->steady);
    EXPECT_EQ(a.evaluation->fraction_out_of_band, b.evaluation->fraction_out_of_band);
    EXPECT_EQ(a.evaluation->worst_violation, b.evaluation->worst_violation);
    EXPECT_EQ(a.evaluation->final_violations, b.evaluation->final_violations);
    EXPECT_EQ(a.evaluation->power_flow_failures, b.evaluation->power_flow_failures);
  }
  EXPECT_EQ(a.evaluation_seeds.first, b.evaluation_seeds.first);
  EXPECT_EQ(a.evaluation_seeds.last, b.evaluation_seeds.last);
  expect_same_curve(a.curve, b.curve);
}

/// `text` with its first `from` replaced by `to` (which must occur).
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

class PolicyIo : public ::testing::Test {
 protected:
  const DiffOpModel model_{benchmark_study(), DiffOpStructure{DiffOpMode::kTraj, 7, 100, 0.99}};
  const PolicyFile policy_ = awkward_policy(model_);
  const std::string text_ = policy_to_json(policy_);

  std::string error_of(const std::string& text) const {
    return input_error_message([&] { parse_policy(text, "p.json"); });
  }
};

// ---------------------------------------------------------------------------------------------------------------
// Round trips.

TEST_F(PolicyIo, PolicyRoundTripsExactly) {
  const PolicyFile back = parse_policy(text_, "p.json");
  expect_same_policy(policy_, back);
  EXPECT_NO_THROW(check_policy_matches(back, model_, "p.json"));
  EXPECT_EQ(policy_to_json(back), text_);
}

TEST_F(PolicyIo, WrittenPolicyReadsBack) {
  const TempDir dir(vvc::test_support::current_test_name());
  const fs::path path = dir.path() / "policy.json";
  write_policy(policy_, path);
  expect_same_policy(policy_, read_policy(path));
}

TEST_F(PolicyIo, CheckpointRoundTripsExactly) {
  const TempDir dir(vvc::test_support::current_test_name());
  const fs::path path = dir.path() / "checkpoint.json";
  TrainerState state;
  state.iteration = 5;
  state.theta = awkward_vector(model_.num_parameters(), 1);
  state.adam.m = awkward_vector(model_.num_parameters(), 2);
  state.adam.v = awkward_vector(model_.num_parameters(), 3).cwiseAbs();
  state.adam.steps = 7;
  state.best_theta = awkward_vector(model_.num_parameters(), 4);
  state.best_validation = -6.543210987654321;
  state.curve = {progress(1, false), progress(2, true)};
  write_checkpoint(state, policy_, path);
  PolicyFile meta;
  const TrainerState back = read_checkpoint(path, meta);
  EXPECT_EQ(back.iteration, 5);
  EXPECT_EQ(back.theta, state.theta);
  EXPECT_EQ(back.adam.m, state.adam.m);
  EXPECT_EQ(back.adam.v, state.adam.v);
  EXPECT_EQ(back.adam.steps, 7);
  EXPECT_EQ(back.best_theta, state.best_theta);
  EXPECT_EQ(back.best_validation, state.best_validation);
  expect_same_curve(back.curve, state.curve);
  // The stored description is the policy's, with the state's parameters, iteration count and curve.
  PolicyFile expected = policy_;
  expected.theta = state.theta;
  expected.iterations_done = 5;
  expected.training.iterations = policy_.training.iterations;
  expected.curve = state.curve;
  expect_same_policy(expected, meta);

  // No validation yet: best_validation is written as null and reads back as +infinity.
  state.best_validation = std::numeric_limits<double>::infinity();
  write_checkpoint(state, policy_, path);
  EXPECT_EQ(read_checkpoint(path, meta).best_validation, std::numeric_limits<double>::infinity());
}

// ---------------------------------------------------------------------------------------------------------------
// Bad input.

TEST_F(PolicyIo, NumberTooLargeForADoubleNamesFileLineAndColumn) {
  const std::string text = replaced(text_, "\"discount\": 0.99", "\"discount\": 1e309");
  const auto at = text.find("1e309");
  const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
  const auto column = at - text.rfind('\n', at) + 4;  // the number's last character
  EXPECT_EQ(error_of(text), "p.json:" + std::to_string(line) + ":" + std::to_string(column) +
                                ": invalid JSON: expected a number within the range of a double, got 1e309");
}

TEST_F(PolicyIo, NestingDeeperThan256IsRefused) {
  const std::string deep = std::string(300, '[') + std::string(300, ']');
  EXPECT_EQ(error_of(replaced(text_, "\"kind\": \"diffop\"", "\"kind\": " + deep)),
            "p.json: invalid JSON: expected arrays and objects nested at most 256 deep, got deeper nesting");
}

TEST_F(PolicyIo, IntegerFieldsAreExactAndRangeChecked) {
  EXPECT_EQ(error_of(replaced(text_, "\"horizon\": 7", "\"horizon\": 2.5")),
            "p.json: /horizon: expected an integer from 1 to 1000000, got 2.5");
  EXPECT_EQ(error_of(replaced(text_, "\"horizon\": 7", "\"horizon\": 0")),
            "p.json: /horizon: expected an integer from 1 to 1000000, got 0");
  EXPECT_EQ(error_of(replaced(text_, "\"iterations\": 7", "\"iterations\": 1e20")),
            "p.json: /training/iterations: expected an integer from 0 to 2147483647, got 1e+20");
  EXPECT_EQ(error_of(replaced(text_, "\"iterations\": 7", "\"iterations\": 2147483648")),
            "p.json: /training/iterations: expected an integer from 0 to 2147483647, got 2147483648");
  EXPECT_EQ(error_of(replaced(text_, "\"seed\": 18446744073709551615", "\"seed\": -1")),
            "p.json: /training/seed: expected an integer from 0 to 18446744073709551615, got -1");
  EXPECT_EQ(
      error_of(replaced(text_, "\"fallback_steps\": 3000000001", "\"fallback_steps\": 0.5")),
      "p.json: /training/curve/0/fallback_steps: expected an integer from 0 to 9223372036854775807, got 0.5");
  EXPECT_EQ(parse_policy(replaced(text_, "\"horizon\": 7", "\"horizon\": 7.0"), "p.json").structure.horizon,
            7);
}

TEST_F(PolicyIo, WrongValuesNamePathAndValue) {
  EXPECT_EQ(error_of(replaced(text_, "\"mode\": \"traj\"", "\"mode\": \"sideways\"")),
            "p.json: /mode: expected \"step\" or \"traj\", got \"sideways\"");
  EXPECT_EQ(error_of(replaced(text_, "\"kind\": \"diffop\"", "\"kind\": \"ddpg\"")),
            "p.json: /kind: expected \"diffop\", got \"ddpg\"");
  EXPECT_EQ(error_of(replaced(text_, "\"validation_transient\": null", "\"validation_transient\": \"none\"")),
            "p.json: /training/curve/1/validation_transient: expected a finite number, got \"none\"");
  EXPECT_EQ(error_of(replaced(text_, "\"theta\": [", "\"theta\": [true, ")),
            "p.json: /parameters/theta/0: expected a finite number, got true");
  EXPECT_EQ(error_of(replaced(text_, "\"inverters\": [", "\"inverters\": [1, ")),
            "p.json: /inverters/0: expected a string, got 1");
  EXPECT_EQ(error_of(replaced(text_, "\"format\": \"vvc.policy\"", "\"format\": \"vvc.checkpoint\"")),
            "p.json: /format: expected \"vvc.policy\", got \"vvc.checkpoint\"");
  EXPECT_EQ(error_of(replaced(text_, "\"version\": 5", "\"version\": 6")),
            "p.json: /version: expected an integer from 1 to 5, got 6");
  EXPECT_EQ(error_of(replaced(text_, "\"objective\": \"F\"", "\"objective\": \"f\"")),
            "p.json: /objective: expected \"F\" or \"moves\", got \"f\"");
  EXPECT_EQ(error_of(replaced(text_, "\"min_backoff\": 0.0", "\"min_backoff\": -0.5")),
            "p.json: /min_backoff: expected a finite number >= 0, got -0.5");
  EXPECT_EQ(error_of(replaced(text_, "\"absolute_move\": false", "\"absolute_move\": 0")),
            "p.json: /absolute_move: expected true or false, got 0");
  EXPECT_EQ(error_of(replaced(text_, "\"backoff\": true", "\"backoff\": 1")),
            "p.json: /backoff: expected true or false, got 1");
  EXPECT_EQ(error_of(replaced(text_, "\"replan\": 4", "\"replan\": -1")),
            "p.json: /replan: expected an integer from 0 to 1000000, got -1");
  EXPECT_EQ(error_of(replaced(text_, "\"horizon\": 7", "\"horizon\": 7, \"horizons\": 7"))
                .rfind("p.json: /horizons: unknown field (expected one of \"format\", ", 0),
            0u);
  EXPECT_EQ(error_of(replaced(text_, "\"horizon\": 7", "\"horizon\": 7, \"horizon\": 8")),
            "p.json: /: expected each key once in an object, got \"horizon\" twice");
  EXPECT_EQ(error_of(replaced(text_, "\"seeds\": \"0:500\"", "\"seeds\": \"0-500\"")),
            "p.json: /evaluation/seeds: expected a seed range A:B (0 <= A < B), got '0-500'");
}

class CheckpointIo : public PolicyIo {
 protected:
  CheckpointIo() {
    state_.iteration = 2;
    state_.theta = policy_.theta;
    state_.adam.m = awkward_vector(model_.num_parameters(), 2);
    state_.adam.v = awkward_vector(model_.num_parameters(), 3).cwiseAbs();
    state_.best_theta = policy_.theta;
    state_.best_validation = -6.5;
    write_checkpoint(state_, policy_, path_);
    checkpoint_text_ = read_text_file(path_);
  }

  std::string error_of_checkpoint(const std::string& text) const {
    write_file(path_, text);
    PolicyFile meta;
    return input_error_message([&] { read_checkpoint(path_, meta); });
  }

  const TempDir dir_{vvc::test_support::current_test_name()};
  const fs::path path_ = dir_.path() / "checkpoint.json";
  TrainerState state_;
  std::string checkpoint_text_;
};

// Version-1 checkpoints did not store the Adam step count: they took one Adam step per iteration.
TEST_F(CheckpointIo, VersionOneCheckpointsReadOneStepPerIteration) {
  const std::string older = replaced(replaced(checkpoint_text_, "\"adam_steps\": 0,", ""),
                                     "\n \"version\": 2\n}", "\n \"version\": 1\n}");
  write_file(path_, older);
  PolicyFile meta;
  EXPECT_EQ(read_checkpoint(path_, meta).adam.steps, 2);
  // Version 2 requires the count.
  EXPECT_EQ(error_of_checkpoint(replaced(checkpoint_text_, "\"adam_steps\": 0,", "")),
            path_.string() + ": /: missing required field \"adam_steps\"");
}

TEST_F(CheckpointIo, TextReadsAsTheFileDoes) {
  PolicyFile from_file_meta;
  PolicyFile from_text_meta;
  const TrainerState from_file = read_checkpoint(path_, from_file_meta);
  const TrainerState from_text = parse_checkpoint(checkpoint_text_, "inline", from_text_meta);
  EXPECT_EQ(from_text.iteration, from_file.iteration);
  EXPECT_EQ(from_text.theta, from_file.theta);
  EXPECT_EQ(from_text.adam.m, from_file.adam.m);
  EXPECT_EQ(from_text.adam.v, from_file.adam.v);
  EXPECT_EQ(from_text.adam.steps, from_file.adam.steps);
  EXPECT_EQ(from_text.best_theta, from_file.best_theta);
  EXPECT_EQ(from_text.best_validation, from_file.best_validation);
  EXPECT_EQ(from_text_meta.inverters, from_file_meta.inverters);
  PolicyFile meta;
  EXPECT_EQ(input_error_message([&] { parse_checkpoint("{", "inline", meta); }),
            "inline:1:1: invalid JSON: syntax error while parsing object key - unexpected end of input; "
            "expected string literal");
}

TEST_F(CheckpointIo, NumberTooLargeForADouble) {
  const std::string text =
      replaced(checkpoint_text_, "\"best_validation\": -6.5", "\"best_validation\": -1e309");
  const std::string message = error_of_checkpoint(text);
  EXPECT_EQ(message.rfind(path_.string() + ":", 0), 0u) << message;
  EXPECT_NE(message.find(": invalid JSON: expected a number within the range of a double, got -1e309"),
            std::string::npos)
      << message;
}

TEST_F(CheckpointIo, ErrorsInTheEmbeddedPolicyHaveItsPath) {
  EXPECT_EQ(error_of_checkpoint(replaced(checkpoint_text_, "\"horizon\": 7", "\"horizon\": 1e20")),
            path_.string() + ": /policy/horizon: expected an integer from 1 to 1000000, got 1e+20");
  EXPECT_EQ(error_of_checkpoint(replaced(checkpoint_text_, "\"iteration\": 2,", "\"iteration\": 2.5,")),
            path_.string() + ": /iteration: expected an integer from 0 to 2147483647, got 2.5");
  EXPECT_EQ(error_of_checkpoint(replaced(checkpoint_text_, "\"adam_m\": [", "\"adam_m\": [0.5, ")),
            path_.string() + ": /adam_m: the optimizer state does not match the parameter count");
  EXPECT_EQ(error_of_checkpoint(replaced(checkpoint_text_, "\"vvc.checkpoint\"", "\"vvc.policy\"")),
            path_.string() + ": /format: expected \"vvc.checkpoint\", got \"vvc.policy\"");
}

// ---------------------------------------------------------------------------------------------------------------
// Self-description (version 2 on) and older files.

TEST_F(PolicyIo, TheLayoutAccountsForEveryParameter) {
  const PolicyFile back = parse_policy(text_, "p.json");
  ASSERT_EQ(back.layout.size(), 10u);
  int covered = 0;
  for (const auto& b : back.layout) {
    EXPECT_EQ(b.offset, covered) << b.name;
    EXPECT_FALSE(b.meaning.empty()) << b.name;
    covered += b.size;
  }
  EXPECT_EQ(covered, back.theta.size());
  EXPECT_EQ(back.layout[1].name, "omega_a");
  EXPECT_EQ(back.layout[1].size, 9 * 3);  // nine other modelled buses x three inverters
  EXPECT_EQ(back.layout[6].name, "backoff_lower_a");
  EXPECT_EQ(back.layout[6].size, 12);  // one per modelled bus
  EXPECT_EQ(back.layout[9].name, "backoff_upper_b");
  EXPECT_EQ(error_of(replaced(text_, "\"size\": 3", "\"size\": 4")),
            "p.json: /parameters/layout/5/offset: expected 70 (where the previous block ends), got 69");
  const DiffOpModel step(benchmark_study(), DiffOpStructure{});
  PolicyFile other = parse_policy(text_, "p.json");
  std::swap(other.layout[4].name, other.layout[5].name);
  EXPECT_EQ(input_error_message([&] { check_policy_matches(other, step, "p.json"); }),
            "p.json: /parameters/layout: the parameter blocks differ from this version's DiffOP model");
}

TEST_F(PolicyIo, RecordsWhatItWasTrainedFor) {
  const Study& study = benchmark_study();
  ASSERT_TRUE(policy_.conditions.has_value());
  EXPECT_EQ(policy_.conditions->network_file, "case.json");
  EXPECT_EQ(policy_.conditions->network_hash, content_hash(read_text_file(study.network_file)));
  EXPECT_EQ(policy_.conditions->cost_c, study.cost_c);
  EXPECT_EQ(error_of(replaced(text_, "\"c\": [", "\"c\": [1.0, ")),
            "p.json: /cost/c: expected 3 values (one per inverter), got 4");
  const PolicyComparison same = compare_policy(parse_policy(text_, "p.json"), study);
  EXPECT_TRUE(same.recorded);
  EXPECT_TRUE(same.differences.empty());

  Study other = study;
  other.vmin_pu = 0.99;
  other.vmax_pu = 1.01;
  other.inverters[1].q_max_mvar = 1.0;
  other.cost_c[2] = 0.2;
  other.network_hash = content_hash("another network");
  const PolicyComparison differ = compare_policy(policy_, other);
  ASSERT_EQ(differ.differences.size(), 4u);
  EXPECT_EQ(differ.differences[0].rfind("trained on the network file case.json with content fnv1a64:", 0),
            0u);
  EXPECT_EQ(differ.differences[1],
            "trained for the voltage band [0.95, 1.05] pu, the study's is [0.99, 1.01] pu");
  EXPECT_EQ(differ.differences[2],
            "inverter pv684: trained with q in [-1.4, 1.4] MVar, the study's limits are [-1.4, 1] MVar");
  EXPECT_EQ(differ.differences[3],
            "inverter pv692: trained with the cost weight c = 0.09, the study's is 0.2");
}

TEST(PolicyFiles, VersionOneFilesStillLoad) {
  const PolicyFile v1 = read_policy(VVC_SOURCE_DIR "/tests/data/policies/ieee13_tasrl_step_start.json");
  EXPECT_EQ(v1.version, 1);
  EXPECT_TRUE(v1.layout.empty());
  EXPECT_FALSE(v1.conditions.has_value());
  const DiffOpModel model(benchmark_study(), v1.structure);
  EXPECT_NO_THROW(check_policy_matches(v1, model, "v1"));
  EXPECT_FALSE(compare_policy(v1, benchmark_study()).recorded);
  // Written again, it is a version-2 file only once it is described again: parse(write(v1)) keeps no conditions.
  PolicyFile again = describe_policy(model, v1.theta);
  EXPECT_EQ(again.version, kPolicyVersion);
  EXPECT_TRUE(again.conditions.has_value());
}

/// Evaluates `policy` on its stored evaluation seeds and expects the metrics stored with it: the counts exactly,
/// the costs and the worst violation up to the rounding of the code that evaluates them (the QP solver's rounding
/// has changed since some of the files were written: its warm start now takes over the previous solve's
/// factors; the costs then moved by up to 6e-14 relative). A field read with another version's meaning (the
/// back-off's floor, the move cost, the objective) gives another policy, whose costs differ far outside this.
void expect_stored_evaluation(const Study& study, const DiffOpModel& model, const PolicyFile& policy) {
  ASSERT_TRUE(policy.evaluation.has_value());
  EvaluationOptions eo;
  eo.ids = policy.evaluation_seeds;
  eo.threads = 2;
  const Evaluation ev = evaluate(
      study, *make_scenarios(study), [&] { return make_diffop_controller(model, policy.theta); }, eo);
  const double cost_tolerance = 1e-12 * (1.0 + std::abs(policy.evaluation->transient));
  EXPECT_NEAR(ev.summary.transient, policy.evaluation->transient, cost_tolerance);
  EXPECT_NEAR(ev.summary.steady, policy.evaluation->steady, cost_tolerance);
  EXPECT_EQ(ev.summary.fraction_out_of_band, policy.evaluation->fraction_out_of_band);
  EXPECT_EQ(ev.summary.final_violations, policy.evaluation->final_violations);
  EXPECT_NEAR(ev.summary.worst_violation, policy.evaluation->worst_violation, 1e-12);
}

// A version-2 policy (before the band back-off, the violation penalty and re-planning) is read as a policy with
// none of them, and evaluating it gives the metrics its old code stored: Traj's open-loop plan unchanged.
TEST(PolicyFiles, VersionTwoFilesStillLoadAndActAsBefore) {
  const Study& study = benchmark_study();
  const PolicyFile v2 = read_policy(VVC_SOURCE_DIR "/tests/data/policies/ieee13_tasrl_traj_v2.json");
  EXPECT_EQ(v2.version, 2);
  EXPECT_FALSE(v2.structure.backoff);
  EXPECT_EQ(v2.structure.replan, 0);
  EXPECT_EQ(v2.training.violation_penalty, 0.0);
  EXPECT_EQ(v2.training.gradient, GradientEstimator::kLikelihoodRatio);
  const DiffOpModel model(study, v2.structure);
  EXPECT_NO_THROW(check_policy_matches(v2, model, "v2"));
  EXPECT_TRUE(compare_policy(v2, study).differences.empty());
  expect_stored_evaluation(study, model, v2);
}

// Three-phase policies of version 3 (before the absolute move cost and the back-off's floor), 4 (before the moves
// objective) and 5 are read with what their version had, and evaluating them gives the metrics the code
// that wrote them stored (20 iterations on ieee13_3p, evaluated on seeds 0:16).
TEST(PolicyFiles, ThreePhaseFilesOfEveryVersionLoadAndActAsStored) {
  const Study study = read_study(std::filesystem::path(VVC_SOURCE_DIR) / "cases/ieee13_3p");
  for (const int version : {3, 4, 5}) {
    SCOPED_TRACE(version);
    const std::string name = "v" + std::to_string(version);
    const PolicyFile file =
        read_policy(VVC_SOURCE_DIR "/tests/data/policies/ieee13_3p_step_" + name + ".json");
    EXPECT_EQ(file.version, version);
    EXPECT_TRUE(file.structure.backoff);
    EXPECT_EQ(file.structure.absolute_move, version >= 4);
    EXPECT_EQ(file.structure.min_backoff, version >= 4 ? 0.002 : 0.0);  // the floor when they were written
    EXPECT_EQ(file.structure.objective, version >= 5 ? DiffOpObjective::kMoves : DiffOpObjective::kF);
    const DiffOpModel model(study, file.structure);
    EXPECT_NO_THROW(check_policy_matches(file, model, name));
    expect_stored_evaluation(study, model, file);
  }
}

}  // namespace
}  // namespace vvc::core
