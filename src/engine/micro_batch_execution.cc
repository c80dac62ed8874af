// The micro-batch loop (the seed's "Micro-batch Execution"), one batch at a time:
//   1. latestOffset: ask the reader for the end of the next batch (a simple reader
//   prefetches
//      here and its rows go to the block manager);
//   2. walCommit: write offsets/N durably: from now on batch N is (start, end), whatever
//      happens;
//   3. queryPlanning: plan partitions for (start, end);
//   4. getBatch: read the partitions on the executors;
//   5. addBatch: hand the batch to the sink with its id;
//   6. commitOffsets: write commits/N, then commit(end) on the reader (which evicts the
//   cache).
// After a crash, a batch whose offsets entry has no commit entry is run again from step 3
// with exactly its logged offsets; sinks make a re-delivered batch id a no-op.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <mutex>

#include "cache/block_manager.h"
#include "checkpoint/checkpoint.h"
#include "common/file_util.h"
#include "engine/executor_pool.h"
#include "engine/simple_reader_wrapper.h"
#include "rivulet/query.h"

namespace rivulet {
namespace {

using Clock = std::chrono::steady_clock;

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t MsSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

// A batch whose range is fixed: logged in offsets/N (or being logged).
struct PlannedBatch {
  int64_t id = 0;
  Offset start;  // empty for a source's very first batch before initialOffset
  Offset end;
};

constexpr int kRecentProgressCapacity = 100;
constexpr int64_t kNoDataProgressIntervalMs = 10'000;

}  // namespace

struct StreamingQuery::Impl {
  std::unique_ptr<DataSource> source;
  std::unique_ptr<Sink> sink;
  std::shared_ptr<const Schema> schema;
  QueryOptions options;
  std::unique_ptr<checkpoint::Checkpoint> checkpoint;
  std::unique_ptr<BlockManager> blocks;
  std::unique_ptr<StreamReader> reader;
  SimpleReaderWrapper* simple = nullptr;  // set when `reader` wraps a simple reader
  std::string run_id = RandomUuid();

  int64_t next_batch_id = 0;
  // Start of the next batch: the end of the last committed one, or the source's initial
  // offset (asked once) before the first batch; empty until known.
  Offset next_start;
  std::optional<PlannedBatch> replay;  // logged but not committed at start

  std::atomic<bool> stop_requested{false};
  std::mutex wait_mu;
  std::condition_variable wait_cv;

  mutable std::mutex progress_mu;
  std::deque<StreamingQueryProgress> recent_progress;
  int64_t previous_trigger_ms = -1;
  int64_t last_idle_progress_ms = 0;

