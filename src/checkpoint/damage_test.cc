#include "checkpoint/damage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "checkpoint/checkpoint.h"
#include "checkpoint/checkpoint_testing.h"
#include "common/file_util.h"
#include "testing/assert_status.h"

namespace rivulet::checkpoint {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kId[] = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";

OffsetLogEntry Entry(int64_t batch_id) {
  OffsetLogEntry entry;
  entry.batch_id = batch_id;
  entry.offsets = {
      *Offset::FromText("{\"position\":" + std::to_string(batch_id * 10) + "}")};
  return entry;
}

class DamageTest : public CheckpointTestBase {
 protected:
  std::string Dir() const { return Path("ckpt"); }
  std::string File(const std::string& relative) const { return Dir() + "/" + relative; }

  // A checkpoint whose batches 0..committed-1 committed and whose batches up to
  // logged-1 are logged.
  void Write(int logged, int committed) {
    auto cp = Checkpoint::Open(Dir(), 100);
    ASSERT_OK(cp);
    for (int id = 0; id < logged; ++id) {
      ASSERT_OK((*cp)->WriteOffsets(Entry(id)));
      if (id < committed) {
        ASSERT_OK((*cp)->WriteCommit(id));
      }
    }
  }

  std::vector<Damage> Found() {
    auto found = FindDamage(*Env::Default(), Dir());
    EXPECT_OK(found);
    return found.ok() ? *found : std::vector<Damage>{};
  }

  RepairReport Repaired(const RepairOptions& options = {}) {
    auto report = Repair(*Env::Default(), Dir(), options);
    EXPECT_OK(report);
    return report.ok() ? *report : RepairReport{};
  }

  // The batch a query on the checkpoint goes on with, and where it starts.
  std::pair<int64_t, bool> LatestAfterOpen() {
    auto cp = Checkpoint::Open(Dir(), 100);
    EXPECT_OK(cp);
    if (!cp.ok()) return {-1, false};
    auto latest = (*cp)->LatestOffsets();
    auto commit = (*cp)->LatestCommit();
    EXPECT_OK(latest);
    EXPECT_OK(commit);
    const int64_t last = (*latest)->batch_id;
    return {last, commit->has_value() && **commit == last};
  }
};

TEST_F(DamageTest, ASoundCheckpointHasNone) {
  Write(3, 3);
  EXPECT_TRUE(Found().empty());
  ASSERT_OK((*Checkpoint::Open(Dir(), 100))->WriteOffsets(Entry(3)));
  EXPECT_TRUE(Found().empty());  // batch 3 logged, not committed: a plain replay
  EXPECT_TRUE(Repaired().repaired.empty());
}

TEST_F(DamageTest, AGapBeforeACommittedLastBatchDoesNotStopARestart) {
  Write(4, 4);
  std::filesystem::remove(File("offsets/2"));
  std::filesystem::remove(File("commits/1"));
  EXPECT_TRUE(Found().empty());
  EXPECT_EQ(LatestAfterOpen(), std::make_pair(int64_t{3}, true));
}

TEST_F(DamageTest,
       ATruncatedUncommittedLastOffsetsFileMovesAsideAndTheBatchIsPlannedAgain) {
  Write(3, 2);
  const std::string bytes = ReadBytes(File("offsets/2"));
  WriteBytes(File("offsets/2"), bytes.substr(0, bytes.size() - 1));

  const std::vector<Damage> found = Found();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].file, "offsets/2");
  EXPECT_EQ(found[0].problem, "is corrupt: the offset of source 0 is not valid JSON");
  EXPECT_EQ(found[0].action, RepairAction::kMoveAside);
  EXPECT_EQ(Checkpoint::Open(Dir(), 100).status().ToString(),
            "Corruption: " + File("offsets/2") +
                " is corrupt: the offset of source 0 is not valid JSON. `rivulet "
                "checkpoint repair " +
                Dir() + "` mends it: " + found[0].outcome);
  EXPECT_EQ(ReadBytes(File("offsets/2")), bytes.substr(0, bytes.size() - 1));

  const RepairReport report = Repaired();
  ASSERT_EQ(report.repaired.size(), 1u);
  EXPECT_TRUE(report.left.empty());
  EXPECT_EQ(ReadBytes(File("damaged/offsets/2")), bytes.substr(0, bytes.size() - 1));
  EXPECT_FALSE(std::filesystem::exists(File("offsets/2")));
  EXPECT_EQ(LatestAfterOpen(), std::make_pair(int64_t{1}, true));
}

