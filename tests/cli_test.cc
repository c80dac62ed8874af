// The rivulet command, end to end: real processes, real checkpoints, real files.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/json_output.h"
#include "testing/process.h"

namespace rivulet {
namespace {

using namespace std::chrono_literals;
using testing::CommittedJsonRows;
using testing::CommittedValues;
using testing::Process;
using testing::RunRivulet;

struct CliTest : ::testing::Test {
  std::string dir = testing::MakeTempDir("cli");
  std::string checkpoint = dir + "/checkpoint";
  std::string out = dir + "/out";
  ~CliTest() override { std::filesystem::remove_all(dir); }

  std::vector<std::string> RateToJson(int rows_per_batch) {
    return {"run",
            "--source",
            "rate-micro-batch",
            "-o",
            "rowsPerBatch=" + std::to_string(rows_per_batch),
            "--sink",
            "json",
            "--sink-option",
            "path=" + out,
            "--checkpoint",
            checkpoint};
  }
};

// These commands answer within 20 s.
bool WaitFor(const std::function<bool()>& done) { return testing::WaitFor(done, 20s); }

std::vector<int64_t> Range(int64_t n) {
  std::vector<int64_t> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

TEST_F(CliTest, AStoppedQueryRestartedOnItsCheckpointGoesOnWhereItStopped) {
  auto args = RateToJson(5);
  args.insert(args.end(), {"--max-batches", "3"});
  auto first = RunRivulet(args, dir);
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_EQ(CommittedValues(out), Range(15));
  auto second = RunRivulet(args, dir);
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_EQ(CommittedValues(out), Range(30));
  auto show = RunRivulet({"checkpoint", "show", checkpoint}, dir);
  EXPECT_NE(show.out.find("6 logged, 6 committed"), std::string::npos) << show.out;
}

TEST_F(CliTest, SigtermStopsTheQueryBetweenBatchesAndExitsCleanly) {
  auto args = RateToJson(3);
  args.insert(args.begin(), testing::RivuletBinary());
  Process query(args, dir);
  ASSERT_TRUE(WaitFor([&] { return CommittedValues(out).size() >= 9; }));
  query.Signal(SIGTERM);
  EXPECT_EQ(query.WaitFor(20s), 0) << query.Stderr();
  auto show = RunRivulet({"checkpoint", "show", checkpoint}, dir);
  // Stopped between batches: the last logged batch is committed too.
  auto values = CommittedValues(out);
  EXPECT_EQ(values, Range(values.size()));
  EXPECT_EQ(show.out.find(" no "), std::string::npos) << show.out;
}

TEST_F(CliTest, ASecondQueryOnTheSameCheckpointIsRefused) {
  Process first({testing::RivuletBinary(), "run", "--source", "rate", "--sink", "noop",
                 "--checkpoint", checkpoint, "--trigger", "processing-time=1s"},
                dir);
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(checkpoint + "/metadata"); }));
  auto second = RunRivulet(
      {"run", "--source", "rate", "--sink", "noop", "--checkpoint", checkpoint}, dir);
  EXPECT_EQ(second.code, 1);
  EXPECT_EQ(second.err, "rivulet: error: checkpoint " + checkpoint +
                            " is in use by another query (pid " +
                            std::to_string(first.pid()) + ")\n");
}

TEST_F(CliTest, TheFilesSourcePicksUpFilesAddedWhileItRuns) {
  std::string inbox = dir + "/inbox";
  std::filesystem::create_directories(inbox);
  auto drop = [&](const std::string& name, const std::string& text) {
    std::ofstream(inbox + "/." + name) << text;
    std::filesystem::rename(inbox + "/." + name, inbox + "/" + name);
  };
  drop("a.txt", "a1\na2\n");
  Process query({testing::RivuletBinary(), "run", "--source", "files", "-o",
                 "path=" + inbox, "--sink", "json", "--sink-option", "path=" + out,
                 "--checkpoint", checkpoint, "--trigger", "processing-time=20ms"},
                dir);
  ASSERT_TRUE(WaitFor([&] { return CommittedJsonRows(out).size() == 2; }))
      << query.Stderr();
  drop("b.txt", "b1\n");
  drop("c.txt", "c1\nc2\n");
  ASSERT_TRUE(WaitFor([&] { return CommittedJsonRows(out).size() == 5; }))
      << query.Stderr();
  query.Signal(SIGINT);
  EXPECT_EQ(query.WaitFor(20s), 0);
  std::vector<std::string> lines;
  for (const auto& row : CommittedJsonRows(out)) {
    lines.push_back(row["file"].get<std::string>() + ":" +
                    row["value"].get<std::string>());
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"a.txt:a1", "a.txt:a2", "b.txt:b1",
                                             "c.txt:c1", "c.txt:c2"}));
}

