// MATPOWER case files (.m, case format version 2), the subset a balanced distribution feeder needs:
// mpc.baseMVA, mpc.bus, mpc.branch, mpc.gen and the optional name lists mpc.bus_name and mpc.gen_name (cell
// arrays of strings, one per row; MATPOWER itself ignores gen_name). Column layouts follow the MATPOWER
// manual (caseformat). Other mpc.* fields (gencost, areas, ...) are parsed and ignored.
//
// What is not supported, and rejected with a message: PV buses (type 2) and isolated buses (type 4),
// transformer taps and phase shifters (ratio other than 0 or 1, angle other than 0), negative series
// impedance.
#include <limits>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vvc/common/errors.hpp"
#include "vvc/common/files.hpp"
#include "vvc/common/numbers.hpp"
#include "vvc/common/units.hpp"
#include "vvc/grid/io/case_io.hpp"

namespace vvc::grid {

namespace {

// Column indices (0-based) of the MATPOWER matrices.
namespace bus_col {
constexpr size_t kBusI = 0, kType = 1, kPd = 2, kQd = 3, kGs = 4, kBs = 5, kVm = 7, kVa = 8, kBaseKv = 9,
                 kVmax = 11, kVmin = 12, kCount = 13;
}  // namespace bus_col
namespace branch_col {
constexpr size_t kFbus = 0, kTbus = 1, kR = 2, kX = 3, kB = 4, kRatio = 8, kAngle = 9, kStatus = 10,
                 kCount = 11;
}  // namespace branch_col
namespace gen_col {
constexpr size_t kBus = 0, kPg = 1, kQg = 2, kQmax = 3, kQmin = 4, kVg = 5, kStatus = 7, kCount = 10;
}  // namespace gen_col

constexpr int kTypePq = 1, kTypePv = 2, kTypeSlack = 3;

enum class TokenKind { kWord, kString, kPunct, kNewline, kEnd };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  int line = 0;
};

bool is_punct(char c) {
  return c == '[' || c == ']' || c == '{' || c == '}' || c == ';' || c == '=' || c == ',';
}

/// Splits MATLAB text into words, quoted strings, punctuation and line ends, one token at a time; drops comments
/// and "..." continuations.
class Lexer {
 public:
  Lexer(const std::string& text, const std::string& source) : text_(text), source_(source) {}

  /// The next token; kEnd at the end of the text, and from then on.
  Token next() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
      } else if (c == '\n') {
        ++pos_;
        return {TokenKind::kNewline, "\n", line_++};
      } else if (c == '%') {
        skip_to_line_end();
      } else if (text_.compare(pos_, 3, "...") == 0) {
        skip_to_line_end();
        if (pos_ < text_.size()) {  // the line end is part of the continuation
          ++line_;
          ++pos_;
        }
      } else if (c == '\'') {
        return {TokenKind::kString, quoted(), line_};
      } else if (is_punct(c)) {
        ++pos_;
        return {TokenKind::kPunct, std::string(1, c), line_};
      } else {
        const size_t start = pos_;
        while (pos_ < text_.size() && !is_word_end(text_[pos_])) ++pos_;
        return {TokenKind::kWord, text_.substr(start, pos_ - start), line_};
      }
    }
    return {TokenKind::kEnd, "end of file", line_};
  }

 private:
  static bool is_word_end(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '%' || c == '\'' || is_punct(c);
  }

  void skip_to_line_end() {
    while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  }

  std::string quoted() {
    const int start_line = line_;
    std::string value;
    ++pos_;
    while (true) {
      if (pos_ >= text_.size() || text_[pos_] == '\n') {
        throw InputError::at_line(source_, start_line, "unterminated string");
      }
      if (text_[pos_] == '\'') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '\'') {  // '' is a quote inside a MATLAB string
          value += '\'';
          pos_ += 2;
          continue;
        }
        ++pos_;
        return value;
      }
      value += text_[pos_++];
    }
  }

  const std::string& text_;
  const std::string& source_;
  size_t pos_ = 0;
  int line_ = 1;
};

struct Row {
  std::vector<double> values;
  int line = 0;
};

struct Matrix {
  std::string name;
  int line = 0;  ///< where the assignment starts
  std::vector<Row> rows;
};