TEST_F(DamageTest, GarbageInACommittedLastOffsetsFileCannotBeRepaired) {
  Write(3, 3);
  WriteBytes(File("offsets/2"), "\x89PNG\r\n\x1a\n garbage");
  const std::vector<Damage> found = Found();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].action, RepairAction::kNone);
  EXPECT_THAT(Checkpoint::Open(Dir(), 100).status().ToString(),
              HasSubstr("/offsets/2 is corrupt: malformed version line \"\x89PNG\". No "
                        "repair keeps every row exactly once: batch 2 reached the sink"));

  const RepairReport report = Repaired();
  EXPECT_TRUE(report.repaired.empty());
  ASSERT_EQ(report.left.size(), 1u);
  EXPECT_EQ(report.left[0].file, "offsets/2");
  EXPECT_EQ(ReadBytes(File("offsets/2")), "\x89PNG\r\n\x1a\n garbage");
  EXPECT_FALSE(std::filesystem::exists(File("damaged")));
}

TEST_F(DamageTest, AZeroByteCommitFileIsWrittenAnewSinceItsBatchWasDelivered) {
  Write(3, 3);
  WriteBytes(File("commits/2"), "");
  const std::vector<Damage> found = Found();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].file, "commits/2");
  EXPECT_EQ(found[0].problem, "is corrupt: missing the version line");
  EXPECT_EQ(found[0].action, RepairAction::kRewriteCommit);
  EXPECT_THAT(Checkpoint::Open(Dir(), 100).status().ToString(),
              StartsWith("Corruption: " + File("commits/2") +
                         " is corrupt: missing the version line. `rivulet checkpoint"));

  Repaired();
  EXPECT_EQ(ReadBytes(File("commits/2")), CommitLog::Serialize());
  EXPECT_EQ(ReadBytes(File("damaged/commits/2")), "");
  EXPECT_EQ(LatestAfterOpen(), std::make_pair(int64_t{2}, true));
}

TEST_F(DamageTest, AGarbledCommitBeforeAnUncommittedBatchIsWrittenAnew) {
  Write(3, 2);  // batch 2 logged, so batch 1 had committed
  WriteBytes(File("commits/1"), "v1\n{\"nextBatchWatermarkMs\":");
  ASSERT_EQ(Found().size(), 1u);
  EXPECT_EQ(Found()[0].file, "commits/1");
  Repaired();
  EXPECT_TRUE(Found().empty());
  EXPECT_EQ(LatestAfterOpen(), std::make_pair(int64_t{2}, false));
}

TEST_F(DamageTest, AMissingMetadataGetsTheIdGivenOrANewOne) {
  Write(2, 2);
  std::filesystem::remove(File("metadata"));
  const std::vector<Damage> found = Found();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].file, "metadata");
  EXPECT_EQ(found[0].problem, "is missing, but batches are logged");
  EXPECT_THAT(Checkpoint::Open(Dir(), 100).status().ToString(),
              StartsWith("Corruption: " + File("metadata") + " is missing"));
  EXPECT_FALSE(std::filesystem::exists(File("metadata")));  // not made up

  EXPECT_EQ(Repair(*Env::Default(), Dir(), {"not-a-uuid"}).status().ToString(),
            "Invalid argument: --query-id not-a-uuid is not a UUID (8-4-4-4-12 "
            "hexadecimal digits)");
  Repaired({kId});
  auto cp = Checkpoint::Open(Dir(), 100);
  ASSERT_OK(cp);
  EXPECT_EQ((*cp)->query_id(), kId);
}

