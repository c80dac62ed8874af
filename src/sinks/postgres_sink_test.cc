// The postgres sink against a real server (testing/postgres_server.h).

#include "sinks/postgres_sink.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "rivulet/record_batch.h"
#include "testing/assert_status.h"
#include "testing/postgres_server.h"

namespace rivulet {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::shared_ptr<const Schema> EventSchema() {
  return std::make_shared<const Schema>(*ParseDdl(
      "id INT NOT NULL, name STRING, ok BOOLEAN, small SHORT, big LONG, score "
      "DOUBLE, f FLOAT, price DECIMAL(7,2), raw BINARY, day DATE, at TIMESTAMP, "
      "wall TIMESTAMP_NTZ, tags ARRAY<INT>, s STRUCT<a: INT, b: STRING>"));
}

RecordBatchPtr Events(int first, int count) {
  RecordBatchBuilder builder(EventSchema());
  for (int i = first; i < first + count; ++i) {
    EXPECT_OK(builder.AppendRow(std::vector<Value>{
        i, "e" + std::to_string(i) + "\t\\\n", i % 2 == 0, i, int64_t{1} << 40, i * 0.5,
        0.1, DecimalValue{i * 100 + 5, 2}, Bytes{std::string("\0x", 2)}, DateValue{19000},
        TimestampValue{1'700'000'000'123'456}, TimestampValue{1'700'000'000'000'000},
        ListValue{{i, Value()}}, ListValue{{7, "q"}}}));
  }
  return *builder.Finish();
}

class PostgresSinkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server = new testing::PostgresServer(); }
  static void TearDownTestSuite() {
    delete server;
    server = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(server->ok()) << server->error();
    // Every test starts from an empty database.
    server->Psql(
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS "
        "analytics CASCADE");
  }

  std::unique_ptr<Sink> OpenSink(const std::string& query_id = "q1",
                                 Status* status = nullptr,
                                 const std::string& table = "events",
                                 std::shared_ptr<const Schema> schema = EventSchema()) {
    Options options;
    options.Set("url", server->Url());
    options.Set("table", table);
    auto sink = MakePostgresSink(options);
    EXPECT_OK(sink);
    SinkContext context;
    context.query_id = query_id;
    context.checkpoint_dir = "/checkpoints/" + query_id;
    context.schema = std::move(schema);
    Status opened = (*sink)->Open(context);
    if (status != nullptr) {
      *status = opened;
    } else {
      EXPECT_OK(opened);
    }
    return std::move(*sink);
  }

  static testing::PostgresServer* server;
};

testing::PostgresServer* PostgresSinkTest::server = nullptr;

TEST_F(PostgresSinkTest, TheTableIsCreatedFromTheSchemaAndRowsKeepTheirValues) {
  auto sink = OpenSink();
  ASSERT_OK(sink->AddBatch(0, {Events(0, 2)}));
  EXPECT_EQ(
      server->Psql("SELECT column_name || ' ' || data_type FROM "
                   "information_schema.columns WHERE table_name = 'events' ORDER BY "
                   "ordinal_position"),
      "id integer\nname text\nok boolean\nsmall smallint\nbig bigint\nscore double "
      "precision\nf real\nprice numeric\nraw bytea\nday date\nat timestamp with time "
      "zone\nwall timestamp without time zone\ntags jsonb\ns jsonb\n");
  EXPECT_EQ(
      server->Psql("SET TIME ZONE 'UTC'; SELECT id, name = 'e' || id || E'\\t\\\\\\n', "
                   "ok, small, big, score, f, price, encode(raw, 'hex'), day, at, wall, "
                   "tags, s->>'b' FROM events ORDER BY id"),
      "0|t|t|0|1099511627776|0|0.1|0.05|0078|2022-01-08|2023-11-14 "
      "22:13:20.123456+00|2023-11-14 22:13:20|[0, null]|q\n"
      "1|t|f|1|1099511627776|0.5|0.1|1.05|0078|2022-01-08|2023-11-14 "
      "22:13:20.123456+00|2023-11-14 22:13:20|[1, null]|q\n");
}

TEST_F(PostgresSinkTest, EachBatchIdIsRecordedWithItsRowsAndAReplayIsSkipped) {
  {
    auto sink = OpenSink();
    ASSERT_OK(sink->AddBatch(0, {Events(0, 3)}));
    ASSERT_OK(sink->AddBatch(1, {Events(3, 2), Events(5, 1)}));
    ASSERT_OK(sink->Close());
  }
  EXPECT_EQ(server->Psql("SELECT * FROM _rivulet_sink_progress"),
            "events|q1|/checkpoints/q1|1\n");
  auto sink = OpenSink();
  ASSERT_OK(sink->AddBatch(1, {Events(3, 3)}));  // re-delivered after a crash
  ASSERT_OK(sink->AddBatch(2, {Events(6, 1)}));
  EXPECT_EQ(server->Psql("SELECT count(*), count(DISTINCT id), max(id) FROM events"),
            "7|7|6\n");
}

