#include "checkpoint/checkpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>

#include "checkpoint/checkpoint_testing.h"
#include "testing/assert_status.h"

namespace rivulet::checkpoint {
namespace {

Offset O(std::string_view text) { return *Offset::FromText(text); }

OffsetLogEntry Entry(int64_t batch_id, std::string_view offset) {
  OffsetLogEntry entry;
  entry.batch_id = batch_id;
  entry.batch_timestamp_ms = 1700000000000 + batch_id;
  entry.conf = {{"spark.sql.shuffle.partitions", "200"}};
  entry.offsets = {O(offset)};
  return entry;
}

class CheckpointTest : public CheckpointTestBase {
 protected:
  std::string Dir() const { return Path("ckpt"); }

  std::unique_ptr<Checkpoint> OpenCheckpoint(int retain = 100) {
    auto cp = Checkpoint::Open(Dir(), retain);
    EXPECT_OK(cp);
    return cp.ok() ? std::move(*cp) : nullptr;
  }

  std::string InUseMessage(pid_t pid) const {
    return "Busy: checkpoint " + Dir() + " is in use by another query (pid " +
           std::to_string(pid) + ")";
  }
};

TEST_F(CheckpointTest, OpenCreatesSparksLayout) {
  auto cp = OpenCheckpoint();
  EXPECT_EQ(Names(Dir()), (std::vector<std::string>{"commits", "lock", "metadata",
                                                    "offsets", "sources"}));
  EXPECT_EQ(Names(Dir() + "/sources"), std::vector<std::string>{"0"});
  EXPECT_TRUE(std::filesystem::is_directory(Dir() + "/sources/0"));
  EXPECT_TRUE(std::regex_match(
      cp->query_id(),
      std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  EXPECT_EQ(ReadBytes(Dir() + "/metadata"), "{\"id\":\"" + cp->query_id() + "\"}");
  EXPECT_EQ(cp->dir(), Dir());
}

TEST_F(CheckpointTest, TheQueryIdPersistsAcrossReopen) {
  std::string id = OpenCheckpoint()->query_id();
  EXPECT_EQ(OpenCheckpoint()->query_id(), id);
  EXPECT_EQ(ReadBytes(Dir() + "/metadata"), "{\"id\":\"" + id + "\"}");
}

TEST_F(CheckpointTest, AnExistingSparkMetadataFileIsReadNotRewritten) {
  std::filesystem::create_directories(Dir());
  WriteBytes(Dir() + "/metadata", "{\"id\":\"b81a7f4c-9d4e-4c43-a0a6-3d5e2f1c0b9a\"}");
  EXPECT_EQ(OpenCheckpoint()->query_id(), "b81a7f4c-9d4e-4c43-a0a6-3d5e2f1c0b9a");
}

TEST_F(CheckpointTest, WritesOffsetsAndCommitsInSparksFormat) {
  auto cp = OpenCheckpoint();
  OffsetLogEntry entry;
  entry.batch_id = 0;
  entry.batch_timestamp_ms = 1719290931555;
  entry.conf = {{"spark.sql.shuffle.partitions", "5"}};
  entry.offsets = {O(R"({"offset": 2})"), Offset()};
  ASSERT_OK(cp->WriteOffsets(entry));
  ASSERT_OK(cp->WriteCommit(0));
  EXPECT_EQ(ReadBytes(Dir() + "/offsets/0"),
            "v1\n"
            "{\"batchWatermarkMs\":0,\"batchTimestampMs\":1719290931555,"
            "\"conf\":{\"spark.sql.shuffle.partitions\":\"5\"}}\n"
            "{\"offset\": 2}\n"
            "-");
  EXPECT_EQ(ReadBytes(Dir() + "/commits/0"), "v1\n{\"nextBatchWatermarkMs\":0}");
  EXPECT_EQ(Names(Dir() + "/offsets"), std::vector<std::string>{"0"});
  EXPECT_EQ(Names(Dir() + "/commits"), std::vector<std::string>{"0"});
}

TEST_F(CheckpointTest, AFreshCheckpointHasNothingToRecover) {
  auto cp = OpenCheckpoint();
  EXPECT_EQ(*cp->LatestOffsets(), std::nullopt);
  EXPECT_EQ(*cp->LatestCommit(), std::nullopt);
  EXPECT_EQ(*cp->Offsets(0), std::nullopt);
  EXPECT_EQ(*cp->OffsetBatchIds(), std::vector<int64_t>{});
  EXPECT_EQ(*cp->CommitBatchIds(), std::vector<int64_t>{});
}

TEST_F(CheckpointTest, ReopenSeesWhatWasWritten) {
  {
    auto cp = OpenCheckpoint();
    ASSERT_OK(cp->WriteOffsets(Entry(0, R"({"offset": 2})")));
    ASSERT_OK(cp->WriteCommit(0));
    ASSERT_OK(cp->WriteOffsets(Entry(1, R"({"offset": 4})")));
  }
  // Batch 1 has offsets but no commit: recovery runs it again over exactly 2..4.
  auto cp = OpenCheckpoint();
  EXPECT_EQ(**cp->LatestOffsets(), Entry(1, R"({"offset": 4})"));
  EXPECT_EQ(**cp->Offsets(0), Entry(0, R"({"offset": 2})"));
  EXPECT_EQ(*cp->LatestCommit(), 0);
  EXPECT_EQ(*cp->OffsetBatchIds(), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(*cp->CommitBatchIds(), std::vector<int64_t>{0});
}

TEST_F(CheckpointTest, ALoggedBatchIsNeverOverwritten) {
  auto cp = OpenCheckpoint();
  ASSERT_OK(cp->WriteOffsets(Entry(0, "1")));
  std::string before = ReadBytes(Dir() + "/offsets/0");
  EXPECT_EQ(cp->WriteOffsets(Entry(0, "2")).ToString(),
            "Busy: Concurrent update to the log. Multiple streaming jobs detected for 0");
  ASSERT_OK(cp->WriteCommit(0));
  EXPECT_EQ(cp->WriteCommit(0).ToString(),
            "Busy: Concurrent update to the log. Multiple streaming jobs detected for 0");
  EXPECT_EQ(ReadBytes(Dir() + "/offsets/0"), before);
}

TEST_F(CheckpointTest, ALogDirectoryDeletedUnderARunningQueryIsAnIoErrorNotAConflict) {
  auto cp = OpenCheckpoint();
  ASSERT_OK(cp->WriteOffsets(Entry(0, "1")));
  std::filesystem::remove_all(Dir() + "/offsets");
  const Status status = cp->WriteOffsets(Entry(1, "2"));
  EXPECT_EQ(status.code(), StatusCode::kIOError);
  EXPECT_THAT(status.message(), ::testing::HasSubstr(Dir() + "/offsets/1"));
  EXPECT_THAT(status.message(), ::testing::HasSubstr("No such file or directory"));
}

TEST_F(CheckpointTest, ASecondOpenInTheSameProcessIsBusy) {
  auto first = OpenCheckpoint();
  EXPECT_EQ(Checkpoint::Open(Dir(), 100).status().ToString(), InUseMessage(getpid()));
  EXPECT_EQ(Checkpoint::Open(Dir() + "/", 100).status().ToString(),
            InUseMessage(getpid()));
  first.reset();
  EXPECT_OK(Checkpoint::Open(Dir(), 100));
}

TEST_F(CheckpointTest, AnOpenInAnotherProcessIsBusy) {
  auto cp = OpenCheckpoint();
  const std::string expected = InUseMessage(getpid());
  pid_t pid = fork();
  if (pid == 0) {
    auto other = Checkpoint::Open(Dir(), 100);
    _exit(other.status().ToString() == expected ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child's Open was not refused as expected";
}

TEST_F(CheckpointTest, TheLockIsReleasedWhenItsHolderIsKilled) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t pid = fork();
  if (pid == 0) {
    auto cp = Checkpoint::Open(Dir(), 100);
    bool ok = cp.ok() && (*cp)->WriteOffsets(Entry(0, "7")).ok();
    char c = ok ? '1' : '0';
    if (write(ready[1], &c, 1) != 1) _exit(1);
    pause();  // killed here, holding the lock, batch 0 uncommitted
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  close(ready[0]);
  close(ready[1]);
  ASSERT_EQ(c, '1');
  EXPECT_EQ(Checkpoint::Open(Dir(), 100).status().ToString(), InUseMessage(pid));
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  auto cp = OpenCheckpoint();
  ASSERT_NE(cp, nullptr);
  EXPECT_EQ(**cp->LatestOffsets(), Entry(0, "7"));
  EXPECT_EQ(*cp->LatestCommit(), std::nullopt);
}

TEST_F(CheckpointTest, LeftoverTemporaryFilesAreIgnoredAndRemovedOnOpen) {
  {
    auto cp = OpenCheckpoint();
    ASSERT_OK(cp->WriteOffsets(Entry(0, "1")));
    ASSERT_OK(cp->WriteCommit(0));
  }
  // What a crash in the middle of writing batch 1 (and of a first start) leaves behind.
  const std::string tmp = ".1b4e28ba-2fa1-41d2-883f-0016d3cca427.tmp";
  WriteBytes(Dir() + "/offsets/.1" + tmp, "v1\n{\"batchWat");
  WriteBytes(Dir() + "/commits/.1" + tmp, "");
  WriteBytes(Dir() + "/.metadata" + tmp, "{");
  {
    auto reader = Checkpoint::OpenReadOnly(Dir());
    ASSERT_OK(reader);
    EXPECT_EQ((**(*reader)->LatestOffsets()).batch_id, 0);
    EXPECT_EQ(*(*reader)->LatestCommit(), 0);
    EXPECT_EQ(*(*reader)->OffsetBatchIds(), std::vector<int64_t>{0});
  }
  auto cp = OpenCheckpoint();
  EXPECT_EQ(Names(Dir() + "/offsets"), std::vector<std::string>{"0"});
  EXPECT_EQ(Names(Dir() + "/commits"), std::vector<std::string>{"0"});
  EXPECT_EQ(Names(Dir()), (std::vector<std::string>{"commits", "lock", "metadata",
                                                    "offsets", "sources"}));
  EXPECT_OK(cp->WriteOffsets(Entry(1, "2")));
}

// Opening for a query refuses damage (damage_test.cc has every case); reading it
// read-only reports the file as it is, and neither changes it.
TEST_F(CheckpointTest, ATruncatedLastEntryIsReportedWithItsPathAndLeftUntouched) {
  {
    auto cp = OpenCheckpoint();
    ASSERT_OK(cp->WriteOffsets(Entry(0, R"({"offset": 2})")));
    ASSERT_OK(cp->WriteCommit(0));
    ASSERT_OK(cp->WriteOffsets(Entry(1, R"({"offset": 4})")));
  }
  const std::string path = Dir() + "/offsets/1";
  std::string full = ReadBytes(path);
  const std::string truncated = full.substr(0, full.size() - 3);  // {"offset
  WriteBytes(path, truncated);

  const std::string expected =
      "Corruption: " + path + " is corrupt: the offset of source 0 is not valid JSON";
  EXPECT_THAT(Checkpoint::Open(Dir(), 100).status().ToString(),
              ::testing::StartsWith(expected + ". `rivulet checkpoint repair " + Dir() +
                                    "` mends it"));
  auto cp = Checkpoint::OpenReadOnly(Dir());
  ASSERT_OK(cp);
  EXPECT_EQ((*cp)->LatestOffsets().status().ToString(), expected);
  EXPECT_EQ((*cp)->Offsets(1).status().ToString(), expected);
  EXPECT_EQ(ReadBytes(path), truncated);
  EXPECT_EQ(Names(Dir() + "/offsets"), (std::vector<std::string>{"0", "1"}));
}

TEST_F(CheckpointTest, AnOffsetsFileMissingItsLastLinesIsCorrupt) {
  {
    auto cp = OpenCheckpoint();
    ASSERT_OK(cp->WriteOffsets(Entry(0, "1")));
  }
  const std::string path = Dir() + "/offsets/0";
  for (const auto& [text, detail] : std::vector<std::pair<std::string, std::string>>{
           {"", "missing the version line"},
           {"v1", "missing the metadata line"},
           {"v1\n{\"batchWatermarkMs\":0,\"batchTimestampMs\":1,\"conf\":{}}",
            "missing the offset lines"}}) {
    WriteBytes(path, text);
    const std::string expected =
        std::string("Corruption: ").append(path).append(" is corrupt: ").append(detail);
    EXPECT_THAT(Checkpoint::Open(Dir(), 100).status().ToString(),
                ::testing::StartsWith(expected + ". "));
    EXPECT_EQ((*Checkpoint::OpenReadOnly(Dir()))->LatestOffsets().status().ToString(),
              expected);
    EXPECT_EQ(ReadBytes(path), text);
  }
}

TEST_F(CheckpointTest, ACorruptCommitIsReportedWithItsPath) {
  {
    auto cp = OpenCheckpoint();
    ASSERT_OK(cp->WriteOffsets(Entry(0, "1")));
    ASSERT_OK(cp->WriteCommit(0));
  }
  const std::string path = Dir() + "/commits/0";
  WriteBytes(path, "v0\n{}");
  const std::string expected =
      "Corruption: " + path + " is corrupt: malformed version line \"v0\"";
  EXPECT_THAT(Checkpoint::Open(Dir(), 100).status().ToString(),
              ::testing::StartsWith(expected + ". "));
  EXPECT_EQ((*Checkpoint::OpenReadOnly(Dir()))->LatestCommit().status().ToString(),
            expected);
  EXPECT_EQ(ReadBytes(path), "v0\n{}");
}

TEST_F(CheckpointTest, ACorruptMetadataFileFailsOpenAndIsKept) {
  std::filesystem::create_directories(Dir());
  WriteBytes(Dir() + "/metadata", "{\"id\":\"b81a7f4c-9d4e");
  const std::string expected =
      "Corruption: " + Dir() + "/metadata is corrupt: not a JSON object";
  EXPECT_THAT(Checkpoint::Open(Dir(), 100).status().ToString(),
              ::testing::StartsWith(expected + ". "));
  EXPECT_EQ(Checkpoint::OpenReadOnly(Dir()).status().ToString(), expected);
  EXPECT_EQ(ReadBytes(Dir() + "/metadata"), "{\"id\":\"b81a7f4c-9d4e");
  // The failed Open released the lock.
  WriteBytes(Dir() + "/metadata", "{\"id\":\"b81a7f4c-9d4e-4c43-a0a6-3d5e2f1c0b9a\"}");
  EXPECT_OK(Checkpoint::Open(Dir(), 100));
}

TEST_F(CheckpointTest, PurgeKeepsExactlyTheBatchesARestartCanNeed) {
  const int retain = 3;
  auto cp = OpenCheckpoint(retain);
  for (int64_t id = 0; id < 10; ++id) {
    ASSERT_OK(cp->WriteOffsets(Entry(id, std::to_string(id))));
    ASSERT_OK(cp->PurgeForBatch(id));
    // Batch `id` may still be replayed from the end offsets of batch id - 1, and the
    // newest `retain` batches before it stay: ids id - retain .. id.
    std::vector<int64_t> expected;
    for (int64_t kept = std::max<int64_t>(0, id - retain); kept <= id; ++kept) {
      expected.push_back(kept);
    }
    EXPECT_EQ(*cp->OffsetBatchIds(), expected) << "after batch " << id;
    ASSERT_OK(cp->WriteCommit(id));
    EXPECT_EQ(*cp->CommitBatchIds(), expected) << "after batch " << id;
  }
}

TEST_F(CheckpointTest, PurgeAfterReopenStartsFromTheOldestFile) {
  {
    auto cp = OpenCheckpoint(100);
    for (int64_t id = 0; id < 8; ++id) {
      ASSERT_OK(cp->WriteOffsets(Entry(id, "1")));
      ASSERT_OK(cp->WriteCommit(id));
    }
  }
  auto cp = OpenCheckpoint(2);
  ASSERT_OK(cp->WriteOffsets(Entry(8, "1")));
  ASSERT_OK(cp->PurgeForBatch(8));
  EXPECT_EQ(*cp->OffsetBatchIds(), (std::vector<int64_t>{6, 7, 8}));
  EXPECT_EQ(*cp->CommitBatchIds(), (std::vector<int64_t>{6, 7}));
}

TEST_F(CheckpointTest, RetentionMustBePositive) {
  EXPECT_EQ(Checkpoint::Open(Dir(), 0).status().ToString(),
            "Invalid argument: min_batches_to_retain must be greater than 0, got 0");
  EXPECT_FALSE(std::filesystem::exists(Dir()));
}

TEST_F(CheckpointTest, RemoveCommitForcesAReplayOfThatBatch) {
  auto cp = OpenCheckpoint();
  for (int64_t id = 0; id < 3; ++id) {
    ASSERT_OK(cp->WriteOffsets(Entry(id, "1")));
    ASSERT_OK(cp->WriteCommit(id));
  }
  ASSERT_OK(cp->RemoveCommit(2));
  ASSERT_OK(cp->RemoveCommit(2));
  EXPECT_EQ(*cp->LatestCommit(), 1);
  EXPECT_EQ((**cp->LatestOffsets()).batch_id, 2);
  // The replayed batch commits again under the same id.
  EXPECT_OK(cp->WriteCommit(2));
}

TEST_F(CheckpointTest, OpenReadOnlyInspectsALockedCheckpointWithoutChangingIt) {
  auto cp = OpenCheckpoint();
  ASSERT_OK(cp->WriteOffsets(Entry(0, "1")));
  auto reader = Checkpoint::OpenReadOnly(Dir() + "/");
  ASSERT_OK(reader);
  auto& r = **reader;
  EXPECT_EQ(r.query_id(), cp->query_id());
  EXPECT_EQ(r.dir(), Dir());
  EXPECT_EQ((**r.LatestOffsets()).batch_id, 0);
  const std::string refused =
      "Invalid argument: checkpoint " + Dir() + " is open read-only";
  EXPECT_EQ(r.WriteOffsets(Entry(1, "1")).ToString(), refused);
  EXPECT_EQ(r.WriteCommit(0).ToString(), refused);
  EXPECT_EQ(r.PurgeForBatch(500).ToString(), refused);
  EXPECT_EQ(r.RemoveCommit(0).ToString(), refused);
  EXPECT_EQ(*r.OffsetBatchIds(), std::vector<int64_t>{0});
  EXPECT_EQ(*r.CommitBatchIds(), std::vector<int64_t>{});
}

TEST_F(CheckpointTest, OpenReadOnlyOfADirectoryWithoutMetadataIsNotFound) {
  EXPECT_EQ(Checkpoint::OpenReadOnly(Dir()).status().ToString(),
            "Not found: no checkpoint at " + Dir() + ": cannot open " + Dir() +
                "/metadata: No such file or directory");
  EXPECT_FALSE(std::filesystem::exists(Dir()));
}

TEST_F(CheckpointTest, OpenReportsADirectoryItCannotCreate) {
  WriteBytes(Dir(), "a file");
  EXPECT_EQ(Checkpoint::Open(Dir(), 100).status().ToString(),
            "I/O error: cannot create directory " + Dir() + ": File exists");
  std::filesystem::remove(Dir());
  std::filesystem::create_directories(Dir());
  WriteBytes(Dir() + "/offsets", "a file");
  EXPECT_EQ(Checkpoint::Open(Dir(), 100).status().ToString(),
            "I/O error: cannot create directory " + Dir() + "/offsets: File exists");
}

TEST_F(CheckpointTest, OpenReportsALeftoverItCannotRemove) {
  const std::string uuid = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
  const std::string offsets_tmp = Dir() + "/offsets/.0." + uuid + ".tmp";
  std::filesystem::create_directories(offsets_tmp);
  EXPECT_EQ(Checkpoint::Open(Dir(), 100).status().ToString(),
            "I/O error: cannot remove " + offsets_tmp + ": Is a directory");
  std::filesystem::remove(offsets_tmp);
  const std::string metadata_tmp = Dir() + "/.metadata." + uuid + ".tmp";
  std::filesystem::create_directories(metadata_tmp);
  EXPECT_EQ(Checkpoint::Open(Dir(), 100).status().ToString(),
            "I/O error: cannot remove " + metadata_tmp + ": Is a directory");
}

}  // namespace
}  // namespace rivulet::checkpoint
