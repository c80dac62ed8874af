#include "sinks/sqlite_sink.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <filesystem>

#include "rivulet/record_batch.h"
#include "testing/assert_status.h"

namespace rivulet {
namespace {

using ::testing::HasSubstr;

std::shared_ptr<const Schema> EventSchema() {
  return std::make_shared<const Schema>(
      *ParseDdl("id INT NOT NULL, name STRING, ok BOOLEAN, score DOUBLE, price "
                "DECIMAL(7,2), raw BINARY, day DATE, at TIMESTAMP, tags ARRAY<INT>, s "
                "STRUCT<a: INT, b: STRING>"));
}

RecordBatchPtr Events(int first, int count) {
  RecordBatchBuilder builder(EventSchema());
  for (int i = first; i < first + count; ++i) {
    EXPECT_OK(builder.AppendRow(
        std::vector<Value>{i, "e" + std::to_string(i), i % 2 == 0, i * 0.5,
                           DecimalValue{i * 100 + 5, 2}, Bytes{std::string("\0x", 2)},
                           DateValue{19000}, TimestampValue{1'700'000'000'123'456},
                           ListValue{{i, Value()}}, ListValue{{7, "q"}}}));
  }
  return *builder.Finish();
}

// Reads the database back with SQLite itself: each row's cells as text, "NULL" for null,
// "|" between cells.
std::vector<std::string> Query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  std::vector<std::string> rows;
  while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      if (c > 0) row += "|";
      const unsigned char* text = sqlite3_column_text(stmt, c);
      row += text != nullptr ? reinterpret_cast<const char*>(text) : "NULL";
    }
    rows.push_back(row);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

void Exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
}

class SqliteSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = ::testing::TempDir() + "sqlite_sink_" +
          ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    db = dir + "/out.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  // Opens a sink on table `table` of the test's database for query `query_id`.
  std::unique_ptr<Sink> OpenSink(const std::string& query_id = "q1",
                                 Status* status = nullptr,
                                 const std::string& table = "events") {
    Options options;
    options.Set("path", db);
    options.Set("table", table);
    auto sink = MakeSqliteSink(options);
    EXPECT_OK(sink);
    SinkContext context;
    context.query_id = query_id;
    context.checkpoint_dir = "/checkpoints/" + query_id;
    context.schema = EventSchema();
    Status opened = (*sink)->Open(context);
    if (status != nullptr) {
      *status = opened;
    } else {
      EXPECT_OK(opened);
    }
    return std::move(*sink);
  }

  std::string dir;
  std::string db;
};

TEST_F(SqliteSinkTest, TheTableIsCreatedFromTheSchemaAndRowsKeepTheirValues) {
  auto sink = OpenSink();
  ASSERT_OK(sink->AddBatch(0, {Events(0, 2)}));
  EXPECT_THAT(
      Query(db, "SELECT sql FROM sqlite_master WHERE name = 'events'"),
      ::testing::ElementsAre(
          "CREATE TABLE \"events\" (\"id\" INTEGER NOT NULL, \"name\" TEXT, \"ok\" "
          "INTEGER, \"score\" REAL, \"price\" TEXT, \"raw\" BLOB, \"day\" TEXT, "
          "\"at\" TEXT, \"tags\" TEXT, \"s\" TEXT)"));
  EXPECT_THAT(
      Query(db,
            "SELECT id, name, ok, score, price, hex(raw), day, at, tags, s, typeof(id), "
            "typeof(score), typeof(raw) FROM events ORDER BY id"),
      ::testing::ElementsAre(
          "0|e0|1|0.0|0.05|0078|2022-01-08|2023-11-14 "
          "22:13:20.123456|[0,null]|{\"a\":7,\"b\":\"q\"}|integer|real|blob",
          "1|e1|0|0.5|1.05|0078|2022-01-08|2023-11-14 "
          "22:13:20.123456|[1,null]|{\"a\":7,\"b\":\"q\"}|integer|real|blob"));
}

