#pragma once

// Where a query's batches go. The engine hands every batch over with its batch id, and
// after a crash it may hand the same batch id over again: a sink must make a re-delivered
// batch a no-op, which is what makes output exactly once.
//
// A sink's life: Open(context) once, when its query starts and before any batch; then
// batches, one at a time in increasing batch-id order (the last one possibly repeated
// after a restart); then Close() when the query ends, however it ends. All calls come
// from the query's step, never two at once.
//
// A sink writes a batch either whole, in AddBatch, or in two phases like PySpark's
// DataSourceStreamWriter: a sink whose stream_writer() is not null has each partition of
// the batch written on the executors, in parallel, each returning a commit message, and
// then Commit(batch_id, messages) (or Abort when a partition failed) on the query's step.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rivulet/options.h"
#include "rivulet/record_batch.h"
#include "rivulet/schema.h"
#include "rivulet/status.h"

namespace rivulet {

class Env;  // the file-system seam (src/common/env.h)

// Who the sink writes for.
struct SinkContext {
  std::string query_id;  // kept in the checkpoint: the same across restarts
  std::string run_id;    // new for every start
  std::string query_name;
  std::shared_ptr<const Schema> schema;  // every batch's schema
  std::string checkpoint_dir;
  Env* env = nullptr;  // where files go: the runtime's file system
  // How far the checkpoint got: its latest logged and latest committed batch ids (unset
  // for a new query). A sink taking over output that another engine wrote for this
  // query (Spark's, which records no owner) checks its batches against these.
  std::optional<int64_t> latest_logged_batch;
  std::optional<int64_t> latest_committed_batch;
};

// What a partition writer hands back to the commit: opaque bytes (for a Python writer, a
// pickled WriterCommitMessage).
using WriterCommitMessage = std::string;

// The two-phase capability (PySpark's DataSourceStreamWriter).
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // Writes one partition of batch `batch_id`. Runs on an executor, concurrently with the
  // batch's other partitions; nothing it writes may be visible before Commit.
  virtual Result<WriterCommitMessage> Write(int64_t batch_id, int partition_id,
                                            const std::vector<RecordBatchPtr>& rows) = 0;
  // Every partition was written: make the batch visible, once. `messages` are in
  // partition order.
  virtual Status Commit(int64_t batch_id,
                        const std::vector<WriterCommitMessage>& messages) = 0;
  // A partition failed: undo what the others wrote. A partition that failed or never
  // ran has no message.
  virtual Status Abort(
      int64_t batch_id,
      const std::vector<std::optional<WriterCommitMessage>>& messages) = 0;
};

class Sink {
 public:
  virtual ~Sink() = default;
  // Spark's SinkProgress.description, e.g. "JsonSink[out/]".
  virtual std::string description() const = 0;
  virtual Status Open(const SinkContext& context) { return Status::OK(); }
  // Writes batch `batch_id` (its data may be split over several record batches). Not
  // called for a sink with a stream_writer().
  virtual Status AddBatch(int64_t batch_id, const std::vector<RecordBatchPtr>& batches) {
    return Status::Internal(description() + " has neither AddBatch nor a stream writer");
  }
  // The two-phase writer, or null to have batches delivered whole to AddBatch.
  virtual StreamWriter* stream_writer() { return nullptr; }
  // True when writing waits on another process (a Python writer): the query then runs on
  // the runtime's blocking threads, as for such a source.
  virtual bool MayBlock() const { return false; }
  // False for a sink that cannot tell what it wrote (a user function, as Spark's
  // ForeachBatchSink): its progress shows numOutputRows -1.
  virtual bool ReportsOutputRows() const { return true; }
  // The highest batch id the sink holds, for a sink that records its batches (a file
  // sink's log, a table's progress row); nullopt for one that cannot tell. Asked once,
  // after Open. A sink ahead of the checkpoint would skip the next batches as delivered
  // before, losing their rows, so the engine refuses to start the query then.
  virtual Result<std::optional<int64_t>> LatestBatchId() {
    return std::optional<int64_t>();
  }
  virtual Status Close() { return Status::OK(); }
};

using SinkFactory = std::function<Result<std::unique_ptr<Sink>>(const Options&)>;

// Sinks by short name, matched case-insensitively; thread-safe. A runtime owns one.
class SinkRegistry {
 public:
  SinkRegistry();
  Status Register(const std::string& name, SinkFactory factory);
  Result<std::unique_ptr<Sink>> Create(const std::string& name,
                                       const Options& options) const;
  std::vector<std::string> Names() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace rivulet
