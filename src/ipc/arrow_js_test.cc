// Independent validation with Arrow JS (tests/arrow_js): streams and files that rivulet
// writes are read by Arrow JS with the same values, and streams that Arrow JS writes
// (every engine type, dictionary-encoded strings with delta dictionaries, foreign types)
// are read by rivulet with the values Arrow JS put in. Compressed bodies are checked with
// independent LZ4 and zstd decoders on the Arrow JS side.

#include <gtest/gtest.h>

#include "ipc/ipc_testing.h"
#include "ipc/reader.h"
#include "ipc/writer.h"
#include "testing/assert_status.h"

namespace rivulet::ipc {
namespace {

using testing::BatchesToJson;
using testing::json;
using testing::LoadFixture;

std::string JsDir() { return testing::SourceDir() + "/tests/arrow_js"; }

class ArrowJsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string output;
    if (testing::RunCommand("node --version 2>&1", &output) != 0) {
      skip_reason_ = "node is not installed";
      return;
    }
    if (!std::filesystem::exists(JsDir() + "/node_modules/apache-arrow")) {
      // Test processes may start together (ctest -j); the lock makes one of them install.
      int code = testing::RunCommand(
          "cd " + JsDir() +
              " && flock .npm-install.lock sh -c "
              "'test -d node_modules/apache-arrow || npm ci --no-audit --no-fund' 2>&1",
          &output);
      if (code != 0) {
        skip_reason_ = "npm ci failed: " + output;
        return;
      }
    }
    dir_ = testing::MakeTempDir("ipc-arrow-js");
    int code = testing::RunCommand("node " + JsDir() + "/write_ipc.mjs " + dir_ + " 2>&1",
                                   &output);
    ASSERT_EQ(code, 0) << output;
  }
  static void TearDownTestSuite() {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
  }

  // What Arrow JS reads from `bytes`.
  static json ReadWithArrowJs(const std::string& bytes, const std::string& name) {
    std::string path = dir_ + "/" + name;
    testing::WriteFileBytes(path, bytes);
    std::string output;
    int code = testing::RunCommand("node " + JsDir() + "/read_ipc.mjs " + path + " 2>&1",
                                   &output);
    EXPECT_EQ(code, 0) << output;
    return code == 0 ? json::parse(output) : json();
  }

  static json Expected(const std::string& name) {
    return json::parse(testing::ReadFileBytes(dir_ + "/" + name + ".expected.json"));
  }

  static std::string dir_;
  static std::string skip_reason_;
};
std::string ArrowJsTest::dir_;
std::string ArrowJsTest::skip_reason_;

// How Arrow JS names the Arrow types rivulet writes for the all_types fixture's columns.
const std::vector<std::string> kAllTypesArrowTypes = {
    "Bool",
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "Float32",
    "Float64",
    "Decimal[20e+4]",
    "Utf8",
    "Binary",
    "Date32<DAY>",
    "Timestamp<MICROSECOND, UTC>",
    "Timestamp<MICROSECOND>",
    "Null",
    "List<Int32>",
    "Map<{key:Utf8, value:Float64}>",
    "Struct<{a:Int32, tags:List<Utf8>, inner:Struct<{x:Date32<DAY>, y:Decimal[5e+2]}>}>"};

void ExpectAllTypesReadByArrowJs(const json& read, const testing::Fixture& fixture) {
  ASSERT_TRUE(read.is_object());
  ASSERT_EQ(read["fields"].size(), kAllTypesArrowTypes.size());
  for (size_t i = 0; i < kAllTypesArrowTypes.size(); ++i) {
    const json& f = read["fields"][i];
    EXPECT_EQ(f["name"], fixture.schema->field(i).name);
    EXPECT_EQ(f["type"], kAllTypesArrowTypes[i]) << "column " << f["name"];
    EXPECT_EQ(f["nullable"], fixture.schema->field(i).nullable);
  }
  EXPECT_EQ(read["fields"][3]["metadata"],
            json({{"comment", "row id"}, {"origin", "fixture"}}));
  EXPECT_EQ(read["fields"][14]["children"][0]["name"], "element");
  EXPECT_EQ(read["fields"][15]["children"][0]["name"], "entries");
  EXPECT_EQ(read["fields"][15]["children"][0]["nullable"], false);
  EXPECT_EQ(read["batches"], fixture.batches);
}

class ArrowJsReadsRivuletTest : public ArrowJsTest,
                                public ::testing::WithParamInterface<Compression> {};

TEST_P(ArrowJsReadsRivuletTest, StreamsHaveTheSameTypesAndValues) {
  auto fixture = LoadFixture("all_types");
  ASSERT_OK(fixture);
  WriteOptions options;
  options.compression = GetParam();
  auto bytes = WriteStream(*fixture->schema, fixture->built, options);
  ASSERT_OK(bytes);
  ExpectAllTypesReadByArrowJs(ReadWithArrowJs(*bytes, "rivulet.arrows"), *fixture);
}

TEST_P(ArrowJsReadsRivuletTest, FilesHaveTheSameTypesAndValues) {
  auto fixture = LoadFixture("all_types");
  ASSERT_OK(fixture);
  WriteOptions options;
  options.compression = GetParam();
  auto bytes = WriteFile(*fixture->schema, fixture->built, options);
  ASSERT_OK(bytes);
  ExpectAllTypesReadByArrowJs(ReadWithArrowJs(*bytes, "rivulet.arrow"), *fixture);
}

