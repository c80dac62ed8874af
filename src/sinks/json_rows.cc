#include "sinks/json_rows.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "sinks/column_cells.h"
#include "sinks/value_text.h"

namespace rivulet {
namespace {

// `text` as a JSON string, escaped as nlohmann::json::dump escapes it.
void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  *out += '"';
  for (char c : text) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\f':
        *out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          *out += "\\u00";
          *out += kHex[(c >> 4) & 15];
          *out += kHex[c & 15];
        } else {
          *out += c;
        }
    }
  }
  *out += '"';
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
      AppendJsonString(BytesAt(column, row), out);
      return;
    case TypeId::kInt:
      AppendInteger(FixedAt<int32_t>(column, row), out);
      return;
    case TypeId::kLong:
      AppendInteger(FixedAt<int64_t>(column, row), out);
      return;
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
