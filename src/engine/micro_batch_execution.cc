#include "engine/micro_batch_execution.h"

#include <algorithm>
#include <limits>

#include "checkpoint/spark_conf.h"
#include "common/file_util.h"
#include "common/kill_point.h"
#include "engine/query_manager.h"
#include "engine/runtime_impl.h"

namespace rivulet {
namespace {

// The query whose step runs on this thread, so that Stop() from inside it does not wait
// for itself.
thread_local const MicroBatchExecution* current_query = nullptr;

// The error class of a failure, as Spark's QueryTerminatedEvent gives it: the first
// "[CLASS_NAME]" that starts the message or follows one of its "context: " prefixes
// ("batch 3: [FOREACH_BATCH_USER_FUNCTION_ERROR] ..."), else STREAM_FAILED.
std::string ErrorClassOf(const std::string& message) {
  size_t start = 0;
  while (start < message.size()) {
    if (message[start] == '[') {
      const size_t end = message.find(']', start);
      if (end == std::string::npos || end == start + 1) break;
      std::string name = message.substr(start + 1, end - start - 1);
      if (name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") ==
          std::string::npos) {
        return name;
      }
      break;
    }
    const size_t colon = message.find(": ", start);
    const size_t line_end = message.find('\n', start);
    if (colon == std::string::npos || colon > line_end) break;
    start = colon + 2;
  }
  return "STREAM_FAILED";
}

}  // namespace

Result<std::shared_ptr<MicroBatchExecution>> MicroBatchExecution::Create(
    Runtime::Impl* runtime, QueryManager* manager, std::unique_ptr<DataSource> source,
    std::unique_ptr<Sink> sink, std::optional<Schema> schema, QueryOptions options) {
  std::shared_ptr<MicroBatchExecution> q(new MicroBatchExecution());
  q->runtime_ = runtime;
  q->manager_ = manager;
  RIVULET_ASSIGN_OR_RETURN(
      q->checkpoint_,
      checkpoint::Checkpoint::Open(options.checkpoint_dir, options.min_batches_to_retain,
                                   runtime->env));
  if (!schema) {
    RIVULET_ASSIGN_OR_RETURN(Schema declared, source->schema());
    schema = std::move(declared);
  }
  q->schema_ = std::make_shared<const Schema>(std::move(*schema));

  // A partitioned reader wins over a simple one, as in PySpark.
  auto partitioned = source->streamReader(*q->schema_);
  if (partitioned.ok()) {
    q->reader_ = std::move(*partitioned);
  } else if (partitioned.status().code() == StatusCode::kNotFound) {
    RIVULET_ASSIGN_OR_RETURN(auto simple, source->simpleStreamReader(*q->schema_));
    auto wrapper =
        std::make_unique<SimpleReaderWrapper>(std::move(simple), &runtime->blocks);
    q->simple_ = wrapper.get();
    q->reader_ = std::move(wrapper);
  } else {
    return partitioned.status();
  }
  q->blocking_ = source->MayBlock() || sink->MayBlock();
  q->progress_ = std::make_unique<ProgressTracker>(
      ProgressTracker::Identity{q->checkpoint_->query_id(), RandomUuid(), options.name,
                                source->name(), sink->description(),
                                sink->ReportsOutputRows()},
      &runtime->bus, options.no_data_progress_interval);
  RIVULET_RETURN_NOT_OK(q->checkpoint_->BindQuery(source->name(), sink->description(),
                                                  options.allow_source_change));
  q->source_ = std::move(source);
  q->sink_ = std::move(sink);
  q->options_ = std::move(options);
  RIVULET_RETURN_NOT_OK(q->Recover());
  SinkContext context{q->id(),    q->run_id(),           q->name(),
                      q->schema_, q->checkpoint_->dir(), runtime->env};
  context.latest_logged_batch = q->recovered_logged_;
  context.latest_committed_batch = q->recovered_committed_;
  RIVULET_RETURN_NOT_OK(q->sink_->Open(context).WithContext(q->sink_->description()));
  q->sink_open_ = true;
  RIVULET_RETURN_NOT_OK(q->CheckSinkNotAhead());
  return q;
}

Status MicroBatchExecution::CheckSinkNotAhead() {
  RIVULET_ASSIGN_OR_RETURN(std::optional<int64_t> held, sink_->LatestBatchId());
  // A replayed batch may be in the sink already; a batch after it may not.
  const int64_t first_new = replay_ ? next_batch_id_ + 1 : next_batch_id_;
  if (!held || *held < first_new) return Status::OK();
  return Status::Corruption(
      sink_->description() + " already holds batch " + std::to_string(*held) +
      ", but checkpoint " + checkpoint_->dir() + " goes on with batch " +
      std::to_string(next_batch_id_) + ": the sink would take batches up to " +
      std::to_string(*held) +
      " as delivered before and drop their rows. The checkpoint has lost batches the "
      "sink took (was it replaced, or a damaged last batch moved aside?): restore it, or "
      "write to a new output");
}

MicroBatchExecution::~MicroBatchExecution() {
  // A query that failed to start never ran Finished: its sink still closes.
  if (sink_open_) (void)sink_->Close();
}

Status MicroBatchExecution::Recover() {
  RIVULET_ASSIGN_OR_RETURN(auto latest, checkpoint_->LatestOffsets());
  offset_conf_ = checkpoint::NewQueryConf();
  if (!latest) return Status::OK();  // a new query starts at batch 0
  offset_conf_ = latest->conf;
  recovered_logged_ = latest->batch_id;
  const std::string where = "checkpoint " + checkpoint_->dir();
  if (latest->offsets.size() != 1) {
    return Status::Corruption(where + ": offsets/" + std::to_string(latest->batch_id) +
                              " has " + std::to_string(latest->offsets.size()) +
                              " source offsets, this query has 1 source");
  }
  // Batch L is done only if commits/L exists. Opening the checkpoint refused a commit
  // past L (see checkpoint/damage.h).
  RIVULET_ASSIGN_OR_RETURN(auto last_commit, checkpoint_->LatestCommit());
  recovered_committed_ = last_commit;
  if (last_commit && *last_commit == latest->batch_id) {
    if (latest->batch_id == std::numeric_limits<int64_t>::max()) {
      return Status::Corruption(where + ": offsets/" + std::to_string(latest->batch_id) +
                                " is the largest batch id there can be; no batch can "
                                "follow it");
    }
    next_batch_id_ = latest->batch_id + 1;
    next_start_ = latest->offsets[0];
    owed_source_commit_ = latest->offsets[0];
    return Status::OK();
  }
  // The last logged batch did not commit: run it again with exactly its logged range.
  PlannedBatch batch{latest->batch_id, Offset(), latest->offsets[0]};
  if (latest->batch_id > 0) {
    RIVULET_ASSIGN_OR_RETURN(auto previous, checkpoint_->Offsets(latest->batch_id - 1));
    if (!previous) {
      return Status::Corruption(where + ": offsets/" +
                                std::to_string(latest->batch_id - 1) +
                                " is missing, so batch " +
                                std::to_string(latest->batch_id) + " cannot be replayed");
    }
    batch.start = previous->offsets.at(0);
  } else {
    RIVULET_ASSIGN_OR_RETURN(batch.start, reader_->InitialOffset());
  }
  next_start_ = batch.start;
  next_batch_id_ = batch.id;
  replay_ = std::move(batch);
  return Status::OK();
}

Status MicroBatchExecution::Prepare() {
  const Trigger& trigger = options_.trigger;
  // Under available-now a reader with the mixin runs batches with its default read limit
  // until one finds no new data. Any other reader gets one batch with everything
  // available at start, as Spark falls back to; for a simple reader that is what one
  // read() returns.
  single_batch_ = read_all_ = trigger.kind == Trigger::Kind::kOnce;
  if (trigger.kind == Trigger::Kind::kAvailableNow) {
    if (reader_->SupportsTriggerAvailableNow()) {
      RIVULET_RETURN_NOT_OK(reader_->PrepareForTriggerAvailableNow());
    } else {
      single_batch_ = read_all_ = true;
    }
  }
  stop_when_idle_ = trigger.kind == Trigger::Kind::kOnce ||
                    trigger.kind == Trigger::Kind::kAvailableNow;
  next_trigger_ = SteadyClock::now();
  prepared_ = true;
  return Status::OK();
}

StepResult MicroBatchExecution::Step() {
  current_query = this;
  struct Reset {
    ~Reset() { current_query = nullptr; }
  } reset;
  if (stop_requested_) return Finish(Status::OK());
  if (!prepared_) {
    if (Status s = Prepare(); !s.ok()) return Finish(s);
    if (replay_) {
      PlannedBatch batch = *replay_;
      replay_.reset();
      progress_->StartTrigger();
      if (Status s = RunBatch(batch, /*log_offsets=*/false, Offset()); !s.ok()) {
        return Finish(s);
      }
      ++batches_run_;
      if (single_batch_) return Finish(Status::OK());
      return StepResult::Again();
    }
  }
  if (options_.max_batches >= 0 && batches_run_ >= options_.max_batches) {
    return Finish(Status::OK());
  }
  const bool timed = options_.trigger.kind == Trigger::Kind::kProcessingTime;
  if (timed) {
    const auto now = SteadyClock::now();
    if (now < next_trigger_) return StepResult::WaitUntil(next_trigger_);
    // A late batch starts the next one at once; otherwise wait for the next interval.
    next_trigger_ = std::max(next_trigger_ + options_.trigger.interval, now);
  }
  bool ran = false;
  if (Status s = RunTrigger(&ran); !s.ok()) return Finish(s);
  if (ran) {
    ++batches_run_;
    idle_delay_ = {};
    if (single_batch_) return Finish(Status::OK());
    return timed ? StepResult::WaitUntil(next_trigger_) : StepResult::Again();
  }
  if (stop_when_idle_) return Finish(Status::OK());
  if (timed) return StepResult::WaitUntil(next_trigger_);
  if (poll_now_.exchange(false)) idle_delay_ = {};
  return StepResult::WaitUntil(SteadyClock::now() + NextPollingDelay());
}

std::chrono::milliseconds MicroBatchExecution::NextPollingDelay() {
  const auto cap = std::max(options_.polling_delay, options_.max_polling_delay);
  idle_delay_ =
      idle_delay_.count() == 0 ? options_.polling_delay : std::min(idle_delay_ * 2, cap);
  return idle_delay_;
}

Status MicroBatchExecution::RunTrigger(bool* ran) {
  progress_->StartTrigger();
  progress_->SetStatus("Getting offsets from " + source_->name(), false, true);
  if (next_start_.empty()) {
    RIVULET_ASSIGN_OR_RETURN(next_start_, reader_->InitialOffset());
  }
  PlannedBatch batch{next_batch_id_, next_start_, Offset()};
  RIVULET_ASSIGN_OR_RETURN(
      NextRange next, lookahead_.valid() ? TakeLookahead() : AskNextRange(batch.start));
  batch.end = std::move(next.end);
  const Offset latest = std::move(next.latest);
  last_ask_took_ = next.took;
  progress_->Lap("latestOffset");
  if (batch.end == batch.start) {  // no new data
    progress_->SetStatus("Waiting for data to arrive", false, false);
    progress_->FinishIdle();
    {
      std::lock_guard lock(mu_);
      last_empty_ask_ = std::max(last_empty_ask_, next.ask);
    }
    terminated_cv_.notify_all();
    *ran = false;
    return Status::OK();
  }
  RIVULET_RETURN_NOT_OK(RunBatch(batch, /*log_offsets=*/true, latest));
  *ran = true;
  return Status::OK();
}

Result<MicroBatchExecution::NextRange> MicroBatchExecution::AskNextRange(
    const Offset& start) {
  const ReadLimit limit =
      read_all_ ? ReadLimit::AllAvailable() : reader_->DefaultReadLimit();
  NextRange next;
  {
    std::lock_guard lock(mu_);
    next.ask = ++asks_;
  }
  const auto began = SteadyClock::now();
  RIVULET_ASSIGN_OR_RETURN(next.end, reader_->LatestOffset(start, limit));
  RIVULET_ASSIGN_OR_RETURN(next.latest, reader_->ReportLatestOffset());
  next.took = SteadyClock::now() - began;
  return next;
}

bool MicroBatchExecution::MayLookAhead() const {
  // Only back-to-back batches: a processing-time trigger asks at its interval, and a
  // single batch has no next one.
  if (options_.trigger.kind != Trigger::Kind::kDefault || single_batch_) return false;
  if (stop_requested_) return false;
  if (options_.max_batches >= 0 && batches_run_ + 1 >= options_.max_batches) return false;
  // Asking early leaves out the rows that arrive while this batch commits, which then
  // wait a batch more: worth it only when the ask (a simple reader's read) takes longer
  // than writing and committing a batch, going by the last batch.
  return last_commit_took_.has_value() && last_ask_took_ >= *last_commit_took_;
}

void MicroBatchExecution::StartLookahead(const Offset& start) {
  lookahead_ = runtime_->ReadPool(source_->MayBlock()).Submit([this, start] {
    return AskNextRange(start);
  });
}

Result<MicroBatchExecution::NextRange> MicroBatchExecution::TakeLookahead() {
  return lookahead_.get();  // get() leaves the future invalid: the next trigger asks anew
}

void MicroBatchExecution::DropLookahead() {
  if (lookahead_.valid()) (void)lookahead_.get();
}

Status MicroBatchExecution::RunBatch(const PlannedBatch& batch, bool log_offsets,
                                     const Offset& latest) {
  const std::string context = "batch " + std::to_string(batch.id);
  progress_->SetStatus("Processing new data", true, true);
  RIVULET_ASSIGN_OR_RETURN(auto partitions, reader_->Partitions(batch.start, batch.end));
  progress_->Lap("queryPlanning");
  auto write_log = [&]() -> Status {
    if (!log_offsets) return Status::OK();
    checkpoint::OffsetLogEntry entry;
    entry.batch_id = batch.id;
    entry.batch_timestamp_ms = WallMillis();
    entry.offsets = {batch.end};
    entry.conf = offset_conf_;
    RIVULET_RETURN_NOT_OK(checkpoint_->WriteOffsets(entry));
    KillPoint("after-offsets", batch.id);
    RIVULET_RETURN_NOT_OK(checkpoint_->PurgeForBatch(batch.id));
    progress_->Lap("walCommit");
    return Status::OK();
  };
  std::function<Result<Batches>(size_t)> read = [&](size_t i) -> Result<Batches> {
    RIVULET_ASSIGN_OR_RETURN(Batches batches, reader_->Read(*partitions[i]));
    RIVULET_RETURN_NOT_OK(CheckSchema(batches));
    return batches;
  };
  // Only the source's reads decide their pool: a native source's reads stay on the
  // executors even when the sink (foreachBatch) may block.
  auto read_all =
      RunOnExecutors<Batches>(partitions.size(), source_->MayBlock(), read, write_log);
  if (!read_all.ok()) return read_all.status().WithContext(context);
  progress_->Lap("getBatch");
  // The previous batch's source commit, now that this batch is logged; a replayed batch
  // was logged by an earlier run, which made that commit already.
  if (log_offsets && owed_source_commit_) {
    RIVULET_RETURN_NOT_OK(reader_->Commit(*owed_source_commit_)
                              .WithContext("batch " + std::to_string(batch.id - 1)));
    owed_source_commit_.reset();
  }
  // The reader's part of this batch is done: the next batch's range may be asked while
  // this one is written and committed (see lookahead_).
  if (MayLookAhead()) StartLookahead(batch.end);
  const auto commit_began = SteadyClock::now();
  int64_t rows = 0;
  for (const auto& part : *read_all) {
    for (const auto& b : part) rows += b->num_rows();
  }

  if (sink_->stream_writer() != nullptr) {
    RIVULET_RETURN_NOT_OK(WritePartitions(batch.id, *read_all).WithContext(context));
  } else {
    Batches merged;
    for (auto& part : *read_all) {
      for (auto& b : part) {
        if (b->num_rows() > 0) merged.push_back(std::move(b));
      }
    }
    RIVULET_RETURN_NOT_OK(sink_->AddBatch(batch.id, merged).WithContext(context));
  }
  progress_->Lap("addBatch");
  KillPoint("after-sink-commit", batch.id);
  RIVULET_RETURN_NOT_OK(checkpoint_->WriteCommit(batch.id).WithContext(context));
  KillPoint("after-commit-log", batch.id);
  owed_source_commit_ = batch.end;
  last_commit_took_ = SteadyClock::now() - commit_began;
  progress_->Lap("commitOffsets");

  next_start_ = batch.end;
  next_batch_id_ = batch.id + 1;
  progress_->SetStatus("Waiting for next trigger", false, false);
  progress_->FinishBatch(
      {batch.id, batch.start, batch.end, latest, rows, SourceMetrics()});
  return Status::OK();
}

template <typename T>
Result<std::vector<T>> MicroBatchExecution::RunOnExecutors(
    size_t n, bool may_block, const std::function<Result<T>(size_t)>& task,
    const std::function<Status()>& meanwhile) {
  ExecutorPool& pool = runtime_->ReadPool(may_block);
  const size_t window = static_cast<size_t>(std::max(1, pool.size()));
  std::vector<Pending<T>> pending;
  pending.reserve(n);
  auto submit_next = [&] {
    const size_t i = pending.size();
    pending.push_back(pool.Submit([&task, i]() -> Result<T> { return task(i); }));
  };
  while (pending.size() < std::min(window, n)) submit_next();
  Status first_error = meanwhile();

  std::vector<T> results;
  results.reserve(n);
  for (size_t i = 0; i < pending.size(); ++i) {
    Result<T> result = pending[i].get();
    // A failure stops new tasks; the ones in flight still finish before we return.
    if (first_error.ok() && pending.size() < n) submit_next();
    if (!first_error.ok()) continue;
    if (!result.ok()) {
      first_error = result.status();
      continue;
    }
    results.push_back(std::move(*result));
  }
  if (!first_error.ok()) return first_error;
  return results;
}

Status MicroBatchExecution::WritePartitions(int64_t batch_id,
                                            const std::vector<Batches>& partitions) {
  StreamWriter& writer = *sink_->stream_writer();
  // Every write runs to its end; the messages of those that succeeded go to Abort.
  std::vector<std::optional<WriterCommitMessage>> written(partitions.size());
  std::function<Result<bool>(size_t)> write = [&](size_t i) -> Result<bool> {
    RIVULET_ASSIGN_OR_RETURN(written[i],
                             writer.Write(batch_id, static_cast<int>(i), partitions[i]));
    return true;
  };
  auto done = RunOnExecutors<bool>(partitions.size(), sink_->MayBlock(), write,
                                   [] { return Status::OK(); });
  if (!done.ok()) {
    Status aborted = writer.Abort(batch_id, written);
    if (!aborted.ok()) {
      return Status(done.status().code(),
                    done.status().message() +
                        "; aborting the batch failed too: " + aborted.message());
    }
    return done.status();
  }
  std::vector<WriterCommitMessage> messages;
  messages.reserve(written.size());
  for (auto& m : written) messages.push_back(std::move(*m));
  KillPoint("sink-write", batch_id);  // every partition written, none committed
  return writer.Commit(batch_id, messages);
}

Status MicroBatchExecution::CheckSchema(
    const std::vector<RecordBatchPtr>& batches) const {
  for (const auto& b : batches) {
    if (!b->schema()->Equals(*schema_)) {
      return Status::InvalidArgument(
          "[ARROW_TYPE_MISMATCH] Invalid schema from the source's read: expected " +
          schema_->ToString() + ", got " + b->schema()->ToString());
    }
  }
  return Status::OK();
}

std::map<std::string, std::string> MicroBatchExecution::SourceMetrics() const {
  if (simple_ == nullptr) return {};
  return {{"cacheHits", std::to_string(simple_->cache_hits())},
          {"cacheMisses", std::to_string(simple_->cache_misses())},
          {"cachedBytes", std::to_string(cache_used_bytes())}};
}

int64_t MicroBatchExecution::cache_used_bytes() const {
  return simple_ == nullptr ? 0 : runtime_->blocks.used_bytes(simple_->stream_id());
}

StepResult MicroBatchExecution::Finish(Status status) {
  DropLookahead();  // the reader is stopped next, and no call of it may be in flight
  std::lock_guard lock(mu_);
  error_ = std::move(status);
  return StepResult::Done();
}

void MicroBatchExecution::Finished() {
  // The source, reader and sink go now, not with the last handle: their workers and
  // files belong to the runtime, which a handle may outlive.
  if (reader_) {
    Status stopped = reader_->Stop();
    std::lock_guard lock(mu_);
    if (error_.ok() && !stopped.ok()) error_ = stopped.WithContext("stopping the reader");
  }
  reader_.reset();
  simple_ = nullptr;
  source_.reset();
  if (sink_open_) {
    sink_open_ = false;
    Status closed = sink_->Close();
    std::lock_guard lock(mu_);
    if (error_.ok() && !closed.ok()) error_ = closed.WithContext("closing the sink");
  }
  sink_.reset();
  checkpoint_.reset();  // releases the checkpoint's lock
  const Status error = exception();
  progress_->SetStatus("Stopped", false, false);
  QueryTerminatedEvent event{id(), run_id(), std::nullopt, std::nullopt};
  if (!error.ok()) {
    event.exception = error.message();
    event.error_class_on_exception = ErrorClassOf(error.message());
  }
  runtime_->bus.PostTerminated(std::move(event));
  // As in Spark, the manager forgets the query before anyone waiting on it wakes.
  manager_->OnTerminated(shared_from_this(), error);
  {
    std::lock_guard lock(mu_);
    terminated_ = true;
  }
  terminated_cv_.notify_all();
}

bool MicroBatchExecution::isActive() const {
  std::lock_guard lock(mu_);
  return !terminated_;
}

Status MicroBatchExecution::AwaitTermination() {
  std::unique_lock lock(mu_);
  terminated_cv_.wait(lock, [&] { return terminated_; });
  return error_;
}

Result<bool> MicroBatchExecution::AwaitTermination(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!terminated_cv_.wait_for(lock, timeout, [&] { return terminated_; })) return false;
  if (!error_.ok()) return error_;
  return true;
}

