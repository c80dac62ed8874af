#pragma once

// Rows as Spark's JSON data source writes them: one object per line, fields in schema
// order, null fields left out, timestamps as "2024-01-02T03:04:05.123Z" (UTC), dates as
// "2024-01-02", binary as base64, maps as objects.

#include <string>

#include "rivulet/record_batch.h"

namespace rivulet {

// Appends one line per row of `batch` to `out`.
void AppendJsonLines(const RecordBatch& batch, std::string* out);

}  // namespace rivulet
