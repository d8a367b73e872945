// The element classes the reader knows, one line each: X(name) registers the class that elements/<name>.cpp
// defines with its factory make_<name>(). Scripts name a class in any case ("New PVSystem.pv1").
#include "../element_class.hpp"

namespace vvc::grid::dss {

#define VVC_OPENDSS_ELEMENT_CLASSES(X) \
  X(capacitor)                         \
  X(capcontrol)                        \
  X(generator)                         \
  X(line)                              \
  X(linecode)                          \
  X(load)                              \
  X(loadshape)                         \
  X(pvsystem)                          \
  X(reactor)                           \
  X(regcontrol)                        \
  X(transformer)                       \
  X(vsource)                           \
  X(xfmrcode)                          \
  /* end of the list */

#define VVC_DECLARE_FACTORY(name) std::unique_ptr<ElementClass> make_##name();
VVC_OPENDSS_ELEMENT_CLASSES(VVC_DECLARE_FACTORY)
#undef VVC_DECLARE_FACTORY

std::map<std::string, std::unique_ptr<ElementClass>> make_element_classes() {
  std::map<std::string, std::unique_ptr<ElementClass>> classes;
#define VVC_REGISTER(name) classes.emplace(#name, make_##name());
  VVC_OPENDSS_ELEMENT_CLASSES(VVC_REGISTER)
#undef VVC_REGISTER
  return classes;
}

#undef VVC_OPENDSS_ELEMENT_CLASSES

}  // namespace vvc::grid::dss
