// ReadLimit's wire form, as the Python worker's ReadLimit classes serialize: the class
// name under "_type" and the dataclass field under its Python name.

#include "rivulet/read_limit.h"

#include <array>

#include "core/json_parse.h"

namespace rivulet {
namespace {

struct KindName {
  ReadLimit::Kind kind;
  const char* type;   // the Python class name
  const char* field;  // its dataclass field, or nullptr
};

constexpr std::array<KindName, 5> kKinds = {{
    {ReadLimit::Kind::kAllAvailable, "ReadAllAvailable", nullptr},
    {ReadLimit::Kind::kMinRows, "ReadMinRows", "min_rows"},
    {ReadLimit::Kind::kMaxRows, "ReadMaxRows", "max_rows"},
    {ReadLimit::Kind::kMaxFiles, "ReadMaxFiles", "max_files"},
    {ReadLimit::Kind::kMaxBytes, "ReadMaxBytes", "max_bytes"},
}};

}  // namespace

std::string ReadLimit::ToJson() const {
  for (const KindName& k : kKinds) {
    if (k.kind != kind) continue;
    // Python's json.dumps spacing, so the text reads the same on both sides of the wire.
    std::string out = std::string("{\"_type\": \"") + k.type + "\"";
    if (k.field != nullptr)
      out += std::string(", \"") + k.field + "\": " + std::to_string(value);
    return out + "}";
  }
  return "{}";
}

Result<ReadLimit> ReadLimit::FromJson(std::string_view json) {
  auto parsed = core::ParseJson(json);
  if (!parsed.ok()) {
    return Status::InvalidArgument("read limit is not valid JSON: " +
                                   parsed.status().message());
  }
  const nlohmann::json& j = *parsed;
  auto type = j.is_object() ? j.find("_type") : j.end();
  if (!j.is_object() || type == j.end() || !type->is_string()) {
    return Status::InvalidArgument(
        "read limit must be an object with a string \"_type\", got " + j.dump());
  }
  std::string name = type->get<std::string>();
  for (const KindName& k : kKinds) {
    if (name != k.type) continue;
    ReadLimit limit{k.kind, 0};
    if (k.field == nullptr) return limit;
    auto field = j.find(k.field);
    if (field == j.end() || !field->is_number_integer()) {
      return Status::InvalidArgument("read limit " + name + " needs an integer \"" +
                                     k.field + "\", got " + j.dump());
    }
    if (field->is_number_unsigned() && field->get<uint64_t>() > INT64_MAX) {
      return Status::InvalidArgument("read limit " + name + ": \"" + k.field +
                                     "\" is out of range: " + field->dump());
    }
    limit.value = field->get<int64_t>();
    if (limit.value < 0) {
      return Status::InvalidArgument("read limit " + name + ": \"" + k.field +
                                     "\" must not be negative, got " + field->dump());
    }
    return limit;
  }
  return Status::InvalidArgument("unknown read limit type '" + name + "'");
}

}  // namespace rivulet