TEST_F(CliTest, AFileThatIsNotUtf8FailsTheQueryNamingTheFileAndLine) {
  std::string inbox = dir + "/inbox";
  std::filesystem::create_directories(inbox);
  std::ofstream(inbox + "/latin1.txt") << "fine\ncaf\xe9\n";
  auto result = RunRivulet({"run", "--source", "files", "-o", "path=" + inbox, "--sink",
                            "noop", "--checkpoint", checkpoint, "--trigger", "once"},
                           dir);
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.err, "rivulet: error: files source: " + inbox +
                            "/latin1.txt line 2 cannot be read: column 'value' (row 1): "
                            "string is not valid UTF-8; the source reads UTF-8 text: "
                            "convert the file, or move it out of " +
                            inbox + ", and start the query again\n");
}

TEST_F(CliTest, TheConsoleSinkPrintsSparksLayout) {
  auto result = RunRivulet({"run", "--source", "rate-micro-batch", "-o", "rowsPerBatch=3",
                            "--checkpoint", checkpoint, "--trigger", "once"},
                           dir);
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out,
            "-------------------------------------------\n"
            "Batch: 0\n"
            "-------------------------------------------\n"
            "+-------------------+-----+\n"
            "|          timestamp|value|\n"
            "+-------------------+-----+\n"
            "|1970-01-01 00:00:00|    0|\n"
            "|1970-01-01 00:00:00|    1|\n"
            "|1970-01-01 00:00:00|    2|\n"
            "+-------------------+-----+\n"
            "\n");
}

TEST_F(CliTest, ASecondQueryIsRefusedTheSinkDirectoryOfTheFirstNamingBoth) {
  auto run = [&](const std::string& checkpoint_dir) {
    return RunRivulet({"run", "--source", "rate-micro-batch", "-o", "rowsPerBatch=2",
                       "--sink", "json", "--sink-option", "path=" + out, "--checkpoint",
                       checkpoint_dir, "--max-batches", "3"},
                      dir);
  };
  auto first = run(checkpoint);
  ASSERT_EQ(first.code, 0) << first.err;
  const std::vector<int64_t> delivered = testing::CommittedValues(out);
  ASSERT_EQ(delivered.size(), 6u);
  auto second = run(dir + "/other-checkpoint");
  EXPECT_EQ(second.code, 1);
  EXPECT_THAT(second.err,
              ::testing::AllOf(::testing::HasSubstr("belongs to query "),
                               ::testing::HasSubstr("(checkpoint " + checkpoint + ")"),
                               ::testing::HasSubstr("this is query ")));
  EXPECT_EQ(testing::CommittedValues(out), delivered);
  // The first query goes on writing it.
  auto again = RunRivulet(
      {"run", "--source", "rate-micro-batch", "-o", "rowsPerBatch=2", "--sink", "json",
       "--sink-option", "path=" + out, "--checkpoint", checkpoint, "--max-batches", "1"},
      dir);
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(testing::CommittedValues(out).size(), 8u);
}

TEST_F(CliTest, TheArrowSinkWritesArrowFilesThatCatPrints) {
  auto result = RunRivulet(
      {"run", "--source", "rate-micro-batch", "-o", "rowsPerBatch=2", "--sink", "arrow",
       "--sink-option", "path=" + out, "--checkpoint", checkpoint, "--max-batches", "2"},
      dir);
  ASSERT_EQ(result.code, 0) << result.err;
  auto files = FileSinkLog::ReadCommittedFiles(out);
  ASSERT_TRUE(files.ok() && files->size() == 2) << files.status().ToString();
  auto cat = RunRivulet({"cat", out + "/" + (*files)[1]}, dir);
  ASSERT_EQ(cat.code, 0) << cat.err;
  EXPECT_EQ(cat.out,
            "+-------------------+-----+\n"
            "|timestamp          |value|\n"
            "+-------------------+-----+\n"
            "|1970-01-01 00:00:01|2    |\n"
            "|1970-01-01 00:00:01|3    |\n"
            "+-------------------+-----+\n");
  auto bad = RunRivulet({"cat", checkpoint + "/metadata"}, dir);
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.err.rfind("rivulet: error: " + checkpoint + "/metadata: ", 0), 0u)
      << bad.err;
}

TEST_F(CliTest, CheckpointShowListsEveryBatchWithItsOffsetAndCommit) {
  auto args = RateToJson(2);
  args.insert(args.end(), {"--max-batches", "2"});
  ASSERT_EQ(RunRivulet(args, dir).code, 0);
  auto show = RunRivulet({"checkpoint", "show", checkpoint}, dir);
  ASSERT_EQ(show.code, 0) << show.err;
  EXPECT_NE(show.out.find("0       yes        1\n1       yes        2\n"),
            std::string::npos)
      << show.out;
}

