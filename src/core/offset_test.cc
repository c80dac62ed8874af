#include "rivulet/offset.h"

#include <gtest/gtest.h>

#include "core/core_testing.h"
#include "rivulet/source.h"
#include "testing/assert_status.h"

namespace rivulet {
namespace {

using core::ErrorText;

TEST(OffsetTest, DefaultIsEmpty) {
  Offset none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.text(), "");
}

TEST(OffsetTest, FromTextKeepsPythonsTextVerbatim) {
  auto offset = Offset::FromText(R"({"b": 1, "a": [1, 2.0]})");
  ASSERT_OK(offset);
  EXPECT_EQ(offset->text(), R"({"b": 1, "a": [1, 2.0]})");
  EXPECT_FALSE(offset->empty());
  // Comparison is by text: the same value spelled differently is a different offset.
  EXPECT_NE(*offset, *Offset::FromText(R"({"a": [1, 2.0], "b": 1})"));
  EXPECT_EQ(*offset, *Offset::FromText(R"({"b": 1, "a": [1, 2.0]})"));
}

TEST(OffsetTest, AnyJsonValueIsAnOffset) {
  EXPECT_EQ(Offset::FromText("42")->text(), "42");
  EXPECT_EQ(Offset::FromText("\"x\"")->text(), "\"x\"");
  EXPECT_EQ(Offset::FromText("null")->text(), "null");
}

TEST(OffsetTest, CanonicalSortsKeysAndDropsSpaces) {
  auto offset = Offset::Canonical(R"({"b": 1, "a": {"y": true, "x": "s"}})");
  ASSERT_OK(offset);
  EXPECT_EQ(offset->text(), R"({"a":{"x":"s","y":true},"b":1})");
  EXPECT_EQ(*offset, *Offset::Canonical(R"({"a":{"y":true,"x":"s"},"b":1})"));
}

TEST(OffsetTest, InvalidJsonIsRejected) {
  EXPECT_EQ(
      ErrorText(Offset::FromText(R"({"a": )")),
      "Invalid argument: offset is not valid JSON: parse error at line 1, column 7: "
      "syntax error while parsing value - unexpected end of input; expected '[', '{', "
      "or a literal");
  EXPECT_EQ(
      ErrorText(Offset::FromText("1 2")),
      "Invalid argument: offset is not valid JSON: parse error at line 1, column 3: "
      "syntax error while parsing value - unexpected number literal; expected end of "
      "input");
  EXPECT_EQ(
      ErrorText(Offset::Canonical("")),
      "Invalid argument: offset is not valid JSON: parse error at line 1, column 1: "
      "syntax error while parsing value - unexpected end of input; expected '[', '{', "
      "or a literal");
}

TEST(ReadLimitTest, ToJsonUsesPythonsJsonDumpsSpacing) {
  EXPECT_EQ(ReadLimit::AllAvailable().ToJson(), R"({"_type": "ReadAllAvailable"})");
  EXPECT_EQ(ReadLimit::MaxRows(2).ToJson(), R"({"_type": "ReadMaxRows", "max_rows": 2})");
  EXPECT_EQ((ReadLimit{ReadLimit::Kind::kMinRows, 5}).ToJson(),
            R"({"_type": "ReadMinRows", "min_rows": 5})");
  EXPECT_EQ((ReadLimit{ReadLimit::Kind::kMaxFiles, 3}).ToJson(),
            R"({"_type": "ReadMaxFiles", "max_files": 3})");
  EXPECT_EQ((ReadLimit{ReadLimit::Kind::kMaxBytes, 1048576}).ToJson(),
            R"({"_type": "ReadMaxBytes", "max_bytes": 1048576})");
}

TEST(ReadLimitTest, FromJsonReadsEveryKindBack) {
  const ReadLimit kLimits[] = {
      ReadLimit::AllAvailable(),
      ReadLimit::MaxRows(2),
      {ReadLimit::Kind::kMinRows, 5},
      {ReadLimit::Kind::kMaxFiles, 3},
      {ReadLimit::Kind::kMaxBytes, int64_t{1} << 40},
  };
  for (const ReadLimit& limit : kLimits) {
    auto back = ReadLimit::FromJson(limit.ToJson());
    ASSERT_OK(back);
    EXPECT_EQ(*back, limit) << limit.ToJson();
  }
  auto compact = ReadLimit::FromJson(R"({"max_rows":7,"_type":"ReadMaxRows"})");
  ASSERT_OK(compact);
  EXPECT_EQ(*compact, ReadLimit::MaxRows(7));
}

TEST(ReadLimitTest, FromJsonRejectsBadInput) {
  const std::pair<const char*, const char*> kCases[] = {
      {"{",
       "read limit is not valid JSON: parse error at line 1, column 2: syntax error "
       "while parsing object key - unexpected end of input; expected string literal"},
      {"[]", R"(read limit must be an object with a string "_type", got [])"},
      {R"({"max_rows": 2})",
       R"(read limit must be an object with a string "_type", got {"max_rows":2})"},
      {R"({"_type": 1})",
       R"(read limit must be an object with a string "_type", got {"_type":1})"},
      {R"({"_type": "ReadComposite"})", "unknown read limit type 'ReadComposite'"},
      {R"({"_type": "ReadMaxRows"})",
       R"(read limit ReadMaxRows needs an integer "max_rows", got {"_type":"ReadMaxRows"})"},
      {R"({"_type": "ReadMaxRows", "max_rows": 2.5})",
       R"(read limit ReadMaxRows needs an integer "max_rows", got {"_type":"ReadMaxRows","max_rows":2.5})"},
      {R"({"_type": "ReadMaxFiles", "max_files": -1})",
       R"(read limit ReadMaxFiles: "max_files" must not be negative, got -1)"},
      {R"({"_type": "ReadMaxBytes", "max_bytes": 18446744073709551615})",
       R"(read limit ReadMaxBytes: "max_bytes" is out of range: 18446744073709551615)"},
  };
  for (const auto& [json, message] : kCases) {
    EXPECT_EQ(ErrorText(ReadLimit::FromJson(json)),
              std::string("Invalid argument: ") + message)
        << json;
  }
}

}  // namespace
}  // namespace rivulet
