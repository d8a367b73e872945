#include "vvc/common/csv.hpp"

namespace vvc {

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char ch : text) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + '"';
}

std::vector<std::string> split_csv_fields(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  bool opened = false;  // the field so far is a quoted one
  for (size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch != '"') {
        fields.back() += ch;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (ch == ',') {
      fields.emplace_back();
      opened = false;
    } else if (ch == '"' && fields.back().empty() && !opened) {
      quoted = opened = true;
    } else {
      fields.back() += ch;
    }
  }
  return fields;
}

}  // namespace vvc
