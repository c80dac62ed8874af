#pragma once

// Python stream writers (PySpark's DataSourceStreamWriter, and Spark 4.1's
// DataSourceStreamArrowWriter) as a two-phase engine sink.
//
// When the query starts, a planning worker loads the DataSource class and calls
// streamWriter(schema, overwrite=False). Each partition of a batch is written in a pool
// of writer workers (each with its own DataSource and writer, as Spark's executors have):
// the rows cross as an Arrow IPC stream, and write() gets an iterator of Rows, or of
// pyarrow.RecordBatches for an Arrow writer; what it returns comes back pickled. Then the
// planning worker calls commit(messages, batchId), or abort(messages, batchId) with None
// for a partition that failed.
//
// Exactly once needs the writer's help, as in Spark: after a crash the engine hands the
// last batch over again with the same batch id, so commit must make a batch id it already
// committed a no-op.

#include <memory>
#include <string>

#include "python/planning_worker.h"
#include "rivulet/sink.h"

namespace rivulet::python {

struct PythonSinkConfig : PythonWorkerConfig {
  int write_workers = 0;  // 0: the number of cores
};

// spec as for OpenPythonSource (python_source.h). The workers start when the query opens
// the sink.
Result<std::unique_ptr<Sink>> MakePythonSink(const std::string& spec,
                                             const Options& options,
                                             const PythonSinkConfig& config);

}  // namespace rivulet::python
