// Under the default trigger the engine asks for the next batch's range while it writes
// and commits the current one. These tests pin down what a source still sees: its calls
// one at a time, in Spark's order, with nothing of a batch logged before its read and no
// commit(end) before that batch's commits/N; and what an idle query costs.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <thread>

#include "rivulet/runtime.h"
#include "testing/assert_status.h"
#include "testing/memory_source.h"

namespace rivulet {
namespace {

using testing::CollectedOutput;
using testing::CollectingSink;
using testing::LongSimpleReader;
using testing::LongStream;
using testing::PositionOf;

namespace fs = std::filesystem;

// The highest batch id with a file in `dir`, or -1.
int64_t LatestBatchFile(const fs::path& dir) {
  int64_t latest = -1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
      latest = std::max<int64_t>(latest, std::stoll(name));
    }
  }
  return latest;
}

// What the checkpoint held when the source was called.
struct Observed {
  std::string call;
  int64_t logged = -1;     // latest offsets/N
  int64_t committed = -1;  // latest commits/N
  int in_flight = 0;       // source calls running at that moment, this one included
};

struct Observations {
  // How long a read takes, and how long a sink write waits for the next read to start.
  std::chrono::milliseconds read_time{100};
  std::chrono::milliseconds sink_wait{20};

  std::mutex mu;
  std::condition_variable changed;
  std::vector<Observed> calls;

  bool WaitFor(const std::string& call, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu);
    return changed.wait_for(lock, timeout, [&] {
      return std::any_of(calls.begin(), calls.end(),
                         [&](const Observed& o) { return o.call == call; });
    });
  }
};

// A simple reader over a LongStream that notes the checkpoint's state at each call and
// takes a while to read, so that overlapping calls would be seen.
class ObservedReader : public SimpleStreamReader {
 public:
  ObservedReader(std::shared_ptr<LongStream> stream, std::shared_ptr<Observations> seen,
                 fs::path checkpoint)
      : inner_(std::move(stream)),
        seen_(std::move(seen)),
        checkpoint_(std::move(checkpoint)) {}

  Result<Offset> InitialOffset() override { return inner_.InitialOffset(); }
  Result<ReadResult> Read(const Offset& start) override {
    Enter("read(" + std::to_string(PositionOf(start)) + ")");
    std::this_thread::sleep_for(seen_->read_time);
    auto result = inner_.Read(start);
    --in_flight_;
    return result;
  }
  Result<std::vector<RecordBatchPtr>> ReadBetweenOffsets(const Offset& start,
                                                         const Offset& end) override {
    Enter("readBetweenOffsets");
    auto result = inner_.ReadBetweenOffsets(start, end);
    --in_flight_;
    return result;
  }
  Status Commit(const Offset& end) override {
    Enter("commit(" + std::to_string(PositionOf(end)) + ")");
    Status status = inner_.Commit(end);
    --in_flight_;
    return status;
  }

 private:
  void Enter(std::string call) {
    Observed o{std::move(call), LatestBatchFile(checkpoint_ / "offsets"),
               LatestBatchFile(checkpoint_ / "commits"), ++in_flight_};
    {
      std::lock_guard lock(seen_->mu);
      seen_->calls.push_back(std::move(o));
    }
    seen_->changed.notify_all();
  }

  LongSimpleReader inner_;
  std::shared_ptr<Observations> seen_;
  fs::path checkpoint_;
  std::atomic<int> in_flight_{0};
};

class ObservedSource : public DataSource {
 public:
  ObservedSource(std::shared_ptr<LongStream> stream, std::shared_ptr<Observations> seen,
                 fs::path checkpoint)
      : DataSource(Options()),
        stream_(std::move(stream)),
        seen_(std::move(seen)),
        checkpoint_(std::move(checkpoint)) {}
  std::string name() const override { return "observed"; }
  Result<Schema> schema() override { return *testing::LongSchema(); }
  Result<std::unique_ptr<SimpleStreamReader>> simpleStreamReader(const Schema&) override {
    return std::unique_ptr<SimpleStreamReader>(
        new ObservedReader(stream_, seen_, checkpoint_));
  }

