#pragma once

// A sink that hands every batch to a Python callable, callback(batch_id, batches), with
// the batch's record batches as a rivulet._engine.Batches (arrow_batches.h), not copied:
// foreachBatch and the memory sink. The callable runs
// in the user's interpreter, under the GIL, on the runtime's blocking threads; an
// exception it raises fails the query with `failure_prefix` and its traceback, and the
// batch is not committed.

#include <memory>
#include <string>

#include "frontend/python_object.h"
#include "rivulet/sink.h"

namespace rivulet::frontend {

struct CallbackSinkOptions {
  std::string description;     // "ForeachBatchSink", "MemorySink"
  std::string failure_prefix;  // put before the traceback of a failing call
  bool reports_rows = true;    // false: progress shows numOutputRows -1
};

std::unique_ptr<Sink> MakeCallbackSink(nanobind::object callback,
                                       CallbackSinkOptions options);

}  // namespace rivulet::frontend
