// A small command-line parser shared by the vvc subcommands: "--name value", "--name=value" and flags.
// Unknown options, options given twice (unless repeatable), missing values and malformed numbers throw
// InputError (exit status 2 in main).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vvc::cli {

struct OptionSpec {
  std::string name;  ///< without the leading dashes
  bool takes_value = true;
  std::string help;
  std::string value_name = "VALUE";
  bool repeatable = false;  ///< may be given more than once (values(): each, in order)
};

class Args {
 public:
  /// Parses argv[first..argc) against the specs. "--help" is always accepted.
  Args(int argc, char** argv, int first, const std::vector<OptionSpec>& specs);

  bool help() const { return help_; }
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  /// The value of an option given once; for a repeatable one, the first.
  std::optional<std::string> get(const std::string& name) const;
  /// Every value of the option, in the order given; none when absent.
  std::vector<std::string> values(const std::string& name) const;
  std::string get_or(const std::string& name, const std::string& fallback) const;
  double number(const std::string& name, double fallback) const;
  int integer(const std::string& name, int fallback) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  bool help_ = false;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

/// Formats the option list for --help output.
std::string format_options(const std::vector<OptionSpec>& specs);

}  // namespace vvc::cli
