#include "builder.hpp"

#include <algorithm>

#include "element_class.hpp"
#include "lexer.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/grid/powerflow/three_phase.hpp"

namespace vvc::grid::dss {

namespace {

// Every bus must reach the source through elements; a bus that does not would make the admittance matrix
// singular.
void check_connected(const MultiphaseNetwork& net, const std::string& source) {
  const size_t n = net.nodes.size();
  std::vector<std::vector<int>> touching(n);
  for (size_t e = 0; e < net.elements.size(); ++e) {
    for (int node : net.elements[e].nodes) {
      if (node >= 0) touching[static_cast<size_t>(node)].push_back(static_cast<int>(e));
    }
  }
  std::vector<char> reached(n, 0), element_done(net.elements.size(), 0);
  std::vector<int> stack(net.source_nodes.begin(), net.source_nodes.end());
  for (int node : stack) reached[static_cast<size_t>(node)] = 1;
  while (!stack.empty()) {
    const int node = stack.back();
    stack.pop_back();
    for (int e : touching[static_cast<size_t>(node)]) {
      if (element_done[static_cast<size_t>(e)]) continue;
      element_done[static_cast<size_t>(e)] = 1;
      for (int other : net.elements[static_cast<size_t>(e)].nodes) {
        if (other >= 0 && !reached[static_cast<size_t>(other)]) {
          reached[static_cast<size_t>(other)] = 1;
          stack.push_back(other);
        }
      }
    }
  }
  std::string missing;
  int count = 0;
  for (const PhaseBus& bus : net.buses) {
    const bool cut = std::any_of(bus.nodes.begin(), bus.nodes.end(),
                                 [&](int node) { return !reached[static_cast<size_t>(node)]; });
    if (!cut) continue;
    if (++count <= 10) missing += (missing.empty() ? "" : ", ") + bus.name;
  }
  if (count > 0) {
    throw InputError(source + ": " + std::to_string(count) +
                     " bus(es) without a path to the source: " + missing + (count > 10 ? ", ..." : ""));
  }
}

}  // namespace

NetworkBuilder::NetworkBuilder(ReaderContext& context) : context_(context) {}

std::vector<int> NetworkBuilder::terminal_nodes(const std::string& bus_spec, int conductors, int phases,
                                                const Location& at) {
  if (bus_spec.empty()) fail(at, "missing bus");
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = bus_spec.find('.', start);
    parts.push_back(bus_spec.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  const std::string name = lower(parts[0]);
  if (name.empty() || name.find_first_of(" =()[]{}\"'") != std::string::npos) {
    fail(at, "bad bus name in '" + bus_spec + "'");
  }
  std::vector<int> numbers;
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (p.empty() || p.size() > 4 || p.find_first_not_of("0123456789") != std::string::npos) {
      fail(at, "bad node '" + p + "' in bus '" + bus_spec + "' (expected bus.1.2.3 with node numbers)");
    }
    numbers.push_back(std::stoi(p));
  }
  if (static_cast<int>(numbers.size()) > conductors) {
    fail(at, "bus '" + bus_spec + "' lists " + std::to_string(numbers.size()) + " nodes for " +
                 std::to_string(conductors) + " conductors");
  }
  if (numbers.empty()) {
    for (int k = 1; k <= phases && k <= conductors; ++k) numbers.push_back(k);
  }
  while (static_cast<int>(numbers.size()) < conductors) numbers.push_back(0);
  const int bus = this->bus(name);
  std::vector<int> nodes;
  for (int number : numbers) nodes.push_back(number == 0 ? kGroundNode : network_.add_node(bus, number));
  return nodes;
}

int NetworkBuilder::bus(const std::string& name) {
  const auto [it, added] = bus_index_.try_emplace(name, static_cast<int>(network_.buses.size()));
  if (added) network_.buses.push_back(PhaseBus{name, {}, {}, 0.0, std::nullopt});
  return it->second;
}

void NetworkBuilder::set_daily_shape(size_t load, const std::string& shape, const Location& at) {
  daily_shapes_.push_back({load, shape, at});
}

int NetworkBuilder::add_source_node(int number, Complex voltage) {
  const int node = static_cast<int>(network_.nodes.size());
  network_.nodes.push_back({-1, number});
  network_.source_nodes.push_back(node);
  source_voltages_.push_back(voltage);
  return node;
}

OpenDssCase NetworkBuilder::build(const std::string& source) {
  const CircuitSettings& s = context_.settings;
  if (!s.defined) throw InputError(source + ": no circuit defined: the script needs 'New Circuit.<name>'");
  network_.name = s.name;
  network_.frequency_hz = s.frequency_hz;
  network_.base_mva = s.base_mva;
  network_.regulator_control = s.regulator_control;
  network_.max_control_iterations = s.max_control_iterations;
  network_.voltage_bases_kv = s.voltage_bases_kv;
  for (int pass = 0; pass < 2; ++pass) {
    for (const ElementRef& e : context_.elements) {
      if (e.element_class->build_pass() == pass) e.element_class->build(e.index, *this);
    }
  }
  for (const DailyShape& d : daily_shapes_) {
    const auto& shapes = network_.load_shapes;
    // OpenDSS's built-in shape "default" (unless the script defines one) is not modelled: the element keeps its
    // power in every step.
    if (d.shape == "default" &&
        std::none_of(shapes.begin(), shapes.end(), [](const LoadShape& l) { return l.name == "default"; })) {
      continue;
    }
    const auto it =
        std::find_if(shapes.begin(), shapes.end(), [&](const LoadShape& l) { return l.name == d.shape; });
    if (it == shapes.end()) fail(d.at, "daily=" + d.shape + ": LoadShape." + d.shape + " is not defined");
    network_.loads[d.load].daily = static_cast<int>(it - shapes.begin());
  }
  network_.source_voltages = Eigen::Map<const Eigen::VectorXcd>(
      source_voltages_.data(), static_cast<Eigen::Index>(source_voltages_.size()));
  for (PhaseBus& bus : network_.buses) {
    auto it = s.coords.find(bus.name);
    if (it != s.coords.end()) bus.xy = it->second;
  }
  check_connected(network_, source);
  if (!s.voltage_bases_kv.empty() && (s.calc_voltage_bases || s.solved)) calc_voltage_bases(network_);
  OpenDssCase result;
  result.network = std::move(network_);
  result.warnings = context_.warnings();
  result.solved = s.solved;
  return result;
}

Eigen::MatrixXcd two_terminal(const Eigen::MatrixXcd& series, const Eigen::MatrixXcd& shunt_each_end) {
  const Eigen::Index n = series.rows();
  Eigen::MatrixXcd y(2 * n, 2 * n);
  y.topLeftCorner(n, n) = series + shunt_each_end;
  y.topRightCorner(n, n) = -series;
  y.bottomLeftCorner(n, n) = -series;
  y.bottomRightCorner(n, n) = series + shunt_each_end;
  return y;
}

}  // namespace vvc::grid::dss
