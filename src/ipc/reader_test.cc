// The reader never trusts its input: truncated and lying messages are clear errors.
// Messages are built by hand with the flatbuffer writer so that each test states exactly
// which length, offset or count lies.

#include "ipc/reader.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>

#include "ipc/compression.h"
#include "ipc/flatbuffer_writer.h"
#include "ipc/ipc_testing.h"
#include "ipc/writer.h"
#include "testing/assert_status.h"

namespace rivulet::ipc {
namespace {

using testing::BatchesToJson;
using testing::json;

// ---- building messages ----

struct Node {
  int64_t length;
  int64_t null_count;
};
struct Buf {
  int64_t offset;
  int64_t length;
};

FlatTable FieldOf(const std::string& name, uint8_t type_id, FlatTable type,
                  std::vector<FlatTable> children = {}, bool nullable = true) {
  FlatTable f;
  f.AddString(0, name)
      .AddBool(1, nullable)
      .AddUint8(2, type_id)
      .AddTable(3, std::move(type))
      .AddTableVector(5, std::move(children));
  return f;
}

FlatTable IntType(int bits, bool is_signed = true) {
  FlatTable t;
  t.AddInt32(0, bits).AddBool(1, is_signed);
  return t;
}

constexpr uint8_t kInt = 2, kFloat = 3, kBinary = 4, kUtf8 = 5, kDecimal = 7, kDate = 8,
                  kTimestamp = 10, kList = 12, kStruct = 13, kUnion = 14, kMap = 17,
                  kLargeUtf8 = 20;

std::string Frame(const std::string& metadata, const std::string& body = "") {
  std::string out = "\xff\xff\xff\xff";
  auto length = static_cast<int32_t>(metadata.size());
  out.append(reinterpret_cast<const char*>(&length), 4);
  return out + metadata + body;
}

std::string Message(uint8_t header_type, FlatTable header, int64_t body_length) {
  FlatTable m;
  m.AddInt16(0, 4)
      .AddUint8(1, header_type)
      .AddTable(2, std::move(header))
      .AddInt64(3, body_length);
  return m.Finish();
}

std::string SchemaMessage(std::vector<FlatTable> fields) {
  FlatTable schema;
  schema.AddTableVector(1, std::move(fields));
  return Frame(Message(1, std::move(schema), 0));
}

std::string Longs(const std::vector<int64_t>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 8);
}

FlatTable BatchTable(int64_t length, const std::vector<Node>& nodes,
                     const std::vector<Buf>& buffers) {
  std::vector<int64_t> n, b;
  for (const Node& x : nodes) n.insert(n.end(), {x.length, x.null_count});
  for (const Buf& x : buffers) b.insert(b.end(), {x.offset, x.length});
  FlatTable batch;
  batch.AddInt64(0, length)
      .AddAligned8Vector(1, Longs(n), static_cast<uint32_t>(nodes.size()))
      .AddAligned8Vector(2, Longs(b), static_cast<uint32_t>(buffers.size()));
  return batch;
}

std::string BatchMessage(int64_t length, const std::vector<Node>& nodes,
                         const std::vector<Buf>& buffers, std::string body) {
  body.resize((body.size() + 7) / 8 * 8, '\0');
  return Frame(
      Message(3, BatchTable(length, nodes, buffers), static_cast<int64_t>(body.size())),
      body);
}

std::string DictionaryMessage(int64_t id, bool delta, int64_t length,
                              const std::vector<Node>& nodes,
                              const std::vector<Buf>& buffers, std::string body) {
  body.resize((body.size() + 7) / 8 * 8, '\0');
  FlatTable dict;
  dict.AddInt64(0, id).AddTable(1, BatchTable(length, nodes, buffers)).AddBool(2, delta);
  return Frame(Message(2, std::move(dict), static_cast<int64_t>(body.size())), body);
}

const std::string kEos("\xff\xff\xff\xff\0\0\0\0", 8);

template <typename T>
std::string Bytes(std::initializer_list<T> values) {
  std::string out;
  for (T v : values) out.append(reinterpret_cast<const char*>(&v), sizeof(T));
  return out;
}

std::string Read(const std::string& bytes) {
  auto result = ReadStream(std::make_shared<const std::string>(bytes));
  if (!result.ok()) return result.status().ToString();
  return BatchesToJson(result->batches).dump();
}

std::string IntSchema() { return SchemaMessage({FieldOf("x", kInt, IntType(32))}); }
std::string StringSchema() { return SchemaMessage({FieldOf("s", kUtf8, FlatTable())}); }

// ---- the hand-built messages are right when they do not lie ----

TEST(ReaderTest, HandBuiltStreamsDecode) {
  std::string ints =
      IntSchema() +
      BatchMessage(3, {{3, 0}}, {{0, 0}, {0, 12}}, Bytes<int32_t>({7, 8, 9})) + kEos;
  EXPECT_EQ(Read(ints), "[[[7],[8],[9]]]");
  std::string strings =
      StringSchema() +
      BatchMessage(2, {{2, 0}}, {{0, 0}, {0, 12}, {16, 5}},
                   Bytes<int32_t>({0, 2, 5}) + std::string(4, '\0') + "abcde") +
      kEos;
  EXPECT_EQ(Read(strings), R"([[["ab"],["cde"]]])");
}

// ---- truncated input ----

TEST(ReaderTest, EveryTruncationOfAStreamIsAnErrorOrEndsAtAMessageBoundary) {
  auto fixture = testing::LoadFixture("all_types");
  ASSERT_OK(fixture);
  auto bytes = WriteStream(*fixture->schema, fixture->built);
  ASSERT_OK(bytes);
  int boundaries = 0;
  for (size_t cut = 0; cut < bytes->size(); ++cut) {
    auto result = ReadStream(std::make_shared<const std::string>(bytes->substr(0, cut)));
    if (result.ok()) {
      ++boundaries;  // the bytes end right after a whole message
    } else {
      EXPECT_EQ(result.status().code(), StatusCode::kCorruption) << "cut at " << cut;
    }
  }
  EXPECT_EQ(boundaries, 4);  // after the schema and after each of the three batches
}

TEST(ReaderTest, TruncatedMessageSaysHowMuchIsMissing) {
  std::string stream = IntSchema() + BatchMessage(3, {{3, 0}}, {{0, 0}, {0, 12}},
                                                  Bytes<int32_t>({7, 8, 9}));
  EXPECT_EQ(
      Read(stream.substr(0, stream.size() - 3)),
      "Corruption: stream is truncated: the message at byte 144 needs 168 bytes, 165 "
      "remain");
}

TEST(ReaderTest, EmptyInputHasNoSchema) {
  EXPECT_EQ(Read(""), "Corruption: stream ends before its schema message");
}

// ---- lying lengths, offsets and counts ----

TEST(ReaderTest, ABufferPastTheEndOfTheBodyIsRefused) {
  std::string stream =
      IntSchema() +
      BatchMessage(3, {{3, 0}}, {{0, 0}, {8, 100}}, Bytes<int32_t>({7, 8, 9})) + kEos;
  EXPECT_EQ(
      Read(stream),
      "Corruption: message at byte 144: column 'x': buffer 1 (offset 8, length 100) is "
      "outside the 16-byte message body");
}

TEST(ReaderTest, ABufferWithANegativeOffsetIsRefused) {
  std::string stream = IntSchema() +
                       BatchMessage(1, {{1, 0}}, {{0, 0}, {-8, 4}}, Bytes<int32_t>({7})) +
                       kEos;
  EXPECT_EQ(
      Read(stream),
      "Corruption: message at byte 144: column 'x': buffer 1 (offset -8, length 4) is "
      "outside the 8-byte message body");
}

TEST(ReaderTest, AValuesBufferTooShortForTheLengthIsRefused) {
  std::string stream =
      IntSchema() +
      BatchMessage(5, {{5, 0}}, {{0, 0}, {0, 12}}, Bytes<int32_t>({7, 8, 9})) + kEos;
  EXPECT_EQ(
      Read(stream),
      "Corruption: message at byte 144: column 'x': values buffer of 12 bytes is too "
      "short for 5 values of 4 bytes");
}

TEST(ReaderTest, OffsetsThatGoBackwardsAreRefused) {
  std::string stream =
      StringSchema() +
      BatchMessage(2, {{2, 0}}, {{0, 0}, {0, 12}, {16, 5}},
                   Bytes<int32_t>({0, 5, 3}) + std::string(4, '\0') + "abcde") +
      kEos;
  EXPECT_EQ(
      Read(stream),
      "Corruption: message at byte 128: column 's': offsets go backwards at index 2 (5 "
      "then 3)");
}

TEST(ReaderTest, OffsetsPastTheDataAreRefused) {
  std::string stream =
      StringSchema() +
      BatchMessage(2, {{2, 0}}, {{0, 0}, {0, 12}, {16, 5}},
                   Bytes<int32_t>({0, 2, 50}) + std::string(4, '\0') + "abcde") +
      kEos;
  EXPECT_EQ(
      Read(stream),
      "Corruption: message at byte 128: column 's': last offset 50 is past the 5 data "
      "bytes");
}

TEST(ReaderTest, ANegativeFirstOffsetIsRefused) {
  std::string stream = StringSchema() +
                       BatchMessage(1, {{1, 0}}, {{0, 0}, {0, 8}, {8, 5}},
                                    Bytes<int32_t>({-4, 2}) + "abcde") +
                       kEos;
  EXPECT_EQ(Read(stream),
            "Corruption: message at byte 128: column 's': first offset -4 is negative");
}

TEST(ReaderTest, NegativeCountsAreRefused) {
  std::string body = Bytes<int32_t>({7, 8, 9});
  EXPECT_EQ(
      Read(IntSchema() + BatchMessage(3, {{-1, 0}}, {{0, 0}, {0, 12}}, body) + kEos),
      "Corruption: message at byte 144: column 'x': negative length -1");
  EXPECT_EQ(
      Read(IntSchema() + BatchMessage(3, {{3, -2}}, {{0, 0}, {0, 12}}, body) + kEos),
      "Corruption: message at byte 144: column 'x': null count -2 is not within its "
      "length 3");
  EXPECT_EQ(
      Read(IntSchema() + BatchMessage(-3, {{3, 0}}, {{0, 0}, {0, 12}}, body) + kEos),
      "Corruption: message at byte 144: negative record batch length -3");
  EXPECT_EQ(Read(IntSchema() + BatchMessage(3, {{3, 4}}, {{0, 0}, {0, 12}}, body) + kEos),
            "Corruption: message at byte 144: column 'x': null count 4 is not within its "
            "length 3");
}

TEST(ReaderTest, MoreValuesThanThirtyTwoBitOffsetsReachAreRefused) {
  EXPECT_EQ(
      Read(IntSchema() +
           BatchMessage(1, {{int64_t{1} << 31, 0}}, {{0, 0}, {0, 4}},
                        Bytes<int32_t>({7})) +
           kEos),
      "Corruption: message at byte 144: column 'x': length 2147483648 is more than the "
      "engine's 2147483647 values");
}

TEST(ReaderTest, ANegativeMetadataLengthIsRefused) {
  EXPECT_EQ(Read(IntSchema() + Bytes<int32_t>({-1, -8})),
            "Corruption: negative metadata length -8");
}

TEST(ReaderTest, ANegativeBodyLengthIsRefused) {
  FlatTable header = BatchTable(0, {{0, 0}}, {{0, 0}, {0, 0}});
  EXPECT_EQ(Read(IntSchema() + Frame(Message(3, std::move(header), -16)) + kEos),
            "Corruption: negative message body length -16");
}

TEST(ReaderTest, ANullCountTheBitmapDoesNotBearOutIsRefused) {
  std::string body =
      Bytes<uint8_t>({0b101}) + std::string(7, '\0') + Bytes<int32_t>({7, 8, 9});
  EXPECT_EQ(
      Read(IntSchema() + BatchMessage(3, {{3, 2}}, {{0, 1}, {8, 12}}, body) + kEos),
      "Corruption: message at byte 144: column 'x': null count 2 does not match the "
      "validity bitmap's 1");
  EXPECT_EQ(Read(IntSchema() + BatchMessage(3, {{3, 1}}, {{0, 1}, {8, 12}}, body) + kEos),
            "[[[7],[null],[9]]]");
}

TEST(ReaderTest, NullsWithoutABitmapAreRefused) {
  EXPECT_EQ(
      Read(IntSchema() +
           BatchMessage(3, {{3, 1}}, {{0, 0}, {0, 12}}, Bytes<int32_t>({7, 8, 9})) +
           kEos),
      "Corruption: message at byte 144: column 'x': 1 nulls but no validity bitmap");
}

TEST(ReaderTest, TooFewOrTooManyBuffersAndNodesAreRefused) {
  std::string body = Bytes<int32_t>({7, 8, 9});
  EXPECT_EQ(
      Read(IntSchema() + BatchMessage(3, {{3, 0}}, {{0, 0}}, body) + kEos),
      "Corruption: message at byte 144: record batch has 1 buffers, too few for the "
      "schema (at column 'x')");
  EXPECT_EQ(
      Read(IntSchema() + BatchMessage(3, {}, {{0, 0}, {0, 12}}, body) + kEos),
      "Corruption: message at byte 144: record batch has 0 field nodes, too few for the "
      "schema (at column 'x')");
  EXPECT_EQ(
      Read(IntSchema() + BatchMessage(3, {{3, 0}, {3, 0}}, {{0, 0}, {0, 12}}, body) +
           kEos),
      "Corruption: message at byte 144: record batch has 2 field nodes, the schema needs "
      "1");
  EXPECT_EQ(
      Read(IntSchema() + BatchMessage(3, {{3, 0}}, {{0, 0}, {0, 12}, {0, 0}}, body) +
           kEos),
      "Corruption: message at byte 144: record batch has 3 buffers, the schema needs 2");
}

TEST(ReaderTest, AColumnShorterThanTheBatchIsRefused) {
  EXPECT_EQ(Read(IntSchema() +
                 BatchMessage(4, {{3, 0}}, {{0, 0}, {0, 12}}, Bytes<int32_t>({7, 8, 9})) +
                 kEos),
            "Corruption: message at byte 144: column 'x': has 3 values, the record batch "
            "4 rows");
}

TEST(ReaderTest, AListChildShorterThanItsOffsetsIsRefused) {
  std::string schema = SchemaMessage({FieldOf("l", kList, FlatTable(), [] {
    std::vector<FlatTable> c;
    c.push_back(FieldOf("element", kInt, IntType(32)));
    return c;
  }())});
  std::string body =
      Bytes<int32_t>({0, 2, 4}) + std::string(4, '\0') + Bytes<int32_t>({1, 2, 3});
  EXPECT_EQ(
      Read(schema +
           BatchMessage(2, {{2, 0}, {3, 0}}, {{0, 0}, {0, 12}, {0, 0}, {16, 12}}, body) +
           kEos),
      "Corruption: message at byte 208: column 'l': last offset 4 is past the 3 child "
      "values");
}

// Inputs the fuzzer found (src/ipc/testdata/fuzz-*), kept as regression tests.
std::string FuzzFinding(const std::string& name) {
  return testing::ReadFileBytes(testing::SourceDir() + "/src/ipc/testdata/" + name);
}

TEST(ReaderTest, MisalignedStructVectorsAreRefused) {
  auto read = ReadFile(std::make_shared<const std::string>(
      FuzzFinding("fuzz-misaligned-footer-blocks.arrow")));
  EXPECT_EQ(read.status().ToString(),
            "Corruption: dictionary block vector is misaligned");
}

// The child's count is checked before the list's offsets are made: this length once made
// the reader allocate 3 GB.
TEST(ReaderTest, AFixedSizeListLongerThanItsChildIsRefusedBeforeAllocating) {
  auto read = ReadStream(std::make_shared<const std::string>(
      FuzzFinding("fuzz-fixed-size-list-of-a-forged-length.arrows")));
  EXPECT_EQ(
      read.status().ToString(),
      "Corruption: message at byte 784: column 'fsl': child has 6 values, fewer than "
      "771751939 lists of 2");
}

TEST(ReaderTest, MetadataThatDoesNotVerifyIsRefused) {
  std::string garbage = Bytes<uint32_t>({4, 1000, 7, 9});
  EXPECT_EQ(Read(Frame(garbage)),
            "Corruption: message metadata flatbuffer does not verify");
}

TEST(ReaderTest, AMessageWithoutItsHeaderIsRefused) {
  FlatTable m;
  m.AddInt16(0, 4).AddUint8(1, 1).AddInt64(3, 0);
  EXPECT_EQ(Read(Frame(m.Finish()) + kEos),
            "Corruption: message at byte 0: message without its header");
}

TEST(ReaderTest, MessagesOutOfOrderAreRefused) {
  std::string batch = BatchMessage(1, {{1, 0}}, {{0, 0}, {0, 4}}, Bytes<int32_t>({7}));
  EXPECT_EQ(Read(batch + kEos),
            "Corruption: message at byte 0: a record batch before the schema message");
  EXPECT_EQ(Read(IntSchema() + IntSchema() + kEos),
            "Corruption: message at byte 144: a second schema message");
}

// ---- dictionaries ----

std::string DictionarySchema() {
  FlatTable field = FieldOf("c", kUtf8, FlatTable());
  FlatTable dict;
  dict.AddInt64(0, 5).AddTable(1, IntType(8));
  field.AddTable(4, std::move(dict));
  std::vector<FlatTable> fields;
  fields.push_back(std::move(field));
  return SchemaMessage(std::move(fields));
}

std::string Dictionary(int64_t id, bool delta, const std::vector<std::string>& words) {
  std::vector<int32_t> offsets = {0};
  std::string data;
  for (const auto& w : words) {
    data += w;
    offsets.push_back(static_cast<int32_t>(data.size()));
  }
  std::string offset_bytes(reinterpret_cast<const char*>(offsets.data()),
                           offsets.size() * 4);
  int64_t padded = (offset_bytes.size() + 7) / 8 * 8;
  std::string body =
      offset_bytes + std::string(padded - offset_bytes.size(), '\0') + data;
  auto n = static_cast<int64_t>(words.size());
  return DictionaryMessage(id, delta, n, {{n, 0}},
                           {{0, 0},
                            {0, static_cast<int64_t>(offset_bytes.size())},
                            {padded, static_cast<int64_t>(data.size())}},
                           body);
}

TEST(ReaderTest, DictionaryBatchesAndDeltasDecodeIndices) {
  std::string stream =
      DictionarySchema() + Dictionary(5, false, {"a", "b"}) +
      BatchMessage(3, {{3, 0}}, {{0, 0}, {0, 3}}, Bytes<int8_t>({1, 0, 1})) +
      Dictionary(5, true, {"c"}) +
      BatchMessage(2, {{2, 0}}, {{0, 0}, {0, 2}}, Bytes<int8_t>({2, 0})) +
      Dictionary(5, false, {"z"}) +
      BatchMessage(1, {{1, 0}}, {{0, 0}, {0, 1}}, Bytes<int8_t>({0})) + kEos;
  EXPECT_EQ(Read(stream), R"([[["b"],["a"],["b"]],[["c"],["a"]],[["z"]]])");
}

TEST(ReaderTest, ADictionaryIndexOutOfRangeIsRefused) {
  std::string stream =
      DictionarySchema() + Dictionary(5, false, {"a", "b"}) +
      BatchMessage(2, {{2, 0}}, {{0, 0}, {0, 2}}, Bytes<int8_t>({1, 2})) + kEos;
  EXPECT_EQ(
      Read(stream),
      "Corruption: message at byte 416: column 'c': dictionary index 2 (row 1) is out of "
      "range for a dictionary of 2 values");
  std::string negative =
      DictionarySchema() + Dictionary(5, false, {"a", "b"}) +
      BatchMessage(1, {{1, 0}}, {{0, 0}, {0, 1}}, Bytes<int8_t>({-1})) + kEos;
  EXPECT_EQ(
      Read(negative),
      "Corruption: message at byte 416: column 'c': dictionary index -1 (row 0) is out "
      "of range for a dictionary of 2 values");
}

TEST(ReaderTest, ARecordBatchBeforeItsDictionaryIsRefused) {
  std::string stream = DictionarySchema() +
                       BatchMessage(1, {{1, 0}}, {{0, 0}, {0, 1}}, Bytes<int8_t>({0})) +
                       kEos;
  EXPECT_EQ(
      Read(stream),
      "Corruption: message at byte 192: column 'c': no dictionary with id 5 came before "
      "the record batch");
}

TEST(ReaderTest, ADictionaryNoColumnUsesIsRefused) {
  EXPECT_EQ(
      Read(DictionarySchema() + Dictionary(9, false, {"a"}) + kEos),
      "Corruption: message at byte 192: dictionary batch for id 9, which no column uses");
}

// ---- types ----

TEST(ReaderTest, UnsupportedTypesAreRefusedNamingTheColumnAndType) {
  FlatTable decimal256;
  decimal256.AddInt32(0, 40).AddInt32(1, 2).AddInt32(2, 256);
  std::vector<FlatTable> children;
  children.push_back(FieldOf("u", kUnion, FlatTable()));
  EXPECT_EQ(
      Read(SchemaMessage({FieldOf("s", kStruct, FlatTable(), std::move(children))})),
      "Invalid argument: column 's.u': unsupported Arrow type union");
  EXPECT_EQ(Read(SchemaMessage({FieldOf("d", kDecimal, std::move(decimal256))})),
            "Invalid argument: column 'd': unsupported Arrow type decimal256(40, 2)");
  FlatTable half;
  half.AddInt16(0, 0);
  EXPECT_EQ(Read(SchemaMessage({FieldOf("h", kFloat, std::move(half))})),
            "Invalid argument: column 'h': unsupported Arrow type float16");
  EXPECT_EQ(Read(SchemaMessage({FieldOf("i", kInt, IntType(24))})),
            "Invalid argument: column 'i': unsupported Arrow type int24");
}

// PySpark's VARIANT: struct<value: binary, metadata: binary>, "metadata" tagged
// variant=true.
std::vector<FlatTable> VariantFields(uint8_t value_type) {
  FlatTable metadata = FieldOf("metadata", kBinary, FlatTable(), {}, false);
  FlatTable tag;
  tag.AddString(0, "variant").AddString(1, "true");
  std::vector<FlatTable> tags;
  tags.push_back(std::move(tag));
  metadata.AddTableVector(6, std::move(tags));
  std::vector<FlatTable> fields;
  fields.push_back(FieldOf("value", value_type, FlatTable(), {}, false));
  fields.push_back(std::move(metadata));
  return fields;
}

TEST(ReaderTest, ATaggedStructIsAVariantOnlyInPySparksLayout) {
  auto variant = ReadStream(std::make_shared<const std::string>(
      SchemaMessage({FieldOf("v", kStruct, FlatTable(), VariantFields(kBinary))}) +
      kEos));
  ASSERT_OK(variant);
  EXPECT_EQ(variant->schema->ToString(), "struct<v:variant>");
  EXPECT_EQ(
      Read(SchemaMessage({FieldOf("v", kStruct, FlatTable(), VariantFields(kUtf8))})),
      "Corruption: message at byte 0: column 'v': a variant (tagged variant=true) must "
      "be struct<value: binary, metadata: binary>, found "
      "struct<value:string,metadata:binary>");
}

TEST(ReaderTest, AFieldWithoutItsTypeIsRefused) {
  FlatTable no_table;
  no_table.AddString(0, "x").AddBool(1, true).AddUint8(2, kInt).AddTableVector(5, {});
  std::vector<FlatTable> fields;
  fields.push_back(std::move(no_table));
  EXPECT_EQ(Read(SchemaMessage(std::move(fields))),
            "Corruption: message at byte 0: column 'x': field has no type table");
  FlatTable no_type;
  no_type.AddString(0, "y").AddBool(1, true).AddTableVector(5, {});
  fields.clear();
  fields.push_back(std::move(no_type));
  EXPECT_EQ(Read(SchemaMessage(std::move(fields))),
            "Corruption: message at byte 0: column 'y': field has no type");
}

TEST(ReaderTest, ForeignTypesMapToTheNearestEngineType) {
  FlatTable ms_date;
  ms_date.AddInt16(0, 1);
  FlatTable ns;
  ns.AddInt16(0, 3);
  std::string schema = SchemaMessage(
      {FieldOf("u", kInt, IntType(64, false)), FieldOf("d", kDate, std::move(ms_date)),
       FieldOf("t", kTimestamp, std::move(ns)), FieldOf("s", kLargeUtf8, FlatTable())});
  auto read = ReadStream(std::make_shared<const std::string>(schema + kEos));
  ASSERT_OK(read);
  EXPECT_EQ(read->schema->ToString(),
            "struct<u:decimal(20,0),d:date,t:timestamp_ntz,s:string>");
  std::string body = Bytes<uint64_t>({UINT64_MAX}) + Bytes<int64_t>({-1}) +
                     Bytes<int64_t>({-1001}) + Bytes<int64_t>({0, 2}) + "hi";
  std::string stream =
      schema +
      BatchMessage(
          1, {{1, 0}, {1, 0}, {1, 0}, {1, 0}},
          {{0, 0}, {0, 8}, {0, 0}, {8, 8}, {0, 0}, {16, 8}, {0, 0}, {24, 16}, {40, 2}},
          body) +
      kEos;
  EXPECT_EQ(Read(stream), R"([[["18446744073709551615",-1,"-2","hi"]]])");
}

TEST(ReaderTest, MapsWithNullKeysAreRefused) {
  std::vector<FlatTable> kv;
  kv.push_back(FieldOf("key", kInt, IntType(32)));
  kv.push_back(FieldOf("value", kInt, IntType(32)));
  std::vector<FlatTable> entries;
  entries.push_back(FieldOf("entries", kStruct, FlatTable(), std::move(kv), false));
  FlatTable map_type;
  map_type.AddBool(0, false);
  std::string schema =
      SchemaMessage({FieldOf("m", kMap, std::move(map_type), std::move(entries))});
  std::string body = Bytes<int32_t>({0, 1}) + Bytes<uint8_t>({0}) + std::string(7, '\0') +
                     Bytes<int32_t>({0, 0}) + Bytes<int32_t>({5, 0});
  std::string stream =
      schema +
      BatchMessage(1, {{1, 0}, {1, 0}, {1, 1}, {1, 0}},
                   {{0, 0}, {0, 8}, {0, 0}, {8, 1}, {16, 4}, {0, 0}, {24, 4}}, body) +
      kEos;
  EXPECT_EQ(Read(stream), "Corruption: message at byte 352: column 'm': null map key");
}

// ---- compression ----

TEST(ReaderTest, ACompressedBufferThatIsShorterThanStatedIsRefused) {
  std::string data = Bytes<int32_t>({7, 8, 9});
  std::string compressed;
  ASSERT_OK(CompressBuffer(Compression::kZstd, 1,
                           reinterpret_cast<const uint8_t*>(data.data()), data.size(),
                           &compressed));
  FlatTable batch =
      BatchTable(3, {{3, 0}}, {{0, 0}, {0, static_cast<int64_t>(8 + compressed.size())}});
  FlatTable codec;
  codec.AddInt8(0, 1).AddInt8(1, 0);
  batch.AddTable(3, std::move(codec));
  std::string body = Bytes<int64_t>({100}) + compressed;
  body.resize((body.size() + 7) / 8 * 8, '\0');
  std::string stream =
      IntSchema() +
      Frame(Message(3, std::move(batch), static_cast<int64_t>(body.size())), body) + kEos;
  EXPECT_EQ(Read(stream),
            "Corruption: message at byte 144: column 'x', buffer 1: compressed buffer "
            "decompresses to 12 bytes, not its stated 100");
}

// ---- files ----

TEST(ReaderTest, FilesWithBadMagicOrLyingFootersAreRefused) {
  auto fixture = testing::LoadFixture("all_types");
  ASSERT_OK(fixture);
  auto file = WriteFile(*fixture->schema, fixture->built);
  ASSERT_OK(file);
  auto read = [](std::string bytes) {
    auto r = ReadFile(std::make_shared<const std::string>(std::move(bytes)));
    return r.ok() ? std::string("OK") : r.status().ToString();
  };
  EXPECT_EQ(read(*file), "OK");
  EXPECT_EQ(read("ARROW1"), "Corruption: file of 6 bytes is too short for an Arrow file");
  std::string bad_start = *file;
  bad_start[0] = 'X';
  EXPECT_EQ(read(bad_start), "Corruption: file does not start with the ARROW1 magic");
  std::string bad_end = *file;
  bad_end.back() = 'X';
  EXPECT_EQ(read(bad_end), "Corruption: file does not end with the ARROW1 magic");
  std::string long_footer = *file;
  int32_t huge = 1 << 30;
  std::memcpy(long_footer.data() + long_footer.size() - 10, &huge, 4);
  EXPECT_EQ(read(long_footer),
            "Corruption: footer length 1073741824 does not fit in the " +
                std::to_string(file->size()) + "-byte file");
  std::string truncated = file->substr(0, 64) + file->substr(file->size() - 10);
  EXPECT_EQ(read(truncated), "Corruption: footer length " +
                                 std::to_string(*reinterpret_cast<const int32_t*>(
                                     file->data() + file->size() - 10)) +
                                 " does not fit in the 74-byte file");
}

}  // namespace
}  // namespace rivulet::ipc

