#pragma once

// Columnar batches laid out in memory exactly as Arrow's columnar format, so the IPC
// codec only (de)serializes buffers. Per column type the buffers are (Arrow's order):
//   null:               none
//   boolean:            validity bitmap, value bitmap
//   byte..double, date, timestamp*: validity, values (fixed width, little endian)
//   decimal:            validity, 16-byte little-endian two's complement values
//   string, binary:     validity, int32 offsets (length+1), data bytes
//   array:              validity, int32 offsets; children[0] = elements
//   map:                validity, int32 offsets; children[0] = struct<key, value> entries
//   struct:             validity; one child per field
// A validity buffer may be null when null_count == 0. `offset` is the logical start of
// the array inside its buffers (Arrow slicing); bitmaps are LSB-first. Batches are
// immutable once built and safe to read from many threads.

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rivulet/schema.h"
#include "rivulet/status.h"
#include "rivulet/value.h"

namespace rivulet {

// A contiguous, immutable byte range. It either owns its bytes or keeps alive the owner
// of memory it points into (a decoded IPC message, a mapped file), which makes zero-copy
// reads possible.
class Buffer {
 public:
  Buffer(const uint8_t* data, int64_t size, std::shared_ptr<const void> owner)
      : data_(data), size_(size), owner_(std::move(owner)) {}
  // Takes ownership of the bytes.
  static std::shared_ptr<Buffer> FromVector(std::vector<uint8_t> bytes);
  static std::shared_ptr<Buffer> Copy(const void* data, int64_t size);

  const uint8_t* data() const { return data_; }
  int64_t size() const { return size_; }
  template <typename T>
  const T* data_as() const {
    return reinterpret_cast<const T*>(data_);
  }
  std::span<const uint8_t> span() const { return {data_, static_cast<size_t>(size_)}; }

 private:
  const uint8_t* data_;
  int64_t size_;
  std::shared_ptr<const void> owner_;
};
using BufferPtr = std::shared_ptr<Buffer>;

inline bool GetBit(const uint8_t* bits, int64_t i) {
  return (bits[i >> 3] >> (i & 7)) & 1;
}

struct ArrayData;
using ArrayDataPtr = std::shared_ptr<const ArrayData>;

struct ArrayData {
  DataTypePtr type;
  int64_t length = 0;
  int64_t null_count = 0;
  int64_t offset = 0;
  std::vector<BufferPtr> buffers;  // see the table above; entries may be null
  std::vector<ArrayDataPtr> children;

  bool IsNull(int64_t i) const {
    if (type->id() == TypeId::kNull) return true;
    return null_count != 0 && buffers[0] && !GetBit(buffers[0]->data(), offset + i);
  }
  // The value at logical row i as a Value: for printing, sinks and tests, not hot paths.
  Value GetValue(int64_t i) const;
};

class RecordBatch {
 public:
  RecordBatch(std::shared_ptr<const Schema> schema, std::vector<ArrayDataPtr> columns,
              int64_t num_rows)
      : schema_(std::move(schema)), columns_(std::move(columns)), num_rows_(num_rows) {}

  const std::shared_ptr<const Schema>& schema() const { return schema_; }
  int64_t num_rows() const { return num_rows_; }
  int num_columns() const { return static_cast<int>(columns_.size()); }
  const ArrayDataPtr& column(int i) const { return columns_[i]; }
  const std::vector<ArrayDataPtr>& columns() const { return columns_; }

  // Rows [offset, offset + length), sharing buffers.
  std::shared_ptr<RecordBatch> Slice(int64_t offset, int64_t length) const;
  // Bytes referenced by the batch's buffers (for memory accounting).
  int64_t ByteSize() const;
  // Checks the Arrow layout invariants (buffer sizes, offsets monotonic and in range,
  // child lengths); the IPC decoder runs this on everything it reads.
  Status Validate() const;
  // Rows as Values, for tests and sinks that print.
  std::vector<std::vector<Value>> ToRows() const;

 private:
  std::shared_ptr<const Schema> schema_;
  std::vector<ArrayDataPtr> columns_;
  int64_t num_rows_;
};
using RecordBatchPtr = std::shared_ptr<const RecordBatch>;

// Builds a batch row by row, checking every value against the schema. A value that does
// not fit is refused with an error naming the column, the row, the expected type and the
// value: "column 'id' (row 3): expected int, got string \"x\"".
class RecordBatchBuilder {
 public:
  explicit RecordBatchBuilder(std::shared_ptr<const Schema> schema);
  ~RecordBatchBuilder();
  RecordBatchBuilder(RecordBatchBuilder&&) noexcept;
  RecordBatchBuilder& operator=(RecordBatchBuilder&&) noexcept;

  // Appends one row; on error nothing of the row is kept.
  Status AppendRow(std::span<const Value> row);
  int64_t num_rows() const;
  // Returns the batch and resets the builder for the next one.
  Result<RecordBatchPtr> Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A fixed-width column without nulls (int, long, double, date, timestamp...) that takes
// ownership of `values`: the fast path for native sources that fill columns directly.
template <typename T>
ArrayDataPtr MakeFixedWidthColumn(DataTypePtr type, std::vector<T> values) {
  auto data = std::make_shared<ArrayData>();
  data->type = std::move(type);
  data->length = static_cast<int64_t>(values.size());
  auto owner = std::make_shared<std::vector<T>>(std::move(values));
  data->buffers = {nullptr, std::make_shared<Buffer>(
                                reinterpret_cast<const uint8_t*>(owner->data()),
                                static_cast<int64_t>(owner->size() * sizeof(T)), owner)};
  return data;
}

}  // namespace rivulet
