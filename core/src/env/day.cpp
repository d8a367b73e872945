#include "vvc/core/env/day.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "csv_lines.hpp"
#include "vvc/common/csv.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"
#include "vvc/common/numbers.hpp"
#include "vvc/common/parallel.hpp"
#include "vvc/core/env/evaluation.hpp"

namespace vvc::core {

DayProfile parse_day_profile(std::istream& in, const std::string& source) {
  csv::CsvLines lines(in, source);
  std::string line;
  std::vector<std::string> header;
  while (header.empty() && lines.next(line)) {
    if (!csv::is_blank(line)) header = csv::split_csv(line);
  }
  if (header != std::vector<std::string>{"sample", "time_s", "load_p", "load_q", "pv_p"}) {
    lines.fail("expected the header 'sample,time_s,load_p,load_q,pv_p'");
  }
  DayProfile day;
  day.source = source;
  std::vector<std::string> cells;
  while (lines.next_row(header.size(), kMaxStudySteps, cells)) {
    const long k = day.samples();
    const auto sample = parse_integer(cells[0], k, k);
    if (!sample) {
      lines.fail("column sample: expected " + std::to_string(k) +
                 " (samples numbered from 0 in order), got '" + cells[0] + "'");
    }
    const double t = lines.number(cells[1], "time_s");
    if (k > 0 && !(t > day.time_s.back())) {
      std::ostringstream previous;
      previous << std::setprecision(17) << day.time_s.back();
      lines.fail("column time_s: expected a time after the previous sample's " + previous.str() +
                 " s, got '" + cells[1] + "'");
    }
    day.time_s.push_back(t);
    const char* names[] = {"load_p", "load_q", "pv_p"};
    std::vector<double>* columns[] = {&day.load_p, &day.load_q, &day.pv_p};
    for (size_t c = 0; c < 3; ++c) {
      const double x = lines.number(cells[c + 2], names[c]);
      if (x < 0.0)
        lines.fail(std::string("column ") + names[c] + ": expected a value >= 0, got '" + cells[c + 2] + "'");
      columns[c]->push_back(x);
    }
  }
  if (day.samples() < 2) {
    lines.fail("expected at least two samples, got " + std::to_string(day.samples()));
  }
  const char* names[] = {"load_p", "load_q", "pv_p"};
  const std::vector<double>* columns[] = {&day.load_p, &day.load_q, &day.pv_p};
  for (size_t c = 0; c < 3; ++c) {
    bool positive = false;
    for (const double x : *columns[c]) positive = positive || x > 0.0;
    if (!positive) {
      throw InputError(
          source + ": column " + names[c] +
          ": expected some value > 0 (the multipliers are the values over their mean), got only zeros");
    }
  }
  return day;
}

DayProfile read_day_profile(const std::filesystem::path& path) {
  std::ifstream in = open_input_file(path);
  return parse_day_profile(in, path.string());
}

namespace {

double mean(const std::vector<double>& x) {
  double s = 0.0;
  for (const double v : x) s += v;
  return s / static_cast<double>(x.size());
}

double largest(const std::vector<double>& x) { return *std::max_element(x.begin(), x.end()); }

}  // namespace

namespace {

void check_day_options(const Study& study, const DayOptions& options) {
  if (!study.three_phase()) {
    throw InputError(
        study.path.string() +
        ": a day is replayed on three-phase studies (an OpenDSS script as network); this study is "
        "balanced");
  }
  if (options.stride < 1)
    throw InputError("day stride: expected an integer >= 1, got " + std::to_string(options.stride));
  if (options.steps < 0)
    throw InputError("day steps: expected an integer >= 0, got " + std::to_string(options.steps));
  if (!(options.pv_kw >= 0.0)) {
    std::ostringstream v;
    v << options.pv_kw;
    throw InputError("PV kW per inverter phase: expected a number >= 0, got " + v.str());
  }
}

/// The day of samples at `time_s` (seconds) whose element powers `powers(k)` gives: the reset at sample 0, step
/// t at sample (t - 1) x stride.
DayScenario make_day(const std::string& label, const std::vector<double>& time_s, const DayOptions& options,
                     const std::function<Eigen::VectorXcd(long)>& powers) {
  const auto samples = static_cast<long>(time_s.size());
  const long available = (samples + options.stride - 1) / options.stride;
  const int steps = static_cast<int>(options.steps > 0 ? std::min(options.steps, available) : available);
  DayScenario day;
  day.steps = steps;
  day.time_s.resize(steps);
  day.dt_s.resize(steps);
  Scenario& s = day.scenario;
  s.label = label;
  s.element_series.reserve(static_cast<size_t>(steps) + 1);
  s.element_series.push_back(powers(0));
  for (int t = 1; t <= steps; ++t) {
    const long k = static_cast<long>(t - 1) * options.stride;
    s.element_series.push_back(powers(k));
    const auto i = static_cast<size_t>(k);
    day.time_s[t - 1] = time_s[i];
    const long next = k + options.stride;
    if (next < samples) {
      day.dt_s[t - 1] = time_s[static_cast<size_t>(next)] - time_s[i];
    } else if (k >= options.stride) {
      day.dt_s[t - 1] = time_s[i] - time_s[static_cast<size_t>(k - options.stride)];
    } else {  // one step replays the whole day
      day.dt_s[t - 1] = time_s.back() - time_s.front();
    }
  }
  s.elements = s.element_series.front();
  return day;
}

}  // namespace

DayElements::DayElements(const Study& study, const DayProfile& profile, double pv_kw,
                         DayNormalization normalize)
    : profile_(&profile) {
  check_day_options(study, DayOptions{.pv_kw = pv_kw});
  ElementRoles roles = element_roles(study, pv_kw);
  base_ = std::move(roles.base);
  role_ = std::move(roles.role);
  const bool peak = normalize == DayNormalization::kPeak;
  scale_p_ = peak ? largest(profile.load_p) : mean(profile.load_p);
  scale_q_ = peak ? largest(profile.load_q) : mean(profile.load_q);
  scale_pv_ = peak ? largest(profile.pv_p) : mean(profile.pv_p);
}

Eigen::VectorXcd DayElements::at(long sample) const {
  const auto i = static_cast<size_t>(sample);
  const double mp = profile_->load_p[i] / scale_p_;
  const double mq = profile_->load_q[i] / scale_q_;
  const double mpv = profile_->pv_p[i] / scale_pv_;
  Eigen::VectorXcd e = base_;
  for (size_t l = 0; l < role_.size(); ++l) {
    const auto j = static_cast<Eigen::Index>(l);
    if (role_[l] == ElementRole::kLoad) e[j] = Complex(base_[j].real() * mp, base_[j].imag() * mq);
    if (role_[l] == ElementRole::kPhotovoltaic) e[j] = Complex(base_[j].real() * mpv, base_[j].imag());
  }
  return e;
}

DayScenario make_day_scenario(const Study& study, const DayProfile& profile, const DayOptions& options) {
  check_day_options(study, options);
  const DayElements elements(study, profile, options.pv_kw, options.normalize);
  return make_day(profile.source, profile.time_s, options, [&](long k) { return elements.at(k); });
}

namespace {

/// Windows of a day profile as scenarios (make_day_scenarios).
class DayScenarios final : public ScenarioSet {
 public:
  explicit DayScenarios(const Study& study)
      : steps_(study.steps),
        stride_(study.scenarios.stride),
        profile_(parse(study)),
        elements_(study, profile_, study.scenarios.pv_kw, study.scenarios.normalize) {
    if (stride_ < 1) throw InputError("day stride: expected an integer >= 1, got " + std::to_string(stride_));
    windows_ = (profile_.samples() - 1) / stride_ - steps_ + 1;
    if (windows_ < 1) {
      throw InputError(
          study.path.string() + ": /scenarios: the day profile " + study.scenarios.file.filename().string() +
          " has " + std::to_string(profile_.samples()) + " samples: at stride " + std::to_string(stride_) +
          " they hold no window of the study's " + std::to_string(steps_) + " steps (a scenario needs " +
          std::to_string(static_cast<long>(steps_) * stride_ + 1) + " samples)");
    }
  }

