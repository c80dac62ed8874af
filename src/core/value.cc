#include "rivulet/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/decimal_text.h"
#include "core/double_text.h"
#include "core/temporal_text.h"
#include "core/variant.h"
#include "rivulet/schema.h"

namespace rivulet {

namespace {

std::string FormatDouble(double v) {
  std::string out;
  AppendJavaDouble(v, &out);
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
    std::string operator()(const IntervalValue& v) const {
      return FormatDayTimeInterval(v.micros);
    }
    std::string operator()(const VariantValue& v) const {
      auto json = VariantToJson(v.value, v.metadata);
      return json.ok() ? *json : "<malformed variant>";
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
  static constexpr const char* kNames[] = {
      "null", "bool",      "int",      "float",   "string", "bytes", "decimal",
      "date", "timestamp", "interval", "variant", "list",   "map"};
  static_assert(std::size(kNames) == std::variant_size_v<Storage>);
  return kNames[v_.index()];
}

std::string Value::ToString() const { return Render(*this, nullptr); }

std::string Value::ToString(const DataType& type) const { return Render(*this, &type); }

}  // namespace rivulet
