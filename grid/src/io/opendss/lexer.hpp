// Internal: the lexical layer of the OpenDSS reader. Splits script text into commands (joining '~' / "more"
// continuations, dropping '!' and '//' comments), commands into parameters, and values into numbers, arrays
// and matrices, with OpenDSS's in-line RPN arithmetic ("(0.4 3 sqrt /)").
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vvc::grid::dss {

struct Command {
  std::string text;  ///< the joined command text
  int line = 0;      ///< line of its first physical line
};

/// Splits script text into commands one at a time, so that a script's commands are never all held at once. A
/// line starting with '~' (or the word "more" or "m") continues the previous one.
class CommandSplitter {
 public:
  /// `text` must outlive the splitter.
  explicit CommandSplitter(const std::string& text) : text_(text) {}
  /// The next command; false at the end of the text.
  bool next(Command& command);

 private:
  /// The next line that holds more than comments, trimmed, and its number; false at the end of the text.
  bool next_line(std::string& text, int& number);

  const std::string& text_;
  size_t pos_ = 0;
  int line_number_ = 0;
  bool in_block_comment_ = false;
  bool at_end_ = false;
  std::optional<Command> pending_;  ///< the command read last, which continuation lines may extend
};

/// Every command of script text (CommandSplitter).
std::vector<Command> split_commands(const std::string& text);

struct Parameter {
  std::string name;   ///< lower case; empty for a positional parameter
  std::string value;  ///< as written, enclosing quotes or brackets kept
};

/// Splits a command into parameters: "name=value", "name = value" or a bare value; values may be quoted or
/// bracketed with "", '', (), [] or {}. Throws std::invalid_argument on an unterminated quote or bracket.
std::vector<Parameter> split_parameters(const std::string& text);

/// Removes a '!' or '//' comment to the end of the line, leaving quoted text alone.
std::string strip_comment(const std::string& line);
/// Lower-cases ASCII.
std::string lower(std::string s);
/// Removes one level of enclosing quotes or brackets.
std::string strip_brackets(const std::string& value);

/// Parses a number, or evaluates an RPN expression in brackets. Throws std::invalid_argument when malformed,
/// when a literal is not a finite double (nan, inf, 1e309) and when a step of the expression gives inf or
/// NaN.
double parse_number(const std::string& value);
/// Parses a number > 0. Throws std::invalid_argument otherwise.
double parse_positive(const std::string& value);
/// The bound of integers that have no natural limit (iteration counts, tap counts and positions).
inline constexpr int kMaxCount = 1000000;
/// Parses an integer in [min, max]: a number (or RPN expression) with an integral value, as OpenDSS requires
/// for counts, indices and models. Throws std::invalid_argument naming the range otherwise.
int parse_integer(const std::string& value, int min, int max);
/// Parses a list of numbers separated by blanks, commas or '|' (rows). Each entry must be a plain number
/// (no RPN expression), a finite double.
std::vector<double> parse_numbers(const std::string& value);
/// Parses a list of words (e.g. "wye delta", "[650 rg60]").
std::vector<std::string> parse_words(const std::string& value);
/// Parses an n-by-n symmetric matrix given as its lower triangle (row by row) or in full; row-major result.
/// Throws std::invalid_argument when the number of entries fits neither.
std::vector<double> parse_matrix(const std::string& value, int n);
/// Parses yes/no/true/false/y/n.
bool parse_bool(const std::string& value);

}  // namespace vvc::grid::dss
