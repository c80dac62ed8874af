#include "checkpoint/offset_log.h"

#include <gtest/gtest.h>

#include "checkpoint/checkpoint_testing.h"
#include "testing/assert_status.h"

namespace rivulet::checkpoint {
namespace {

Offset O(std::string_view text) { return *Offset::FromText(text); }

constexpr char kProvider[] =
    "org.apache.spark.sql.execution.streaming.state.HDFSBackedStateStoreProvider";

OffsetLogEntry SampleEntry() {
  OffsetLogEntry entry;
  entry.batch_id = 3;
  entry.batch_timestamp_ms = 1719290931555;
  entry.conf = {{"spark.sql.streaming.stateStore.providerClass", kProvider},
                {"spark.sql.shuffle.partitions", "5"}};
  entry.offsets = {O(R"({"offset": 2})")};
  return entry;
}

TEST(OffsetLogFormatTest, WritesSparksOffsetSeqFormatExactly) {
  EXPECT_EQ(*OffsetLog::Serialize(SampleEntry()),
            "v1\n"
            "{\"batchWatermarkMs\":0,\"batchTimestampMs\":1719290931555,\"conf\":{"
            "\"spark.sql.shuffle.partitions\":\"5\","
            "\"spark.sql.streaming.stateStore.providerClass\":\"" +
                std::string(kProvider) +
                "\"}}\n"
                "{\"offset\": 2}");
}

TEST(OffsetLogFormatTest, WritesOneLinePerSourceAndADashForNoOffset) {
  OffsetLogEntry entry;
  entry.batch_watermark_ms = 7;
  entry.offsets = {O("5"), Offset(), O(R"({"b": 1,  "a": [1, 2]})")};
  EXPECT_EQ(*OffsetLog::Serialize(entry),
            "v1\n"
            "{\"batchWatermarkMs\":7,\"batchTimestampMs\":0,\"conf\":{}}\n"
            "5\n"
            "-\n"
            "{\"b\": 1,  \"a\": [1, 2]}");
}

TEST(OffsetLogFormatTest, ReadsAFileAsSparkWritesIt) {
  std::string spark =
      "v1\n"
      "{\"batchWatermarkMs\":0,\"batchTimestampMs\":1502872590006,\"conf\":{"
      "\"spark.sql.shuffle.partitions\":\"200\","
      "\"spark.sql.streaming.stateStore.providerClass\":\"" +
      std::string(kProvider) +
      "\"}}\n"
      "51";
  auto entry = OffsetLog::Parse("offsets/6", 6, spark);
  ASSERT_OK(entry);
  EXPECT_EQ(entry->batch_id, 6);
  EXPECT_EQ(entry->batch_watermark_ms, 0);
  EXPECT_EQ(entry->batch_timestamp_ms, 1502872590006);
  EXPECT_EQ(entry->conf,
            (std::map<std::string, std::string>{
                {"spark.sql.shuffle.partitions", "200"},
                {"spark.sql.streaming.stateStore.providerClass", kProvider}}));
  EXPECT_EQ(entry->offsets, std::vector<Offset>{O("51")});
}

TEST(OffsetLogFormatTest, RoundTripsEveryField) {
  OffsetLogEntry entry = SampleEntry();
  entry.batch_watermark_ms = -12;
  entry.conf["unicode"] = "caf\xc3\xa9 \"quoted\"\n";
  entry.offsets.push_back(Offset());
  entry.offsets.push_back(O(R"({"partition":0,"offset":"1e3"})"));
  auto parsed = OffsetLog::Parse("p", 3, *OffsetLog::Serialize(entry));
  ASSERT_OK(parsed);
  EXPECT_EQ(*parsed, entry);
}

TEST(OffsetLogFormatTest, OffsetsAreKeptVerbatim) {
  // Spark compares offsets by their text: spacing and key order must survive.
  auto parsed = OffsetLog::Parse("p", 0, "v1\n{}\n{ \"z\" : 1, \"a\" : 2 }");
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->offsets[0].text(), "{ \"z\" : 1, \"a\" : 2 }");
}

TEST(OffsetLogFormatTest, AnEmptyMetadataLineAndMissingFieldsTakeDefaults) {
  auto empty = OffsetLog::Parse("p", 0, "v1\n\n5");
  ASSERT_OK(empty);
  EXPECT_EQ(empty->batch_timestamp_ms, 0);
  EXPECT_TRUE(empty->conf.empty());
  auto partial = OffsetLog::Parse("p", 0, "v1\n {\"batchTimestampMs\":9} \n5");
  ASSERT_OK(partial);
  EXPECT_EQ(partial->batch_timestamp_ms, 9);
  EXPECT_EQ(partial->batch_watermark_ms, 0);
}

TEST(OffsetLogFormatTest, SparksV2LogIsAFormatItDoesNotReadNotDamage) {
  EXPECT_EQ(
      OffsetLog::Parse("/ckpt/offsets/3", 3, "v2\n{}\n0:5").status().ToString(),
      "Invalid argument: /ckpt/offsets/3 has log version v2, newer than the v1 this "
      "version reads: v2 is Spark 4.2+'s offset log for named sources "
      "(spark.sql.streaming.offsetLog.formatVersion=2), which rivulet does not read. "
      "Go on running this query on Spark, or start it again on a new checkpoint");
}

TEST(OffsetLogFormatTest, AcceptsATrailingNewline) {
  auto trailing = OffsetLog::Parse("p", 0, "v1\n{}\n5\n");
  ASSERT_OK(trailing);
  EXPECT_EQ(trailing->offsets, std::vector<Offset>{O("5")});
}

struct CorruptCase {
  std::string text;
  std::string message;  // after "Corruption: /ckpt/offsets/3 "
};

TEST(OffsetLogFormatTest, EveryMalformedFileIsCorruptionNamingThePath) {
  const std::string metadata = R"({"batchWatermarkMs":0,"batchTimestampMs":5,"conf":{}})";
  const std::vector<CorruptCase> cases = {
      {"", "is corrupt: missing the version line"},
      {"v", "is corrupt: malformed version line \"v\""},
      {"x1\n{}\n5", "is corrupt: malformed version line \"x1\""},
      {"v0\n{}\n5", "is corrupt: malformed version line \"v0\""},
      {"v1", "is corrupt: missing the metadata line"},
      {"v1\n", "is corrupt: missing the metadata line"},
      {"v1\n" + metadata, "is corrupt: missing the offset lines"},
      {"v1\n" + metadata.substr(0, 30),
       "is corrupt: the metadata line is not a JSON object"},
      {"v1\n[1]\n5", "is corrupt: the metadata line is not a JSON object"},
      {"v1\n{\"batchTimestampMs\":\"5\"}\n5",
       "is corrupt: batchTimestampMs in the metadata line is not an integer"},
      {"v1\n{\"batchWatermarkMs\":1.5}\n5",
       "is corrupt: batchWatermarkMs in the metadata line is not an integer"},
      {"v1\n{\"conf\":[]}\n5",
       "is corrupt: conf in the metadata line is not an object of strings"},
      {"v1\n{\"conf\":{\"a\":1}}\n5",
       "is corrupt: conf in the metadata line is not an object of strings"},
      {"v1\n" + metadata + "\n{\"offset\": 2",
       "is corrupt: the offset of source 0 is not valid JSON"},
      {"v1\n" + metadata + "\n5\n\n",
       "is corrupt: the offset of source 1 is not valid JSON"},
      {"v1\n" + metadata + "\n-\n--",
       "is corrupt: the offset of source 1 is not valid JSON"},
  };
  for (const CorruptCase& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(OffsetLog::Parse("/ckpt/offsets/3", 3, c.text).status().ToString(),
              "Corruption: /ckpt/offsets/3 " + c.message);
  }
}

TEST(OffsetLogFormatTest, RefusesEntriesThatCouldNotBeReadBack) {
  OffsetLogEntry none;
  none.batch_id = 4;
  EXPECT_EQ(OffsetLog::Serialize(none).status().ToString(),
            "Invalid argument: the offsets of batch 4 name no source");

  OffsetLogEntry multiline = SampleEntry();
  multiline.offsets.push_back(O("{\n\"offset\": 2\n}"));
  EXPECT_EQ(
      OffsetLog::Serialize(multiline).status().ToString(),
      "Invalid argument: the offset of source 1 in batch 3 spans lines; an offsets file "
      "holds one line per source");
  multiline.offsets[1] = O("{\"offset\":\r2}");
  EXPECT_EQ(OffsetLog::Serialize(multiline).status().code(),
            StatusCode::kInvalidArgument);

  OffsetLogEntry binary = SampleEntry();
  binary.conf["key"] = "\xff";
  EXPECT_EQ(OffsetLog::Serialize(binary).status().ToString(),
            "Invalid argument: the conf of batch 3 is not valid UTF-8");
}

class OffsetLogTest : public CheckpointTestBase {
 protected:
  std::unique_ptr<OffsetLog> OpenLog() {
    auto log = OffsetLog::Open(root_, /*remove_temporary_files=*/true);
    EXPECT_OK(log);
    return std::move(*log);
  }
};

TEST_F(OffsetLogTest, WriteThenReadReturnsTheSameEntry) {
  auto log = OpenLog();
  OffsetLogEntry entry = SampleEntry();
  ASSERT_OK(log->Write(entry));
  EXPECT_EQ(ReadBytes(Path("3")), *OffsetLog::Serialize(entry));
  EXPECT_EQ(**log->Read(3), entry);
  EXPECT_EQ(**log->Latest(), entry);
  EXPECT_EQ(*log->Read(2), std::nullopt);
}

TEST_F(OffsetLogTest, LatestIsTheHighestBatchId) {
  auto log = OpenLog();
  EXPECT_EQ(*log->Latest(), std::nullopt);
  for (int64_t id : {0, 1, 2, 10}) {
    OffsetLogEntry entry = SampleEntry();
    entry.batch_id = id;
    entry.offsets = {O(std::to_string(id * 100))};
    ASSERT_OK(log->Write(entry));
  }
  auto latest = log->Latest();
  ASSERT_OK(latest);
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->batch_id, 10);
  EXPECT_EQ((*latest)->offsets, std::vector<Offset>{O("1000")});
}

TEST_F(OffsetLogTest, AnUnwritableEntryLeavesNoFile) {
  auto log = OpenLog();
  OffsetLogEntry entry;
  entry.batch_id = 0;
  EXPECT_EQ(log->Write(entry).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Names(root_).empty());
}

TEST_F(OffsetLogTest, ACorruptFileIsReportedWithItsFullPath) {
  auto log = OpenLog();
  WriteBytes(Path("0"), "v1\n{}\n");
  EXPECT_EQ(log->Read(0).status().ToString(),
            "Corruption: " + Path("0") + " is corrupt: missing the offset lines");
  EXPECT_EQ(log->Latest().status().ToString(),
            "Corruption: " + Path("0") + " is corrupt: missing the offset lines");
}

}  // namespace
}  // namespace rivulet::checkpoint
