#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/file_util.h"
#include "ipc/reader.h"
#include "rivulet/record_batch.h"
#include "sinks/console_sink.h"
#include "sinks/file_codec.h"
#include "sinks/file_sink_log.h"
#include "sinks/file_sinks.h"
#include "sinks/json_rows.h"
#include "sinks/sink_directory.h"
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

TEST(JsonRowsTest, DoublesAreWrittenAsSparkWritesThemNanAndInfinitiesAsStrings) {
  auto schema = std::make_shared<const Schema>(*ParseDdl("d DOUBLE NOT NULL"));
  RecordBatchBuilder builder(schema);
  for (double d : {std::nan(""), HUGE_VAL, -HUGE_VAL, 1.5, 1e20, 123456789.0, -0.0}) {
    ASSERT_OK(builder.AppendRow(std::vector<Value>{d}));
  }
  std::string out;
  AppendJsonLines(**builder.Finish(), &out);
  // Numbers as Java prints them, as Spark's JSON writer does.
  EXPECT_EQ(out,
            "{\"d\":\"NaN\"}\n{\"d\":\"Infinity\"}\n{\"d\":\"-Infinity\"}\n{\"d\":1.5}\n"
            "{\"d\":1.0E20}\n{\"d\":1.23456789E8}\n{\"d\":-0.0}\n");
}

// The texts are what Spark 4.3's json sink wrote for the same values from a Python
// source: intervals quoted in Spark's form, variants as the JSON they hold.
TEST(JsonRowsTest, IntervalsAndVariantsAreWrittenAsSparkWritesThem) {
  auto schema = std::make_shared<const Schema>(
      *ParseDdl("d INTERVAL DAY TO SECOND, a ARRAY<INTERVAL DAY TO SECOND>, v VARIANT, "
                "s STRUCT<x: VARIANT>"));
  const std::string no_keys("\x01\x00\x00", 3);
  // {"a":[1,2.5,"x"],"b":null} as PySpark's parseJson encodes it.
  const std::string object(
      "\x02\x02\x00\x01\x00\x10\x11\x03\x03\x00\x02\x08"
      "\x0a\x0c\x01\x20\x01\x19\x00\x00\x00\x05\x78\x00",
      24);
  const std::string keys("\x01\x02\x00\x01\x02\x61\x62", 7);
  RecordBatchBuilder builder(schema);
  ASSERT_OK(builder.AppendRow(std::vector<Value>{
      IntervalValue{93'603'000'005}, ListValue{{IntervalValue{0}, Value()}},
      VariantValue{object, keys}, ListValue{{VariantValue{"\x0c\xf9", no_keys}}}}));
  ASSERT_OK(builder.AppendRow(std::vector<Value>{
      IntervalValue{-1}, Value(), VariantValue{std::string(1, '\0'), no_keys},
      ListValue{{Value()}}}));
  std::string out;
  AppendJsonLines(**builder.Finish(), &out);
  EXPECT_EQ(out, R"({"d":"INTERVAL '1 02:00:03.000005' DAY TO SECOND",)"
                 R"("a":["INTERVAL '0 00:00:00' DAY TO SECOND",null],)"
                 R"("v":{"a":[1,2.5,"x"],"b":null},"s":{"x":-7}})"
                 "\n"
                 R"({"d":"INTERVAL '-0 00:00:00.000001' DAY TO SECOND","v":null,"s":{}})"
                 "\n");
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

  std::unique_ptr<Sink> OpenJsonSink(const std::string& query_id = "query",
                                     Status* status = nullptr,
                                     std::optional<int64_t> logged = std::nullopt,
                                     std::optional<int64_t> committed = std::nullopt) {
    Options options;
    options.Set("path", dir);
    auto sink = MakeJsonSink(options);
    EXPECT_OK(sink);
    SinkContext context;
    context.query_id = query_id;
    context.checkpoint_dir = "/checkpoints/" + query_id;
    context.schema = PeopleSchema();
    context.latest_logged_batch = logged;
    context.latest_committed_batch = committed;
    Status opened = (*sink)->Open(context);
    if (status != nullptr) {
      *status = opened;
    } else {
      EXPECT_OK(opened);
    }
    return std::move(*sink);
  }

  std::vector<std::string> Committed() {
    auto files = FileSinkLog::ReadCommittedFiles(dir);
    EXPECT_OK(files);
    return files.ok() ? *files : std::vector<std::string>{};
  }

  std::set<std::string> Listing(const std::string& sub = "") {
    std::set<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir + sub))
      names.insert(e.path().filename().string());
    return names;
  }
};

