// The runtime as one owner for many queries: the scheduler's thread bound, the shared
// memory budget, the query manager and the listener bus, and how a batch fails.

#include "rivulet/runtime.h"

#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "checkpoint/checkpoint.h"
#include "common/fault_injection_env.h"
#include "testing/assert_status.h"
#include "testing/memory_source.h"

namespace rivulet {
namespace {

using testing::CollectedOutput;
using testing::CollectingSink;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::LongSource;
using testing::LongStream;

std::string TempDir() {
  std::string templ =
      (std::filesystem::temp_directory_path() / "rivulet-runtime-XXXXXX").string();
  return mkdtemp(templ.data());
}

int ThreadsInProcess() {
  int n = 0;
  DIR* dir = opendir("/proc/self/task");
  while (dirent* entry = readdir(dir)) n += entry->d_name[0] != '.';
  closedir(dir);
  return n;
}

// Waits up to `seconds` for `done`, polling.
template <typename F>
bool Eventually(F done, int seconds = 60) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

struct RuntimeTest : ::testing::Test {
  std::string dir = TempDir();
  ~RuntimeTest() override { std::filesystem::remove_all(dir); }

  QueryOptions Options(const std::string& name) {
    QueryOptions options;
    options.checkpoint_dir = dir + "/" + name;
    options.name = name;
    return options;
  }
};

TEST_F(RuntimeTest, AThousandQueriesCommitBatchesOnABoundedNumberOfThreads) {
  constexpr int kQueries = 1000;
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  const int threads_before = ThreadsInProcess();
  auto runtime = Runtime::Create();
  std::vector<StreamingQueryPtr> queries;
  std::vector<std::shared_ptr<LongStream>> streams;
  for (int i = 0; i < kQueries; ++i) {
    auto stream = std::make_shared<LongStream>();
    stream->available = 1'000'000;
    stream->batch_limit = 1;
    QueryOptions options = Options("q" + std::to_string(i));
    options.trigger = *Trigger::Parse("processing-time=100ms");
    auto query = runtime->streams().Start(
        std::make_unique<LongSource>(stream),
        std::make_unique<CollectingSink>(std::make_shared<CollectedOutput>()),
        std::nullopt, options);
    ASSERT_OK(query);
    queries.push_back(*query);
    streams.push_back(stream);
  }
  EXPECT_EQ(runtime->streams().active().size(), static_cast<size_t>(kQueries));
  ASSERT_TRUE(Eventually([&] {
    for (const auto& q : queries) {
      auto last = q->lastProgress();
      if (!last || last->batch_id < 1) return false;
    }
    return true;
  })) << "every query commits at least two batches";
  const int threads = ThreadsInProcess() - threads_before;
  EXPECT_LE(threads, 2 * cores + 8);
  runtime->streams().StopAll();
  EXPECT_TRUE(runtime->streams().active().empty());
  for (const auto& q : queries) {
    EXPECT_FALSE(q->isActive());
    EXPECT_OK(q->exception());
  }
}

// A sink that holds its first batch until released, so the prefetched block of that
// batch stays in the cache meanwhile.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false;
  bool open = false;
};

class GatedSink : public CollectingSink {
 public:
  GatedSink(std::shared_ptr<CollectedOutput> out, std::shared_ptr<Gate> gate)
      : CollectingSink(std::move(out)), gate_(std::move(gate)) {}
  Status AddBatch(int64_t batch_id, const std::vector<RecordBatchPtr>& batches) override {
    std::unique_lock lock(gate_->mu);
    gate_->entered = true;
    gate_->cv.notify_all();
    gate_->cv.wait(lock, [&] { return gate_->open; });
    lock.unlock();
    return CollectingSink::AddBatch(batch_id, batches);
  }

