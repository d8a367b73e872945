#include "lexer.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <optional>
#include <stdexcept>

#include "vvc/common/numbers.hpp"

namespace vvc::grid::dss {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string strip_comment(const std::string& line) {
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '!') {
      return line.substr(0, i);
    } else if (c == '/' && i + 1 < line.size() && line[i + 1] == '/') {
      return line.substr(0, i);
    }
  }
  return line;
}

namespace {

std::string trim(const std::string& s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// A continuation line starts with '~' or the word "more" / "m".
bool continuation(const std::string& line, std::string& rest) {
  if (!line.empty() && line[0] == '~') {
    rest = line.substr(1);
    return true;
  }
  size_t end = 0;
  while (end < line.size() && !std::isspace(static_cast<unsigned char>(line[end]))) ++end;
  const std::string word = lower(line.substr(0, end));
  if (word == "more" || word == "m") {
    rest = line.substr(end);
    return true;
  }
  return false;
}

char closing(char open) {
  switch (open) {
    case '(':
      return ')';
    case '[':
      return ']';
    case '{':
      return '}';
    default:
      return open;  // quotes
  }
}

bool is_open(char c) { return c == '(' || c == '[' || c == '{' || c == '"' || c == '\''; }

bool is_separator(char c) { return std::isspace(static_cast<unsigned char>(c)) || c == ','; }

// Reads one value starting at s[i] (no leading blanks); returns it, moves i past it.
std::string read_value(const std::string& s, size_t& i) {
  const size_t start = i;
  if (is_open(s[i])) {
    const char open = s[i];
    const char close = closing(open);
    int depth = 0;
    for (; i < s.size(); ++i) {
      if (open == close) {
        if (i > start && s[i] == close) {
          ++i;
          return s.substr(start, i - start);
        }
      } else if (s[i] == open) {
        ++depth;
      } else if (s[i] == close && --depth == 0) {
        ++i;
        return s.substr(start, i - start);
      }
    }
    throw std::invalid_argument("unterminated " + std::string(1, open) + " in '" + s.substr(start) + "'");
  }
  while (i < s.size() && !is_separator(s[i]) && s[i] != '=') ++i;
  return s.substr(start, i - start);
}

// Reads a token that is a number (vvc::parse_decimal: decimal notation, a finite double). Returns false for a
// token that is no number at all (an RPN operator, a word); throws for one that reads as a number but is no
// finite double (nan, inf, 1e309, 1e-400), saying which.
bool parse_double(const std::string& token, double& out) {
  if (const std::optional<double> x = parse_decimal(token)) {
    out = *x;
    return true;
  }
  const char* begin = token.data();
  const char* end = token.data() + token.size();
  if (begin != end && *begin == '+') ++begin;
  double ignored = 0.0;
  const auto [ptr, ec] = std::from_chars(begin, end, ignored);
  if (begin == end || ptr != end) return false;
  if (ec == std::errc::result_out_of_range) {
    throw std::invalid_argument("'" + token + "' is outside the range of a double");
  }
  if (ec == std::errc()) throw std::invalid_argument("'" + token + "' is not a finite number");
  return false;
}

std::vector<std::string> blank_tokens(const std::string& s) {
  std::vector<std::string> out;
  std::string current;
  for (char c : s) {
    if (is_separator(c) || c == '|') {
      if (!current.empty()) out.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

double evaluate_rpn(const std::vector<std::string>& tokens, const std::string& text) {
  std::vector<double> stack;
  auto push = [&](double v) {
    if (!std::isfinite(v)) throw std::invalid_argument("RPN expression '" + text + "' gives inf or NaN");
    stack.push_back(v);
  };
  auto pop = [&]() {
    if (stack.empty()) throw std::invalid_argument("malformed RPN expression '" + text + "'");
    const double v = stack.back();
    stack.pop_back();
    return v;
  };
  for (const std::string& raw : tokens) {
    const std::string t = lower(raw);
    double number = 0.0;
    if (parse_double(t, number)) {
      push(number);
    } else if (t == "+" || t == "-" || t == "*" || t == "/" || t == "^") {
      const double b = pop();
      const double a = pop();
      if (t == "+") push(a + b);
      if (t == "-") push(a - b);
      if (t == "*") push(a * b);
      if (t == "/") push(a / b);
      if (t == "^") push(std::pow(a, b));
    } else if (t == "sqrt") {
      push(std::sqrt(pop()));
    } else if (t == "sqr") {
      const double a = pop();
      push(a * a);
    } else if (t == "inv") {
      push(1.0 / pop());
    } else if (t == "pi") {
      push(std::numbers::pi);
    } else {
      throw std::invalid_argument("'" + raw + "' is not a number or an RPN operator in '" + text + "'");
    }
  }
  if (stack.size() != 1) throw std::invalid_argument("malformed RPN expression '" + text + "'");
  return stack.back();
}

}  // namespace

bool CommandSplitter::next_line(std::string& text, int& number) {
  while (pos_ <= text_.size() && !at_end_) {
    size_t end = text_.find('\n', pos_);
    if (end == std::string::npos) end = text_.size();
    std::string line = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    at_end_ = end == text_.size();
    ++line_number_;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string t = trim(line);
    if (in_block_comment_) {
      if (t.find("*/") != std::string::npos) in_block_comment_ = false;
      continue;
    }
    if (t.rfind("/*", 0) == 0) {
      in_block_comment_ = t.find("*/") == std::string::npos;
      continue;
    }
    t = trim(strip_comment(t));
    if (t.empty()) continue;
    text = std::move(t);
    number = line_number_;
    return true;
  }
  return false;
}

bool CommandSplitter::next(Command& command) {
  std::string line;
  int number = 0;
  std::string rest;
  if (!pending_) {
    if (!next_line(line, number)) return false;
    pending_ = Command{continuation(line, rest) ? trim(rest) : line, number};
  }
  while (next_line(line, number)) {
    if (continuation(line, rest)) {
      pending_->text += " " + trim(rest);
      continue;
    }
    command = std::move(*pending_);
    pending_ = Command{line, number};
    return true;
  }
  command = std::move(*pending_);
  pending_.reset();
  return true;
}

std::vector<Command> split_commands(const std::string& text) {
  std::vector<Command> commands;
  CommandSplitter splitter(text);
  Command command;
  while (splitter.next(command)) commands.push_back(std::move(command));
  return commands;
}

std::vector<Parameter> split_parameters(const std::string& text) {
  std::vector<Parameter> out;
  size_t i = 0;
  auto skip = [&]() {
    while (i < text.size() && is_separator(text[i])) ++i;
  };
  skip();
  while (i < text.size()) {
    std::string first = read_value(text, i);
    size_t j = i;
    while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    if (j < text.size() && text[j] == '=') {
      i = j + 1;
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      std::string value = i < text.size() && text[i] != ',' ? read_value(text, i) : std::string();
      out.push_back({lower(first), value});
    } else {
      out.push_back({std::string(), first});
    }
    skip();
  }
  return out;
}

std::string strip_brackets(const std::string& value) {
  const std::string t = trim(value);
  if (t.size() >= 2 && is_open(t.front()) && t.back() == closing(t.front())) return t.substr(1, t.size() - 2);
  return t;
}

double parse_number(const std::string& value) {
  const std::string inner = strip_brackets(value);
  const std::vector<std::string> tokens = blank_tokens(inner);
  if (tokens.empty()) throw std::invalid_argument("expected a number, got '" + value + "'");
  double number = 0.0;
  if (tokens.size() == 1 && parse_double(tokens[0], number)) return number;
  return evaluate_rpn(tokens, value);
}

double parse_positive(const std::string& value) {
  const double v = parse_number(value);
  if (v <= 0.0) throw std::invalid_argument("expected a number > 0, got '" + value + "'");
  return v;
}

int parse_integer(const std::string& value, int min, int max) {
  const std::optional<std::int64_t> v = exact_integer(parse_number(value), min, max);
  if (!v) {
    throw std::invalid_argument("expected an integer from " + std::to_string(min) + " to " +
                                std::to_string(max) + ", got '" + value + "'");
  }
  return static_cast<int>(*v);
}

std::vector<double> parse_numbers(const std::string& value) {
  std::vector<double> out;
  for (const std::string& token : blank_tokens(strip_brackets(value))) {
    double number = 0.0;
    if (!parse_double(token, number)) throw std::invalid_argument("expected a number, got '" + token + "'");
    out.push_back(number);
  }
  return out;
}

std::vector<std::string> parse_words(const std::string& value) {
  std::vector<std::string> out;
  for (const std::string& token : blank_tokens(strip_brackets(value))) out.push_back(strip_brackets(token));
  return out;
}

std::vector<double> parse_matrix(const std::string& value, int n) {
  const std::vector<double> v = parse_numbers(value);
  const size_t un = static_cast<size_t>(n);
  std::vector<double> m(un * un, 0.0);
  if (v.size() == un * (un + 1) / 2) {
    size_t k = 0;
    for (size_t r = 0; r < un; ++r) {
      for (size_t c = 0; c <= r; ++c, ++k) {
        m[r * un + c] = v[k];
        m[c * un + r] = v[k];
      }
    }
    return m;
  }
  if (v.size() == un * un) return v;
  throw std::invalid_argument("a " + std::to_string(n) + "x" + std::to_string(n) + " matrix needs " +
                              std::to_string(un * (un + 1) / 2) + " (lower triangle) or " +
                              std::to_string(un * un) + " entries, got " + std::to_string(v.size()));
}

bool parse_bool(const std::string& value) {
  const std::string t = lower(strip_brackets(value));
  if (t == "y" || t == "yes" || t == "true" || t == "t") return true;
  if (t == "n" || t == "no" || t == "false" || t == "f") return false;
  throw std::invalid_argument("expected yes or no, got '" + value + "'");
}

}  // namespace vvc::grid::dss
