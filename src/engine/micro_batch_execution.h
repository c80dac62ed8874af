#pragma once

// One streaming query run as micro-batches (the seed's "Micro-batch Execution"), a
// trigger per scheduler step:
//   1. latestOffset: ask the reader for the end of the next batch (a simple reader
//      prefetches here and its rows go to the block manager);
//   2. queryPlanning: plan partitions for (start, end);
//   3. walCommit: write offsets/N durably, while the executors already read the
//      partitions: no row leaves the engine before the log entry is durable, and a batch
//      costs the longer of the two rather than their sum;
//   4. getBatch: wait for the reads, merged in partition order;
//   5. addBatch: hand the batch to the sink with its id (or, for a two-phase sink, write
//      each partition on the executors and commit their messages, or abort them when a
//      partition failed);
//   6. commitOffsets: write commits/N, then commit(end) on the reader, which evicts
//      its cached blocks.
// After a crash, a batch whose offsets entry has no commit entry is run again from step 2
// with exactly its logged offsets; sinks make a re-delivered batch id a no-op.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "cache/block_manager.h"
#include "checkpoint/checkpoint.h"
#include "engine/progress_tracker.h"
#include "engine/scheduler.h"
#include "engine/simple_reader_wrapper.h"
#include "rivulet/query.h"
#include "rivulet/runtime.h"

