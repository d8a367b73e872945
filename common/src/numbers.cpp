#include "vvc/common/numbers.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

namespace vvc {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Length of the run of decimal digits starting at `pos`.
size_t digits_at(std::string_view text, size_t pos) {
  size_t n = 0;
  while (pos + n < text.size() && is_digit(text[pos + n])) ++n;
  return n;
}

/// True when `text` is [sign] (digits [. [digits]] | . digits) [(e|E) [sign] digits], nothing before or
/// after.
bool is_decimal_syntax(std::string_view text) {
  size_t pos = 0;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) ++pos;
  const size_t integer_digits = digits_at(text, pos);
  pos += integer_digits;
  size_t fraction_digits = 0;
  if (pos < text.size() && text[pos] == '.') {
    fraction_digits = digits_at(text, pos + 1);
    pos += 1 + fraction_digits;
  }
  if (integer_digits + fraction_digits == 0) return false;
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    ++pos;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) ++pos;
    const size_t exponent_digits = digits_at(text, pos);
    if (exponent_digits == 0) return false;
    pos += exponent_digits;
  }
  return pos == text.size();
}

}  // namespace

std::optional<double> parse_decimal(std::string_view text) {
  if (!is_decimal_syntax(text)) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);  // from_chars takes no '+'
  double x = 0.0;
  // from_chars reports result_out_of_range for an overflow and for a non-zero value that rounds to zero;
  // subnormal results are returned as they are.
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(x)) return std::nullopt;
  return x;
}

std::optional<std::int64_t> exact_integer(double x, std::int64_t min, std::int64_t max) {
  // [-2^63, 2^63) holds exactly the doubles that convert to int64 without overflow; NaN fails both tests.
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (!(x >= -kTwoTo63 && x < kTwoTo63) || x != std::trunc(x)) return std::nullopt;
  const auto value = static_cast<std::int64_t>(x);
  if (value < min || value > max) return std::nullopt;
  return value;
}

std::optional<std::int64_t> parse_integer(std::string_view text, std::int64_t min, std::int64_t max) {
  const auto x = parse_decimal(text);
  if (!x) return std::nullopt;
  return exact_integer(*x, min, max);
}

}  // namespace vvc
