#pragma once

// Arrow's C data and C stream interfaces (the ABI of
// https://arrow.apache.org/docs/format/CDataInterface.html and CStreamInterface.html):
// how the module hands a batch to pyarrow without copying or encoding it. The exported
// arrays point into the engine's buffers and keep them alive until the consumer
// releases them.

#include <cstdint>
#include <memory>
#include <vector>

#include "rivulet/record_batch.h"
#include "rivulet/schema.h"

extern "C" {

// The structs are fixed by the specification (field order and types are its ABI).
struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  ArrowSchema** children;
  ArrowSchema* dictionary;
  void (*release)(ArrowSchema*);
  void* private_data;
};

struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  ArrowArray** children;
  ArrowArray* dictionary;
  void (*release)(ArrowArray*);
  void* private_data;
};

struct ArrowArrayStream {
  int (*get_schema)(ArrowArrayStream*, ArrowSchema* out);
  int (*get_next)(ArrowArrayStream*, ArrowArray* out);
  const char* (*get_last_error)(ArrowArrayStream*);
  void (*release)(ArrowArrayStream*);
  void* private_data;
};

}  // extern "C"

namespace rivulet::frontend {

// Fills `out` with a stream of `batches` (all of `schema`), as structs of its columns, in
// Arrow's types for Spark's (those of the IPC codec: timestamps in microseconds, UTC for
// TIMESTAMP, decimals as decimal128). Field comments and metadata travel as metadata.
void ExportArrowStream(std::shared_ptr<const Schema> schema,
                       std::vector<RecordBatchPtr> batches, ArrowArrayStream* out);

}  // namespace rivulet::frontend
