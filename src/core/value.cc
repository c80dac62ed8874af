#include "rivulet/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/decimal_text.h"
#include "core/double_text.h"
#include "rivulet/schema.h"

namespace rivulet {

void AppendJavaDouble(double v, std::string* out) {
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
  // The shortest digits that read back as v, as d.ddde[+-]x, laid out again.
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
  const double magnitude = std::fabs(v);
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

namespace {

std::string FormatDouble(double v) {
  std::string out;
  AppendJavaDouble(v, &out);
  return out;
}

struct CivilDate {
  int64_t year;
  int month;
  int day;
};

// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  int64_t doe = days - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

std::string FormatDate(int64_t days) {
  CivilDate d = CivilFromDays(days);
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%s%04lld-%02d-%02d", d.year < 0 ? "-" : "",
                static_cast<long long>(d.year < 0 ? -d.year : d.year), d.month, d.day);
  return buf;
}

std::string FormatTimestamp(int64_t micros) {
  constexpr int64_t kMicrosPerDay = 86'400'000'000;
  int64_t days = FloorDiv(micros, kMicrosPerDay);
  int64_t of_day = micros - days * kMicrosPerDay;
  int64_t seconds = of_day / 1'000'000;
  int64_t fraction = of_day % 1'000'000;
  char buf[32];
  std::snprintf(buf, sizeof(buf), " %02d:%02d:%02d", static_cast<int>(seconds / 3600),
                static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60));
  std::string out = FormatDate(days) + buf;
  if (fraction != 0) {
    std::snprintf(buf, sizeof(buf), ".%06d", static_cast<int>(fraction));
    std::string digits = buf;
    digits.erase(digits.find_last_not_of('0') + 1);
    out += digits;
  }
  return out;
}

std::string FormatBytes(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "[";
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) out += ' ';
    auto b = static_cast<unsigned char>(bytes[i]);
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  out += ']';
  return out;
}

// "<open>a, b, c<close>"
std::string Join(const std::vector<std::string>& parts, char open, char close) {
  size_t size = 2;
  for (const std::string& part : parts) size += part.size() + 2;
  std::string out;
  out.reserve(size);
  out += open;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += ", ";
    out += parts[i];
  }
  out += close;
  return out;
}

// Renders `value`, using `type` (may be null) to tell structs from arrays.
std::string Render(const Value& value, const DataType* type) {
  struct Visitor {
    const DataType* type;
    std::string operator()(std::monostate) const { return "null"; }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return FormatDouble(v); }
    std::string operator()(const std::string& v) const { return v; }
    std::string operator()(const Bytes& v) const { return FormatBytes(v.data); }
    std::string operator()(const DecimalValue& v) const {
      return FormatDecimal(v.unscaled, v.scale);
    }
    std::string operator()(const DateValue& v) const { return FormatDate(v.days); }
    std::string operator()(const TimestampValue& v) const {
      return FormatTimestamp(v.micros);
    }
    std::string operator()(const ListValue& v) const {
      bool is_struct = type != nullptr && type->id() == TypeId::kStruct &&
                       type->fields().size() == v.items.size();
      std::vector<std::string> parts;
      for (size_t i = 0; i < v.items.size(); ++i) {
        const DataType* item_type = nullptr;
        if (is_struct) {
          item_type = type->fields()[i].type.get();
        } else if (type != nullptr && type->id() == TypeId::kArray) {
          item_type = type->element_type().get();
        }
        parts.push_back(Render(v.items[i], item_type));
      }
      return is_struct ? Join(parts, '{', '}') : Join(parts, '[', ']');
    }
    std::string operator()(const MapValue& v) const {
      bool is_map = type != nullptr && type->id() == TypeId::kMap;
      std::vector<std::string> parts;
      for (const auto& [key, item] : v.entries) {
        std::string entry = Render(key, is_map ? type->key_type().get() : nullptr);
        entry += " -> ";
        entry += Render(item, is_map ? type->value_type().get() : nullptr);
        parts.push_back(std::move(entry));
      }
      return Join(parts, '{', '}');
    }
  };
  return std::visit(Visitor{type}, value.storage());
}

}  // namespace

std::string FormatDecimal(__int128 unscaled, int scale) {
  bool negative = unscaled < 0;
  // Negate in unsigned arithmetic so the most negative value does not overflow.
  unsigned __int128 magnitude = negative ? ~static_cast<unsigned __int128>(unscaled) + 1
                                         : static_cast<unsigned __int128>(unscaled);
  std::string digits;
  do {
    digits.insert(digits.begin(),
                  static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  if (scale < 0) {
    digits.append(static_cast<size_t>(-scale), '0');
  } else if (scale > 0) {
    size_t s = static_cast<size_t>(scale);
    if (digits.size() <= s) digits.insert(0, s + 1 - digits.size(), '0');
    digits.insert(digits.size() - s, 1, '.');
  }
  if (negative) digits.insert(digits.begin(), '-');
  return digits;
}

const char* Value::KindName() const {
  static constexpr const char* kNames[] = {"null",      "bool",  "int",     "float",
                                           "string",    "bytes", "decimal", "date",
                                           "timestamp", "list",  "map"};
  static_assert(std::size(kNames) == std::variant_size_v<Storage>);
  return kNames[v_.index()];
}

std::string Value::ToString() const { return Render(*this, nullptr); }

std::string Value::ToString(const DataType& type) const { return Render(*this, &type); }

}  // namespace rivulet