 private:
  std::shared_ptr<LongStream> stream_;
  std::shared_ptr<Observations> seen_;
  fs::path checkpoint_;
};

// Holds each batch until the source is asked for the next one (or sink_wait passes), and
// notes whether it was.
class WaitingSink : public Sink {
 public:
  WaitingSink(std::shared_ptr<CollectedOutput> out, std::shared_ptr<Observations> seen,
              std::shared_ptr<std::vector<bool>> overlapped, int64_t rows_per_batch)
      : inner_(std::move(out)),
        seen_(std::move(seen)),
        overlapped_(std::move(overlapped)),
        rows_per_batch_(rows_per_batch) {}
  std::string description() const override { return "WaitingSink"; }
  Status AddBatch(int64_t batch_id, const std::vector<RecordBatchPtr>& batches) override {
    const std::string next_read =
        "read(" + std::to_string((batch_id + 1) * rows_per_batch_) + ")";
    overlapped_->push_back(seen_->WaitFor(next_read, seen_->sink_wait));
    return inner_.AddBatch(batch_id, batches);
  }

 private:
  CollectingSink inner_;
  std::shared_ptr<Observations> seen_;
  std::shared_ptr<std::vector<bool>> overlapped_;
  int64_t rows_per_batch_;
};

struct LookaheadTest : ::testing::Test {
  std::shared_ptr<Runtime> runtime = Runtime::Create();
  fs::path checkpoint = [] {
    std::string templ = (fs::temp_directory_path() / "rivulet-lookahead-XXXXXX").string();
    return fs::path(mkdtemp(templ.data()));
  }();
  std::shared_ptr<LongStream> stream = std::make_shared<LongStream>();
  std::shared_ptr<Observations> seen = std::make_shared<Observations>();
  std::shared_ptr<CollectedOutput> output = std::make_shared<CollectedOutput>();
  std::shared_ptr<std::vector<bool>> overlapped = std::make_shared<std::vector<bool>>();

  ~LookaheadTest() override { fs::remove_all(checkpoint); }

  Status Run(QueryOptions options) {
    options.checkpoint_dir = checkpoint.string();
    auto query = runtime->streams().Start(
        std::make_unique<ObservedSource>(stream, seen, checkpoint),
        std::make_unique<WaitingSink>(output, seen, overlapped, stream->batch_limit),
        std::nullopt, options);
    if (!query.ok()) return query.status();
    return (*query)->AwaitTermination();
  }

  std::vector<std::string> Calls() {
    std::vector<std::string> calls;
    for (const auto& o : seen->calls) calls.push_back(o.call);
    return calls;
  }
};

TEST_F(LookaheadTest, ASlowReadRunsWhileTheBatchBeforeItIsWrittenAndCommitted) {
  stream->available = 10;
  stream->batch_limit = 2;
  QueryOptions options;
  options.max_batches = 5;
  ASSERT_OK(Run(options));
  // The first batch shows that reads (100 ms) take longer than commits (20 ms and the
  // fsyncs); from then on each batch's sink write sees the next read start, except the
  // last's: no batch follows it.
  EXPECT_EQ(*overlapped, (std::vector<bool>{false, true, true, true, false}));
}

TEST_F(LookaheadTest, AFastReadWaitsForTheCommitSoThatItsBatchTakesEveryRowUpToThen) {
  seen->read_time = std::chrono::milliseconds(0);
  seen->sink_wait = std::chrono::milliseconds(30);
  stream->available = 8;
  stream->batch_limit = 2;
  QueryOptions options;
  options.max_batches = 4;
  ASSERT_OK(Run(options));
  EXPECT_EQ(*overlapped, (std::vector<bool>{false, false, false, false}));
}