struct Field {
  int line = 0;
  std::optional<std::string> text;                 ///< a string or a scalar word
  std::vector<Row> rows;                           ///< a numeric matrix
  std::vector<std::pair<std::string, int>> cells;  ///< a cell array of strings (value, line)
};

/// What a MATPOWER file may hold besides at most kMaxCaseElements rows per matrix, so that reading it takes
/// bounded memory whatever it holds: its numbers take 8 bytes each, its rows and names a few dozen. A case of
/// kMaxCaseElements buses, branches and generators, with gencost and names, fits.
constexpr size_t kMaxFields = 256;
constexpr size_t kMaxNumbers = size_t{1} << 26;
constexpr size_t kMaxRowsAndNames = size_t{1} << 23;

/// Parses the statements "mpc.<name> = <value>;" of a MATPOWER file into raw fields, reading one token ahead.
class Parser {
 public:
  Parser(const std::string& text, const std::string& source)
      : lexer_(text, source), source_(source), current_(lexer_.next()) {}

  /// The name in "function mpc = <name>", if the file has that line.
  const std::optional<std::string>& function_name() const { return function_name_; }

  std::map<std::string, Field> fields() {
    std::map<std::string, Field> out;
    while (peek().kind != TokenKind::kEnd) {
      const Token t = take();
      if (t.kind == TokenKind::kNewline || (t.kind == TokenKind::kPunct && t.text == ";")) {
        continue;
      } else if (t.kind == TokenKind::kWord && t.text == "function") {
        read_function_line();
      } else if (t.kind == TokenKind::kWord && t.text == "end") {
        continue;
      } else if (t.kind == TokenKind::kWord && t.text.rfind("mpc.", 0) == 0) {
        const std::string name = t.text.substr(4);
        if (out.size() == kMaxFields && out.count(name) == 0) {
          fail(t.line, "expected at most " + std::to_string(kMaxFields) + " fields mpc.*, got more");
        }
        expect("=");
        Field field = value(name);
        field.line = t.line;
        if (!out.emplace(name, std::move(field)).second) fail(t.line, "mpc." + name + " is assigned twice");
      } else {
        fail(t.line, "unexpected '" + t.text + "' (expected an assignment 'mpc.<field> = ...')");
      }
    }
    return out;
  }

 private:
  [[noreturn]] void fail(int line, const std::string& message) const {
    throw InputError::at_line(source_, line, message);
  }

  const Token& peek() const { return current_; }
  /// The current token; the next one becomes current.
  Token take() {
    Token t = std::move(current_);
    current_ = lexer_.next();
    return t;
  }

  bool at_punct(const char* p) const { return peek().kind == TokenKind::kPunct && peek().text == p; }

  void expect(const char* p) {
    if (!at_punct(p)) fail(peek().line, std::string("expected '") + p + "', got '" + describe(peek()) + "'");
    take();
  }

  static std::string describe(const Token& t) {
    return t.kind == TokenKind::kNewline ? "end of line" : t.text;
  }

  void read_function_line() {
    while (peek().kind != TokenKind::kEnd && peek().kind != TokenKind::kNewline) {
      const Token t = take();
      if (t.kind == TokenKind::kWord) function_name_ = t.text;
    }
  }

  Field value(const std::string& name) {
    Field field;
    if (peek().kind == TokenKind::kString || peek().kind == TokenKind::kWord) {
      field.text = take().text;
    } else if (at_punct("[")) {
      take();
      field.rows = matrix_rows(name);
    } else if (at_punct("{")) {
      take();
      field.cells = cell_strings(name);
    } else {
      fail(peek().line, "mpc." + name + ": expected a value, got '" + describe(peek()) + "'");
    }
    return field;
  }

  /// Counts one more row or name against kMaxRowsAndNames.
  void count_row_or_name(int line) {
    if (++rows_and_names_ > kMaxRowsAndNames) {
      fail(line, "expected at most " + std::to_string(kMaxRowsAndNames) +
                     " matrix rows and names in all, got more");
    }
  }

