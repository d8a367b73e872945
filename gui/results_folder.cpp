#include "results_folder.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>

#include "vvc/common/csv.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"

namespace vvc::gui {

namespace {

const std::string kCurveHeader = "method,unit,iteration,seconds,training_cost,validation_transient";
const std::string kCurveHeaderWithSamples = kCurveHeader + ",samples";

/// The non-empty lines of a file with their 1-based line numbers; '\r' of Windows line ends is dropped.
std::vector<std::pair<int, std::string>> read_lines(const std::filesystem::path& file) {
  std::ifstream in = open_input_file(file);
  std::vector<std::pair<int, std::string>> lines;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.emplace_back(number, line);
  }
  if (lines.empty()) throw InputError(file.string() + ": empty file");
  return lines;
}

/// Parses the whole field as a double (the writer prints non-finite values as nan or inf).
bool parse_double(const std::string& text, double& value) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return !text.empty() && ec == std::errc() && ptr == end;
}

double number_field(const std::filesystem::path& file, int line, const std::string& column,
                    const std::string& text) {
  double value = 0.0;
  if (!parse_double(text, value)) {
    throw InputError::at_line(file.string(), line, column + ": expected a number, got '" + text + "'");
  }
  return value;
}

}  // namespace

bool is_results_folder(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec) &&
         std::filesystem::is_regular_file(path / "table.csv", ec) &&
         std::filesystem::is_directory(path / "curves", ec);
}

LearningCurve read_learning_curve(const std::filesystem::path& file) {
  const auto lines = read_lines(file);
  const std::string name = file.string();
  LearningCurve curve;
  curve.file = file;
  curve.has_samples = lines.front().second == kCurveHeaderWithSamples;
  if (!curve.has_samples && lines.front().second != kCurveHeader) {
    throw InputError::at_line(name, lines.front().first,
                              "expected the header '" + kCurveHeaderWithSamples +
                                  "' (or the same without '," + "samples'), got '" + lines.front().second +
                                  "'");
  }
  if (lines.size() == 1) throw InputError(name + ": no data rows under the header");
  const size_t fields = curve.has_samples ? 7 : 6;
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto& [line, text] = lines[i];
    const std::vector<std::string> f = split_csv_fields(text);
    if (f.size() != fields) {
      throw InputError::at_line(
          name, line, "expected " + std::to_string(fields) + " fields, got " + std::to_string(f.size()));
    }
    if (i == 1) {
      curve.method = f[0];
      curve.unit = f[1];
      if (curve.method.empty()) throw InputError::at_line(name, line, "method: empty");
      if (curve.unit != "iteration" && curve.unit != "epoch" && curve.unit != "episode") {
        throw InputError::at_line(name, line,
                                  "unit: expected iteration, epoch or episode, got '" + curve.unit + "'");
      }
    } else if (f[0] != curve.method || f[1] != curve.unit) {
      throw InputError::at_line(name, line,
                                "method and unit '" + f[0] + "," + f[1] + "' differ from the first row's '" +
                                    curve.method + "," + curve.unit + "'");
    }
    const double k = number_field(file, line, "iteration", f[2]);
    if (!(k >= 0.0 && k <= 1e9 && k == std::floor(k))) {
      throw InputError::at_line(name, line, "iteration: expected a whole number >= 0, got '" + f[2] + "'");
    }
    CurvePoint p;
    p.iteration = static_cast<int>(k);
    if (!curve.points.empty() && p.iteration <= curve.points.back().iteration) {
      throw InputError::at_line(name, line,
                                "iteration: expected more than the previous row's " +
                                    std::to_string(curve.points.back().iteration) + ", got " + f[2]);
    }
    p.seconds = number_field(file, line, "seconds", f[3]);
    p.training_cost = number_field(file, line, "training_cost", f[4]);
    p.validation_transient =
        f[5].empty() ? std::nan("") : number_field(file, line, "validation_transient", f[5]);
    p.samples = std::nan("");
    if (curve.has_samples) {
      p.samples = number_field(file, line, "samples", f[6]);
      const double before = curve.points.empty() ? 0.0 : curve.points.back().samples;
      if (!(p.samples >= before)) {
        throw InputError::at_line(name, line,
                                  "samples: expected a count >= the previous row's, got '" + f[6] + "'");
      }
    }
    curve.points.push_back(p);
  }
  return curve;
}

ResultsTable read_results_table(const std::filesystem::path& file) {
  const auto lines = read_lines(file);
  const std::string name = file.string();
  ResultsTable table;
  table.header = split_csv_fields(lines.front().second);
  if (table.header.size() < 2 || table.header[0] != "method" || table.header[1] != "kind") {
    throw InputError::at_line(
        name, lines.front().first,
        "expected a header starting with 'method,kind', got '" + lines.front().second + "'");
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto& [line, text] = lines[i];
    std::vector<std::string> f = split_csv_fields(text);
    if (f.size() != table.header.size()) {
      throw InputError::at_line(
          name, line,
          "expected " + std::to_string(table.header.size()) + " fields, got " + std::to_string(f.size()));
    }
    if (f[0].empty()) throw InputError::at_line(name, line, "method: empty");
    for (size_t c = 2; c < f.size(); ++c) {
      if (!f[c].empty()) number_field(file, line, table.header[c], f[c]);
    }
    table.rows.push_back(std::move(f));
  }
  return table;
}

ResultsFolder read_results_folder(const std::filesystem::path& path) {
  if (!is_results_folder(path)) {
    throw InputError(path.string() + ": not a results folder (expected table.csv and a curves/ folder)");
  }
  ResultsFolder folder;
  folder.path = path;
  folder.table = read_results_table(path / "table.csv");
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(path / "curves", ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".csv") files.push_back(it->path());
  }
  if (ec) throw InputError((path / "curves").string() + ": cannot list: " + ec.message());
  if (files.empty()) throw InputError((path / "curves").string() + ": no learning curves (*.csv)");
  std::sort(files.begin(), files.end());
  for (const auto& file : files) folder.curves.push_back(read_learning_curve(file));
  return folder;
}

PlottedCurve plotted_curve(const LearningCurve& curve, CurveAxis axis) {
  PlottedCurve out;
  out.validation = std::any_of(curve.points.begin(), curve.points.end(),
                               [](const CurvePoint& p) { return std::isfinite(p.validation_transient); });
  if (axis == CurveAxis::kSamples && !curve.has_samples) return out;
  const double first = curve.points.front().iteration;
  const double count = curve.points.back().iteration - first + 1;
  for (const CurvePoint& p : curve.points) {
    const double y = out.validation ? p.validation_transient : p.training_cost;
    if (!std::isfinite(y)) continue;
    switch (axis) {
      case CurveAxis::kFraction:
        out.x.push_back((p.iteration - first + 1) / count);
        break;
      case CurveAxis::kSamples:
        out.x.push_back(p.samples);
        break;
      case CurveAxis::kSeconds:
        out.x.push_back(p.seconds);
        break;
    }
    out.cost.push_back(y);
  }
  return out;
}

double table_transient(const ResultsTable& table, const std::string& method) {
  const auto column = std::find(table.header.begin(), table.header.end(), "transient");
  if (column == table.header.end()) return std::nan("");
  const size_t c = static_cast<size_t>(column - table.header.begin());
  for (const auto& row : table.rows) {
    double value = 0.0;
    if (row[0] == method && parse_double(row[c], value)) return value;
  }
  return std::nan("");
}

}  // namespace vvc::gui