TEST_F(JsonSinkTest, EachBatchIsOneNewlyNamedFileListedInTheMetadataLog) {
  auto sink = OpenJsonSink();
  ASSERT_OK(sink->AddBatch(0, {People()}));
  ASSERT_OK(sink->AddBatch(1, {}));  // empty: logged, no file
  ASSERT_OK(sink->AddBatch(2, {People()}));
  std::vector<std::string> files = Committed();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_TRUE(IsPartFileName(files[0])) << files[0];
  EXPECT_TRUE(files[0].ends_with("-c000.json")) << files[0];
  EXPECT_NE(files[0], files[1]);
  EXPECT_EQ(*ReadFile(dir + "/_spark_metadata/1"), "v1");
  std::string entry = *ReadFile(dir + "/_spark_metadata/0");
  EXPECT_TRUE(entry.starts_with("v1\n{\"path\":\"file://" + dir + "/" + files[0] +
                                "\",\"size\":"))
      << entry;
}

TEST_F(JsonSinkTest, AMetadataEntryOfTheWrongShapeIsReportedAsCorrupt) {
  std::filesystem::create_directories(dir + "/_spark_metadata");
  for (const char* entry : {R"({"path":7})", R"(["path"])", R"("path")"}) {
    std::ofstream(dir + "/_spark_metadata/0", std::ios::trunc) << "v1\n" << entry;
    EXPECT_EQ(FileSinkLog::ReadCommittedFiles(dir).status().ToString(),
              "Corruption: " + dir + "/_spark_metadata/0 is corrupt: bad file entry")
        << entry;
  }
}

TEST_F(JsonSinkTest, ADamagedLogIsReportedNamingTheFile) {
  const std::string log = dir + "/_spark_metadata/";
  std::filesystem::create_directories(log);
  std::ofstream(log + "0") << "";
  EXPECT_EQ(FileSinkLog::ReadCommittedFiles(dir).status().ToString(),
            "Corruption: " + log + "0 is corrupt: it is empty");
  std::ofstream(log + "0") << "v1\n{\"path\":\"file:///x%4\"}";
  EXPECT_EQ(FileSinkLog::ReadCommittedFiles(dir).status().ToString(),
            "Corruption: " + log + "0 is corrupt: bad path /x%4");
  std::ofstream(log + "0.compact") << "v1";
  EXPECT_EQ(FileSinkLog::ReadCommittedFiles(dir).status().ToString(),
            "Corruption: " + log +
                "0.compact is corrupt: the batch has both a plain and "
                "a compact file");
  std::filesystem::remove(log + "0");
  std::filesystem::remove(log + "0.compact");
  for (const char* name : {"0", "1", "2"}) std::ofstream(log + name) << "v1";
  // A compaction needs every plain file since the last compact one.
  auto opened = FileSinkLog::Open(dir, Env::Default(), {.compact_interval = 4});
  ASSERT_OK(opened);
  std::filesystem::remove(log + "2");
  EXPECT_EQ(opened->Commit(3, {}).ToString(),
            "Corruption: " + log +
                "2 is corrupt: it is missing, but later batches are "
                "logged");
}

TEST_F(JsonSinkTest, ACorruptOwnerRecordIsReportedAndLeftAsItIs) {
  std::filesystem::create_directories(dir + "/_rivulet");
  std::ofstream(dir + "/_rivulet/owner") << "[1]";
  Status status;
  OpenJsonSink("q", &status);
  EXPECT_EQ(
      status.ToString(),
      "Corruption: " + dir +
          "/_rivulet/owner is corrupt: expected {\"queryId\": ...}; it records which "
          "query writes this directory");
  EXPECT_EQ(*ReadFile(dir + "/_rivulet/owner"), "[1]");
}

TEST_F(JsonSinkTest, AReplayedBatchIsNotWrittenTwice) {
  auto sink = OpenJsonSink();
  ASSERT_OK(sink->AddBatch(0, {People()}));
  const std::set<std::string> before = Listing();
  // The replay of batch 0 after a crash carries other rows only to show it is ignored.
  ASSERT_OK(sink->AddBatch(0, {People()->Slice(0, 1)}));
  ASSERT_OK(sink->Close());
  sink = OpenJsonSink();  // and so after a restart
  ASSERT_OK(sink->AddBatch(0, {People()->Slice(0, 1)}));
  EXPECT_EQ(Listing(), before);
  EXPECT_EQ(Listing("/_spark_metadata"), std::set<std::string>{"0"});
}

