#pragma once

// Spark SQL's data types and schemas, with a parser for Spark's DDL schema strings.
//
// Every type maps to one Arrow type (see docs/format/types.md), which fixes the memory
// layout of a RecordBatch column:
//   boolean->bool, byte->int8, short->int16, int->int32, long->int64, float->float32,
//   double->float64, decimal(p,s)->decimal128(p,s), string->utf8, binary->binary,
//   date->date32, timestamp->timestamp[us, UTC], timestamp_ntz->timestamp[us],
//   interval day to second->duration[us], null->null, array<T>->list<T>,
//   map<K,V>->map<K,V>, struct<...>->struct<...>,
//   variant->struct<value: binary not null, metadata: binary not null> (the metadata
//   field tagged variant=true, as PySpark sends it).
// Types are immutable and shared; compare them with Equals, not pointers.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/status.h"

namespace rivulet {

enum class TypeId {
  kNull,
  kBoolean,
  kByte,
  kShort,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kDecimal,
  kString,
  kBinary,
  kDate,
  kTimestamp,
  kTimestampNtz,
  kDayTimeInterval,  // Spark's DayTimeIntervalType(DAY, SECOND): microseconds
  kVariant,          // semi-structured: Spark's variant binary, value and metadata
  kArray,
  kMap,
  kStruct,
};

class DataType;
using DataTypePtr = std::shared_ptr<const DataType>;

struct Field {
  std::string name;
  DataTypePtr type;
  bool nullable = true;
  std::string comment;  // from DDL COMMENT '...'; empty if none
  // Free-form key/value metadata, kept through Arrow IPC round trips.
  std::map<std::string, std::string> metadata;

  bool Equals(
      const Field& other) const;  // name, type, nullability (not comment/metadata)
};

class DataType {
 public:
  TypeId id() const { return id_; }

  // Decimal types:
  int precision() const { return precision_; }
  int scale() const { return scale_; }
  // Array types:
  const DataTypePtr& element_type() const { return element_; }
  bool contains_null() const { return contains_null_; }
  // Map types:
  const DataTypePtr& key_type() const { return key_; }
  const DataTypePtr& value_type() const { return element_; }
  bool value_contains_null() const { return contains_null_; }
  // Struct types, and the variant's storage fields (value, metadata):
  const std::vector<Field>& fields() const { return fields_; }

  bool Equals(const DataType& other) const;
  bool IsNested() const {
    return id_ == TypeId::kArray || id_ == TypeId::kMap || id_ == TypeId::kStruct;
  }
  // Laid out as an Arrow struct of fields(): a struct, or a variant (whose fields are
  // its value and metadata binaries). A variant is atomic to Spark, so not IsNested.
  bool HasStructLayout() const {
    return id_ == TypeId::kStruct || id_ == TypeId::kVariant;
  }

  // Spark's simpleString: "int", "decimal(10,2)", "array<string>",
  // "struct<a:int,b:double>".
  std::string ToString() const;
  // Spark's DDL form, as accepted by ParseDdl: "INT", "ARRAY<STRING>", "STRUCT<a: INT>".
  std::string ToDdl() const;

  // Primitive types are singletons.
  static DataTypePtr Null();
  static DataTypePtr Boolean();
  static DataTypePtr Byte();
  static DataTypePtr Short();
  static DataTypePtr Int();
  static DataTypePtr Long();
  static DataTypePtr Float();
  static DataTypePtr Double();
  static DataTypePtr String();
  static DataTypePtr Binary();
  static DataTypePtr Date();
  static DataTypePtr Timestamp();
  static DataTypePtr TimestampNtz();
  // Spark's INTERVAL DAY TO SECOND, the one day-time interval that Arrow carries.
  static DataTypePtr DayTimeInterval();
  static DataTypePtr Variant();
  // Spark's limits: 1 <= precision <= 38, 0 <= scale <= precision.
  static Result<DataTypePtr> Decimal(int precision, int scale);
  static DataTypePtr Array(DataTypePtr element, bool contains_null = true);
  static DataTypePtr Map(DataTypePtr key, DataTypePtr value,
                         bool value_contains_null = true);
  static DataTypePtr Struct(std::vector<Field> fields);

 private:
  explicit DataType(TypeId id) : id_(id) {}

  TypeId id_;
  int precision_ = 0;
  int scale_ = 0;
  DataTypePtr element_;  // array element or map value
  DataTypePtr key_;
  bool contains_null_ = true;
  std::vector<Field> fields_;
};

class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Field> fields) : fields_(std::move(fields)) {}

  const std::vector<Field>& fields() const { return fields_; }
  int num_fields() const { return static_cast<int>(fields_.size()); }
  const Field& field(int i) const { return fields_[i]; }
  // Index of the field with this name (case-sensitive), or -1.
  int FieldIndex(std::string_view name) const;

  bool Equals(const Schema& other) const;
  // "id INT, name STRING NOT NULL": parses back with ParseDdl to an equal schema.
  std::string ToDdl() const;
  // Spark's StructType.simpleString: "struct<id:int,name:string>".
  std::string ToString() const;
  // Spark's StructType.json, e.g.
  // {"type":"struct","fields":[{"name":"id","type":"integer",
  // "nullable":true,"metadata":{}}]}.
  std::string ToSparkJson() const;
  static Result<Schema> FromSparkJson(std::string_view json);

 private:
  std::vector<Field> fields_;
};

// Parses a Spark DDL schema string: "id INT, name STRING, tags ARRAY<STRING>,
// s STRUCT<a: INT, b: DOUBLE>". Keywords are case-insensitive, names may be backquoted
// (`a b`, with `` for a literal backquote), a column may say NOT NULL and COMMENT 'text'.
// Also accepts Spark's aliases (integer, bigint, smallint, tinyint, real, dec/numeric,
// varchar(n)/char(n) as string, "struct<a:int>" with or without the colon).
// On failure the message names the position:
//   at position 12: expected a type, found '<'.
Result<Schema> ParseDdl(std::string_view ddl);
// Parses a single type, e.g. "map<string, array<int>>".
Result<DataTypePtr> ParseDdlType(std::string_view ddl);

}  // namespace rivulet
