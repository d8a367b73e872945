#include "interpreter.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "element_class.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/grid/model/network.hpp"

namespace vvc::grid::dss {

namespace {

// The property a name stands for: itself or the one property it abbreviates (Transformer's "ppm" is
// "ppm_antifloat").
std::string resolve_property(const std::vector<std::string>& table, const std::string& name,
                             const Location& at, const std::string& what) {
  if (std::find(table.begin(), table.end(), name) != table.end()) return name;
  std::string match;
  for (const std::string& p : table) {
    if (p.rfind(name, 0) == 0) {
      if (!match.empty()) fail(at, what + ": ambiguous property '" + name + "'");
      match = p;
    }
  }
  if (match.empty()) fail(at, what + ": unknown property '" + name + "'");
  return match;
}

}  // namespace

Interpreter::Interpreter(const SourceFiles& files, const OpenDssOptions& options)
    : files_(files), context_(options) {
  context_.files = &files_;
}

void Interpreter::run_file(const std::filesystem::path& path, const Location& from) {
  const std::filesystem::path key = files_.identity(path);
  if (std::find(stack_.begin(), stack_.end(), key) != stack_.end()) {
    fail(from, "circular Redirect/Compile of '" + path.string() + "'");
  }
  const std::string text = from.file.empty() ? files_.read(path) : read_named_file(path, from);
  stack_.push_back(key);
  run_text(text, path.string(), path.parent_path());
  stack_.pop_back();
}

std::string Interpreter::read_named_file(const std::filesystem::path& path, const Location& at) const {
  try {
    return files_.read(path);
  } catch (const InputError& e) {
    fail(at, e.what());
  }
}

void Interpreter::run_text(const std::string& text, const std::string& source,
                           const std::filesystem::path& directory) {
  const std::filesystem::path outer = context_.directory;
  context_.directory = directory;
  CommandSplitter commands(text);
  Command command;
  while (commands.next(command)) {
    const Location at{source, command.line};
    std::vector<Parameter> params;
    try {
      params = split_parameters(command.text);
    } catch (const std::invalid_argument& e) {
      fail(at, e.what());
    }
    if (params.empty()) continue;
    execute(params, at, directory);
  }
  context_.directory = outer;
}

void Interpreter::execute(std::vector<Parameter>& params, const Location& at,
                          const std::filesystem::path& directory) {
  // "Class.name.property=value ..." edits an element.
  if (!params[0].name.empty() && std::count(params[0].name.begin(), params[0].name.end(), '.') >= 2) {
    const std::string& full = params[0].name;
    const size_t first = full.find('.');
    const size_t last = full.rfind('.');
    const std::string element_class = full.substr(0, first);
    const std::string name = full.substr(first + 1, last - first - 1);
    params[0].name = full.substr(last + 1);
    edit(element_class, name, params, 0, at, false);
    return;
  }
  if (!params[0].name.empty()) fail(at, "expected a command, got '" + params[0].name + "=...'");
  const std::string verb = lower(params[0].value);
  if (verb == "clear") {
    context_.clear();
  } else if (verb == "new" || verb == "edit") {
    if (params.size() < 2) fail(at, verb + ": expected Class.name");
    if (!params[1].name.empty() && params[1].name != "object") fail(at, verb + ": expected Class.name");
    const std::string target = strip_brackets(params[1].value);
    const size_t dot = target.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == target.size()) {
      fail(at, verb + ": expected Class.name, got '" + target + "'");
    }
    edit(target.substr(0, dot), target.substr(dot + 1), params, 2, at, verb == "new");
  } else if (verb == "redirect" || verb == "compile") {
    if (params.size() != 2) fail(at, verb + ": expected one file name");
    if (redirect_depth_ == kMaxRedirectDepth) {
      fail(at, params[0].value + ": more than " + std::to_string(kMaxRedirectDepth) +
                   " nested Redirect/Compile files");
    }
    ++redirect_depth_;
    run_file(directory / strip_brackets(params[1].value), at);
    --redirect_depth_;
  } else if (verb == "set") {
    for (size_t i = 1; i < params.size(); ++i) set_option(params[i], at);
  } else if (verb == "calcvoltagebases" || verb == "calcv") {
    context_.settings.calc_voltage_bases = true;
  } else if (verb == "solve") {
    for (size_t i = 1; i < params.size(); ++i) set_option(params[i], at);
    context_.settings.solved = true;
  } else if (verb == "buscoords") {
    if (params.size() != 2) fail(at, "BusCoords: expected one file name");
    read_bus_coords(directory / strip_brackets(params[1].value), at);
  } else {
    context_.unsupported(at, "command '" + params[0].value + "'");
  }
}

