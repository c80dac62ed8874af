#include "rivulet/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/decimal_text.h"
#include "rivulet/schema.h"

namespace rivulet {
namespace {

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  // The shortest digits that read back as v, as d.ddde[+-]x; then Java's Double.toString
  // layout: plain notation for 1e-3 <= |v| < 1e7, else d.dddE<x>.
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, result.ptr - buf);
  std::string out;
  if (sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  size_t e = sci.find('e');
  int exponent = std::atoi(std::string(sci.substr(e + 1)).c_str());
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  double magnitude = std::fabs(v);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    if (exponent >= 0) {
      size_t int_len = static_cast<size_t>(exponent) + 1;
      if (digits.size() < int_len) digits.append(int_len - digits.size(), '0');
      out.append(digits, 0, int_len);
      out += '.';
      if (digits.size() > int_len) {
        out.append(digits, int_len);
      } else {
        out += '0';
      }
    } else {
      out += "0.";
      out.append(static_cast<size_t>(-exponent - 1), '0');
      out += digits;
    }
    return out;
  }
  out += digits[0];
  out += '.';
  if (digits.size() > 1) {
    out.append(digits, 1);
  } else {
    out += '0';
  }
  out += 'E';
  out += std::to_string(exponent);
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
