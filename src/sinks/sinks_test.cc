#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/file_util.h"
#include "ipc/reader.h"
#include "rivulet/record_batch.h"
#include "sinks/console_sink.h"
#include "sinks/file_sink_log.h"
#include "sinks/file_sinks.h"
#include "sinks/json_rows.h"
#include "testing/assert_status.h"

namespace rivulet {
namespace {

std::shared_ptr<const Schema> PeopleSchema() {
  return std::make_shared<const Schema>(
      *ParseDdl("id INT, name STRING, tags ARRAY<STRING>, born DATE, seen TIMESTAMP, "
                "score DECIMAL(5,2), raw BINARY, attrs MAP<STRING, INT>, s STRUCT<a: "
                "INT, b: STRING>"));
}

RecordBatchPtr People() {
  RecordBatchBuilder builder(PeopleSchema());
  EXPECT_OK(builder.AppendRow(
      std::vector<Value>{1, "ann", ListValue{{"x", Value()}}, DateValue{19000},
                         TimestampValue{1'700'000'000'123'456}, DecimalValue{-1234, 2},
                         Bytes{"hi!"}, MapValue{{{"k", 7}}}, ListValue{{5, "q"}}}));
  EXPECT_OK(builder.AppendRow(std::vector<Value>{2, Value(), Value(), Value(), Value(),
                                                 Value(), Value(), Value(), Value()}));
  return *builder.Finish();
}

TEST(JsonRowsTest, RowsAreWrittenAsSparksJsonSourceWritesThem) {
  std::string out;
  AppendJsonLines(*People(), &out);
  EXPECT_EQ(
      out,
      R"({"id":1,"name":"ann","tags":["x",null],"born":"2022-01-08",)"
      R"("seen":"2023-11-14T22:13:20.123Z","score":-12.34,"raw":"aGkh","attrs":{"k":7},)"
      R"("s":{"a":5,"b":"q"}})"
      "\n"
      R"({"id":2})"
      "\n");
}

TEST(JsonRowsTest, NanAndInfinitiesAreWrittenAsSparksStrings) {
  auto schema = std::make_shared<const Schema>(*ParseDdl("d DOUBLE NOT NULL"));
  RecordBatchBuilder builder(schema);
  for (double d : {std::nan(""), HUGE_VAL, -HUGE_VAL, 1.5}) {
    ASSERT_OK(builder.AppendRow(std::vector<Value>{d}));
  }
  std::string out;
  AppendJsonLines(**builder.Finish(), &out);
  EXPECT_EQ(
      out, "{\"d\":\"NaN\"}\n{\"d\":\"Infinity\"}\n{\"d\":\"-Infinity\"}\n{\"d\":1.5}\n");
}

// Opens a sink as a query would, for batches of `schema`.
Status OpenFor(Sink& sink, std::shared_ptr<const Schema> schema) {
  SinkContext context;
  context.query_id = "query";
  context.schema = std::move(schema);
  return sink.Open(context);
}

TEST(ConsoleSinkTest, PrintsABannerAndAShowStyleTable) {
  std::ostringstream out;
  Options options;
  auto sink = MakeConsoleSink(options, &out);
  ASSERT_OK(sink);
  auto schema =
      std::make_shared<const Schema>(*ParseDdl("id INT, s STRUCT<a: INT, b: STRING>"));
  RecordBatchBuilder builder(schema);
  ASSERT_OK(builder.AppendRow(std::vector<Value>{7, ListValue{{1, "x"}}}));
  ASSERT_OK(OpenFor(**sink, schema));
  ASSERT_OK((*sink)->AddBatch(3, {*builder.Finish()}));
  EXPECT_EQ(out.str(),
            "-------------------------------------------\n"
            "Batch: 3\n"
            "-------------------------------------------\n"
            "+---+------+\n"
            "| id|     s|\n"
            "+---+------+\n"
            "|  7|{1, x}|\n"
            "+---+------+\n"
            "\n");
}

TEST(ConsoleSinkTest, TruncatesLongCellsAndShowsOnlyNumRows) {
  auto schema = std::make_shared<const Schema>(*ParseDdl("text STRING"));
  RecordBatchBuilder builder(schema);
  ASSERT_OK(builder.AppendRow(std::vector<Value>{"abcdefghijklmnopqrstuvwxyz"}));
  ASSERT_OK(builder.AppendRow(std::vector<Value>{"short"}));
  auto batch = *builder.Finish();
  EXPECT_EQ(FormatTable(*schema, {batch}, 1, 20),
            "+--------------------+\n"
            "|                text|\n"
            "+--------------------+\n"
            "|abcdefghijklmnopq...|\n"
            "+--------------------+\n"
            "only showing top 1 row\n");
  // Without truncation cells are left-aligned, as in Spark.
  EXPECT_EQ(FormatTable(*schema, {batch}, 20, 0),
            "+--------------------------+\n"
            "|text                      |\n"
            "+--------------------------+\n"
            "|abcdefghijklmnopqrstuvwxyz|\n"
            "|short                     |\n"
            "+--------------------------+\n");
}

TEST(ConsoleSinkTest, ABadOptionIsAnErrorNamingIt) {
  Options options;
  options.Set("numRows", "many");
  auto sink = MakeConsoleSink(options);
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().message(), "option 'numRows': expected an integer, got 'many'");
}

struct JsonSinkTest : ::testing::Test {
  std::string dir = [] {
    std::string t =
        (std::filesystem::temp_directory_path() / "rivulet-json-XXXXXX").string();
    return std::string(mkdtemp(t.data()));
  }();
  ~JsonSinkTest() override { std::filesystem::remove_all(dir); }
};

TEST_F(JsonSinkTest, EachBatchIsOneFileListedInTheMetadataLog) {
  Options options;
  options.Set("path", dir);
  auto sink = MakeJsonSink(options);
  ASSERT_OK(sink);
  ASSERT_OK(OpenFor(**sink, PeopleSchema()));
  ASSERT_OK((*sink)->AddBatch(0, {People()}));
  ASSERT_OK((*sink)->AddBatch(1, {}));  // empty: logged, no file
  auto log = FileSinkLog::Open(dir);
  ASSERT_OK(log);
  EXPECT_EQ(*log->CommittedFiles(), std::vector<std::string>{"part-00000.json"});
  EXPECT_TRUE(*log->HasBatch(1));
  std::string entry;
  std::getline(std::ifstream(dir + "/_spark_metadata/0") >> std::ws, entry);
  EXPECT_EQ(entry, "v1");
}

TEST_F(JsonSinkTest, AMetadataEntryOfTheWrongShapeIsReportedAsCorrupt) {
  std::filesystem::create_directories(dir + "/_spark_metadata");
  for (const char* entry : {R"({"path":7})", R"(["path"])", R"("path")"}) {
    std::ofstream(dir + "/_spark_metadata/0", std::ios::trunc) << "v1\n" << entry;
    auto log = FileSinkLog::Open(dir);
    ASSERT_OK(log);
    EXPECT_EQ(log->CommittedFiles().status().ToString(),
              "Corruption: " + dir + "/_spark_metadata/0 is corrupt: bad file entry")
        << entry;
  }
}

TEST_F(JsonSinkTest, AReplayedBatchIsNotWrittenTwice) {
  Options options;
  options.Set("path", dir);
  auto sink = MakeJsonSink(options);
  ASSERT_OK(OpenFor(**sink, PeopleSchema()));
  ASSERT_OK((*sink)->AddBatch(0, {People()}));
  auto before = std::filesystem::last_write_time(dir + "/part-00000.json");
  // The replay of batch 0 after a crash carries other rows only to show it is ignored.
  ASSERT_OK((*sink)->AddBatch(0, {People()->Slice(0, 1)}));
  EXPECT_EQ(std::filesystem::last_write_time(dir + "/part-00000.json"), before);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir + "/_spark_metadata"),
                          std::filesystem::directory_iterator()),
            1);
}