TEST_F(JsonSinkTest, EveryTenthBatchIsACompactFileHoldingAllEntriesSoFar) {
  auto sink = OpenJsonSink();
  for (int64_t batch = 0; batch < 20; ++batch) {
    ASSERT_OK(sink->AddBatch(batch, {People()->Slice(0, 1)}));
  }
  std::set<std::string> log = Listing("/_spark_metadata");
  EXPECT_EQ(log.count("9.compact"), 1u);
  EXPECT_EQ(log.count("19.compact"), 1u);
  EXPECT_EQ(log.count("9"), 0u);
  EXPECT_EQ(log.size(), 20u);  // Spark keeps the plain files of the last 100 batches
  std::string compact = *ReadFile(dir + "/_spark_metadata/9.compact");
  EXPECT_EQ(std::count(compact.begin(), compact.end(), '\n'), 10) << compact;
  EXPECT_EQ(Committed().size(), 20u);
}

TEST_F(JsonSinkTest, CompactionDeletesTheLogFilesNoReaderNeedsAsSparkDoes) {
  std::filesystem::create_directories(dir);
  auto log = FileSinkLog::Open(
      dir, Env::Default(),
      {.compact_interval = 3, .min_batches_to_retain = 2, .cleanup_delay_ms = 0});
  ASSERT_OK(log);
  for (int64_t batch = 0; batch < 5; ++batch) {
    const std::string name = "f" + std::to_string(batch);
    std::ofstream(dir + "/" + name) << batch;
    ASSERT_OK(log->Commit(batch, {name}));
  }
  // As Spark with interval 3, 2 batches retained and no delay: 0 and 1 are gone after 4.
  EXPECT_EQ(Listing("/_spark_metadata"), (std::set<std::string>{"2.compact", "3", "4"}));
  EXPECT_EQ(Committed(), (std::vector<std::string>{"f0", "f1", "f2", "f3", "f4"}));
}

TEST_F(JsonSinkTest, AnExistingLogKeepsTheIntervalItsCompactFilesShow) {
  std::filesystem::create_directories(dir + "/_spark_metadata");
  for (const char* name : {"4.compact", "5", "6", "7", "8"}) {
    std::ofstream(dir + "/_spark_metadata/" + name) << "v1";
  }
  auto log = FileSinkLog::Open(dir);
  ASSERT_OK(log);
  EXPECT_EQ(log->compact_interval(), 5);  // as Spark derives it from one compact file
  ASSERT_OK(log->Commit(9, {}));
  EXPECT_TRUE(std::filesystem::exists(dir + "/_spark_metadata/9.compact"));
}

TEST_F(JsonSinkTest, PathsWithSpecialCharactersAreLoggedAsUris) {
  std::filesystem::create_directories(dir + "/k=a%2Fb c");
  std::ofstream(dir + "/k=a%2Fb c/part") << "x";
  auto log = FileSinkLog::Open(dir);
  ASSERT_OK(log);
  ASSERT_OK(log->Commit(0, {"k=a%2Fb c/part"}));
  EXPECT_NE(ReadFile(dir + "/_spark_metadata/0")->find("/k=a%252Fb%20c/part\""),
            std::string::npos);
  EXPECT_EQ(Committed(), std::vector<std::string>{"k=a%2Fb c/part"});
}

TEST_F(JsonSinkTest, ADirectoryOfAnotherQueryIsRefusedNamingBothIds) {
  auto first = OpenJsonSink("first");
  ASSERT_OK(first->AddBatch(0, {People()}));
  const std::vector<std::string> committed = Committed();
  // While the first one writes, and after it stopped.
  for (int round = 0; round < 2; ++round) {
    Status status;
    auto second = OpenJsonSink("second", &status);
    EXPECT_EQ(status.code(), StatusCode::kBusy);
    EXPECT_NE(status.message().find("query first (checkpoint /checkpoints/first)"),
              std::string::npos)
        << status.message();
    EXPECT_NE(status.message().find("this is query second"), std::string::npos)
        << status.message();
    ASSERT_OK(first->Close());
  }
  EXPECT_EQ(Committed(), committed);
}

TEST_F(JsonSinkTest, TheSameQueryIsRefusedWhileItWritesTheDirectory) {
  auto running = OpenJsonSink("q");
  Status status;
  OpenJsonSink("q", &status);
  EXPECT_EQ(status.code(), StatusCode::kBusy);
  EXPECT_NE(status.message().find("is being written by query q"), std::string::npos)
      << status.message();
}

