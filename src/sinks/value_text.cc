#include "sinks/value_text.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/decimal_text.h"
#include "core/temporal_text.h"
#include "core/variant.h"

namespace rivulet {
namespace {

tm CivilTime(int64_t secs) {
  time_t t = static_cast<time_t>(secs);
  tm parts{};
  gmtime_r(&t, &parts);
  return parts;
}

}  // namespace

std::string IsoTimestamp(int64_t micros, TimestampStyle style) {
  int64_t secs = micros / 1'000'000;
  int64_t frac = micros % 1'000'000;
  if (frac < 0) {
    frac += 1'000'000;
    --secs;
  }
  tm parts = CivilTime(secs);
  char buf[64];
  if (style == TimestampStyle::kSql) {
    snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06d", parts.tm_year + 1900,
             parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
             static_cast<int>(frac));
  } else {
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%s",
             parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour,
             parts.tm_min, parts.tm_sec, static_cast<int>(frac / 1000),
             style == TimestampStyle::kJson ? "Z" : "");
  }
  return buf;
}

std::string IsoDate(int32_t days) {
  tm parts = CivilTime(static_cast<int64_t>(days) * 86400);
  char buf[32];
  snprintf(buf, sizeof buf, "%04d-%02d-%02d", parts.tm_year + 1900, parts.tm_mon + 1,
           parts.tm_mday);
  return buf;
}

void AppendJsonValue(const Value& v, const DataType& type, std::string* out) {
  switch (type.id()) {
    case TypeId::kString:
      *out += nlohmann::json(v.as<std::string>()).dump();
      return;
    case TypeId::kBinary:
      *out += '"' + Base64(v.as<Bytes>().data) + '"';
      return;
    case TypeId::kDate:
      *out += '"' + IsoDate(v.as<DateValue>().days) + '"';
      return;
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz:
      *out += '"' +
              IsoTimestamp(v.as<TimestampValue>().micros,
                           type.id() == TypeId::kTimestamp ? TimestampStyle::kJson
                                                           : TimestampStyle::kJsonNtz) +
              '"';
      return;
    case TypeId::kDecimal:
      *out += FormatDecimal(v.as<DecimalValue>().unscaled, v.as<DecimalValue>().scale);
      return;
    case TypeId::kDayTimeInterval:
      *out += '"' + FormatDayTimeInterval(v.as<IntervalValue>().micros) + '"';
      return;
    case TypeId::kVariant: {
      // Batches are validated as they enter the engine, so the bytes are well formed.
      auto json =
          VariantToJson(v.as<VariantValue>().value, v.as<VariantValue>().metadata);
      *out += json.ok() ? *json : "null";
      return;
    }
    case TypeId::kArray: {
      *out += '[';
      bool first = true;
      for (const auto& item : v.as<ListValue>().items) {
        if (!first) *out += ',';
        first = false;
        if (item.is_null()) {
          *out += "null";
        } else {
          AppendJsonValue(item, *type.element_type(), out);
        }
      }
      *out += ']';
      return;
    }
    case TypeId::kMap: {
      *out += '{';
      bool first = true;
      for (const auto& [key, value] : v.as<MapValue>().entries) {
        if (!first) *out += ',';
        first = false;
        std::string key_text =
            key.is<std::string>() ? key.as<std::string>() : key.ToString();
        *out += nlohmann::json(key_text).dump() + ':';
        if (value.is_null()) {
          *out += "null";
        } else {
          AppendJsonValue(value, *type.value_type(), out);
        }
      }
      *out += '}';
      return;
    }
    case TypeId::kStruct: {
      *out += '{';
      bool first = true;
      const auto& items = v.as<ListValue>().items;
      for (size_t i = 0; i < items.size(); ++i) {
        if (items[i].is_null()) continue;
        if (!first) *out += ',';
        first = false;
        *out += nlohmann::json(type.fields()[i].name).dump() + ':';
        AppendJsonValue(items[i], *type.fields()[i].type, out);
      }
      *out += '}';
      return;
    }
    default:
      break;
  }
  // Scalars: booleans and numbers print as JSON does. JSON has no NaN or infinities;
  // Spark's JSON writer puts them as the strings "NaN", "Infinity" and "-Infinity", which
  // its reader takes back for a floating-point column.
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, double>) {
          if (std::isnan(x)) {
            *out += "\"NaN\"";
          } else if (std::isinf(x)) {
            *out += x > 0 ? "\"Infinity\"" : "\"-Infinity\"";
          } else {
            *out += v.ToString();  // Java's Double.toString, as Spark: 1.0E20
          }
        } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, int64_t>) {
          *out += nlohmann::json(x).dump();
        } else {
          *out += "null";
        }
      },
      v.storage());
}

}  // namespace rivulet
