#pragma once

// The rows a worker sends: one Arrow IPC stream, checked against the reader's schema.

#include <string>
#include <vector>

#include "rivulet/record_batch.h"
#include "rivulet/schema.h"
#include "rivulet/status.h"

namespace rivulet::python {

// Decodes the rows of a read. Empty bytes mean no rows. The stream's schema must equal
// the declared one, names, types and nullability (Spark's ARROW_TYPE_MISMATCH): rows the
// worker encoded always do, pyarrow batches a source yields may not.
Result<std::vector<RecordBatchPtr>> DecodeWorkerRows(std::string bytes,
                                                     const Schema& declared,
                                                     const std::string& source,
                                                     const char* method);

}  // namespace rivulet::python
