#include "args.hpp"

#include <charconv>
#include <cmath>
#include <sstream>

#include "vvc/common/errors.hpp"

namespace vvc::cli {

Args::Args(int argc, char** argv, int first, const std::vector<OptionSpec>& specs) {
  for (int i = first; i < argc; ++i) {
    std::string token = argv[i];
    if (token == "--help" || token == "-h") {
      help_ = true;
      continue;
    }
    if (token.rfind("--", 0) != 0 || token.size() == 2) {
      positional_.push_back(token);
      continue;
    }
    std::string name = token.substr(2);
    std::optional<std::string> inline_value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const OptionSpec* spec = nullptr;
    for (const auto& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) throw InputError("unknown option '--" + name + "' (see --help)");
    if (values_.count(name) > 0 && !spec->repeatable) {
      throw InputError("option '--" + name + "' given twice" +
                       (spec->takes_value ? " ('" + values_[name].front() + "' first)" : std::string()));
    }
    if (!spec->takes_value) {
      if (inline_value) throw InputError("option '--" + name + "' takes no value");
      values_[name].push_back("1");
      continue;
    }
    if (inline_value) {
      values_[name].push_back(*inline_value);
    } else {
      if (i + 1 >= argc) throw InputError("option '--" + name + "' needs a value " + spec->value_name);
      values_[name].push_back(argv[++i]);
    }
  }
}

std::optional<std::string> Args::get(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second.front();
}

std::vector<std::string> Args::values(const std::string& name) const {
  const auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>() : it->second;
}

std::string Args::get_or(const std::string& name, const std::string& fallback) const {
  return get(name).value_or(fallback);
}

double Args::number(const std::string& name, double fallback) const {
  const auto text = get(name);
  if (!text) return fallback;
  double value = 0.0;
  const auto* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) {
    throw InputError("option '--" + name + "': expected a number, got '" + *text + "'");
  }
  return value;
}

int Args::integer(const std::string& name, int fallback) const {
  const auto text = get(name);
  if (!text) return fallback;
  int value = 0;
  const auto* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end) {
    throw InputError("option '--" + name + "': expected an integer, got '" + *text + "'");
  }
  return value;
}

std::string format_options(const std::vector<OptionSpec>& specs) {
  std::ostringstream out;
  for (const auto& s : specs) {
    std::string left =
        "  --" + s.name + (s.takes_value ? " " + s.value_name : "") + (s.repeatable ? " ..." : "");
    out << left;
    if (left.size() < 28) {
      out << std::string(28 - left.size(), ' ');
    } else {
      out << "\n" << std::string(28, ' ');
    }
    out << s.help << "\n";
  }
  out << "  --help                    show this help and exit\n";
  return out.str();
}

}  // namespace vvc::cli