Result<bool> MicroBatchExecution::ProcessAllAvailable(
    std::optional<std::chrono::milliseconds> timeout) {
  if (current_query == this) {
    return Status::InvalidArgument("processAllAvailable() was called from query " + id() +
                                   "'s own batch, which it would wait for");
  }
  std::unique_lock lock(mu_);
  const uint64_t after = asks_;  // an ask numbered above this one came after the call
  lock.unlock();
  poll_now_ = true;
  runtime_->scheduler->Wake(shared_from_this());
  lock.lock();
  auto done = [&] { return terminated_ || last_empty_ask_ > after; };
  if (!timeout) {
    terminated_cv_.wait(lock, done);
  } else if (!terminated_cv_.wait_for(lock, *timeout, done)) {
    return false;
  }
  if (terminated_ && !error_.ok()) return error_;
  return true;
}

void MicroBatchExecution::RequestStop() {
  stop_requested_ = true;
  runtime_->scheduler->Wake(shared_from_this());
}

void MicroBatchExecution::Stop() {
  RequestStop();
  if (current_query == this) return;  // called from its own step: ends after it
  std::unique_lock lock(mu_);
  terminated_cv_.wait(lock, [&] { return terminated_; });
}

Status MicroBatchExecution::exception() const {
  std::lock_guard lock(mu_);
  return error_;
}

std::vector<StreamingQueryProgress> MicroBatchExecution::recentProgress() const {
  auto recent = progress_->Recent();
  return {recent.begin(), recent.end()};
}

std::optional<StreamingQueryProgress> MicroBatchExecution::lastProgress() const {
  return progress_->Last();
}

}  // namespace rivulet
