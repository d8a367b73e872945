// Internal: an OpenDSS element class (Line, Load, Transformer, ...) as the reader sees it. Each class lives
// in one file of elements/: its specification struct (the element's properties with OpenDSS's defaults), its
// property table in OpenDSS's order, how a property changes the specification (apply), and how a finished
// specification becomes part of the network (build). elements/registry.cpp lists the classes.
//
// Adding a class: a file elements/<class>.cpp with a specification, a class derived from ElementStore<Spec>
// and a factory make_<class>(); its line in grid/CMakeLists.txt; its line in elements/registry.cpp.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "context.hpp"

namespace vvc::grid::dss {

class NetworkBuilder;

class ElementClass {
 public:
  ElementClass(std::vector<std::string> properties, std::set<std::string> inert)
      : properties_(std::move(properties)), inert_(std::move(inert)) {}
  virtual ~ElementClass() = default;

  /// All properties, lower case, in OpenDSS's order: a positional value sets the property after the last one.
  const std::vector<std::string>& properties() const { return properties_; }
  /// Properties that exist in OpenDSS but do not change a snapshot power flow: accepted and ignored.
  const std::set<std::string>& inert() const { return inert_; }
  /// Elements build in passes: 0 for network elements, 1 for controls that refer to built elements.
  virtual int build_pass() const { return 0; }

  struct Defined {
    size_t index = 0;
    bool added = false;  ///< a new name (New on an existing name redefines that element in place)
  };
  /// New (create) or Edit of the element `name` (lower case); nullopt when Edit names no element. The element
  /// takes `at` as its location.
  virtual std::optional<Defined> define(const std::string& name, bool create, const Location& at) = 0;
  /// Index of the element `name` (lower case), if defined.
  virtual std::optional<size_t> find(const std::string& name) const = 0;
  /// Where element `index` was last defined (its New or Edit command).
  virtual const Location& location(size_t index) const = 0;
  /// like=: copies element `source`'s properties onto `target`, which keeps its name.
  virtual void copy(size_t target, size_t source, const Location& at) = 0;
  /// Applies one property (a name of properties()) to an element; false for a property the reader does not
  /// model (the interpreter reports it as unsupported). Throws std::invalid_argument for a malformed value
  /// (the interpreter adds the location and property), InputError for other bad input.
  virtual bool apply(size_t index, const std::string& property, const std::string& value, const Location& at,
                     ReaderContext& context) = 0;
  /// Called after the last property of a New or Edit command.
  virtual void end_edit(size_t index) = 0;
  /// Adds the element to the network (the builder carries the network and the reader context).
  virtual void build(size_t index, NetworkBuilder& builder) const = 0;

 private:
  std::vector<std::string> properties_;
  std::set<std::string> inert_;
};

/// An element class over its specification struct `Spec` (which has members `Location at` and `std::string
/// name`, and OpenDSS's defaults as member initializers). A class implements apply_property and
/// build_element, and finish_edit when a command's properties act together.
template <class Spec>
class ElementStore : public ElementClass {
 public:
  using ElementClass::ElementClass;

  std::optional<Defined> define(const std::string& name, bool create, const Location& at) final {
    auto it = index_.find(name);
    if (it == index_.end()) {
      if (!create) return std::nullopt;
      index_[name] = specs_.size();
      specs_.emplace_back();
      specs_.back().at = at;
      specs_.back().name = name;
      return Defined{specs_.size() - 1, true};
    }
    Spec& spec = specs_[it->second];
    if (create) spec = Spec{};
    spec.at = at;
    spec.name = name;
    return Defined{it->second, false};
  }

  std::optional<size_t> find(const std::string& name) const final {
    auto it = index_.find(name);
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }

  const Location& location(size_t index) const final { return specs_[index].at; }

  void copy(size_t target, size_t source, const Location& at) final {
    const std::string name = specs_[target].name;
    specs_[target] = specs_[source];
    specs_[target].name = name;
    specs_[target].at = at;
  }

  bool apply(size_t index, const std::string& property, const std::string& value, const Location& at,
             ReaderContext& context) final {
    return apply_property(specs_[index], property, value, at, context);
  }
  void end_edit(size_t index) final { finish_edit(specs_[index]); }
  void build(size_t index, NetworkBuilder& builder) const final { build_element(specs_[index], builder); }

  /// The specification of element `name` (lower case), or nullptr.
  const Spec* find_spec(const std::string& name) const {
    const std::optional<size_t> index = find(name);
    return index ? &specs_[*index] : nullptr;
  }

 protected:
  virtual bool apply_property(Spec& spec, const std::string& property, const std::string& value,
                              const Location& at, ReaderContext& context) const = 0;
  virtual void finish_edit(Spec&) const {}
  virtual void build_element(const Spec& spec, NetworkBuilder& builder) const = 0;

 private:
  std::map<std::string, size_t> index_;
  std::vector<Spec> specs_;
};

/// The specification of element `name` of class `class_name` (both lower case), or nullptr; for properties
/// that name another element (a Line's linecode).
template <class Spec>
const Spec* find_element(const ReaderContext& context, const std::string& class_name,
                         const std::string& name) {
  const auto* store = dynamic_cast<const ElementStore<Spec>*>(context.element_class(class_name));
  return store != nullptr ? store->find_spec(name) : nullptr;
}

/// Every registered element class, by lower-case name (elements/registry.cpp).
std::map<std::string, std::unique_ptr<ElementClass>> make_element_classes();

/// The most phases (conductors per terminal) and transformer windings a script may give.
inline constexpr int kMaxPhases = 16;
inline constexpr int kMaxWindings = 16;

/// Reads wye/y/ln or delta/d/ll; throws InputError naming `at` otherwise.
Connection parse_connection(const std::string& value, const Location& at);
/// Reads a power factor in [-1, 0) or (0, 1] (negative: the reactive power has the opposite sign of the
/// active power); throws std::invalid_argument otherwise.
double parse_power_factor(const std::string& value);
/// The reactive power of active power `p` at power factor `pf`: p sqrt(1 / pf^2 - 1), with the sign of pf.
double reactive_power_at(double p, double pf);

// Shunt elements of `phases` phases (Load, PVSystem, Capacitor) connected wye or delta.
/// Conductors of the terminal: the phases and the neutral for wye; the phases, or two for a 1-phase delta.
int shunt_conductors(Connection connection, int phases);
/// Voltage across one phase element, volts, for rated kV: kV / sqrt 3 for wye with 2 or 3 phases, else kV
/// (line to line, or the element's own voltage for 1 phase).
double phase_element_volts(double kv, Connection connection, int phases);

}  // namespace vvc::grid::dss
