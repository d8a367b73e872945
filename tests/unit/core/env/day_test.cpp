// The day replay (docs/formats/day.md): the profile reader's bad-input corpus (tests/data/bad_days), the
// element powers a day gives (checked against powers computed here from the file's numbers), the zero
// controller's replay against the three-phase power flow solved directly on the scaled network, a Volt-VAR
// replay against the environment stepped by hand, the day's sums against its steps, the stop request,
// determinism, the script's load shapes as a day against the study's loadshape scenario, and a study's day
// scenarios (windows of the day) against element powers computed from the file's numbers.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "support/input_files.hpp"
#include "vvc/core/env/day.hpp"
#include "vvc/core/env/evaluation.hpp"
#include "vvc/core/env/scenarios.hpp"
#include "vvc/core/reference/registry.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"

namespace vvc::core {
namespace {

namespace fs = std::filesystem;
using vvc::test_support::input_error_message;

const fs::path kBadDays = fs::path(VVC_SOURCE_DIR) / "tests/data/bad_days";
const fs::path kDay = fs::path(VVC_SOURCE_DIR) / "cases/stable_ddpg_day/day_profile.csv";

const Study& ieee13() {
  static const Study study = read_study(fs::path(VVC_SOURCE_DIR) / "cases/ieee13_3p");
  return study;
}

const DayProfile& real_day() {
  static const DayProfile day = read_day_profile(kDay);
  return day;
}

struct BadDay {
  std::string file;
  std::string fragment;
};

std::vector<BadDay> bad_days() {
  std::vector<BadDay> out;
  std::ifstream in(kBadDays / "expected_errors.tsv");
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    out.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  return out;
}

TEST(DayProfileReader, EveryBadFileNamesItselfAndTheFault) {
  const std::vector<BadDay> cases = bad_days();
  ASSERT_GE(cases.size(), 8u);
  for (const BadDay& c : cases) {
    const std::string path = (kBadDays / c.file).string();
    const std::string message = input_error_message([&] { read_day_profile(path); });
    EXPECT_EQ(message.rfind(path + ":", 0), 0u) << c.file << ": " << message;
    EXPECT_NE(message.find(c.fragment), std::string::npos) << c.file << ": " << message;
  }
}

TEST(DayProfileReader, ReadsTheRealDayExactly) {
  const DayProfile& day = real_day();
  ASSERT_EQ(day.samples(), 14421);
  EXPECT_EQ(day.time_s.front(), 0.0);
  EXPECT_EQ(day.time_s.back(), 86520.0);
  EXPECT_EQ(day.load_p.front(), 3.1350824952137781);
  EXPECT_EQ(day.load_q[1], 1.3643562016104542);
  EXPECT_EQ(day.pv_p.back(), 0.0);
}

/// A day of `n` samples 6 s apart with load and PV values that vary from sample to sample.
DayProfile small_day(int n) {
  std::ostringstream text;
  text << "sample,time_s,load_p,load_q,pv_p\n";
  for (int k = 0; k < n; ++k) {
    text << k << ',' << 6 * k << ',' << 2.0 + 0.5 * std::sin(0.7 * k) << ',' << 1.0 + 0.25 * std::cos(0.3 * k)
         << ',' << 3.0 + 2.5 * std::sin(0.4 * k + 1.0) << '\n';
  }
  std::istringstream in(text.str());
  return parse_day_profile(in, "small_day.csv");
}

double mean(const std::vector<double>& x) {
  double s = 0.0;
  for (const double v : x) s += v;
  return s / static_cast<double>(x.size());
}

double largest(const std::vector<double>& x) {
  double s = x.front();
  for (const double v : x) s = std::max(s, v);
  return s;
}

/// The study's network with every element at the day's powers of sample k, written into the elements
/// themselves (no workspace injection): what OpenDSS would solve with the scaled loads and PV. `peak`: the
/// columns over their largest values instead of their means.
grid::MultiphaseNetwork scaled_network(const Study& study, const DayProfile& day, long k, double pv_kw,
                                       bool peak = false) {
  grid::MultiphaseNetwork net = study.phase_network;
  const auto i = static_cast<size_t>(k);
  const auto scale = [&](const std::vector<double>& x) { return peak ? largest(x) : mean(x); };
  const double mp = day.load_p[i] / scale(day.load_p);
  const double mq = day.load_q[i] / scale(day.load_q);
  const double mpv = day.pv_p[i] / scale(day.pv_p);
  std::vector<bool> inverter(net.loads.size(), false);
  for (const Inverter& inv : study.inverters) inverter[static_cast<size_t>(inv.generator_index)] = true;
  for (size_t e = 0; e < net.loads.size(); ++e) {
    grid::PhaseLoad& l = net.loads[e];
    if (inverter[e]) {
      // The bus-given inverters have no power in the script: pv_kw per phase, generation (negative consumption).
      EXPECT_EQ(l.p_w, 0.0);
      l.p_w = -pv_kw * 1000.0 * mpv / l.phases;
    } else if (l.name.rfind("generator.", 0) != 0 && l.name.rfind("pvsystem.", 0) != 0) {
      l.p_w *= mp;
      l.q_var *= mq;
    }
  }
  return net;
}

TEST(DayScenario, ElementPowersAreTheScriptsTimesTheMultipliers) {
  const Study& study = ieee13();
  const DayProfile day = small_day(12);
  const DayOptions options{.stride = 2, .steps = 4, .pv_kw = 80.0};
  const DayScenario d = make_day_scenario(study, day, options);
  ASSERT_EQ(d.steps, 4);
  ASSERT_EQ(d.scenario.element_series.size(), 5u);
  for (int t = 0; t <= d.steps; ++t) {
    const long k = t == 0 ? 0 : 2L * (t - 1);
    const grid::MultiphaseNetwork net = scaled_network(study, day, k, options.pv_kw);
    const Eigen::VectorXcd& e = d.scenario.element_series[static_cast<size_t>(t)];
    for (size_t l = 0; l < net.loads.size(); ++l) {
      const Complex expected = -Complex(net.loads[l].p_w, net.loads[l].q_var) * (net.loads[l].phases / 1e6);
      EXPECT_NEAR(e[static_cast<Eigen::Index>(l)].real(), expected.real(), 1e-15) << net.loads[l].name;
      EXPECT_NEAR(e[static_cast<Eigen::Index>(l)].imag(), expected.imag(), 1e-15) << net.loads[l].name;
    }
  }
  for (int t = 0; t < d.steps; ++t) {
    EXPECT_EQ(d.time_s[t], 12.0 * t);
    EXPECT_EQ(d.dt_s[t], 12.0);
  }
}

TEST(DayScenario, PeakNormalizationDividesEachColumnByItsLargestValue) {
  const Study& study = ieee13();
  const DayProfile day = small_day(12);
  const DayOptions options{.stride = 3, .steps = 3, .pv_kw = 50.0, .normalize = DayNormalization::kPeak};
  const DayScenario d = make_day_scenario(study, day, options);
  for (int t = 0; t <= d.steps; ++t) {
    const long k = t == 0 ? 0 : 3L * (t - 1);
    const grid::MultiphaseNetwork net = scaled_network(study, day, k, options.pv_kw, true);
    const Eigen::VectorXcd& e = d.scenario.element_series[static_cast<size_t>(t)];
    for (size_t l = 0; l < net.loads.size(); ++l) {
      const Complex expected = -Complex(net.loads[l].p_w, net.loads[l].q_var) * (net.loads[l].phases / 1e6);
      EXPECT_NEAR(e[static_cast<Eigen::Index>(l)].real(), expected.real(), 1e-15) << net.loads[l].name;
      EXPECT_NEAR(e[static_cast<Eigen::Index>(l)].imag(), expected.imag(), 1e-15) << net.loads[l].name;
    }
  }
}

TEST(DayScenario, RefusesBalancedStudiesAndBadOptions) {
  const Study balanced = read_study(fs::path(VVC_SOURCE_DIR) / "cases/ieee13_tasrl");
  const DayProfile day = small_day(4);
  EXPECT_NE(input_error_message([&] { make_day_scenario(balanced, day, {}); }).find("three-phase"),
            std::string::npos);
  EXPECT_NE(input_error_message([&] { make_day_scenario(ieee13(), day, {.stride = 0}); }).find("stride"),
            std::string::npos);
  EXPECT_NE(input_error_message([&] { make_day_scenario(ieee13(), day, {.pv_kw = -1.0}); }).find("got -1"),
            std::string::npos);
}

// Independent check: under the zero controller every step is the power flow of the network scaled to its
// sample, with the taps the reset found (the script's, control off).
TEST(DayReplay, ZeroControllerEqualsThePowerFlowOfTheScaledNetwork) {
  const Study& study = ieee13();
  const DayProfile day = small_day(8);
  const DayScenario d = make_day_scenario(study, day, {.pv_kw = 120.0});
  auto zero = make_zero_controller(study);
  const DayReplay r = replay_day(study, d, *zero);
  ASSERT_EQ(r.summary.steps, 8);
  EXPECT_EQ(r.summary.power_flow_failures, 0);
  grid::ThreePhaseOptions options;
  options.power_flow.tolerance = 1e-10;
  options.voltage_tolerance = 1e-9;
  // The two solves stop at different iterates, each within the power mismatch tolerance at every node: the
  // losses (source minus load power) agree to the sum of those tolerances, kW.
  const double losses_tolerance_kw =
      study.phase_network.num_nodes() * options.power_flow.tolerance * study.phase_network.base_mva * 1000.0;
  double losses_kwh = 0.0;
  for (int t = 1; t <= d.steps; ++t) {
    const grid::MultiphaseNetwork net = scaled_network(study, day, t - 1, 120.0);
    grid::ThreePhaseWorkspace ws(net);
    const grid::ThreePhaseResult& pf = grid::solve(net, options, ws);
    ASSERT_TRUE(pf.converged());
    double lo = HUGE_VAL;
    double hi = -HUGE_VAL;
    int outside = 0;
    for (const int p : study.monitored) {
      const VoltagePoint& point = study.points[static_cast<size_t>(p)];
      const double v = std::abs(pf.v[point.index]) / point.base_v;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      outside += (v < study.vmin_pu - kBandTolerance || v > study.vmax_pu + kBandTolerance) ? 1 : 0;
    }
    EXPECT_NEAR(r.vmin[t - 1], lo, 1e-8) << "step " << t;
    EXPECT_NEAR(r.vmax[t - 1], hi, 1e-8) << "step " << t;
    EXPECT_EQ(r.violations[t - 1], outside) << "step " << t;
    EXPECT_NEAR(r.losses_kw[t - 1], pf.losses.real() / 1000.0, losses_tolerance_kw);
    EXPECT_EQ(r.q_abs_kvar[t - 1], 0.0);
    losses_kwh += pf.losses.real() / 1000.0 * 6.0 / 3600.0;
  }
  EXPECT_NEAR(r.summary.losses_kwh, losses_kwh, d.steps * losses_tolerance_kw * 6.0 / 3600.0);
  EXPECT_EQ(r.summary.kvar_hours, 0.0);
}

// A Volt-VAR replay equals the environment stepped by hand through the day's element powers: step t acts on
// the last measurement and solves sample t - 1.
TEST(DayReplay, VoltVarEqualsTheEnvironmentSteppedByHand) {
  const Study& study = ieee13();
  const DayProfile& day = real_day();
  // Around noon, where the PV pushes voltages up and Volt-VAR absorbs.
  const long first = 7500;
  const DayScenario d = make_day_scenario(study, day, {.stride = static_cast<int>(first), .steps = 2});
  auto replayed = make_voltvar_controller(study);
  const DayReplay r = replay_day(study, d, *replayed);

  Scenario s;
  for (const long k : {0L, 0L, first}) {
    const grid::MultiphaseNetwork net = scaled_network(study, day, k, 100.0);
    Eigen::VectorXcd e(static_cast<Eigen::Index>(net.loads.size()));
    for (size_t l = 0; l < net.loads.size(); ++l)
      e[static_cast<Eigen::Index>(l)] =
          -Complex(net.loads[l].p_w, net.loads[l].q_var) * (net.loads[l].phases / 1e6);
    s.element_series.push_back(e);
  }
  s.elements = s.element_series.front();
  Environment env(study);
  auto by_hand = make_voltvar_controller(study);
  const Observation& obs = env.reset(s);
  by_hand->reset(obs, s);
  Eigen::VectorXd action(study.num_inverters());
  for (int t = 1; t <= 2; ++t) {
    by_hand->act(obs, action);
    const StepResult& step = env.step(action, by_hand->rule(), by_hand->alpha());
    double lo = HUGE_VAL;
    double hi = -HUGE_VAL;
    for (const int p : study.monitored) {
      lo = std::min(lo, obs.vm[p]);
      hi = std::max(hi, obs.vm[p]);
    }
    EXPECT_NEAR(r.vmin[t - 1], lo, 1e-12);
    EXPECT_NEAR(r.vmax[t - 1], hi, 1e-12);
    EXPECT_NEAR(r.cost[t - 1], step.cost, 1e-9);
    for (int i = 0; i < study.num_inverters(); ++i) EXPECT_NEAR(r.q_kvar(t - 1, i), 1000.0 * obs.q[i], 1e-9);
  }
  EXPECT_GT(r.q_abs_kvar[1], 0.0);  // noon: Volt-VAR acts
}

TEST(DayReplay, SumsAgreeWithTheStepsAndTheReplayIsDeterministic) {
  const Study& study = ieee13();
  const DayScenario d = make_day_scenario(study, real_day(), {.stride = 60});
  ASSERT_EQ(d.steps, 241);
  auto vv = make_voltvar_controller(study);
  const DayReplay a = replay_day(study, d, *vv);
  auto vv2 = make_voltvar_controller(study);
  const DayReplay b = replay_day(study, d, *vv2);
  EXPECT_EQ(a.vmin, b.vmin);
  EXPECT_EQ(a.q_kvar, b.q_kvar);
  EXPECT_EQ(a.summary.kvar_hours, b.summary.kvar_hours);
  double kvarh = 0.0;
  double kwh = 0.0;
  int out = 0;
  long node_phases = 0;
  for (int t = 0; t < d.steps; ++t) {
    EXPECT_NEAR(a.q_abs_kvar[t], a.q_kvar.row(t).cwiseAbs().sum(), 1e-9);
    kvarh += a.q_abs_kvar[t] * 360.0 / 3600.0;
    kwh += a.losses_kw[t] * 360.0 / 3600.0;
    out += a.violations[t] > 0 ? 1 : 0;
    node_phases += a.violations[t];
  }
  EXPECT_NEAR(a.summary.kvar_hours, kvarh, 1e-9 * kvarh);
  EXPECT_NEAR(a.summary.losses_kwh, kwh, 1e-9 * kwh);
  EXPECT_EQ(a.summary.steps_out_of_band, out);
  EXPECT_EQ(a.summary.node_phase_violations, node_phases);
}

TEST(DayReplay, StopsWhenProgressSaysSo) {
  const Study& study = ieee13();
  const DayScenario d = make_day_scenario(study, real_day(), {.steps = 1000});
  auto zero = make_zero_controller(study);
  std::vector<int> seen;
  const DayReplay r = replay_day(study, d, *zero, [&](int done, int total) {
    EXPECT_EQ(total, 1000);
    seen.push_back(done);
    return done < 2 * kDayProgressEvery;
  });
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.summary.steps, 2 * kDayProgressEvery);
  EXPECT_EQ(r.vmin.size(), 2 * kDayProgressEvery);
  EXPECT_EQ(r.q_kvar.rows(), 2 * kDayProgressEvery);
  EXPECT_EQ(seen, (std::vector<int>{kDayProgressEvery, 2 * kDayProgressEvery}));
}

/// cases/ieee13_3p/study.json with `scenarios` and `steps` in place of its own.
Study ieee13_with_scenarios(const std::string& scenarios, int steps) {
  const fs::path path = fs::path(VVC_SOURCE_DIR) / "cases/ieee13_3p/study.json";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string json = text.str();
  json = json.substr(0, json.find("\"scenarios\"")) + "\"scenarios\": " + scenarios +
         ", \"steps\": " + std::to_string(steps) + "}\n";
  return parse_study(json, path);
}

// A study's day scenarios: scenario k's step t is sample (k + t) x stride of the real day, each element's power
// the script's times that sample's multipliers (computed here from the file's numbers); the ids run over the
// windows inside the day and default to all of them.
TEST(DayScenarios, AreWindowsOfTheDayAtTheStudysSteps) {
  const Study study = ieee13_with_scenarios(
      R"({"type": "day", "path": "../stable_ddpg_day/day_profile.csv", "stride": 60, "pv_kw": 80})", 10);
  const std::unique_ptr<ScenarioSet> set = make_scenarios(study);
  // 14421 samples: points 0, 60, ..., 14400 (241 of them); a window of 10 steps spans 11.
  ASSERT_EQ(set->size(), 231);
  EXPECT_EQ(study.evaluation_seeds.first, 0);
  EXPECT_EQ(study.evaluation_seeds.last, 231);
  EXPECT_EQ(study.training_seeds.last, 231);
  for (const long k : {0L, 117L, 230L}) {
    const Scenario s = set->make(k);
    ASSERT_EQ(s.element_series.size(), 11u);
    EXPECT_EQ(s.elements, s.element_series[0]);
    for (int t = 0; t <= 10; t += 5) {
      const grid::MultiphaseNetwork net = scaled_network(study, real_day(), (k + t) * 60, 80.0);
      const Eigen::VectorXcd& e = s.element_series[static_cast<size_t>(t)];
      for (size_t l = 0; l < net.loads.size(); ++l) {
        const Complex expected = -Complex(net.loads[l].p_w, net.loads[l].q_var) * (net.loads[l].phases / 1e6);
        EXPECT_NEAR(e[static_cast<Eigen::Index>(l)].real(), expected.real(), 1e-15) << net.loads[l].name;
        EXPECT_NEAR(e[static_cast<Eigen::Index>(l)].imag(), expected.imag(), 1e-15) << net.loads[l].name;
      }
    }
  }
  const std::string outside = input_error_message([&] { set->make(231); });
  EXPECT_NE(outside.find("outside the 231 windows"), std::string::npos) << outside;
  // The defaults: stride 1, 100 kW; the last window ends at the last sample.
  const Study every =
      ieee13_with_scenarios(R"({"type": "day", "path": "../stable_ddpg_day/day_profile.csv"})", 100);
  EXPECT_EQ(every.scenarios.stride, 1);
  EXPECT_EQ(every.scenarios.pv_kw, 100.0);
  EXPECT_EQ(make_scenarios(every)->size(), 14421 - 100);
}

// The script's daily load shapes as a day: under the zero controller, step t solves shape point t - 1, which the
// study's loadshape scenario 0 reaches at its step t - 1 (the reset for t = 1).
TEST(DayReplay, LoadShapeDayFollowsTheStudysLoadShapeScenario) {
  const Study study = read_study(fs::path(VVC_SOURCE_DIR) / "cases/ieee13/examples/study_daily.json");
  const DayScenario d = make_loadshape_day(study, {});
  ASSERT_EQ(d.steps, 24);
  EXPECT_EQ(d.time_s[5], 5 * 3600.0);
  EXPECT_EQ(d.dt_s[23], 3600.0);
  auto zero = make_zero_controller(study);
  const DayReplay r = replay_day(study, d, *zero);
  ASSERT_EQ(r.summary.power_flow_failures, 0);

  const Scenario shapes = make_scenarios(study)->make(0);
  Environment env(study);
  EpisodeTrace trace;
  run_episode(env, *zero, shapes, {.steps = 23}, &trace);
  bool moves = false;
  for (int t = 1; t <= d.steps; ++t) {
    double lo = HUGE_VAL;
    double hi = -HUGE_VAL;
    for (const int p : study.monitored) {
      lo = std::min(lo, trace.vm(t - 1, p));
      hi = std::max(hi, trace.vm(t - 1, p));
    }
    EXPECT_NEAR(r.vmin[t - 1], lo, 1e-8) << "step " << t;
    EXPECT_NEAR(r.vmax[t - 1], hi, 1e-8) << "step " << t;
    moves = moves || std::abs(r.vmax[t - 1] - r.vmax[0]) > 1e-3;
  }
  EXPECT_TRUE(moves);  // the shapes change the voltages over the day
  const std::string no_shapes = input_error_message([&] { make_loadshape_day(ieee13(), {}); });
  EXPECT_NE(no_shapes.find("need elements with a daily LoadShape"), std::string::npos) << no_shapes;
}

}  // namespace
}  // namespace vvc::core
