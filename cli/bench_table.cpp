// vvc bench table: trains every method of the DiffOP comparison with its default settings and fixed seeds,
// evaluates them and the reference controllers on the study's evaluation seeds, and prints the table beside
// the published numbers (docs/results.md documents the output folder).
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "args.hpp"
#include "commands.hpp"
#include "study_commands.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"
#include "vvc/core/baselines/ddpg.hpp"
#include "vvc/core/baselines/pdp.hpp"
#include "vvc/core/baselines/rlmpc.hpp"
#include "vvc/core/diffop/trainer.hpp"
#include "vvc/core/reference/limit.hpp"

namespace vvc::cli {

namespace {

const std::vector<OptionSpec> kTableOptions = {
    {"study", true, "study file, or a folder holding study.json (required)", "PATH"},
    {"out", true, "folder for table.csv, table.md and curves/*.csv (created; default: print only)", "DIR"},
    {"threads", true, "worker threads (default: the number of cores; results do not depend on it)", "N"},
    {"quick", false, "tiny budgets and 8 evaluation scenarios: checks that the command works, in seconds"},
    {"quiet", false, "no progress lines"},
};

/// The published numbers (DiffOP paper, docs/benchmarks/voltage-control-benchmark.md section 4).
struct Published {
  double transient;
  double steady;
};

struct Row {
  std::string method;
  std::string kind;  ///< "reference" or "learned"
  core::EvaluationSummary summary;
  std::optional<Published> paper;
  double training_seconds = std::nan("");  ///< NaN for reference controllers
};

/// One learning-curve point in the common CSV layout.
struct CurvePoint {
  int iteration = 0;
  double seconds = 0.0;
  double training_cost = 0.0;
  double validation_transient = std::nan("");
};

struct Curve {
  std::string method;
  std::string unit;  ///< what one iteration is: "iteration", "episode", "epoch"
  std::vector<CurvePoint> points;
};

std::string file_name(const std::string& method) {
  std::string out;
  for (char ch : method) {
    if (std::isalnum(static_cast<unsigned char>(ch)) != 0) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string number(double value, int precision) {
  if (!std::isfinite(value)) return "";
  std::ostringstream s;
  s << std::fixed << std::setprecision(precision) << value;
  return s.str();
}

std::string curve_csv(const Curve& curve) {
  std::ostringstream out;
  out << std::setprecision(17);
  out << "method,unit,iteration,seconds,training_cost,validation_transient\n";
  for (const auto& p : curve.points) {
    out << curve.method << ',' << curve.unit << ',' << p.iteration << ',' << p.seconds << ','
        << p.training_cost << ',';
    if (std::isfinite(p.validation_transient)) out << p.validation_transient;
    out << '\n';
  }
  return out.str();
}

std::string table_csv(const std::vector<Row>& rows) {
  std::ostringstream out;
  out << std::setprecision(17);
  out << "method,kind,transient,steady,paper_transient,paper_steady,percent_steps_out_of_band,final_"
         "violations,power_flow_failures,training_seconds\n";
  for (const auto& r : rows) {
    out << r.method << ',' << r.kind << ',' << r.summary.transient << ',' << r.summary.steady << ',';
    if (r.paper) out << r.paper->transient;
    out << ',';
    if (r.paper) out << r.paper->steady;
    out << ',' << 100.0 * r.summary.fraction_out_of_band << ',' << r.summary.final_violations << ','
        << r.summary.power_flow_failures << ',';
    if (std::isfinite(r.training_seconds)) out << r.training_seconds;
    out << '\n';
  }
  return out.str();
}

std::string table_markdown(const std::vector<Row>& rows, long first, long last, int steps, double seconds) {
  std::ostringstream out;
  out << "| method | transient | steady | paper transient | paper steady | transient - paper | % steps out "
         "of "
         "band | training time (s) |\n";
  out << "|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : rows) {
    out << "| " << r.method << " | " << number(r.summary.transient, 4) << " | " << number(r.summary.steady, 4)
        << " | " << (r.paper ? number(r.paper->transient, 2) : "") << " | "
        << (r.paper ? number(r.paper->steady, 2) : "") << " | "
        << (r.paper ? number(r.summary.transient - r.paper->transient, 3) : "") << " | "
        << number(100.0 * r.summary.fraction_out_of_band, 2) << " | " << number(r.training_seconds, 1)
        << " |\n";
  }
  out << "\nEvaluation seeds " << first << ":" << last << ", T = " << steps
      << " steps; transient = mean of sum_t 0.99^t F(q_t), steady = mean of F(q_T) (lower is better). "
      << "Whole table: " << number(seconds, 0) << " s wall time.\n";
  return out.str();
}

void print_table(std::ostream& out, const std::vector<Row>& rows) {
  out << std::left << std::setw(16) << "method" << std::right << std::setw(11) << "transient" << std::setw(9)
      << "steady" << std::setw(9) << "paper" << std::setw(8) << "paper" << std::setw(9) << "diff"
      << std::setw(11) << "% out band" << std::setw(11) << "train (s)"
      << "\n";
  for (const auto& r : rows) {
    out << std::left << std::setw(16) << r.method << std::right << std::setw(11)
        << number(r.summary.transient, 4) << std::setw(9) << number(r.summary.steady, 4) << std::setw(9)
        << (r.paper ? number(r.paper->transient, 2) : "") << std::setw(8)
        << (r.paper ? number(r.paper->steady, 2) : "") << std::setw(9)
        << (r.paper ? number(r.summary.transient - r.paper->transient, 3) : "") << std::setw(11)
        << number(100.0 * r.summary.fraction_out_of_band, 2) << std::setw(11) << number(r.training_seconds, 1)
        << "\n";
  }
}

/// Stamps DDPG episodes with wall time for the common curve layout and prints progress.
class BaselineClock final : public core::BaselineObserver {
 public:
  BaselineClock(std::vector<double>& seconds, bool quiet) : seconds_(&seconds), quiet_(quiet) {}
  bool on_progress(const core::BaselineProgress& p) override {
    seconds_->push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
    if (!quiet_ && std::isfinite(p.point.heldout_transient)) {
      std::fprintf(stderr, "  %s episode %d/%d  held-out transient %.4f  %.0fs\n",
                   core::baseline_name(p.kind), p.point.episode, p.episodes, p.point.heldout_transient,
                   seconds_->back());
    }
    return true;
  }

 private:
  std::vector<double>* seconds_;
  bool quiet_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

class DiffOpProgress final : public core::TrainingObserver {
 public:
  DiffOpProgress(std::string name, bool quiet) : name_(std::move(name)), quiet_(quiet) {}
  core::ObserverAction on_progress(const core::TrainingProgress& p) override {
    if (!quiet_ && std::isfinite(p.validation_transient)) {
      std::fprintf(stderr, "  %s iteration %d/%d  validation transient %.4f  %.0fs\n", name_.c_str(),
                   p.iteration, p.iterations, p.validation_transient, p.seconds);
    }
    return core::ObserverAction::kContinue;
  }

 private:
  std::string name_;
  bool quiet_;
};

Curve mpc_curve(const std::string& method, const std::string& unit, const core::MpcTrainingResult& r) {
  Curve c{method, unit, {}};
  for (const auto& p : r.curve)
    c.points.push_back({p.iteration, p.seconds, p.training_cost, p.validation_transient});
  return c;
}

}  // namespace

int run_bench_table(int argc, char** argv) {
  const Args args(argc, argv, 3, kTableOptions);
  if (args.help()) {
    std::cout
        << "usage: vvc bench table --study STUDY [--out DIR] [options]\n\n"
           "Trains every method of the DiffOP comparison (DiffOP Step and Traj, TASRL, RLMPC-DPG, PDP\n"
           "(Offline), Stable-DDPG, RLMPC-TD) with its default settings and fixed seeds, evaluates them and\n"
           "the reference controllers (zero, voltvar, gradient-flow, limit) on the study's evaluation seeds\n"
           "and prints the table beside the published numbers. With --out, writes table.csv, table.md and\n"
           "curves/<method>.csv (docs/results.md).\n\noptions:\n"
        << format_options(kTableOptions);
    return 0;
  }
  if (!args.has("study")) throw InputError("--study is required (see vvc bench table --help)");
  if (!args.positional().empty()) throw InputError("unexpected argument '" + args.positional().front() + "'");
  const auto start = std::chrono::steady_clock::now();
  const core::Study study = core::read_study(*args.get("study"));
  const auto scenarios = core::make_scenarios(study);
  const bool quick = args.has("quick");
  const bool quiet = args.has("quiet");
  const int threads =
      args.integer("threads", static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  if (threads < 1) throw InputError("--threads: expected an integer >= 1");
  std::optional<std::filesystem::path> out_dir;
  if (args.has("out")) {
    out_dir = *args.get("out");
    std::error_code ec;
    std::filesystem::create_directories(*out_dir / "curves", ec);
    if (ec) throw InputError(out_dir->string() + ": cannot create the folder (" + ec.message() + ")");
  }

  core::EvaluationOptions eval;
  eval.ids = quick ? core::SeedRange{study.evaluation_seeds.first, study.evaluation_seeds.first + 8}
                   : study.evaluation_seeds;
  eval.steps = study.steps;
  eval.threads = threads;
  auto log = [&](const std::string& what) {
    if (quiet) return;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "[%4.0fs] %s\n", s, what.c_str());
  };

  std::vector<Row> rows;
  std::vector<Curve> curves;
  auto add_reference = [&](const std::string& name, const core::ControllerFactory& factory) {
    log("evaluating " + name);
    Row row{name, "reference", core::evaluate(study, *scenarios, factory, eval).summary, std::nullopt,
            std::nan("")};
    rows.push_back(row);
  };
  add_reference("zero", [&] { return core::make_zero_controller(study); });
  add_reference("voltvar", [&] { return core::make_voltvar_controller(study); });
  add_reference("gradient-flow", [&] { return core::make_gradient_flow_controller(study, 0.5); });
  log("evaluating limit (Ipopt, serial)");
  rows.push_back({"limit", "reference", core::evaluate_limit(study, *scenarios, eval, false).summary,
                  std::nullopt, std::nan("")});

  auto add_learned = [&](const std::string& name, Published paper, double seconds,
                         const core::ControllerFactory& factory) {
    log("evaluating " + name);
    rows.push_back(
        {name, "learned", core::evaluate(study, *scenarios, factory, eval).summary, paper, seconds});
  };

  // DiffOP, Step (H = 1) and Traj (H = 10), DiffOpTrainer defaults.
  for (const auto& [mode, horizon, name, paper] :
       {std::tuple{core::DiffOpMode::kStep, 1, std::string("DiffOP(Step)"), Published{-6.81, -0.11}},
        std::tuple{core::DiffOpMode::kTraj, 10, std::string("DiffOP(Traj)"), Published{-6.80, -0.11}}}) {
    log("training " + name);
    const core::DiffOpModel model(study, {mode, horizon, study.steps, study.discount});
    core::DiffOpTrainingOptions options;
    options.threads = threads;
    if (quick) {
      options.iterations = 2;
      options.scenarios_per_iteration = 2;
      options.noise_draws = 2;
      options.validation_every = 1;
      options.validation_scenarios = 4;
    }
    DiffOpProgress progress(name, quiet);
    const core::DiffOpTrainingResult r = core::DiffOpTrainer(study, model, options).train(&progress);
    Curve c{name, "iteration", {}};
    for (const auto& p : r.state.curve) {
      c.points.push_back({p.iteration, p.seconds, p.rollout_transient, p.validation_transient});
    }
    curves.push_back(c);
    const Eigen::VectorXd theta = r.theta;
    add_learned(name, paper, r.seconds, [&] { return core::make_diffop_controller(model, theta); });
  }

  // TASRL and Stable-DDPG, the defaults of ddpg.hpp (seed 1), held-out evaluation every 25 episodes for the
  // learning curve (it draws no random numbers, so the trained policy is the same as without it).
  for (const auto kind : {core::BaselineKind::kTasrl, core::BaselineKind::kStableDdpg}) {
    const bool tasrl = kind == core::BaselineKind::kTasrl;
    const std::string name = tasrl ? "TASRL" : "Stable-DDPG";
    log("training " + name);
    core::BaselineOptions options =
        tasrl ? core::default_tasrl_options() : core::default_stable_ddpg_options();
    options.eval_every = 25;
    if (quick) {
      options.episodes = 3;
      options.eval_every = 1;
      options.eval_scenarios = 4;
    }
    std::vector<double> seconds;
    BaselineClock clock(seconds, quiet);
    const auto t0 = std::chrono::steady_clock::now();
    const core::TrainedBaseline trained =
        tasrl ? core::train_tasrl(study, options, &clock) : core::train_stable_ddpg(study, options, &clock);
    const double train_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    Curve c{name, "episode", {}};
    for (size_t i = 0; i < trained.curve.size(); ++i) {
      const auto& p = trained.curve[i];
      c.points.push_back(
          {p.episode, i < seconds.size() ? seconds[i] : std::nan(""), p.mean_cost, p.heldout_transient});
    }
    curves.push_back(c);
    add_learned(name, tasrl ? Published{-6.76, -0.11} : Published{-5.61, -0.09}, train_s,
                core::baseline_controller_factory(study, trained));
  }

  // The MPC-based baselines share DiffOP(Step)'s policy problem and starting point.
  const core::DiffOpModel step_model(study, {core::DiffOpMode::kStep, 1, study.steps, study.discount});
  auto add_mpc = [&](const std::string& name, const std::string& unit, Published paper,
                     const core::MpcTrainingResult& r) {
    curves.push_back(mpc_curve(name, unit, r));
    const Eigen::VectorXd theta = r.theta;
    add_learned(name, paper, r.seconds, [&] { return core::make_diffop_controller(step_model, theta); });
  };
  core::RlmpcOptions rlmpc;
  rlmpc.threads = threads;
  if (quick) {
    rlmpc.iterations = 2;
    rlmpc.scenarios_per_iteration = 2;
    rlmpc.validation_every = 1;
    rlmpc.validation_scenarios = 4;
  }
  log("training RLMPC-DPG");
  add_mpc("RLMPC-DPG", "iteration", {-6.11, -0.10}, core::train_rlmpc_dpg(study, step_model, rlmpc));
  core::PdpOptions pdp;
  pdp.threads = threads;
  if (quick) {
    pdp.demonstrations = 4;
    pdp.epochs = 3;
    pdp.validation_every = 1;
    pdp.validation_scenarios = 4;
  }
  log("training PDP(Offline)");
  add_mpc("PDP(Offline)", "epoch", {-5.86, -0.09}, core::train_pdp(study, step_model, pdp));
  log("training RLMPC-TD");
  add_mpc("RLMPC-TD", "iteration", {-4.62, -0.07}, core::train_rlmpc_td(study, step_model, rlmpc));

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  print_table(std::cout, rows);
  std::cout << "evaluation seeds " << eval.ids.first << ":" << eval.ids.last << ", " << threads
            << " threads, whole table " << number(seconds, 1) << " s\n";
  if (out_dir) {
    write_file_atomically(*out_dir / "table.csv", table_csv(rows));
    write_file_atomically(*out_dir / "table.md",
                          table_markdown(rows, eval.ids.first, eval.ids.last, eval.steps, seconds));
    for (const auto& c : curves)
      write_file_atomically(*out_dir / "curves" / (file_name(c.method) + ".csv"), curve_csv(c));
    std::cout << "written to " << out_dir->string() << "\n";
  }
  return 0;
}

}  // namespace vvc::cli