TEST_F(LookaheadTest, TheSourceHearsItsCallsOneAtATimeInSparksOrder) {
  stream->available = 10;
  stream->batch_limit = 2;
  QueryOptions options;
  options.max_batches = 5;
  ASSERT_OK(Run(options));
  ASSERT_EQ(overlapped->at(2), true);  // batch 3 was read while batch 2 committed
  EXPECT_EQ(Calls(), (std::vector<std::string>{"read(0)", "read(2)", "commit(2)",
                                               "read(4)", "commit(4)", "read(6)",
                                               "commit(6)", "read(8)", "commit(8)"}));
  for (const Observed& o : seen->calls) {
    SCOPED_TRACE(o.call);
    EXPECT_EQ(o.in_flight, 1);
    const int64_t position = std::stoll(o.call.substr(o.call.find('(') + 1));
    const int64_t batch = position / 2;  // read(2N) plans batch N; commit(2N) ends N - 1
    if (o.call.starts_with("read")) {
      // Batch N is logged only after its read: a crash before then replays nothing of it.
      EXPECT_EQ(o.logged, batch - 1);
    } else {
      // commit(end of N - 1) once batch N is logged, and never before commits/N - 1.
      EXPECT_EQ(o.logged, batch);
      EXPECT_GE(o.committed, batch - 1);
    }
  }
  EXPECT_EQ(output->values_by_batch.size(), 5u);
}

TEST_F(LookaheadTest, AProcessingTimeTriggerAsksOnlyAtItsInterval) {
  stream->available = 8;
  stream->batch_limit = 2;
  QueryOptions options;
  options.trigger = *Trigger::Parse("processing-time=10ms");
  options.max_batches = 4;
  ASSERT_OK(Run(options));
  EXPECT_EQ(*overlapped, (std::vector<bool>{false, false, false, false}));
}

// A query over a LongStream (no data until a test adds some) into a collecting sink, on
// a checkpoint of its own.
struct IdleQueryTest : ::testing::Test {
  std::shared_ptr<Runtime> runtime = Runtime::Create();
  fs::path checkpoint = [] {
    std::string templ = (fs::temp_directory_path() / "rivulet-idle-XXXXXX").string();
    return fs::path(mkdtemp(templ.data()));
  }();
  std::shared_ptr<LongStream> stream = std::make_shared<LongStream>();
  std::shared_ptr<CollectedOutput> output = std::make_shared<CollectedOutput>();

  ~IdleQueryTest() override { fs::remove_all(checkpoint); }

  StreamingQueryPtr Start(QueryOptions options) {
    options.checkpoint_dir = checkpoint.string();
    auto query = runtime->streams().Start(std::make_unique<testing::LongSource>(stream),
                                          std::make_unique<CollectingSink>(output),
                                          std::nullopt, options);
    EXPECT_OK(query);
    return query.ok() ? *query : nullptr;
  }

  void Offer(int64_t values) {
    std::lock_guard lock(stream->mu);
    stream->available = values;
  }

  size_t Batches() {
    std::lock_guard lock(output->mu);
    return output->values_by_batch.size();
  }

  // Polls of an idle query over `duration`, with the given polling delays.
  int CountIdlePolls(std::chrono::milliseconds polling_delay,
                     std::chrono::milliseconds max_polling_delay,
                     std::chrono::milliseconds duration) {
    const int before = stream->Count("read(");
    QueryOptions options;
    options.polling_delay = polling_delay;
    options.max_polling_delay = max_polling_delay;
    auto query = Start(options);
    std::this_thread::sleep_for(duration);
    const int polls = stream->Count("read(") - before;
    query->Stop();
    return polls;
  }
};

