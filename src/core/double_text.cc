#include "core/double_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace rivulet {
namespace {

template <typename Number>
void AppendJavaNumber(Number v, std::string* out) {
  if (std::isnan(v)) {
    *out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    *out += v > 0 ? "Infinity" : "-Infinity";
    return;
  }
  if (v == 0) {
    *out += std::signbit(v) ? "-0.0" : "0.0";
    return;
  }
  // The shortest digits that read back as v (in its own width), as d.ddde[+-]x, laid
  // out again.
  char buf[40];
  const char* end =
      std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific).ptr;
  const char* p = buf;
  if (*p == '-') {
    *out += '-';
    ++p;
  }
  const char* e = std::find(p, end, 'e');
  const char* exponent_text = e + 1;
  if (*exponent_text == '+') ++exponent_text;
  int exponent = 0;
  std::from_chars(exponent_text, end, exponent);
  char digits[24];
  size_t n = 0;
  for (const char* c = p; c < e; ++c) {
    if (*c != '.') digits[n++] = *c;
  }
  const Number magnitude = std::fabs(v);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    if (exponent >= 0) {
      const size_t int_len = static_cast<size_t>(exponent) + 1;
      out->append(digits, std::min(n, int_len));
      if (n < int_len) out->append(int_len - n, '0');
      *out += '.';
      if (n > int_len) {
        out->append(digits + int_len, n - int_len);
      } else {
        *out += '0';
      }
    } else {
      *out += "0.";
      out->append(static_cast<size_t>(-exponent - 1), '0');
      out->append(digits, n);
    }
    return;
  }
  *out += digits[0];
  *out += '.';
  if (n > 1) {
    out->append(digits + 1, n - 1);
  } else {
    *out += '0';
  }
  *out += 'E';
  char exponent_digits[8];
  out->append(
      exponent_digits,
      std::to_chars(exponent_digits, exponent_digits + sizeof exponent_digits, exponent)
          .ptr);
}

}  // namespace

void AppendJavaDouble(double v, std::string* out) { AppendJavaNumber(v, out); }

void AppendJavaFloat(float v, std::string* out) { AppendJavaNumber(v, out); }

}  // namespace rivulet
