// vvc bench table: the experiment layer's comparison (every method of the DiffOP paper with its default settings
// and fixed seeds, and the reference controllers, on the study's evaluation seeds; on a three-phase study the
// controllers of issue 12), printed beside the published numbers and written as a results folder (docs/results.md
// documents it).
#include <algorithm>
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
#include "job.hpp"
#include "progress.hpp"
#include "study_commands.hpp"
#include "vvc/common/csv.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"
#include "vvc/core/experiment/experiment.hpp"

namespace vvc::cli {

namespace {

const std::vector<OptionSpec> kTableOptions = {
    {"study", true, "study file, or a folder holding study.json (required)", "PATH"},
    {"out", true, "folder for table.csv, table.md and curves/*.csv (created; default: print only)", "DIR"},
    {"policy", true,
     "a trained controller's file to evaluate beside the references, not trained again: a DiffOP policy (vvc "
     "train --out) or a DDPG baseline's networks (vvc train --out, scripts/import-stable-ddpg); repeatable, "
     "one row per file",
     "FILE", true},
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
  core::experiment::ComparisonRow row;
  std::optional<Published> paper;
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

// Episodes are numbered from 0 in the results files, as in the DDPG reference code's training logs;
// iterations and epochs count from 1. `samples` sums the environment steps training used up to the row.
std::string curve_csv(const core::TrainingSummary& curve) {
  std::ostringstream out;
  out << std::setprecision(17);
  out << "method,unit,iteration,seconds,training_cost,validation_transient,samples\n";
  const int first = curve.unit == core::TrainingUnit::kEpisode ? 1 : 0;
  long samples = 0;
  for (const auto& p : curve.curve) {
    samples += p.steps;
    out << curve.method << ',' << core::to_string(curve.unit) << ',' << p.iteration - first << ','
        << p.seconds << ',' << p.training_cost << ',';
    if (p.validated()) out << p.validation_transient;
    out << ',' << samples << '\n';
  }
  return out.str();
}

std::string table_csv(const std::vector<Row>& rows) {
  std::ostringstream out;
  out << std::setprecision(17);
  out << "method,kind,transient,steady,paper_transient,paper_steady,percent_steps_out_of_band,final_"
         "violations,late_recoveries,power_flow_failures,training_seconds\n";
  for (const auto& [r, paper] : rows) {
    out << csv_field(r.method) << ','
        << (r.learned          ? "learned"
            : r.source.empty() ? "reference"
                               : "file")
        << ',' << r.summary.transient << ',' << r.summary.steady << ',';
    if (paper) out << paper->transient;
    out << ',';
    if (paper) out << paper->steady;
    out << ',' << 100.0 * r.summary.fraction_out_of_band << ',' << r.summary.final_violations << ','
        << r.summary.late_recoveries << ',' << r.summary.power_flow_failures << ',';
    if (std::isfinite(r.training_seconds)) out << r.training_seconds;
    out << '\n';
  }
  return out.str();
}

/// What the transient and steady columns are, for the study's cost form.
std::string cost_text(const core::Study& study) {
  if (study.cost_form == core::CostForm::kF) {
    return "transient = mean of sum_t 0.99^t F(q_t), steady = mean of F(q_T) (lower is better)";
  }
  return "the Stable-DDPG cost c_t = w_a |q_t - q_{t-1}|_1 / u + w_v sum of squared band violations: "
         "transient "
         "= mean of sum_t 0.99^t c_t, steady = mean of c_T (lower is better)";
}

std::string table_markdown(const std::vector<Row>& rows, const core::Study& study, long first, long last,
                           int steps, double seconds) {
  std::ostringstream out;
  if (study.three_phase()) {
    // No published column; the band columns of the targets instead.
    out << "| method | transient | steady | % steps out of band | scenarios ending out of band | scenarios "
           "out "
           "of band after step "
        << core::kLateStep << " | training time (s) |\n";
    out << "|---|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& [r, paper] : rows) {
      out << "| " << r.method << " | " << number(r.summary.transient, 4) << " | "
          << number(r.summary.steady, 4) << " | " << number(100.0 * r.summary.fraction_out_of_band, 2)
          << " | " << r.summary.final_violations << " | " << r.summary.late_recoveries << " | "
          << number(r.training_seconds, 1) << " |\n";
    }
  } else {
    out << "| method | transient | steady | paper transient | paper steady | transient - paper | % steps out "
           "of "
           "band | training time (s) |\n";
    out << "|---|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& [r, paper] : rows) {
      out << "| " << r.method << " | " << number(r.summary.transient, 4) << " | "
          << number(r.summary.steady, 4) << " | " << (paper ? number(paper->transient, 2) : "") << " | "
          << (paper ? number(paper->steady, 2) : "") << " | "
          << (paper ? number(r.summary.transient - paper->transient, 3) : "") << " | "
          << number(100.0 * r.summary.fraction_out_of_band, 2) << " | " << number(r.training_seconds, 1)
          << " |\n";
    }
  }
  out << "\nEvaluation seeds " << first << ":" << last << ", T = " << steps << " steps; " << cost_text(study)
      << ". "
      << "Whole table: " << number(seconds, 0) << " s wall time.\n";
  return out.str();
}

void print_table(std::ostream& out, const std::vector<Row>& rows, const core::Study& study) {
  const bool paper = !study.three_phase();
  int width = 16;
  for (const auto& row : rows) width = std::max(width, static_cast<int>(row.row.method.size()) + 2);
  out << std::left << std::setw(width) << "method" << std::right << std::setw(11) << "transient"
      << std::setw(9) << "steady";
  if (paper) out << std::setw(9) << "paper" << std::setw(8) << "paper" << std::setw(9) << "diff";
  out << std::setw(11) << "% out band";
  if (!paper) out << std::setw(11) << "final out" << std::setw(6) << "late";
  out << std::setw(11) << "train (s)\n";
  for (const auto& [r, published] : rows) {
    out << std::left << std::setw(width) << r.method << std::right << std::setw(11)
        << number(r.summary.transient, 4) << std::setw(9) << number(r.summary.steady, 4);
    if (paper) {
      out << std::setw(9) << (published ? number(published->transient, 2) : "") << std::setw(8)
          << (published ? number(published->steady, 2) : "") << std::setw(9)
          << (published ? number(r.summary.transient - published->transient, 3) : "");
    }
    out << std::setw(11) << number(100.0 * r.summary.fraction_out_of_band, 2);
    if (!paper)
      out << std::setw(11) << r.summary.final_violations << std::setw(6) << r.summary.late_recoveries;
    out << std::setw(11) << number(r.training_seconds, 1) << "\n";
  }
}

/// The published numbers of the learned methods (DiffOP paper), by method.
std::optional<Published> published(const std::string& method) {
  static const std::vector<std::pair<std::string, Published>> table = {
      {"DiffOP(Step)", {-6.81, -0.11}}, {"DiffOP(Traj)", {-6.80, -0.11}}, {"TASRL", {-6.76, -0.11}},
      {"Stable-DDPG", {-5.61, -0.09}},  {"RLMPC-DPG", {-6.11, -0.10}},    {"PDP(Offline)", {-5.86, -0.09}},
      {"RLMPC-TD", {-4.62, -0.07}}};
  for (const auto& [name, numbers] : table) {
    if (name == method) return numbers;
  }
  return std::nullopt;
}

}  // namespace