TEST_F(IdleQueryTest, PollsBackOffFromThePollingDelayToItsMaximum) {
  using std::chrono::milliseconds;
  // 10 ms doubling to 100 ms: polls at 0, 10, 30, 70, 150, 250, ... about 9 in 600 ms;
  // at a constant 10 ms there would be about 60.
  EXPECT_LE(CountIdlePolls(milliseconds(10), milliseconds(100), milliseconds(600)), 15);
  EXPECT_GE(CountIdlePolls(milliseconds(10), milliseconds(10), milliseconds(600)), 20);
}

TEST_F(IdleQueryTest, DataAfterAnIdleSpellIsTakenWithinTheLongestWait) {
  QueryOptions options;
  options.max_polling_delay = std::chrono::milliseconds(50);
  auto query = Start(options);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // backed off to 50 ms
  Offer(3);
  const auto arrived = std::chrono::steady_clock::now();
  while (Batches() == 0 &&
         std::chrono::steady_clock::now() - arrived < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const auto waited = std::chrono::steady_clock::now() - arrived;
  query->Stop();
  ASSERT_EQ(Batches(), 1u);
  // The longest wait plus one batch's two fsyncs, with room for a loaded machine.
  EXPECT_LT(waited, std::chrono::milliseconds(50 + 450));
}

TEST_F(IdleQueryTest, ProcessAllAvailableReturnsOnceDataAddedBeforeTheCallIsCommitted) {
  QueryOptions options;
  options.max_polling_delay = std::chrono::seconds(10);  // a long backoff to cut short
  auto query = Start(options);
  for (int64_t round = 1; round <= 3; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));  // backed off
    Offer(round * 2);
    const auto called = std::chrono::steady_clock::now();
    auto done = query->ProcessAllAvailable(std::chrono::seconds(5));
    ASSERT_OK(done);
    EXPECT_TRUE(*done);
    // Woken at once rather than after the backoff, which has grown past a second.
    EXPECT_LT(std::chrono::steady_clock::now() - called, std::chrono::milliseconds(900));
    ASSERT_EQ(Batches(), static_cast<size_t>(round));
    std::lock_guard lock(output->mu);
    EXPECT_EQ(output->values_by_batch.rbegin()->second.back(), round * 2 - 1);
  }
  query->Stop();
  auto after_stop = query->ProcessAllAvailable();
  ASSERT_OK(after_stop);
  EXPECT_TRUE(*after_stop);  // an ended query has nothing left to process
}

// Calls ProcessAllAvailable on its own query from inside a batch, and keeps what it said.
class WaitingOnItselfSink : public Sink {
 public:
  WaitingOnItselfSink(std::shared_future<StreamingQueryPtr> query,
                      std::shared_ptr<Status> answer)
      : query_(std::move(query)), answer_(std::move(answer)) {}
  std::string description() const override { return "WaitingOnItselfSink"; }
  Status AddBatch(int64_t, const std::vector<RecordBatchPtr>&) override {
    // The handle, once Start has returned it.
    *answer_ = query_.get()->ProcessAllAvailable(std::chrono::seconds(5)).status();
    return Status::OK();
  }

 private:
  std::shared_future<StreamingQueryPtr> query_;
  std::shared_ptr<Status> answer_;
};

TEST_F(IdleQueryTest,
       ProcessAllAvailableFromTheQuerysOwnBatchIsRefusedRatherThanWaiting) {
  std::promise<StreamingQueryPtr> handle;
  auto answer = std::make_shared<Status>();
  Offer(1);
  QueryOptions options;
  options.checkpoint_dir = checkpoint.string();
  options.max_batches = 1;
  auto query = runtime->streams().Start(
      std::make_unique<testing::LongSource>(stream),
      std::make_unique<WaitingOnItselfSink>(handle.get_future().share(), answer),
      std::nullopt, options);
  ASSERT_OK(query);
  handle.set_value(*query);
  ASSERT_OK((*query)->AwaitTermination());
  EXPECT_EQ(answer->code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(answer->message(), "processAllAvailable() was called from query " +
                                   (*query)->id() +
                                   "'s own batch, which it would wait for");
}

}  // namespace
}  // namespace rivulet
