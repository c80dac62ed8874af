#include "rivulet/value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "rivulet/schema.h"

namespace rivulet {
namespace {

TEST(ValueTest, KindNames) {
  EXPECT_STREQ(Value().KindName(), "null");
  EXPECT_STREQ(Value(true).KindName(), "bool");
  EXPECT_STREQ(Value(1).KindName(), "int");
  EXPECT_STREQ(Value(1.5).KindName(), "float");
  EXPECT_STREQ(Value("x").KindName(), "string");
  EXPECT_STREQ(Value(Bytes{"x"}).KindName(), "bytes");
  EXPECT_STREQ(Value(DecimalValue{1, 0}).KindName(), "decimal");
  EXPECT_STREQ(Value(DateValue{0}).KindName(), "date");
  EXPECT_STREQ(Value(TimestampValue{0}).KindName(), "timestamp");
  EXPECT_STREQ(Value(IntervalValue{0}).KindName(), "interval");
  EXPECT_STREQ(Value(VariantValue{}).KindName(), "variant");
  EXPECT_STREQ(Value(ListValue{}).KindName(), "list");
  EXPECT_STREQ(Value(MapValue{}).KindName(), "map");
}

TEST(ValueTest, ScalarsPrintAsSparksConsole) {
  EXPECT_EQ(Value().ToString(), "null");
  EXPECT_EQ(Value(true).ToString(), "true");
  EXPECT_EQ(Value(false).ToString(), "false");
  EXPECT_EQ(Value(int64_t{-42}).ToString(), "-42");
  EXPECT_EQ(Value(std::numeric_limits<int64_t>::min()).ToString(),
            "-9223372036854775808");
  EXPECT_EQ(Value("héllo").ToString(), "héllo");
  EXPECT_EQ(Value(Bytes{std::string("\x01\x02\x0a\xff", 4)}).ToString(), "[01 02 0A FF]");
  EXPECT_EQ(Value(Bytes{}).ToString(), "[]");
}

// Each text is what Spark 4.3's json and csv sinks wrote for the same interval.
TEST(ValueTest, DayTimeIntervalsPrintAsSpark) {
  constexpr int64_t kSecond = 1'000'000;
  constexpr int64_t kHour = 3600 * kSecond;
  constexpr int64_t kDay = 24 * kHour;
  const std::pair<int64_t, const char*> kCases[] = {
      {kDay + 2 * kHour + 3 * kSecond + 5, "INTERVAL '1 02:00:03.000005' DAY TO SECOND"},
      {-3 * kDay + 5 * kHour, "INTERVAL '-2 19:00:00' DAY TO SECOND"},
      {kSecond / 2, "INTERVAL '0 00:00:00.5' DAY TO SECOND"},
      {-1, "INTERVAL '-0 00:00:00.000001' DAY TO SECOND"},
      {-kDay, "INTERVAL '-1 00:00:00' DAY TO SECOND"},
      {-kDay + 1, "INTERVAL '-0 23:59:59.999999' DAY TO SECOND"},
      {0, "INTERVAL '0 00:00:00' DAY TO SECOND"},
      {std::numeric_limits<int64_t>::max(),
       "INTERVAL '106751991 04:00:54.775807' DAY TO SECOND"},
      {std::numeric_limits<int64_t>::min(),
       "INTERVAL '-106751991 04:00:54.775808' DAY TO SECOND"},
  };
  for (const auto& [micros, text] : kCases) {
    EXPECT_EQ(Value(IntervalValue{micros}).ToString(), text) << micros;
  }
}

TEST(ValueTest, VariantsPrintAsTheirJson) {
  const std::string kEmptyMetadata("\x01\x00\x00", 3);
  EXPECT_EQ(Value(VariantValue{"\x0c\x05", kEmptyMetadata}).ToString(), "5");
  EXPECT_EQ(Value(VariantValue{"\x0c", kEmptyMetadata}).ToString(),
            "<malformed variant>");
}

TEST(ValueTest, DoublesPrintAsJavasDoubleToString) {
  const std::pair<double, const char*> kCases[] = {
      {1.0, "1.0"},
      {0.1, "0.1"},
      {-2.5, "-2.5"},
      {100.0, "100.0"},
      {123456.789, "123456.789"},
      {9999999.0, "9999999.0"},
      {1e7, "1.0E7"},
      {1e10, "1.0E10"},
      {1.5e300, "1.5E300"},
      {0.001, "0.001"},
      {0.00012, "1.2E-4"},
      {-1e-10, "-1.0E-10"},
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {1.0 / 3, "0.3333333333333333"},
      {std::numeric_limits<double>::infinity(), "Infinity"},
      {-std::numeric_limits<double>::infinity(), "-Infinity"},
      {std::nan(""), "NaN"},
  };
  for (const auto& [v, text] : kCases) EXPECT_EQ(Value(v).ToString(), text) << text;
}

TEST(ValueTest, DecimalsPrintWithTheirScale) {
  EXPECT_EQ(Value(DecimalValue{1230, 2}).ToString(), "12.30");
  EXPECT_EQ(Value(DecimalValue{-5, 2}).ToString(), "-0.05");
  EXPECT_EQ(Value(DecimalValue{7, 0}).ToString(), "7");
  EXPECT_EQ(Value(DecimalValue{0, 3}).ToString(), "0.000");
  EXPECT_EQ(Value(DecimalValue{12, -2}).ToString(), "1200");
  __int128 big = 1;
  for (int i = 0; i < 38; ++i) big *= 10;
  EXPECT_EQ(Value(DecimalValue{-(big - 1), 38}).ToString(),
            "-0.99999999999999999999999999999999999999");
  __int128 min = static_cast<__int128>(static_cast<unsigned __int128>(1) << 127);
  EXPECT_EQ(Value(DecimalValue{min, 0}).ToString(),
            "-170141183460469231731687303715884105728");
}

TEST(ValueTest, DatesPrintAsIsoDates) {
  EXPECT_EQ(Value(DateValue{0}).ToString(), "1970-01-01");
  EXPECT_EQ(Value(DateValue{19724}).ToString(), "2024-01-02");
  EXPECT_EQ(Value(DateValue{19782}).ToString(), "2024-02-29");
  EXPECT_EQ(Value(DateValue{-1}).ToString(), "1969-12-31");
  EXPECT_EQ(Value(DateValue{-719162}).ToString(), "0001-01-01");
}

TEST(ValueTest, TimestampsTrimTrailingZerosOfTheFraction) {
  const int64_t base = 1704164645LL * 1000000;  // 2024-01-02 03:04:05 UTC
  EXPECT_EQ(Value(TimestampValue{base}).ToString(), "2024-01-02 03:04:05");
  EXPECT_EQ(Value(TimestampValue{base + 123456}).ToString(),
            "2024-01-02 03:04:05.123456");
  EXPECT_EQ(Value(TimestampValue{base + 120000}).ToString(), "2024-01-02 03:04:05.12");
  EXPECT_EQ(Value(TimestampValue{base + 1}).ToString(), "2024-01-02 03:04:05.000001");
  EXPECT_EQ(Value(TimestampValue{0}).ToString(), "1970-01-01 00:00:00");
  EXPECT_EQ(Value(TimestampValue{-1}).ToString(), "1969-12-31 23:59:59.999999");
}

TEST(ValueTest, NestedValuesPrintAsSparksConsole) {
  EXPECT_EQ(Value(ListValue{{1, 2, Value()}}).ToString(), "[1, 2, null]");
  EXPECT_EQ(Value(ListValue{}).ToString(), "[]");
  EXPECT_EQ(Value(MapValue{{{"a", 1}, {"b", Value()}}}).ToString(),
            "{a -> 1, b -> null}");
  EXPECT_EQ(Value(ListValue{{ListValue{{"x"}}, MapValue{}}}).ToString(), "[[x], {}]");
}

TEST(ValueTest, AStructPrintsInBracesWhenItsTypeIsGiven) {
  Field a;
  a.name = "a";
  a.type = DataType::Int();
  Field b;
  b.name = "b";
  b.type = DataType::Array(DataType::Double());
  DataTypePtr st = DataType::Struct({a, b});
  Value v = ListValue{{1, ListValue{{1.0, 2.5}}}};
  EXPECT_EQ(v.ToString(), "[1, [1.0, 2.5]]");
  EXPECT_EQ(v.ToString(*st), "{1, [1.0, 2.5]}");
  EXPECT_EQ(Value(ListValue{{v, Value()}}).ToString(*DataType::Array(st)),
            "[{1, [1.0, 2.5]}, null]");
  EXPECT_EQ(Value(MapValue{{{"k", v}}}).ToString(*DataType::Map(DataType::String(), st)),
            "{k -> {1, [1.0, 2.5]}}");
  EXPECT_EQ(Value().ToString(*st), "null");
}

TEST(ValueTest, EqualityComparesKindAndContent) {
  EXPECT_EQ(Value(1), Value(int64_t{1}));
  EXPECT_NE(Value(1), Value(1.0));
  EXPECT_NE(Value("a"), Value(Bytes{"a"}));
  EXPECT_EQ(Value(ListValue{{1, "a"}}), Value(ListValue{{1, "a"}}));
  EXPECT_NE(Value(MapValue{{{"a", 1}}}), Value(MapValue{{{"a", 2}}}));
}

}  // namespace
}  // namespace rivulet