TEST_F(JsonSinkTest, TheArrowSinkWritesOneArrowFilePerBatchThatReadsBackToTheSameRows) {
  for (const char* compression : {"none", "lz4", "zstd"}) {
    const std::string out = dir + "/" + compression;
    Options options;
    options.Set("path", out);
    options.Set("compression", compression);
    auto sink = MakeArrowSink(options);
    ASSERT_OK(sink);
    ASSERT_OK(OpenFor(**sink, PeopleSchema()));
    ASSERT_OK((*sink)->AddBatch(0, {People()}));
    ASSERT_OK((*sink)->AddBatch(0, {People()->Slice(1, 1)}));  // replay
    auto bytes = ReadFile(out + "/part-00000.arrow");
    ASSERT_OK(bytes);
    auto read = ipc::ReadFile(std::make_shared<const std::string>(*bytes));
    ASSERT_OK(read);
    ASSERT_EQ(read->batches.size(), 1u);
    EXPECT_TRUE(read->schema->Equals(*PeopleSchema()));
    EXPECT_EQ(read->batches[0]->ToRows(), People()->ToRows()) << compression;
  }
}

TEST(ArrowSinkOptionsTest, AnUnknownCompressionIsAnError) {
  Options options;
  options.Set("path", "/tmp/unused");
  options.Set("compression", "gzip");
  auto sink = MakeArrowSink(options);
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().message(),
            "arrow sink: option 'compression' must be none, lz4 or zstd, got 'gzip'");
}

TEST(JsonSinkOptionsTest, APathIsRequired) {
  auto sink = MakeJsonSink(Options());
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().message(), "json sink: option 'path' is required");
}

}  // namespace
}  // namespace rivulet