namespace rivulet::ipc {
namespace {

// ---- more lying metadata ----

std::vector<FlatTable> Fields(FlatTable a) {
  std::vector<FlatTable> v;
  v.push_back(std::move(a));
  return v;
}

std::vector<FlatTable> Fields(FlatTable a, FlatTable b) {
  std::vector<FlatTable> v;
  v.push_back(std::move(a));
  v.push_back(std::move(b));
  return v;
}

FlatTable Dictionary(int64_t id, int bits) {
  FlatTable d;
  d.AddInt64(0, id).AddTable(1, IntType(bits));
  return d;
}

TEST(ReaderMetadataTest, BigEndianDataIsRefused) {
  FlatTable schema;
  schema.AddInt16(0, 1).AddTableVector(1, Fields(FieldOf("x", kInt, IntType(32))));
  EXPECT_EQ(Read(Frame(Message(1, std::move(schema), 0))),
            "Invalid argument: big-endian Arrow data is not supported");
}

TEST(ReaderMetadataTest, MetadataVersionsBeforeV4AreRefused) {
  FlatTable schema;
  schema.AddTableVector(1, {});
  FlatTable m;
  m.AddInt16(0, 2).AddUint8(1, 1).AddTable(2, std::move(schema)).AddInt64(3, 0);
  EXPECT_EQ(Read(Frame(m.Finish())),
            "Invalid argument: Arrow metadata version V3 is too old (V4 or later is "
            "supported)");
}

TEST(ReaderMetadataTest, TensorMessagesAreRefused) {
  EXPECT_EQ(Read(IntSchema() + Frame(Message(4, FlatTable(), 0)) + kEos),
            "Invalid argument: unsupported Arrow message type 4");
}

TEST(ReaderMetadataTest, DictionaryIdsUsedTwiceAreRefused) {
  FlatTable a = FieldOf("a", kUtf8, FlatTable());
  a.AddTable(4, Dictionary(5, 32));
  FlatTable b = FieldOf("b", kUtf8, FlatTable());
  b.AddTable(4, Dictionary(5, 32));
  EXPECT_EQ(
      Read(SchemaMessage(Fields(std::move(a), std::move(b)))),
      "Corruption: message at byte 0: column 'b': dictionary id 5 is already used by "
      "column 'a'");
}

TEST(ReaderMetadataTest, DictionaryIndicesOfOddWidthsAreRefused) {
  FlatTable c = FieldOf("c", kUtf8, FlatTable());
  c.AddTable(4, Dictionary(1, 12));
  EXPECT_EQ(
      Read(SchemaMessage(Fields(std::move(c)))),
      "Corruption: message at byte 0: column 'c': dictionary index bit width 12 is not "
      "8, 16, 32 or 64");
}

TEST(ReaderMetadataTest, NestedTypesWithTheWrongChildrenAreRefused) {
  EXPECT_EQ(
      Read(SchemaMessage(Fields(FieldOf(
          "l", kList, FlatTable(),
          Fields(FieldOf("a", kInt, IntType(8)), FieldOf("b", kInt, IntType(8))))))),
      "Corruption: message at byte 0: column 'l': list field has 2 children, not 1");
  FlatTable map_type;
  map_type.AddBool(0, false);
  EXPECT_EQ(Read(SchemaMessage(Fields(FieldOf("m", kMap, std::move(map_type),
                                              Fields(FieldOf("e", kInt, IntType(8))))))),
            "Corruption: message at byte 0: column 'm': map entries are not a struct of "
            "key and "
            "value");
  FlatTable width;
  width.AddInt32(0, -1);
  EXPECT_EQ(
      Read(SchemaMessage(Fields(FieldOf("f", 15, std::move(width))))),
      "Corruption: message at byte 0: column 'f': negative fixed_size_binary width -1");
}

TEST(ReaderMetadataTest, ValuesOutsideTheEngineRangeAreRefused) {
  FlatTable seconds;
  seconds.AddInt16(0, 0).AddString(1, "UTC");
  std::string ts = SchemaMessage(Fields(FieldOf("t", kTimestamp, std::move(seconds))));
  EXPECT_EQ(
      Read(ts + BatchMessage(1, {{1, 0}}, {{0, 0}, {0, 8}}, Bytes<int64_t>({1LL << 62})) +
           kEos),
      "Corruption: message at byte " + std::to_string(ts.size()) +
          ": column 't': timestamp 4611686018427387904 s (row 0) does not fit in "
          "microseconds");
  FlatTable ms;
  ms.AddInt16(0, 1);
  std::string date = SchemaMessage(Fields(FieldOf("d", kDate, std::move(ms))));
  EXPECT_EQ(
      Read(date +
           BatchMessage(1, {{1, 0}}, {{0, 0}, {0, 8}}, Bytes<int64_t>({INT64_MAX})) +
           kEos),
      "Corruption: message at byte " + std::to_string(date.size()) +
          ": column 'd': date64 value 9223372036854775807 (row 0) is out of the date "
          "range");
}

TEST(ReaderMetadataTest, ChildrenShorterThanTheirParentAreRefused) {
  std::string schema = SchemaMessage(Fields(
      FieldOf("s", kStruct, FlatTable(), Fields(FieldOf("a", kInt, IntType(32))))));
  EXPECT_EQ(Read(schema +
                 BatchMessage(2, {{2, 0}, {1, 0}}, {{0, 0}, {0, 0}, {0, 4}},
                              Bytes<int32_t>({1})) +
                 kEos),
            "Corruption: message at byte " + std::to_string(schema.size()) +
                ": column 's.a': has 1 values, fewer than its struct's 2");
  FlatTable two;
  two.AddInt32(0, 2);
  std::string fixed_list = SchemaMessage(
      Fields(FieldOf("l", 16, std::move(two), Fields(FieldOf("v", kInt, IntType(32))))));
  EXPECT_EQ(Read(fixed_list +
                 BatchMessage(2, {{2, 0}, {3, 0}}, {{0, 0}, {0, 0}, {0, 12}},
                              Bytes<int32_t>({1, 2, 3})) +
                 kEos),
            "Corruption: message at byte " + std::to_string(fixed_list.size()) +
                ": column 'l': child has 3 values, fewer than 2 lists of 2");
}

// A record batch of IntSchema() whose body claims compression `codec`, `method`.
std::string CompressedBatch(int8_t codec, int8_t method, int64_t buffer_length,
                            const std::string& body) {
  FlatTable batch = BatchTable(1, {{1, 0}}, {{0, 0}, {0, buffer_length}});
  FlatTable compression;
  compression.AddInt8(0, codec).AddInt8(1, method);
  batch.AddTable(3, std::move(compression));
  std::string padded = body;
  padded.resize((padded.size() + 7) / 8 * 8, '\0');
  return Frame(Message(3, std::move(batch), static_cast<int64_t>(padded.size())), padded);
}

TEST(ReaderMetadataTest, CompressionThatIsUnknownOrBrokenIsRefused) {
  std::string body = Bytes<int64_t>({4}) + "garbage!";
  EXPECT_EQ(Read(IntSchema() + CompressedBatch(5, 0, 16, body) + kEos),
            "Corruption: message at byte 144: unknown body compression codec 5");
  EXPECT_EQ(Read(IntSchema() + CompressedBatch(0, 1, 16, body) + kEos),
            "Corruption: message at byte 144: unknown body compression method 1");
  EXPECT_EQ(
      Read(IntSchema() + CompressedBatch(0, 0, 4, body) + kEos),
      "Corruption: message at byte 144: column 'x': compressed buffer 1 is shorter than "
      "its 8-byte length prefix");
  EXPECT_EQ(Read(IntSchema() + CompressedBatch(0, 0, 16, body) + kEos),
            "Corruption: message at byte 144: column 'x', buffer 1: LZ4 frame does not "
            "decompress: ERROR_frameType_unknown");
  EXPECT_EQ(Read(IntSchema() + CompressedBatch(1, 0, 16, body) + kEos),
            "Corruption: message at byte 144: column 'x', buffer 1: zstd frame does not "
            "decompress: Unknown frame descriptor");
  EXPECT_EQ(
      Read(IntSchema() + CompressedBatch(0, 0, 16, Bytes<int64_t>({-1}) + "raw!") + kEos),
      "[[[561471858]]]");  // -1: the bytes "raw!" are stored uncompressed
}

// ---- files built by hand ----

std::string FileOf(const std::string& messages, const FlatTable& footer) {
  std::string out = std::string("ARROW1\0\0", 8) + messages;
  std::string fb = footer.Finish();
  auto length = static_cast<int32_t>(fb.size());
  return out + fb + std::string(reinterpret_cast<const char*>(&length), 4) + "ARROW1";
}

std::string Blocks(const std::vector<std::array<int64_t, 3>>& blocks) {
  std::string out;
  for (const auto& b : blocks) {
    out += Bytes<int64_t>({b[0]}) + Bytes<int32_t>({static_cast<int32_t>(b[1]), 0}) +
           Bytes<int64_t>({b[2]});
  }
  return out;
}

FlatTable FooterTable(bool with_schema,
                      const std::vector<std::array<int64_t, 3>>& blocks) {
  FlatTable footer;
  footer.AddInt16(0, 4);
  if (with_schema) {
    FlatTable schema;
    schema.AddTableVector(1, Fields(FieldOf("x", kInt, IntType(32))));
    footer.AddTable(1, std::move(schema));
  }
  footer.AddAligned8Vector(3, Blocks(blocks), static_cast<uint32_t>(blocks.size()));
  return footer;
}

std::string ReadFileText(const std::string& bytes) {
  auto result = ReadFile(std::make_shared<const std::string>(bytes));
  if (!result.ok()) return result.status().ToString();
  return BatchesToJson(result->batches).dump();
}

TEST(ReaderFileTest, HandBuiltFilesDecodeAndLyingBlocksAreRefused) {
  std::string schema = IntSchema();
  std::string batch = BatchMessage(1, {{1, 0}}, {{0, 0}, {0, 4}}, Bytes<int32_t>({42}));
  std::string messages = schema + batch + kEos;
  const int64_t at = 8 + static_cast<int64_t>(schema.size());
  const int64_t meta = static_cast<int64_t>(batch.size()) - 8;  // the body is 8 bytes
  EXPECT_EQ(ReadFileText(FileOf(messages, FooterTable(true, {{at, meta, 8}}))),
            "[[[42]]]");
  EXPECT_EQ(ReadFileText(FileOf(messages, FooterTable(false, {{at, meta, 8}}))),
            "Corruption: file footer has no schema");
  EXPECT_EQ(ReadFileText(FileOf(messages, FooterTable(true, {{1000, meta, 8}}))),
            "Corruption: record batch block 0 (offset 1000, metadata " +
                std::to_string(meta) + ", body 8) is outside the file's data");
  EXPECT_EQ(
      ReadFileText(FileOf(messages, FooterTable(true, {{at, meta - 8, 8}}))),
      "Corruption: record batch block 0 does not frame a message of its stated sizes");
  EXPECT_EQ(ReadFileText(FileOf(messages, FooterTable(true, {{8, at - 8, 0}}))),
            "Corruption: record batch block 0 does not hold a record batch");
}

}  // namespace
}  // namespace rivulet::ipc
