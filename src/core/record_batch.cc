#include "rivulet/record_batch.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_set>

#include "core/column_cells.h"
#include "core/layout.h"
#include "core/variant.h"

namespace rivulet {
namespace {

// Buffers may come from IPC messages with no alignment guarantee, so values are read with
// memcpy rather than through typed pointers.
template <typename T>
T Load(const Buffer& buffer, int64_t index) {
  T value;
  std::memcpy(&value, buffer.data() + index * static_cast<int64_t>(sizeof(T)), sizeof(T));
  return value;
}

// A float column reads back as the double closest to the float's shortest decimal form,
// so 0.1f is 0.1 (as Spark prints it) rather than 0.10000000149011612.
double FloatToDouble(float f) {
  if (!std::isfinite(f)) return static_cast<double>(f);
  char buf[32];
  auto written = std::to_chars(buf, buf + sizeof(buf), f);
  double out = 0;
  std::from_chars(buf, written.ptr, out);
  return out;
}

int64_t NullCountOf(const ArrayData& a, int64_t offset, int64_t length) {
  if (a.type->id() == TypeId::kNull) return length;
  if (a.null_count == 0 || !a.buffers[0]) return 0;
  return length - core::CountSetBits(a.buffers[0]->data(), offset, length);
}

class Validator {
 public:
  Status Column(const ArrayData& a, const Field& field) {
    path_ = field.name;
    RIVULET_RETURN_NOT_OK(Layout(a, *field.type));
    if (!field.nullable && a.null_count != 0) {
      return Status::InvalidArgument("column '" + path_ + "' (row " +
                                     std::to_string(FirstNull(a)) +
                                     "): " + core::NullRefusedMessage(TypeId::kStruct));
    }
    if (HasNestedNotNull(*field.type)) {
      for (int64_t i = 0; i < a.length; ++i) {
        path_ = field.name;
        RIVULET_RETURN_NOT_OK(NestedNulls(a, i, i));
      }
    }
    return Status::OK();
  }

 private:
  Status Error(const std::string& message) const {
    return Status::InvalidArgument("column '" + path_ + "': " + message);
  }

  static int64_t FirstNull(const ArrayData& a) {
    for (int64_t i = 0; i < a.length; ++i) {
      if (a.IsNull(i)) return i;
    }
    return -1;
  }

  Status CheckSize(const BufferPtr& buffer, int64_t needed, const char* what) const {
    int64_t size = buffer ? buffer->size() : 0;
    if (size >= needed) return Status::OK();
    return Error(std::string(what) + " buffer has " + std::to_string(size) +
                 " bytes, needs " + std::to_string(needed));
  }

  // Checks length, offset, buffer and child counts, and the validity bitmap against the
  // null count; `end` receives offset + length.
  Status Common(const ArrayData& a, size_t buffers, size_t children,
                const std::string& type, int64_t* end) const {
    if (a.length < 0 || a.offset < 0 ||
        a.length > std::numeric_limits<int64_t>::max() / 16 - a.offset) {
      return Error("length " + std::to_string(a.length) + " and offset " +
                   std::to_string(a.offset) + " are out of range");
    }
    *end = a.offset + a.length;
    if (a.buffers.size() != buffers) {
      return Error("expected " + std::to_string(buffers) + " buffers for " + type +
                   ", found " + std::to_string(a.buffers.size()));
    }
    if (a.children.size() != children) {
      return Error("expected " + std::to_string(children) + " child arrays for " + type +
                   ", found " + std::to_string(a.children.size()));
    }
    for (const ArrayDataPtr& child : a.children) {
      if (!child || !child->type) return Error("a child array is missing");
    }
    if (a.null_count < 0 || a.null_count > a.length) {
      return Error("null count " + std::to_string(a.null_count) +
                   " is out of range for " + std::to_string(a.length) + " rows");
    }
    if (buffers == 0) return Status::OK();  // the null type
    if (a.buffers[0]) {
      RIVULET_RETURN_NOT_OK(CheckSize(a.buffers[0], (*end + 7) / 8, "validity"));
      int64_t nulls =
          a.length - core::CountSetBits(a.buffers[0]->data(), a.offset, a.length);
      if (nulls != a.null_count) {
        return Error("null count " + std::to_string(a.null_count) +
                     " does not match the validity bitmap's " + std::to_string(nulls));
      }
    } else if (a.null_count != 0) {
      return Error("null count " + std::to_string(a.null_count) +
                   " without a validity bitmap");
    }
    return Status::OK();
  }

