#include "sinks/json_rows.h"

#include <nlohmann/json.hpp>

#include "sinks/value_text.h"

namespace rivulet {

void AppendJsonLines(const RecordBatch& batch, std::string* out) {
  const Schema& schema = *batch.schema();
  for (int64_t r = 0; r < batch.num_rows(); ++r) {
    *out += '{';
    bool first = true;
    for (int c = 0; c < batch.num_columns(); ++c) {
      const auto& column = *batch.column(c);
      if (column.IsNull(r)) continue;
      if (!first) *out += ',';
      first = false;
      *out += nlohmann::json(schema.field(c).name).dump() + ':';
      AppendJsonValue(column.GetValue(r), *schema.field(c).type, out);
    }
    *out += "}\n";
  }
}

}  // namespace rivulet
