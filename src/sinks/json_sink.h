#pragma once

// Writes each batch as one JSON-lines file, part-<batch id>.json, in the directory given by
// the `path` option, and records it in the sink's metadata log (see file_sink_log.h). Both
// writes are atomic; a batch already in the log is skipped, so output is exactly once.

#include <memory>

#include "rivulet/sink.h"

namespace rivulet {

Result<std::unique_ptr<Sink>> MakeJsonSink(const Options& options);

}  // namespace rivulet
