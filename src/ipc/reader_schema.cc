// Schema planning: a flatbuffer Schema to the engine's Schema and a read plan per column.

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ipc/reader_internal.h"

namespace rivulet::ipc::internal {

std::string UnitName(fb::TimeUnit unit) {
  switch (unit) {
    case fb::TimeUnit::Second:
      return "s";
    case fb::TimeUnit::Millisecond:
      return "ms";
    case fb::TimeUnit::Microsecond:
      return "us";
    case fb::TimeUnit::Nanosecond:
      return "ns";
  }
  return std::to_string(static_cast<int>(unit));
}

namespace {

Status Unsupported(const std::string& path, const std::string& arrow_type) {
  return Status::InvalidArgument("column '" + path + "': unsupported Arrow type " +
                                 arrow_type);
}

Result<FieldPlan> PlanField(const fb::Field* field, const std::string& parent_path);

Status PlanChildren(const fb::Field* field, FieldPlan* plan, size_t expected,
                    const char* kind) {
  const auto* children = field->children();
  size_t n = children ? children->size() : 0;
  if (expected != 0 && n != expected) {
    return ColumnError(plan->path, std::string(kind) + " field has " + std::to_string(n) +
                                       " children, not " + std::to_string(expected));
  }
  for (size_t i = 0; i < n; ++i) {
    RIVULET_ASSIGN_OR_RETURN(FieldPlan child, PlanField(children->Get(i), plan->path));
    plan->children.push_back(std::move(child));
  }
  return Status::OK();
}

Field EngineField(const FieldPlan& plan, const fb::Field* field) {
  Field f;
  f.name = field->name() ? field->name()->str() : "";
  f.type = plan.type;
  f.nullable = plan.nullable;
  if (const auto* kvs = field->custom_metadata()) {
    for (const fb::KeyValue* kv : *kvs) {
      if (!kv->key()) continue;
      std::string value = kv->value() ? kv->value()->str() : "";
      if (kv->key()->str() == "comment") {
        f.comment = std::move(value);  // Spark keeps a column's comment in its metadata
      } else {
        f.metadata[kv->key()->str()] = std::move(value);
      }
    }
  }
  return f;
}

// PySpark sends a VARIANT as a struct whose "metadata" field is tagged variant=true.
bool IsTaggedVariant(const std::vector<Field>& fields) {
  for (const Field& f : fields) {
    auto tag = f.metadata.find("variant");
    if (f.name == "metadata" && tag != f.metadata.end() && tag->second == "true") {
      return true;
    }
  }
  return false;
}

// A tagged struct is a variant only in PySpark's layout: struct<value: binary,
// metadata: binary>.
Result<DataTypePtr> VariantType(const std::string& path,
                                const std::vector<Field>& fields) {
  DataTypePtr variant = DataType::Variant();
  const std::vector<Field>& expected = variant->fields();
  bool same = fields.size() == expected.size();
  for (size_t i = 0; same && i < fields.size(); ++i) {
    same =
        fields[i].name == expected[i].name && fields[i].type->Equals(*expected[i].type);
  }
  if (!same) {
    return ColumnError(path,
                       "a variant (tagged variant=true) must be "
                       "struct<value: binary, metadata: binary>, found " +
                           DataType::Struct(fields)->ToString());
  }
  return variant;
}

Result<FieldPlan> PlanField(const fb::Field* field, const std::string& parent_path) {
  FieldPlan plan;
  std::string name = field->name() ? field->name()->str() : "";
  plan.path = parent_path.empty() ? name : parent_path + "." + name;
  plan.nullable = field->nullable();
  const std::string& path = plan.path;

  if (field->type_type() != fb::Type::NONE && field->type() == nullptr) {
    return ColumnError(path, "field has no type table");
  }
  switch (field->type_type()) {
    case fb::Type::NONE:
      return ColumnError(path, "field has no type");
    case fb::Type::NullType:
      plan.wire = Wire::kNull;
      plan.type = DataType::Null();
      plan.nullable = true;
      break;
    case fb::Type::BoolType:
      plan.wire = Wire::kBool;
      plan.type = DataType::Boolean();
      break;
    case fb::Type::IntType: {
      const auto* t = field->type_as_IntType();
      plan.wire = Wire::kInt;
      plan.bit_width = t->bit_width();
      plan.is_signed = t->is_signed();
      std::string name =
          std::string(plan.is_signed ? "int" : "uint") + std::to_string(plan.bit_width);
      switch (plan.bit_width) {
        case 8:
          plan.type = plan.is_signed ? DataType::Byte() : DataType::Short();
          break;
        case 16:
          plan.type = plan.is_signed ? DataType::Short() : DataType::Int();
          break;
        case 32:
          plan.type = plan.is_signed ? DataType::Int() : DataType::Long();
          break;
        case 64:
          if (plan.is_signed) {
            plan.type = DataType::Long();
          } else {
            RIVULET_ASSIGN_OR_RETURN(plan.type, DataType::Decimal(20, 0));
          }
          break;
        default:
          return Unsupported(path, name);
      }
      break;
    }
    case fb::Type::FloatingPointType:
      switch (field->type_as_FloatingPointType()->precision()) {
        case fb::Precision::Single:
          plan.wire = Wire::kFloat32;
          plan.type = DataType::Float();
          break;
        case fb::Precision::Double:
          plan.wire = Wire::kFloat64;
          plan.type = DataType::Double();
          break;
        default:
          return Unsupported(path, "float16");
      }
      break;
    case fb::Type::DecimalType: {
      const auto* t = field->type_as_DecimalType();
      std::string name = "decimal" + std::to_string(t->bit_width()) + "(" +
                         std::to_string(t->precision()) + ", " +
                         std::to_string(t->scale()) + ")";
      if (t->bit_width() != 128 || t->precision() < 1 || t->precision() > 38 ||
          t->scale() < 0 || t->scale() > t->precision()) {
        return Unsupported(path, name);
      }
      plan.wire = Wire::kDecimal128;
      RIVULET_ASSIGN_OR_RETURN(plan.type, DataType::Decimal(t->precision(), t->scale()));
      break;
    }
    case fb::Type::DateType:
      plan.wire = field->type_as_DateType()->unit() == fb::DateUnit::Day ? Wire::kDate32
                                                                         : Wire::kDate64;
      plan.type = DataType::Date();
      break;
    case fb::Type::TimestampType: {
      const auto* t = field->type_as_TimestampType();
      plan.wire = Wire::kTimestamp;
      plan.unit = t->unit();
      if (plan.unit < fb::TimeUnit::Second || plan.unit > fb::TimeUnit::Nanosecond) {
        return Unsupported(path, "timestamp[" + UnitName(plan.unit) + "]");
      }
      bool has_tz = t->timezone() && t->timezone()->size() > 0;
      plan.type = has_tz ? DataType::Timestamp() : DataType::TimestampNtz();
      break;
    }
    case fb::Type::Utf8Type:
      plan.wire = Wire::kUtf8;
      plan.type = DataType::String();
      break;
    case fb::Type::BinaryType:
      plan.wire = Wire::kBinary;
      plan.type = DataType::Binary();
      break;
    case fb::Type::LargeUtf8Type:
      plan.wire = Wire::kLargeUtf8;
      plan.type = DataType::String();
      break;
    case fb::Type::LargeBinaryType:
      plan.wire = Wire::kLargeBinary;
      plan.type = DataType::Binary();
      break;
    case fb::Type::FixedSizeBinaryType: {
      int width = field->type_as_FixedSizeBinaryType()->byte_width();
      if (width < 0)
        return ColumnError(path,
                           "negative fixed_size_binary width " + std::to_string(width));
      plan.wire = Wire::kFixedSizeBinary;
      plan.fixed_size = width;
      plan.type = DataType::Binary();
      break;
    }
    case fb::Type::ListType:
    case fb::Type::LargeListType:
    case fb::Type::FixedSizeListType: {
      const char* kind = "list";
      plan.wire = Wire::kList;
      if (field->type_type() == fb::Type::LargeListType) {
        plan.wire = Wire::kLargeList;
        kind = "large_list";
      } else if (field->type_type() == fb::Type::FixedSizeListType) {
        plan.wire = Wire::kFixedSizeList;
        kind = "fixed_size_list";
        plan.fixed_size = field->type_as_FixedSizeListType()->list_size();
        if (plan.fixed_size < 0) {
          return ColumnError(
              path, "negative fixed_size_list size " + std::to_string(plan.fixed_size));
        }
      }
      RIVULET_RETURN_NOT_OK(PlanChildren(field, &plan, 1, kind));
      plan.type = DataType::Array(plan.children[0].type, plan.children[0].nullable);
      break;
    }
    case fb::Type::StructType: {
      plan.wire = Wire::kStruct;
      RIVULET_RETURN_NOT_OK(PlanChildren(field, &plan, 0, "struct"));
      std::vector<Field> fields;
      const auto* children = field->children();
      for (size_t i = 0; i < plan.children.size(); ++i) {
        fields.push_back(EngineField(plan.children[i], children->Get(i)));
      }
      if (IsTaggedVariant(fields)) {
        RIVULET_ASSIGN_OR_RETURN(plan.type, VariantType(path, fields));
      } else {
        plan.type = DataType::Struct(std::move(fields));
      }
      break;
    }
    case fb::Type::MapType: {
      plan.wire = Wire::kMap;
      RIVULET_RETURN_NOT_OK(PlanChildren(field, &plan, 1, "map"));
      const FieldPlan& entries = plan.children[0];
      if (entries.wire != Wire::kStruct || entries.dictionary ||
          entries.children.size() != 2) {
        return ColumnError(path, "map entries are not a struct of key and value");
      }
      plan.type = DataType::Map(entries.children[0].type, entries.children[1].type,
                                entries.children[1].nullable);
      break;
    }
    case fb::Type::TimeType: {
      const auto* t = field->type_as_TimeType();
      return Unsupported(path, "time" + std::to_string(t->bit_width()) + "[" +
                                   UnitName(t->unit()) + "]");
    }
    case fb::Type::DurationType:
      plan.wire = Wire::kDuration;
      plan.unit = field->type_as_DurationType()->unit();
      if (plan.unit < fb::TimeUnit::Second || plan.unit > fb::TimeUnit::Nanosecond) {
        return Unsupported(path, "duration[" + UnitName(plan.unit) + "]");
      }
      plan.type = DataType::DayTimeInterval();
      break;
    case fb::Type::IntervalType:
      return Unsupported(path, "interval");
    case fb::Type::UnionType:
      return Unsupported(path, "union");
    case fb::Type::RunEndEncodedType:
      return Unsupported(path, "run_end_encoded");
    case fb::Type::BinaryViewType:
      return Unsupported(path, "binary_view");
    case fb::Type::Utf8ViewType:
      return Unsupported(path, "utf8_view");
    case fb::Type::ListViewType:
      return Unsupported(path, "list_view");
    case fb::Type::LargeListViewType:
      return Unsupported(path, "large_list_view");
    default:
      return Unsupported(
          path, "with type id " + std::to_string(static_cast<int>(field->type_type())));
  }

  if (const fb::DictionaryEncoding* dict = field->dictionary()) {
    plan.dictionary = true;
    plan.dictionary_id = dict->id();
    plan.index_bit_width = 32;
    plan.index_signed = true;
    if (const fb::IntType* index = dict->index_type()) {
      plan.index_bit_width = index->bit_width();
      plan.index_signed = index->is_signed();
    }
    if (plan.index_bit_width != 8 && plan.index_bit_width != 16 &&
        plan.index_bit_width != 32 && plan.index_bit_width != 64) {
      return ColumnError(path, "dictionary index bit width " +
                                   std::to_string(plan.index_bit_width) +
                                   " is not 8, 16, 32 or 64");
    }
  }
  return plan;
}

// Records each dictionary-encoded field under its id; an id used twice is an error.
void CollectDictionaries(const FieldPlan& plan, std::map<int64_t, const FieldPlan*>* out,
                         Status* status) {
  if (plan.dictionary) {
    auto [it, inserted] = out->emplace(plan.dictionary_id, &plan);
    if (!inserted && status->ok()) {
      *status = ColumnError(plan.path,
                            "dictionary id " + std::to_string(plan.dictionary_id) +
                                " is already used by column '" + it->second->path + "'");
    }
  }
  for (const FieldPlan& child : plan.children) CollectDictionaries(child, out, status);
}

}  // namespace

Result<std::unique_ptr<SchemaPlan>> PlanSchema(const fb::Schema* schema) {
  if (schema->endianness() != fb::Endianness::Little) {
    return Status::InvalidArgument("big-endian Arrow data is not supported");
  }
  auto plan = std::make_unique<SchemaPlan>();
  std::vector<Field> fields;
  if (const auto* fs = schema->fields()) {
    for (const fb::Field* f : *fs) {
      RIVULET_ASSIGN_OR_RETURN(FieldPlan field, PlanField(f, ""));
      fields.push_back(EngineField(field, f));
      plan->fields.push_back(std::move(field));
    }
  }
  Status status;
  for (const FieldPlan& f : plan->fields)
    CollectDictionaries(f, &plan->dictionaries, &status);
  RIVULET_RETURN_NOT_OK(status);
  plan->schema = std::make_shared<const Schema>(std::move(fields));
  return plan;
}

}  // namespace rivulet::ipc::internal
