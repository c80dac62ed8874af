#pragma once

// Spark's rate sources, for tests, demos and benchmarks. Both produce
// "timestamp TIMESTAMP, value LONG" with consecutive values from 0.
//
//  rate              rowsPerSecond rows each second since the query first started;
//                    offset {"startMs":S,"value":V}: V rows delivered, the clock started
//                    at S (kept in the offset so a replay gives the same timestamps).
//  rate-micro-batch  exactly rowsPerBatch rows per batch, whatever the clock says;
//                    offset is the number of batches delivered; the timestamp of batch B
//                    is startTimestamp + B * advanceMillisPerBatch.
// Both split a batch into numPartitions partitions read in parallel.

#include <memory>

#include "rivulet/source.h"

namespace rivulet {

Result<std::unique_ptr<DataSource>> MakeRateSource(const Options& options);
Result<std::unique_ptr<DataSource>> MakeRateMicroBatchSource(const Options& options);

}  // namespace rivulet