  // Checks int32 offsets [offset, end] and returns the last one in *last.
  Status Offsets(const ArrayData& a, int64_t end, int64_t limit, const char* limit_name,
                 int64_t* last) const {
    *last = 0;
    if (a.length == 0 && (!a.buffers[1] || a.buffers[1]->size() == 0))
      return Status::OK();
    RIVULET_RETURN_NOT_OK(CheckSize(a.buffers[1], (end + 1) * 4, "offsets"));
    int32_t previous = Load<int32_t>(*a.buffers[1], a.offset);
    if (previous < 0) return Error("offset " + std::to_string(previous) + " is negative");
    for (int64_t i = a.offset + 1; i <= end; ++i) {
      int32_t current = Load<int32_t>(*a.buffers[1], i);
      if (current < previous) {
        return Error("offsets decrease at index " + std::to_string(i) + " (" +
                     std::to_string(previous) + " then " + std::to_string(current) + ")");
      }
      previous = current;
    }
    if (previous > limit) {
      return Error("offset " + std::to_string(previous) + " is beyond the " + limit_name +
                   " (" + std::to_string(limit) + ")");
    }
    *last = previous;
    return Status::OK();
  }

  Status Child(const ArrayData& child, const DataType& type, const std::string& name) {
    std::string saved = path_;
    path_ += "." + name;
    ++depth_;
    RIVULET_RETURN_NOT_OK(Layout(child, type));
    --depth_;
    path_ = saved;
    return Status::OK();
  }

  // Every variant in [offset, end) must be well formed (nulls in its value or metadata
  // are NestedNulls' to report).
  Status Variants(const ArrayData& a, int64_t end) const {
    const ArrayData& values = *a.children[0];
    const ArrayData& metadata = *a.children[1];
    for (int64_t i = a.offset; i < end; ++i) {
      if (a.IsNull(i - a.offset) || values.IsNull(i) || metadata.IsNull(i)) continue;
      auto json = VariantToJson(BytesAt(values, i), BytesAt(metadata, i));
      if (!json.ok()) {
        return Status::InvalidArgument(
            "column '" + path_ + "' (" + (depth_ == 0 ? "row " : "index ") +
            std::to_string(i - a.offset) + "): " + json.status().message());
      }
    }
    return Status::OK();
  }

