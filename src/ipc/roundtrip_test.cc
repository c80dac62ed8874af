// Round trips through the writer and the reader: every engine type, nulls, nesting, empty
// and sliced batches, streams and files, with and without compression.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "ipc/ipc_testing.h"
#include "ipc/reader.h"
#include "ipc/writer.h"
#include "testing/assert_status.h"

namespace rivulet::ipc {
namespace {

using testing::BatchesToJson;
using testing::BatchToJson;
using testing::json;
using testing::LoadFixture;

Field Column(const std::string& name, DataTypePtr type) {
  Field f;
  f.name = name;
  f.type = std::move(type);
  return f;
}

std::shared_ptr<const std::string> Share(std::string bytes) {
  return std::make_shared<const std::string>(std::move(bytes));
}

std::string CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "None";
    case Compression::kLz4Frame:
      return "Lz4Frame";
    case Compression::kZstd:
      return "Zstd";
  }
  return "?";
}

class RoundTripTest : public ::testing::TestWithParam<Compression> {
 protected:
  WriteOptions Options() const {
    WriteOptions o;
    o.compression = GetParam();
    return o;
  }
};

TEST_P(RoundTripTest, StreamKeepsEveryTypeWithNullsAndNesting) {
  auto fixture = LoadFixture("all_types");
  ASSERT_OK(fixture);
  auto bytes = WriteStream(*fixture->schema, fixture->built, Options());
  ASSERT_OK(bytes);
  auto read = ReadStream(Share(*bytes));
  ASSERT_OK(read);
  EXPECT_TRUE(read->schema->Equals(*fixture->schema)) << read->schema->ToString();
  EXPECT_EQ(BatchesToJson(read->batches), fixture->batches);
}

TEST_P(RoundTripTest, FileKeepsEveryTypeWithNullsAndNesting) {
  auto fixture = LoadFixture("all_types");
  ASSERT_OK(fixture);
  auto bytes = WriteFile(*fixture->schema, fixture->built, Options());
  ASSERT_OK(bytes);
  auto read = ReadFile(Share(*bytes));
  ASSERT_OK(read);
  EXPECT_TRUE(read->schema->Equals(*fixture->schema));
  EXPECT_EQ(BatchesToJson(read->batches), fixture->batches);
}