TEST_F(PostgresSinkTest, AnotherQueryIsRefusedTheTableNamingBothAndNoPassword) {
  auto first = OpenSink("q1");
  ASSERT_OK(first->AddBatch(0, {Events(0, 1)}));
  Status status;
  OpenSink("q2", &status);
  EXPECT_EQ(status.code(), StatusCode::kBusy);
  EXPECT_THAT(status.message(),
              HasSubstr("belongs to query q1 (checkpoint /checkpoints/q1)"));
  EXPECT_THAT(status.message(),
              HasSubstr("this query is q2 (checkpoint /checkpoints/q2)"));
  EXPECT_THAT(status.message(), Not(HasSubstr(testing::PostgresServer::kPassword)));
  ASSERT_OK(first->AddBatch(1, {Events(1, 1)}));
  EXPECT_EQ(server->Psql("SELECT count(*) FROM events"), "2\n");
}

TEST_F(PostgresSinkTest, ASchemaQualifiedTableKeepsItsProgressInItsSchema) {
  server->Psql("CREATE SCHEMA analytics");
  auto sink = OpenSink("q1", nullptr, "analytics.events");
  ASSERT_OK(sink->AddBatch(0, {Events(0, 2)}));
  EXPECT_EQ(server->Psql("SELECT count(*) FROM analytics.events"), "2\n");
  EXPECT_EQ(
      server->Psql("SELECT table_name, batch_id FROM analytics._rivulet_sink_progress"),
      "analytics.events|0\n");
}

TEST_F(PostgresSinkTest, ARowTheTableRefusesNamesItsRowAndLeavesTheBatchOut) {
  server->Psql("CREATE TABLE strict (id INTEGER NOT NULL, name TEXT NOT NULL)");
  auto schema = std::make_shared<const Schema>(*ParseDdl("id INT NOT NULL, name STRING"));
  RecordBatchBuilder builder(schema);
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(builder.AppendRow(std::vector<Value>{i, i == 2 ? Value() : Value("n")}));
  }
  auto sink = OpenSink("q1", nullptr, "strict", schema);
  Status status = sink->AddBatch(0, {*builder.Finish()});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("copying batch 0 into 'strict', row 2 of the batch"));
  EXPECT_THAT(status.message(), HasSubstr("null value in column \"name\""));
  EXPECT_EQ(server->Psql("SELECT count(*) FROM strict"), "0\n");
  EXPECT_EQ(server->Psql("SELECT batch_id FROM _rivulet_sink_progress WHERE table_name = "
                         "'strict'"),
            "-1\n");
}

TEST_F(PostgresSinkTest, AnExistingTableWithoutAColumnOfTheQueryIsRefusedNamingIt) {
  server->Psql("CREATE TABLE narrow (id INTEGER)");
  Status status;
  OpenSink("q1", &status, "narrow");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("table 'narrow' does not take the query's columns"));
  EXPECT_THAT(status.message(), HasSubstr("column \"name\" does not exist"));
}

TEST_F(PostgresSinkTest, NanAndInfinitiesArePostgresNumbers) {
  auto schema = std::make_shared<const Schema>(*ParseDdl("d DOUBLE"));
  RecordBatchBuilder builder(schema);
  for (double d : {std::nan(""), HUGE_VAL, -HUGE_VAL, 1e20}) {
    ASSERT_OK(builder.AppendRow(std::vector<Value>{d}));
  }
  auto sink = OpenSink("q1", nullptr, "doubles", schema);
  ASSERT_OK(sink->AddBatch(0, {*builder.Finish()}));
  EXPECT_EQ(server->Psql("SELECT d FROM doubles ORDER BY d"),
            "-Infinity\n1e+20\nInfinity\nNaN\n");
}

TEST_F(PostgresSinkTest, AWrongPasswordIsReportedWithoutIt) {
  Options options;
  options.Set("url", server->Url("not-the-password"));
  options.Set("table", "events");
  auto sink = MakePostgresSink(options);
  ASSERT_OK(sink);
  EXPECT_EQ((*sink)->description(),
            "PostgresSink[host=127.0.0.1 port=" + std::to_string(server->port()) +
                " dbname=postgres user=rivulet, events]");
  SinkContext context;
  context.query_id = "q";
  context.checkpoint_dir = "/c";
  context.schema = EventSchema();
  Status status = (*sink)->Open(context);
  EXPECT_EQ(status.code(), StatusCode::kIOError);
  EXPECT_THAT(status.message(), HasSubstr("password authentication failed"));
  EXPECT_THAT(status.message(), Not(HasSubstr("not-the-password")));
}

TEST(PostgresSinkOptionsTest, UrlAndTableAreRequiredAndABadUrlIsNotRepeated) {
  Options options;
  EXPECT_THAT(MakePostgresSink(options).status().message(), HasSubstr("option 'url'"));
  options.Set("url", "host=x");
  EXPECT_THAT(MakePostgresSink(options).status().message(),
              HasSubstr("option 'table' is required"));
  options.Set("table", "t");
  options.Set("url", "host=x password secret");
  auto bad = MakePostgresSink(options);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), Not(HasSubstr("secret")));
}

}  // namespace
}  // namespace rivulet