 private:
  std::shared_ptr<Gate> gate_;
};

TEST_F(RuntimeTest, QueriesShareOneCacheBudgetAndABlockThatDoesNotFitIsReadAgain) {
  // Each batch is 1,000 longs (8,000 bytes); the budget holds one of them, not two.
  RuntimeOptions runtime_options;
  runtime_options.cache_memory_limit_bytes = 12'000;
  auto runtime = Runtime::Create(runtime_options);
  auto first = std::make_shared<LongStream>(), second = std::make_shared<LongStream>();
  first->available = second->available = 1000;
  auto gate = std::make_shared<Gate>();
  auto first_out = std::make_shared<CollectedOutput>();
  auto second_out = std::make_shared<CollectedOutput>();
  QueryOptions once = Options("first");
  once.trigger.kind = Trigger::Kind::kOnce;
  auto a = runtime->streams().Start(std::make_unique<LongSource>(first),
                                    std::make_unique<GatedSink>(first_out, gate),
                                    std::nullopt, once);
  ASSERT_OK(a);
  {
    std::unique_lock lock(gate->mu);
    gate->cv.wait(lock, [&] { return gate->entered; });
  }
  EXPECT_EQ(runtime->cache_used_bytes(**a), 8000);  // the first batch's block, held

  QueryOptions second_options = Options("second");
  second_options.trigger.kind = Trigger::Kind::kOnce;
  auto b = runtime->streams().Start(std::make_unique<LongSource>(second),
                                    std::make_unique<CollectingSink>(second_out),
                                    std::nullopt, second_options);
  ASSERT_OK(b);
  ASSERT_OK((*b)->AwaitTermination());
  EXPECT_EQ(second->Count("readBetweenOffsets(0,1000)"), 1);  // did not fit: read again
  EXPECT_EQ(second_out->values_by_batch[0].size(), 1000u);
  EXPECT_LE(runtime->stats().cache_used_bytes, 12'000);
  EXPECT_EQ((*b)->lastProgress()->sources[0].metrics.at("cacheMisses"), "1");

  {
    std::lock_guard lock(gate->mu);
    gate->open = true;
  }
  gate->cv.notify_all();
  ASSERT_OK((*a)->AwaitTermination());
  EXPECT_EQ(first->Count("readBetweenOffsets"), 0);  // served from the cache
  EXPECT_EQ(first_out->values_by_batch[0].size(), 1000u);
  EXPECT_EQ(runtime->stats().cache_used_bytes, 0);  // evicted on commit
}

// Records every event as one line.
class RecordingListener : public StreamingQueryListener {
 public:
  void onQueryStarted(const QueryStartedEvent& e) override {
    Add("started " + e.name + (e.id.empty() ? "" : " id") +
        (e.run_id.empty() ? "" : " run"));
  }
  void onQueryProgress(const QueryProgressEvent& e) override {
    Add("progress " + std::to_string(e.progress.batch_id));
  }
  void onQueryIdle(const QueryIdleEvent& e) override {
    std::lock_guard lock(mu_);
    if (!events_.empty() && events_.back() == "idle") return;  // one is enough
    events_.push_back("idle");
  }
  void onQueryTerminated(const QueryTerminatedEvent& e) override {
    Add("terminated" + (e.exception
                            ? " " + *e.error_class_on_exception + ": " + *e.exception
                            : std::string()));
  }
  std::vector<std::string> Events() {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  void Add(std::string event) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(event));
  }
  std::mutex mu_;
  std::vector<std::string> events_;
};

TEST_F(RuntimeTest, ListenersSeeStartedProgressIdleAndTerminatedInSparksOrder) {
  auto runtime = Runtime::Create();
  auto listener = std::make_shared<RecordingListener>();
  runtime->streams().addListener(listener);
  auto stream = std::make_shared<LongStream>();
  stream->available = 4;
  stream->batch_limit = 2;
  QueryOptions options = Options("events");
  options.no_data_progress_interval = std::chrono::milliseconds(50);
  auto query = runtime->streams().Start(
      std::make_unique<LongSource>(stream),
      std::make_unique<CollectingSink>(std::make_shared<CollectedOutput>()), std::nullopt,
      options);
  ASSERT_OK(query);
  EXPECT_EQ(listener->Events().at(0), "started events id run");  // before Start returns
  ASSERT_TRUE(Eventually([&] {
    auto events = listener->Events();
    return !events.empty() && events.back() == "idle";
  }));
  (*query)->Stop();
  ASSERT_TRUE(Eventually([&] { return listener->Events().back() == "terminated"; }));
  EXPECT_THAT(listener->Events(), ElementsAre("started events id run", "progress 0",
                                              "progress 1", "idle", "terminated"));
}

class FailingSink : public CollectingSink {
 public:
  FailingSink() : CollectingSink(std::make_shared<CollectedOutput>()) {}
  Status AddBatch(int64_t, const std::vector<RecordBatchPtr>&) override {
    return Status::IOError("disk full");
  }
};

TEST_F(RuntimeTest, AFailingSinkFailsItsQueryAloneAndListenersHearWhy) {
  auto runtime = Runtime::Create();
  auto listener = std::make_shared<RecordingListener>();
  runtime->streams().addListener(listener);
  auto failing_stream = std::make_shared<LongStream>();
  failing_stream->available = 1;
  auto failing = runtime->streams().Start(std::make_unique<LongSource>(failing_stream),
                                          std::make_unique<FailingSink>(), std::nullopt,
                                          Options("failing"));
  ASSERT_OK(failing);
  auto healthy_stream = std::make_shared<LongStream>();
  healthy_stream->available = 1'000'000;
  healthy_stream->batch_limit = 1;
  auto healthy = runtime->streams().Start(
      std::make_unique<LongSource>(healthy_stream),
      std::make_unique<CollectingSink>(std::make_shared<CollectedOutput>()), std::nullopt,
      Options("healthy"));
  ASSERT_OK(healthy);

  Status failed = (*failing)->AwaitTermination();
  EXPECT_EQ(failed.ToString(), "I/O error: batch 0: disk full");
  auto any = runtime->streams().awaitAnyTermination(std::chrono::seconds(1));
  ASSERT_FALSE(any.ok());
  EXPECT_EQ(any.status().message(), "batch 0: disk full");
  runtime->streams().resetTerminated();
  EXPECT_EQ(*runtime->streams().awaitAnyTermination(std::chrono::milliseconds(50)),
            false);

  const int64_t batches = healthy_stream->Count("commit(");
  ASSERT_TRUE(Eventually([&] { return healthy_stream->Count("commit(") > batches + 2; }));
  EXPECT_TRUE((*healthy)->isActive());
  EXPECT_EQ(runtime->streams().get((*healthy)->id()), *healthy);
  EXPECT_EQ(runtime->streams().get((*failing)->id()), nullptr);
  ASSERT_TRUE(Eventually([&] {
    for (const auto& e : listener->Events()) {
      if (e == "terminated STREAM_FAILED: batch 0: disk full") return true;
    }
    return false;
  }));
}

// Three partitions, each a value; partitions in `failing` fail, after `delay_ms` for
// partition 0 so that a later partition fails first in time.
class PartitionedReader : public StreamReader {
 public:
  struct Part : InputPartition {
    explicit Part(int i) : index(i) {}
    int index;
  };
  PartitionedReader(std::set<int> failing, std::shared_ptr<std::atomic<int>> reads,
                    bool wrong_schema)
      : failing_(std::move(failing)),
        reads_(std::move(reads)),
        wrong_schema_(wrong_schema) {}
  Result<Offset> InitialOffset() override { return testing::PositionOffset(0); }
  Result<Offset> LatestOffset(const Offset& start, const ReadLimit&) override {
    return testing::PositionOffset(std::min<int64_t>(3, testing::PositionOf(start) + 3));
  }
  Result<std::vector<InputPartitionPtr>> Partitions(const Offset& start,
                                                    const Offset& end) override {
    std::vector<InputPartitionPtr> parts;
    parts.reserve(3);
    for (int i = 0; i < 3; ++i) parts.push_back(std::make_shared<Part>(i));
    return parts;
  }
  Result<std::vector<RecordBatchPtr>> Read(const InputPartition& p) override {
    const int i = static_cast<const Part&>(p).index;
    if (i == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ++*reads_;
    if (failing_.contains(i)) {
      return Status::UserCodeError("partition " + std::to_string(i) + " failed");
    }
    if (wrong_schema_ && i == 1) {
      auto schema =
          std::make_shared<const Schema>(Schema({Field{"w", DataType::Long()}}));
      return std::vector<RecordBatchPtr>{
          std::make_shared<RecordBatch>(schema,
                                        std::vector<ArrayDataPtr>{MakeFixedWidthColumn(
                                            DataType::Long(), std::vector<int64_t>{1})},
                                        1)};
    }
    return std::vector<RecordBatchPtr>{testing::LongsBatch(i, i + 1)};
  }

 private:
  std::set<int> failing_;
  std::shared_ptr<std::atomic<int>> reads_;
  bool wrong_schema_;
};

class PartitionedSource : public DataSource {
 public:
  PartitionedSource(std::set<int> failing, std::shared_ptr<std::atomic<int>> reads,
                    bool wrong_schema = false)
      : DataSource(rivulet::Options()),
        failing_(std::move(failing)),
        reads_(std::move(reads)),
        wrong_schema_(wrong_schema) {}
  std::string name() const override { return "partitioned"; }
  Result<Schema> schema() override { return *testing::LongSchema(); }
  Result<std::unique_ptr<StreamReader>> streamReader(const Schema&) override {
    return std::unique_ptr<StreamReader>(
        new PartitionedReader(failing_, reads_, wrong_schema_));
  }

