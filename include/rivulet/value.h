#pragma once

// One cell of a row, as a source hands it to RecordBatchBuilder and as sinks read it
// back. Values are loosely typed (an integer is int64 whatever the column's width); the
// builder checks range and kind against the schema.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace rivulet {

class DataType;
class Value;

struct Bytes {  // binary data, distinct from text
  std::string data;
  bool operator==(const Bytes&) const = default;
};
struct DecimalValue {  // unscaled 128-bit integer; the scale comes from the column type
  __int128 unscaled = 0;
  int scale = 0;
  bool operator==(const DecimalValue&) const = default;
};
struct DateValue {  // days since 1970-01-01
  int32_t days = 0;
  bool operator==(const DateValue&) const = default;
};
struct TimestampValue {  // microseconds since the epoch (UTC for timestamp, wall clock
                         // for ntz)
  int64_t micros = 0;
  bool operator==(const TimestampValue&) const = default;
};
struct IntervalValue {  // a day-time interval, in microseconds (may be negative)
  int64_t micros = 0;
  bool operator==(const IntervalValue&) const = default;
};
struct VariantValue {  // Spark's variant binary encoding: a value and its metadata
  std::string value;
  std::string metadata;
  bool operator==(const VariantValue&) const = default;
};
struct ListValue {  // array elements, or struct fields by position
  std::vector<Value> items;
  bool operator==(const ListValue&) const;
};
struct MapValue {
  std::vector<std::pair<Value, Value>> entries;
  bool operator==(const MapValue&) const;
};

class Value {
 public:
  using Storage = std::variant<std::monostate, bool, int64_t, double, std::string, Bytes,
                               DecimalValue, DateValue, TimestampValue, IntervalValue,
                               VariantValue, ListValue, MapValue>;

  Value() = default;                             // null
  Value(bool v) : v_(v) {}                       // NOLINT
  Value(int v) : v_(static_cast<int64_t>(v)) {}  // NOLINT
  Value(int64_t v) : v_(v) {}                    // NOLINT
  Value(double v) : v_(v) {}                     // NOLINT
  Value(std::string v) : v_(std::move(v)) {}     // NOLINT
  Value(const char* v) : v_(std::string(v)) {}   // NOLINT
  Value(Bytes v) : v_(std::move(v)) {}           // NOLINT
  Value(DecimalValue v) : v_(v) {}               // NOLINT
  Value(DateValue v) : v_(v) {}                  // NOLINT
  Value(TimestampValue v) : v_(v) {}             // NOLINT
  Value(IntervalValue v) : v_(v) {}              // NOLINT
  Value(VariantValue v) : v_(std::move(v)) {}    // NOLINT
  Value(ListValue v) : v_(std::move(v)) {}       // NOLINT
  Value(MapValue v) : v_(std::move(v)) {}        // NOLINT

  bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
  template <typename T>
  bool is() const {
    return std::holds_alternative<T>(v_);
  }
  template <typename T>
  const T& as() const {
    return std::get<T>(v_);
  }
  const Storage& storage() const { return v_; }

  // Name of the held kind for error messages: "null", "bool", "int", "string" and so on.
  const char* KindName() const;
  // Spark's console rendering: null -> "null", arrays "[1, 2]", structs "{1, a}",
  // maps "{a -> 1}", timestamps "2024-01-02 03:04:05.123456", intervals
  // "INTERVAL '1 02:00:03.5' DAY TO SECOND", variants as their JSON.
  // Without a type a ListValue prints as an array; the column's type prints structs.
  std::string ToString() const;
  std::string ToString(const DataType& type) const;

  bool operator==(const Value& other) const { return v_ == other.v_; }

 private:
  Storage v_;
};

inline bool ListValue::operator==(const ListValue& o) const { return items == o.items; }
inline bool MapValue::operator==(const MapValue& o) const { return entries == o.entries; }

}  // namespace rivulet