TEST_F(CliTest, CheckpointShowListsADamagedOldBatchAndGoesOn) {
  auto args = RateToJson(2);
  args.insert(args.end(), {"--max-batches", "3"});
  ASSERT_EQ(RunRivulet(args, dir).code, 0);
  std::ofstream(checkpoint + "/offsets/0", std::ios::trunc) << "garbage";
  auto show = RunRivulet({"checkpoint", "show", checkpoint}, dir);
  ASSERT_EQ(show.code, 0) << show.err;
  EXPECT_NE(show.out.find("0       yes        damaged: "), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("1       yes        2\n2       yes        3\n"),
            std::string::npos)
      << show.out;
  EXPECT_NE(show.out.find("1 offsets file(s) cannot be read"), std::string::npos)
      << show.out;
}

TEST_F(CliTest, ACorruptOffsetsFileIsReportedWithItsPathAndLeftAsItWas) {
  auto args = RateToJson(2);
  args.insert(args.end(), {"--max-batches", "2"});
  ASSERT_EQ(RunRivulet(args, dir).code, 0);
  const std::string path = checkpoint + "/offsets/1";
  std::ofstream(path, std::ios::trunc) << "v1\n";  // truncated: the offset lines are gone
  auto result = RunRivulet(args, dir);
  EXPECT_EQ(result.code, 1);
  EXPECT_NE(result.err.find(path), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "one line: " << result.err;
  EXPECT_EQ(testing::Slurp(path), "v1\n");
}

TEST_F(CliTest, AnOffsetOfTheWrongTypeIsRefusedNamingTheSourceAndWhatItExpects) {
  auto args = RateToJson(2);
  args.insert(args.end(), {"--max-batches", "2"});
  ASSERT_EQ(RunRivulet(args, dir).code, 0);
  // Batch 1 left uncommitted, its logged offset edited to a string.
  std::filesystem::remove(checkpoint + "/commits/1");
  std::string text = testing::Slurp(checkpoint + "/offsets/1");
  text = text.substr(0, text.rfind('\n') + 1) + "\"two\"";
  std::ofstream(checkpoint + "/offsets/1", std::ios::trunc) << text;
  auto result = RunRivulet(args, dir);
  EXPECT_EQ(result.code, 1);
  EXPECT_NE(result.err.find("rate-micro-batch source: bad offset \"two\": expected an "
                            "integer"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "one line: " << result.err;
  EXPECT_EQ(testing::Slurp(checkpoint + "/offsets/1"), text);
}

TEST_F(CliTest, MistakesGetAOneLineErrorAndAFailingExitStatus) {
  auto unknown = RunRivulet({"run", "--source", "nope", "--checkpoint", checkpoint}, dir);
  EXPECT_EQ(unknown.code, 1);
  EXPECT_EQ(unknown.err.rfind("rivulet: error: no source named 'nope' (known: ", 0), 0u)
      << unknown.err;
  auto bad_option = RunRivulet(
      {"run", "--source", "rate", "-o", "rowsPerSecond=ten", "--checkpoint", checkpoint},
      dir);
  EXPECT_EQ(bad_option.err,
            "rivulet: error: option 'rowsPerSecond': expected an integer, got 'ten'\n");
  auto bad_trigger = RunRivulet(
      {"run", "--source", "rate", "--trigger", "sometimes", "--checkpoint", checkpoint},
      dir);
  EXPECT_EQ(bad_trigger.err,
            "rivulet: error: unknown trigger 'sometimes': expected default, once, "
            "available-now or processing-time=<interval>\n");
  auto no_pair = RunRivulet(
      {"run", "--source", "rate", "-o", "rowsPerSecond", "--checkpoint", checkpoint},
      dir);
  EXPECT_EQ(no_pair.err,
            "rivulet: error: --option expects key=value, got 'rowsPerSecond'\n");
  auto no_checkpoint = RunRivulet({"run", "--source", "rate"}, dir);
  EXPECT_EQ(no_checkpoint.code, 1);
  EXPECT_EQ(no_checkpoint.err, "rivulet: error: --checkpoint is required\n");
  auto no_command = RunRivulet({}, dir);
  EXPECT_EQ(no_command.code, 1);
  EXPECT_EQ(no_command.err, "rivulet: error: A subcommand is required\n");
}

TEST_F(CliTest, HelpNamesTheSubcommandsAndTheBuiltInSourcesAndSinks) {
  auto help = RunRivulet({"run", "--help"}, dir);
  EXPECT_EQ(help.code, 0);
  for (const char* word : {"rate-micro-batch", "files", "console", "json", "noop",
                           "processing-time", "--checkpoint"}) {
    EXPECT_NE(help.out.find(word), std::string::npos) << word;
  }
}

}  // namespace
}  // namespace rivulet
