#pragma once

// Sinks that write each batch as one file in the directory given by the `path` option and
// record it in the sink's metadata log (see file_sink_log.h). Both writes are atomic; a
// batch already in the log is skipped, so output is exactly once. A batch without rows is
// logged with no file, as Spark's file sink does.
//
//  json   part-<batch id>.json: JSON lines in Spark's JSON layout (json_rows.h)
//  arrow  part-<batch id>.arrow: an Arrow IPC file;
//         option compression = none | lz4 | zstd

#include <memory>

#include "rivulet/sink.h"

namespace rivulet {

Result<std::unique_ptr<Sink>> MakeJsonSink(const Options& options);
Result<std::unique_ptr<Sink>> MakeArrowSink(const Options& options);

}  // namespace rivulet