  Scenario make(long id) const override {
    if (id < 0 || id >= windows_) {
      throw InputError("scenario id " + std::to_string(id) + " is outside the " + std::to_string(windows_) +
                       " windows of the day " + profile_.source + " (ids 0:" + std::to_string(windows_) +
                       ")");
    }
    Scenario s;
    s.label = "sample " + std::to_string(id * stride_);
    s.element_series.reserve(static_cast<size_t>(steps_) + 1);
    for (int t = 0; t <= steps_; ++t) s.element_series.push_back(elements_.at((id + t) * stride_));
    s.elements = s.element_series.front();
    return s;
  }

  long size() const override { return windows_; }

 private:
  static DayProfile parse(const Study& study) {
    std::istringstream in(study.scenarios.text);
    return parse_day_profile(in, study.scenarios.file.string());
  }

  int steps_;
  long stride_;
  DayProfile profile_;
  DayElements elements_;
  long windows_ = 0;
};

}  // namespace

std::unique_ptr<ScenarioSet> make_day_scenarios(const Study& study) {
  return std::make_unique<DayScenarios>(study);
}

DayScenario make_loadshape_day(const Study& study, const DayOptions& options) {
  check_day_options(study, options);
  const DailyShapes shapes(study);
  std::vector<double> time_s(static_cast<size_t>(shapes.points()));
  for (size_t k = 0; k < time_s.size(); ++k)
    time_s[k] = static_cast<double>(k) * shapes.interval_h() * 3600.0;
  return make_day("daily load shapes", time_s, options, [&](long k) { return shapes.at(k); });
}

namespace {

/// Records a replayed day step by step into preallocated vectors (nothing allocated per step).
class DayRecorder final : public StepObserver {
 public:
  DayRecorder(const Study& study, const DayScenario& day, DayReplay& out, const DayProgress& progress)
      : study_(study), day_(day), out_(out), progress_(progress) {
    const int n = day.steps;
    out.time_s = day.time_s;
    out.vmin.setZero(n);
    out.vmax.setZero(n);
    out.violations.setZero(n);
    out.q_total_kvar.setZero(n);
    out.q_abs_kvar.setZero(n);
    out.losses_kw.setZero(n);
    out.cost.setZero(n);
    out.q_kvar.setZero(n, study.num_inverters());
  }

