#include "rivulet/schema.h"

#include <nlohmann/json.hpp>

#include "core/json_parse.h"

namespace rivulet {
namespace {

using OrderedJson = nlohmann::ordered_json;

// Spark nests types without limit; a bound keeps hostile input from exhausting the stack.
constexpr int kMaxNestingDepth = 100;

bool IsPlainName(std::string_view name) {
  bool any_letter = false;
  for (char c : name) {
    bool digit = c >= '0' && c <= '9';
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!digit && !letter) return false;
    any_letter = any_letter || letter;
  }
  return any_letter;
}

// Spark's quoteIfNeeded: names that are not plain identifiers go in backquotes, with a
// literal backquote doubled.
std::string QuoteIfNeeded(std::string_view name) {
  if (IsPlainName(name)) return std::string(name);
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  out += '`';
  return out;
}

std::string QuoteComment(std::string_view comment) {
  std::string out = "'";
  for (char c : comment) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

std::string FieldDdl(const Field& field, std::string_view separator) {
  std::string out = QuoteIfNeeded(field.name);
  out += separator;
  out += field.type->ToDdl();
  if (!field.nullable) out += " NOT NULL";
  if (!field.comment.empty()) out += " COMMENT " + QuoteComment(field.comment);
  return out;
}

OrderedJson TypeToJson(const DataType& type);

OrderedJson FieldToJson(const Field& field) {
  std::map<std::string, std::string> metadata = field.metadata;
  if (!field.comment.empty()) metadata["comment"] = field.comment;
  OrderedJson meta = OrderedJson::object();
  for (const auto& [key, value] : metadata) meta[key] = value;
  OrderedJson out;
  out["name"] = field.name;
  out["type"] = TypeToJson(*field.type);
  out["nullable"] = field.nullable;
  out["metadata"] = std::move(meta);
  return out;
}

// Spark's DataType.jsonValue: a bare string for atomic types, an object for nested ones.
OrderedJson TypeToJson(const DataType& type) {
  switch (type.id()) {
    case TypeId::kInt:
      return "integer";
    case TypeId::kLong:
      return "long";
    case TypeId::kShort:
      return "short";
    case TypeId::kByte:
      return "byte";
    case TypeId::kArray: {
      OrderedJson out;
      out["type"] = "array";
      out["elementType"] = TypeToJson(*type.element_type());
      out["containsNull"] = type.contains_null();
      return out;
    }
    case TypeId::kMap: {
      OrderedJson out;
      out["type"] = "map";
      out["keyType"] = TypeToJson(*type.key_type());
      out["valueType"] = TypeToJson(*type.value_type());
      out["valueContainsNull"] = type.value_contains_null();
      return out;
    }
    case TypeId::kStruct: {
      OrderedJson fields = OrderedJson::array();
      for (const Field& f : type.fields()) fields.push_back(FieldToJson(f));
      OrderedJson out;
      out["type"] = "struct";
      out["fields"] = std::move(fields);
      return out;
    }
    default:
      return type.ToString();
  }
}

// A JSON value for an error message, cut short if long.
std::string Brief(const nlohmann::json& json) {
  constexpr size_t kMaxLength = 80;
  std::string text = json.dump();
  if (text.size() > kMaxLength) text = text.substr(0, kMaxLength - 3) + "...";
  return text;
}

Status JsonError(const std::string& message) {
  return Status::InvalidArgument("schema JSON: " + message);
}

const nlohmann::json* Member(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

Result<bool> BoolMember(const nlohmann::json& object, const char* key, bool fallback) {
  const nlohmann::json* v = Member(object, key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) {
    return JsonError(std::string("\"") + key + "\" must be true or false, got " +
                     Brief(*v));
  }
  return v->get<bool>();
}

Result<DataTypePtr> TypeFromJson(const nlohmann::json& json, int depth);

Result<Field> FieldFromJson(const nlohmann::json& json, int depth) {
  const nlohmann::json* name = json.is_object() ? Member(json, "name") : nullptr;
  if (name == nullptr || !name->is_string()) {
    return JsonError("a field needs a string \"name\", got " + Brief(json));
  }
  Field field;
  field.name = name->get<std::string>();
  const nlohmann::json* type = Member(json, "type");
  if (type == nullptr) return JsonError("field '" + field.name + "' has no \"type\"");
  RIVULET_ASSIGN_OR_RETURN(field.type, TypeFromJson(*type, depth + 1));
  RIVULET_ASSIGN_OR_RETURN(field.nullable, BoolMember(json, "nullable", true));
  if (const nlohmann::json* meta = Member(json, "metadata")) {
    if (!meta->is_object()) {
      return JsonError("field '" + field.name + "': \"metadata\" must be an object");
    }
    for (const auto& [key, value] : meta->items()) {
      // Spark keeps a column's comment in its metadata; values that are not strings are
      // kept as their JSON text, since Field metadata holds strings only.
      std::string text = value.is_string() ? value.get<std::string>() : value.dump();
      if (key == "comment") {
        field.comment = std::move(text);
      } else {
        field.metadata[key] = std::move(text);
      }
    }
  }
  return field;
}

Result<std::vector<Field>> FieldsFromJson(const nlohmann::json& json, int depth) {
  const nlohmann::json* fields = Member(json, "fields");
  if (fields == nullptr || !fields->is_array()) {
    return JsonError("a struct needs a \"fields\" array");
  }
  std::vector<Field> out;
  out.reserve(fields->size());
  for (const nlohmann::json& f : *fields) {
    RIVULET_ASSIGN_OR_RETURN(Field field, FieldFromJson(f, depth));
    out.push_back(std::move(field));
  }
  return out;
}

Result<DataTypePtr> TypeFromJson(const nlohmann::json& json, int depth) {
  if (depth > kMaxNestingDepth) {
    return JsonError("types nested deeper than " + std::to_string(kMaxNestingDepth) +
                     " levels");
  }
  if (json.is_string()) {
    // Atomic type names ("integer", "decimal(10,2)", "void", ...) are all DDL names too.
    std::string name = json.get<std::string>();
    auto type = ParseDdlType(name);
    if (!type.ok() || (*type)->IsNested())
      return JsonError("unknown type \"" + name + "\"");
    return *type;
  }
  const nlohmann::json* kind = json.is_object() ? Member(json, "type") : nullptr;
  if (kind == nullptr || !kind->is_string()) {
    return JsonError("expected a type, got " + Brief(json));
  }
  std::string name = kind->get<std::string>();
  if (name == "array") {
    const nlohmann::json* element = Member(json, "elementType");
    if (element == nullptr) return JsonError("an array needs an \"elementType\"");
    RIVULET_ASSIGN_OR_RETURN(DataTypePtr element_type, TypeFromJson(*element, depth + 1));
    RIVULET_ASSIGN_OR_RETURN(bool contains_null, BoolMember(json, "containsNull", true));
    return DataType::Array(std::move(element_type), contains_null);
  }
  if (name == "map") {
    const nlohmann::json* key = Member(json, "keyType");
    const nlohmann::json* value = Member(json, "valueType");
    if (key == nullptr || value == nullptr) {
      return JsonError("a map needs a \"keyType\" and a \"valueType\"");
    }
    RIVULET_ASSIGN_OR_RETURN(DataTypePtr key_type, TypeFromJson(*key, depth + 1));
    RIVULET_ASSIGN_OR_RETURN(DataTypePtr value_type, TypeFromJson(*value, depth + 1));
    RIVULET_ASSIGN_OR_RETURN(bool value_contains_null,
                             BoolMember(json, "valueContainsNull", true));
    return DataType::Map(std::move(key_type), std::move(value_type), value_contains_null);
  }
  if (name == "struct") {
    RIVULET_ASSIGN_OR_RETURN(std::vector<Field> fields, FieldsFromJson(json, depth));
    return DataType::Struct(std::move(fields));
  }
  return JsonError("unknown type \"" + name + "\"");
}

}  // namespace

bool Field::Equals(const Field& other) const {
  return name == other.name && nullable == other.nullable && type->Equals(*other.type);
}

bool DataType::Equals(const DataType& other) const {
  if (this == &other) return true;
  if (id_ != other.id_) return false;
  switch (id_) {
    case TypeId::kDecimal:
      return precision_ == other.precision_ && scale_ == other.scale_;
    case TypeId::kArray:
      return contains_null_ == other.contains_null_ && element_->Equals(*other.element_);
    case TypeId::kMap:
      return contains_null_ == other.contains_null_ && key_->Equals(*other.key_) &&
             element_->Equals(*other.element_);
    case TypeId::kStruct:
      if (fields_.size() != other.fields_.size()) return false;
      for (size_t i = 0; i < fields_.size(); ++i) {
        if (!fields_[i].Equals(other.fields_[i])) return false;
      }
      return true;
    default:
      return true;
  }
}

std::string DataType::ToString() const {
  switch (id_) {
    case TypeId::kNull:
      return "void";
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kByte:
      return "tinyint";
    case TypeId::kShort:
      return "smallint";
    case TypeId::kInt:
      return "int";
    case TypeId::kLong:
      return "bigint";
    case TypeId::kFloat:
      return "float";
    case TypeId::kDouble:
      return "double";
    case TypeId::kDecimal:
      return "decimal(" + std::to_string(precision_) + "," + std::to_string(scale_) + ")";
    case TypeId::kString:
      return "string";
    case TypeId::kBinary:
      return "binary";
    case TypeId::kDate:
      return "date";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kTimestampNtz:
      return "timestamp_ntz";
    case TypeId::kDayTimeInterval:
      return "interval day to second";
    case TypeId::kVariant:
      return "variant";
    case TypeId::kArray:
      return "array<" + element_->ToString() + ">";
    case TypeId::kMap:
      return "map<" + key_->ToString() + "," + element_->ToString() + ">";
    case TypeId::kStruct: {
      std::string out = "struct<";
      for (size_t i = 0; i < fields_.size(); ++i) {
        if (i > 0) out += ',';
        out += fields_[i].name + ":" + fields_[i].type->ToString();
      }
      return out + ">";
    }
  }
  return "unknown";
}

std::string DataType::ToDdl() const {
  switch (id_) {
    case TypeId::kArray:
      return "ARRAY<" + element_->ToDdl() + ">";
    case TypeId::kMap:
      return "MAP<" + key_->ToDdl() + ", " + element_->ToDdl() + ">";
    case TypeId::kStruct: {
      std::string out = "STRUCT<";
      for (size_t i = 0; i < fields_.size(); ++i) {
        if (i > 0) out += ", ";
        out += FieldDdl(fields_[i], ": ");
      }
      return out + ">";
    }
    default: {
      std::string out = ToString();
      for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      }
      return out;
    }
  }
}

#define RIVULET_PRIMITIVE(Name, id)                   \
  DataTypePtr DataType::Name() {                      \
    static const DataTypePtr kType(new DataType(id)); \
    return kType;                                     \
  }
RIVULET_PRIMITIVE(Null, TypeId::kNull)
RIVULET_PRIMITIVE(Boolean, TypeId::kBoolean)
RIVULET_PRIMITIVE(Byte, TypeId::kByte)
RIVULET_PRIMITIVE(Short, TypeId::kShort)
RIVULET_PRIMITIVE(Int, TypeId::kInt)
RIVULET_PRIMITIVE(Long, TypeId::kLong)
RIVULET_PRIMITIVE(Float, TypeId::kFloat)
RIVULET_PRIMITIVE(Double, TypeId::kDouble)
RIVULET_PRIMITIVE(String, TypeId::kString)
RIVULET_PRIMITIVE(Binary, TypeId::kBinary)
RIVULET_PRIMITIVE(Date, TypeId::kDate)
RIVULET_PRIMITIVE(Timestamp, TypeId::kTimestamp)
RIVULET_PRIMITIVE(TimestampNtz, TypeId::kTimestampNtz)
RIVULET_PRIMITIVE(DayTimeInterval, TypeId::kDayTimeInterval)
#undef RIVULET_PRIMITIVE

DataTypePtr DataType::Variant() {
  static const DataTypePtr kType = [] {
    auto type = std::shared_ptr<DataType>(new DataType(TypeId::kVariant));
    Field metadata{"metadata", Binary(), false};
    metadata.metadata["variant"] = "true";
    type->fields_ = {Field{"value", Binary(), false}, std::move(metadata)};
    return DataTypePtr(std::move(type));
  }();
  return kType;
}

Result<DataTypePtr> DataType::Decimal(int precision, int scale) {
  std::string name =
      "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
  if (precision < 1 || precision > 38) {
    return Status::InvalidArgument("invalid " + name +
                                   ": precision must be between 1 and 38");
  }
  if (scale < 0 || scale > precision) {
    return Status::InvalidArgument("invalid " + name +
                                   ": scale must be between 0 and the precision");
  }
  auto type = std::shared_ptr<DataType>(new DataType(TypeId::kDecimal));
  type->precision_ = precision;
  type->scale_ = scale;
  return DataTypePtr(std::move(type));
}

DataTypePtr DataType::Array(DataTypePtr element, bool contains_null) {
  auto type = std::shared_ptr<DataType>(new DataType(TypeId::kArray));
  type->element_ = std::move(element);
  type->contains_null_ = contains_null;
  return type;
}

DataTypePtr DataType::Map(DataTypePtr key, DataTypePtr value, bool value_contains_null) {
  auto type = std::shared_ptr<DataType>(new DataType(TypeId::kMap));
  type->key_ = std::move(key);
  type->element_ = std::move(value);
  type->contains_null_ = value_contains_null;
  return type;
}

DataTypePtr DataType::Struct(std::vector<Field> fields) {
  auto type = std::shared_ptr<DataType>(new DataType(TypeId::kStruct));
  type->fields_ = std::move(fields);
  return type;
}

int Schema::FieldIndex(std::string_view name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

bool Schema::Equals(const Schema& other) const {
  if (fields_.size() != other.fields_.size()) return false;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (!fields_[i].Equals(other.fields_[i])) return false;
  }
  return true;
}

std::string Schema::ToDdl() const {
  std::string out;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i > 0) out += ", ";
    out += FieldDdl(fields_[i], " ");
  }
  return out;
}

std::string Schema::ToString() const { return DataType::Struct(fields_)->ToString(); }

std::string Schema::ToSparkJson() const {
  return TypeToJson(*DataType::Struct(fields_)).dump();
}

Result<Schema> Schema::FromSparkJson(std::string_view json) {
  auto parsed = core::ParseJson(json);
  if (!parsed.ok()) return JsonError(parsed.status().message());
  const nlohmann::json* kind = parsed->is_object() ? Member(*parsed, "type") : nullptr;
  if (kind == nullptr || *kind != "struct") {
    return JsonError("expected {\"type\":\"struct\",\"fields\":[...]}, got " +
                     Brief(*parsed));
  }
  RIVULET_ASSIGN_OR_RETURN(std::vector<Field> fields, FieldsFromJson(*parsed, 0));
  return Schema(std::move(fields));
}

}  // namespace rivulet