TEST_F(JsonSinkTest, ALoggedDirectoryThatNamesNoQueryIsRefused) {
  std::filesystem::create_directories(dir + "/_spark_metadata");
  std::ofstream(dir + "/_spark_metadata/0") << "v1";
  Status status;
  OpenJsonSink("q", &status);
  EXPECT_EQ(status.code(), StatusCode::kBusy);
  EXPECT_NE(status.message().find("already holds the output of a query it does not name"),
            std::string::npos)
      << status.message();
}

// Spark's sink names no owner: its output is taken over by the query whose checkpoint
// got it there, its committed batches all logged and no batch logged past its plan.
TEST_F(JsonSinkTest, SparksOutputIsTakenOverByTheCheckpointThatWroteIt) {
  std::filesystem::create_directories(dir + "/_spark_metadata");
  for (const char* name : {"0", "1", "2"})
    std::ofstream(dir + "/_spark_metadata/" + name) << "v1";
  const std::vector<std::pair<int64_t, int64_t>> refused = {{5, 5}, {1, 1}, {3, 3}};
  for (const auto& [logged, committed] : refused) {
    Status status;
    OpenJsonSink("q", &status, logged, committed);
    EXPECT_EQ(status.code(), StatusCode::kBusy) << logged << " " << committed;
  }
  EXPECT_FALSE(std::filesystem::exists(dir + "/_rivulet/owner"));
  auto replaying = OpenJsonSink("q", nullptr, 3, 2);  // batch 3 logged, not yet written
  ASSERT_OK(replaying->Close());
  EXPECT_THAT(ReadFile(dir + "/_rivulet/owner").ValueOrDie(),
              ::testing::HasSubstr("\"queryId\":\"q\""));
  Status other;
  OpenJsonSink("other", &other, 3, 2);
  EXPECT_EQ(other.code(), StatusCode::kBusy);  // owned now
}

TEST_F(JsonSinkTest, WhatAKilledWriteLeftIsRemovedOnTheNextStart) {
  auto sink = OpenJsonSink();
  ASSERT_OK(sink->AddBatch(0, {People()}));
  ASSERT_OK(sink->Close());
  const std::string orphan = "part-00000-" + RandomUuid() + "-c000.json";
  const std::string temporary = "." + orphan + "." + RandomUuid() + ".tmp";
  for (const std::string& name :
       {orphan, temporary, std::string("notes.txt"), std::string(".notes.tmp")}) {
    std::ofstream(dir + "/" + name) << "left";
  }
  std::filesystem::create_directories(dir + "/k=1");
  std::ofstream(dir + "/k=1/" + orphan) << "left";
  sink = OpenJsonSink();
  std::set<std::string> names = Listing();
  EXPECT_EQ(names.count(orphan), 0u);
  EXPECT_EQ(names.count(temporary), 0u);
  EXPECT_EQ(names.count("notes.txt"), 1u);  // not the sink's
  EXPECT_EQ(names.count(".notes.tmp"), 1u);
  EXPECT_EQ(names.count(Committed()[0]), 1u);
  EXPECT_TRUE(Listing("/k=1").empty());
}

TEST_F(JsonSinkTest, PartitionByWritesAFileInEachValuesFolderWithoutThePartitionColumn) {
  auto schema = std::make_shared<const Schema>(*ParseDdl("id INT, k STRING"));
  RecordBatchBuilder builder(schema);
  for (auto [id, k] : {std::pair{1, "a"}, {2, "b/c"}, {3, "a"}}) {
    ASSERT_OK(builder.AppendRow(std::vector<Value>{id, k}));
  }
  RecordBatchPtr rows = *builder.Finish();
  Options options;
  options.Set("path", dir);
  options.Set("partitionBy", "k");
  auto sink = MakeJsonSink(options);
  ASSERT_OK(sink);
  ASSERT_OK(OpenFor(**sink, schema));
  ASSERT_OK((*sink)->AddBatch(0, {rows}));
  ASSERT_OK((*sink)->AddBatch(0, {rows}));  // a replay writes nothing
  std::vector<std::string> files = Committed();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_TRUE(files[0].starts_with("k=a/part-00000-")) << files[0];
  EXPECT_TRUE(files[0].ends_with(".c000.json")) << files[0];
  EXPECT_TRUE(files[1].starts_with("k=b%2Fc/part-00000-")) << files[1];
  EXPECT_EQ(*ReadFile(dir + "/" + files[0]), "{\"id\":1}\n{\"id\":3}\n");
  EXPECT_EQ(*ReadFile(dir + "/" + files[1]), "{\"id\":2}\n");
  EXPECT_EQ(Listing("/k=a").size(), 1u);
  // A leftover in a partition folder goes at the next start; committed files stay.
  ASSERT_OK((*sink)->Close());
  const std::string orphan = "part-00000-" + RandomUuid() + ".c000.json";
  std::ofstream(dir + "/k=a/" + orphan) << "left";
  auto again = MakeJsonSink(options);
  ASSERT_OK(OpenFor(**again, schema));
  EXPECT_EQ(Listing("/k=a"), std::set<std::string>{files[0].substr(4)});
}

