// The CSV reading the text formats of core/env share (scenario files, day profiles): one line at a time, cells
// split at commas and trimmed, strict decimal numbers, errors "<file>:<line>: <message>".
#pragma once

#include <cstdint>
#include <istream>
#include <sstream>
#include <string>
#include <vector>

#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"
#include "vvc/common/numbers.hpp"

namespace vvc::core::csv {

/// The longest CSV line accepted: far more than a row needs, little enough to hold.
inline constexpr size_t kMaxCsvLineLength = 4096;

/// The cells of a line, each trimmed of blanks; a trailing comma gives an empty last cell.
inline std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) {
    const auto a = cell.find_first_not_of(" \t\r");
    const auto b = cell.find_last_not_of(" \t\r");
    cells.push_back(a == std::string::npos ? std::string() : cell.substr(a, b - a + 1));
  }
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

/// Whether a line holds only blanks.
inline bool is_blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

/// Reads a CSV file one line at a time, refusing a line longer than kMaxCsvLineLength and more than
/// kMaxInputFileBytes in all (blank lines, which count as no row, too).
class CsvLines {
 public:
  CsvLines(std::istream& in, const std::string& source) : in_(in), source_(source) {}

  /// The next line without its end; false at the end of the file.
  bool next(std::string& line) {
    line.clear();
    std::streambuf& buffer = *in_.rdbuf();
    for (int c = buffer.sbumpc(); c != std::char_traits<char>::eof(); c = buffer.sbumpc()) {
      if (++bytes_ > kMaxInputFileBytes) throw InputError(file_too_large_message(source_));
      if (c == '\n') {
        ++number_;
        return true;
      }
      if (line.size() == kMaxCsvLineLength) {
        ++number_;
        fail("expected a line of at most " + std::to_string(kMaxCsvLineLength) +
             " characters, got a longer one");
      }
      line += static_cast<char>(c);
    }
    if (line.empty()) return false;
    ++number_;
    return true;
  }
  int number() const { return number_; }
  /// Reads the next non-blank line into `cells`: false at the end of the file; an error past `max_rows` data rows
  /// or when the line has not `columns` cells.
  bool next_row(size_t columns, long max_rows, std::vector<std::string>& cells) {
    std::string line;
    do {
      if (!next(line)) return false;
    } while (is_blank(line));
    if (++rows_ > max_rows) fail("expected at most " + std::to_string(max_rows) + " rows, got more");
    cells = split_csv(line);
    if (cells.size() != columns) {
      fail("expected " + std::to_string(columns) + " columns, got " + std::to_string(cells.size()));
    }
    return true;
  }
  /// The decimal number in `cell` of `column`, or an error naming both.
  double number(const std::string& cell, const char* column) const {
    const auto x = parse_decimal(cell);
    if (!x) fail(std::string("column ") + column + ": expected a decimal number, got '" + cell + "'");
    return *x;
  }
  /// Throws InputError "<file>:<line of the last line read>: <message>".
  [[noreturn]] void fail(const std::string& message) const {
    throw InputError::at_line(source_, number_, message);
  }

 private:
  std::istream& in_;
  const std::string& source_;
  int number_ = 0;
  std::uintmax_t bytes_ = 0;
  long rows_ = 0;
};

}  // namespace vvc::core::csv
