#include "sinks/partitioning.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "sinks/value_text.h"

namespace rivulet {
namespace {

constexpr const char* kDefaultPartition = "__HIVE_DEFAULT_PARTITION__";

bool NeedsEscape(unsigned char c) {
  if (c < 0x20 || c == 0x7f) return true;
  switch (c) {
    case '"':
    case '#':
    case '%':
    case '\'':
    case '*':
    case '/':
    case ':':
    case '=':
    case '?':
    case '\\':
    case '{':
    case '[':
    case ']':
    case '^':
      return true;
    default:
      return false;
  }
}

// A timestamp as Spark casts it to text: the fraction without its trailing zeros.
std::string TimestampText(int64_t micros) {
  std::string text = IsoTimestamp(micros, TimestampStyle::kSql);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string ValueText(const ArrayData& column, int64_t row) {
  if (column.IsNull(row)) return "";
  Value v = column.GetValue(row);
  switch (column.type->id()) {
    case TypeId::kString:
      return v.as<std::string>();
    case TypeId::kBinary:
      return v.as<Bytes>().data;
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz:
      return TimestampText(v.as<TimestampValue>().micros);
    default:
      return v.ToString(*column.type);  // numbers, booleans, decimals, dates
  }
}

std::string Folder(const std::vector<std::string>& names, const std::vector<int>& columns,
                   const RecordBatch& batch, int64_t row) {
  std::string folder;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) folder += '/';
    std::string value = ValueText(*batch.column(columns[i]), row);
    folder += EscapePartitionValue(names[i]) + '=' +
              (value.empty() ? kDefaultPartition : EscapePartitionValue(value));
  }
  return folder;
}

// Spark resolves partition columns as it resolves names: case-insensitively.
int FieldIndexIgnoringCase(const Schema& schema, std::string_view name) {
  for (int i = 0; i < schema.num_fields(); ++i) {
    const std::string& field = schema.field(i).name;
    if (field.size() == name.size() &&
        std::equal(field.begin(), field.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return i;
    }
  }
  return -1;
}

}  // namespace

std::string EscapePartitionValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (NeedsEscape(static_cast<unsigned char>(c))) {
      char hex[4];
      snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
      out += hex;
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::string> SplitColumnList(std::string_view list) {
  std::vector<std::string> names;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (!name.empty()) names.emplace_back(name);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return names;
}

Result<Partitioning> Partitioning::Resolve(const std::shared_ptr<const Schema>& schema,
                                           const std::vector<std::string>& names) {
  Partitioning p;
  std::vector<bool> is_partition(schema->num_fields(), false);
  for (const std::string& name : names) {
    int index = FieldIndexIgnoringCase(*schema, name);
    if (index < 0) {
      std::string existing;
      for (const Field& field : schema->fields()) {
        if (!existing.empty()) existing += ", ";
        existing += field.name;
      }
      std::string message = "Partition column " + name;
      message += " not found in existing columns (" + existing + ").";
      return Status::InvalidArgument(std::move(message));
    }
    if (schema->field(index).type->IsNested() ||
        schema->field(index).type->id() == TypeId::kVariant) {
      return Status::InvalidArgument("Cannot use " + schema->field(index).type->ToDdl() +
                                     " for partition column " + name);
    }
    p.partition_columns_.push_back(index);
    p.names_.push_back(schema->field(index).name);
    is_partition[index] = true;
  }
  std::vector<Field> data_fields;
  for (int i = 0; i < schema->num_fields(); ++i) {
    if (is_partition[i]) continue;
    p.data_columns_.push_back(i);
    data_fields.push_back(schema->field(i));
  }
  if (data_fields.empty()) {
    return Status::InvalidArgument(
        "[ALL_PARTITION_COLUMNS_NOT_ALLOWED] Cannot use all columns for partition "
        "columns. SQLSTATE: KD005");
  }
  p.data_schema_ = std::make_shared<const Schema>(std::move(data_fields));
  return p;
}

std::vector<Partitioning::Run> Partitioning::Split(const RecordBatch& batch) const {
  std::vector<ArrayDataPtr> data;
  for (int c : data_columns_) data.push_back(batch.column(c));
  RecordBatch projected(data_schema_, std::move(data), batch.num_rows());
  std::vector<Run> runs;
  int64_t start = 0;
  std::string folder;
  for (int64_t row = 0; row < batch.num_rows(); ++row) {
    std::string here = Folder(names_, partition_columns_, batch, row);
    if (row > 0 && here != folder) {
      runs.push_back({folder, projected.Slice(start, row - start)});
      start = row;
    }
    folder = std::move(here);
  }
  if (batch.num_rows() > start) {
    runs.push_back({folder, projected.Slice(start, batch.num_rows() - start)});
  }
  return runs;
}

}  // namespace rivulet
