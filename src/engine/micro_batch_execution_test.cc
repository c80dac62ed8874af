#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>

#include "checkpoint/checkpoint.h"
#include "rivulet/runtime.h"
#include "testing/assert_status.h"
#include "testing/memory_source.h"

namespace rivulet {
namespace {

using testing::CollectedOutput;
using testing::CollectingSink;
using ::testing::HasSubstr;
using testing::LongSource;
using testing::LongStream;
using testing::PositionOf;
using testing::PositionOffset;

std::string TempDir() {
  std::string templ =
      (std::filesystem::temp_directory_path() / "rivulet-engine-XXXXXX").string();
  return mkdtemp(templ.data());
}

// A partitioned reader in the shape of Spark's admission-control tests: with everything
// available it offers 10 more rows, with a ReadMaxRows limit that many; under
// available-now it never goes past the target fixed by prepareForTriggerAvailableNow.
class AdmissionReader : public StreamReader {
 public:
  Result<Offset> InitialOffset() override { return PositionOffset(0); }
  Result<Offset> LatestOffset(const Offset& start, const ReadLimit& limit) override {
    limits_seen->push_back(limit);
    int64_t from = PositionOf(start);
    int64_t to = limit.kind == ReadLimit::Kind::kMaxRows ? from + limit.value : from + 10;
    if (target_ >= 0) to = std::min(to, target_);
    return PositionOffset(to);
  }
  ReadLimit DefaultReadLimit() override { return ReadLimit::MaxRows(2); }
  Result<Offset> ReportLatestOffset() override {
    return Offset::Canonical(R"({"position":1000000})");
  }
  Result<std::vector<InputPartitionPtr>> Partitions(const Offset& start,
                                                    const Offset& end) override {
    std::vector<InputPartitionPtr> parts;
    for (int64_t v = PositionOf(start); v < PositionOf(end); ++v) {
      parts.push_back(std::make_shared<Row>(v));
    }
    return parts;
  }
  Result<std::vector<RecordBatchPtr>> Read(const InputPartition& p) override {
    int64_t v = static_cast<const Row&>(p).value;
    return std::vector<RecordBatchPtr>{testing::LongsBatch(v, v + 1)};
  }
  bool SupportsTriggerAvailableNow() const override { return available_now_; }
  Status PrepareForTriggerAvailableNow() override {
    target_ = 10;
    return Status::OK();
  }

  struct Row : InputPartition {
    explicit Row(int64_t v) : value(v) {}
    int64_t value;
  };
  // Shared, since the engine drops its reader when the query ends.
  std::shared_ptr<std::vector<ReadLimit>> limits_seen =
      std::make_shared<std::vector<ReadLimit>>();
  bool available_now_ = true;
  int64_t target_ = -1;
};

class AdmissionSource : public DataSource {
 public:
  explicit AdmissionSource(AdmissionReader** out, bool available_now = true,
                           std::shared_ptr<std::vector<ReadLimit>> limits_seen = nullptr)
      : DataSource(Options()),
        out_(out),
        available_now_(available_now),
        limits_seen_(std::move(limits_seen)) {}
  std::string name() const override { return "admission"; }
  Result<Schema> schema() override { return *testing::LongSchema(); }
  Result<std::unique_ptr<StreamReader>> streamReader(const Schema&) override {
    auto reader = std::make_unique<AdmissionReader>();
    reader->available_now_ = available_now_;
    if (limits_seen_) reader->limits_seen = limits_seen_;
    *out_ = reader.get();
    return std::unique_ptr<StreamReader>(std::move(reader));
  }

 private:
  AdmissionReader** out_;
  bool available_now_;
  std::shared_ptr<std::vector<ReadLimit>> limits_seen_;
};

struct EngineTest : ::testing::Test {
  std::shared_ptr<Runtime> runtime = Runtime::Create();
  std::string checkpoint = TempDir();
  std::shared_ptr<LongStream> stream = std::make_shared<LongStream>();
  std::shared_ptr<CollectedOutput> output = std::make_shared<CollectedOutput>();