int run_bench_table(int argc, char** argv, Job& job) {
  const Args args(argc, argv, 3, kTableOptions);
  if (args.help()) {
    std::cout
        << "usage: vvc bench table --study STUDY [--out DIR] [--policy FILE ...] [options]\n\n"
           "Trains every method of the DiffOP comparison (DiffOP Step and Traj, TASRL, RLMPC-DPG, PDP\n"
           "(Offline), Stable-DDPG, RLMPC-TD) with its default settings and fixed seeds, evaluates them and\n"
           "the reference controllers (zero, voltvar, gradient-flow, limit) on the study's evaluation seeds\n"
           "and prints the table beside the published numbers. On a three-phase study: zero, voltvar,\n"
           "linear, limit, limit-band, DiffOP Step and Traj, Stable-DDPG. Each --policy FILE adds a row\n"
           "'CONTROLLER (FILE)' for a trained controller's file after the references, e.g. the reference's\n"
           "own Stable-DDPG networks (cases/ieee13_3p/stable-ddpg-published.json). With --out, writes\n"
           "table.csv, table.md and curves/<method>.csv (docs/results.md).\n\noptions:\n"
        << format_options(kTableOptions);
    return 0;
  }
  if (!args.has("study")) throw InputError("--study is required (see vvc bench table --help)");
  if (!args.positional().empty()) throw InputError("unexpected argument '" + args.positional().front() + "'");
  const auto start = std::chrono::steady_clock::now();
  core::Study study;
  const std::vector<core::experiment::TrainedFile> trained = read_study_and_files(job, args, study);
  const int threads =
      args.integer("threads", static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  if (threads < 1) throw InputError("--threads: expected an integer >= 1, got " + std::to_string(threads));
  std::optional<std::filesystem::path> out_dir;
  if (args.has("out")) {
    out_dir = *args.get("out");
    std::error_code ec;
    if (job.root()) std::filesystem::create_directories(*out_dir / "curves", ec);
    if (ec) throw InputError(out_dir->string() + ": cannot create the folder (" + ec.message() + ")");
  }
  for (const auto& file : trained) {
    for (const auto& warning : core::experiment::check_trained_file(study, file)) {
      if (job.root()) std::cerr << "vvc bench table: warning: " << warning.message() << "\n";
    }
  }
  job.inputs_read();
  job.start_work();

  core::experiment::CompareRequest request = core::experiment::comparison_request(study);
  request.threads = threads;
  request.quick = args.has("quick");
  request.communicator = &job.communicator();
  for (const auto& file : trained) file.add_to(request);
  install_stop_handlers();
  ProgressReporter progress(ProgressReporter::Style::kLog, args.has("quiet") || !job.root(),
                            job.communicator().size() > 1);
  const core::experiment::CompareResult result = core::experiment::compare(study, request, &progress);
  if (!job.root()) return result.stopped ? kStoppedExitStatus : 0;
  std::vector<Row> rows;
  // The published numbers are those of the balanced benchmark.
  for (const auto& r : result.rows) {
    rows.push_back({r, r.learned && !study.three_phase() ? published(r.method) : std::nullopt});
  }

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  print_table(std::cout, rows, study);
  const int ranks = job.communicator().size();
  std::cout << "evaluation seeds " << result.seeds.first << ":" << result.seeds.last << ", " << threads
            << " threads" << (ranks > 1 ? " x " + std::to_string(ranks) + " ranks" : std::string())
            << ", whole table " << number(seconds, 1) << " s\n";
  if (result.stopped) {
    std::cerr << "vvc bench table: stopped by signal " << stop_signal() << "; nothing written\n";
    return kStoppedExitStatus;
  }
  if (out_dir) {
    write_file_atomically(*out_dir / "table.csv", table_csv(rows));
    write_file_atomically(*out_dir / "table.md", table_markdown(rows, study, result.seeds.first,
                                                                result.seeds.last, result.steps, seconds));
    for (const auto& c : result.trainings) {
      write_file_atomically(*out_dir / "curves" / (file_name(c.method) + ".csv"), curve_csv(c));
    }
    std::cout << "written to " << out_dir->string() << "\n";
  }
  return 0;
}

}  // namespace vvc::cli
