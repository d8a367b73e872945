#include "builder.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include "element_class.hpp"
#include "lexer.hpp"
#include "vvc/common/errors.hpp"
#include "vvc/grid/model/network.hpp"
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

/// How much of the network was built before an element built its part.
struct BuiltSoFar {
  size_t elements = 0;
  size_t loads = 0;
  size_t transformers = 0;
  size_t regulators = 0;
  size_t sources = 0;
};

BuiltSoFar built_so_far(const MultiphaseNetwork& net, const std::vector<Complex>& source_voltages) {
  return {net.elements.size(), net.loads.size(), net.transformers.size(), net.regulators.size(),
          source_voltages.size()};
}

bool all_finite(std::initializer_list<double> values) {
  return std::all_of(values.begin(), values.end(), [](double x) { return std::isfinite(x); });
}

bool all_finite(const std::vector<double>& values) {
  return std::all_of(values.begin(), values.end(), [](double x) { return std::isfinite(x); });
}

/// Finite numbers, each of them, in what one element (defined at `at`) added to the network: finite properties
/// can still combine into an overflow (a huge kW over few volts, an impedance of 1e-320 ohm).
void check_finite(const MultiphaseNetwork& net, const std::vector<Complex>& source_voltages,
                  const BuiltSoFar& before, const Location& at) {
  const std::string why = " (a value too large or too small to compute with)";
  std::vector<size_t> elements;
  for (size_t e = before.elements; e < net.elements.size(); ++e) elements.push_back(e);
  // A regulator sets its transformer's tap, which changes that transformer's admittance.
  for (size_t r = before.regulators; r < net.regulators.size(); ++r) {
    const PhaseTransformer& t = net.transformers[static_cast<size_t>(net.regulators[r].transformer)];
    if (!all_finite(t.tap)) {
      fail(at, "RegControl." + net.regulators[r].name + ": its tap of " + t.name + " is not finite" + why);
    }
    elements.push_back(static_cast<size_t>(t.element));
  }
  for (const size_t e : elements) {
    if (!net.elements[e].y.allFinite()) {
      fail(at, net.elements[e].name + ": its values give a non-finite admittance" + why);
    }
  }
  for (size_t l = before.loads; l < net.loads.size(); ++l) {
    const PhaseLoad& load = net.loads[l];
    if (!all_finite({load.p_w, load.q_var, load.v_base_v, load.cvr_watts, load.cvr_vars, load.vminpu,
                     load.vmaxpu, load.vlowpu}) ||
        !all_finite(std::vector<double>(load.zipv.begin(), load.zipv.end()))) {
      fail(at, "load '" + load.name + "': its values give a non-finite power or voltage" + why);
    }
  }
  for (size_t t = before.transformers; t < net.transformers.size(); ++t) {
    const PhaseTransformer& x = net.transformers[t];
    if (!all_finite(x.kv) || !all_finite(x.kva) || !all_finite(x.r_pu) || !all_finite(x.x_pu) ||
        !all_finite(x.tap) ||
        !all_finite(
            {x.min_tap, x.max_tap, x.tap_increment(), x.noload_pu, x.magnetizing_pu, x.ppm_antifloat})) {
      fail(at, x.name + ": its values give a non-finite rating, impedance or tap" + why);
    }
  }
  for (size_t v = before.sources; v < source_voltages.size(); ++v) {
    if (!std::isfinite(source_voltages[v].real()) || !std::isfinite(source_voltages[v].imag())) {
      const std::string name =
          before.elements < net.elements.size() ? net.elements[before.elements].name : "";
      fail(at, name + ": its values give a non-finite source voltage" + why);
    }
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
  const int bus = this->bus(name, at);
  std::vector<int> nodes;
  for (int number : numbers) nodes.push_back(number == 0 ? kGroundNode : network_.add_node(bus, number));
  return nodes;
}

int NetworkBuilder::bus(const std::string& name, const Location& at) {
  const auto [it, added] = bus_index_.try_emplace(name, static_cast<int>(network_.buses.size()));
  if (added) {
    if (network_.buses.size() == static_cast<size_t>(kMaxCaseElements)) {
      bus_index_.erase(it);
      fail(at, "expected at most " + std::to_string(kMaxCaseElements) + " buses, got more");
    }
    network_.buses.push_back(PhaseBus{name, {}, {}, 0.0, std::nullopt});
  }
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

namespace {

/// The index of `name` (any case) among `items`, through `index`, filled from `items` on the first call; the
/// last of equal names wins, as a search from the front that keeps the last match would find.
template <class Items>
int indexed_find(std::unordered_map<std::string, int>& index, const Items& items, const std::string& name) {
  if (index.empty()) {
    for (size_t i = 0; i < items.size(); ++i)
      index.insert_or_assign(lower(items[i].name), static_cast<int>(i));
  }
  const auto it = index.find(lower(name));
  return it == index.end() ? -1 : it->second;
}

}  // namespace

int NetworkBuilder::transformer_index(const std::string& name) {
  return indexed_find(transformer_index_, network_.transformers, name);
}

int NetworkBuilder::element_index(const std::string& name) {
  return indexed_find(element_index_, network_.elements, name);
}

int NetworkBuilder::capacitor_index(const std::string& name) {
  return indexed_find(capacitor_index_, network_.capacitors, name);
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
      if (e.element_class->build_pass() != pass) continue;
      const BuiltSoFar before = built_so_far(network_, source_voltages_);
      e.element_class->build(e.index, *this);
      check_finite(network_, source_voltages_, before, e.element_class->location(e.index));
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
  if (!s.voltage_bases_kv.empty() && (s.calc_voltage_bases || s.solved)) {
    // The voltage bases come from a no-load power flow, whose errors name the circuit: name the script too.
    try {
      calc_voltage_bases(network_);
    } catch (const InputError& e) {
      throw InputError(source + ": CalcVoltageBases: " + e.what());
    }
  }
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
