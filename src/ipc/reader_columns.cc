// Column loading: a record batch's buffers to columns, with every range checked, bodies
// decompressed, wire layouts converted to the engine's, and dictionaries decoded.

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ipc/compression.h"
#include "ipc/reader_internal.h"
#include "ipc/take.h"

namespace rivulet::ipc::internal {

namespace {

// ---- bodies ----

// One record batch's buffers and field nodes, handed out in order, every range checked.
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
      case Wire::kTimestamp:
      case Wire::kDuration: {
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
        if (child->length / std::max(plan.fixed_size, 1) <
            (plan.fixed_size ? length : 0)) {
          return ColumnError(path, "child has " + std::to_string(child->length) +
                                       " values, fewer than " + std::to_string(length) +
                                       " lists of " + std::to_string(plan.fixed_size));
        }
        RIVULET_ASSIGN_OR_RETURN(auto offsets,
                                 FixedOffsets(path, length, plan.fixed_size));
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

  // Checks that offsets[0..length] are >= 0 and never decrease; *last gets the final one.
  // The scan has no early exit so that it vectorizes; a failure is located afterwards.
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

  // Values of width 0 take no bytes of the body, so nothing else bounds their count, and
  // the engine's layout gives each an offset: a forged length would allocate gigabytes.
  static constexpr int64_t kMaxZeroWidthValues = int64_t{1} << 20;

  static Result<BufferPtr> FixedOffsets(const std::string& path, int64_t length,
                                        int width) {
    if (width == 0 && length > kMaxZeroWidthValues) {
      return ColumnError(path, std::to_string(length) +
                                   " values of size 0: more than the engine takes (" +
                                   std::to_string(kMaxZeroWidthValues) + ")");
    }
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
      case Wire::kTimestamp:
      case Wire::kDuration: {
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
                const char* kind =
                    plan.wire == Wire::kDuration ? "duration " : "timestamp ";
                return ColumnError(plan.path, kind + std::to_string(v[i]) + " " +
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

}  // namespace

Result<RecordBatchPtr> LoadRecordBatch(const SchemaPlan& schema_plan,
                                       const Dictionaries& dictionaries,
                                       const fb::RecordBatch* rb, const uint8_t* body,
                                       int64_t body_length, Owner owner) {
  if (rb == nullptr) return Corrupt("record batch message without its header");
  if (rb->length() < 0)
    return Corrupt("negative record batch length " + std::to_string(rb->length()));
  BodyReader reader(rb, body, body_length, std::move(owner));
  RIVULET_RETURN_NOT_OK(reader.Init());
  ColumnLoader loader(&reader, &dictionaries);
  std::vector<ArrayDataPtr> columns;
  for (const FieldPlan& plan : schema_plan.fields) {
    RIVULET_ASSIGN_OR_RETURN(ArrayDataPtr column, loader.Load(plan));
    if (column->length != rb->length()) {
      return ColumnError(plan.path, "has " + std::to_string(column->length) +
                                        " values, the record batch " +
                                        std::to_string(rb->length()) + " rows");
    }
    columns.push_back(std::move(column));
  }
  RIVULET_RETURN_NOT_OK(reader.CheckAllUsed());
  auto batch = std::make_shared<const RecordBatch>(schema_plan.schema, std::move(columns),
                                                   rb->length());
  RIVULET_RETURN_NOT_OK(batch->Validate());
  return RecordBatchPtr(batch);
}

Status LoadDictionaryBatch(const SchemaPlan& schema_plan, const fb::DictionaryBatch* db,
                           const uint8_t* body, int64_t body_length, Owner owner,
                           Dictionaries* dictionaries) {
  if (db == nullptr || db->data() == nullptr)
    return Corrupt("dictionary batch without data");
  auto it = schema_plan.dictionaries.find(db->id());
  if (it == schema_plan.dictionaries.end()) {
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
  ColumnLoader loader(&reader, dictionaries);
  RIVULET_ASSIGN_OR_RETURN(ArrayDataPtr values, loader.Load(values_plan));
  RIVULET_RETURN_NOT_OK(reader.CheckAllUsed());
  if (values->length != rb->length()) {
    return ColumnError(values_plan.path,
                       "dictionary has " + std::to_string(values->length) +
                           " values, its batch says " + std::to_string(rb->length()));
  }
  ArrayDataPtr& slot = (*dictionaries)[db->id()];
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

}  // namespace rivulet::ipc::internal
