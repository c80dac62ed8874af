#include "sinks/json_rows.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/column_cells.h"
#include "core/double_text.h"
#include "core/json_string.h"
#include "sinks/value_text.h"

namespace rivulet {
namespace {

// About how many bytes the batch's lines take, so that the text grows once, not by
// doubling: a string column's bytes are known, other cells are guessed generously.
size_t EstimatedSize(const RecordBatch& batch, const std::vector<std::string>& keys) {
  const auto rows = static_cast<size_t>(batch.num_rows());
  size_t per_row = 3;  // {, } and the newline
  size_t strings = 0;
  for (int c = 0; c < batch.num_columns(); ++c) {
    const ArrayData& column = *batch.column(c);
    per_row += keys[c].size() + 1;
    if (column.type->id() == TypeId::kString) {
      strings += TotalBytes(column, batch.num_rows());
      per_row += 2;
    } else {
      per_row += 24;
    }
  }
  return rows * per_row + strings + strings / 8;
}

template <typename T>
void AppendInteger(T value, std::string* out) {
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
  out->append(buf, end);
}

// The common cells read in place; the rest through a Value.
void AppendCell(const ArrayData& column, int64_t row, const DataType& type,
                std::string* out) {
  switch (type.id()) {
    case TypeId::kString:
      AppendJsonString(BytesAt(column, row), HexCase::kLower, out);
      return;
    case TypeId::kInt:
      AppendInteger(FixedAt<int32_t>(column, row), out);
      return;
    case TypeId::kLong:
      AppendInteger(FixedAt<int64_t>(column, row), out);
      return;
    case TypeId::kDouble: {
      // JSON has no NaN or infinities: Spark writes them as strings.
      const double v = FixedAt<double>(column, row);
      const bool quoted = !std::isfinite(v);
      if (quoted) *out += '"';
      AppendJavaDouble(v, out);
      if (quoted) *out += '"';
      return;
    }
    default:
      AppendJsonValue(column.GetValue(row), type, out);
  }
}

}  // namespace

void AppendJsonLines(const RecordBatch& batch, std::string* out) {
  const Schema& schema = *batch.schema();
  std::vector<std::string> keys;  // "\"name\":" per column
  keys.reserve(schema.num_fields());
  for (const Field& field : schema.fields())
    keys.push_back(nlohmann::json(field.name).dump() + ':');
  out->reserve(out->size() + EstimatedSize(batch, keys));
  for (int64_t r = 0; r < batch.num_rows(); ++r) {
    *out += '{';
    bool first = true;
    for (int c = 0; c < batch.num_columns(); ++c) {
      const auto& column = *batch.column(c);
      if (column.IsNull(r)) continue;
      if (!first) *out += ',';
      first = false;
      *out += keys[c];
      AppendCell(column, r, *schema.field(c).type, out);
    }
    *out += "}\n";
  }
}

}  // namespace rivulet