  Status Layout(const ArrayData& a, const DataType& type) {
    if (!a.type) return Error("the array has no type");
    if (!a.type->Equals(type)) {
      return Error("array type " + a.type->ToString() + " does not match the schema's " +
                   type.ToString());
    }
    const std::string name = type.ToString();
    int64_t end = 0;
    int64_t last = 0;
    switch (type.id()) {
      case TypeId::kNull:
        return Common(a, 0, 0, name, &end);
      case TypeId::kBoolean:
        RIVULET_RETURN_NOT_OK(Common(a, 2, 0, name, &end));
        return CheckSize(a.buffers[1], (end + 7) / 8, "values");
      case TypeId::kString:
      case TypeId::kBinary: {
        RIVULET_RETURN_NOT_OK(Common(a, 3, 0, name, &end));
        int64_t data_size = a.buffers[2] ? a.buffers[2]->size() : 0;
        return Offsets(a, end, data_size, "data buffer", &last);
      }
      case TypeId::kArray:
        RIVULET_RETURN_NOT_OK(Common(a, 2, 1, name, &end));
        RIVULET_RETURN_NOT_OK(
            Offsets(a, end, a.children[0]->length, "child array's length", &last));
        return Child(*a.children[0], *type.element_type(), "element");
      case TypeId::kMap: {
        RIVULET_RETURN_NOT_OK(Common(a, 2, 1, name, &end));
        RIVULET_RETURN_NOT_OK(
            Offsets(a, end, a.children[0]->length, "child array's length", &last));
        const ArrayData& entries = *a.children[0];
        int64_t entries_end = 0;
        if (entries.type->id() != TypeId::kStruct) {
          return Error("map entries must be a struct, found " + entries.type->ToString());
        }
        RIVULET_RETURN_NOT_OK(Common(entries, 1, 2, "map entries", &entries_end));
        if (entries.null_count != 0) return Error("map entries must not be null");
        for (const ArrayDataPtr& child : entries.children) {
          if (child->length < entries_end) {
            return Error("map entries have " + std::to_string(entries_end) +
                         " rows but a key or value child only " +
                         std::to_string(child->length));
          }
        }
        if (entries.children[0]->null_count != 0) {
          return Error(std::string(core::kNullMapKeyMessage) + "s are not allowed");
        }
        RIVULET_RETURN_NOT_OK(Child(*entries.children[0], *type.key_type(), "key"));
        return Child(*entries.children[1], *type.value_type(), "value");
      }
      case TypeId::kStruct:
      case TypeId::kVariant:
        RIVULET_RETURN_NOT_OK(Common(a, 1, type.fields().size(), name, &end));
        for (size_t k = 0; k < type.fields().size(); ++k) {
          const Field& field = type.fields()[k];
          if (a.children[k]->length < end) {
            return Error("struct has " + std::to_string(end) + " rows but field '" +
                         field.name + "' only " + std::to_string(a.children[k]->length));
          }
          RIVULET_RETURN_NOT_OK(Child(*a.children[k], *field.type, field.name));
        }
        if (type.id() == TypeId::kVariant) return Variants(a, end);
        return Status::OK();
      default:
        RIVULET_RETURN_NOT_OK(Common(a, 2, 0, name, &end));
        return CheckSize(a.buffers[1], end * core::FixedWidth(type.id()), "values");
    }
  }

  static bool HasNestedNotNull(const DataType& type) {
    switch (type.id()) {
      case TypeId::kArray:
        return !type.contains_null() || HasNestedNotNull(*type.element_type());
      case TypeId::kMap:
        return !type.value_contains_null() || HasNestedNotNull(*type.key_type()) ||
               HasNestedNotNull(*type.value_type());
      case TypeId::kStruct:
      case TypeId::kVariant:
        for (const Field& f : type.fields()) {
          if (!f.nullable || HasNestedNotNull(*f.type)) return true;
        }
        return false;
      default:
        return false;
    }
  }