void Interpreter::set_option(const Parameter& p, const Location& at) {
  CircuitSettings& s = context_.settings;
  const std::string name = p.name;
  try {
    if (name == "voltagebases") {
      s.voltage_bases_kv = parse_numbers(p.value);
    } else if (name == "defaultbasefreq" || name == "defaultbasefrequency") {
      s.frequency_hz = parse_positive(p.value);
    } else if (name == "controlmode") {
      const std::string mode = lower(strip_brackets(p.value));
      if (mode == "off") {
        s.regulator_control = false;
      } else if (mode == "static") {
        s.regulator_control = true;
      } else {
        context_.unsupported(at, "control mode '" + p.value + "'");
      }
    } else if (name == "maxcontroliter") {
      s.max_control_iterations = parse_integer(p.value, 1, kMaxCount);
    } else if (name == "maxiterations" || name == "maxiter") {
      parse_integer(p.value, 1, kMaxCount);  // vvc converges on its own test (docs/formats/opendss.md)
    } else if (name == "tolerance") {
      parse_number(p.value);
    } else if (name == "mode") {
      if (lower(strip_brackets(p.value)) != "snapshot" && lower(strip_brackets(p.value)) != "snap") {
        context_.unsupported(at, "solution mode '" + p.value + "'");
      }
    } else if (name == "algorithm") {
      const std::string a = lower(strip_brackets(p.value));
      if (a != "normal" && a != "newton") fail(at, "Set algorithm: expected normal or newton");
    } else if (name == "earthmodel") {
      const std::string model = lower(strip_brackets(p.value));
      // Only line geometries use the earth model, and they are not supported; the value must still be valid.
      if (model != "carson" && model != "fullcarson" && model != "deri") {
        fail(at, "Set earthmodel: expected carson, fullcarson or deri");
      }
    } else {
      context_.unsupported(at, "option 'Set " + (name.empty() ? p.value : name) + "'");
    }
  } catch (const std::invalid_argument& e) {
    fail(at, "Set " + name + ": " + e.what());
  }
}

void Interpreter::read_bus_coords(const std::filesystem::path& path, const Location& at) {
  std::istringstream in(read_named_file(path, at));
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    line = strip_comment(line);
    for (char& c : line) {
      if (c == ',' || c == '\t' || c == '\r') c = ' ';
    }
    std::istringstream fields(line);
    std::string name, x, y;
    if (!(fields >> name)) continue;
    const Location here{path.string(), number};
    if (!(fields >> x >> y)) fail(here, "expected 'bus, x, y'");
    auto& coords = context_.settings.coords;
    if (coords.size() == static_cast<size_t>(kMaxCaseElements) && coords.count(lower(name)) == 0) {
      fail(here, "expected at most " + std::to_string(kMaxCaseElements) + " bus coordinates, got more");
    }
    try {
      coords[lower(name)] = {parse_number(x), parse_number(y)};
    } catch (const std::invalid_argument& e) {
      fail(here, e.what());
    }
  }
}

void Interpreter::edit(const std::string& raw_class, const std::string& raw_name,
                       const std::vector<Parameter>& params, size_t first, const Location& at, bool create) {
  std::string class_name = lower(raw_class);
  std::string name = lower(raw_name);
  if (class_name == "circuit") {
    if (create) {
      // A new circuit starts from scratch and creates its source, Vsource.source.
      context_.clear();
      context_.settings.name = name;
      context_.settings.defined = true;
    }
    class_name = "vsource";
    name = "source";
  }
  ElementClass* element_class = context_.element_class(class_name);
  if (element_class == nullptr) {
    context_.unsupported(at, "element class '" + raw_class + "'");
    return;
  }
  if (name.empty()) fail(at, "an element needs a name");

  const std::string what = raw_class + "." + raw_name;
  const std::optional<ElementClass::Defined> element = element_class->define(name, create, at);
  if (!element) fail(at, what + " is not defined");
  if (element->added) {
    if (context_.elements.size() == static_cast<size_t>(kMaxCaseElements)) {
      fail(at, "expected at most " + std::to_string(kMaxCaseElements) + " elements, got more");
    }
    context_.elements.push_back({element_class, element->index});
  }

  const std::vector<std::string>& table = element_class->properties();
  size_t next = 0;  // index into the table of the next positional property
  for (size_t i = first; i < params.size(); ++i) {
    const Parameter& p = params[i];
    std::string prop;
    if (p.name.empty()) {
      if (next >= table.size()) fail(at, what + ": too many positional values ('" + p.value + "')");
      prop = table[next];
    } else {
      prop = resolve_property(table, p.name, at, what);
    }
    next = static_cast<size_t>(std::find(table.begin(), table.end(), prop) - table.begin()) + 1;

    if (prop == "like") {
      const std::string other = strip_brackets(p.value);
      const std::optional<size_t> source = element_class->find(lower(other));
      if (!source) fail(at, "like=" + other + ": " + raw_class + "." + other + " is not defined");
      element_class->copy(element->index, *source, at);
      continue;
    }
    if (element_class->inert().count(prop) > 0) continue;
    try {
      if (!element_class->apply(element->index, prop, p.value, at, context_)) {
        context_.unsupported(at, what + " property '" + prop + "'");
      }
    } catch (const std::invalid_argument& e) {
      fail(at, what + " " + prop + ": " + e.what());
    }
  }
  element_class->end_edit(element->index);
}

}  // namespace vvc::grid::dss