TEST_P(ArrowJsReadsRivuletTest, SlicedAndEmptyBatchesHaveTheSameValues) {
  auto fixture = LoadFixture("strings_and_numbers");
  ASSERT_OK(fixture);
  WriteOptions options;
  options.compression = GetParam();
  const RecordBatchPtr& batch = fixture->built[1];
  std::vector<RecordBatchPtr> slices = {batch->Slice(3, 11), batch->Slice(0, 0),
                                        batch->Slice(5, 1)};
  auto bytes = WriteStream(*fixture->schema, slices, options);
  ASSERT_OK(bytes);
  json read = ReadWithArrowJs(*bytes, "sliced.arrows");
  EXPECT_EQ(read["batches"], BatchesToJson(slices));
  EXPECT_EQ(read["batches"][0].size(), 11u);
}

// A batch large and repetitive enough that every codec shrinks its buffers.
Result<RecordBatchPtr> CompressibleBatch() {
  auto schema = ParseDdl("id BIGINT, x DOUBLE, s STRING, tags ARRAY<STRING>");
  if (!schema.ok()) return schema.status();
  RecordBatchBuilder builder(std::make_shared<const Schema>(*schema));
  for (int64_t i = 0; i < 5000; ++i) {
    ListValue tags;
    for (int64_t j = 0; j < i % 3; ++j)
      tags.items.push_back(Value("tag-" + std::to_string(j)));
    std::vector<Value> row = {Value(i), i % 10 == 0 ? Value() : Value(i * 0.5),
                              Value("name-" + std::to_string(i % 50)),
                              Value(std::move(tags))};
    RIVULET_RETURN_NOT_OK(builder.AppendRow(row));
  }
  return builder.Finish();
}

TEST_P(ArrowJsReadsRivuletTest, CompressedBuffersAreDecompressedByIndependentCodecs) {
  auto batch = CompressibleBatch();
  ASSERT_OK(batch);
  WriteOptions options;
  options.compression = GetParam();
  auto bytes = WriteStream(*(*batch)->schema(), {*batch}, options);
  auto plain = WriteStream(*(*batch)->schema(), {*batch});
  ASSERT_OK(bytes);
  ASSERT_OK(plain);
  if (GetParam() != Compression::kNone) {
    EXPECT_LT(bytes->size() * 2, plain->size());
  }
  json read = ReadWithArrowJs(*bytes, "compressible.arrows");
  EXPECT_EQ(read["batches"], BatchesToJson({*batch}));
}

INSTANTIATE_TEST_SUITE_P(Compressions, ArrowJsReadsRivuletTest,
                         ::testing::Values(Compression::kNone, Compression::kLz4Frame,
                                           Compression::kZstd));

// Reads OUT/<file> written by Arrow JS and checks it against <name>.expected.json.
void ExpectRivuletReads(const std::string& dir, const std::string& file,
                        const json& expected) {
  auto bytes =
      std::make_shared<const std::string>(testing::ReadFileBytes(dir + "/" + file));
  ASSERT_FALSE(bytes->empty()) << file;
  auto read = ReadAny(bytes);
  if (expected.contains("error")) {
    EXPECT_EQ(read.status().ToString(),
              "Invalid argument: " + expected["error"].get<std::string>());
    return;
  }
  ASSERT_OK(read) << file;
  std::string schema = expected["schema"];
  if (schema == "fixture:all_types") {
    auto fixture = LoadFixture("all_types");
    ASSERT_OK(fixture);
    EXPECT_TRUE(read->schema->Equals(*fixture->schema)) << read->schema->ToString();
    EXPECT_EQ(read->schema->field(3).comment, "row id");
    EXPECT_EQ(read->schema->field(3).metadata.at("origin"), "fixture");
  } else {
    EXPECT_EQ(read->schema->ToString(), schema);
  }
  EXPECT_EQ(BatchesToJson(read->batches), expected["batches"]) << file;
}

TEST_F(ArrowJsTest, EveryEngineTypeWrittenByArrowJsIsReadWithItsValues) {
  ExpectRivuletReads(dir_, "all_types.arrows", Expected("all_types"));
  ExpectRivuletReads(dir_, "all_types.arrow", Expected("all_types"));
}

// Arrow JS 21 puts the compressed length where the specification puts the uncompressed
// length (its own reader ignores the prefix). Arrow C++ refuses such buffers, and so does
// rivulet, with a message that says what is wrong.
TEST_F(ArrowJsTest, Lz4StreamsFromArrowJsStateTheWrongLengthAndAreRefused) {
  auto bytes = std::make_shared<const std::string>(
      testing::ReadFileBytes(dir_ + "/all_types_lz4.arrows"));
  EXPECT_EQ(
      ReadStream(bytes).status().ToString(),
      "Corruption: message at byte 1552: column 'dec', buffer 15: compressed buffer "
      "decompresses to more than its stated 41 bytes");
}

TEST_F(ArrowJsTest, DictionaryEncodedStringsFromTableFromArraysAreDecoded) {
  ExpectRivuletReads(dir_, "table_from_arrays.arrows", Expected("table_from_arrays"));
}

TEST_F(ArrowJsTest, DeltaDictionariesAreAppended) {
  json expected = Expected("dictionary_deltas");
  EXPECT_EQ(expected["dictionary_messages"], json({false, true, true}));
  ExpectRivuletReads(dir_, "dictionary_deltas.arrows", expected);
}

TEST_F(ArrowJsTest, ForeignTypesAreReadAsTheNearestEngineType) {
  ExpectRivuletReads(dir_, "foreign_types.arrows", Expected("foreign_types"));
}

TEST_F(ArrowJsTest, TypesOutsideTheEngineAreRefusedNamingTheColumn) {
  ExpectRivuletReads(dir_, "float16.arrows", Expected("float16"));
  ExpectRivuletReads(dir_, "time32.arrows", Expected("time32"));
}

}  // namespace
}  // namespace rivulet::ipc