TEST_F(SqliteSinkTest, EachBatchIdIsRecordedWithItsRowsAndAReplayIsSkipped) {
  {
    auto sink = OpenSink();
    ASSERT_OK(sink->AddBatch(0, {Events(0, 3)}));
    ASSERT_OK(sink->AddBatch(1, {Events(3, 2), Events(5, 1)}));
    ASSERT_OK(sink->Close());
  }
  EXPECT_THAT(Query(db, "SELECT * FROM _rivulet_sink_progress"),
              ::testing::ElementsAre("events|q1|/checkpoints/q1|1"));
  // The engine re-delivers the last batch after a crash, then goes on.
  auto sink = OpenSink();
  ASSERT_OK(sink->AddBatch(1, {Events(3, 3)}));
  ASSERT_OK(sink->AddBatch(2, {Events(6, 1)}));
  EXPECT_THAT(Query(db, "SELECT count(*), count(DISTINCT id), max(id) FROM events"),
              ::testing::ElementsAre("7|7|6"));
  EXPECT_THAT(Query(db, "SELECT batch_id FROM _rivulet_sink_progress"),
              ::testing::ElementsAre("2"));
}

TEST_F(SqliteSinkTest, AnotherQueryIsRefusedTheTableNamingBoth) {
  auto first = OpenSink("q1");
  ASSERT_OK(first->AddBatch(0, {Events(0, 1)}));
  Status status;
  OpenSink("q2", &status);
  EXPECT_EQ(status.code(), StatusCode::kBusy);
  EXPECT_THAT(status.message(), HasSubstr("table 'events'"));
  EXPECT_THAT(status.message(),
              HasSubstr("belongs to query q1 (checkpoint /checkpoints/q1)"));
  EXPECT_THAT(status.message(),
              HasSubstr("this query is q2 (checkpoint /checkpoints/q2)"));
  // Another table of the same database is free, and the first query goes on.
  OpenSink("q2", nullptr, "other");
  ASSERT_OK(first->AddBatch(1, {Events(1, 1)}));
  EXPECT_THAT(Query(db, "SELECT count(*) FROM events"), ::testing::ElementsAre("2"));
}

TEST_F(SqliteSinkTest, ARowTheTableRefusesNamesItsRowAndLeavesTheBatchOut) {
  Exec(db,
       "CREATE TABLE events (id INTEGER NOT NULL, name TEXT NOT NULL, ok, score, "
       "price, raw, day, at, tags, s)");
  RecordBatchBuilder builder(EventSchema());
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(builder.AppendRow(std::vector<Value>{i, i == 2 ? Value() : Value("n"),
                                                   Value(), Value(), Value(), Value(),
                                                   Value(), Value(), Value(), Value()}));
  }
  auto sink = OpenSink();
  Status status = sink->AddBatch(0, {*builder.Finish()});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("inserting row 2 of batch 0 into 'events'"));
  EXPECT_THAT(status.message(), HasSubstr("NOT NULL constraint failed: events.name"));
  EXPECT_THAT(Query(db, "SELECT count(*) FROM events"), ::testing::ElementsAre("0"));
  EXPECT_THAT(Query(db, "SELECT batch_id FROM _rivulet_sink_progress"),
              ::testing::ElementsAre("-1"));
}

TEST_F(SqliteSinkTest, AnExistingTableWithoutAColumnOfTheQueryIsRefusedNamingIt) {
  Exec(db, "CREATE TABLE events (id INTEGER)");
  Status status;
  OpenSink("q1", &status);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("table 'events' does not take the query's columns"));
  EXPECT_THAT(status.message(), HasSubstr("table events has no column named name"));
}

TEST_F(SqliteSinkTest, NanIsStoredAsNullAndInfinitiesAsThemselves) {
  auto schema = std::make_shared<const Schema>(*ParseDdl("d DOUBLE"));
  RecordBatchBuilder builder(schema);
  for (double d : {std::nan(""), HUGE_VAL, -HUGE_VAL}) {
    ASSERT_OK(builder.AppendRow(std::vector<Value>{d}));
  }
  Options options;
  options.Set("path", db);
  options.Set("table", "d");
  auto sink = *MakeSqliteSink(options);
  SinkContext context;
  context.query_id = "q";
  context.checkpoint_dir = "/c";
  context.schema = schema;
  ASSERT_OK(sink->Open(context));
  ASSERT_OK(sink->AddBatch(0, {*builder.Finish()}));
  EXPECT_THAT(Query(db, "SELECT quote(d) FROM d ORDER BY rowid"),
              ::testing::ElementsAre("NULL", "Inf", "-Inf"));
}

TEST(SqliteSinkOptionsTest, PathAndTableAreRequired) {
  Options options;
  auto no_path = MakeSqliteSink(options);
  EXPECT_THAT(no_path.status().message(), HasSubstr("option 'path'"));
  options.Set("path", "x.db");
  auto no_table = MakeSqliteSink(options);
  EXPECT_THAT(no_table.status().message(), HasSubstr("option 'table' is required"));
}

}  // namespace
}  // namespace rivulet