  ~EngineTest() override { std::filesystem::remove_all(checkpoint); }

  // Starts a query on the test's checkpoint, into `output`; the result as Start gives it.
  Result<StreamingQueryPtr> TryStart(QueryOptions options,
                                     std::unique_ptr<DataSource> source = nullptr) {
    options.checkpoint_dir = checkpoint;
    if (!source) source = std::make_unique<LongSource>(stream);
    return runtime->streams().Start(std::move(source),
                                    std::make_unique<CollectingSink>(output),
                                    std::nullopt, std::move(options));
  }

  StreamingQueryPtr StartQuery(QueryOptions options,
                               std::unique_ptr<DataSource> source = nullptr) {
    auto query = TryStart(std::move(options), std::move(source));
    EXPECT_OK(query);
    return query.ok() ? std::move(*query) : nullptr;
  }

  std::vector<int64_t> AllValues() {
    std::vector<int64_t> all;
    for (const auto& [_, values] : output->values_by_batch) {
      all.insert(all.end(), values.begin(), values.end());
    }
    return all;
  }
};

std::vector<int64_t> Range(int64_t n) {
  std::vector<int64_t> v;
  for (int64_t i = 0; i < n; ++i) v.push_back(i);
  return v;
}

TEST_F(EngineTest, EachBatchIsLoggedDeliveredCommittedAndTheSourceCommitted) {
  stream->available = 6;
  stream->batch_limit = 2;
  QueryOptions options;
  options.max_batches = 3;
  auto query = StartQuery(options);
  ASSERT_OK(query->AwaitTermination());
  EXPECT_EQ(AllValues(), Range(6));
  EXPECT_EQ(output->values_by_batch.size(), 3u);
  EXPECT_EQ(stream->Count("commit(2)"), 1);
  EXPECT_EQ(stream->Count("commit(4)"), 1);
  EXPECT_EQ(stream->Count("readBetweenOffsets"), 0);  // every batch came from the cache
  auto progress = query->recentProgress();
  ASSERT_EQ(progress.size(), 3u);
  EXPECT_EQ(progress[2].batch_id, 2);
  EXPECT_EQ(progress[2].num_input_rows, 2);
  EXPECT_EQ(progress[2].sources[0].start_offset, R"({"position":4})");
  EXPECT_EQ(progress[2].sources[0].end_offset, R"({"position":6})");
  EXPECT_EQ(progress[2].sources[0].metrics.at("cacheHits"), "3");
}

TEST_F(EngineTest, ASourceHearsABatchsCommitOnceTheNextBatchIsLoggedAsInSpark) {
  stream->available = 4;
  stream->batch_limit = 2;
  QueryOptions options;
  options.max_batches = 2;
  ASSERT_OK(StartQuery(options)->AwaitTermination());
  EXPECT_EQ(stream->Count("commit("), 1);
  EXPECT_EQ(stream->Count("commit(2)"), 1);  // batch 1 is logged: batch 0 is committed

  // The last batch of a run is committed to its source when the next run logs a batch;
  // a run that finds no new data commits nothing.
  QueryOptions once;
  once.trigger.kind = Trigger::Kind::kOnce;
  ASSERT_OK(StartQuery(once)->AwaitTermination());
  EXPECT_EQ(stream->Count("commit("), 1);
  stream->available = 6;
  ASSERT_OK(StartQuery(once)->AwaitTermination());
  EXPECT_EQ(stream->Count("commit(4)"), 1);
  EXPECT_EQ(stream->Count("commit("), 2);
}

TEST_F(EngineTest, ARestartedQueryGoesOnFromTheLastCommittedBatch) {
  stream->available = 4;
  stream->batch_limit = 2;
  QueryOptions options;
  options.max_batches = 2;
  ASSERT_OK(StartQuery(options)->AwaitTermination());
  stream->available = 8;
  auto query = StartQuery(options);
  ASSERT_OK(query->AwaitTermination());
  EXPECT_EQ(AllValues(), Range(8));
  EXPECT_EQ(query->recentProgress().front().batch_id, 2);
  EXPECT_EQ(stream->Count("read(4)"), 1);
}

TEST_F(EngineTest, AnUncommittedBatchIsReplayedWithExactlyItsLoggedOffsets) {
  stream->available = 4;
  stream->batch_limit = 2;
  QueryOptions options;
  options.max_batches = 2;
  ASSERT_OK(StartQuery(options)->AwaitTermination());
  {
    auto cp = checkpoint::Checkpoint::Open(checkpoint, 100);
    ASSERT_OK(cp);
    ASSERT_OK((*cp)->RemoveCommit(1));  // as if the process died before commits/1
  }
  stream->available = 100;  // more data now: the replay must not take any of it
  options.max_batches = 1;
  auto query = StartQuery(options);
  ASSERT_OK(query->AwaitTermination());
  EXPECT_EQ(stream->Count("readBetweenOffsets(2,4)"), 1);
  // The replay commits nothing to the source: the first run made batch 0's commit.
  EXPECT_EQ(stream->Count("commit("), 1);
  EXPECT_EQ(output->deliveries[1], 2);
  EXPECT_EQ(output->values_by_batch[1], (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(query->recentProgress().back().batch_id, 1);
}

TEST_F(EngineTest, AStrayCommitPastTheLastLoggedBatchIsReportedAndNothingRuns) {
  stream->available = 4;
  stream->batch_limit = 2;
  QueryOptions options;
  options.max_batches = 2;
  ASSERT_OK(StartQuery(options)->AwaitTermination());
  {
    auto cp = checkpoint::Checkpoint::Open(checkpoint, 100);
    ASSERT_OK(cp);
    ASSERT_OK((*cp)->RemoveCommit(1));  // batch 1 logged but not committed...
    ASSERT_OK((*cp)->WriteCommit(6));   // ...and a commit that belongs to no batch here
  }
  const size_t delivered = output->deliveries.size();
  auto query = TryStart(options);
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(query.status().message(),
              HasSubstr("/commits/6 has no offsets file: the last batch logged is 1"));
  EXPECT_EQ(output->deliveries.size(), delivered);
  EXPECT_TRUE(std::filesystem::exists(checkpoint + "/commits/6"));
  EXPECT_FALSE(std::filesystem::exists(checkpoint + "/commits/1"));
}

// Batches 0-2 of two rows each, into a sink that reports the batches it holds.
struct SinkAheadTest : EngineTest {
  QueryOptions options;
  void SetUp() override {
    stream->available = 6;
    stream->batch_limit = 2;
    output->reports_latest_batch = true;
    options.max_batches = 3;
    ASSERT_OK(StartQuery(options)->AwaitTermination());
  }
};

TEST_F(SinkAheadTest, ASinkHoldingBatchesTheCheckpointLostIsRefusedBeforeAnythingRuns) {
  // The checkpoint loses batch 2, which the sink took (a damaged last offsets file moved
  // aside, say): planning batch 2 anew would have the sink skip it, rows and all.
  std::filesystem::remove(checkpoint + "/commits/2");
  std::filesystem::remove(checkpoint + "/offsets/2");
  auto query = TryStart(options);
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(query.status().message(),
              HasSubstr("CollectingSink already holds batch 2, but checkpoint " +
                        checkpoint + " goes on with batch 2"));
  EXPECT_EQ(output->deliveries.size(), 3u);
}

TEST_F(SinkAheadTest, ASinkHoldingTheBatchToReplayStarts) {
  std::filesystem::remove(checkpoint + "/commits/2");  // killed before commits/2
  options.max_batches = 1;
  ASSERT_OK(StartQuery(options)->AwaitTermination());
  EXPECT_EQ(output->deliveries[2], 2);
  EXPECT_EQ(output->values_by_batch[2], (std::vector<int64_t>{4, 5}));
}

TEST_F(EngineTest, ACheckpointRecordsItsSourceAndRefusesAnotherUnlessAsked) {
  stream->available = 2;
  QueryOptions options;
  options.max_batches = 1;
  ASSERT_OK(StartQuery(options)->AwaitTermination());
  {
    auto cp = checkpoint::Checkpoint::OpenReadOnly(checkpoint);
    ASSERT_OK(cp);
    EXPECT_EQ((*cp)->metadata().source, "longs");
    EXPECT_EQ((*cp)->metadata().sink, "CollectingSink");
  }
  AdmissionReader* reader = nullptr;
  auto refused = TryStart(options, std::make_unique<AdmissionSource>(&reader));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(
      refused.status().ToString(),
      "Invalid argument: checkpoint " + checkpoint +
          " belongs to a query reading source 'longs', not 'admission': its offsets "
          "mean nothing to another source. Use another checkpoint, or allow the "
          "change (rivulet run --allow-source-change, or the writeStream option "
          "allowSourceChange) if the new source reads the same offsets");

  options.allow_source_change = true;
  ASSERT_OK(TryStart(options, std::make_unique<AdmissionSource>(&reader)));
  runtime->streams().StopAll();
  auto cp = checkpoint::Checkpoint::OpenReadOnly(checkpoint);
  ASSERT_OK(cp);
  EXPECT_EQ((*cp)->metadata().source, "admission");
}

TEST_F(EngineTest, ACheckpointAtTheLargestBatchIdIsRefusedRatherThanOverflowing) {
  {
    auto cp = checkpoint::Checkpoint::Open(checkpoint, 100);
    ASSERT_OK(cp);
    checkpoint::OffsetLogEntry entry;
    entry.batch_id = std::numeric_limits<int64_t>::max();
    entry.offsets = {PositionOffset(2)};
    ASSERT_OK((*cp)->WriteOffsets(entry));
    ASSERT_OK((*cp)->WriteCommit(entry.batch_id));
  }
  auto query = TryStart(QueryOptions());
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(
      query.status().message(),
      HasSubstr("offsets/9223372036854775807 is the largest batch id there can be"));
}

TEST_F(EngineTest, OnceRunsOneBatchWithEverythingAvailable) {
  AdmissionReader* reader = nullptr;
  QueryOptions options;
  options.trigger.kind = Trigger::Kind::kOnce;
  auto limits_seen = std::make_shared<std::vector<ReadLimit>>();
  auto query =
      StartQuery(options, std::make_unique<AdmissionSource>(&reader, true, limits_seen));
  ASSERT_OK(query->AwaitTermination());
  ASSERT_EQ(query->recentProgress().size(), 1u);
  EXPECT_EQ(query->recentProgress()[0].num_input_rows, 10);
  EXPECT_EQ(*limits_seen, std::vector<ReadLimit>{ReadLimit::AllAvailable()});
  EXPECT_EQ(query->recentProgress()[0].sources[0].latest_offset,
            R"({"position":1000000})");
}

TEST_F(EngineTest, ProcessingTimeUsesTheSourcesDefaultReadLimit) {
  AdmissionReader* reader = nullptr;
  QueryOptions options;
  options.trigger = *Trigger::Parse("processing-time=1ms");
  options.max_batches = 3;
  auto query = StartQuery(options, std::make_unique<AdmissionSource>(&reader));
  ASSERT_OK(query->AwaitTermination());
  for (const auto& p : query->recentProgress()) EXPECT_EQ(p.num_input_rows, 2);
  EXPECT_EQ(AllValues(), Range(6));
}

TEST_F(EngineTest, AvailableNowRunsBatchesWithTheDefaultLimitUpToTheTargetThenStops) {
  AdmissionReader* reader = nullptr;
  QueryOptions options;
  options.trigger.kind = Trigger::Kind::kAvailableNow;
  auto query = StartQuery(options, std::make_unique<AdmissionSource>(&reader));
  ASSERT_OK(query->AwaitTermination());
  EXPECT_EQ(query->recentProgress().size(), 5u);
  EXPECT_EQ(AllValues(), Range(10));
}

TEST_F(EngineTest, AvailableNowWithoutTheMixinFallsBackToOneBatchOfEverything) {
  AdmissionReader* reader = nullptr;
  QueryOptions options;
  options.trigger.kind = Trigger::Kind::kAvailableNow;
  auto query = StartQuery(options, std::make_unique<AdmissionSource>(&reader, false));
  ASSERT_OK(query->AwaitTermination());
  ASSERT_EQ(query->recentProgress().size(), 1u);
  EXPECT_EQ(AllValues(), Range(10));
}

// As Spark: a simple reader has no prepareForTriggerAvailableNow, so the target is what
// one read() returns, delivered in one batch.
TEST_F(EngineTest, AvailableNowOnASimpleReaderRunsOneBatchOfOneRead) {
  stream->available = 7;
  stream->batch_limit = 2;
  QueryOptions options;
  options.trigger.kind = Trigger::Kind::kAvailableNow;
  auto query = StartQuery(options);
  ASSERT_OK(query->AwaitTermination());
  EXPECT_EQ(query->recentProgress().size(), 1u);
  EXPECT_EQ(AllValues(), Range(2));
}

TEST_F(EngineTest, PartitionsAreReadOnExecutorsAndMergedInOrder) {
  AdmissionReader* reader = nullptr;
  QueryOptions options;
  options.trigger.kind = Trigger::Kind::kOnce;
  auto query = StartQuery(options, std::make_unique<AdmissionSource>(&reader));
  ASSERT_OK(query->AwaitTermination());
  EXPECT_EQ(output->values_by_batch[0], Range(10));
}

TEST_F(EngineTest, StopFromAnotherThreadEndsTheQueryBetweenBatches) {
  QueryOptions options;  // default trigger, no data: it would poll forever
  auto query = StartQuery(options);
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    query->Stop();
  });
  EXPECT_OK(query->AwaitTermination());
  stopper.join();
}

TEST_F(EngineTest, ASecondQueryOnTheSameCheckpointIsRefused) {
  auto first = StartQuery(QueryOptions{});
  QueryOptions options;
  options.checkpoint_dir = checkpoint;
  auto second = runtime->streams().Start(std::make_unique<LongSource>(stream),
                                         std::make_unique<CollectingSink>(output),
                                         std::nullopt, options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kBusy);
}

TEST_F(EngineTest, ProgressIsSparksStreamingQueryProgressJson) {
  stream->available = 2;
  QueryOptions options;
  options.max_batches = 1;
  options.name = "q";
  auto query = StartQuery(options);
  ASSERT_OK(query->AwaitTermination());
  auto json = nlohmann::ordered_json::parse(query->recentProgress()[0].ToJson());
  std::vector<std::string> keys;
  for (auto& [k, _] : json.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{
                      "id", "runId", "name", "timestamp", "batchId", "batchDuration",
                      "numInputRows", "inputRowsPerSecond", "processedRowsPerSecond",
                      "durationMs", "stateOperators", "sources", "sink"}));
  EXPECT_EQ(json["id"], query->id());
  EXPECT_EQ(json["name"], "q");
  std::vector<std::string> durations;
  for (auto& [k, _] : json["durationMs"].items()) durations.push_back(k);
  EXPECT_EQ(durations, (std::vector<std::string>{"addBatch", "commitOffsets", "getBatch",
                                                 "latestOffset", "queryPlanning",
                                                 "triggerExecution", "walCommit"}));
  EXPECT_EQ(json["sources"][0]["endOffset"],
            nlohmann::ordered_json::parse(R"({"position":2})"));
  EXPECT_EQ(json["sources"][0]["description"], "longs");
  EXPECT_EQ(json["sink"]["numOutputRows"], 2);
  EXPECT_TRUE(std::string(json["timestamp"]).ends_with("Z"));
}

}  // namespace
}  // namespace rivulet
