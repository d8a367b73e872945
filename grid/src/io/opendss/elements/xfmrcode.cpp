// XfmrCode: a transformer's data without its buses (elements/transformer.hpp), which a Transformer copies
// with xfmrcode=. The IEEE 8500-node feeder defines its 1-phase 3-winding centre-tapped service transformers
// this way. It builds nothing itself.
#include "../element_class.hpp"
#include "transformer.hpp"

namespace vvc::grid::dss {

namespace {

class XfmrCodeClass final : public ElementStore<XfmrCodeSpec> {
 public:
  XfmrCodeClass()
      : ElementStore({"phases", "windings", "wdg",       "conn",          "kv",       "kva",       "tap",
                      "%r",     "rneut",    "xneut",     "conns",         "kvs",      "kvas",      "taps",
                      "xhl",    "xht",      "xlt",       "xscarray",      "thermal",  "n",         "m",
                      "flrise", "hsrise",   "%loadloss", "%noloadloss",   "normhkva", "emerghkva", "maxtap",
                      "mintap", "numtaps",  "%imag",     "ppm_antifloat", "%rs",      "x12",       "x13",
                      "x23",    "rdcohms",  "seasons",   "ratings",       "like"},
                     {"thermal", "n", "m", "flrise", "hsrise", "normhkva", "emerghkva", "rdcohms", "seasons",
                      "ratings"}) {}

 private:
  bool apply_property(XfmrCodeSpec& s, const std::string& prop, const std::string& value, const Location& at,
                      ReaderContext& context) const override {
    return apply_transformer_data(s.model, s.active_winding, prop, value, at, context);
  }
  void build_element(const XfmrCodeSpec&, NetworkBuilder&) const override {}
};

}  // namespace

std::unique_ptr<ElementClass> make_xfmrcode() { return std::make_unique<XfmrCodeClass>(); }

}  // namespace vvc::grid::dss