TEST_F(DamageTest, ACorruptMetadataMovesAsideForANewOne) {
  Write(1, 1);
  WriteBytes(File("metadata"), "{\"id\":");
  ASSERT_EQ(Found().size(), 1u);
  Repaired();
  EXPECT_EQ(ReadBytes(File("damaged/metadata")), "{\"id\":");
  auto cp = Checkpoint::Open(Dir(), 100);
  ASSERT_OK(cp);
  EXPECT_TRUE(IsUuid((*cp)->query_id()));
}

TEST_F(DamageTest, AStrayCommitMovesAside) {
  Write(2, 1);
  WriteBytes(File("commits/6"), CommitLog::Serialize());
  const std::vector<Damage> found = Found();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].file, "commits/6");
  EXPECT_EQ(found[0].problem, "has no offsets file: the last batch logged is 1");
  Repaired();
  EXPECT_TRUE(std::filesystem::exists(File("damaged/commits/6")));
  EXPECT_EQ(LatestAfterOpen(), std::make_pair(int64_t{1}, false));  // batch 1 replays
}

TEST_F(DamageTest, AMissingStartOfAnUncommittedBatchCannotBeRepaired) {
  Write(3, 2);
  std::filesystem::remove(File("offsets/1"));
  const std::vector<Damage> found = Found();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].file, "offsets/1");
  EXPECT_EQ(found[0].problem, "is missing");
  EXPECT_EQ(found[0].action, RepairAction::kNone);
  EXPECT_THAT(found[0].outcome, HasSubstr("batch 2 did not commit and must run again"));
  EXPECT_EQ(Repaired().left.size(), 1u);
  EXPECT_EQ(Names(File("offsets")), (std::vector<std::string>{"0", "2"}));
}

TEST_F(DamageTest, RepairGoesOnUntilOnlyWhatItCannotMendIsLeft) {
  Write(4, 3);
  WriteBytes(File("offsets/3"), "v1");  // uncommitted: moves aside
  WriteBytes(File("offsets/2"), "v1");  // then the last, committed: left
  WriteBytes(File("commits/9"), "");    // stray: moves aside
  const RepairReport report = Repaired();
  ASSERT_EQ(report.repaired.size(), 2u);
  EXPECT_EQ(report.repaired[0].file, "commits/9");
  EXPECT_EQ(report.repaired[1].file, "offsets/3");
  ASSERT_EQ(report.left.size(), 1u);
  EXPECT_EQ(report.left[0].file, "offsets/2");
}

TEST_F(DamageTest, ASecondRepairOfTheSameFileKeepsTheFirstOne) {
  Write(2, 2);
  WriteBytes(File("commits/1"), "first");
  Repaired();
  WriteBytes(File("commits/1"), "second");
  Repaired();
  EXPECT_EQ(ReadBytes(File("damaged/commits/1")), "first");
  EXPECT_EQ(ReadBytes(File("damaged/commits/1.1")), "second");
}

TEST_F(DamageTest, ALogOfANewerVersionIsNotDamageButAnErrorRepairLeavesAlone) {
  Write(2, 2);
  WriteBytes(File("offsets/1"), "v2\n{}\n0:10");
  EXPECT_EQ(FindDamage(*Env::Default(), Dir()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_THAT(
      Checkpoint::Open(Dir(), 100).status().ToString(),
      StartsWith("Invalid argument: " + File("offsets/1") + " has log version v2"));
  EXPECT_EQ(Repair(*Env::Default(), Dir(), {}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadBytes(File("offsets/1")), "v2\n{}\n0:10");
}

TEST_F(DamageTest, RepairWaitsForNoQueryAndNeedsACheckpoint) {
  Write(1, 1);
  auto running = Checkpoint::Open(Dir(), 100);
  ASSERT_OK(running);
  EXPECT_THAT(Repair(*Env::Default(), Dir(), {}).status().ToString(),
              StartsWith("Busy: checkpoint " + Dir() + " is in use by another query"));
  EXPECT_EQ(Repair(*Env::Default(), Path("nothing"), {}).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace rivulet::checkpoint