  // Checks the NOT NULL constraints below the (valid) value at logical index i of `a`,
  // looking only at values a row actually references.
  Status NestedNulls(const ArrayData& a, int64_t i, int64_t row) {
    if (a.IsNull(i)) return Status::OK();
    const DataType& type = *a.type;
    auto visit = [&](const ArrayData& child, int64_t j, bool nullable,
                     const std::string& name) -> Status {
      std::string saved = path_;
      path_ += "." + name;
      if (child.IsNull(j)) {
        if (!nullable) {
          return Status::InvalidArgument("column '" + path_ + "' (row " +
                                         std::to_string(row) +
                                         "): " + core::NullRefusedMessage(type.id()));
        }
      } else if (HasNestedNotNull(*child.type)) {
        RIVULET_RETURN_NOT_OK(NestedNulls(child, j, row));
      }
      path_ = saved;
      return Status::OK();
    };
    switch (type.id()) {
      case TypeId::kArray:
      case TypeId::kMap: {
        int64_t begin = Load<int32_t>(*a.buffers[1], a.offset + i);
        int64_t end = Load<int32_t>(*a.buffers[1], a.offset + i + 1);
        for (int64_t j = begin; j < end; ++j) {
          if (type.id() == TypeId::kArray) {
            RIVULET_RETURN_NOT_OK(
                visit(*a.children[0], j, type.contains_null(), "element"));
          } else {
            const ArrayData& entries = *a.children[0];
            RIVULET_RETURN_NOT_OK(
                visit(*entries.children[0], entries.offset + j, false, "key"));
            RIVULET_RETURN_NOT_OK(visit(*entries.children[1], entries.offset + j,
                                        type.value_contains_null(), "value"));
          }
        }
        return Status::OK();
      }
      case TypeId::kStruct:
      case TypeId::kVariant:
        for (size_t k = 0; k < type.fields().size(); ++k) {
          const Field& field = type.fields()[k];
          RIVULET_RETURN_NOT_OK(
              visit(*a.children[k], a.offset + i, field.nullable, field.name));
        }
        return Status::OK();
      default:
        return Status::OK();
    }
  }

  std::string path_;
  int depth_ = 0;  // 0 for a column, one more for each level of children
};

void CollectBuffers(const ArrayData& a, std::unordered_set<const Buffer*>* seen,
                    int64_t* total) {
  for (const BufferPtr& b : a.buffers) {
    if (b && seen->insert(b.get()).second) *total += b->size();
  }
  for (const ArrayDataPtr& child : a.children) CollectBuffers(*child, seen, total);
}

}  // namespace

std::shared_ptr<Buffer> Buffer::FromVector(std::vector<uint8_t> bytes) {
  auto owner = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  return std::make_shared<Buffer>(owner->data(), static_cast<int64_t>(owner->size()),
                                  owner);
}

std::shared_ptr<Buffer> Buffer::Copy(const void* data, int64_t size) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  return FromVector(std::vector<uint8_t>(bytes, bytes + size));
}

Value ArrayData::GetValue(int64_t i) const {
  if (IsNull(i)) return Value();
  int64_t at = offset + i;
  switch (type->id()) {
    case TypeId::kNull:
      return Value();
    case TypeId::kBoolean:
      return Value(GetBit(buffers[1]->data(), at));
    case TypeId::kByte:
      return Value(static_cast<int64_t>(Load<int8_t>(*buffers[1], at)));
    case TypeId::kShort:
      return Value(static_cast<int64_t>(Load<int16_t>(*buffers[1], at)));
    case TypeId::kInt:
      return Value(static_cast<int64_t>(Load<int32_t>(*buffers[1], at)));
    case TypeId::kLong:
      return Value(Load<int64_t>(*buffers[1], at));
    case TypeId::kFloat:
      return Value(FloatToDouble(Load<float>(*buffers[1], at)));
    case TypeId::kDouble:
      return Value(Load<double>(*buffers[1], at));
    case TypeId::kDecimal:
      return Value(DecimalValue{Load<__int128>(*buffers[1], at), type->scale()});
    case TypeId::kDate:
      return Value(DateValue{Load<int32_t>(*buffers[1], at)});
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz:
      return Value(TimestampValue{Load<int64_t>(*buffers[1], at)});
    case TypeId::kDayTimeInterval:
      return Value(IntervalValue{Load<int64_t>(*buffers[1], at)});
    case TypeId::kString:
    case TypeId::kBinary: {
      int32_t begin = Load<int32_t>(*buffers[1], at);
      int32_t end = Load<int32_t>(*buffers[1], at + 1);
      std::string bytes(reinterpret_cast<const char*>(buffers[2]->data()) + begin,
                        static_cast<size_t>(end - begin));
      if (type->id() == TypeId::kBinary) return Value(Bytes{std::move(bytes)});
      return Value(std::move(bytes));
    }
    case TypeId::kArray: {
      int32_t begin = Load<int32_t>(*buffers[1], at);
      int32_t end = Load<int32_t>(*buffers[1], at + 1);
      ListValue list;
      list.items.reserve(static_cast<size_t>(end - begin));
      for (int32_t j = begin; j < end; ++j)
        list.items.push_back(children[0]->GetValue(j));
      return Value(std::move(list));
    }
    case TypeId::kMap: {
      int32_t begin = Load<int32_t>(*buffers[1], at);
      int32_t end = Load<int32_t>(*buffers[1], at + 1);
      const ArrayData& entries = *children[0];
      MapValue map;
      map.entries.reserve(static_cast<size_t>(end - begin));
      for (int32_t j = begin; j < end; ++j) {
        map.entries.emplace_back(entries.children[0]->GetValue(entries.offset + j),
                                 entries.children[1]->GetValue(entries.offset + j));
      }
      return Value(std::move(map));
    }
    case TypeId::kVariant: {
      Value value = children[0]->GetValue(at);
      Value metadata = children[1]->GetValue(at);
      return Value(VariantValue{value.as<Bytes>().data, metadata.as<Bytes>().data});
    }
    case TypeId::kStruct: {
      ListValue fields;
      fields.items.reserve(children.size());
      for (const ArrayDataPtr& child : children)
        fields.items.push_back(child->GetValue(at));
      return Value(std::move(fields));
    }
  }
  return Value();
}