TEST_P(RoundTripTest, SlicedBatchesWriteTheSameBytesAsTheirRowsBuiltAlone) {
  auto fixture = LoadFixture("all_types");
  ASSERT_OK(fixture);
  const RecordBatchPtr& whole = fixture->built[0];
  for (int64_t offset = 0; offset <= whole->num_rows(); ++offset) {
    for (int64_t length = 0; offset + length <= whole->num_rows(); ++length) {
      SCOPED_TRACE("offset " + std::to_string(offset) + ", length " +
                   std::to_string(length));
      RecordBatchPtr slice = whole->Slice(offset, length);
      json rows(fixture->batches[0].begin() + offset,
                fixture->batches[0].begin() + offset + length);
      auto alone = testing::BuildBatch(fixture->schema, rows);
      ASSERT_OK(alone);
      auto sliced_bytes = WriteStream(*fixture->schema, {slice}, Options());
      auto alone_bytes = WriteStream(*fixture->schema, {*alone}, Options());
      ASSERT_OK(sliced_bytes);
      ASSERT_OK(alone_bytes);
      EXPECT_EQ(*sliced_bytes, *alone_bytes);
      auto read = ReadStream(Share(*sliced_bytes));
      ASSERT_OK(read);
      EXPECT_EQ(BatchToJson(*read->batches[0]), rows);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Compressions, RoundTripTest,
                         ::testing::Values(Compression::kNone, Compression::kLz4Frame,
                                           Compression::kZstd),
                         [](const auto& info) { return CompressionName(info.param); });

TEST(RoundTrip, StreamWithoutBatchesKeepsTheSchema) {
  auto fixture = LoadFixture("all_types");
  ASSERT_OK(fixture);
  auto bytes = WriteStream(*fixture->schema, {});
  ASSERT_OK(bytes);
  auto read = ReadStream(Share(*bytes));
  ASSERT_OK(read);
  EXPECT_TRUE(read->schema->Equals(*fixture->schema));
  EXPECT_TRUE(read->batches.empty());
}

TEST(RoundTrip, FieldMetadataAndCommentsAreKept) {
  auto schema = ParseDdl("id INT NOT NULL COMMENT 'the key', s STRUCT<a: STRING>");
  ASSERT_OK(schema);
  std::vector<Field> fields = schema->fields();
  fields[0].metadata = {{"origin", "test"}, {"unit", "none"}};
  Schema with_metadata(fields);
  auto bytes = WriteStream(with_metadata, {});
  ASSERT_OK(bytes);
  auto read = ReadStream(Share(*bytes));
  ASSERT_OK(read);
  EXPECT_EQ(read->schema->field(0).comment, "the key");
  EXPECT_EQ(read->schema->field(0).metadata,
            (std::map<std::string, std::string>{{"origin", "test"}, {"unit", "none"}}));
  EXPECT_FALSE(read->schema->field(0).nullable);
  EXPECT_TRUE(read->schema->field(1).nullable);
}

// 5 as a variant (an int8), with an empty key dictionary.
VariantValue VariantFive() {
  return VariantValue{std::string("\x0c\x05", 2), std::string("\x01\x00\x00", 3)};
}

RecordBatchPtr IntervalsAndVariants() {
  auto schema = ParseDdl(
      "d INTERVAL DAY TO SECOND, a ARRAY<INTERVAL DAY TO SECOND>, v VARIANT, "
      "m MAP<STRING, VARIANT>, s STRUCT<v: VARIANT>");
  EXPECT_OK(schema);
  RecordBatchBuilder builder(std::make_shared<const Schema>(*schema));
  EXPECT_OK(builder.AppendRow(std::vector<Value>{
      IntervalValue{-1}, ListValue{{IntervalValue{86'400'000'000}, Value()}},
      VariantFive(), MapValue{{{"k", VariantFive()}, {"n", Value()}}},
      ListValue{{VariantFive()}}}));
  EXPECT_OK(builder.AppendRow(
      std::vector<Value>{Value(), Value(), Value(), Value(), ListValue{{Value()}}}));
  return *builder.Finish();
}

TEST(RoundTrip, IntervalsAndVariantsKeepTheirTypesAndValuesAtEveryDepth) {
  RecordBatchPtr batch = IntervalsAndVariants();
  auto bytes = WriteStream(*batch->schema(), {batch});
  ASSERT_OK(bytes);
  auto read = ReadStream(Share(*bytes));
  ASSERT_OK(read);
  EXPECT_TRUE(read->schema->Equals(*batch->schema())) << read->schema->ToString();
  EXPECT_EQ(read->schema->ToDdl(),
            "d INTERVAL DAY TO SECOND, a ARRAY<INTERVAL DAY TO SECOND>, v VARIANT, "
            "m MAP<STRING, VARIANT>, s STRUCT<v: VARIANT>");
  ASSERT_EQ(read->batches.size(), 1u);
  EXPECT_EQ(read->batches[0]->ToRows(), batch->ToRows());
}

TEST(RoundTrip, AMalformedVariantOnTheWireIsRefusedNamingItsColumnAndRow) {
  RecordBatchPtr batch = IntervalsAndVariants();
  auto bytes = WriteStream(*batch->schema(), {batch});
  ASSERT_OK(bytes);
  // The first variant value's header (an int8) becomes primitive type 17, which Spark
  // does not know.
  std::string corrupt = *bytes;
  size_t at = corrupt.find(std::string("\x0c\x05", 2));
  ASSERT_NE(at, std::string::npos);
  corrupt[at] = static_cast<char>(17 << 2);
  auto read = ReadStream(Share(corrupt));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(),
            "column 'v' (row 0): [MALFORMED_VARIANT] Variant binary is malformed. Please "
            "check the data source is valid. (primitive type 17)");
}

TEST(RoundTrip, UncompressedReadsPointIntoTheInputBytes) {
  auto schema =
      std::make_shared<const Schema>(std::vector<Field>{Column("x", DataType::Long())});
  auto batch = std::make_shared<const RecordBatch>(
      schema,
      std::vector<ArrayDataPtr>{
          MakeFixedWidthColumn<int64_t>(DataType::Long(), {1, 2, 3})},
      3);
  auto bytes = WriteStream(*schema, {batch});
  ASSERT_OK(bytes);
  auto shared = Share(*bytes);
  auto read = ReadStream(shared);
  ASSERT_OK(read);
  const uint8_t* values = read->batches[0]->column(0)->buffers[1]->data();
  const auto* begin = reinterpret_cast<const uint8_t*>(shared->data());
  EXPECT_GE(values, begin);
  EXPECT_LT(values, begin + shared->size());
}

TEST(RoundTrip, TheSameBatchAlwaysWritesTheSameBytes) {
  auto fixture = LoadFixture("all_types");
  ASSERT_OK(fixture);
  auto a = WriteStream(*fixture->schema, fixture->built);
  auto b = WriteStream(*fixture->schema, fixture->built);
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->size() % 8, 0u);
}

TEST(RoundTrip, ReadAnyTellsFilesFromStreams) {
  auto fixture = LoadFixture("all_types");
  ASSERT_OK(fixture);
  auto file = WriteFile(*fixture->schema, fixture->built);
  auto stream = WriteStream(*fixture->schema, fixture->built);
  ASSERT_OK(file);
  ASSERT_OK(stream);
  auto from_file = ReadAny(Share(*file));
  auto from_stream = ReadAny(Share(*stream));
  ASSERT_OK(from_file);
  ASSERT_OK(from_stream);
  EXPECT_EQ(BatchesToJson(from_file->batches), fixture->batches);
  EXPECT_EQ(BatchesToJson(from_stream->batches), fixture->batches);
}

TEST(StreamDecoderTest, ByteByByteFeedingDecodesWhatReadStreamDecodes) {
  auto fixture = LoadFixture("all_types");
  ASSERT_OK(fixture);
  auto bytes = WriteStream(*fixture->schema, fixture->built);
  ASSERT_OK(bytes);
  StreamDecoder decoder;
  std::vector<RecordBatchPtr> batches;
  size_t pos = 0;
  while (!decoder.finished()) {
    size_t want = decoder.next_required_size();
    ASSERT_GT(want, 0u);
    ASSERT_LE(pos + want, bytes->size()) << "asked to read past the end-of-stream marker";
    for (size_t i = 0; i < want; ++i, ++pos) {
      ASSERT_OK(
          decoder.Consume(reinterpret_cast<const uint8_t*>(bytes->data()) + pos, 1));
    }
    for (auto& b : decoder.TakeBatches()) batches.push_back(std::move(b));
  }
  EXPECT_EQ(pos, bytes->size());
  EXPECT_TRUE(decoder.schema()->Equals(*fixture->schema));
  EXPECT_EQ(BatchesToJson(batches), fixture->batches);
}

TEST(StreamDecoderTest, BytesAfterTheEndOfStreamAreAnError) {
  auto schema =
      std::make_shared<const Schema>(std::vector<Field>{Column("x", DataType::Int())});
  auto bytes = WriteStream(*schema, {});
  ASSERT_OK(bytes);
  *bytes += "junk";
  StreamDecoder decoder;
  Status st =
      decoder.Consume(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size());
  EXPECT_EQ(st.ToString(), "Corruption: 4 bytes after the end-of-stream marker");
  EXPECT_EQ(decoder.Consume(nullptr, 0).ToString(), st.ToString());
  EXPECT_EQ(ReadStream(Share(*bytes)).status().ToString(),
            "Corruption: 4 bytes after the end-of-stream marker");
}

TEST(FdTest, StreamWrittenToAPipeIsReadUpToItsEndOfStreamMarker) {
  auto fixture = LoadFixture("all_types");
  ASSERT_OK(fixture);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  {
    FdSink sink(fds[1], "test pipe");
    auto writer = StreamWriter::Open(&sink, fixture->schema);
    ASSERT_OK(writer);
    for (const auto& b : fixture->built) ASSERT_OK((*writer)->Write(*b));
    ASSERT_OK((*writer)->Finish());
    ASSERT_EQ(write(fds[1], "next", 4), 4);
  }
  auto read = ReadStreamFromFd(fds[0], "test pipe");
  ASSERT_OK(read);
  EXPECT_EQ(BatchesToJson(read->batches), fixture->batches);
  char rest[8] = {};
  EXPECT_EQ(::read(fds[0], rest, sizeof(rest)), 4)
      << "the reader consumed bytes after the stream";
  EXPECT_EQ(std::string(rest, 4), "next");
  close(fds[0]);
  close(fds[1]);
}

TEST(FdTest, EndOfFileBeforeTheEndOfStreamMarkerIsAnError) {
  auto schema =
      std::make_shared<const Schema>(std::vector<Field>{Column("x", DataType::Int())});
  auto bytes = WriteStream(*schema, {});
  ASSERT_OK(bytes);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(write(fds[1], bytes->data(), bytes->size() - 8),
            static_cast<ssize_t>(bytes->size() - 8));
  close(fds[1]);
  EXPECT_EQ(ReadStreamFromFd(fds[0], "worker 3").status().ToString(),
            "I/O error: reading an Arrow stream from worker 3: end of file before the "
            "end-of-stream marker");
  close(fds[0]);
}

TEST(FdTest, WritingToAClosedPipeNamesIt) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);
  signal(SIGPIPE, SIG_IGN);
  FdSink sink(fds[1], "pipe to worker 3");
  auto schema =
      std::make_shared<const Schema>(std::vector<Field>{Column("x", DataType::Int())});
  auto writer = StreamWriter::Open(&sink, schema);
  EXPECT_EQ(writer.status().ToString(),
            "I/O error: writing to pipe to worker 3: Broken pipe");
  close(fds[1]);
}

TEST(WriterTest, ABatchOfAnotherSchemaIsRefused) {
  auto schema =
      std::make_shared<const Schema>(std::vector<Field>{Column("x", DataType::Int())});
  auto other =
      std::make_shared<const Schema>(std::vector<Field>{Column("y", DataType::Long())});
  auto batch = std::make_shared<const RecordBatch>(
      other,
      std::vector<ArrayDataPtr>{MakeFixedWidthColumn<int64_t>(DataType::Long(), {1})}, 1);
  EXPECT_EQ(WriteStream(*schema, {batch}).status().ToString(),
            "Invalid argument: record batch schema struct<y:bigint> does not match the "
            "stream's schema struct<x:int>");
}

TEST(WriterTest, WritingAfterFinishIsRefused) {
  std::string out;
  StringSink sink(&out);
  auto schema =
      std::make_shared<const Schema>(std::vector<Field>{Column("x", DataType::Long())});
  auto writer = StreamWriter::Open(&sink, schema);
  ASSERT_OK(writer);
  ASSERT_OK((*writer)->Finish());
  auto batch = std::make_shared<const RecordBatch>(
      schema,
      std::vector<ArrayDataPtr>{MakeFixedWidthColumn<int64_t>(DataType::Long(), {1})}, 1);
  EXPECT_EQ((*writer)->Write(*batch).ToString(),
            "Invalid argument: stream writer is already finished");
  EXPECT_EQ((*writer)->Finish().ToString(),
            "Invalid argument: stream writer is already finished");
}

TEST(WriterTest, FileWritingAfterFinishIsRefused) {
  std::string out;
  StringSink sink(&out);
  auto schema =
      std::make_shared<const Schema>(std::vector<Field>{Column("x", DataType::Long())});
  auto writer = FileWriter::Open(&sink, schema);
  ASSERT_OK(writer);
  ASSERT_OK((*writer)->Finish());
  auto batch = std::make_shared<const RecordBatch>(
      schema,
      std::vector<ArrayDataPtr>{MakeFixedWidthColumn<int64_t>(DataType::Long(), {1})}, 1);
  EXPECT_EQ((*writer)->Write(*batch).ToString(),
            "Invalid argument: file writer is already finished");
  EXPECT_EQ((*writer)->Finish().ToString(),
            "Invalid argument: file writer is already finished");
  auto read = ReadFile(Share(out));
  ASSERT_OK(read);
  EXPECT_TRUE(read->batches.empty());
}

}  // namespace
}  // namespace rivulet::ipc