  bool on_step(int t, const Observation& obs, const StepResult* result) override {
    if (t == 0) return true;
    const int i = t - 1;
    double lo = HUGE_VAL;
    double hi = -HUGE_VAL;
    int outside = 0;
    for (const int p : study_.monitored) {
      const double v = obs.vm[p];
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      if (v < study_.vmin_pu - kBandTolerance || v > study_.vmax_pu + kBandTolerance) ++outside;
    }
    out_.vmin[i] = lo;
    out_.vmax[i] = hi;
    out_.violations[i] = outside;
    double total = 0.0;
    double magnitude = 0.0;
    for (Eigen::Index k = 0; k < obs.q.size(); ++k) {
      const double q = 1000.0 * obs.q[k];
      out_.q_kvar(i, k) = q;
      total += q;
      magnitude += std::abs(q);
    }
    out_.q_total_kvar[i] = total;
    out_.q_abs_kvar[i] = magnitude;
    out_.losses_kw[i] = 1000.0 * obs.losses_mw;
    out_.cost[i] = result->cost;
    DaySummary& s = out_.summary;
    s.steps = t;
    s.steps_out_of_band += result->in_band ? 0 : 1;
    s.node_phase_violations += outside;
    if (!result->in_band) s.worst_violation = std::max(s.worst_violation, result->max_violation);
    s.kvar_hours += magnitude * day_.dt_s[i] / 3600.0;
    s.losses_kwh += out_.losses_kw[i] * day_.dt_s[i] / 3600.0;
    s.cost += result->cost;
    if ((t % kDayProgressEvery == 0 || t == day_.steps) && progress_ && !progress_(t, day_.steps)) {
      out_.stopped = t < day_.steps;
      return false;
    }
    return true;
  }

 private:
  const Study& study_;
  const DayScenario& day_;
  DayReplay& out_;
  const DayProgress& progress_;
};

}  // namespace

DayReplay replay_day(const Study& study, const DayScenario& day, Controller& controller,
                     const DayProgress& progress) {
  const double start = thread_cpu_seconds();
  DayReplay out;
  out.summary.controller = controller.name();
  DayRecorder recorder(study, day, out, progress);
  Environment env(study);
  const EpisodeRecord rec =
      run_episode(env, controller, day.scenario, {.steps = day.steps}, nullptr, &recorder);
  DaySummary& s = out.summary;
  s.power_flow_failures = rec.power_flow_failures;
  s.controller_failures = rec.controller_failures;
  s.fallback_steps = rec.fallback_steps;
  if (out.stopped) {
    const int n = s.steps;
    out.time_s.conservativeResize(n);
    for (Eigen::VectorXd* v :
         {&out.vmin, &out.vmax, &out.q_total_kvar, &out.q_abs_kvar, &out.losses_kw, &out.cost})
      v->conservativeResize(n);
    out.violations.conservativeResize(n);
    out.q_kvar.conservativeResize(n, Eigen::NoChange);
  }
  s.cpu_seconds = thread_cpu_seconds() - start;
  return out;
}

void write_day_csv(const std::vector<DayReplay>& replays, const std::filesystem::path& path) {
  std::ostringstream out;
  out << "controller,step,time_s,vmin_pu,vmax_pu,out_of_band,violations,q_total_kvar,q_abs_kvar,losses_kw,"
         "cost\n";
  out << std::setprecision(17);
  for (const DayReplay& r : replays) {
    for (Eigen::Index i = 0; i < r.time_s.size(); ++i) {
      out << csv_field(r.summary.controller) << ',' << i + 1 << ',' << r.time_s[i] << ',' << r.vmin[i] << ','
          << r.vmax[i] << ',' << (r.violations[i] > 0 ? 1 : 0) << ',' << r.violations[i] << ','
          << r.q_total_kvar[i] << ',' << r.q_abs_kvar[i] << ',' << r.losses_kw[i] << ',' << r.cost[i] << '\n';
    }
  }
  write_file_atomically(path, out.str());
}

}  // namespace vvc::core