 private:
  std::set<int> failing_;
  std::shared_ptr<std::atomic<int>> reads_;
  bool wrong_schema_;
};

Status RunOnce(Runtime& runtime, std::unique_ptr<DataSource> source, QueryOptions options,
               const std::shared_ptr<CollectedOutput>& out) {
  options.trigger.kind = Trigger::Kind::kOnce;
  auto query = runtime.streams().Start(
      std::move(source), std::make_unique<CollectingSink>(out), std::nullopt, options);
  if (!query.ok()) return query.status();
  return (*query)->AwaitTermination();
}

TEST_F(RuntimeTest, TheFirstFailingPartitionInOrderFailsTheBatchAfterAllReadsEnd) {
  auto runtime = Runtime::Create();
  auto reads = std::make_shared<std::atomic<int>>(0);
  auto out = std::make_shared<CollectedOutput>();
  Status status =
      RunOnce(*runtime, std::make_unique<PartitionedSource>(std::set{0, 2}, reads),
              Options("partitions"), out);
  // Partition 2 fails first in time, partition 0 first in order.
  EXPECT_EQ(status.ToString(), "User code error: batch 0: partition 0 failed");
  EXPECT_EQ(reads->load(), 3);
  EXPECT_TRUE(out->deliveries.empty());
  // The batch was logged but not committed: a fixed source runs it again.
  auto fixed = std::make_shared<std::atomic<int>>(0);
  ASSERT_TRUE(RunOnce(*runtime,
                      std::make_unique<PartitionedSource>(std::set<int>{}, fixed),
                      Options("partitions"), out)
                  .ok());
  EXPECT_EQ(out->values_by_batch[0], (std::vector<int64_t>{0, 1, 2}));
}

TEST_F(RuntimeTest, ABatchWhoseSchemaIsNotTheQuerysFailsNamingBoth) {
  auto runtime = Runtime::Create();
  auto reads = std::make_shared<std::atomic<int>>(0);
  Status status =
      RunOnce(*runtime, std::make_unique<PartitionedSource>(std::set<int>{}, reads, true),
              Options("schema"), std::make_shared<CollectedOutput>());
  EXPECT_THAT(status.message(),
              HasSubstr("[ARROW_TYPE_MISMATCH] Invalid schema from the source's read: "
                        "expected"));
  EXPECT_THAT(status.message(), HasSubstr("w"));
}

// A two-phase sink that records what it was asked to do; partition `fail_partition`'s
// write fails.
struct TwoPhaseLog {
  std::mutex mu;
  std::vector<std::string> calls;
  std::set<std::thread::id> writer_threads;
  std::optional<SinkContext> opened;
  int closed = 0;
  void Add(std::string call) {
    std::lock_guard lock(mu);
    calls.push_back(std::move(call));
  }
};

class TwoPhaseSink : public Sink, public StreamWriter {
 public:
  TwoPhaseSink(std::shared_ptr<TwoPhaseLog> log, int fail_partition = -1)
      : log_(std::move(log)), fail_partition_(fail_partition) {}
  std::string description() const override { return "TwoPhaseSink"; }
  Status Open(const SinkContext& context) override {
    std::lock_guard lock(log_->mu);
    log_->opened = context;
    return Status::OK();
  }
  Status Close() override {
    std::lock_guard lock(log_->mu);
    ++log_->closed;
    return Status::OK();
  }
  StreamWriter* stream_writer() override { return this; }

