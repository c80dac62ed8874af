#pragma once

// Sinks that write each batch as a file in the directory given by the `path` option and
// record it in the sink's metadata log, as Spark's file sink does (file_sink_log.h). Both
// writes are atomic; a batch already in the log is skipped, so output is exactly once. A
// batch without rows is logged with no file. Data files get new names
// (part-00000-<uuid>-c000.<ext>), so nothing committed is ever replaced, and the
// directory belongs to one query (sink_directory.h).
//
//  json   JSON lines in Spark's JSON layout (json_rows.h)
//  csv    CSV as Spark writes it, with Spark's options (csv_rows.h)
//  arrow  an Arrow IPC file; option compression = none | lz4 | zstd
//
// json and csv take Spark's option `compression` (file_codec.h): the file is compressed
// whole and its name ends in the codec's extension, "part-...-c000.csv.gz".

#include <memory>

#include "rivulet/sink.h"

namespace rivulet {

Result<std::unique_ptr<Sink>> MakeJsonSink(const Options& options);
Result<std::unique_ptr<Sink>> MakeCsvSink(const Options& options);
Result<std::unique_ptr<Sink>> MakeArrowSink(const Options& options);

}  // namespace rivulet
