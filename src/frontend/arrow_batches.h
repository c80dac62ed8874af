#pragma once

// What foreachBatch and the memory sink hand to Python: the record batches of one micro-
// batch, as the engine holds them. Python reads them without a copy through Arrow's
// PyCapsule stream protocol (`__arrow_c_stream__`, pyarrow) or, where pyarrow is not
// there, as one Arrow IPC stream encoded on demand (rivulet's own codec). Bound as
// rivulet._engine.Batches in module.cc.

#include <cstdint>
#include <memory>
#include <vector>

#include "rivulet/record_batch.h"
#include "rivulet/schema.h"

namespace rivulet::frontend {

struct ArrowBatches {
  std::shared_ptr<const Schema> schema;
  std::vector<RecordBatchPtr> batches;

  int64_t num_rows() const {
    int64_t rows = 0;
    for (const RecordBatchPtr& batch : batches) rows += batch->num_rows();
    return rows;
  }
};

}  // namespace rivulet::frontend