  Result<WriterCommitMessage> Write(int64_t batch_id, int partition,
                                    const std::vector<RecordBatchPtr>& rows) override {
    {
      std::lock_guard lock(log_->mu);
      log_->writer_threads.insert(std::this_thread::get_id());
    }
    if (partition == fail_partition_) return Status::IOError("partition write failed");
    int64_t n = 0;
    for (const auto& b : rows) n += b->num_rows();
    return "p" + std::to_string(partition) + ":" + std::to_string(n);
  }
  Status Commit(int64_t batch_id,
                const std::vector<WriterCommitMessage>& messages) override {
    std::string call = "commit " + std::to_string(batch_id);
    for (const auto& m : messages) call += " " + m;
    log_->Add(call);
    return Status::OK();
  }
  Status Abort(int64_t batch_id,
               const std::vector<std::optional<WriterCommitMessage>>& messages) override {
    std::string call = "abort " + std::to_string(batch_id);
    for (const auto& m : messages) call += " " + (m ? *m : std::string("-"));
    log_->Add(call);
    return Status::OK();
  }

 private:
  std::shared_ptr<TwoPhaseLog> log_;
  int fail_partition_;
};

Status RunOnceInto(Runtime& runtime, std::unique_ptr<DataSource> source,
                   std::unique_ptr<Sink> sink, QueryOptions options) {
  options.trigger.kind = Trigger::Kind::kOnce;
  auto query =
      runtime.streams().Start(std::move(source), std::move(sink), std::nullopt, options);
  if (!query.ok()) return query.status();
  return (*query)->AwaitTermination();
}

TEST_F(RuntimeTest, ATwoPhaseSinkWritesPartitionsOnExecutorsThenCommitsTheirMessages) {
  auto runtime = Runtime::Create();
  auto log = std::make_shared<TwoPhaseLog>();
  auto reads = std::make_shared<std::atomic<int>>(0);
  QueryOptions options = Options("two-phase");
  options.name = "writer";
  ASSERT_OK(RunOnceInto(*runtime,
                        std::make_unique<PartitionedSource>(std::set<int>{}, reads),
                        std::make_unique<TwoPhaseSink>(log), options));
  EXPECT_THAT(log->calls, ElementsAre("commit 0 p0:1 p1:1 p2:1"));
  EXPECT_FALSE(log->writer_threads.contains(std::this_thread::get_id()));
  ASSERT_TRUE(log->opened.has_value());
  EXPECT_EQ(log->opened->query_name, "writer");
  EXPECT_EQ(log->opened->checkpoint_dir, dir + "/two-phase");
  EXPECT_FALSE(log->opened->query_id.empty());
  EXPECT_FALSE(log->opened->run_id.empty());
  EXPECT_TRUE(log->opened->schema->Equals(*testing::LongSchema()));
  EXPECT_EQ(log->closed, 1);
}

TEST_F(RuntimeTest, AFailedPartitionWriteAbortsTheBatchWhichRunsAgainOnRestart) {
  auto runtime = Runtime::Create();
  auto log = std::make_shared<TwoPhaseLog>();
  auto reads = std::make_shared<std::atomic<int>>(0);
  Status failed =
      RunOnceInto(*runtime, std::make_unique<PartitionedSource>(std::set<int>{}, reads),
                  std::make_unique<TwoPhaseSink>(log, 1), Options("abort"));
  EXPECT_EQ(failed.ToString(), "I/O error: batch 0: partition write failed");
  EXPECT_THAT(log->calls, ElementsAre("abort 0 p0:1 - p2:1"));
  EXPECT_EQ(log->closed, 1);  // closed however the query ended
  ASSERT_OK(RunOnceInto(*runtime,
                        std::make_unique<PartitionedSource>(std::set<int>{}, reads),
                        std::make_unique<TwoPhaseSink>(log), Options("abort")));
  EXPECT_THAT(log->calls, ElementsAre("abort 0 p0:1 - p2:1", "commit 0 p0:1 p1:1 p2:1"));
}

class FailingOpenOrCloseSink : public CollectingSink {
 public:
  FailingOpenOrCloseSink(bool fail_open, bool fail_close)
      : CollectingSink(std::make_shared<CollectedOutput>()),
        fail_open_(fail_open),
        fail_close_(fail_close) {}
  std::string description() const override { return "PickySink"; }
  Status Open(const SinkContext&) override {
    return fail_open_ ? Status::InvalidArgument("table 't' is missing") : Status::OK();
  }
  Status Close() override {
    return fail_close_ ? Status::IOError("connection lost") : Status::OK();
  }

