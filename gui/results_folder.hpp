// A results folder written by `vvc bench table --out DIR` (docs/results.md): DIR/table.csv, one row per
// method, and DIR/curves/<method>.csv, one learning curve per trained method. Plain C++ (no Qt): bad input
// throws vvc::InputError naming the file and line, as the case readers do.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace vvc::gui {

/// One row of a curves/<method>.csv file.
struct CurvePoint {
  int iteration = 0;  ///< 1-based count of the unit (episodes: 0-based index)
  double seconds = 0.0;
  double training_cost = 0.0;
  double validation_transient = 0.0;  ///< NaN on rows without validation
  double samples = 0.0;  ///< environment steps used by training so far; NaN in files without them
};

struct LearningCurve {
  std::filesystem::path file;
  std::string method;
  std::string unit;  ///< "iteration", "epoch" or "episode"
  std::vector<CurvePoint> points;
  bool has_samples = false;  ///< the file has the samples column (results folders written since it exists)
};

/// table.csv as text: the header and the rows, every row as long as the header.
struct ResultsTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

struct ResultsFolder {
  std::filesystem::path path;
  ResultsTable table;
  std::vector<LearningCurve> curves;  ///< in file-name order
};

/// The x axes of the comparison chart: the fraction of each method's training completed,
/// (k - k0 + 1) / (k1 - k0 + 1) for the k-th unit of a curve that counts from k0 to k1, so that budgets of 60
/// iterations and 700 episodes share one axis from 0 to 1; the environment steps its training used (samples);
/// the wall time since its training started.
enum class CurveAxis { kFraction, kSamples, kSeconds };

/// What the comparison chart draws for one method: the validation transient cost where the file has any,
/// else the training cost, over the chosen x. Empty for the samples axis when the file has no samples.
struct PlottedCurve {
  std::vector<double> x;
  std::vector<double> cost;
  bool validation = true;  ///< false: the file has no validation values and `cost` is the training cost
};

/// True when `path` is a folder holding table.csv and a curves/ subfolder.
bool is_results_folder(const std::filesystem::path& path);

/// Reads a curves/<method>.csv file (header `method,unit,iteration,seconds,training_cost,
/// validation_transient,samples`, or the same without samples as written before that column existed; at least
/// one row, one method and unit, strictly increasing iterations, samples never decreasing).
LearningCurve read_learning_curve(const std::filesystem::path& file);

/// Reads table.csv: a header starting with `method,kind`, then rows as long as the header whose other fields
/// are numbers or empty.
ResultsTable read_results_table(const std::filesystem::path& file);

/// Reads the table and every curves/*.csv; a folder without any curve is an error.
ResultsFolder read_results_folder(const std::filesystem::path& path);

PlottedCurve plotted_curve(const LearningCurve& curve, CurveAxis axis = CurveAxis::kFraction);

/// The transient cost of `method`'s row in table.csv (its final evaluation), NaN when the table has none.
double table_transient(const ResultsTable& table, const std::string& method);

}  // namespace vvc::gui