TEST(PartFileNameTest, OnlySparksPartFileNamesAreTheSinks) {
  const std::string uuid = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
  EXPECT_TRUE(IsPartFileName("part-00000-" + uuid + "-c000.json"));
  EXPECT_TRUE(IsPartFileName("part-00012-" + uuid + "-c001.csv.gz"));
  EXPECT_TRUE(IsPartFileName("part-00000-" + uuid + ".c000.json"));
  EXPECT_FALSE(IsPartFileName("part-00000.json"));
  EXPECT_FALSE(IsPartFileName("part-00000-" + uuid + ".json"));
  EXPECT_FALSE(IsPartFileName("part-0-" + uuid + "-c000.json"));
  EXPECT_FALSE(IsPartFileName("notes.txt"));
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
    auto files = FileSinkLog::ReadCommittedFiles(out);
    ASSERT_OK(files);
    ASSERT_EQ(files->size(), 1u);
    auto bytes = ReadFile(out + "/" + (*files)[0]);
    ASSERT_OK(bytes);
    auto read = ipc::ReadFile(std::make_shared<const std::string>(*bytes));
    ASSERT_OK(read);
    ASSERT_EQ(read->batches.size(), 1u);
    EXPECT_TRUE(read->schema->Equals(*PeopleSchema()));
    EXPECT_EQ(read->batches[0]->ToRows(), People()->ToRows()) << compression;
  }
}

TEST_F(JsonSinkTest, TextSinksCompressEachFileWholeAndNameItWithTheCodecsExtension) {
  auto schema = std::make_shared<const Schema>(*ParseDdl("id INT, name STRING"));
  RecordBatchBuilder builder(schema);
  ASSERT_OK(builder.AppendRow(std::vector<Value>{1, "a,b"}));
  RecordBatchPtr rows = *builder.Finish();
  struct Case {
    const char* format;
    const char* compression;
    FileCodec codec;
    const char* suffix;
    const char* text;
  };
  for (const Case& c :
       {Case{"csv", "none", FileCodec::kNone, ".csv", "id,name\n1,\"a,b\"\n"},
        Case{"csv", "gzip", FileCodec::kGzip, ".csv.gz", "id,name\n1,\"a,b\"\n"},
        Case{"csv", "lz4", FileCodec::kLz4, ".csv.lz4", "id,name\n1,\"a,b\"\n"},
        Case{"json", "bzip2", FileCodec::kBzip2, ".json.bz2",
             "{\"id\":1,\"name\":\"a,b\"}\n"}}) {
    const std::string out = dir + "/" + c.format + "-" + c.compression;
    Options options;
    options.Set("path", out);
    options.Set("compression", c.compression);
    options.Set("header", "true");
    auto sink =
        std::string(c.format) == "csv" ? MakeCsvSink(options) : MakeJsonSink(options);
    ASSERT_OK(sink);
    ASSERT_OK(OpenFor(**sink, schema));
    ASSERT_OK((*sink)->AddBatch(0, {rows}));
    auto files = FileSinkLog::ReadCommittedFiles(out);
    ASSERT_OK(files);
    ASSERT_EQ(files->size(), 1u);
    EXPECT_TRUE((*files)[0].ends_with(c.suffix)) << (*files)[0];
    EXPECT_TRUE(IsPartFileName((*files)[0])) << (*files)[0];
    auto text = DecompressFile(c.codec, *ReadFile(out + "/" + (*files)[0]));
    ASSERT_OK(text);
    EXPECT_EQ(*text, c.text) << c.format << " " << c.compression;
  }
}

TEST_F(JsonSinkTest, TheCsvSinkRefusesAColumnCsvCannotHoldWhenTheQueryStarts) {
  Options options;
  options.Set("path", dir);
  auto sink = MakeCsvSink(options);
  ASSERT_OK(sink);
  Status opened = OpenFor(**sink, PeopleSchema());
  EXPECT_EQ(opened.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(opened.message(),
              ::testing::HasSubstr("column `tags` of the type \"ARRAY<STRING>\""));
  EXPECT_FALSE(std::filesystem::exists(dir + "/_spark_metadata"));
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