 private:
  bool fail_open_, fail_close_;
};

TEST_F(RuntimeTest, ASinkThatCannotOpenOrCloseFailsItsQueryNamingTheSink) {
  auto runtime = Runtime::Create();
  auto stream = std::make_shared<LongStream>();
  stream->available = 2;
  QueryOptions options = Options("picky");
  options.trigger.kind = Trigger::Kind::kOnce;
  auto refused = runtime->streams().Start(
      std::make_unique<LongSource>(stream),
      std::make_unique<FailingOpenOrCloseSink>(true, false), std::nullopt, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().ToString(),
            "Invalid argument: PickySink: table 't' is missing");
  EXPECT_TRUE(runtime->streams().active().empty());
  // The refused query let go of its checkpoint; one whose sink fails to close runs its
  // batch and then reports the close.
  auto closing = runtime->streams().Start(
      std::make_unique<LongSource>(stream),
      std::make_unique<FailingOpenOrCloseSink>(false, true), std::nullopt, options);
  ASSERT_OK(closing);
  EXPECT_EQ((*closing)->AwaitTermination().ToString(),
            "I/O error: closing the sink: connection lost");
  EXPECT_EQ((*closing)->lastProgress()->num_input_rows, 2);
}

struct FaultTest : RuntimeTest {
  std::shared_ptr<FaultInjectionEnv> env = std::make_shared<FaultInjectionEnv>();
  std::shared_ptr<Runtime> runtime = [this] {
    RuntimeOptions options;
    options.env = env;
    return Runtime::Create(options);
  }();
  std::shared_ptr<CollectedOutput> out = std::make_shared<CollectedOutput>();
  std::shared_ptr<std::atomic<int>> reads = std::make_shared<std::atomic<int>>(0);