  Status Recover();
  Status RunLoop();
  // Runs steps 3-6 (and 2 when `log_offsets`) for a batch whose range is known.
  Status RunBatch(const PlannedBatch& batch, bool log_offsets,
                  std::map<std::string, int64_t> durations,
                  Clock::time_point trigger_start, const Offset& latest);
  using PendingRead = std::future<Result<std::vector<RecordBatchPtr>>>;
  // Starts reading every partition on the executors.
  std::vector<PendingRead> SubmitReads(const std::vector<InputPartitionPtr>& partitions);
  // Waits for every read and merges their batches in partition order.
  Result<std::vector<RecordBatchPtr>> CollectReads(std::vector<PendingRead>& pending);
  void ReportProgress(StreamingQueryProgress progress);
  StreamingQueryProgress NewProgress(int64_t batch_id, int64_t trigger_wall_ms);
  // Sleeps until `deadline` or Stop(); returns false if stopped.
  bool WaitUntil(Clock::time_point deadline);
};

Result<std::unique_ptr<StreamingQuery>> StreamingQuery::Start(
    std::unique_ptr<DataSource> source, std::unique_ptr<Sink> sink,
    std::optional<Schema> schema, QueryOptions options) {
  auto impl = std::make_unique<Impl>();
  RIVULET_ASSIGN_OR_RETURN(impl->checkpoint,
                           checkpoint::Checkpoint::Open(options.checkpoint_dir,
                                                        options.min_batches_to_retain));
  if (!schema) {
    RIVULET_ASSIGN_OR_RETURN(Schema declared, source->schema());
    schema = std::move(declared);
  }
  impl->schema = std::make_shared<const Schema>(std::move(*schema));
  impl->blocks = std::make_unique<BlockManager>(options.cache_memory_limit_bytes);

  // A partitioned reader wins over a simple one, as in PySpark.
  auto partitioned = source->streamReader(*impl->schema);
  if (partitioned.ok()) {
    impl->reader = std::move(*partitioned);
  } else if (partitioned.status().code() == StatusCode::kNotFound) {
    RIVULET_ASSIGN_OR_RETURN(auto simple, source->simpleStreamReader(*impl->schema));
    auto wrapper =
        std::make_unique<SimpleReaderWrapper>(std::move(simple), impl->blocks.get());
    impl->simple = wrapper.get();
    impl->reader = std::move(wrapper);
  } else {
    return partitioned.status();
  }
  impl->source = std::move(source);
  impl->sink = std::move(sink);
  impl->options = std::move(options);
  RIVULET_RETURN_NOT_OK(impl->Recover());
  return std::unique_ptr<StreamingQuery>(new StreamingQuery(std::move(impl)));
}

StreamingQuery::StreamingQuery(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StreamingQuery::~StreamingQuery() {
  if (impl_ && impl_->reader) (void)impl_->reader->Stop();
}

Status StreamingQuery::Impl::Recover() {
  RIVULET_ASSIGN_OR_RETURN(auto latest, checkpoint->LatestOffsets());
  if (!latest) return Status::OK();  // a new query starts at batch 0
  const std::string where = "checkpoint " + checkpoint->dir();
  if (latest->offsets.size() != 1) {
    return Status::Corruption(where + ": offsets/" + std::to_string(latest->batch_id) +
                              " has " + std::to_string(latest->offsets.size()) +
                              " source offsets, this query has 1 source");
  }
  RIVULET_ASSIGN_OR_RETURN(auto last_commit, checkpoint->LatestCommit());
  if (last_commit && *last_commit >= latest->batch_id) {
    next_batch_id = latest->batch_id + 1;
    next_start = latest->offsets[0];
    return Status::OK();
  }
  // The last logged batch did not commit: run it again with exactly its logged range.
  PlannedBatch batch{latest->batch_id, Offset(), latest->offsets[0]};
  if (latest->batch_id > 0) {
    RIVULET_ASSIGN_OR_RETURN(auto previous, checkpoint->Offsets(latest->batch_id - 1));
    if (!previous) {
      return Status::Corruption(where + ": offsets/" +
                                std::to_string(latest->batch_id - 1) +
                                " is missing, so batch " +
                                std::to_string(latest->batch_id) + " cannot be replayed");
    }
    batch.start = previous->offsets.at(0);
  } else {
    RIVULET_ASSIGN_OR_RETURN(batch.start, reader->InitialOffset());
  }
  next_start = batch.start;
  next_batch_id = batch.id;
  replay = std::move(batch);
  return Status::OK();
}

Status StreamingQuery::Run() { return impl_->RunLoop(); }

void StreamingQuery::Stop() {
  {
    std::lock_guard lock(impl_->wait_mu);
    impl_->stop_requested = true;
  }
  impl_->wait_cv.notify_all();
}

const std::string& StreamingQuery::id() const { return impl_->checkpoint->query_id(); }
const std::string& StreamingQuery::run_id() const { return impl_->run_id; }

std::vector<StreamingQueryProgress> StreamingQuery::recentProgress() const {
  std::lock_guard lock(impl_->progress_mu);
  return {impl_->recent_progress.begin(), impl_->recent_progress.end()};
}

bool StreamingQuery::Impl::WaitUntil(Clock::time_point deadline) {
  std::unique_lock lock(wait_mu);
  return !wait_cv.wait_until(lock, deadline, [&] { return stop_requested.load(); });
}

Status StreamingQuery::Impl::RunLoop() {
  const Trigger& trigger = options.trigger;
  // Under available-now a reader with the mixin runs batches with its default read limit
  // until one finds no new data; so does a simple reader (unlike Spark: its read() tells
  // when it is done). Any other reader gets one batch with everything available, as Spark
  // falls back to.
  bool single_batch = trigger.kind == Trigger::Kind::kOnce;
  bool read_all = single_batch;
  if (trigger.kind == Trigger::Kind::kAvailableNow) {
    if (reader->SupportsTriggerAvailableNow()) {
      RIVULET_RETURN_NOT_OK(reader->PrepareForTriggerAvailableNow());
    } else if (simple == nullptr) {
      single_batch = read_all = true;
    }
  }
  const bool stop_when_idle = trigger.kind == Trigger::Kind::kOnce ||
                              trigger.kind == Trigger::Kind::kAvailableNow;
  int64_t batches_run = 0;

  if (replay) {
    PlannedBatch batch = *replay;
    replay.reset();
    RIVULET_RETURN_NOT_OK(
        RunBatch(batch, /*log_offsets=*/false, {}, Clock::now(), Offset()));
    ++batches_run;
    if (single_batch) return Status::OK();
  }

  Clock::time_point next_trigger = Clock::now();
  while (!stop_requested) {
    if (options.max_batches >= 0 && batches_run >= options.max_batches) break;
    if (trigger.kind == Trigger::Kind::kProcessingTime) {
      if (!WaitUntil(next_trigger)) break;
      // A late batch starts the next one at once; otherwise wait for the next interval.
      next_trigger = std::max(next_trigger + trigger.interval, Clock::now());
    }
    const Clock::time_point trigger_start = Clock::now();
    std::map<std::string, int64_t> durations;

    if (next_start.empty()) {
      RIVULET_ASSIGN_OR_RETURN(next_start, reader->InitialOffset());
    }
    PlannedBatch batch{next_batch_id, next_start, Offset()};
    const ReadLimit limit =
        read_all ? ReadLimit::AllAvailable() : reader->DefaultReadLimit();
    RIVULET_ASSIGN_OR_RETURN(batch.end, reader->LatestOffset(batch.start, limit));
    RIVULET_ASSIGN_OR_RETURN(Offset latest, reader->ReportLatestOffset());
    durations["latestOffset"] = MsSince(trigger_start);

    if (batch.end == batch.start) {  // no new data
      if (stop_when_idle) break;
      const int64_t now = WallMs();
      if (now - last_idle_progress_ms >= kNoDataProgressIntervalMs) {
        last_idle_progress_ms = now;
        auto progress = NewProgress(next_batch_id, now);
        progress.sources[0].start_offset = progress.sources[0].end_offset =
            batch.start.text();
        progress.sources[0].latest_offset = latest.text();
        progress.duration_ms = durations;
        ReportProgress(std::move(progress));
      }
      if (trigger.kind != Trigger::Kind::kProcessingTime &&
          !WaitUntil(Clock::now() + options.polling_delay)) {
        break;
      }
      continue;
    }
    RIVULET_RETURN_NOT_OK(RunBatch(batch, /*log_offsets=*/true, std::move(durations),
                                   trigger_start, latest));
    ++batches_run;
    if (single_batch) break;
  }
  return Status::OK();
}

Status StreamingQuery::Impl::RunBatch(const PlannedBatch& batch, bool log_offsets,
                                      std::map<std::string, int64_t> durations,
                                      Clock::time_point trigger_start,
                                      const Offset& latest) {
  const int64_t trigger_wall_ms = WallMs() - MsSince(trigger_start);
  const std::string context = "batch " + std::to_string(batch.id);
  auto step = Clock::now();
  auto lap = [&](const char* name) {
    durations[name] = MsSince(step);
    step = Clock::now();
  };

  // The partitions are read while offsets/N is made durable: no row leaves the engine
  // before the sink gets it, which is after the log write, so the overlap is safe and a
  // batch costs the longer of the two rather than their sum.
  RIVULET_ASSIGN_OR_RETURN(auto partitions, reader->Partitions(batch.start, batch.end));
  lap("queryPlanning");
  auto reads = SubmitReads(partitions);
  if (log_offsets) {
    checkpoint::OffsetLogEntry entry;
    entry.batch_id = batch.id;
    entry.batch_timestamp_ms = trigger_wall_ms;
    entry.offsets = {batch.end};
    Status logged = checkpoint->WriteOffsets(entry);
    if (logged.ok()) logged = checkpoint->PurgeForBatch(batch.id);
    if (!logged.ok()) {
      (void)CollectReads(reads);  // no read may outlive this call
      return logged.WithContext(context);
    }
    lap("walCommit");
  }
  auto read = CollectReads(reads);
  if (!read.ok()) return read.status().WithContext(context);
  std::vector<RecordBatchPtr> batches = std::move(*read);
  lap("getBatch");
  int64_t rows = 0;
  for (const auto& b : batches) rows += b->num_rows();

  RIVULET_RETURN_NOT_OK(sink->AddBatch(batch.id, *schema, batches).WithContext(context));
  lap("addBatch");
  RIVULET_RETURN_NOT_OK(checkpoint->WriteCommit(batch.id).WithContext(context));
  RIVULET_RETURN_NOT_OK(reader->Commit(batch.end).WithContext(context));
  lap("commitOffsets");
  durations["triggerExecution"] = MsSince(trigger_start);

  next_start = batch.end;
  next_batch_id = batch.id + 1;

  auto progress = NewProgress(batch.id, trigger_wall_ms);
  progress.batch_duration_ms = durations["triggerExecution"];
  progress.duration_ms = std::move(durations);
  progress.num_input_rows = rows;
  auto& src = progress.sources[0];
  src.start_offset = batch.start.text();
  src.end_offset = batch.end.text();
  src.latest_offset = latest.text();
  src.num_input_rows = rows;
  const double seconds_since_last =
      previous_trigger_ms < 0 ? 0 : (trigger_wall_ms - previous_trigger_ms) / 1000.0;
  src.input_rows_per_second = seconds_since_last > 0 ? rows / seconds_since_last : 0;
  src.processed_rows_per_second =
      rows / (std::max<int64_t>(1, progress.batch_duration_ms) / 1000.0);
  progress.input_rows_per_second = src.input_rows_per_second;
  progress.processed_rows_per_second = src.processed_rows_per_second;
  progress.sink.num_output_rows = rows;
  previous_trigger_ms = trigger_wall_ms;
  ReportProgress(std::move(progress));
  return Status::OK();
}

std::vector<StreamingQuery::Impl::PendingRead> StreamingQuery::Impl::SubmitReads(
    const std::vector<InputPartitionPtr>& partitions) {
  std::vector<PendingRead> pending;
  pending.reserve(partitions.size());
  auto& pool = ExecutorPool::Shared();
  for (const auto& partition : partitions) {
    pending.push_back(
        pool.Submit([this, partition]() -> Result<std::vector<RecordBatchPtr>> {
          return reader->Read(*partition);
        }));
  }
  return pending;
}

Result<std::vector<RecordBatchPtr>> StreamingQuery::Impl::CollectReads(
    std::vector<PendingRead>& pending) {
  using Batches = Result<std::vector<RecordBatchPtr>>;
  // Merged in partition order; the first failure (in that order) fails the batch, after
  // every read has finished so none outlives this call.
  std::vector<RecordBatchPtr> merged;
  Status first_error;
  for (auto& future : pending) {
    Batches result = future.get();
    if (!result.ok()) {
      if (first_error.ok()) first_error = result.status();
      continue;
    }
    for (auto& b : *result) {
      if (!b->schema()->Equals(*schema)) {
        if (first_error.ok()) {
          first_error = Status::InvalidArgument(
              "[ARROW_TYPE_MISMATCH] Invalid schema from the source's read: expected " +
              schema->ToString() + ", got " + b->schema()->ToString());
        }
        continue;
      }
      if (b->num_rows() > 0) merged.push_back(std::move(b));
    }
  }
  if (!first_error.ok()) return first_error;
  return merged;
}

StreamingQueryProgress StreamingQuery::Impl::NewProgress(int64_t batch_id,
                                                         int64_t trigger_wall_ms) {
  StreamingQueryProgress p;
  p.id = checkpoint->query_id();
  p.run_id = run_id;
  p.name = options.name;
  p.timestamp_ms = trigger_wall_ms;
  p.batch_id = batch_id;
  SourceProgress src;
  src.description = source->name();
  if (simple) {
    src.metrics["cacheHits"] = std::to_string(simple->cache_hits());
    src.metrics["cacheMisses"] = std::to_string(simple->cache_misses());
    src.metrics["cachedBytes"] = std::to_string(blocks->used_bytes());
  }
  p.sources.push_back(std::move(src));
  p.sink.description = sink->description();
  return p;
}

void StreamingQuery::Impl::ReportProgress(StreamingQueryProgress progress) {
  if (options.on_progress) options.on_progress(progress);
  std::lock_guard lock(progress_mu);
  recent_progress.push_back(std::move(progress));
  if (recent_progress.size() > kRecentProgressCapacity) recent_progress.pop_front();
}

}  // namespace rivulet