namespace rivulet {

class QueryManager;

class MicroBatchExecution final
    : public StreamingQuery,
      public SchedulerTask,
      public std::enable_shared_from_this<MicroBatchExecution> {
 public:
  // Opens the checkpoint, creates the reader and recovers; the query runs once scheduled.
  static Result<std::shared_ptr<MicroBatchExecution>> Create(
      Runtime::Impl* runtime, QueryManager* manager, std::unique_ptr<DataSource> source,
      std::unique_ptr<Sink> sink, std::optional<Schema> schema, QueryOptions options);
  ~MicroBatchExecution() override;

  bool blocking() const { return blocking_; }
  const ProgressTracker::Identity& identity() const { return progress_->identity(); }
  int64_t cache_used_bytes() const;

  // StreamingQuery
  const std::string& id() const override { return progress_->identity().id; }
  const std::string& run_id() const override { return progress_->identity().run_id; }
  const std::string& name() const override { return progress_->identity().name; }
  bool isActive() const override;
  QueryStatus status() const override { return progress_->Status(); }
  Status AwaitTermination() override;
  Result<bool> AwaitTermination(std::chrono::milliseconds timeout) override;
  void RequestStop() override;
  Result<bool> ProcessAllAvailable(
      std::optional<std::chrono::milliseconds> timeout = std::nullopt) override;
  void Stop() override;
  Status exception() const override;
  std::vector<StreamingQueryProgress> recentProgress() const override;
  std::optional<StreamingQueryProgress> lastProgress() const override;

  // SchedulerTask
  StepResult Step() override;
  void Finished() override;

 private:
  // A batch whose range is fixed: logged in offsets/N (or being logged).
  struct PlannedBatch {
    int64_t id = 0;
    Offset start;
    Offset end;
  };
  using Batches = std::vector<RecordBatchPtr>;
  template <typename T>
  using Pending = std::future<Result<T>>;

  MicroBatchExecution() = default;
  Status Recover();
  // After the sink opened: refuses a sink that holds batches the checkpoint does not.
  Status CheckSinkNotAhead();
  // Sets up the trigger before the first batch (available-now's preparation).
  Status Prepare();
  // One trigger: a batch, or nothing new. Fills *ran with whether a batch ran.
  Status RunTrigger(bool* ran);
  // The next batch's end and the source's reported latest offset.
  struct NextRange {
    Offset end;
    Offset latest;
    uint64_t ask = 0;  // which ask of the source this answers (see asks_)
    SteadyClock::duration took{};
  };
  Result<NextRange> AskNextRange(const Offset& start);
  // Lookahead (see lookahead_): whether the batch now running may ask for the next
  // range early, asking it on an executor, taking its answer, and dropping it.
  bool MayLookAhead() const;
  void StartLookahead(const Offset& start);
  Result<NextRange> TakeLookahead();
  void DropLookahead();
  // Steps 2-6 for a batch whose range is known; step 3's log write if `log_offsets`.
  Status RunBatch(const PlannedBatch& batch, bool log_offsets, const Offset& latest);
  // Runs task(i) for i in [0, n) on the executors, or on the blocking pool when the tasks
  // `may_block`, at most a pool's worth at once so that one query cannot crowd out the
  // others, while `meanwhile` runs here. Results are in order; the first failure in that
  // order is returned, after every task has ended.
  template <typename T>
  Result<std::vector<T>> RunOnExecutors(size_t n, bool may_block,
                                        const std::function<Result<T>(size_t)>& task,
                                        const std::function<Status()>& meanwhile);
  // Steps 5 for a two-phase sink: each partition's rows written on the executors, then
  // their messages committed, or aborted when a write failed.
  Status WritePartitions(int64_t batch_id, const std::vector<Batches>& partitions);
  Status CheckSchema(const std::vector<RecordBatchPtr>& batches) const;
  std::map<std::string, std::string> SourceMetrics() const;
  StepResult Finish(Status status);
  // The wait before an idle query's next poll: polling_delay, doubled for each poll in a
  // row that found nothing, up to max_polling_delay.
  std::chrono::milliseconds NextPollingDelay();

  Runtime::Impl* runtime_ = nullptr;
  QueryManager* manager_ = nullptr;
  std::unique_ptr<DataSource> source_;
  std::unique_ptr<Sink> sink_;
  std::shared_ptr<const Schema> schema_;
  QueryOptions options_;
  std::unique_ptr<checkpoint::Checkpoint> checkpoint_;
  std::unique_ptr<StreamReader> reader_;
  bool sink_open_ = false;
  SimpleReaderWrapper* simple_ = nullptr;  // set when reader_ wraps a simple reader
  bool blocking_ =
      false;  // the source or the sink may block: the scheduler's Python lane
  std::unique_ptr<ProgressTracker> progress_;

  // The loop's state, touched only by Step (one at a time).
  bool prepared_ = false;
  bool single_batch_ = false;  // once, or available-now falling back to one batch
  bool read_all_ = false;      // ReadAllAvailable instead of the reader's default limit
  bool stop_when_idle_ = false;
  int64_t batches_run_ = 0;
  std::chrono::milliseconds idle_delay_{};  // the last idle wait; zero after a batch
  int64_t next_batch_id_ = 0;
  // Start of the next batch: the end of the last committed one, or the source's initial
  // offset (asked once) before the first batch; empty until known.
  Offset next_start_;
  // The conf every offsets entry records: the latest entry's, or Spark's for a new query.
  std::map<std::string, std::string> offset_conf_;
  // What Recover found: the latest logged and committed batch ids, for the sink's Open.
  std::optional<int64_t> recovered_logged_;
  std::optional<int64_t> recovered_committed_;
  std::optional<PlannedBatch> replay_;  // logged but not committed at start
  // The end of the last delivered batch, whose source commit is owed. As in Spark, a
  // source hears commit(end of batch N) only once batch N+1 is logged, so the last batch
  // of a run is committed to its source by the next run.
  std::optional<Offset> owed_source_commit_;
  SteadyClock::time_point next_trigger_;
  // Under the default trigger, when asking the source takes longer than writing and
  // committing a batch (a simple reader building many rows), the next batch's
  // latestOffset (a simple reader's prefetching read) runs on an executor while this
  // batch's sink write and commits/N go on, so a Python source works while the log is
  // synced. The source still hears its calls one at a time and in Spark's order: the
  // batch's own reads and the previous batch's commit(end) come before it is asked, and
  // commit(end of this batch) after, once the next batch is logged. Nothing of the next
  // batch is logged before commits/N is durable, so a crash replays exactly what it
  // would have.
  Pending<NextRange> lookahead_;
  // How long the last ask of the source and the last sink write and commit took.
  SteadyClock::duration last_ask_took_{};
  std::optional<SteadyClock::duration> last_commit_took_;

  std::atomic<bool> stop_requested_{false};
  // ProcessAllAvailable: set to have an idle query poll at once, backoff restarted.
  std::atomic<bool> poll_now_{false};
  mutable std::mutex mu_;
  std::condition_variable terminated_cv_;
  bool terminated_ = false;
  // Under mu_: asks of the source for a next range so far, and the latest ask that found
  // no new data (ProcessAllAvailable waits for one made after its call).
  uint64_t asks_ = 0;
  uint64_t last_empty_ask_ = 0;
  Status error_;
};

}  // namespace rivulet
