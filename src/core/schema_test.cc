#include "rivulet/schema.h"

#include <gtest/gtest.h>

#include "core/core_testing.h"
#include "testing/assert_status.h"

namespace rivulet {
namespace {

using core::ErrorText;

Field MakeField(std::string name, DataTypePtr type, bool nullable = true,
                std::string comment = "") {
  Field f;
  f.name = std::move(name);
  f.type = std::move(type);
  f.nullable = nullable;
  f.comment = std::move(comment);
  return f;
}

DataTypePtr Decimal(int precision, int scale) {
  return std::move(DataType::Decimal(precision, scale)).ValueOrDie();
}

Schema ParseOrDie(std::string_view ddl) {
  auto schema = ParseDdl(ddl);
  EXPECT_OK(schema);
  return schema.ok() ? *schema : Schema();
}

TEST(DataTypeTest, PrimitivesAreSingletons) {
  EXPECT_EQ(DataType::Int().get(), DataType::Int().get());
  EXPECT_EQ(DataType::String().get(), DataType::String().get());
  EXPECT_NE(DataType::Int().get(), DataType::Long().get());
}

TEST(DataTypeTest, ToStringIsSparksSimpleString) {
  EXPECT_EQ(DataType::Null()->ToString(), "void");
  EXPECT_EQ(DataType::Boolean()->ToString(), "boolean");
  EXPECT_EQ(DataType::Byte()->ToString(), "tinyint");
  EXPECT_EQ(DataType::Short()->ToString(), "smallint");
  EXPECT_EQ(DataType::Int()->ToString(), "int");
  EXPECT_EQ(DataType::Long()->ToString(), "bigint");
  EXPECT_EQ(DataType::Float()->ToString(), "float");
  EXPECT_EQ(DataType::Double()->ToString(), "double");
  EXPECT_EQ(Decimal(10, 2)->ToString(), "decimal(10,2)");
  EXPECT_EQ(DataType::String()->ToString(), "string");
  EXPECT_EQ(DataType::Binary()->ToString(), "binary");
  EXPECT_EQ(DataType::Date()->ToString(), "date");
  EXPECT_EQ(DataType::Timestamp()->ToString(), "timestamp");
  EXPECT_EQ(DataType::TimestampNtz()->ToString(), "timestamp_ntz");
  EXPECT_EQ(DataType::DayTimeInterval()->ToString(), "interval day to second");
  EXPECT_EQ(DataType::Variant()->ToString(), "variant");
  EXPECT_EQ(DataType::Array(DataType::String())->ToString(), "array<string>");
  EXPECT_EQ(DataType::Map(DataType::String(), DataType::Int())->ToString(),
            "map<string,int>");
  EXPECT_EQ(DataType::Struct({MakeField("a", DataType::Int()),
                              MakeField("b c", DataType::Double(), false)})
                ->ToString(),
            "struct<a:int,b c:double>");
}

TEST(DataTypeTest, ToDdlIsSparksSqlForm) {
  EXPECT_EQ(DataType::Int()->ToDdl(), "INT");
  EXPECT_EQ(DataType::Long()->ToDdl(), "BIGINT");
  EXPECT_EQ(DataType::Null()->ToDdl(), "VOID");
  EXPECT_EQ(DataType::TimestampNtz()->ToDdl(), "TIMESTAMP_NTZ");
  EXPECT_EQ(DataType::DayTimeInterval()->ToDdl(), "INTERVAL DAY TO SECOND");
  EXPECT_EQ(DataType::Variant()->ToDdl(), "VARIANT");
  EXPECT_EQ(Decimal(38, 6)->ToDdl(), "DECIMAL(38,6)");
  EXPECT_EQ(DataType::Array(DataType::String())->ToDdl(), "ARRAY<STRING>");
  EXPECT_EQ(DataType::Map(DataType::String(), DataType::Array(DataType::Int()))->ToDdl(),
            "MAP<STRING, ARRAY<INT>>");
  EXPECT_EQ(DataType::Struct({MakeField("a", DataType::Int()),
                              MakeField("b c", DataType::Double(), false)})
                ->ToDdl(),
            "STRUCT<a: INT, `b c`: DOUBLE NOT NULL>");
  EXPECT_EQ(DataType::Struct({})->ToDdl(), "STRUCT<>");
}

TEST(DataTypeTest, DecimalEnforcesSparksLimits) {
  EXPECT_OK(DataType::Decimal(1, 0));
  EXPECT_OK(DataType::Decimal(38, 38));
  EXPECT_EQ(ErrorText(DataType::Decimal(0, 0)),
            "Invalid argument: invalid decimal(0,0): precision must be between 1 and 38");
  EXPECT_EQ(
      ErrorText(DataType::Decimal(39, 2)),
      "Invalid argument: invalid decimal(39,2): precision must be between 1 and 38");
  EXPECT_EQ(ErrorText(DataType::Decimal(5, 6)),
            "Invalid argument: invalid decimal(5,6): scale must be between 0 and the "
            "precision");
  EXPECT_EQ(ErrorText(DataType::Decimal(5, -1)),
            "Invalid argument: invalid decimal(5,-1): scale must be between 0 and the "
            "precision");
}

TEST(DataTypeTest, EqualsComparesStructureNotPointers) {
  EXPECT_TRUE(Decimal(10, 2)->Equals(*Decimal(10, 2)));
  EXPECT_FALSE(Decimal(10, 2)->Equals(*Decimal(10, 3)));
  EXPECT_FALSE(Decimal(10, 2)->Equals(*Decimal(11, 2)));
  EXPECT_TRUE(
      DataType::Array(DataType::Int())->Equals(*DataType::Array(DataType::Int())));
  EXPECT_FALSE(
      DataType::Array(DataType::Int())->Equals(*DataType::Array(DataType::Int(), false)));
  EXPECT_FALSE(
      DataType::Array(DataType::Int())->Equals(*DataType::Array(DataType::Long())));
  EXPECT_FALSE(DataType::Map(DataType::Int(), DataType::Int())
                   ->Equals(*DataType::Map(DataType::Int(), DataType::Int(), false)));
  EXPECT_FALSE(DataType::Map(DataType::Int(), DataType::Int())
                   ->Equals(*DataType::Map(DataType::Long(), DataType::Int())));
  EXPECT_FALSE(DataType::Map(DataType::Int(), DataType::Int())
                   ->Equals(*DataType::Map(DataType::Int(), DataType::Long())));
  EXPECT_FALSE(DataType::Timestamp()->Equals(*DataType::TimestampNtz()));
  auto s1 = DataType::Struct({MakeField("a", DataType::Int())});
  EXPECT_TRUE(
      s1->Equals(*DataType::Struct({MakeField("a", DataType::Int(), true, "note")})));
  EXPECT_FALSE(s1->Equals(*DataType::Struct({MakeField("b", DataType::Int())})));
  EXPECT_FALSE(s1->Equals(*DataType::Struct({MakeField("a", DataType::Int(), false)})));
  EXPECT_FALSE(s1->Equals(*DataType::Struct({})));
}

TEST(DataTypeTest, IsNestedOnlyForArrayMapAndStruct) {
  EXPECT_FALSE(DataType::String()->IsNested());
  EXPECT_FALSE(Decimal(4, 2)->IsNested());
  EXPECT_TRUE(DataType::Array(DataType::Int())->IsNested());
  EXPECT_TRUE(DataType::Map(DataType::Int(), DataType::Int())->IsNested());
  EXPECT_TRUE(DataType::Struct({})->IsNested());
}

TEST(SchemaTest, FieldIndexIsCaseSensitive) {
  Schema schema = ParseOrDie("id INT, Name STRING");
  EXPECT_EQ(schema.FieldIndex("id"), 0);
  EXPECT_EQ(schema.FieldIndex("Name"), 1);
  EXPECT_EQ(schema.FieldIndex("name"), -1);
  EXPECT_EQ(schema.FieldIndex("missing"), -1);
}

TEST(SchemaTest, EqualsIgnoresCommentsAndMetadata) {
  Schema a = ParseOrDie("id INT COMMENT 'x'");
  Schema b = ParseOrDie("id INT");
  EXPECT_TRUE(a.Equals(b));
  EXPECT_FALSE(a.Equals(ParseOrDie("id INT NOT NULL")));
  EXPECT_FALSE(a.Equals(ParseOrDie("id BIGINT")));
  EXPECT_FALSE(a.Equals(ParseOrDie("id INT, x INT")));
}

TEST(SchemaTest, ToDdlAndToString) {
  Schema schema =
      ParseOrDie("id INT, name STRING NOT NULL COMMENT 'it\\'s', `a b` ARRAY<INT>");
  EXPECT_EQ(schema.ToDdl(),
            "id INT, name STRING NOT NULL COMMENT 'it\\'s', `a b` ARRAY<INT>");
  EXPECT_EQ(schema.ToString(), "struct<id:int,name:string,a b:array<int>>");
  EXPECT_EQ(Schema().ToDdl(), "");
  EXPECT_EQ(Schema().ToString(), "struct<>");
}

TEST(SchemaTest, ToDdlParsesBackToAnEqualSchema) {
  const char* kDdl =
      "b BOOLEAN, t TINYINT NOT NULL, s SMALLINT, i INT, l BIGINT, f FLOAT, d DOUBLE, "
      "dec DECIMAL(38,10), str STRING COMMENT 'back\\\\slash and \\'quote\\'', bin "
      "BINARY, "
      "dt DATE, ts TIMESTAMP, ntz TIMESTAMP_NTZ, v VOID, `we``ird name` INT, `9` INT, "
      "arr ARRAY<ARRAY<STRING>>, m MAP<STRING, STRUCT<x: INT NOT NULL, `y z`: DOUBLE>>, "
      "st STRUCT<a: INT COMMENT 'inner', b: STRUCT<>>";
  Schema schema = ParseOrDie(kDdl);
  ASSERT_EQ(schema.num_fields(), 19);
  std::string ddl = schema.ToDdl();
  Schema again = ParseOrDie(ddl);
  EXPECT_TRUE(schema.Equals(again)) << ddl;
  EXPECT_EQ(again.ToDdl(), ddl);
  EXPECT_EQ(again.field(8).comment, "back\\slash and 'quote'");
  EXPECT_EQ(again.field(14).name, "we`ird name");
  EXPECT_EQ(again.field(18).type->fields()[0].comment, "inner");
}

TEST(SchemaTest, SparkJsonHasSparksExactFormat) {
  Schema schema = ParseOrDie(
      "id INT, big BIGINT NOT NULL, s SMALLINT, b TINYINT, v VOID, d DECIMAL(10,2), "
      "tags ARRAY<STRING>, m MAP<STRING, INT>");
  EXPECT_EQ(
      schema.ToSparkJson(),
      R"({"type":"struct","fields":[)"
      R"({"name":"id","type":"integer","nullable":true,"metadata":{}},)"
      R"({"name":"big","type":"long","nullable":false,"metadata":{}},)"
      R"({"name":"s","type":"short","nullable":true,"metadata":{}},)"
      R"({"name":"b","type":"byte","nullable":true,"metadata":{}},)"
      R"({"name":"v","type":"void","nullable":true,"metadata":{}},)"
      R"j({"name":"d","type":"decimal(10,2)","nullable":true,"metadata":{}},)j"
      R"({"name":"tags","type":{"type":"array","elementType":"string","containsNull":true},)"
      R"("nullable":true,"metadata":{}},)"
      R"({"name":"m","type":{"type":"map","keyType":"string","valueType":"integer",)"
      R"("valueContainsNull":true},"nullable":true,"metadata":{}}]})");
}

TEST(SchemaTest, SparkJsonKeepsCommentsAndMetadata) {
  Field field = MakeField("a", DataType::Int(), true, "the \"a\"");
  field.metadata["source"] = "kafka";
  Schema schema({field});
  std::string json = schema.ToSparkJson();
  EXPECT_EQ(json,
            R"({"type":"struct","fields":[{"name":"a","type":"integer","nullable":true,)"
            R"("metadata":{"comment":"the \"a\"","source":"kafka"}}]})");
  auto back = Schema::FromSparkJson(json);
  ASSERT_OK(back);
  EXPECT_EQ(back->field(0).comment, "the \"a\"");
  EXPECT_EQ(back->field(0).metadata,
            (std::map<std::string, std::string>{{"source", "kafka"}}));
}