  Status RunQuery(const std::string& name) {
    return RunOnce(*runtime, std::make_unique<PartitionedSource>(std::set<int>{}, reads),
                   Options(name), out);
  }
  std::set<int64_t> Committed(const std::string& name) {
    auto cp = checkpoint::Checkpoint::OpenReadOnly(dir + "/" + name);
    auto ids = (*cp)->CommitBatchIds();
    return {ids->begin(), ids->end()};
  }
};

TEST_F(FaultTest, AFailedOffsetsWriteWhileReadsAreInFlightFailsTheBatchAfterTheReads) {
  env->FailNth(FaultInjectionEnv::Op::kSync, "/wal/offsets/.0.", 1,
               Status::IOError("disk gone"));
  EXPECT_EQ(RunQuery("wal").ToString(), "I/O error: batch 0: disk gone");
  // The reads started while offsets/0 was written (a pool's worth: the executors) all
  // ended before the failure was reported, and no more were started.
  EXPECT_EQ(reads->load(), std::min(3u, std::thread::hardware_concurrency()));
  EXPECT_TRUE(out->deliveries.empty());  // nothing reached the sink
  ASSERT_OK(RunQuery("wal"));
  EXPECT_EQ(out->values_by_batch[0], (std::vector<int64_t>{0, 1, 2}));
}

TEST_F(FaultTest, AFailedCommitWriteLeavesTheBatchToBeDeliveredAgainOnRestart) {
  env->FailNth(FaultInjectionEnv::Op::kRename, "/commit/commits/0", 1,
               Status::IOError("cannot rename"));
  EXPECT_EQ(RunQuery("commit").ToString(), "I/O error: batch 0: cannot rename");
  EXPECT_EQ(out->deliveries[0], 1);
  EXPECT_TRUE(Committed("commit").empty());
  ASSERT_OK(RunQuery("commit"));
  EXPECT_EQ(out->deliveries[0], 2);  // the sink sees batch 0 again and keeps it once
  EXPECT_EQ(out->values_by_batch[0], (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(Committed("commit"), std::set<int64_t>{0});
}

TEST_F(FaultTest, AFailedDirectorySyncIsReportedAndNothingIsDelivered) {
  env->FailNth(FaultInjectionEnv::Op::kSyncDir, "/fsync/offsets", 1,
               Status::IOError("cannot sync directory"));
  EXPECT_EQ(RunQuery("fsync").ToString(), "I/O error: batch 0: cannot sync directory");
  EXPECT_TRUE(out->deliveries.empty());
}

TEST_F(FaultTest, AFailingCheckpointWriteAtStartIsReportedBeforeTheQueryRuns) {
  env->FailNth(FaultInjectionEnv::Op::kCreate, "metadata", 1,
               Status::IOError("read-only file system"));
  auto query = runtime->streams().Start(
      std::make_unique<PartitionedSource>(std::set<int>{}, reads),
      std::make_unique<CollectingSink>(out), std::nullopt, Options("start"));
  ASSERT_FALSE(query.ok());
  EXPECT_THAT(query.status().message(), HasSubstr("read-only file system"));
  EXPECT_TRUE(runtime->streams().active().empty());
}

}  // namespace
}  // namespace rivulet