std::shared_ptr<RecordBatch> RecordBatch::Slice(int64_t offset, int64_t length) const {
  offset = std::clamp<int64_t>(offset, 0, num_rows_);
  length = std::clamp<int64_t>(length, 0, num_rows_ - offset);
  std::vector<ArrayDataPtr> columns;
  columns.reserve(columns_.size());
  for (const ArrayDataPtr& column : columns_) {
    auto sliced = std::make_shared<ArrayData>(*column);
    sliced->offset = column->offset + offset;
    sliced->length = length;
    sliced->null_count = NullCountOf(*column, sliced->offset, length);
    columns.push_back(std::move(sliced));
  }
  return std::make_shared<RecordBatch>(schema_, std::move(columns), length);
}

int64_t RecordBatch::ByteSize() const {
  std::unordered_set<const Buffer*> seen;
  int64_t total = 0;
  for (const ArrayDataPtr& column : columns_) CollectBuffers(*column, &seen, &total);
  return total;
}

Status RecordBatch::Validate() const {
  if (!schema_) return Status::InvalidArgument("the batch has no schema");
  if (num_rows_ < 0) {
    return Status::InvalidArgument("negative row count " + std::to_string(num_rows_));
  }
  if (static_cast<int>(columns_.size()) != schema_->num_fields()) {
    return Status::InvalidArgument("the batch has " + std::to_string(columns_.size()) +
                                   " columns, the schema " +
                                   std::to_string(schema_->num_fields()));
  }
  Validator validator;
  for (int c = 0; c < num_columns(); ++c) {
    const Field& field = schema_->field(c);
    if (!columns_[c])
      return Status::InvalidArgument("column '" + field.name + "' is missing");
    if (columns_[c]->length != num_rows_) {
      return Status::InvalidArgument(
          "column '" + field.name + "': length " + std::to_string(columns_[c]->length) +
          " differs from the batch's " + std::to_string(num_rows_) + " rows");
    }
    RIVULET_RETURN_NOT_OK(validator.Column(*columns_[c], field));
  }
  return Status::OK();
}

std::vector<std::vector<Value>> RecordBatch::ToRows() const {
  std::vector<std::vector<Value>> rows(static_cast<size_t>(num_rows_));
  for (int64_t r = 0; r < num_rows_; ++r) {
    rows[r].reserve(columns_.size());
    for (const ArrayDataPtr& column : columns_) rows[r].push_back(column->GetValue(r));
  }
  return rows;
}

}  // namespace rivulet
