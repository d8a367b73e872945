// Internal: builds the MultiphaseNetwork from the state a script left: each element class adds its elements
// (in definition order, controls in a second pass), then the builder sets the source voltages and bus
// coordinates, checks that every bus reaches the source, and assigns the voltage bases.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <unordered_map>
#include <vector>

#include "context.hpp"
#include "vvc/grid/io/opendss.hpp"

namespace vvc::grid::dss {

class NetworkBuilder {
 public:
  explicit NetworkBuilder(ReaderContext& context);

  MultiphaseNetwork& network() { return network_; }
  ReaderContext& context() { return context_; }
  const CircuitSettings& settings() const { return context_.settings; }

  /// Parses a bus specification "name.1.2.3" and returns the model nodes of `conductors` terminal conductors:
  /// the listed nodes first, then 1..phases when no node was listed, else ground for the rest. Adds the bus
  /// and its nodes as needed.
  std::vector<int> terminal_nodes(const std::string& bus_spec, int conductors, int phases,
                                  const Location& at);
  /// The index of bus `name` (lower case), added if new; at most kMaxCaseElements buses (an InputError at `at`).
  int bus(const std::string& name, const Location& at);
  /// Adds a node of the ideal source (conductor `number`, no bus) held at `voltage` volts; returns its index.
  int add_source_node(int number, Complex voltage);
  /// The index in the network of the transformer, element or capacitor named `name` (any case; "Transformer.x",
  /// "Line.y", "c1"), or -1; the last one of that name. For controls, which build after every element.
  int transformer_index(const std::string& name);
  int element_index(const std::string& name);
  int capacitor_index(const std::string& name);

  /// Names the daily load shape of power element `load` (index into network().loads); the shape is looked up
  /// once every element is built, and a name that no LoadShape has is an error at `at`.
  void set_daily_shape(size_t load, const std::string& shape, const Location& at);

  /// Builds every element and finishes the network; `source` names the script in messages.
  OpenDssCase build(const std::string& source);

 private:
  ReaderContext& context_;
  MultiphaseNetwork network_;
  std::vector<Complex> source_voltages_;
  // Indices by lower-case name, so that a large script builds in linear time (the network's own lookups search).
  std::unordered_map<std::string, int> bus_index_;
  std::unordered_map<std::string, int> transformer_index_;
  std::unordered_map<std::string, int> element_index_;
  std::unordered_map<std::string, int> capacitor_index_;
  struct DailyShape {
    size_t load;
    std::string shape;
    Location at;
  };
  std::vector<DailyShape> daily_shapes_;
};

/// The primitive admittance of a two-terminal element: the series admittance between the terminals and a
/// shunt admittance at each end.
Eigen::MatrixXcd two_terminal(const Eigen::MatrixXcd& series, const Eigen::MatrixXcd& shunt_each_end);

}  // namespace vvc::grid::dss
