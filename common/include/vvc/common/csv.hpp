// The CSV quoting of the files vvc writes (RFC 4180): a field that holds a comma, a quote or a line break is
// written between quotes, a quote inside it doubled. Every writer of names that may hold such characters (a
// file's name in a row, a scenario's label) and the readers of those files use these two functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vvc {

/// The field as written: itself, or quoted when it holds ',', '"', '\r' or '\n'.
std::string csv_field(std::string_view text);

/// The fields of one line, RFC 4180 quoting undone: a quote opens a quoted field only at the field's start (a
/// quote elsewhere is text), a doubled quote inside one is a quote, and a quoted field that is not closed runs
/// to the end of the line. An empty line is one empty field.
std::vector<std::string> split_csv_fields(std::string_view line);

}  // namespace vvc
