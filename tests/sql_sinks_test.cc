// The sqlite and postgres sinks as a user runs them: `rivulet run` into a table, stopped
// and started again on its checkpoint, every row once, and no password anywhere.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "testing/postgres_server.h"
#include "testing/process.h"

namespace rivulet {
namespace {

using testing::RunRivulet;

struct SqlSinksTest : ::testing::Test {
  std::string dir = testing::MakeTempDir("sql-sinks");
  std::string checkpoint = dir + "/checkpoint";
  ~SqlSinksTest() override { std::filesystem::remove_all(dir); }

  testing::RunResult RunInto(const std::string& sink,
                             const std::vector<std::string>& sink_options, int batches) {
    std::vector<std::string> args = {"run",
                                     "--source",
                                     "rate-micro-batch",
                                     "-o",
                                     "rowsPerBatch=4",
                                     "--sink",
                                     sink,
                                     "--checkpoint",
                                     checkpoint,
                                     "--max-batches",
                                     std::to_string(batches),
                                     "--progress"};
    for (const std::string& option : sink_options) {
      args.insert(args.end(), {"--sink-option", option});
    }
    return RunRivulet(args, dir);
  }
};

TEST_F(SqlSinksTest, RunIntoSqliteAndGoOnAfterARestart) {
  const std::string db = dir + "/out.db";
  for (int batches : {3, 2}) {
    auto run = RunInto("sqlite", {"path=" + db, "table=ticks"}, batches);
    ASSERT_EQ(run.code, 0) << run.err;
  }
  std::string out = dir + "/sqlite.out";
  ASSERT_EQ(std::system(("python3 -c \"import sqlite3; c = sqlite3.connect('" + db +
                         "'); print(c.execute('SELECT count(*), count(DISTINCT value), "
                         "min(value), max(value) FROM ticks').fetchone())\" > " +
                         out)
                            .c_str()),
            0);
  EXPECT_EQ(testing::Slurp(out), "(20, 20, 0, 19)\n");
}

TEST_F(SqlSinksTest, RunIntoPostgresAndGoOnAfterARestartWithoutPrintingThePassword) {
  testing::PostgresServer server;
  ASSERT_TRUE(server.ok()) << server.error();
  std::string printed;
  for (int batches : {3, 2}) {
    auto run = RunInto("postgres", {"url=" + server.Url(), "table=ticks"}, batches);
    ASSERT_EQ(run.code, 0) << run.err;
    printed += run.out + run.err;
  }
  EXPECT_EQ(server.Psql("SELECT count(*), count(DISTINCT value), min(value), max(value) "
                        "FROM ticks"),
            "20|20|0|19\n");
  EXPECT_THAT(printed, ::testing::HasSubstr("PostgresSink[host=127.0.0.1 port="));
  EXPECT_THAT(printed,
              ::testing::Not(::testing::HasSubstr(testing::PostgresServer::kPassword)));
  for (const auto& e : std::filesystem::recursive_directory_iterator(checkpoint)) {
    if (!e.is_regular_file()) continue;
    EXPECT_THAT(testing::Slurp(e.path().string()),
                ::testing::Not(::testing::HasSubstr(testing::PostgresServer::kPassword)))
        << e.path();
  }
  // A wrong password fails the run, and the message leaves it out.
  auto refused =
      RunInto("postgres", {"url=" + server.Url("wrong-Pa55"), "table=ticks"}, 1);
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, ::testing::HasSubstr("password authentication failed"));
  EXPECT_THAT(refused.err + refused.out,
              ::testing::Not(::testing::HasSubstr("wrong-Pa55")));
}

}  // namespace
}  // namespace rivulet
