#include "rivulet/record_batch.h"

#include <gtest/gtest.h>

#include "core/core_testing.h"
#include "testing/assert_status.h"

namespace rivulet {
namespace {

using core::Build;
using core::ErrorText;
using core::Row;
using core::SchemaOf;

template <typename T>
BufferPtr BufferOf(std::vector<T> values) {
  return Buffer::Copy(values.data(), static_cast<int64_t>(values.size() * sizeof(T)));
}

// A writable copy of a column, to break one invariant at a time.
std::shared_ptr<ArrayData> CopyOf(const ArrayDataPtr& column) {
  return std::make_shared<ArrayData>(*column);
}

// Validates `batch` with column `c` replaced.
std::string ValidateWith(const RecordBatchPtr& batch, int c, ArrayDataPtr column) {
  std::vector<ArrayDataPtr> columns = batch->columns();
  columns[c] = std::move(column);
  return ErrorText(RecordBatch(batch->schema(), columns, batch->num_rows()).Validate());
}

TEST(BufferTest, FromVectorTakesTheBytes) {
  std::vector<uint8_t> bytes = {1, 2, 3};
  const uint8_t* data = bytes.data();
  BufferPtr buffer = Buffer::FromVector(std::move(bytes));
  EXPECT_EQ(buffer->data(), data);
  EXPECT_EQ(buffer->size(), 3);
  EXPECT_EQ(buffer->span()[2], 3);
}

TEST(BufferTest, CopyOwnsItsBytes) {
  int32_t values[] = {7, 8};
  BufferPtr buffer = Buffer::Copy(values, sizeof(values));
  values[0] = 0;
  EXPECT_NE(buffer->data(), reinterpret_cast<const uint8_t*>(values));
  EXPECT_EQ(buffer->size(), 8);
  EXPECT_EQ(buffer->data_as<int32_t>()[0], 7);
  EXPECT_EQ(Buffer::Copy(nullptr, 0)->size(), 0);
}

TEST(ArrayDataTest, GetValueRespectsTheArrayOffset) {
  // Rows 1..3 of int32 [10, 20, null, 40] with validity 0b1011.
  auto array = std::make_shared<ArrayData>();
  array->type = DataType::Int();
  array->offset = 1;
  array->length = 3;
  array->null_count = 1;
  array->buffers = {BufferOf<uint8_t>({0b1011}), BufferOf<int32_t>({10, 20, 0, 40})};
  EXPECT_EQ(array->GetValue(0), Value(20));
  EXPECT_TRUE(array->IsNull(1));
  EXPECT_EQ(array->GetValue(1), Value());
  EXPECT_EQ(array->GetValue(2), Value(40));
}

TEST(ArrayDataTest, GetValueFollowsChildOffsetsInNestedArrays) {
  // A list<string> whose offsets index a string child that is itself sliced by one.
  auto strings = std::make_shared<ArrayData>();
  strings->type = DataType::String();
  strings->offset = 1;
  strings->length = 3;
  strings->buffers = {nullptr, BufferOf<int32_t>({0, 4, 5, 7, 10}),
                      BufferOf<char>({'s', 'k', 'i', 'p', 'a', 'b', 'c', 'd', 'e', 'f'})};
  auto list = std::make_shared<ArrayData>();
  list->type = DataType::Array(DataType::String());
  list->length = 2;
  list->buffers = {nullptr, BufferOf<int32_t>({0, 1, 3})};
  list->children = {strings};
  EXPECT_EQ(list->GetValue(0), Value(ListValue{{"a"}}));
  EXPECT_EQ(list->GetValue(1), Value(ListValue{{"bc", "def"}}));
  // A struct's children are indexed by the struct's own offset.
  Field f;
  f.name = "s";
  f.type = DataType::String();
  auto st = std::make_shared<ArrayData>();
  st->type = DataType::Struct({f});
  st->offset = 2;
  st->length = 1;
  st->buffers = {nullptr};
  st->children = {strings};
  EXPECT_EQ(st->GetValue(0), Value(ListValue{{"def"}}));
}

TEST(RecordBatchTest, ToRowsReadsEveryValue) {
  RecordBatchPtr batch =
      Build("a INT, m MAP<STRING, ARRAY<INT>>",
            {{1, MapValue{{{"x", ListValue{{1, 2}}}}}}, {Value(), Value()}});
  EXPECT_EQ(batch->ToRows(), (std::vector<Row>{{1, MapValue{{{"x", ListValue{{1, 2}}}}}},
                                               {Value(), Value()}}));
}

TEST(RecordBatchTest, SliceSharesBuffersAndSetsOffsets) {
  std::vector<Row> rows;
  rows.reserve(20);
  for (int i = 0; i < 20; ++i) {
    rows.push_back({i % 3 == 0 ? Value() : Value(i), "s" + std::to_string(i),
                    ListValue{{i, i}}, ListValue{{i % 4 == 0 ? Value() : Value(i)}}});
  }
  RecordBatchPtr batch = Build("i INT, s STRING, a ARRAY<INT>, st STRUCT<x: INT>", rows);
  std::shared_ptr<RecordBatch> slice = batch->Slice(5, 10);
  ASSERT_EQ(slice->num_rows(), 10);
  ASSERT_OK(slice->Validate());
  EXPECT_EQ(slice->ToRows(), std::vector<Row>(rows.begin() + 5, rows.begin() + 15));
  for (int c = 0; c < batch->num_columns(); ++c) {
    EXPECT_EQ(slice->column(c)->offset, 5);
    EXPECT_EQ(slice->column(c)->length, 10);
    EXPECT_EQ(slice->column(c)->buffers, batch->column(c)->buffers);
    EXPECT_EQ(slice->column(c)->children, batch->column(c)->children);
  }
  EXPECT_EQ(slice->column(0)->null_count, 3);  // rows 6, 9 and 12
  EXPECT_EQ(slice->column(1)->null_count, 0);
  // A slice of a slice adds up the offsets.
  std::shared_ptr<RecordBatch> inner = slice->Slice(2, 3);
  EXPECT_EQ(inner->column(0)->offset, 7);
  EXPECT_EQ(inner->column(0)->null_count, 1);
  EXPECT_EQ(inner->ToRows(), std::vector<Row>(rows.begin() + 7, rows.begin() + 10));
}

TEST(RecordBatchTest, SliceIsClampedToTheBatch) {
  RecordBatchPtr batch = Build("a INT", {{1}, {2}, {3}});
  EXPECT_EQ(batch->Slice(1, 100)->ToRows(), (std::vector<Row>{{2}, {3}}));
  EXPECT_EQ(batch->Slice(5, 1)->num_rows(), 0);
  EXPECT_EQ(batch->Slice(-1, 1)->ToRows(), (std::vector<Row>{{1}}));
  EXPECT_OK(batch->Slice(3, 0)->Validate());
}

TEST(RecordBatchTest, ByteSizeCountsEachBufferOnce) {
  RecordBatchPtr batch = Build("i INT, s STRING", {{1, "ab"}, {Value(), "cde"}});
  // validity (1) + values (8) + offsets (12) + data (5); the string column has no nulls.
  EXPECT_EQ(batch->ByteSize(), 1 + 8 + 12 + 5);
  EXPECT_EQ(batch->Slice(1, 1)->ByteSize(), batch->ByteSize());
  RecordBatch twice(SchemaOf("a INT, b INT"), {batch->column(0), batch->column(0)}, 2);
  EXPECT_EQ(twice.ByteSize(), 1 + 8);
}

TEST(RecordBatchTest, FixedWidthColumnsTakeOwnershipOfTheirValues) {
  RecordBatch batch(SchemaOf("l BIGINT NOT NULL, d DOUBLE"),
                    {MakeFixedWidthColumn<int64_t>(DataType::Long(), {1, 2}),
                     MakeFixedWidthColumn<double>(DataType::Double(), {0.5, 1.5})},
                    2);
  EXPECT_OK(batch.Validate());
  EXPECT_EQ(batch.ToRows(), (std::vector<Row>{{1, 0.5}, {2, 1.5}}));
}

TEST(RecordBatchValidateTest, BatchShapeMustMatchTheSchema) {
  RecordBatchPtr batch = Build("a INT", {{1}, {2}});
  EXPECT_EQ(
      ErrorText(RecordBatch(SchemaOf("a INT, b INT"), batch->columns(), 2).Validate()),
      "Invalid argument: the batch has 1 columns, the schema 2");
  EXPECT_EQ(ErrorText(RecordBatch(batch->schema(), batch->columns(), 3).Validate()),
            "Invalid argument: column 'a': length 2 differs from the batch's 3 rows");
  EXPECT_EQ(ErrorText(RecordBatch(batch->schema(), {nullptr}, 2).Validate()),
            "Invalid argument: column 'a' is missing");
  EXPECT_EQ(ErrorText(RecordBatch(nullptr, {}, 0).Validate()),
            "Invalid argument: the batch has no schema");
  EXPECT_EQ(ErrorText(RecordBatch(batch->schema(), batch->columns(), -1).Validate()),
            "Invalid argument: negative row count -1");
  EXPECT_EQ(
      ErrorText(RecordBatch(SchemaOf("a BIGINT"), batch->columns(), 2).Validate()),
      "Invalid argument: column 'a': array type int does not match the schema's bigint");
}

TEST(RecordBatchValidateTest, BuffersMustCoverOffsetPlusLength) {
  RecordBatchPtr dense = Build("a INT", {{1}, {2}, {3}});
  auto shifted = CopyOf(dense->column(0));
  shifted->offset = 1;
  EXPECT_EQ(ValidateWith(dense, 0, shifted),
            "Invalid argument: column 'a': values buffer has 12 bytes, needs 16");
  auto no_values = CopyOf(dense->column(0));
  no_values->buffers[1] = nullptr;
  EXPECT_EQ(ValidateWith(dense, 0, no_values),
            "Invalid argument: column 'a': values buffer has 0 bytes, needs 12");
  RecordBatchPtr batch = Build("a INT", {{1}, {Value()}, {3}});
  auto short_bitmap = CopyOf(batch->column(0));
  short_bitmap->buffers[0] = BufferOf<uint8_t>({});
  EXPECT_EQ(ValidateWith(batch, 0, short_bitmap),
            "Invalid argument: column 'a': validity buffer has 0 bytes, needs 1");
  RecordBatchPtr bools = Build("b BOOLEAN", std::vector<Row>(9, Row{true}));
  auto short_bits = CopyOf(bools->column(0));
  short_bits->buffers[1] = BufferOf<uint8_t>({0xff});
  EXPECT_EQ(ValidateWith(bools, 0, short_bits),
            "Invalid argument: column 'b': values buffer has 1 bytes, needs 2");
  RecordBatchPtr decimals = Build("d DECIMAL(5,2)", {{1}});
  auto short_decimal = CopyOf(decimals->column(0));
  short_decimal->buffers[1] = BufferOf<int64_t>({100});
  EXPECT_EQ(ValidateWith(decimals, 0, short_decimal),
            "Invalid argument: column 'd': values buffer has 8 bytes, needs 16");
}

TEST(RecordBatchValidateTest, LengthOffsetAndNullCountMustBeSane) {
  RecordBatchPtr batch = Build("a INT", {{1}, {Value()}, {3}});
  auto negative = CopyOf(batch->column(0));
  negative->offset = -1;
  EXPECT_EQ(ValidateWith(batch, 0, negative),
            "Invalid argument: column 'a': length 3 and offset -1 are out of range");
  auto huge = CopyOf(batch->column(0));
  huge->offset = INT64_MAX - 1;
  EXPECT_EQ(
      ValidateWith(batch, 0, huge),
      "Invalid argument: column 'a': length 3 and offset 9223372036854775806 are out "
      "of range");
  auto too_many_nulls = CopyOf(batch->column(0));
  too_many_nulls->null_count = 4;
  EXPECT_EQ(ValidateWith(batch, 0, too_many_nulls),
            "Invalid argument: column 'a': null count 4 is out of range for 3 rows");
  auto wrong_count = CopyOf(batch->column(0));
  wrong_count->null_count = 2;
  EXPECT_EQ(ValidateWith(batch, 0, wrong_count),
            "Invalid argument: column 'a': null count 2 does not match the validity "
            "bitmap's 1");
  auto no_bitmap = CopyOf(batch->column(0));
  no_bitmap->buffers[0] = nullptr;
  EXPECT_EQ(ValidateWith(batch, 0, no_bitmap),
            "Invalid argument: column 'a': null count 1 without a validity bitmap");
  auto extra_buffer = CopyOf(batch->column(0));
  extra_buffer->buffers.push_back(nullptr);
  EXPECT_EQ(ValidateWith(batch, 0, extra_buffer),
            "Invalid argument: column 'a': expected 2 buffers for int, found 3");
  auto untyped = CopyOf(batch->column(0));
  untyped->type = nullptr;
  EXPECT_EQ(ValidateWith(batch, 0, untyped),
            "Invalid argument: column 'a': the array has no type");
}

TEST(RecordBatchValidateTest, StringOffsetsMustBeMonotonicAndWithinTheData) {
  RecordBatchPtr batch = Build("s STRING", {{"ab"}, {"c"}});
  auto decreasing = CopyOf(batch->column(0));
  decreasing->buffers[1] = BufferOf<int32_t>({0, 2, 1});
  EXPECT_EQ(ValidateWith(batch, 0, decreasing),
            "Invalid argument: column 's': offsets decrease at index 2 (2 then 1)");
  auto beyond = CopyOf(batch->column(0));
  beyond->buffers[1] = BufferOf<int32_t>({0, 2, 4});
  EXPECT_EQ(ValidateWith(batch, 0, beyond),
            "Invalid argument: column 's': offset 4 is beyond the data buffer (3)");
  auto negative = CopyOf(batch->column(0));
  negative->buffers[1] = BufferOf<int32_t>({-1, 2, 3});
  EXPECT_EQ(ValidateWith(batch, 0, negative),
            "Invalid argument: column 's': offset -1 is negative");
  auto short_offsets = CopyOf(batch->column(0));
  short_offsets->buffers[1] = BufferOf<int32_t>({0, 2});
  EXPECT_EQ(ValidateWith(batch, 0, short_offsets),
            "Invalid argument: column 's': offsets buffer has 8 bytes, needs 12");
  // An empty array may leave its offsets buffer empty, as some Arrow writers do.
  RecordBatchPtr none = Build("s STRING", {});
  auto no_offsets = CopyOf(none->column(0));
  no_offsets->buffers[1] = nullptr;
  no_offsets->buffers[2] = nullptr;
  EXPECT_EQ(ValidateWith(none, 0, no_offsets), "OK");
}

TEST(RecordBatchValidateTest, NestedLayoutsAreCheckedRecursively) {
  RecordBatchPtr lists = Build("a ARRAY<INT>", {{ListValue{{1, 2}}}, {ListValue{{3}}}});
  auto beyond = CopyOf(lists->column(0));
  beyond->buffers[1] = BufferOf<int32_t>({0, 2, 4});
  EXPECT_EQ(
      ValidateWith(lists, 0, beyond),
      "Invalid argument: column 'a': offset 4 is beyond the child array's length (3)");
  auto childless = CopyOf(lists->column(0));
  childless->children.clear();
  EXPECT_EQ(
      ValidateWith(lists, 0, childless),
      "Invalid argument: column 'a': expected 1 child arrays for array<int>, found 0");
  auto missing_child = CopyOf(lists->column(0));
  missing_child->children[0] = nullptr;
  EXPECT_EQ(ValidateWith(lists, 0, missing_child),
            "Invalid argument: column 'a': a child array is missing");
  auto bad_element = CopyOf(lists->column(0));
  auto element = CopyOf(bad_element->children[0]);
  element->buffers[1] = BufferOf<int32_t>({1});
  bad_element->children[0] = element;
  EXPECT_EQ(ValidateWith(lists, 0, bad_element),
            "Invalid argument: column 'a.element': values buffer has 4 bytes, needs 12");

  RecordBatchPtr structs = Build("s STRUCT<x: INT, y: STRING>", {{ListValue{{1, "a"}}}});
  auto short_field = CopyOf(structs->column(0));
  short_field->offset = 1;
  short_field->buffers[0] = BufferOf<uint8_t>({0xff});
  EXPECT_EQ(ValidateWith(structs, 0, short_field),
            "Invalid argument: column 's': struct has 2 rows but field 'x' only 1");
  auto bad_field = CopyOf(structs->column(0));
  auto y = CopyOf(bad_field->children[1]);
  y->buffers[1] = BufferOf<int32_t>({0, 5});
  bad_field->children[1] = y;
  EXPECT_EQ(ValidateWith(structs, 0, bad_field),
            "Invalid argument: column 's.y': offset 5 is beyond the data buffer (1)");
}

TEST(RecordBatchValidateTest, MapEntriesMustBeAKeyValueStructWithoutNullKeys) {
  RecordBatchPtr maps = Build("m MAP<STRING, INT>", {{MapValue{{{"k", 1}, {"j", 2}}}}});
  auto not_struct = CopyOf(maps->column(0));
  not_struct->children[0] = Build("i INT", {{1}, {2}})->column(0);
  EXPECT_EQ(ValidateWith(maps, 0, not_struct),
            "Invalid argument: column 'm': map entries must be a struct, found int");
  auto null_entries = CopyOf(maps->column(0));
  auto entries = CopyOf(null_entries->children[0]);
  entries->null_count = 1;
  entries->buffers[0] = BufferOf<uint8_t>({0b01});
  null_entries->children[0] = entries;
  EXPECT_EQ(ValidateWith(maps, 0, null_entries),
            "Invalid argument: column 'm': map entries must not be null");
  auto null_keys = CopyOf(maps->column(0));
  entries = CopyOf(null_keys->children[0]);
  auto keys = CopyOf(entries->children[0]);
  keys->null_count = 1;
  keys->buffers[0] = BufferOf<uint8_t>({0b10});
  entries->children[0] = keys;
  null_keys->children[0] = entries;
  EXPECT_EQ(ValidateWith(maps, 0, null_keys),
            "Invalid argument: column 'm': null map keys are not allowed");
  auto short_values = CopyOf(maps->column(0));
  entries = CopyOf(short_values->children[0]);
  entries->children[1] = Build("i INT", {{1}})->column(0);
  short_values->children[0] = entries;
  EXPECT_EQ(
      ValidateWith(maps, 0, short_values),
      "Invalid argument: column 'm': map entries have 2 rows but a key or value child "
      "only 1");
  auto bad_value = CopyOf(maps->column(0));
  entries = CopyOf(bad_value->children[0]);
  entries->children[1] = Build("i BIGINT", {{1}, {2}})->column(0);
  bad_value->children[0] = entries;
  EXPECT_EQ(ValidateWith(maps, 0, bad_value),
            "Invalid argument: column 'm.value': array type bigint does not match the "
            "schema's int");
}

TEST(RecordBatchValidateTest, NullsWhereTheSchemaForbidsThemAreReported) {
  RecordBatchPtr nullable = Build("id INT", {{1}, {Value()}});
  EXPECT_EQ(
      ErrorText(
          RecordBatch(SchemaOf("id INT NOT NULL"), nullable->columns(), 2).Validate()),
      "Invalid argument: column 'id' (row 1): null in a NOT NULL column");

  // A NOT NULL struct field may hold anything under a null struct, not under a valid one.
  RecordBatchPtr structs =
      Build("s STRUCT<a: INT>", {{ListValue{{Value()}}}, {Value()}, {ListValue{{1}}}});
  auto strict = SchemaOf("s STRUCT<a: INT NOT NULL>");
  auto retyped = CopyOf(structs->column(0));
  retyped->type = strict->field(0).type;
  RecordBatch checked(strict, {retyped}, 3);
  EXPECT_EQ(ErrorText(checked.Validate()),
            "Invalid argument: column 's.a' (row 0): null in a NOT NULL column");
  EXPECT_EQ(ErrorText(checked.Slice(1, 2)->Validate()), "OK");

  // Elements that no row references are not checked.
  auto json = Schema::FromSparkJson(
      R"j({"type":"struct","fields":[{"name":"a","type":{"type":"array","elementType":)j"
      R"j("integer","containsNull":false},"nullable":true,"metadata":{}}]})j");
  ASSERT_OK(json);
  auto no_null_elements = std::make_shared<const Schema>(*json);
  RecordBatchPtr lists =
      Build("a ARRAY<INT>", {{ListValue{{1, Value()}}}, {ListValue{{2}}}});
  auto list = CopyOf(lists->column(0));
  list->type = no_null_elements->field(0).type;
  RecordBatch with_null_element(no_null_elements, {list}, 2);
  EXPECT_EQ(
      ErrorText(with_null_element.Validate()),
      "Invalid argument: column 'a.element' (row 0): null in an array that does not "
      "contain nulls");
  EXPECT_EQ(ErrorText(with_null_element.Slice(1, 1)->Validate()), "OK");
}

TEST(RecordBatchValidateTest, EveryBuiltBatchAndSliceIsValid) {
  RecordBatchPtr batch = Build(
      "v VOID, b BOOLEAN, d DECIMAL(10,2), s STRING, a ARRAY<STRUCT<x: INT NOT NULL>>, "
      "m MAP<INT, MAP<STRING, BINARY>>",
      {{Value(), true, 1, "x", ListValue{{ListValue{{1}}}},
        MapValue{{{1, MapValue{{{"k", Bytes{"\x01"}}}}}}}},
       {Value(), Value(), Value(), Value(), Value(), Value()},
       {Value(), false, DecimalValue{5, 1}, "", ListValue{{Value()}},
        MapValue{{{2, Value()}}}}});
  for (int64_t start = 0; start <= 3; ++start) {
    for (int64_t length = 0; start + length <= 3; ++length) {
      Status st = batch->Slice(start, length)->Validate();
      EXPECT_OK(st) << start << "+" << length;
    }
  }
}

}  // namespace
}  // namespace rivulet
