#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "core/core_testing.h"
#include "rivulet/record_batch.h"
#include "testing/assert_status.h"

namespace rivulet {
namespace {

using core::Build;
using core::ErrorText;
using core::Row;
using core::SchemaOf;

// The error of the first refused row.
std::string Refusal(std::string_view ddl, const std::vector<Row>& rows) {
  RecordBatchBuilder builder(SchemaOf(ddl));
  for (const Row& row : rows) {
    Status st = builder.AppendRow(row);
    if (!st.ok()) return st.ToString();
  }
  return "OK";
}

template <typename T>
std::vector<T> Values(const BufferPtr& buffer) {
  std::vector<T> out(static_cast<size_t>(buffer->size()) / sizeof(T));
  std::memcpy(out.data(), buffer->data(), out.size() * sizeof(T));
  return out;
}

std::string Text(const BufferPtr& buffer) {
  return std::string(reinterpret_cast<const char*>(buffer->data()),
                     static_cast<size_t>(buffer->size()));
}

__int128 Pow10(int n) {
  __int128 out = 1;
  for (int i = 0; i < n; ++i) out *= 10;
  return out;
}

TEST(RecordBatchBuilderTest, EveryTypeRoundTripsThroughToRows) {
  const char* kDdl =
      "b BOOLEAN, t TINYINT, s SMALLINT, i INT, l BIGINT, f FLOAT, d DOUBLE, "
      "dec DECIMAL(38,2), str STRING, bin BINARY, dt DATE, ts TIMESTAMP, ntz "
      "TIMESTAMP_NTZ, "
      "v VOID, arr ARRAY<STRING>, m MAP<STRING, INT>, st STRUCT<a: INT, b: "
      "ARRAY<DOUBLE>>";
  const std::vector<Row> rows = {
      {true, -128, -32768, INT32_MIN, INT64_MIN, 0.1, -2.5,
       DecimalValue{-(Pow10(38) - 1), 2}, "héllo", Bytes{std::string("\0\xff", 2)},
       DateValue{19724}, TimestampValue{1704164645123456}, TimestampValue{-1}, Value(),
       ListValue{{"a", Value(), ""}}, MapValue{{{"k", 1}, {"n", Value()}}},
       ListValue{{7, ListValue{{1.5}}}}},
      {Value(), Value(), Value(), Value(), Value(), Value(), Value(), Value(), Value(),
       Value(), Value(), Value(), Value(), Value(), Value(), Value(), Value()},
      {false, 127, 32767, INT32_MAX, INT64_MAX, 3.0e38, 1e300, DecimalValue{1, 2}, "",
       Bytes{}, DateValue{-1}, TimestampValue{0}, TimestampValue{1}, Value(), ListValue{},
       MapValue{}, ListValue{{Value(), Value()}}},
  };
  RecordBatchPtr batch = Build(kDdl, rows);
  ASSERT_EQ(batch->num_rows(), 3);
  EXPECT_EQ(batch->ToRows(), rows);
}

TEST(RecordBatchBuilderTest, IntegersAndFloatsWidenFromAnyFittingNumber) {
  RecordBatchPtr batch =
      Build("f FLOAT, d DOUBLE, dec DECIMAL(5,2)", {{1, int64_t{1} << 40, 5},
                                                    {0.5, 0.25, DecimalValue{12300, 4}},
                                                    {0.1, 0.1, DecimalValue{1, -2}}});
  EXPECT_EQ(batch->ToRows(), (std::vector<Row>{
                                 {1.0, 1099511627776.0, DecimalValue{500, 2}},
                                 {0.5, 0.25, DecimalValue{123, 2}},
                                 // A float reads back as its shortest decimal form.
                                 {0.1, 0.1, DecimalValue{10000, 2}},
                             }));
}

TEST(RecordBatchBuilderTest, FixedWidthColumnLayout) {
  RecordBatchPtr batch =
      Build("i INT, l BIGINT NOT NULL", {{1, 10}, {Value(), 20}, {3, 30}});
  const ArrayData& i = *batch->column(0);
  EXPECT_EQ(i.length, 3);
  EXPECT_EQ(i.null_count, 1);
  EXPECT_EQ(i.offset, 0);
  ASSERT_EQ(i.buffers.size(), 2u);
  ASSERT_NE(i.buffers[0], nullptr);
  EXPECT_EQ(Values<uint8_t>(i.buffers[0]), std::vector<uint8_t>{0b101});
  EXPECT_EQ(Values<int32_t>(i.buffers[1]), (std::vector<int32_t>{1, 0, 3}));
  const ArrayData& l = *batch->column(1);
  EXPECT_EQ(l.null_count, 0);
  EXPECT_EQ(l.buffers[0], nullptr);  // no nulls, no bitmap
  EXPECT_EQ(Values<int64_t>(l.buffers[1]), (std::vector<int64_t>{10, 20, 30}));
}

TEST(RecordBatchBuilderTest, BooleanBitmapLayout) {
  std::vector<Row> rows;
  for (bool b : {true, false, true, true, false, false, false, false, true})
    rows.push_back({b});
  rows.push_back({Value()});
  RecordBatchPtr batch = Build("b BOOLEAN", rows);
  const ArrayData& b = *batch->column(0);
  EXPECT_EQ(Values<uint8_t>(b.buffers[1]), (std::vector<uint8_t>{0b00001101, 0b01}));
  EXPECT_EQ(Values<uint8_t>(b.buffers[0]), (std::vector<uint8_t>{0xff, 0b01}));
  EXPECT_EQ(b.null_count, 1);
}

TEST(RecordBatchBuilderTest, StringLayoutHasOffsetsAndData) {
  RecordBatchPtr batch = Build("s STRING", {{"ab"}, {Value()}, {""}, {"cde"}});
  const ArrayData& s = *batch->column(0);
  ASSERT_EQ(s.buffers.size(), 3u);
  EXPECT_EQ(Values<uint8_t>(s.buffers[0]), std::vector<uint8_t>{0b1101});
  EXPECT_EQ(Values<int32_t>(s.buffers[1]), (std::vector<int32_t>{0, 2, 2, 2, 5}));
  EXPECT_EQ(Text(s.buffers[2]), "abcde");
}

TEST(RecordBatchBuilderTest, DecimalsAreSixteenByteLittleEndian) {
  RecordBatchPtr batch = Build("d DECIMAL(20,2)", {{DecimalValue{-1, 2}}, {int64_t{3}}});
  const ArrayData& d = *batch->column(0);
  EXPECT_EQ(Values<__int128>(d.buffers[1]), (std::vector<__int128>{-1, 300}));
  EXPECT_EQ(Values<uint8_t>(d.buffers[1])[0], 0xff);
  EXPECT_EQ(Values<uint8_t>(d.buffers[1])[15], 0xff);
  EXPECT_EQ(Values<uint8_t>(d.buffers[1])[16], 44);  // 300 = 0x12c
  EXPECT_EQ(Values<uint8_t>(d.buffers[1])[17], 1);
}

TEST(RecordBatchBuilderTest, ListLayoutHasOffsetsIntoTheElementChild) {
  RecordBatchPtr batch = Build(
      "a ARRAY<INT>", {{ListValue{{1, 2}}}, {ListValue{}}, {Value()}, {ListValue{{3}}}});
  const ArrayData& a = *batch->column(0);
  ASSERT_EQ(a.buffers.size(), 2u);
  EXPECT_EQ(Values<uint8_t>(a.buffers[0]), std::vector<uint8_t>{0b1011});
  EXPECT_EQ(Values<int32_t>(a.buffers[1]), (std::vector<int32_t>{0, 2, 2, 2, 3}));
  ASSERT_EQ(a.children.size(), 1u);
  EXPECT_EQ(a.children[0]->length, 3);
  EXPECT_EQ(Values<int32_t>(a.children[0]->buffers[1]), (std::vector<int32_t>{1, 2, 3}));
}

TEST(RecordBatchBuilderTest, MapLayoutHasAKeyValueStructChild) {
  RecordBatchPtr batch =
      Build("m MAP<STRING, INT>", {{MapValue{{{"a", 1}, {"b", Value()}}}}, {MapValue{}}});
  const ArrayData& m = *batch->column(0);
  EXPECT_EQ(m.buffers[0], nullptr);
  EXPECT_EQ(Values<int32_t>(m.buffers[1]), (std::vector<int32_t>{0, 2, 2}));
  ASSERT_EQ(m.children.size(), 1u);
  const ArrayData& entries = *m.children[0];
  EXPECT_EQ(entries.type->ToString(), "struct<key:string,value:int>");
  EXPECT_FALSE(entries.type->fields()[0].nullable);
  EXPECT_EQ(entries.length, 2);
  ASSERT_EQ(entries.children.size(), 2u);
  EXPECT_EQ(Text(entries.children[0]->buffers[2]), "ab");
  EXPECT_EQ(entries.children[1]->null_count, 1);
  EXPECT_EQ(Values<int32_t>(entries.children[1]->buffers[1]),
            (std::vector<int32_t>{1, 0}));
}

TEST(RecordBatchBuilderTest, NullStructGivesNotNullFieldsAPlaceholder) {
  RecordBatchPtr batch =
      Build("s STRUCT<a: INT, b: STRING NOT NULL>", {{ListValue{{1, "x"}}}, {Value()}});
  const ArrayData& s = *batch->column(0);
  ASSERT_EQ(s.buffers.size(), 1u);
  EXPECT_EQ(Values<uint8_t>(s.buffers[0]), std::vector<uint8_t>{0b01});
  ASSERT_EQ(s.children.size(), 2u);
  EXPECT_EQ(s.children[0]->null_count, 1);  // nullable: null under a null struct
  EXPECT_EQ(s.children[1]->null_count, 0);  // NOT NULL: an empty string instead
  EXPECT_EQ(Values<int32_t>(s.children[1]->buffers[1]), (std::vector<int32_t>{0, 1, 1}));
  EXPECT_EQ(batch->ToRows(), (std::vector<Row>{{ListValue{{1, "x"}}}, {Value()}}));
}

TEST(RecordBatchBuilderTest, VoidColumnsHaveNoBuffers) {
  RecordBatchPtr batch = Build("v VOID", {{Value()}, {Value()}});
  EXPECT_TRUE(batch->column(0)->buffers.empty());
  EXPECT_EQ(batch->column(0)->null_count, 2);
}

TEST(RecordBatchBuilderTest, ValuesOfTheWrongKindAreRefused) {
  const std::tuple<const char*, Value, const char*> kCases[] = {
      {"id INT", "x", "column 'id' (row 0): expected int, got string \"x\""},
      {"id INT", 1.5, "column 'id' (row 0): expected int, got float 1.5"},
      {"id INT", true, "column 'id' (row 0): expected int, got bool true"},
      {"b BOOLEAN", 1, "column 'b' (row 0): expected boolean, got int 1"},
      {"f FLOAT", "1", "column 'f' (row 0): expected float, got string \"1\""},
      {"d DECIMAL(5,2)", 1.5, "column 'd' (row 0): expected decimal(5,2), got float 1.5"},
      {"s STRING", Bytes{"x"}, "column 's' (row 0): expected string, got bytes [78]"},
      {"s BINARY", "x", "column 's' (row 0): expected binary, got string \"x\""},
      {"d DATE", TimestampValue{0},
       "column 'd' (row 0): expected date, got timestamp 1970-01-01 00:00:00"},
      {"t TIMESTAMP", 5, "column 't' (row 0): expected timestamp, got int 5"},
      {"t TIMESTAMP_NTZ", DateValue{0},
       "column 't' (row 0): expected timestamp_ntz, got date 1970-01-01"},
      {"v VOID", 1, "column 'v' (row 0): expected void, got int 1"},
      {"d INTERVAL DAY TO SECOND", 5,
       "column 'd' (row 0): expected interval day to second, got int 5"},
      {"v VARIANT", Bytes{"x"}, "column 'v' (row 0): expected variant, got bytes [78]"},
      {"a ARRAY<INT>", 1, "column 'a' (row 0): expected array<int>, got int 1"},
      {"a ARRAY<INT>", MapValue{}, "column 'a' (row 0): expected array<int>, got map {}"},
      {"m MAP<STRING, INT>", ListValue{},
       "column 'm' (row 0): expected map<string,int>, got list []"},
      {"s STRUCT<a: INT>", 1, "column 's' (row 0): expected struct<a:int>, got int 1"},
      {"i INT", "a\"b\\c\nd",
       "column 'i' (row 0): expected int, got string \"a\\\"b\\\\c\\nd\""},
  };
  for (const auto& [ddl, value, message] : kCases) {
    EXPECT_EQ(Refusal(ddl, {{value}}), std::string("Invalid argument: ") + message)
        << ddl;
  }
  // A variant's bytes are checked, as Spark checks them before writing one.
  EXPECT_EQ(
      Refusal("v VARIANT", {{VariantValue{"\x0c", std::string("\x01\x00\x00", 3)}}}),
      "Invalid argument: column 'v' (row 0): [MALFORMED_VARIANT] Variant binary is "
      "malformed. Please check the data source is valid. (an integer is cut short)");
  // Strings for a string column are checked to be UTF-8, as Arrow requires.
  EXPECT_EQ(Refusal("s STRING", {{std::string("ok\xc3(", 4)}}),
            "Invalid argument: column 's' (row 0): string is not valid UTF-8");
  EXPECT_EQ(Refusal("s STRING", {{std::string("\xed\xa0\x80", 3)}}),  // a surrogate
            "Invalid argument: column 's' (row 0): string is not valid UTF-8");
  EXPECT_EQ(Refusal("s STRING", {{std::string("\xc0\xaf", 2)}}),  // overlong
            "Invalid argument: column 's' (row 0): string is not valid UTF-8");
  EXPECT_EQ(Refusal("s STRING", {{"aaaaaaaaaaaa\xf0\x9f\x98\x80 ¼ \xe2\x82\xac"}}), "OK");
}

TEST(RecordBatchBuilderTest, TheErrorNamesTheRowInTheBatch) {
  EXPECT_EQ(Refusal("id INT", {{1}, {2}, {3}, {"x"}}),
            "Invalid argument: column 'id' (row 3): expected int, got string \"x\"");
}

TEST(RecordBatchBuilderTest, LongValuesAreShortenedInErrors) {
  EXPECT_EQ(Refusal("id INT", {{std::string(100, 'x')}}),
            "Invalid argument: column 'id' (row 0): expected int, got string \"" +
                std::string(56, 'x') + "...");
}

TEST(RecordBatchBuilderTest, NumbersOutOfTheColumnsRangeAreRefused) {
  const std::tuple<const char*, Value, const char*> kCases[] = {
      {"b TINYINT", 300, "column 'b' (row 0): value 300 out of range for tinyint"},
      {"b TINYINT", -129, "column 'b' (row 0): value -129 out of range for tinyint"},
      {"s SMALLINT", 32768, "column 's' (row 0): value 32768 out of range for smallint"},
      {"i INT", int64_t{2147483648},
       "column 'i' (row 0): value 2147483648 out of range for int"},
      {"i INT", int64_t{-2147483649},
       "column 'i' (row 0): value -2147483649 out of range for int"},
      {"f FLOAT", 1e300, "column 'f' (row 0): value 1.0E300 out of range for float"},
      {"d DECIMAL(5,2)", DecimalValue{123456, 2},
       "column 'd' (row 0): value 1234.56 out of range for decimal(5,2)"},
      {"d DECIMAL(5,2)", 1000,
       "column 'd' (row 0): value 1000 out of range for decimal(5,2)"},
      {"d DECIMAL(5,2)", DecimalValue{1, -40},
       "column 'd' (row 0): value 10000000000000000000000000000000000000000 out of range "
       "for "
       "decimal(5,2)"},
      {"d DECIMAL(5,2)", DecimalValue{1234, 3},
       "column 'd' (row 0): value 1.234 does not fit decimal(5,2) without rounding"},
      {"d DECIMAL(5,2)", DecimalValue{1, 45},
       "column 'd' (row 0): value 0.000000000000000000000000000000000000000000001 does "
       "not "
       "fit decimal(5,2) without rounding"},
  };
  for (const auto& [ddl, value, message] : kCases) {
    EXPECT_EQ(Refusal(ddl, {{value}}), std::string("Invalid argument: ") + message)
        << ddl;
  }
  // The edges themselves fit; infinities and NaN are floats too.
  RecordBatchPtr batch =
      Build("f FLOAT, d DECIMAL(5,2)",
            {{std::numeric_limits<double>::infinity(), DecimalValue{99999, 2}},
             {std::nan(""), DecimalValue{-99999, 2}},
             {0.0, DecimalValue{0, -40}}});
  EXPECT_EQ(batch->column(0)->GetValue(0),
            Value(std::numeric_limits<double>::infinity()));
  EXPECT_TRUE(std::isnan(batch->column(0)->GetValue(1).as<double>()));
  EXPECT_EQ(batch->column(1)->GetValue(1), Value(DecimalValue{-99999, 2}));
}

TEST(RecordBatchBuilderTest, NullsWhereTheSchemaForbidsThemAreRefused) {
  EXPECT_EQ(Refusal("id INT NOT NULL", {{1}, {2}, {Value()}}),
            "Invalid argument: column 'id' (row 2): null in a NOT NULL column");
  EXPECT_EQ(
      Refusal("s STRUCT<a: INT NOT NULL>", {{ListValue{{1}}}, {ListValue{{Value()}}}}),
      "Invalid argument: column 's.a' (row 1): null in a NOT NULL column");
  EXPECT_EQ(Refusal("m MAP<STRING, INT>", {{MapValue{{{Value(), 1}}}}}),
            "Invalid argument: column 'm.key' (row 0): null map key");
  // Spark's DDL cannot say an array or map holds no nulls; Spark's JSON can.
  auto strict = Schema::FromSparkJson(
      R"j({"type":"struct","fields":[)j"
      R"j({"name":"tags","type":{"type":"array","elementType":"string","containsNull":false},)j"
      R"j("nullable":true,"metadata":{}},)j"
      R"j({"name":"m","type":{"type":"map","keyType":"string","valueType":"integer",)j"
      R"j("valueContainsNull":false},"nullable":true,"metadata":{}}]})j");
  ASSERT_OK(strict);
  RecordBatchBuilder builder(std::make_shared<const Schema>(*strict));
  EXPECT_EQ(
      ErrorText(builder.AppendRow(Row{ListValue{{"a", Value()}}, Value()})),
      "Invalid argument: column 'tags.element' (row 0): null in an array that does not "
      "contain nulls");
  EXPECT_EQ(
      ErrorText(builder.AppendRow(Row{Value(), MapValue{{{"k", Value()}}}})),
      "Invalid argument: column 'm.value' (row 0): null in a map that does not contain "
      "null values");
}

TEST(RecordBatchBuilderTest, NestedErrorsNameThePath) {
  EXPECT_EQ(Refusal("s STRUCT<a: INT, b: STRING>",
                    {{ListValue{{1, "x"}}}, {ListValue{{"x", "y"}}}}),
            "Invalid argument: column 's.a' (row 1): expected int, got string \"x\"");
  EXPECT_EQ(Refusal("a ARRAY<STRUCT<`x y`: ARRAY<INT>>>",
                    {{ListValue{{ListValue{{ListValue{{1, "z"}}}}}}}}),
            "Invalid argument: column 'a.element.x y.element' (row 0): expected int, got "
            "string \"z\"");
  EXPECT_EQ(Refusal("m MAP<STRING, INT>", {{MapValue{{{"k", "v"}}}}}),
            "Invalid argument: column 'm.value' (row 0): expected int, got string \"v\"");
  EXPECT_EQ(Refusal("m MAP<INT, INT>", {{MapValue{{{"k", 1}}}}}),
            "Invalid argument: column 'm.key' (row 0): expected int, got string \"k\"");
}

TEST(RecordBatchBuilderTest, StructValuesNeedOneItemPerField) {
  EXPECT_EQ(Refusal("s STRUCT<a: INT, b: STRING>", {{ListValue{{1, "x", 3}}}}),
            "Invalid argument: column 's' (row 0): expected 2 fields for "
            "struct<a:int,b:string>, got 3 values");
}

TEST(RecordBatchBuilderTest, RowsOfTheWrongWidthAreRefused) {
  RecordBatchBuilder builder(SchemaOf("a INT, b INT, c INT"));
  for (int i = 0; i < 4; ++i) ASSERT_OK(builder.AppendRow(Row{i, i, i}));
  EXPECT_EQ(ErrorText(builder.AppendRow(Row{1, 2})),
            "Invalid argument: row 4 has 2 values, the schema has 3 columns");
  EXPECT_EQ(builder.num_rows(), 4);
}

TEST(RecordBatchBuilderTest, ARefusedRowLeavesTheBuilderAsBefore) {
  const char* kDdl =
      "b BOOLEAN, s STRING, a ARRAY<STRING>, m MAP<STRING, ARRAY<INT>>, "
      "st STRUCT<x: INT, y: STRUCT<z: STRING>>, last INT NOT NULL";
  RecordBatchBuilder builder(SchemaOf(kDdl));
  const Row good1 = {true,
                     "one",
                     ListValue{{"a"}},
                     MapValue{{{"k", ListValue{{1}}}}},
                     ListValue{{1, ListValue{{"z1"}}}},
                     1};
  const Row good2 = {Value(), "two", Value(), MapValue{}, Value(), 2};
  ASSERT_OK(builder.AppendRow(good1));
  // Each refused row fails late, after earlier columns (and nested children) took values.
  const std::vector<Row> refused = {
      {false, "bad", ListValue{{"b", "c"}}, MapValue{{{"q", ListValue{{2, 3}}}}},
       ListValue{{5, ListValue{{"zz"}}}}, Value()},
      {false, "bad", ListValue{{"b"}}, MapValue{{{"q", ListValue{{2, "x"}}}}}, Value(),
       9},
      {true, Value(), ListValue{{"b", 1}}, Value(), Value(), 9},
      {true, "bad", Value(), Value(), ListValue{{5, ListValue{{1}}}}, 9},
  };
  for (const Row& row : refused) {
    EXPECT_FALSE(builder.AppendRow(row).ok());
    EXPECT_EQ(builder.num_rows(), 1);
  }
  ASSERT_OK(builder.AppendRow(good2));
  auto batch = builder.Finish();
  ASSERT_OK(batch);
  ASSERT_OK((*batch)->Validate());
  EXPECT_EQ((*batch)->ToRows(), (std::vector<Row>{good1, good2}));
  const ArrayData& b = *(*batch)->column(0);
  EXPECT_EQ(b.null_count, 1);
  EXPECT_EQ(Values<uint8_t>(b.buffers[0]), std::vector<uint8_t>{0b01});
  EXPECT_EQ(Values<uint8_t>(b.buffers[1]), std::vector<uint8_t>{0b01});
  EXPECT_EQ(Text((*batch)->column(1)->buffers[2]), "onetwo");
  const ArrayData& a = *(*batch)->column(2);
  EXPECT_EQ(Values<int32_t>(a.buffers[1]), (std::vector<int32_t>{0, 1, 1}));
  EXPECT_EQ(a.children[0]->length, 1);
  const ArrayData& m = *(*batch)->column(3);
  EXPECT_EQ(m.children[0]->length, 1);
  EXPECT_EQ(m.children[0]->children[1]->children[0]->length, 1);
  const ArrayData& st = *(*batch)->column(4);
  EXPECT_EQ(st.children[0]->length, 2);
  EXPECT_EQ(st.children[1]->children[0]->length, 2);
}

TEST(RecordBatchBuilderTest, FinishReturnsTheBatchAndStartsOver) {
  RecordBatchBuilder builder(SchemaOf("s STRING, a ARRAY<INT>"));
  ASSERT_OK(builder.AppendRow(Row{"x", ListValue{{1}}}));
  ASSERT_OK(builder.AppendRow(Row{Value(), Value()}));
  auto first = builder.Finish();
  ASSERT_OK(first);
  EXPECT_EQ(builder.num_rows(), 0);
  ASSERT_OK(builder.AppendRow(Row{"yz", ListValue{{2, 3}}}));
  auto second = builder.Finish();
  ASSERT_OK(second);
  EXPECT_EQ((*first)->ToRows(),
            (std::vector<Row>{{"x", ListValue{{1}}}, {Value(), Value()}}));
  EXPECT_EQ((*second)->ToRows(), (std::vector<Row>{{"yz", ListValue{{2, 3}}}}));
  EXPECT_EQ(Values<int32_t>((*second)->column(0)->buffers[1]),
            (std::vector<int32_t>{0, 2}));
  EXPECT_EQ((*second)->column(0)->buffers[0], nullptr);
  auto empty = builder.Finish();
  ASSERT_OK(empty);
  EXPECT_EQ((*empty)->num_rows(), 0);
  EXPECT_OK((*empty)->Validate());
}

TEST(RecordBatchBuilderTest, ABuilderMayBeMoved) {
  RecordBatchBuilder builder(SchemaOf("a INT"));
  ASSERT_OK(builder.AppendRow(Row{1}));
  RecordBatchBuilder moved(std::move(builder));
  ASSERT_OK(moved.AppendRow(Row{2}));
  auto batch = moved.Finish();
  ASSERT_OK(batch);
  EXPECT_EQ((*batch)->ToRows(), (std::vector<Row>{{1}, {2}}));
}

TEST(RecordBatchBuilderTest, ManyRowsWithRandomNullsRoundTrip) {
  const unsigned kSeed = 20240102;
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  std::srand(kSeed);
  std::vector<Row> rows;
  for (int i = 0; i < 1000; ++i) {
    auto maybe = [](const Value& v) { return std::rand() % 5 == 0 ? Value() : v; };
    rows.push_back({maybe(i % 2 == 0), maybe(i), maybe(std::to_string(i)),
                    maybe(ListValue{{maybe(i), maybe(i + 1)}}),
                    maybe(ListValue{{maybe(static_cast<double>(i)), maybe("s")}})});
  }
  RecordBatchPtr batch = Build(
      "b BOOLEAN, i INT, s STRING, a ARRAY<INT>, st STRUCT<d: DOUBLE, s: STRING>", rows);
  EXPECT_EQ(batch->ToRows(), rows);
}

}  // namespace
}  // namespace rivulet
