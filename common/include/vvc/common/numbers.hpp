// Strict reading of numbers in text formats (scenario CSV, MATPOWER .m): decimal floating point only, so that
// a value means the same in every reader and a typo is an error rather than a silently different number.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vvc {

/// Parses decimal floating-point text: an optional sign, digits with an optional decimal point, and an
/// optional exponent ("2.5", "-.5", "+1e-3", "1e-320"). Rejects everything else: empty text, blanks, hex
/// floats
/// ("0x1p3"), "inf", "nan", trailing characters, and values outside the range of a double (an overflow such
/// as "1e309", or a non-zero value below the smallest subnormal such as "1e-400"). Subnormals are accepted.
std::optional<double> parse_decimal(std::string_view text);

/// `x` as an integer when it is one exactly and lies in [min, max]; nothing is converted out of range.
std::optional<std::int64_t> exact_integer(double x, std::int64_t min, std::int64_t max);

/// parse_decimal, then exact_integer: "12", "12.0" and "1.2e1" are the integer 12; "2.5" is no integer, and
/// neither is a value outside [min, max].
std::optional<std::int64_t> parse_integer(std::string_view text, std::int64_t min, std::int64_t max);

}  // namespace vvc
