#pragma once

// Spark's console sink: a "Batch: N" banner and the batch as an aligned table, in the
// layout of Dataset.show(). Options: numRows (default 20), truncate (default true: cells
// longer than 20 characters are cut to 17 and "..."). A replayed batch is printed again,
// as in Spark.

#include <memory>
#include <ostream>

#include "rivulet/sink.h"

namespace rivulet {

Result<std::unique_ptr<Sink>> MakeConsoleSink(const Options& options);
// For tests: writes to `out` instead of stdout.
Result<std::unique_ptr<Sink>> MakeConsoleSink(const Options& options, std::ostream* out);

// The table of Dataset.show(num_rows, truncate) for these batches.
std::string FormatTable(const Schema& schema, const std::vector<RecordBatchPtr>& batches,
                        int64_t num_rows, int truncate);

}  // namespace rivulet
