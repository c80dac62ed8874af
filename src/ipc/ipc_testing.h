#pragma once

// Helpers for the IPC unit tests: the shared fixtures in tests/arrow_js/fixtures (a Spark
// JSON schema and rows in a canonical JSON form that the Arrow JS and Python checks use
// too), conversion between that form and Values, and running helper programs.
//
// Canonical JSON of a value, by type: boolean -> true/false; byte, short, int, date
// (days) -> number; long, timestamp (microseconds) -> string of digits; float, double ->
// number, or "NaN", "Infinity", "-Infinity"; decimal -> string with exactly `scale`
// fraction digits; string -> string; binary -> lowercase hex; array -> list; map -> list
// of [key, value]; struct -> object by field name; null -> null.

#include <stdlib.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "ipc/reader.h"
#include "ipc/writer.h"
#include "rivulet/record_batch.h"
#include "rivulet/schema.h"

namespace rivulet::ipc::testing {

using nlohmann::json;

inline std::string SourceDir() { return RIVULET_SOURCE_DIR; }
inline std::string FixtureDir() { return SourceDir() + "/tests/arrow_js/fixtures"; }

inline std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void WriteFileBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

inline std::string MakeTempDir(const std::string& tag) {
  std::string templ =
      (std::filesystem::temp_directory_path() / ("rivulet-" + tag + "-XXXXXX")).string();
  return mkdtemp(templ.data());
}

// Runs a shell command; returns its exit code and fills *output with its stdout.
inline int RunCommand(const std::string& command, std::string* output) {
  output->clear();
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) output->append(buf.data(), n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

inline std::string Hex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

inline std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

inline std::string Int128ToString(__int128 v) {
  if (v == 0) return "0";
  bool negative = v < 0;
  unsigned __int128 u = negative ? -static_cast<unsigned __int128>(v) : v;
  std::string digits;
  while (u > 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return negative ? "-" + digits : digits;
}

inline std::string DecimalToString(__int128 unscaled, int scale) {
  std::string digits = Int128ToString(unscaled < 0 ? -unscaled : unscaled);
  if (static_cast<int>(digits.size()) <= scale) {
    digits.insert(0, scale + 1 - digits.size(), '0');
  }
  if (scale > 0) digits.insert(digits.size() - scale, ".");
  return unscaled < 0 ? "-" + digits : digits;
}

inline __int128 ParseDecimal(const std::string& text, int scale) {
  bool negative = !text.empty() && text[0] == '-';
  __int128 v = 0;
  int fraction = -1;
  for (char c : text) {
    if (c == '.') {
      fraction = 0;
    } else if (c >= '0' && c <= '9') {
      v = v * 10 + (c - '0');
      if (fraction >= 0) ++fraction;
    }
  }
  for (int i = std::max(fraction, 0); i < scale; ++i) v *= 10;
  return negative ? -v : v;
}

inline json FloatToJson(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  return d;
}

inline double JsonToFloat(const json& j) {
  if (j.is_string()) {
    std::string s = j.get<std::string>();
    if (s == "NaN") return std::nan("");
    return s[0] == '-' ? -INFINITY : INFINITY;
  }
  return j.get<double>();
}

inline json ValueToJson(const Value& v, const DataType& type) {
  if (v.is_null()) return nullptr;
  switch (type.id()) {
    case TypeId::kNull:
      return nullptr;
    case TypeId::kBoolean:
      return v.as<bool>();
    case TypeId::kByte:
    case TypeId::kShort:
    case TypeId::kInt:
      return v.as<int64_t>();
    case TypeId::kLong:
      return std::to_string(v.as<int64_t>());
    case TypeId::kFloat:
    case TypeId::kDouble:
      return FloatToJson(v.as<double>());
    case TypeId::kDecimal:
      return DecimalToString(v.as<DecimalValue>().unscaled, type.scale());
    case TypeId::kString:
      return v.as<std::string>();
    case TypeId::kBinary:
      return Hex(v.as<Bytes>().data);
    case TypeId::kDate:
      return v.as<DateValue>().days;
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz:
      return std::to_string(v.as<TimestampValue>().micros);
    case TypeId::kDayTimeInterval:
      return std::to_string(v.as<IntervalValue>().micros);
    case TypeId::kVariant:
      return {{"value", Hex(v.as<VariantValue>().value)},
              {"metadata", Hex(v.as<VariantValue>().metadata)}};
    case TypeId::kArray: {
      json out = json::array();
      for (const Value& item : v.as<ListValue>().items) {
        out.push_back(ValueToJson(item, *type.element_type()));
      }
      return out;
    }
    case TypeId::kMap: {
      json out = json::array();
      for (const auto& [key, value] : v.as<MapValue>().entries) {
        out.push_back(
            {ValueToJson(key, *type.key_type()), ValueToJson(value, *type.value_type())});
      }
      return out;
    }
    case TypeId::kStruct: {
      json out = json::object();
      const auto& items = v.as<ListValue>().items;
      for (size_t i = 0; i < type.fields().size(); ++i) {
        out[type.fields()[i].name] = ValueToJson(items[i], *type.fields()[i].type);
      }
      return out;
    }
  }
  return nullptr;
}

inline Value JsonToValue(const json& j, const DataType& type) {
  if (j.is_null()) return Value();
  switch (type.id()) {
    case TypeId::kNull:
      return Value();
    case TypeId::kBoolean:
      return Value(j.get<bool>());
    case TypeId::kByte:
    case TypeId::kShort:
    case TypeId::kInt:
      return Value(j.get<int64_t>());
    case TypeId::kLong:
      return Value(static_cast<int64_t>(std::stoll(j.get<std::string>())));
    case TypeId::kFloat:
    case TypeId::kDouble:
      return Value(JsonToFloat(j));
    case TypeId::kDecimal:
      return Value(
          DecimalValue{ParseDecimal(j.get<std::string>(), type.scale()), type.scale()});
    case TypeId::kString:
      return Value(j.get<std::string>());
    case TypeId::kBinary:
      return Value(Bytes{Unhex(j.get<std::string>())});
    case TypeId::kDate:
      return Value(DateValue{j.get<int32_t>()});
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz:
      return Value(
          TimestampValue{static_cast<int64_t>(std::stoll(j.get<std::string>()))});
    case TypeId::kDayTimeInterval:
      return Value(IntervalValue{static_cast<int64_t>(std::stoll(j.get<std::string>()))});
    case TypeId::kVariant:
      return Value(VariantValue{Unhex(j["value"].get<std::string>()),
                                Unhex(j["metadata"].get<std::string>())});
    case TypeId::kArray: {
      ListValue list;
      for (const json& item : j)
        list.items.push_back(JsonToValue(item, *type.element_type()));
      return Value(std::move(list));
    }
    case TypeId::kMap: {
      MapValue map;
      for (const json& kv : j) {
        map.entries.emplace_back(JsonToValue(kv[0], *type.key_type()),
                                 JsonToValue(kv[1], *type.value_type()));
      }
      return Value(std::move(map));
    }
    case TypeId::kStruct: {
      ListValue fields;
      for (const Field& f : type.fields())
        fields.items.push_back(JsonToValue(j[f.name], *f.type));
      return Value(std::move(fields));
    }
  }
  return Value();
}

// Rows of a batch as canonical JSON (a list of lists).
inline json BatchToJson(const RecordBatch& batch) {
  json rows = json::array();
  for (const auto& row : batch.ToRows()) {
    json out = json::array();
    for (size_t c = 0; c < row.size(); ++c) {
      out.push_back(ValueToJson(row[c], *batch.schema()->field(c).type));
    }
    rows.push_back(std::move(out));
  }
  return rows;
}

inline json BatchesToJson(const std::vector<RecordBatchPtr>& batches) {
  json out = json::array();
  for (const RecordBatchPtr& b : batches) out.push_back(BatchToJson(*b));
  return out;
}

// The NOLINT: clang-tidy 14 follows nlohmann::json's noexcept default constructor into a
// throw that it cannot reach, so it takes this struct's implicit default constructor for
// one that throws.
struct Fixture {  // NOLINT(bugprone-exception-escape)
  std::shared_ptr<const Schema> schema;
  json batches;  // canonical JSON: a list of batches, each a list of rows
  std::vector<RecordBatchPtr> built;
};

inline Result<RecordBatchPtr> BuildBatch(const std::shared_ptr<const Schema>& schema,
                                         const json& rows) {
  RecordBatchBuilder builder(schema);
  for (const json& row : rows) {
    std::vector<Value> values;
    values.reserve(schema->num_fields());
    for (int c = 0; c < schema->num_fields(); ++c) {
      values.push_back(JsonToValue(row[c], *schema->field(c).type));
    }
    RIVULET_RETURN_NOT_OK(builder.AppendRow(values));
  }
  return builder.Finish();
}

// Loads tests/arrow_js/fixtures/<name>.json and builds its batches.
inline Result<Fixture> LoadFixture(const std::string& name) {
  json doc = json::parse(ReadFileBytes(FixtureDir() + "/" + name + ".json"));
  Fixture f;
  RIVULET_ASSIGN_OR_RETURN(Schema schema, Schema::FromSparkJson(doc["schema"].dump()));
  f.schema = std::make_shared<const Schema>(std::move(schema));
  f.batches = doc["batches"];
  for (const json& rows : f.batches) {
    RIVULET_ASSIGN_OR_RETURN(RecordBatchPtr batch, BuildBatch(f.schema, rows));
    f.built.push_back(std::move(batch));
  }
  return f;
}

}  // namespace rivulet::ipc::testing
