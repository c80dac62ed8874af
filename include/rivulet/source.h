#pragma once

// The reader APIs, mirroring PySpark's Python Data Source API for streaming:
//   SimpleStreamReader  ~ pyspark.sql.datasource.SimpleDataSourceStreamReader
//   StreamReader        ~ pyspark.sql.datasource.DataSourceStreamReader (with Spark 4.2's
//                         admission control: LatestOffset(start, limit))
//   DataSource          ~ pyspark.sql.datasource.DataSource
// Unimplemented methods return Status::NotFound("<method> is not implemented"), as
// PySpark's defaults raise NOT_IMPLEMENTED.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rivulet/offset.h"
#include "rivulet/options.h"
#include "rivulet/read_limit.h"
#include "rivulet/record_batch.h"
#include "rivulet/schema.h"
#include "rivulet/status.h"

namespace rivulet {

// What a source's Read hands back: a partition of a batch, opaque to the engine.
class InputPartition {
 public:
  virtual ~InputPartition() = default;
};
using InputPartitionPtr = std::shared_ptr<const InputPartition>;

// Reads everything available after `start` in one call on the driver; the engine caches
// the result (see the simple-reader wrapper). Calls come from one thread at a time.
class SimpleStreamReader {
 public:
  struct ReadResult {
    std::vector<RecordBatchPtr> batches;
    Offset end;  // also the next start; equal to start means "no new data"
  };

  virtual ~SimpleStreamReader() = default;
  virtual Result<Offset> InitialOffset() = 0;
  virtual Result<ReadResult> Read(const Offset& start) = 0;
  // Deterministic re-read of (start, end], used to replay a batch after a restart.
  virtual Result<std::vector<RecordBatchPtr>> ReadBetweenOffsets(const Offset& start,
                                                                 const Offset& end) = 0;
  // Everything up to `end` is delivered and may be forgotten. Called, as Spark does, once
  // the batch after the one ending at `end` is logged.
  virtual Status Commit(const Offset& /*end*/) { return Status::OK(); }
  // Spark 4.2's SupportsTriggerAvailableNow mixin.
  virtual bool SupportsTriggerAvailableNow() const { return false; }
  virtual Status PrepareForTriggerAvailableNow() { return Status::OK(); }
};

// A partitioned reader. InitialOffset, LatestOffset, Partitions, Commit and Stop are
// called from the engine's driver thread one at a time; Read is called from executor
// threads, for different partitions at once, and must be safe to run concurrently.
class StreamReader {
 public:
  virtual ~StreamReader() = default;
  virtual Result<Offset> InitialOffset() = 0;
  // The end of the next batch given its start; returning `start` means "no new data".
  virtual Result<Offset> LatestOffset(const Offset& start, const ReadLimit& limit) = 0;
  virtual ReadLimit DefaultReadLimit() { return ReadLimit::AllAvailable(); }
  // The newest offset the source knows of, for progress only; empty if not reported.
  virtual Result<Offset> ReportLatestOffset() { return Offset(); }
  // May be called with start == end, and must then return no partitions.
  virtual Result<std::vector<InputPartitionPtr>> Partitions(const Offset& start,
                                                            const Offset& end) = 0;
  virtual Result<std::vector<RecordBatchPtr>> Read(const InputPartition& partition) = 0;
  // As SimpleStreamReader::Commit.
  virtual Status Commit(const Offset& /*end*/) { return Status::OK(); }
  virtual Status Stop() { return Status::OK(); }
  virtual bool SupportsTriggerAvailableNow() const { return false; }
  virtual Status PrepareForTriggerAvailableNow() { return Status::OK(); }
};

class DataSource {
 public:
  explicit DataSource(Options options) : options_(std::move(options)) {}
  virtual ~DataSource() = default;

  // The short name the source is registered under (Spark's DataSource.name()).
  virtual std::string name() const = 0;
  virtual Result<Schema> schema() = 0;
  // If both are implemented the partitioned reader wins, as in PySpark.
  virtual Result<std::unique_ptr<StreamReader>> streamReader(const Schema& schema);
  virtual Result<std::unique_ptr<SimpleStreamReader>> simpleStreamReader(
      const Schema& schema);

  // True when the source's calls wait on another process (Python workers) rather than
  // compute: its triggers and reads then run on the runtime's blocking threads.
  virtual bool MayBlock() const { return false; }

  const Options& options() const { return options_; }

 private:
  Options options_;
};

using SourceFactory = std::function<Result<std::unique_ptr<DataSource>>(const Options&)>;

// Sources by short name, matched case-insensitively; thread-safe. A runtime owns one;
// RegisterBuiltins (rivulet/builtins.h) fills it with rivulet's own sources.
class SourceRegistry {
 public:
  SourceRegistry();
  Status Register(const std::string& name, SourceFactory factory);
  Result<std::unique_ptr<DataSource>> Create(const std::string& name,
                                             const Options& options) const;
  std::vector<std::string> Names() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace rivulet