TEST(SchemaTest, SparkJsonRoundTripsEveryType) {
  Schema schema = ParseOrDie(
      "b BOOLEAN, t TINYINT, s SMALLINT, i INT, l BIGINT NOT NULL, f FLOAT, d DOUBLE, "
      "dec DECIMAL(38,10), str STRING, bin BINARY, dt DATE, ts TIMESTAMP, ntz "
      "TIMESTAMP_NTZ, "
      "v VOID, arr ARRAY<ARRAY<STRING>>, m MAP<STRING, STRUCT<x: INT NOT NULL, `y z`: "
      "DOUBLE>>, "
      "st STRUCT<>");
  // Nullability inside arrays and maps cannot be written in DDL, only in JSON.
  std::vector<Field> fields = schema.fields();
  fields.push_back(MakeField(
      "strict",
      DataType::Map(DataType::Int(), DataType::Array(DataType::Int(), false), false)));
  schema = Schema(fields);
  auto back = Schema::FromSparkJson(schema.ToSparkJson());
  ASSERT_OK(back);
  EXPECT_TRUE(back->Equals(schema));
  EXPECT_EQ(back->ToSparkJson(), schema.ToSparkJson());
}

TEST(SchemaTest, FromSparkJsonAcceptsWhatSparkWrites) {
  // Spark omits nothing, but older writers used "null" for the void type and plain
  // "decimal"; non-string metadata values are kept as their JSON text.
  auto schema = Schema::FromSparkJson(
      R"({"type":"struct","fields":[{"name":"n","type":"null","nullable":true,"metadata":{}},)"
      R"({"name":"d","type":"decimal","nullable":false,"metadata":{"scale":2}},)"
      R"j({"name":"c","type":"varchar(5)","nullable":true}]})j");
  ASSERT_OK(schema);
  EXPECT_EQ(schema->ToString(), "struct<n:void,d:decimal(10,0),c:string>");
  EXPECT_FALSE(schema->field(1).nullable);
  EXPECT_EQ(schema->field(1).metadata.at("scale"), "2");
}

