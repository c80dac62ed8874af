// Damaged checkpoints, end to end: a real query is killed at a named point, a file of its
// checkpoint is damaged on purpose, and `rivulet run` must refuse, naming the file and
// what to do; `rivulet checkpoint repair` then gets the query going again with every row
// exactly once, or says why it cannot.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "testing/json_output.h"
#include "testing/process.h"

namespace rivulet {
namespace {

using testing::CommittedValues;
using ::testing::HasSubstr;
using testing::RunRivulet;

std::vector<int64_t> Range(int64_t n) {
  std::vector<int64_t> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

struct CheckpointRepairTest : ::testing::Test {
  std::string dir = testing::MakeTempDir("repair");
  std::string checkpoint = dir + "/checkpoint";
  std::string out = dir + "/out";
  ~CheckpointRepairTest() override { std::filesystem::remove_all(dir); }

  // Five rows a batch into the json sink, for `batches` batches.
  testing::RunResult Run(int batches) {
    return RunRivulet({"run", "--source", "rate-micro-batch", "-o", "rowsPerBatch=5",
                       "--sink", "json", "--sink-option", "path=" + out, "--checkpoint",
                       checkpoint, "--max-batches", std::to_string(batches)},
                      dir);
  }

  // Runs until the test build kills the engine at `point` in batch `batch_id`.
  void RunKilledAt(const std::string& point, int64_t batch_id) {
    setenv("RIVULET_KILL_POINT", (point + "@" + std::to_string(batch_id)).c_str(), 1);
    auto killed = Run(100);
    unsetenv("RIVULET_KILL_POINT");
    ASSERT_EQ(killed.code, 128 + SIGKILL) << killed.err;
  }

  testing::RunResult Repair(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"checkpoint", "repair", checkpoint};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunRivulet(args, dir);
  }

  void Write(const std::string& relative, const std::string& bytes) {
    std::ofstream(checkpoint + "/" + relative, std::ios::binary | std::ios::trunc)
        << bytes;
  }
  std::string Read(const std::string& relative) {
    return testing::Slurp(checkpoint + "/" + relative);
  }
};

TEST_F(CheckpointRepairTest, ADamagedLastBatchThatNeverReachedTheSinkIsPlannedAgain) {
  ASSERT_EQ(Run(2).code, 0);
  RunKilledAt("after-offsets", 2);
  Write("offsets/2", "v1\n{\"batchWatermarkMs\":0,\"batchTimes");  // cut short

  auto refused = Run(2);
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, HasSubstr(checkpoint +
                                     "/offsets/2 is corrupt: the metadata line is not a "
                                     "JSON object. `rivulet checkpoint repair " +
                                     checkpoint + "` mends it: batch 2 never committed"));
  EXPECT_EQ(Read("offsets/2"), "v1\n{\"batchWatermarkMs\":0,\"batchTimes");

  auto repaired = Repair();
  EXPECT_EQ(repaired.code, 0) << repaired.err;
  EXPECT_THAT(repaired.out, HasSubstr("repaired offsets/2: it is corrupt"));
  EXPECT_THAT(repaired.out, HasSubstr("can run again"));
  ASSERT_EQ(Run(2).code, 0);
  EXPECT_EQ(CommittedValues(out), Range(20));
}

TEST_F(CheckpointRepairTest, ADamagedLastBatchTheSinkTookIsRefusedRatherThanLosingRows) {
  ASSERT_EQ(Run(2).code, 0);
  RunKilledAt("after-sink-commit", 2);  // the sink holds batch 2; commits/2 is missing
  Write("offsets/2", "garbage");
  ASSERT_EQ(Repair().code, 0);

  // Planned anew, batch 2 would be skipped by the sink as delivered before.
  auto refused = Run(2);
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, HasSubstr("already holds batch 2, but checkpoint " +
                                     checkpoint + " goes on with batch 2"));
  EXPECT_EQ(CommittedValues(out), Range(15));
}

