#include "sinks/sql_text.h"

#include "core/decimal_text.h"
#include "sinks/value_text.h"

namespace rivulet {

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string SqlText(const Value& v, const DataType& type) {
  switch (type.id()) {
    case TypeId::kString:
      return v.as<std::string>();
    case TypeId::kDecimal:
      return FormatDecimal(v.as<DecimalValue>().unscaled, v.as<DecimalValue>().scale);
    case TypeId::kDate:
      return IsoDate(v.as<DateValue>().days);
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz:
      return IsoTimestamp(v.as<TimestampValue>().micros, TimestampStyle::kSql);
    case TypeId::kArray:
    case TypeId::kMap:
    case TypeId::kStruct:
    case TypeId::kVariant: {
      std::string json;
      AppendJsonValue(v, type, &json);
      return json;
    }
    default:
      return v.ToString(type);
  }
}

}  // namespace rivulet