  std::vector<Row> matrix_rows(const std::string& name) {
    std::vector<Row> rows;
    Row row;
    auto finish_row = [&]() {
      if (row.values.empty()) return;
      if (rows.size() == static_cast<size_t>(kMaxCaseElements)) {
        fail(row.line,
             "mpc." + name + ": expected at most " + std::to_string(kMaxCaseElements) + " rows, got more");
      }
      count_row_or_name(row.line);
      rows.push_back(std::move(row));
      row = Row{};
    };
    while (true) {
      if (peek().kind == TokenKind::kEnd) {
        fail(peek().line, "mpc." + name + ": missing ']' before the end of the file");
      }
      const Token t = take();
      if (t.kind == TokenKind::kPunct && t.text == "]") break;
      if (t.kind == TokenKind::kNewline || (t.kind == TokenKind::kPunct && t.text == ";")) {
        finish_row();
      } else if (t.kind == TokenKind::kPunct && t.text == ",") {
        continue;
      } else if (t.kind == TokenKind::kWord) {
        if (row.values.empty()) row.line = t.line;
        if (++numbers_ > kMaxNumbers) {
          fail(t.line,
               "expected at most " + std::to_string(kMaxNumbers) + " numbers in all matrices, got more");
        }
        row.values.push_back(number(t, name));
      } else {
        fail(t.line, "mpc." + name + ": expected a number, got '" + t.text + "'");
      }
    }
    finish_row();
    return rows;
  }

  double number(const Token& t, const std::string& name) const {
    const auto x = parse_decimal(t.text);
    if (!x) fail(t.line, "mpc." + name + ": non-numeric token '" + t.text + "' (expected a decimal number)");
    return *x;
  }

  std::vector<std::pair<std::string, int>> cell_strings(const std::string& name) {
    std::vector<std::pair<std::string, int>> cells;
    while (true) {
      if (peek().kind == TokenKind::kEnd) {
        fail(peek().line, "mpc." + name + ": missing '}' before the end of the file");
      }
      Token t = take();
      if (t.kind == TokenKind::kPunct && t.text == "}") break;
      if (t.kind == TokenKind::kString) {
        count_row_or_name(t.line);
        cells.emplace_back(std::move(t.text), t.line);
      } else if (t.kind != TokenKind::kNewline &&
                 !(t.kind == TokenKind::kPunct && (t.text == ";" || t.text == ","))) {
        fail(t.line, "mpc." + name + ": expected a quoted string, got '" + t.text + "'");
      }
    }
    return cells;
  }

  Lexer lexer_;
  const std::string& source_;
  Token current_;
  size_t numbers_ = 0;
  size_t rows_and_names_ = 0;
  std::optional<std::string> function_name_;
};

/// Turns the raw fields into a Network, checking each row against the column layout.
class CaseBuilder {
 public:
  CaseBuilder(const std::map<std::string, Field>& fields, const std::string& source)
      : fields_(fields), source_(source) {}

  Network build() {
    check_version();
    network_.base_mva = base_mva();
    const auto& bus_rows = matrix("bus", bus_col::kCount);
    const auto& branch_rows = matrix("branch", branch_col::kCount);
    read_buses(bus_rows);
    if (fields_.count("gen")) read_generators(matrix("gen", gen_col::kCount, true));
    read_branches(branch_rows);
    validate(network_, source_);
    return std::move(network_);
  }

 private:
  [[noreturn]] void fail(int line, const std::string& message) const {
    throw InputError::at_line(source_, line, message);
  }

  const Field& required(const std::string& name) const {
    const auto it = fields_.find(name);
    if (it == fields_.end()) fail(0, "missing mpc." + name);
    return it->second;
  }

  void check_version() const {
    const Field& f = required("version");
    if (f.text != "2") fail(f.line, "mpc.version must be '2' (MATPOWER case format version 2)");
  }

  double base_mva() const {
    const Field& f = required("baseMVA");
    if (!f.text) fail(f.line, "mpc.baseMVA: expected a number");
    const auto x = parse_decimal(*f.text);
    if (!x || *x <= 0.0) fail(f.line, "mpc.baseMVA: expected a positive number, got '" + *f.text + "'");
    return *x;
  }