TEST_F(CheckpointRepairTest, AZeroByteCommitIsWrittenAnewAndTheQueryGoesOn) {
  ASSERT_EQ(Run(3).code, 0);
  Write("commits/2", "");
  auto refused = Run(1);
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, HasSubstr(checkpoint + "/commits/2 is corrupt: missing the "
                                                  "version line. `rivulet checkpoint "
                                                  "repair"));
  ASSERT_EQ(Repair().code, 0);
  EXPECT_EQ(Read("damaged/commits/2"), "");
  ASSERT_EQ(Run(1).code, 0);
  EXPECT_EQ(CommittedValues(out), Range(20));
}

TEST_F(CheckpointRepairTest, AStrayCommitIsMovedAsideAndTheUncommittedBatchReplays) {
  ASSERT_EQ(Run(2).code, 0);
  RunKilledAt("after-sink-commit", 2);
  Write("commits/6", Read("commits/0"));
  auto refused = Run(1);
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, HasSubstr("/commits/6 has no offsets file: the last batch "
                                     "logged is 2"));
  ASSERT_EQ(Repair().code, 0);
  ASSERT_EQ(Run(2).code, 0);  // batch 2 again (the sink has it), then batch 3
  EXPECT_EQ(CommittedValues(out), Range(20));
}

TEST_F(CheckpointRepairTest, ALostMetadataTakesBackTheQueryIdTheSinkNames) {
  ASSERT_EQ(Run(2).code, 0);
  const std::string id = nlohmann::json::parse(Read("metadata"))["id"];
  std::filesystem::remove(checkpoint + "/metadata");
  auto refused = Run(1);
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, HasSubstr(checkpoint + "/metadata is missing, but batches "
                                                  "are logged"));
  EXPECT_FALSE(std::filesystem::exists(checkpoint + "/metadata"));

  ASSERT_EQ(Repair({"--query-id", id}).code, 0);
  ASSERT_EQ(Run(1).code, 0);
  EXPECT_EQ(CommittedValues(out), Range(15));
  EXPECT_EQ(nlohmann::json::parse(Read("metadata"))["id"], id);
}

TEST_F(CheckpointRepairTest, AGapBeforeAnUncommittedBatchIsLeftToTheOperator) {
  ASSERT_EQ(Run(2).code, 0);
  RunKilledAt("after-offsets", 2);
  const std::string kept = Read("offsets/1");
  std::filesystem::remove(checkpoint + "/offsets/1");
  auto refused = Run(1);
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, HasSubstr(checkpoint + "/offsets/1 is missing. No repair "
                                                  "keeps every row exactly once"));

  auto repair = Repair();
  EXPECT_EQ(repair.code, 1);
  EXPECT_THAT(repair.out, HasSubstr("cannot repair offsets/1: it is missing"));
  EXPECT_THAT(repair.out, HasSubstr("still cannot run"));
  // Put back from a copy, the checkpoint runs on with nothing lost.
  Write("offsets/1", kept);
  ASSERT_EQ(Run(1).code, 0);
  EXPECT_EQ(CommittedValues(out), Range(15));
}

TEST_F(CheckpointRepairTest, ShowListsTheDamageAndRepairRefusesARunningQuery) {
  ASSERT_EQ(Run(1).code, 0);
  Write("commits/0", "x");
  auto show = RunRivulet({"checkpoint", "show", checkpoint}, dir);
  EXPECT_THAT(show.out,
              HasSubstr("damage that stops a restart:\n  commits/0 is corrupt"));
  EXPECT_EQ(RunRivulet({"checkpoint", "repair", dir + "/none"}, dir).code, 1);
}

TEST_F(CheckpointRepairTest, AnotherSourceOnTheCheckpointIsRefusedUnlessAsked) {
  ASSERT_EQ(Run(1).code, 0);
  std::vector<std::string> other = {
      "run",    "--source", "rate",         "-o",       "rowsPerSecond=5",
      "--sink", "noop",     "--checkpoint", checkpoint, "--max-batches",
      "1"};
  auto refused = RunRivulet(other, dir);
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, HasSubstr("belongs to a query reading source "
                                     "'rate-micro-batch', not 'rate'"));
  other.push_back("--allow-source-change");
  auto allowed = RunRivulet(other, dir);
  EXPECT_THAT(allowed.err, ::testing::Not(HasSubstr("belongs to a query")));
  EXPECT_THAT(Read("metadata"), HasSubstr("\"source\":\"rate\""));
}

}  // namespace
}  // namespace rivulet
