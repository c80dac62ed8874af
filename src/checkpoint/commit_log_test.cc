#include "checkpoint/commit_log.h"

#include <gtest/gtest.h>

#include "checkpoint/checkpoint_testing.h"
#include "testing/assert_status.h"

namespace rivulet::checkpoint {
namespace {

TEST(CommitLogFormatTest, WritesSparksCommitFormatExactly) {
  EXPECT_EQ(CommitLog::Serialize(), "v1\n{\"nextBatchWatermarkMs\":0}");
}

TEST(CommitLogFormatTest, ReadsTheWatermarkSparkRecorded) {
  EXPECT_EQ(*CommitLog::Parse("p", "v1\n{\"nextBatchWatermarkMs\":0}"), 0);
  EXPECT_EQ(*CommitLog::Parse("p", "v1\n{\"nextBatchWatermarkMs\":1700000000000}"),
            1700000000000);
  EXPECT_EQ(*CommitLog::Parse("p", "v1\n{}\n"), 0);
}

TEST(CommitLogFormatTest, SparksV2AndV3LogsAreAFormatItDoesNotReadNotDamage) {
  for (const char* text : {"v2\n{}", "v3\n{}"}) {
    EXPECT_EQ(
        CommitLog::Parse("/ckpt/commits/3", text).status().ToString(),
        std::string("Invalid argument: /ckpt/commits/3 has log version ") +
            std::string(text, 2) +
            ", newer than the v1 this version reads: Spark writes v2 for its state "
            "store checkpoint format 2 and v3 for sink evolution, which rivulet does "
            "not read. Go on running this query on Spark, or start it again on a new "
            "checkpoint");
  }
}

TEST(CommitLogFormatTest, EveryMalformedFileIsCorruptionNamingThePath) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "is corrupt: missing the version line"},
      {"v", "is corrupt: malformed version line \"v\""},
      {"x1\n{}", "is corrupt: malformed version line \"x1\""},
      {"v0\n{}", "is corrupt: malformed version line \"v0\""},
      {"v1", "is corrupt: missing the metadata line"},
      {"v1\n{\"nextBatchWater", "is corrupt: the metadata line is not a JSON object"},
      {"v1\n0", "is corrupt: the metadata line is not a JSON object"},
      {"v1\n{\"nextBatchWatermarkMs\":\"0\"}",
       "is corrupt: nextBatchWatermarkMs in the metadata line is not an integer"},
  };
  for (const auto& [text, message] : cases) {
    SCOPED_TRACE(text);
    EXPECT_EQ(CommitLog::Parse("/ckpt/commits/3", text).status().ToString(),
              "Corruption: /ckpt/commits/3 " + message);
  }
}

class CommitLogTest : public CheckpointTestBase {
 protected:
  std::unique_ptr<CommitLog> OpenLog() {
    auto log = CommitLog::Open(root_, /*remove_temporary_files=*/true);
    EXPECT_OK(log);
    return std::move(*log);
  }
};

TEST_F(CommitLogTest, LatestIsTheHighestCommittedBatch) {
  auto log = OpenLog();
  EXPECT_EQ(*log->Latest(), std::nullopt);
  ASSERT_OK(log->Write(0));
  ASSERT_OK(log->Write(1));
  EXPECT_EQ(ReadBytes(Path("1")), "v1\n{\"nextBatchWatermarkMs\":0}");
  EXPECT_EQ(*log->Latest(), 1);
}

TEST_F(CommitLogTest, ACommitIsNeverWrittenTwice) {
  auto log = OpenLog();
  ASSERT_OK(log->Write(5));
  EXPECT_EQ(log->Write(5).ToString(),
            "Busy: Concurrent update to the log. Multiple streaming jobs detected for 5");
}

TEST_F(CommitLogTest, ACorruptLatestCommitIsReportedAndLeftAlone) {
  auto log = OpenLog();
  ASSERT_OK(log->Write(0));
  WriteBytes(Path("1"), "v1\n{\"next");
  EXPECT_EQ(
      log->Latest().status().ToString(),
      "Corruption: " + Path("1") + " is corrupt: the metadata line is not a JSON object");
  EXPECT_EQ(ReadBytes(Path("1")), "v1\n{\"next");
}

}  // namespace
}  // namespace rivulet::checkpoint