  const std::vector<Row>& matrix(const std::string& name, size_t min_columns,
                                 bool may_be_empty = false) const {
    const Field& f = required(name);
    if (f.text || !f.cells.empty()) fail(f.line, "mpc." + name + ": expected a numeric matrix [ ... ]");
    if (f.rows.empty() && !may_be_empty) fail(f.line, "mpc." + name + " has no rows");
    if (f.rows.empty()) return f.rows;
    const size_t width = f.rows.front().values.size();
    for (const Row& row : f.rows) {
      if (row.values.size() < min_columns) {
        fail(row.line, "mpc." + name + ": wrong column count: a row needs at least " +
                           std::to_string(min_columns) + " columns, this one has " +
                           std::to_string(row.values.size()));
      }
      if (row.values.size() != width) {
        fail(row.line, "mpc." + name + ": wrong column count: this row has " +
                           std::to_string(row.values.size()) + " columns, the first row has " +
                           std::to_string(width));
      }
    }
    return f.rows;
  }

  int integer(const Row& row, size_t col, const std::string& what) const {
    const double x = row.values[col];
    const auto value = exact_integer(x, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
    if (!value) fail(row.line, what + ": expected an integer, got " + std::to_string(x));
    return static_cast<int>(*value);
  }

  int bus_index(const Row& row, size_t col, const std::string& what) const {
    const int number = integer(row, col, what);
    const auto it = index_of_bus_number_.find(number);
    if (it == index_of_bus_number_.end())
      fail(row.line, what + ": unknown bus number " + std::to_string(number));
    return it->second;
  }

  /// The optional name list `field` (a cell array of strings), one name per row of `rows`; nullptr if absent.
  const Field* names(const std::string& field, const std::vector<Row>& rows) const {
    const auto it = fields_.find(field);
    if (it == fields_.end()) return nullptr;
    const Field& f = it->second;
    if (f.text || !f.rows.empty()) fail(f.line, "mpc." + field + ": expected a cell array of names { ... }");
    if (f.cells.size() != rows.size()) {
      fail(f.line, "mpc." + field + " has " + std::to_string(f.cells.size()) + " names for " +
                       std::to_string(rows.size()) + " rows");
    }
    return &f;
  }

  void read_buses(const std::vector<Row>& rows) {
    const Field* bus_names = names("bus_name", rows);
    int slack_line = 0;
    for (size_t k = 0; k < rows.size(); ++k) {
      const Row& row = rows[k];
      const int number = integer(row, bus_col::kBusI, "bus number");
      if (!index_of_bus_number_.emplace(number, static_cast<int>(k)).second) {
        fail(row.line, "bus number " + std::to_string(number) + " is defined twice");
      }
      Bus bus;
      bus.name = bus_names ? bus_names->cells[k].first : std::to_string(number);
      bus.base_kv = row.values[bus_col::kBaseKv];
      bus.vmin_pu = row.values[bus_col::kVmin];
      bus.vmax_pu = row.values[bus_col::kVmax];
      if (!(bus.base_kv > 0.0)) fail(row.line, "bus " + bus.name + ": baseKV must be > 0");
      const int type = integer(row, bus_col::kType, "bus " + bus.name + " type");
      if (type == kTypeSlack) {
        if (slack_line != 0) {
          fail(row.line, "a second slack bus (type 3); the first is on line " + std::to_string(slack_line));
        }
        slack_line = row.line;
        network_.slack.bus = static_cast<int>(k);
        network_.slack.vm_pu = row.values[bus_col::kVm];
        network_.slack.va_rad = deg_to_rad(row.values[bus_col::kVa]);
      } else if (type == kTypePv) {
        fail(row.line,
             "bus " + bus.name +
                 " is a PV bus (type 2): voltage-controlled generators are not supported; make it a PQ "
                 "bus (type 1) with the generator's Pg and Qg");
      } else if (type != kTypePq) {
        fail(row.line, "bus " + bus.name + ": unsupported bus type " + std::to_string(type) +
                           " (expected 1 = PQ or 3 = slack)");
      }
      add_loads(row, static_cast<int>(k), bus.name);
      network_.buses.push_back(std::move(bus));
    }
    if (slack_line == 0) fail(required("bus").line, "mpc.bus has no slack bus (type 3)");
  }

  void add_loads(const Row& row, int bus, const std::string& bus_name) {
    const double pd = row.values[bus_col::kPd];
    const double qd = row.values[bus_col::kQd];
    if (pd != 0.0 || qd != 0.0) {
      network_.loads.push_back(Load{"load" + bus_name, bus, pd, qd});
    }
    // A shunt of Gs MW and Bs MVAr at 1 pu: Gs consumes, Bs (capacitive when positive) injects.
    const double gs = row.values[bus_col::kGs];
    const double bs = row.values[bus_col::kBs];
    if (gs != 0.0 || bs != 0.0) {
      Load shunt{"shunt" + bus_name, bus, gs, -bs};
      shunt.model = LoadModel::kConstantImpedance;
      network_.loads.push_back(std::move(shunt));
    }
  }

  void read_generators(const std::vector<Row>& rows) {
    const Field* gen_names = names("gen_name", rows);
    bool slack_voltage_from_gen = false;
    for (size_t k = 0; k < rows.size(); ++k) {
      const Row& row = rows[k];
      const std::string what = "generator " + std::to_string(k + 1);
      const int bus = bus_index(row, gen_col::kBus, what);
      if (row.values[gen_col::kStatus] <= 0.0) continue;  // out of service
      if (bus == network_.slack.bus) {
        // The slack's output is solved for; its Vg is the voltage setpoint, as in MATPOWER.
        if (!slack_voltage_from_gen) network_.slack.vm_pu = row.values[gen_col::kVg];
        slack_voltage_from_gen = true;
        continue;
      }
      Generator gen;
      gen.name = gen_names ? gen_names->cells[k].first : "gen" + std::to_string(k + 1);
      gen.bus = bus;
      gen.p_mw = row.values[gen_col::kPg];
      gen.q_mvar = row.values[gen_col::kQg];
      gen.q_max_mvar = row.values[gen_col::kQmax];
      gen.q_min_mvar = row.values[gen_col::kQmin];
      if (gen.q_min_mvar > gen.q_max_mvar) fail(row.line, what + ": Qmin exceeds Qmax");
      network_.generators.push_back(std::move(gen));
    }
  }

  void read_branches(const std::vector<Row>& rows) {
    std::unordered_map<std::string, int> uses;
    for (size_t k = 0; k < rows.size(); ++k) {
      const Row& row = rows[k];
      const std::string what = "branch " + std::to_string(k + 1);
      Branch line;
      line.from = bus_index(row, branch_col::kFbus, what);
      line.to = bus_index(row, branch_col::kTbus, what);
      // Parallel branches get "#2", "#3", ... so that names stay unique.
      line.name = network_.buses[static_cast<size_t>(line.from)].name + "-" +
                  network_.buses[static_cast<size_t>(line.to)].name;
      if (const int n = ++uses[line.name]; n > 1) line.name += "#" + std::to_string(n);
      const double ratio = row.values[branch_col::kRatio];
      const double angle = row.values[branch_col::kAngle];
      if ((ratio != 0.0 && ratio != 1.0) || angle != 0.0) {
        fail(row.line,
             what + " (" + line.name + "): transformer taps not supported (ratio must be 0 or 1, angle 0)");
      }
      line.r_pu = row.values[branch_col::kR];
      line.x_pu = row.values[branch_col::kX];
      line.b_pu = row.values[branch_col::kB];
      if (line.r_pu < 0.0 || line.x_pu < 0.0) {
        fail(row.line,
             what + " (" + line.name + "): r and x must be >= 0 (series capacitors are not supported)");
      }
      line.in_service = row.values[branch_col::kStatus] > 0.0;
      network_.branches.push_back(std::move(line));
    }
  }

  const std::map<std::string, Field>& fields_;
  const std::string& source_;
  Network network_;
  std::unordered_map<int, int> index_of_bus_number_;
};

}  // namespace

Network parse_matpower(const std::string& text, const std::string& source) {
  Parser parser(text, source);
  const auto fields = parser.fields();
  Network network = CaseBuilder(fields, source).build();
  network.name = parser.function_name().value_or(std::filesystem::path(source).stem().string());
  return network;
}

Network read_matpower(const std::filesystem::path& path) {
  return parse_matpower(read_text_file(path), path.string());
}

}  // namespace vvc::grid