TEST(SchemaTest, FromSparkJsonRejectsMalformedInput) {
  const std::pair<const char*, const char*> kCases[] = {
      {"{",
       "schema JSON: parse error at line 1, column 2: syntax error while parsing "
       "object key - unexpected end of input; expected string literal"},
      {R"("integer")",
       R"(schema JSON: expected {"type":"struct","fields":[...]}, got "integer")"},
      {R"({"type":"struct"})", R"(schema JSON: a struct needs a "fields" array)"},
      {R"({"type":"struct","fields":[1]})",
       R"(schema JSON: a field needs a string "name", got 1)"},
      {R"({"type":"struct","fields":[{"name":"a"}]})",
       R"(schema JSON: field 'a' has no "type")"},
      {R"({"type":"struct","fields":[{"name":"a","type":"int4"}]})",
       R"(schema JSON: unknown type "int4")"},
      {R"({"type":"struct","fields":[{"name":"a","type":"array<int>"}]})",
       R"(schema JSON: unknown type "array<int>")"},
      {R"({"type":"struct","fields":[{"name":"a","type":{"type":"list"}}]})",
       R"(schema JSON: unknown type "list")"},
      {R"({"type":"struct","fields":[{"name":"a","type":{"type":"array"}}]})",
       R"(schema JSON: an array needs an "elementType")"},
      {R"({"type":"struct","fields":[{"name":"a","type":{"type":"map","keyType":"string"}}]})",
       R"(schema JSON: a map needs a "keyType" and a "valueType")"},
      {R"({"type":"struct","fields":[{"name":"a","type":{"elementType":"int"}}]})",
       R"(schema JSON: expected a type, got {"elementType":"int"})"},
      {R"({"type":"struct","fields":[{"name":"a","type":"int","nullable":"yes"}]})",
       R"(schema JSON: "nullable" must be true or false, got "yes")"},
      {R"({"type":"struct","fields":[{"name":"a","type":"int","metadata":[]}]})",
       R"(schema JSON: field 'a': "metadata" must be an object)"},
      {R"j({"type":"struct","fields":[{"name":"a","type":"decimal(40,1)"}]})j",
       R"j(schema JSON: unknown type "decimal(40,1)")j"},
  };
  for (const auto& [json, message] : kCases) {
    EXPECT_EQ(ErrorText(Schema::FromSparkJson(json)),
              std::string("Invalid argument: ") + message)
        << json;
  }
}

TEST(SchemaTest, FromSparkJsonShortensLongInputInErrors) {
  std::string json = "[\"" + std::string(200, 'x') + "\"]";
  EXPECT_EQ(
      ErrorText(Schema::FromSparkJson(json)),
      R"j(Invalid argument: schema JSON: expected {"type":"struct","fields":[...]}, got [")j" +
          std::string(75, 'x') + "...");
}

TEST(SchemaTest, FromSparkJsonRejectsNestingDeeperThanAHundredLevels) {
  std::string json = R"({"type":"struct","fields":[{"name":"a","type":)";
  for (int i = 0; i < 150; ++i) json += R"({"type":"array","elementType":)";
  json += "\"int\"";
  for (int i = 0; i < 150; ++i) json += R"(,"containsNull":true})";
  json += "}]}";
  EXPECT_EQ(ErrorText(Schema::FromSparkJson(json)),
            "Invalid argument: schema JSON: types nested deeper than 100 levels");
}

}  // namespace
}  // namespace rivulet
