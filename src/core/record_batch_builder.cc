#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/layout.h"
#include "core/variant.h"
#include "rivulet/record_batch.h"

namespace rivulet {
namespace {

constexpr int64_t kMaxOffset = std::numeric_limits<int32_t>::max();

// Renders a value for an error message: its kind and a bounded rendering.
std::string Describe(const Value& v) {
  if (v.is_null()) return "null";
  std::string text;
  if (v.is<std::string>()) {
    text = "\"";
    for (char c : v.as<std::string>()) {
      if (c == '"' || c == '\\') text += '\\';
      text += c == '\n' ? std::string("\\n") : std::string(1, c);
    }
    text += "\"";
  } else {
    text = v.ToString();
  }
  constexpr size_t kMaxLength = 60;
  if (text.size() > kMaxLength) text = text.substr(0, kMaxLength - 3) + "...";
  return std::string(v.KindName()) + " " + text;
}

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char* end = p + s.size();
  while (p < end) {
    if (end - p >= 8) {  // ASCII fast path
      uint64_t word;
      std::memcpy(&word, p, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        p += 8;
        continue;
      }
    }
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra;
    uint32_t code;
    uint32_t min;
    if ((c & 0xE0) == 0xC0) {
      extra = 1, code = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, code = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, code = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (end - p <= extra) return false;
    for (int k = 1; k <= extra; ++k) {
      if ((p[k] & 0xC0) != 0x80) return false;
      code = (code << 6) | (p[k] & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    p += extra + 1;
  }
  return true;
}

// 10^n for 0 <= n <= 38.
__int128 Pow10(int64_t n) {
  __int128 out = 1;
  for (int64_t i = 0; i < n; ++i) out *= 10;
  return out;
}

unsigned __int128 Magnitude(__int128 v) {
  return v < 0 ? ~static_cast<unsigned __int128>(v) + 1
               : static_cast<unsigned __int128>(v);
}

Field MakeField(std::string name, DataTypePtr type, bool nullable) {
  Field field;
  field.name = std::move(name);
  field.type = std::move(type);
  field.nullable = nullable;
  return field;
}

// One column (or nested child) being built, in Arrow's layout.
struct ColumnBuilder {
  DataTypePtr type;
  TypeId id;
  std::string path;          // "s.a" for field a of struct column s
  bool nullable = true;      // whether this position may hold a null
  const char* null_refused;  // the error when it may not
  int64_t width = 0;         // bytes per value of a fixed-width type
  DataTypePtr entries_type;  // map only: struct<key, value>

  int64_t length = 0;
  int64_t null_count = 0;
  std::vector<uint8_t> validity;
  std::vector<uint8_t> values;  // fixed-width values, boolean bits or string bytes
  std::vector<int32_t> offsets;
  std::vector<ColumnBuilder> children;  // array: element; map: key, value; struct: fields

  ColumnBuilder(DataTypePtr t, std::string p, bool may_be_null, const char* refused)
      : type(std::move(t)),
        id(type->id()),
        path(std::move(p)),
        nullable(may_be_null),
        null_refused(refused),
        width(core::FixedWidth(id)) {
    switch (id) {
      case TypeId::kArray:
        children.emplace_back(type->element_type(), path + ".element",
                              type->contains_null(), core::NullRefusedMessage(id));
        break;
      case TypeId::kMap:
        children.emplace_back(type->key_type(), path + ".key", false,
                              core::kNullMapKeyMessage);
        children.emplace_back(type->value_type(), path + ".value",
                              type->value_contains_null(), core::NullRefusedMessage(id));
        entries_type = DataType::Struct(
            {MakeField("key", type->key_type(), false),
             MakeField("value", type->value_type(), type->value_contains_null())});
        break;
      case TypeId::kStruct:
      case TypeId::kVariant:
        for (const Field& f : type->fields()) {
          children.emplace_back(f.type, path + "." + f.name, f.nullable,
                                core::NullRefusedMessage(id));
        }
        break;
      default:
        break;
    }
    Reset();
  }

  bool HasOffsets() const {
    return id == TypeId::kString || id == TypeId::kBinary || id == TypeId::kArray ||
           id == TypeId::kMap;
  }

  void Reset() {
    length = 0;
    null_count = 0;
    validity.clear();
    values.clear();
    offsets.clear();
    if (HasOffsets()) offsets.push_back(0);
  }

  Status Error(int64_t row, const std::string& message) const {
    return Status::InvalidArgument("column '" + path + "' (row " + std::to_string(row) +
                                   "): " + message);
  }
  Status Mismatch(int64_t row, const Value& v) const {
    return Error(row, "expected " + type->ToString() + ", got " + Describe(v));
  }
  Status OutOfRange(int64_t row, const Value& v) const {
    return Error(row, "value " + v.ToString() + " out of range for " + type->ToString());
  }

  void PushValidity(bool valid) {
    if (id == TypeId::kNull) return;
    if ((length & 7) == 0) validity.push_back(0);
    core::SetBitTo(validity.data(), length, valid);
  }

  template <typename T>
  void PushFixed(T v) {
    const auto* bytes = reinterpret_cast<const uint8_t*>(&v);
    values.insert(values.end(), bytes, bytes + sizeof(T));
  }

  void PushBit(bool v) {
    if ((length & 7) == 0) values.push_back(0);
    core::SetBitTo(values.data(), length, v);
  }

  // Ends a valid (or null) entry whose contents were appended.
  void Commit(bool valid) {
    PushValidity(valid);
    if (!valid) ++null_count;
    ++length;
  }

  // A null, or where nulls are refused (a NOT NULL field of a null struct) an empty
  // placeholder value, so that NOT NULL children never hold nulls.
  void AppendPlaceholder(bool as_null) {
    if (id == TypeId::kNull) {
      ++null_count;
      ++length;
      return;
    }
    switch (id) {
      case TypeId::kBoolean:
        PushBit(false);
        break;
      case TypeId::kString:
      case TypeId::kBinary:
      case TypeId::kArray:
      case TypeId::kMap:
        offsets.push_back(offsets.back());
        break;
      case TypeId::kStruct:
      case TypeId::kVariant:
        for (ColumnBuilder& child : children) child.AppendPlaceholder(child.nullable);
        break;
      default:
        values.resize(values.size() + static_cast<size_t>(width), 0);
        break;
    }
    Commit(!as_null);
  }

  Status AppendBytes(int64_t row, std::string_view bytes) {
    if (static_cast<int64_t>(values.size() + bytes.size()) > kMaxOffset) {
      return Error(
          row, "more than " + std::to_string(kMaxOffset) + " bytes of data in one batch");
    }
    values.insert(values.end(), bytes.begin(), bytes.end());
    offsets.push_back(static_cast<int32_t>(values.size()));
    return Status::OK();
  }

  Status AppendInteger(int64_t row, const Value& v, int64_t min, int64_t max) {
    if (!v.is<int64_t>()) return Mismatch(row, v);
    int64_t x = v.as<int64_t>();
    if (x < min || x > max) return OutOfRange(row, v);
    switch (width) {
      case 1:
        PushFixed(static_cast<int8_t>(x));
        break;
      case 2:
        PushFixed(static_cast<int16_t>(x));
        break;
      case 4:
        PushFixed(static_cast<int32_t>(x));
        break;
      default:
        PushFixed(x);
        break;
    }
    return Status::OK();
  }

  Status AppendDecimal(int64_t row, const Value& v) {
    DecimalValue d;
    if (v.is<int64_t>()) {
      d.unscaled = v.as<int64_t>();
    } else if (v.is<DecimalValue>()) {
      d = v.as<DecimalValue>();
    } else {
      return Mismatch(row, v);
    }
    int64_t precision = type->precision();
    int64_t diff = int64_t{type->scale()} - d.scale;
    __int128 unscaled = d.unscaled;
    if (diff < 0) {
      // Any nonzero int128 is below 10^39, so dividing by more than 10^38 always rounds.
      if (unscaled != 0 && (-diff > 38 || unscaled % Pow10(-diff) != 0)) {
        return Error(row, "value " + v.ToString() + " does not fit " + type->ToString() +
                              " without rounding");
      }
      if (unscaled != 0) unscaled /= Pow10(-diff);
      diff = 0;
    }
    // |unscaled| * 10^diff must stay below 10^precision.
    if (diff > precision) {
      if (unscaled != 0) return OutOfRange(row, v);
    } else if (Magnitude(unscaled) >=
               static_cast<unsigned __int128>(Pow10(precision - diff))) {
      return OutOfRange(row, v);
    }
    PushFixed(unscaled * Pow10(std::min(diff, precision)));
    return Status::OK();
  }

  Status Append(int64_t row, const Value& v) {
    if (v.is_null()) {
      if (!nullable) return Error(row, null_refused);
      AppendPlaceholder(true);
      return Status::OK();
    }
    switch (id) {
      case TypeId::kNull:
        return Mismatch(row, v);
      case TypeId::kBoolean:
        if (!v.is<bool>()) return Mismatch(row, v);
        PushBit(v.as<bool>());
        break;
      case TypeId::kByte:
        RIVULET_RETURN_NOT_OK(AppendInteger(row, v, INT8_MIN, INT8_MAX));
        break;
      case TypeId::kShort:
        RIVULET_RETURN_NOT_OK(AppendInteger(row, v, INT16_MIN, INT16_MAX));
        break;
      case TypeId::kInt:
        RIVULET_RETURN_NOT_OK(AppendInteger(row, v, INT32_MIN, INT32_MAX));
        break;
      case TypeId::kLong:
        RIVULET_RETURN_NOT_OK(AppendInteger(row, v, INT64_MIN, INT64_MAX));
        break;
      case TypeId::kFloat:
      case TypeId::kDouble: {
        double x;
        if (v.is<double>()) {
          x = v.as<double>();
        } else if (v.is<int64_t>()) {
          x = static_cast<double>(v.as<int64_t>());
        } else {
          return Mismatch(row, v);
        }
        if (id == TypeId::kDouble) {
          PushFixed(x);
        } else {
          if (std::isfinite(x) && std::fabs(x) > FLT_MAX) return OutOfRange(row, v);
          PushFixed(static_cast<float>(x));
        }
        break;
      }
      case TypeId::kDecimal:
        RIVULET_RETURN_NOT_OK(AppendDecimal(row, v));
        break;
      case TypeId::kString:
        if (!v.is<std::string>()) return Mismatch(row, v);
        if (!IsValidUtf8(v.as<std::string>()))
          return Error(row, "string is not valid UTF-8");
        RIVULET_RETURN_NOT_OK(AppendBytes(row, v.as<std::string>()));
        break;
      case TypeId::kBinary:
        if (!v.is<Bytes>()) return Mismatch(row, v);
        RIVULET_RETURN_NOT_OK(AppendBytes(row, v.as<Bytes>().data));
        break;
      case TypeId::kDate:
        if (!v.is<DateValue>()) return Mismatch(row, v);
        PushFixed(v.as<DateValue>().days);
        break;
      case TypeId::kTimestamp:
      case TypeId::kTimestampNtz:
        if (!v.is<TimestampValue>()) return Mismatch(row, v);
        PushFixed(v.as<TimestampValue>().micros);
        break;
      case TypeId::kDayTimeInterval:
        if (!v.is<IntervalValue>()) return Mismatch(row, v);
        PushFixed(v.as<IntervalValue>().micros);
        break;
      case TypeId::kVariant: {
        if (!v.is<VariantValue>()) return Mismatch(row, v);
        const VariantValue& variant = v.as<VariantValue>();
        auto json = VariantToJson(variant.value, variant.metadata);
        if (!json.ok()) return Error(row, json.status().message());
        RIVULET_RETURN_NOT_OK(children[0].Append(row, Bytes{variant.value}));
        RIVULET_RETURN_NOT_OK(children[1].Append(row, Bytes{variant.metadata}));
        break;
      }
      case TypeId::kArray: {
        if (!v.is<ListValue>()) return Mismatch(row, v);
        ColumnBuilder& element = children[0];
        for (const Value& item : v.as<ListValue>().items) {
          RIVULET_RETURN_NOT_OK(element.Append(row, item));
        }
        if (element.length > kMaxOffset) {
          return Error(row, "more than " + std::to_string(kMaxOffset) +
                                " array elements in one batch");
        }
        offsets.push_back(static_cast<int32_t>(element.length));
        break;
      }
      case TypeId::kMap: {
        if (!v.is<MapValue>()) return Mismatch(row, v);
        for (const auto& [key, item] : v.as<MapValue>().entries) {
          RIVULET_RETURN_NOT_OK(children[0].Append(row, key));
          RIVULET_RETURN_NOT_OK(children[1].Append(row, item));
        }
        if (children[0].length > kMaxOffset) {
          return Error(row, "more than " + std::to_string(kMaxOffset) +
                                " map entries in one batch");
        }
        offsets.push_back(static_cast<int32_t>(children[0].length));
        break;
      }
      case TypeId::kStruct: {
        if (!v.is<ListValue>()) return Mismatch(row, v);
        const std::vector<Value>& items = v.as<ListValue>().items;
        if (items.size() != children.size()) {
          return Error(row, "expected " + std::to_string(children.size()) +
                                " fields for " + type->ToString() + ", got " +
                                std::to_string(items.size()) + " values");
        }
        for (size_t k = 0; k < items.size(); ++k) {
          RIVULET_RETURN_NOT_OK(children[k].Append(row, items[k]));
        }
        break;
      }
    }
    Commit(true);
    return Status::OK();
  }

  // Drops entries from n on, including whatever a failed append left in the children.
  void Truncate(int64_t n) {
    if (id == TypeId::kNull) {
      null_count = n;
    } else if (n < length) {
      null_count -= (length - n) - core::CountSetBits(validity.data(), n, length - n);
    }
    length = n;
    validity.resize(static_cast<size_t>((n + 7) / 8));
    switch (id) {
      case TypeId::kNull:
        break;
      case TypeId::kBoolean:
        values.resize(static_cast<size_t>((n + 7) / 8));
        break;
      case TypeId::kString:
      case TypeId::kBinary:
        offsets.resize(static_cast<size_t>(n + 1));
        values.resize(static_cast<size_t>(offsets.back()));
        break;
      case TypeId::kArray:
      case TypeId::kMap:
        offsets.resize(static_cast<size_t>(n + 1));
        for (ColumnBuilder& child : children) child.Truncate(offsets.back());
        break;
      case TypeId::kStruct:
      case TypeId::kVariant:
        for (ColumnBuilder& child : children) child.Truncate(n);
        break;
      default:
        values.resize(static_cast<size_t>(n * width));
        break;
    }
  }

  // Moves the built buffers into an ArrayData and starts over, keeping the capacity.
  ArrayDataPtr Finish() {
    auto data = std::make_shared<ArrayData>();
    data->type = type;
    data->length = length;
    data->null_count = null_count;
    if (id != TypeId::kNull) {
      // Bits past the end may be left over from truncated rows; Arrow wants them zero.
      if ((length & 7) != 0)
        validity.back() &= static_cast<uint8_t>((1u << (length & 7)) - 1);
      data->buffers.push_back(null_count > 0 ? TakeBytes(validity) : nullptr);
    }
    switch (id) {
      case TypeId::kNull:
        break;
      case TypeId::kBoolean:
        if ((length & 7) != 0)
          values.back() &= static_cast<uint8_t>((1u << (length & 7)) - 1);
        data->buffers.push_back(TakeBytes(values));
        break;
      case TypeId::kString:
      case TypeId::kBinary:
        data->buffers.push_back(TakeOffsets());
        data->buffers.push_back(TakeBytes(values));
        break;
      case TypeId::kArray:
        data->buffers.push_back(TakeOffsets());
        data->children.push_back(children[0].Finish());
        break;
      case TypeId::kMap: {
        data->buffers.push_back(TakeOffsets());
        auto entries = std::make_shared<ArrayData>();
        entries->type = entries_type;
        entries->length = children[0].length;
        entries->buffers.push_back(nullptr);
        for (ColumnBuilder& child : children) entries->children.push_back(child.Finish());
        data->children.push_back(std::move(entries));
        break;
      }
      case TypeId::kStruct:
      case TypeId::kVariant:
        for (ColumnBuilder& child : children) data->children.push_back(child.Finish());
        break;
      default:
        data->buffers.push_back(TakeBytes(values));
        break;
    }
    Reset();
    return data;
  }

  static BufferPtr TakeBytes(std::vector<uint8_t>& bytes) {
    size_t capacity = bytes.size();
    BufferPtr out = Buffer::FromVector(std::move(bytes));
    bytes = std::vector<uint8_t>();
    bytes.reserve(capacity);
    return out;
  }

  BufferPtr TakeOffsets() {
    size_t capacity = offsets.size();
    auto owner = std::make_shared<std::vector<int32_t>>(std::move(offsets));
    offsets = std::vector<int32_t>();
    offsets.reserve(capacity);
    return std::make_shared<Buffer>(reinterpret_cast<const uint8_t*>(owner->data()),
                                    static_cast<int64_t>(owner->size() * sizeof(int32_t)),
                                    owner);
  }
};

}  // namespace

struct RecordBatchBuilder::Impl {
  std::shared_ptr<const Schema> schema;
  std::vector<ColumnBuilder> columns;
  int64_t num_rows = 0;
};

RecordBatchBuilder::RecordBatchBuilder(std::shared_ptr<const Schema> schema)
    : impl_(std::make_unique<Impl>()) {
  impl_->schema = std::move(schema);
  for (const Field& f : impl_->schema->fields()) {
    impl_->columns.emplace_back(f.type, f.name, f.nullable,
                                core::NullRefusedMessage(TypeId::kStruct));
  }
}

RecordBatchBuilder::~RecordBatchBuilder() = default;
RecordBatchBuilder::RecordBatchBuilder(RecordBatchBuilder&&) noexcept = default;
RecordBatchBuilder& RecordBatchBuilder::operator=(RecordBatchBuilder&&) noexcept =
    default;

Status RecordBatchBuilder::AppendRow(std::span<const Value> row) {
  Impl& impl = *impl_;
  if (row.size() != impl.columns.size()) {
    return Status::InvalidArgument(
        "row " + std::to_string(impl.num_rows) + " has " + std::to_string(row.size()) +
        " values, the schema has " + std::to_string(impl.columns.size()) + " columns");
  }
  for (size_t c = 0; c < row.size(); ++c) {
    Status st = impl.columns[c].Append(impl.num_rows, row[c]);
    if (!st.ok()) {
      for (size_t k = 0; k <= c; ++k) impl.columns[k].Truncate(impl.num_rows);
      return st;
    }
  }
  ++impl.num_rows;
  return Status::OK();
}

int64_t RecordBatchBuilder::num_rows() const { return impl_->num_rows; }

Result<RecordBatchPtr> RecordBatchBuilder::Finish() {
  Impl& impl = *impl_;
  std::vector<ArrayDataPtr> arrays;
  arrays.reserve(impl.columns.size());
  for (ColumnBuilder& column : impl.columns) arrays.push_back(column.Finish());
  auto batch =
      std::make_shared<const RecordBatch>(impl.schema, std::move(arrays), impl.num_rows);
  impl.num_rows = 0;
  return RecordBatchPtr(std::move(batch));
}

}  // namespace rivulet
