#include "ipc/reader.h"

#include <errno.h>
#include <unistd.h>

#include <bit>
#include <cstring>
#include <limits>
#include <map>

#include "ipc/arrow_format_generated.h"
#include "ipc/compression.h"
#include "ipc/format_internal.h"
#include "ipc/take.h"

namespace rivulet::ipc {

namespace in = internal;

namespace {

using Owner = std::shared_ptr<const void>;

Status Corrupt(const std::string& message) { return Status::Corruption(message); }

Status ColumnError(const std::string& path, const std::string& message) {
  return Status::Corruption("column '" + path + "': " + message);
}

template <typename T>
T LoadUnaligned(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// A flatbuffer checked by the verifier, in memory aligned for its scalars.
template <typename Root>
Result<const Root*> VerifiedRoot(const uint8_t* data, size_t size, std::string* scratch,
                                 const char* what) {
  if (reinterpret_cast<uintptr_t>(data) % 8 != 0) {
    scratch->assign(reinterpret_cast<const char*>(data), size);
    data = reinterpret_cast<const uint8_t*>(scratch->data());
  }
  flatbuffers::Verifier::Options options;
  options.max_depth = 128;
  options.max_tables = 1 << 20;
  flatbuffers::Verifier verifier(data, size, options);
  if (!verifier.VerifyBuffer<Root>(nullptr)) {
    return Corrupt(std::string(what) + " flatbuffer does not verify");
  }
  return flatbuffers::GetRoot<Root>(data);
}

// ---- schema ----

// How a column is laid out on the wire, before conversion to the engine's layout.
enum class Wire {
  kNull,
  kBool,
  kInt,
  kFloat32,
  kFloat64,
  kDecimal128,
  kDate32,
  kDate64,
  kTimestamp,
  kUtf8,
  kBinary,
  kLargeUtf8,
  kLargeBinary,
  kFixedSizeBinary,
  kList,
  kLargeList,
  kFixedSizeList,
  kStruct,
  kMap,
};

struct FieldPlan {
  std::string path;  // dotted, for error messages
  Wire wire = Wire::kNull;
  int bit_width = 0;      // kInt
  bool is_signed = true;  // kInt
  int fixed_size = 0;     // kFixedSizeBinary bytes, kFixedSizeList values
  fb::TimeUnit unit = fb::TimeUnit::Microsecond;  // kTimestamp
  DataTypePtr type;                               // the engine type
  bool nullable = true;
  // Dictionary-encoded: the wire carries integer indices into dictionary `dictionary_id`,
  // whose values have the layout described by the rest of this plan.
  bool dictionary = false;
  int64_t dictionary_id = 0;
  int index_bit_width = 0;
  bool index_signed = true;
  std::vector<FieldPlan> children;
};

Status Unsupported(const std::string& path, const std::string& arrow_type) {
  return Status::InvalidArgument("column '" + path + "': unsupported Arrow type " +
                                 arrow_type);
}

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

Result<FieldPlan> PlanField(const fb::Field* field, const std::string& parent_path,
                            std::map<int64_t, const FieldPlan*>* dictionaries);

Status PlanChildren(const fb::Field* field, FieldPlan* plan, size_t expected,
                    const char* kind, std::map<int64_t, const FieldPlan*>* dictionaries) {
  const auto* children = field->children();
  size_t n = children ? children->size() : 0;
  if (expected != 0 && n != expected) {
    return ColumnError(plan->path, std::string(kind) + " field has " + std::to_string(n) +
                                       " children, not " + std::to_string(expected));
  }
  for (size_t i = 0; i < n; ++i) {
    RIVULET_ASSIGN_OR_RETURN(FieldPlan child,
                             PlanField(children->Get(i), plan->path, dictionaries));
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

Result<FieldPlan> PlanField(const fb::Field* field, const std::string& parent_path,
                            std::map<int64_t, const FieldPlan*>* dictionaries) {
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
      RIVULET_RETURN_NOT_OK(PlanChildren(field, &plan, 1, kind, dictionaries));
      plan.type = DataType::Array(plan.children[0].type, plan.children[0].nullable);
      break;
    }
    case fb::Type::StructType: {
      plan.wire = Wire::kStruct;
      RIVULET_RETURN_NOT_OK(PlanChildren(field, &plan, 0, "struct", dictionaries));
      std::vector<Field> fields;
      const auto* children = field->children();
      for (size_t i = 0; i < plan.children.size(); ++i) {
        fields.push_back(EngineField(plan.children[i], children->Get(i)));
      }
      plan.type = DataType::Struct(std::move(fields));
      break;
    }
    case fb::Type::MapType: {
      plan.wire = Wire::kMap;
      RIVULET_RETURN_NOT_OK(PlanChildren(field, &plan, 1, "map", dictionaries));
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
      return Unsupported(
          path, "duration[" + UnitName(field->type_as_DurationType()->unit()) + "]");
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

// The decoded schema: the engine's schema, and how to read each column.
struct SchemaPlan {
  std::shared_ptr<const Schema> schema;
  std::vector<FieldPlan> fields;
  // Dictionary id -> the field it encodes (pointing into `fields`).
  std::map<int64_t, const FieldPlan*> dictionaries;
};

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

Result<std::unique_ptr<SchemaPlan>> PlanSchema(const fb::Schema* schema) {
  if (schema->endianness() != fb::Endianness::Little) {
    return Status::InvalidArgument("big-endian Arrow data is not supported");
  }
  auto plan = std::make_unique<SchemaPlan>();
  std::vector<Field> fields;
  if (const auto* fs = schema->fields()) {
    for (const fb::Field* f : *fs) {
      RIVULET_ASSIGN_OR_RETURN(FieldPlan field, PlanField(f, "", nullptr));
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

// ---- bodies ----

// The flatbuffers verifier checks a vector's length field but not that its 8-byte structs
// are aligned; every Arrow writer aligns them, and reading misaligned ones is undefined.
template <typename T>
Status CheckStructVector(const flatbuffers::Vector<const T*>* v, const char* what) {
  if (v != nullptr && reinterpret_cast<uintptr_t>(v->Data()) % alignof(T) != 0) {
    return Corrupt(std::string(what) + " vector is misaligned");
  }
  return Status::OK();
}

// One record batch's buffers and field nodes, handed out in order with every range
// checked.
class BodyReader {
 public:
  BodyReader(const fb::RecordBatch* batch, const uint8_t* body, int64_t body_length,
             Owner owner)
      : batch_(batch), body_(body), body_length_(body_length), owner_(std::move(owner)) {}

  Status Init() {
    if (const fb::BodyCompression* c = batch_->compression()) {
      if (c->method() != 0) {
        return Corrupt("unknown body compression method " + std::to_string(c->method()));
      }
      if (c->codec() == fb::CompressionType::Lz4Frame) {
        codec_ = Compression::kLz4Frame;
      } else if (c->codec() == fb::CompressionType::Zstd) {
        codec_ = Compression::kZstd;
      } else {
        return Corrupt("unknown body compression codec " +
                       std::to_string(static_cast<int>(c->codec())));
      }
    }
    RIVULET_RETURN_NOT_OK(CheckStructVector(batch_->nodes(), "field node"));
    RIVULET_RETURN_NOT_OK(CheckStructVector(batch_->buffers(), "buffer"));
    num_nodes_ = batch_->nodes() ? batch_->nodes()->size() : 0;
    num_buffers_ = batch_->buffers() ? batch_->buffers()->size() : 0;
    return Status::OK();
  }

  Result<const fb::FieldNode*> NextNode(const std::string& path) {
    if (next_node_ >= num_nodes_) {
      return Corrupt("record batch has " + std::to_string(num_nodes_) +
                     " field nodes, too few for the schema (at column '" + path + "')");
    }
    const fb::FieldNode* node = batch_->nodes()->Get(next_node_++);
    if (node->length() < 0) {
      return ColumnError(path, "negative length " + std::to_string(node->length()));
    }
    if (node->length() > std::numeric_limits<int32_t>::max()) {
      // The engine indexes values with 32-bit offsets; a longer array cannot be built.
      return ColumnError(path, "length " + std::to_string(node->length()) +
                                   " is more than the engine's 2147483647 values");
    }
    if (node->null_count() < 0 || node->null_count() > node->length()) {
      return ColumnError(path, "null count " + std::to_string(node->null_count()) +
                                   " is not within its length " +
                                   std::to_string(node->length()));
    }
    return node;
  }

  // The next buffer, decompressed if the body is compressed, aligned to `align` bytes.
  Result<BufferPtr> NextBuffer(const std::string& path, int align) {
    if (next_buffer_ >= num_buffers_) {
      return Corrupt("record batch has " + std::to_string(num_buffers_) +
                     " buffers, too few for the schema (at column '" + path + "')");
    }
    int index = next_buffer_++;
    const fb::Buffer* b = batch_->buffers()->Get(index);
    int64_t offset = b->offset();
    int64_t length = b->length();
    if (offset < 0 || length < 0 || offset > body_length_ ||
        length > body_length_ - offset) {
      return ColumnError(path, "buffer " + std::to_string(index) + " (offset " +
                                   std::to_string(offset) + ", length " +
                                   std::to_string(length) + ") is outside the " +
                                   std::to_string(body_length_) + "-byte message body");
    }
    const uint8_t* data = body_ + offset;
    if (codec_ != Compression::kNone && length > 0) {
      if (length < 8) {
        return ColumnError(path, "compressed buffer " + std::to_string(index) +
                                     " is shorter than its 8-byte length prefix");
      }
      int64_t uncompressed = LoadUnaligned<int64_t>(data);
      data += 8;
      length -= 8;
      if (uncompressed != -1) {
        auto out = std::make_shared<std::string>();
        Status st = DecompressBuffer(codec_, data, static_cast<size_t>(length),
                                     uncompressed, out.get());
        if (!st.ok())
          return st.WithContext("column '" + path + "', buffer " + std::to_string(index));
        const auto* p = reinterpret_cast<const uint8_t*>(out->data());
        return std::make_shared<Buffer>(p, static_cast<int64_t>(out->size()),
                                        std::move(out));
      }
    }
    if (length > 0 && reinterpret_cast<uintptr_t>(data) % align != 0) {
      auto copy = std::make_shared<std::vector<uint64_t>>((length + 7) / 8);
      std::memcpy(copy->data(), data, length);
      return std::make_shared<Buffer>(reinterpret_cast<const uint8_t*>(copy->data()),
                                      length, std::move(copy));
    }
    return std::make_shared<Buffer>(data, length, owner_);
  }

  Status CheckAllUsed() const {
    if (next_node_ != num_nodes_) {
      return Corrupt("record batch has " + std::to_string(num_nodes_) +
                     " field nodes, the schema needs " + std::to_string(next_node_));
    }
    if (next_buffer_ != num_buffers_) {
      return Corrupt("record batch has " + std::to_string(num_buffers_) +
                     " buffers, the schema needs " + std::to_string(next_buffer_));
    }
    return Status::OK();
  }

 private:
  const fb::RecordBatch* batch_;
  const uint8_t* body_;
  int64_t body_length_;
  Owner owner_;
  Compression codec_ = Compression::kNone;
  int num_nodes_ = 0;
  int num_buffers_ = 0;
  int next_node_ = 0;
  int next_buffer_ = 0;
};

// ---- columns ----

using Dictionaries = std::map<int64_t, ArrayDataPtr>;

template <typename T>
std::shared_ptr<Buffer> OwnedBuffer(std::vector<T> values) {
  auto owner = std::make_shared<std::vector<T>>(std::move(values));
  return std::make_shared<Buffer>(reinterpret_cast<const uint8_t*>(owner->data()),
                                  static_cast<int64_t>(owner->size() * sizeof(T)), owner);
}

int64_t CountSetBits(const uint8_t* bits, int64_t length) {
  int64_t count = 0;
  int64_t i = 0;
  for (; i + 64 <= length; i += 64)
    count += std::popcount(LoadUnaligned<uint64_t>(bits + i / 8));
  for (; i < length; ++i) count += GetBit(bits, i);
  return count;
}

class ColumnLoader {
 public:
  ColumnLoader(BodyReader* body, const Dictionaries* dictionaries)
      : body_(body), dictionaries_(dictionaries) {}

  Result<ArrayDataPtr> Load(const FieldPlan& plan) {
    RIVULET_ASSIGN_OR_RETURN(const fb::FieldNode* node, body_->NextNode(plan.path));
    const int64_t length = node->length();
    const int64_t null_count = node->null_count();
    if (plan.wire == Wire::kNull && !plan.dictionary) {
      auto a = std::make_shared<ArrayData>();
      a->type = plan.type;
      a->length = length;
      a->null_count = length;
      return ArrayDataPtr(a);
    }
    RIVULET_ASSIGN_OR_RETURN(BufferPtr validity, LoadValidity(plan, length, null_count));
    if (plan.dictionary) return LoadDictionaryIndices(plan, length, validity);

    auto a = std::make_shared<ArrayData>();
    a->type = plan.type;
    a->length = length;
    a->null_count = null_count;
    a->buffers.push_back(validity);
    const std::string& path = plan.path;
    switch (plan.wire) {
      case Wire::kNull:
        break;  // handled above
      case Wire::kBool: {
        RIVULET_ASSIGN_OR_RETURN(BufferPtr values, body_->NextBuffer(path, 1));
        RIVULET_RETURN_NOT_OK(CheckSize(path, "values", values, (length + 7) / 8));
        a->buffers.push_back(values);
        break;
      }
      case Wire::kInt:
      case Wire::kFloat32:
      case Wire::kFloat64:
      case Wire::kDecimal128:
      case Wire::kDate32:
      case Wire::kDate64:
      case Wire::kTimestamp: {
        int width = WireWidth(plan);
        RIVULET_ASSIGN_OR_RETURN(BufferPtr values,
                                 body_->NextBuffer(path, std::min(width, 8)));
        RIVULET_RETURN_NOT_OK(CheckFixedSize(path, values, length, width));
        RIVULET_ASSIGN_OR_RETURN(values, ConvertFixed(plan, values, length, validity));
        a->buffers.push_back(values);
        break;
      }
      case Wire::kUtf8:
      case Wire::kBinary:
      case Wire::kLargeUtf8:
      case Wire::kLargeBinary: {
        bool large = plan.wire == Wire::kLargeUtf8 || plan.wire == Wire::kLargeBinary;
        RIVULET_ASSIGN_OR_RETURN(BufferPtr offsets,
                                 body_->NextBuffer(path, large ? 8 : 4));
        RIVULET_ASSIGN_OR_RETURN(BufferPtr data, body_->NextBuffer(path, 1));
        RIVULET_ASSIGN_OR_RETURN(offsets, CheckOffsets(path, offsets, length, large,
                                                       data->size(), "data bytes"));
        a->buffers.push_back(offsets);
        a->buffers.push_back(data);
        break;
      }
      case Wire::kFixedSizeBinary: {
        RIVULET_ASSIGN_OR_RETURN(BufferPtr values, body_->NextBuffer(path, 1));
        RIVULET_RETURN_NOT_OK(CheckFixedSize(path, values, length, plan.fixed_size));
        RIVULET_ASSIGN_OR_RETURN(auto offsets,
                                 FixedOffsets(path, length, plan.fixed_size));
        a->buffers.push_back(offsets);
        a->buffers.push_back(values);
        break;
      }
      case Wire::kList:
      case Wire::kLargeList:
      case Wire::kMap: {
        bool large = plan.wire == Wire::kLargeList;
        RIVULET_ASSIGN_OR_RETURN(BufferPtr offsets,
                                 body_->NextBuffer(path, large ? 8 : 4));
        RIVULET_ASSIGN_OR_RETURN(ArrayDataPtr child, LoadChild(plan.children[0]));
        RIVULET_ASSIGN_OR_RETURN(offsets, CheckOffsets(path, offsets, length, large,
                                                       child->length, "child values"));
        if (plan.wire == Wire::kMap && child->children[0]->null_count != 0) {
          return ColumnError(path, "null map key");
        }
        a->buffers.push_back(offsets);
        a->children.push_back(std::move(child));
        break;
      }
      case Wire::kFixedSizeList: {
        RIVULET_ASSIGN_OR_RETURN(ArrayDataPtr child, LoadChild(plan.children[0]));
        RIVULET_ASSIGN_OR_RETURN(auto offsets,
                                 FixedOffsets(path, length, plan.fixed_size));
        if (child->length / std::max(plan.fixed_size, 1) <
            (plan.fixed_size ? length : 0)) {
          return ColumnError(path, "child has " + std::to_string(child->length) +
                                       " values, fewer than " + std::to_string(length) +
                                       " lists of " + std::to_string(plan.fixed_size));
        }
        a->buffers.push_back(offsets);
        a->children.push_back(std::move(child));
        break;
      }
      case Wire::kStruct:
        for (const FieldPlan& child_plan : plan.children) {
          RIVULET_ASSIGN_OR_RETURN(ArrayDataPtr child, LoadChild(child_plan));
          if (child->length < length) {
            return ColumnError(child_plan.path, "has " + std::to_string(child->length) +
                                                    " values, fewer than its struct's " +
                                                    std::to_string(length));
          }
          a->children.push_back(std::move(child));
        }
        break;
    }
    return ArrayDataPtr(a);
  }

 private:
  static constexpr int kMaxDepth = 64;

  Result<ArrayDataPtr> LoadChild(const FieldPlan& plan) {
    if (++depth_ > kMaxDepth) return ColumnError(plan.path, "nested too deeply");
    auto result = Load(plan);
    --depth_;
    return result;
  }

  static int WireWidth(const FieldPlan& plan) {
    switch (plan.wire) {
      case Wire::kInt:
        return plan.bit_width / 8;
      case Wire::kFloat32:
      case Wire::kDate32:
        return 4;
      case Wire::kDecimal128:
        return 16;
      default:
        return 8;
    }
  }

  static Status CheckSize(const std::string& path, const char* what, const BufferPtr& b,
                          int64_t needed) {
    if (b->size() < needed) {
      return ColumnError(path, std::string(what) + " buffer of " +
                                   std::to_string(b->size()) +
                                   " bytes is shorter than the " +
                                   std::to_string(needed) + " its length needs");
    }
    return Status::OK();
  }

  static Status CheckFixedSize(const std::string& path, const BufferPtr& b,
                               int64_t length, int width) {
    if (width > 0 && length > b->size() / width) {
      return ColumnError(path, "values buffer of " + std::to_string(b->size()) +
                                   " bytes is too short for " + std::to_string(length) +
                                   " values of " + std::to_string(width) + " bytes");
    }
    return Status::OK();
  }

  Result<BufferPtr> LoadValidity(const FieldPlan& plan, int64_t length,
                                 int64_t null_count) {
    RIVULET_ASSIGN_OR_RETURN(BufferPtr validity, body_->NextBuffer(plan.path, 1));
    if (null_count == 0) return BufferPtr();
    if (validity->size() == 0) {
      return ColumnError(plan.path,
                         std::to_string(null_count) + " nulls but no validity bitmap");
    }
    RIVULET_RETURN_NOT_OK(CheckSize(plan.path, "validity", validity, (length + 7) / 8));
    int64_t nulls = length - CountSetBits(validity->data(), length);
    if (nulls != null_count) {
      return ColumnError(plan.path, "null count " + std::to_string(null_count) +
                                        " does not match the validity bitmap's " +
                                        std::to_string(nulls));
    }
    return validity;
  }

  // Checks offsets[0..length] (int32, or int64 when `large`) against `limit` and returns
  // them as int32 offsets.
  Result<BufferPtr> CheckOffsets(const std::string& path, const BufferPtr& offsets,
                                 int64_t length, bool large, int64_t limit,
                                 const char* limit_name) {
    const int width = large ? 8 : 4;
    if (length == 0 && offsets->size() == 0) return OwnedBuffer(std::vector<int32_t>{0});
    if (length >= offsets->size() / width) {
      return ColumnError(path, "offsets buffer of " + std::to_string(offsets->size()) +
                                   " bytes is too short for " + std::to_string(length) +
                                   " values");
    }
    int64_t previous = 0;
    RIVULET_RETURN_NOT_OK(
        large ? CheckMonotonic(path, offsets->data_as<int64_t>(), length, &previous)
              : CheckMonotonic(path, offsets->data_as<int32_t>(), length, &previous));
    if (previous > limit) {
      return ColumnError(path, "last offset " + std::to_string(previous) +
                                   " is past the " + std::to_string(limit) + " " +
                                   limit_name);
    }
    if (!large) return offsets;
    if (previous > std::numeric_limits<int32_t>::max()) {
      return ColumnError(path, "offset " + std::to_string(previous) +
                                   " does not fit the engine's 32-bit offsets");
    }
    std::vector<int32_t> narrow(length + 1);
    const int64_t* wide = offsets->data_as<int64_t>();
    for (int64_t i = 0; i <= length; ++i) narrow[i] = static_cast<int32_t>(wide[i]);
    return OwnedBuffer(std::move(narrow));
  }

  // Checks that offsets[0..length] start at 0 or above and never decrease; *last gets the
  // final offset. The scan has no early exit so that it vectorizes; a failure is located
  // afterwards.
  template <typename T>
  static Status CheckMonotonic(const std::string& path, const T* offsets, int64_t length,
                               int64_t* last) {
    if (offsets[0] < 0) {
      return ColumnError(path,
                         "first offset " + std::to_string(offsets[0]) + " is negative");
    }
    bool ordered = true;
    for (int64_t i = 1; i <= length; ++i) ordered &= offsets[i] >= offsets[i - 1];
    if (!ordered) {
      for (int64_t i = 1; i <= length; ++i) {
        if (offsets[i] < offsets[i - 1]) {
          return ColumnError(path, "offsets go backwards at index " + std::to_string(i) +
                                       " (" + std::to_string(offsets[i - 1]) + " then " +
                                       std::to_string(offsets[i]) + ")");
        }
      }
    }
    *last = offsets[length];
    return Status::OK();
  }

  static Result<BufferPtr> FixedOffsets(const std::string& path, int64_t length,
                                        int width) {
    if (width > 0 && length > std::numeric_limits<int32_t>::max() / width) {
      return ColumnError(path, std::to_string(length) + " values of " +
                                   std::to_string(width) +
                                   " do not fit the engine's 32-bit offsets");
    }
    std::vector<int32_t> offsets(length + 1);
    for (int64_t i = 0; i <= length; ++i) offsets[i] = static_cast<int32_t>(i * width);
    return OwnedBuffer(std::move(offsets));
  }

  // Converts fixed-width wire values to the engine's layout where they differ.
  Result<BufferPtr> ConvertFixed(const FieldPlan& plan, const BufferPtr& values,
                                 int64_t length, const BufferPtr& validity) {
    const uint8_t* p = values->data();
    auto valid = [&](int64_t i) { return !validity || GetBit(validity->data(), i); };
    switch (plan.wire) {
      case Wire::kInt:
        if (plan.is_signed) return values;
        switch (plan.bit_width) {
          case 8:
            return Widen<uint8_t, int16_t>(p, length);
          case 16:
            return Widen<uint16_t, int32_t>(p, length);
          case 32:
            return Widen<uint32_t, int64_t>(p, length);
          default: {
            std::vector<__int128> out(length);
            for (int64_t i = 0; i < length; ++i)
              out[i] = reinterpret_cast<const uint64_t*>(p)[i];
            return OwnedBuffer(std::move(out));
          }
        }
      case Wire::kDate64: {
        std::vector<int32_t> out(length);
        const auto* ms = reinterpret_cast<const int64_t*>(p);
        constexpr int64_t kMsPerDay = 86400000;
        for (int64_t i = 0; i < length; ++i) {
          int64_t days = ms[i] / kMsPerDay - (ms[i] % kMsPerDay < 0 ? 1 : 0);
          if (valid(i) && (days < std::numeric_limits<int32_t>::min() ||
                           days > std::numeric_limits<int32_t>::max())) {
            return ColumnError(plan.path, "date64 value " + std::to_string(ms[i]) +
                                              " (row " + std::to_string(i) +
                                              ") is out of the date range");
          }
          out[i] = valid(i) ? static_cast<int32_t>(days) : 0;
        }
        return OwnedBuffer(std::move(out));
      }
      case Wire::kTimestamp: {
        const auto* v = reinterpret_cast<const int64_t*>(p);
        switch (plan.unit) {
          case fb::TimeUnit::Microsecond:
            return values;
          case fb::TimeUnit::Nanosecond: {
            std::vector<int64_t> out(length);
            for (int64_t i = 0; i < length; ++i) {
              out[i] = v[i] / 1000 - (v[i] % 1000 < 0 ? 1 : 0);
            }
            return OwnedBuffer(std::move(out));
          }
          default: {
            int64_t factor = plan.unit == fb::TimeUnit::Second ? 1000000 : 1000;
            std::vector<int64_t> out(length);
            for (int64_t i = 0; i < length; ++i) {
              if (!valid(i)) continue;
              if (__builtin_mul_overflow(v[i], factor, &out[i])) {
                return ColumnError(plan.path, "timestamp " + std::to_string(v[i]) + " " +
                                                  UnitName(plan.unit) + " (row " +
                                                  std::to_string(i) +
                                                  ") does not fit in microseconds");
              }
            }
            return OwnedBuffer(std::move(out));
          }
        }
      }
      default:
        return values;
    }
  }

  template <typename From, typename To>
  static BufferPtr Widen(const uint8_t* p, int64_t length) {
    std::vector<To> out(length);
    const auto* from = reinterpret_cast<const From*>(p);
    for (int64_t i = 0; i < length; ++i) out[i] = static_cast<To>(from[i]);
    return OwnedBuffer(std::move(out));
  }

  Result<ArrayDataPtr> LoadDictionaryIndices(const FieldPlan& plan, int64_t length,
                                             const BufferPtr& validity) {
    const std::string& path = plan.path;
    int width = plan.index_bit_width / 8;
    RIVULET_ASSIGN_OR_RETURN(BufferPtr indices, body_->NextBuffer(path, width));
    RIVULET_RETURN_NOT_OK(CheckFixedSize(path, indices, length, width));
    auto it = dictionaries_->find(plan.dictionary_id);
    if (it == dictionaries_->end()) {
      return ColumnError(path, "no dictionary with id " +
                                   std::to_string(plan.dictionary_id) +
                                   " came before the record batch");
    }
    const ArrayData& dictionary = *it->second;
    std::vector<TakeRef> refs(length);
    const uint8_t* p = indices->data();
    for (int64_t i = 0; i < length; ++i) {
      if (validity && !GetBit(validity->data(), i)) {
        refs[i] = {0, -1};
        continue;
      }
      int64_t index;
      bool in_range = true;
      switch (plan.index_bit_width) {
        case 8:
          index = plan.index_signed ? reinterpret_cast<const int8_t*>(p)[i] : p[i];
          break;
        case 16:
          index = plan.index_signed ? reinterpret_cast<const int16_t*>(p)[i]
                                    : reinterpret_cast<const uint16_t*>(p)[i];
          break;
        case 32:
          index = plan.index_signed ? reinterpret_cast<const int32_t*>(p)[i]
                                    : reinterpret_cast<const uint32_t*>(p)[i];
          break;
        default: {
          uint64_t u = reinterpret_cast<const uint64_t*>(p)[i];
          index = static_cast<int64_t>(u);
          in_range = plan.index_signed || u <= static_cast<uint64_t>(INT64_MAX);
        }
      }
      if (!in_range || index < 0 || index >= dictionary.length) {
        return ColumnError(
            path,
            "dictionary index " +
                (in_range ? std::to_string(index)
                          : std::to_string(reinterpret_cast<const uint64_t*>(p)[i])) +
                " (row " + std::to_string(i) + ") is out of range for a dictionary of " +
                std::to_string(dictionary.length) + " values");
      }
      refs[i] = {0, index};
    }
    return Take({&dictionary}, refs);
  }

  BodyReader* body_;
  const Dictionaries* dictionaries_;
  int depth_ = 0;
};

// ---- messages ----

// Decoding state shared by streams and files: the schema and the dictionaries so far.
class Decoder {
 public:
  const std::shared_ptr<const Schema>& schema() const { return schema_; }
  bool has_schema() const { return plan_ != nullptr; }
  std::vector<RecordBatchPtr>& batches() { return batches_; }

  Status SetSchema(const fb::Schema* schema) {
    RIVULET_ASSIGN_OR_RETURN(plan_, PlanSchema(schema));
    schema_ = plan_->schema;
    return Status::OK();
  }

  // One message whose metadata has been verified; `body` points at body_length bytes.
  Status OnMessage(const fb::Message* message, const uint8_t* body, Owner owner,
                   bool schema_allowed) {
    if (message->version() < fb::MetadataVersion::V4) {
      return Status::InvalidArgument(
          "Arrow metadata version V" +
          std::to_string(static_cast<int>(message->version()) + 1) +
          " is too old (V4 or later is supported)");
    }
    if (message->header() == nullptr) return Corrupt("message without its header");
    switch (message->header_type()) {
      case fb::MessageHeader::Schema:
        if (has_schema()) {
          if (schema_allowed)
            return Status::OK();  // a file's repeat of its footer schema
          return Corrupt("a second schema message");
        }
        return SetSchema(message->header_as_Schema());
      case fb::MessageHeader::DictionaryBatch:
        if (!has_schema()) return Corrupt("a dictionary batch before the schema message");
        return OnDictionary(message->header_as_DictionaryBatch(), body,
                            message->body_length(), std::move(owner));
      case fb::MessageHeader::RecordBatch: {
        if (!has_schema()) return Corrupt("a record batch before the schema message");
        RIVULET_ASSIGN_OR_RETURN(RecordBatchPtr batch,
                                 LoadBatch(message->header_as_RecordBatch(), body,
                                           message->body_length(), owner));
        batches_.push_back(std::move(batch));
        return Status::OK();
      }
      default:
        return Status::InvalidArgument(
            "unsupported Arrow message type " +
            std::to_string(static_cast<int>(message->header_type())));
    }
  }

 private:
  Result<RecordBatchPtr> LoadBatch(const fb::RecordBatch* rb, const uint8_t* body,
                                   int64_t body_length, Owner owner) {
    if (rb == nullptr) return Corrupt("record batch message without its header");
    if (rb->length() < 0)
      return Corrupt("negative record batch length " + std::to_string(rb->length()));
    BodyReader reader(rb, body, body_length, std::move(owner));
    RIVULET_RETURN_NOT_OK(reader.Init());
    ColumnLoader loader(&reader, &dictionaries_);
    std::vector<ArrayDataPtr> columns;
    for (const FieldPlan& plan : plan_->fields) {
      RIVULET_ASSIGN_OR_RETURN(ArrayDataPtr column, loader.Load(plan));
      if (column->length != rb->length()) {
        return ColumnError(plan.path, "has " + std::to_string(column->length) +
                                          " values, the record batch " +
                                          std::to_string(rb->length()) + " rows");
      }
      columns.push_back(std::move(column));
    }
    RIVULET_RETURN_NOT_OK(reader.CheckAllUsed());
    auto batch =
        std::make_shared<const RecordBatch>(schema_, std::move(columns), rb->length());
    RIVULET_RETURN_NOT_OK(batch->Validate());
    return RecordBatchPtr(batch);
  }

  Status OnDictionary(const fb::DictionaryBatch* db, const uint8_t* body,
                      int64_t body_length, Owner owner) {
    if (db == nullptr || db->data() == nullptr)
      return Corrupt("dictionary batch without data");
    auto it = plan_->dictionaries.find(db->id());
    if (it == plan_->dictionaries.end()) {
      return Corrupt("dictionary batch for id " + std::to_string(db->id()) +
                     ", which no column uses");
    }
    FieldPlan values_plan = *it->second;
    values_plan.dictionary = false;
    values_plan.nullable = true;
    const fb::RecordBatch* rb = db->data();
    if (rb->length() < 0)
      return Corrupt("negative dictionary length " + std::to_string(rb->length()));
    BodyReader reader(rb, body, body_length, std::move(owner));
    RIVULET_RETURN_NOT_OK(reader.Init());
    ColumnLoader loader(&reader, &dictionaries_);
    RIVULET_ASSIGN_OR_RETURN(ArrayDataPtr values, loader.Load(values_plan));
    RIVULET_RETURN_NOT_OK(reader.CheckAllUsed());
    if (values->length != rb->length()) {
      return ColumnError(values_plan.path,
                         "dictionary has " + std::to_string(values->length) +
                             " values, its batch says " + std::to_string(rb->length()));
    }
    ArrayDataPtr& slot = dictionaries_[db->id()];
    if (db->is_delta() && slot) {
      std::vector<TakeRef> refs;
      refs.reserve(slot->length + values->length);
      for (int64_t i = 0; i < slot->length; ++i) refs.push_back({0, i});
      for (int64_t i = 0; i < values->length; ++i) refs.push_back({1, i});
      RIVULET_ASSIGN_OR_RETURN(slot, Take({slot.get(), values.get()}, refs));
    } else {
      slot = std::move(values);
    }
    return Status::OK();
  }

  std::unique_ptr<SchemaPlan> plan_;
  std::shared_ptr<const Schema> schema_;
  Dictionaries dictionaries_;
  std::vector<RecordBatchPtr> batches_;
};

// The framing of one message at the start of [data, data + size).
struct Frame {
  bool end_of_stream = false;
  int64_t prefix_size = 0;  // 8, or 4 for the legacy format without continuation marker
  int64_t metadata_size = 0;
  const fb::Message* message = nullptr;
  int64_t body_length = 0;
  int64_t total() const { return prefix_size + metadata_size + body_length; }
};

// Parses the frame at `data`. Returns false with *needed set when more bytes are needed
// (the frame is complete once `size` reaches *needed).
Result<bool> ParseFrame(const uint8_t* data, size_t size, Frame* frame,
                        std::string* scratch, size_t* needed) {
  *frame = Frame{};
  if (size < 4) {
    *needed = 4;
    return false;
  }
  uint32_t first = LoadUnaligned<uint32_t>(data);
  int32_t length;
  if (first == in::kContinuation) {
    if (size < 8) {
      *needed = 8;
      return false;
    }
    frame->prefix_size = 8;
    length = LoadUnaligned<int32_t>(data + 4);
  } else {
    frame->prefix_size = 4;
    length = static_cast<int32_t>(first);
  }
  if (length == 0) {
    frame->end_of_stream = true;
    return true;
  }
  if (length < 0) return Corrupt("negative metadata length " + std::to_string(length));
  frame->metadata_size = length;
  if (size < static_cast<size_t>(frame->prefix_size + length)) {
    *needed = frame->prefix_size + length;
    return false;
  }
  RIVULET_ASSIGN_OR_RETURN(
      frame->message,
      VerifiedRoot<fb::Message>(data + frame->prefix_size, static_cast<size_t>(length),
                                scratch, "message metadata"));
  frame->body_length = frame->message->body_length();
  if (frame->body_length < 0) {
    return Corrupt("negative message body length " + std::to_string(frame->body_length));
  }
  if (static_cast<uint64_t>(frame->body_length) > size - frame->prefix_size - length) {
    // The caller decides whether more can come; the sum cannot overflow once the body
    // length is below what a size_t can hold, which the comparison below ensures.
    if (static_cast<uint64_t>(frame->body_length) >
        std::numeric_limits<size_t>::max() / 2) {
      return Corrupt("message body length " + std::to_string(frame->body_length) +
                     " is impossibly large");
    }
    *needed = frame->prefix_size + length + static_cast<size_t>(frame->body_length);
    return false;
  }
  return true;
}

Result<ReadResult> ReadStreamFrom(const std::shared_ptr<const std::string>& bytes,
                                  size_t start) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes->data());
  const size_t size = bytes->size();
  Decoder decoder;
  std::string scratch;
  size_t pos = start;
  bool ended = false;
  while (pos < size) {
    Frame frame;
    size_t needed = 0;
    RIVULET_ASSIGN_OR_RETURN(
        bool complete, ParseFrame(data + pos, size - pos, &frame, &scratch, &needed));
    if (!complete) {
      return Corrupt("stream is truncated: the message at byte " + std::to_string(pos) +
                     " needs " + std::to_string(needed) + " bytes, " +
                     std::to_string(size - pos) + " remain");
    }
    if (frame.end_of_stream) {
      pos += frame.prefix_size;
      ended = true;
      break;
    }
    const uint8_t* body = data + pos + frame.prefix_size + frame.metadata_size;
    Status st = decoder.OnMessage(frame.message, body, bytes, /*schema_allowed=*/false);
    if (st.code() == StatusCode::kCorruption) {
      return st.WithContext("message at byte " + std::to_string(pos));
    }
    RIVULET_RETURN_NOT_OK(st);
    pos += frame.total();
  }
  if (ended && pos != size) {
    return Corrupt(std::to_string(size - pos) + " bytes after the end-of-stream marker");
  }
  if (!decoder.has_schema()) return Corrupt("stream ends before its schema message");
  return ReadResult{decoder.schema(), std::move(decoder.batches())};
}

}  // namespace

Result<ReadResult> ReadStream(std::shared_ptr<const std::string> bytes) {
  return ReadStreamFrom(bytes, 0);
}

Result<ReadResult> ReadFile(std::shared_ptr<const std::string> bytes) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes->data());
  const int64_t size = static_cast<int64_t>(bytes->size());
  constexpr int64_t kTrailer = 4 + 6;  // footer length, magic
  if (size < in::kFileHeaderSize + kTrailer) {
    return Corrupt("file of " + std::to_string(size) +
                   " bytes is too short for an Arrow file");
  }
  if (std::memcmp(data, in::kFileMagic.data(), 6) != 0) {
    return Corrupt("file does not start with the ARROW1 magic");
  }
  if (std::memcmp(data + size - 6, in::kFileMagic.data(), 6) != 0) {
    return Corrupt("file does not end with the ARROW1 magic");
  }
  int32_t footer_length = LoadUnaligned<int32_t>(data + size - kTrailer);
  if (footer_length <= 0 || footer_length > size - in::kFileHeaderSize - kTrailer) {
    return Corrupt("footer length " + std::to_string(footer_length) +
                   " does not fit in the " + std::to_string(size) + "-byte file");
  }
  const int64_t footer_start = size - kTrailer - footer_length;
  std::string scratch;
  RIVULET_ASSIGN_OR_RETURN(const fb::Footer* footer,
                           VerifiedRoot<fb::Footer>(data + footer_start, footer_length,
                                                    &scratch, "file footer"));
  if (footer->schema() == nullptr) return Corrupt("file footer has no schema");
  Decoder decoder;
  RIVULET_RETURN_NOT_OK(decoder.SetSchema(footer->schema()));

  std::string message_scratch;
  auto read_block = [&](const fb::Block* block, const char* kind,
                        size_t index) -> Status {
    std::string where = std::string(kind) + " block " + std::to_string(index);
    int64_t offset = block->offset();
    int64_t meta = block->meta_data_length();
    int64_t body = block->body_length();
    if (offset < in::kFileHeaderSize || meta <= 0 || body < 0 || offset > footer_start ||
        meta > footer_start - offset || body > footer_start - offset - meta) {
      return Corrupt(where + " (offset " + std::to_string(offset) + ", metadata " +
                     std::to_string(meta) + ", body " + std::to_string(body) +
                     ") is outside the file's data");
    }
    Frame frame;
    size_t needed = 0;
    auto parsed = ParseFrame(data + offset, static_cast<size_t>(meta + body), &frame,
                             &message_scratch, &needed);
    if (!parsed.ok()) return parsed.status().WithContext(where);
    if (!*parsed || frame.end_of_stream ||
        frame.prefix_size + frame.metadata_size != meta || frame.body_length != body) {
      return Corrupt(where + " does not frame a message of its stated sizes");
    }
    Status st = decoder.OnMessage(frame.message, data + offset + meta, bytes,
                                  /*schema_allowed=*/true);
    return st.WithContext(where);
  };
  RIVULET_RETURN_NOT_OK(CheckStructVector(footer->dictionaries(), "dictionary block"));
  RIVULET_RETURN_NOT_OK(
      CheckStructVector(footer->record_batches(), "record batch block"));
  if (const auto* blocks = footer->dictionaries()) {
    for (size_t i = 0; i < blocks->size(); ++i) {
      RIVULET_RETURN_NOT_OK(read_block(blocks->Get(i), "dictionary", i));
    }
  }
  if (const auto* blocks = footer->record_batches()) {
    for (size_t i = 0; i < blocks->size(); ++i) {
      const auto* block = blocks->Get(i);
      size_t before = decoder.batches().size();
      RIVULET_RETURN_NOT_OK(read_block(block, "record batch", i));
      if (decoder.batches().size() != before + 1) {
        return Corrupt("record batch block " + std::to_string(i) +
                       " does not hold a record batch");
      }
    }
  }
  return ReadResult{decoder.schema(), std::move(decoder.batches())};
}

Result<ReadResult> ReadAny(std::shared_ptr<const std::string> bytes) {
  if (bytes->size() >= in::kFileMagic.size() &&
      std::memcmp(bytes->data(), in::kFileMagic.data(), in::kFileMagic.size()) == 0) {
    return ReadFile(std::move(bytes));
  }
  return ReadStream(std::move(bytes));
}

// ---- StreamDecoder ----

struct StreamDecoder::Impl {
  Decoder decoder;
  std::string pending;  // bytes of the message being assembled
  size_t needed = 4;
  bool finished = false;
  Status failed;
  std::string scratch;

  Status Step() {
    while (!finished && pending.size() >= needed) {
      const auto* data = reinterpret_cast<const uint8_t*>(pending.data());
      Frame frame;
      RIVULET_ASSIGN_OR_RETURN(
          bool complete, ParseFrame(data, pending.size(), &frame, &scratch, &needed));
      if (!complete) continue;
      if (frame.end_of_stream) {
        finished = true;
        if (pending.size() != static_cast<size_t>(frame.prefix_size)) {
          return Corrupt(std::to_string(pending.size() - frame.prefix_size) +
                         " bytes after the end-of-stream marker");
        }
        pending.clear();
        needed = 0;
        return Status::OK();
      }
      // The body gets its own allocation, which the batches keep alive.
      auto body = std::make_shared<std::string>(
          pending.substr(frame.prefix_size + frame.metadata_size, frame.body_length));
      std::string rest = pending.substr(frame.total());
      // frame.message points into `pending`, which stays as it is until the message is
      // decoded.
      RIVULET_RETURN_NOT_OK(decoder.OnMessage(
          frame.message, reinterpret_cast<const uint8_t*>(body->data()), body, false));
      pending = std::move(rest);
      needed = 4;
    }
    return Status::OK();
  }
};

StreamDecoder::StreamDecoder() : impl_(std::make_unique<Impl>()) {}
StreamDecoder::~StreamDecoder() = default;
StreamDecoder::StreamDecoder(StreamDecoder&&) noexcept = default;
StreamDecoder& StreamDecoder::operator=(StreamDecoder&&) noexcept = default;

Status StreamDecoder::Consume(const uint8_t* data, size_t size) {
  Impl& s = *impl_;
  if (!s.failed.ok()) return s.failed;
  if (s.finished && size > 0) {
    s.failed = Corrupt(std::to_string(size) + " bytes after the end-of-stream marker");
    return s.failed;
  }
  s.pending.append(reinterpret_cast<const char*>(data), size);
  s.failed = s.Step();
  return s.failed;
}

size_t StreamDecoder::next_required_size() const {
  const Impl& s = *impl_;
  if (s.finished || !s.failed.ok()) return 0;
  return s.needed > s.pending.size() ? s.needed - s.pending.size() : 0;
}

bool StreamDecoder::finished() const { return impl_->finished; }

const std::shared_ptr<const Schema>& StreamDecoder::schema() const {
  return impl_->decoder.schema();
}

std::vector<RecordBatchPtr> StreamDecoder::TakeBatches() {
  return std::exchange(impl_->decoder.batches(), {});
}

Result<ReadResult> ReadStreamFromFd(int fd, const std::string& description) {
  StreamDecoder decoder;
  std::vector<uint8_t> chunk;
  while (!decoder.finished()) {
    size_t want = decoder.next_required_size();
    chunk.resize(want);
    size_t got = 0;
    while (got < want) {
      ssize_t n = ::read(fd, chunk.data() + got, want - got);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IOError("reading an Arrow stream from " + description + ": " +
                               std::strerror(errno));
      }
      if (n == 0) {
        return Status::IOError("reading an Arrow stream from " + description +
                               ": end of file before the end-of-stream marker");
      }
      got += static_cast<size_t>(n);
    }
    RIVULET_RETURN_NOT_OK(
        decoder.Consume(chunk.data(), want)
            .WithContext("reading an Arrow stream from " + description));
  }
  if (!decoder.schema()) {
    return Status::Corruption("the Arrow stream from " + description +
                              " ends before its schema message");
  }
  return ReadResult{decoder.schema(), decoder.TakeBatches()};
}

}  // namespace rivulet::ipc
