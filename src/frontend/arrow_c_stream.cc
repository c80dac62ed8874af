#include "frontend/arrow_c_stream.h"

#include <cstring>
#include <map>
#include <string>
#include <utility>

namespace rivulet::frontend {
namespace {

constexpr int64_t kFlagNullable = 2;

// What a buffer slot points at when the batch has no buffer there (an empty column's
// offsets): zeros, enough for one offset. Validity slots stay null instead.
alignas(64) const uint8_t kZeros[64] = {};

// ---- schemas ----

// Arrow's metadata encoding: int32 count, then per entry int32 length + key bytes,
// int32 length + value bytes (native endianness).
std::string EncodeMetadata(const std::map<std::string, std::string>& entries) {
  if (entries.empty()) return {};
  std::string out;
  auto put_int = [&out](int32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
  put_int(static_cast<int32_t>(entries.size()));
  for (const auto& [key, value] : entries) {
    put_int(static_cast<int32_t>(key.size()));
    out += key;
    put_int(static_cast<int32_t>(value.size()));
    out += value;
  }
  return out;
}

std::string FormatOf(const DataType& type) {
  switch (type.id()) {
    case TypeId::kNull:
      return "n";
    case TypeId::kBoolean:
      return "b";
    case TypeId::kByte:
      return "c";
    case TypeId::kShort:
      return "s";
    case TypeId::kInt:
      return "i";
    case TypeId::kLong:
      return "l";
    case TypeId::kFloat:
      return "f";
    case TypeId::kDouble:
      return "g";
    case TypeId::kDecimal:
      return "d:" + std::to_string(type.precision()) + "," + std::to_string(type.scale());
    case TypeId::kString:
      return "u";
    case TypeId::kBinary:
      return "z";
    case TypeId::kDate:
      return "tdD";
    case TypeId::kTimestamp:
      return "tsu:UTC";
    case TypeId::kTimestampNtz:
      return "tsu:";
    case TypeId::kDayTimeInterval:
      return "tDu";
    case TypeId::kArray:
      return "+l";
    case TypeId::kMap:
      return "+m";
    case TypeId::kStruct:
    case TypeId::kVariant:
      return "+s";
  }
  return "n";
}

// Owns the strings and children of one exported schema node.
struct SchemaNode {
  std::string format;
  std::string name;
  std::string metadata;
  std::vector<ArrowSchema*> children;
};

void ReleaseSchema(ArrowSchema* schema) {
  auto* node = static_cast<SchemaNode*>(schema->private_data);
  for (ArrowSchema* child : node->children) {
    if (child->release != nullptr) child->release(child);
    delete child;
  }
  delete node;
  schema->release = nullptr;
}

struct FieldSpec {
  std::string name;
  const DataType* type;
  bool nullable;
  std::map<std::string, std::string> metadata;
};

void ExportSchemaNode(const FieldSpec& field, std::string format,
                      const std::vector<FieldSpec>& children, ArrowSchema* out);

// A struct's or a schema's fields; a comment travels as "comment" metadata, as in IPC.
std::vector<FieldSpec> SpecsOf(const std::vector<Field>& fields) {
  std::vector<FieldSpec> specs;
  for (const Field& f : fields) {
    auto metadata = f.metadata;
    if (!f.comment.empty()) metadata["comment"] = f.comment;
    specs.push_back({f.name, f.type.get(), f.nullable, std::move(metadata)});
  }
  return specs;
}

std::vector<FieldSpec> ChildrenOf(const DataType& type) {
  switch (type.id()) {
    case TypeId::kArray:
      return {{"element", type.element_type().get(), type.contains_null(), {}}};
    case TypeId::kStruct:
    case TypeId::kVariant:
      return SpecsOf(type.fields());
    default:
      return {};
  }
}

void ExportField(const FieldSpec& field, ArrowSchema* out) {
  const DataType& type = *field.type;
  if (type.id() == TypeId::kMap) {
    // map<k, v> is a list of non-null struct<key, value> entries.
    auto* entries = new ArrowSchema;
    ExportSchemaNode({"entries", nullptr, false, {}}, "+s",
                     {{"key", type.key_type().get(), false, {}},
                      {"value", type.value_type().get(), type.value_contains_null(), {}}},
                     entries);
    ExportSchemaNode(field, "+m", {}, out);
    auto* node = static_cast<SchemaNode*>(out->private_data);
    node->children.push_back(entries);
    out->n_children = 1;
    out->children = node->children.data();
    return;
  }
  ExportSchemaNode(field, FormatOf(type), ChildrenOf(type), out);
}

void ExportSchemaNode(const FieldSpec& field, std::string format,
                      const std::vector<FieldSpec>& children, ArrowSchema* out) {
  auto* node =
      new SchemaNode{std::move(format), field.name, EncodeMetadata(field.metadata), {}};
  for (const FieldSpec& child : children) {
    auto* exported = new ArrowSchema;
    ExportField(child, exported);
    node->children.push_back(exported);
  }
  *out = ArrowSchema{
      .format = node->format.c_str(),
      .name = node->name.c_str(),
      .metadata = node->metadata.empty() ? nullptr : node->metadata.data(),
      .flags = field.nullable ? kFlagNullable : 0,
      .n_children = static_cast<int64_t>(node->children.size()),
      .children = node->children.data(),
      .dictionary = nullptr,
      .release = ReleaseSchema,
      .private_data = node,
  };
}

void ExportTopLevelSchema(const Schema& schema, ArrowSchema* out) {
  ExportSchemaNode({"", nullptr, false, {}}, "+s", SpecsOf(schema.fields()), out);
}

// ---- arrays ----

// Buffers Arrow's C interface expects per type, in the order of rivulet's ArrayData.
int64_t BufferCount(TypeId id) {
  switch (id) {
    case TypeId::kNull:
      return 0;
    case TypeId::kStruct:
    case TypeId::kVariant:
      return 1;
    case TypeId::kString:
    case TypeId::kBinary:
      return 3;
    default:
      return 2;
  }
}

// Keeps the exported column's data alive and owns its pointer arrays.
struct ArrayNode {
  ArrayDataPtr keep_alive;
  RecordBatchPtr batch_alive;
  std::vector<const void*> buffers;
  std::vector<ArrowArray*> children;
};

void ReleaseArray(ArrowArray* array) {
  auto* node = static_cast<ArrayNode*>(array->private_data);
  for (ArrowArray* child : node->children) {
    if (child->release != nullptr) child->release(child);
    delete child;
  }
  delete node;
  array->release = nullptr;
}

void FillArray(ArrayNode* node, int64_t length, int64_t null_count, int64_t offset,
               ArrowArray* out) {
  *out = ArrowArray{
      .length = length,
      .null_count = null_count,
      .offset = offset,
      .n_buffers = static_cast<int64_t>(node->buffers.size()),
      .n_children = static_cast<int64_t>(node->children.size()),
      .buffers = node->buffers.data(),
      .children = node->children.data(),
      .dictionary = nullptr,
      .release = ReleaseArray,
      .private_data = node,
  };
}

void ExportColumn(const ArrayDataPtr& data, ArrowArray* out) {
  auto* node = new ArrayNode{data, nullptr, {}, {}};
  const int64_t count = BufferCount(data->type->id());
  for (int64_t i = 0; i < count; ++i) {
    const BufferPtr* buffer =
        static_cast<size_t>(i) < data->buffers.size() ? &data->buffers[i] : nullptr;
    if (buffer != nullptr && *buffer) {
      node->buffers.push_back((*buffer)->data());
    } else {
      node->buffers.push_back(i == 0 ? nullptr : kZeros);
    }
  }
  for (const ArrayDataPtr& child : data->children) {
    auto* exported = new ArrowArray;
    ExportColumn(child, exported);
    node->children.push_back(exported);
  }
  // Arrow's null arrays count every slot as null.
  const int64_t nulls =
      data->type->id() == TypeId::kNull ? data->length : data->null_count;
  FillArray(node, data->length, nulls, data->offset, out);
}

void ExportBatch(const RecordBatchPtr& batch, ArrowArray* out) {
  auto* node = new ArrayNode{nullptr, batch, {nullptr}, {}};
  for (const ArrayDataPtr& column : batch->columns()) {
    auto* exported = new ArrowArray;
    ExportColumn(column, exported);
    node->children.push_back(exported);
  }
  FillArray(node, batch->num_rows(), 0, 0, out);
}

// ---- the stream ----

struct StreamState {
  std::shared_ptr<const Schema> schema;
  std::vector<RecordBatchPtr> batches;
  size_t next = 0;
};

int GetSchema(ArrowArrayStream* stream, ArrowSchema* out) {
  ExportTopLevelSchema(*static_cast<StreamState*>(stream->private_data)->schema, out);
  return 0;
}

int GetNext(ArrowArrayStream* stream, ArrowArray* out) {
  auto* state = static_cast<StreamState*>(stream->private_data);
  if (state->next == state->batches.size()) {
    std::memset(out, 0, sizeof(*out));  // release == nullptr: the end of the stream
    return 0;
  }
  ExportBatch(state->batches[state->next++], out);
  return 0;
}

const char* GetLastError(ArrowArrayStream* /*stream*/) { return nullptr; }

void ReleaseStream(ArrowArrayStream* stream) {
  delete static_cast<StreamState*>(stream->private_data);
  stream->release = nullptr;
}

}  // namespace

void ExportArrowStream(std::shared_ptr<const Schema> schema,
                       std::vector<RecordBatchPtr> batches, ArrowArrayStream* out) {
  *out = ArrowArrayStream{
      .get_schema = GetSchema,
      .get_next = GetNext,
      .get_last_error = GetLastError,
      .release = ReleaseStream,
      .private_data = new StreamState{std::move(schema), std::move(batches), 0},
  };
}

}  // namespace rivulet::frontend
