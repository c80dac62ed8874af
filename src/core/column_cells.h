#pragma once

// Cells of a column read in place, for code that visits every cell (the sinks, batch
// validation): no Value is built, nothing is copied. Arrow's layout is in
// rivulet/record_batch.h; the caller checks IsNull first.

#include <cstdint>
#include <cstring>
#include <string_view>

#include "rivulet/record_batch.h"

namespace rivulet {

// The bytes of row `row` of a string or binary column.
inline std::string_view BytesAt(const ArrayData& column, int64_t row) {
  int32_t bounds[2];
  std::memcpy(bounds, column.buffers[1]->data() + (column.offset + row) * 4,
              sizeof bounds);
  return {reinterpret_cast<const char*>(column.buffers[2]->data()) + bounds[0],
          static_cast<size_t>(bounds[1] - bounds[0])};
}

// The bytes the first `rows` rows of a string or binary column take together.
inline size_t TotalBytes(const ArrayData& column, int64_t rows) {
  if (rows <= 0) return 0;
  return static_cast<size_t>(BytesAt(column, rows - 1).end() -
                             BytesAt(column, 0).begin());
}

// The value of row `row` of a fixed-width column of C type T (int32_t for int and date,
// int64_t for long and timestamps, double, ...). Buffers may be unaligned: memcpy.
template <typename T>
T FixedAt(const ArrayData& column, int64_t row) {
  T value;
  std::memcpy(&value, column.buffers[1]->data() + (column.offset + row) * sizeof(T),
              sizeof(T));
  return value;
}

}  // namespace rivulet
