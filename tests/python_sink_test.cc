// Python stream writers end to end: `rivulet run --sink file.py:Class` with PySpark's
// DataSourceStreamWriter in worker processes: partitions written in parallel, commit with
// the batch id, abort with None for a failed partition, and a replay after a kill -9.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "testing/process.h"

namespace rivulet {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

const std::string kWriter =
    testing::SourceDir() + "/tests/python/sources/spark_stream_writer.py:CommittingSink";

struct PythonSinkTest : ::testing::Test {
  std::string dir = testing::MakeTempDir("python-sink");
  std::string checkpoint = dir + "/checkpoint";
  std::string out = dir + "/out";
  ~PythonSinkTest() override { std::filesystem::remove_all(dir); }

  std::vector<std::string> Args(int batches, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"run",
                                     "--source",
                                     "rate-micro-batch",
                                     "-o",
                                     "rowsPerBatch=4",
                                     "-o",
                                     "numPartitions=2",
                                     "--sink",
                                     kWriter,
                                     "--sink-option",
                                     "path=" + out,
                                     "--checkpoint",
                                     checkpoint,
                                     "--max-batches",
                                     std::to_string(batches)};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // The values of every committed batch directory, by batch id.
  std::map<int, std::vector<int64_t>> Committed() const {
    std::map<int, std::vector<int64_t>> batches;
    for (const auto& e : std::filesystem::directory_iterator(out)) {
      const std::string name = e.path().filename().string();
      if (!name.starts_with("batch-") || name.ends_with(".tmp")) continue;
      auto& values = batches[std::stoi(name.substr(6))];
      for (const auto& file : std::filesystem::directory_iterator(e.path())) {
        std::ifstream in(file.path());
        for (std::string line; std::getline(in, line);) {
          values.push_back(Json::parse(line).at("value").get<int64_t>());
        }
      }
      std::sort(values.begin(), values.end());
    }
    return batches;
  }

  std::vector<std::string> Calls() {
    std::vector<std::string> calls;
    std::ifstream in(out + "/calls.log");
    for (std::string line; std::getline(in, line);) calls.push_back(line);
    return calls;
  }
};

TEST_F(PythonSinkTest, EachBatchIsWrittenByPartitionAndCommittedWithItsBatchId) {
  auto run = testing::RunRivulet(Args(3), dir);
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(Committed(), (std::map<int, std::vector<int64_t>>{
                             {0, {0, 1, 2, 3}}, {1, {4, 5, 6, 7}}, {2, {8, 9, 10, 11}}}));
  EXPECT_THAT(Calls(), ::testing::ElementsAre("commit 0 [2, 2]", "commit 1 [2, 2]",
                                              "commit 2 [2, 2]"));
}

TEST_F(PythonSinkTest, AFailedPartitionAbortsTheBatchWithNoneForItAndFailsTheQuery) {
  // Batch 1's second partition holds values 6 and 7.
  auto run = testing::RunRivulet(Args(3, {"--sink-option", "fail_from=6"}), dir);
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.err, HasSubstr("write refused value 7"));
  EXPECT_THAT(run.err, HasSubstr("Traceback"));
  EXPECT_THAT(Calls(), ::testing::ElementsAre("commit 0 [2, 2]", "abort 1 [2, None]"));
  EXPECT_EQ(Committed(), (std::map<int, std::vector<int64_t>>{{0, {0, 1, 2, 3}}}));
  // Without the failure, the query goes on at batch 1.
  auto again = testing::RunRivulet(Args(2), dir);
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(Committed(), (std::map<int, std::vector<int64_t>>{
                             {0, {0, 1, 2, 3}}, {1, {4, 5, 6, 7}}, {2, {8, 9, 10, 11}}}));
}

TEST_F(PythonSinkTest, AKilledEngineReplaysItsLastBatchWhichTheWriterCommitsOnce) {
  // Kill the engine at random moments while batches commit; at the end every batch is
  // committed once with the rows of its batch id.
  for (int round = 0; round < 4; ++round) {
    testing::Process engine(
        [&] {
          auto args = Args(100);
          args.insert(args.begin(), testing::RivuletBinary());
          return args;
        }(),
        dir);
    testing::WaitFor(
        [&] { return Calls().size() >= 2 * static_cast<size_t>(round) + 1; });
    engine.Signal(SIGKILL);
    engine.Wait();
  }
  auto finish = testing::RunRivulet(Args(1), dir);
  ASSERT_EQ(finish.code, 0) << finish.err;
  auto committed = Committed();
  ASSERT_GE(committed.size(), 5u);
  std::set<int64_t> seen;
  for (const auto& [batch, values] : committed) {
    const int64_t first = int64_t{4} * batch;
    EXPECT_EQ(values, (std::vector<int64_t>{first, first + 1, first + 2, first + 3}))
        << "batch " << batch;
    seen.insert(values.begin(), values.end());
  }
  EXPECT_EQ(seen.size(), 4 * committed.size());
  EXPECT_EQ(committed.rbegin()->first + 1, static_cast<int>(committed.size()));
}

TEST_F(PythonSinkTest, AnUnknownPythonSinkNamesTheFile) {
  auto run = testing::RunRivulet(
      {"run", "--source", "rate-micro-batch", "--sink", dir + "/missing.py:Nope",
       "--checkpoint", checkpoint, "--max-batches", "1"},
      dir);
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.err, HasSubstr("missing.py"));
}

}  // namespace
}  // namespace rivulet
