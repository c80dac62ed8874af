#include "sinks/csv_rows.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "testing/assert_status.h"

namespace rivulet {
namespace {

using ::testing::HasSubstr;

// The rows of the comparison with PySpark 4.3's df.write.csv: each expected text below
// is what Spark wrote for them with the same options.
RecordBatchPtr TrickyRows() {
  auto schema =
      std::make_shared<const Schema>(*ParseDdl("s STRING, b BINARY, f FLOAT, d DOUBLE"));
  RecordBatchBuilder builder(schema);
  auto row = [&](const Value& s, const Value& b, const Value& f, const Value& d) {
    EXPECT_OK(builder.AppendRow(std::vector<Value>{s, b, f, d}));
  };
  row("plain", Bytes{"\xab\x01"}, 0.1, 1e20);
  row(Value(), Value(), Value(), Value());
  row("", Bytes{""}, std::nan(""), -0.0);
  row("  padded  ", Value(), 1e-7, 123456789.0);
  row("has \"quote\"", Value(), 3.0, 1e7);
  row("\"starts", Value(), Value(), 1e-3);
  row("back\\slash", Value(), Value(), 1e-4);
  row("a,b", Value(), Value(), Value());
  row("line\nbreak", Value(), Value(), Value());
  row("#hash", Value(), Value(), Value());
  row("tab\there", Value(), Value(), Value());
  row("quote\" and \\ both", Value(), Value(), Value());
  row("\\\"", Value(), Value(), Value());
  return *builder.Finish();
}

std::string Written(std::initializer_list<std::pair<std::string, std::string>> given) {
  Options options;
  for (const auto& [key, value] : given) options.Set(key, value);
  auto csv = ParseCsvOptions(options);
  EXPECT_OK(csv);
  std::string out;
  AppendCsvRows(*TrickyRows(), *csv, &out);
  return out;
}

TEST(CsvRowsTest, DefaultsQuoteAndEscapeAsSparkDoes) {
  EXPECT_EQ(
      Written({}),
      "plain,[AB 01],0.1,1.0E20\n,,,\n\"\",[],NaN,-0.0\npadded,,1.0E-7,1.23456789E8\n"
      "\"has \\\"quote\\\"\",,3.0,1.0E7\n\"\\\"starts\",,,0.001\nback\\slash,,,1.0E-4\n"
      "\"a,b\",,,\n\"line\nbreak\",,,\n\"#hash\",,,\ntab\there,,,\n"
      "\"quote\\\" and \\\\ both\",,,\n\"\\\\\\\"\",,,\n");
}

TEST(CsvRowsTest, QuoteAllQuotesEveryValueAndNulls) {
  EXPECT_EQ(
      Written({{"quoteAll", "true"}}),
      "\"plain\",\"[AB 01]\",\"0.1\",\"1.0E20\"\n\"\",\"\",\"\",\"\"\n"
      "\"\",\"[]\",\"NaN\",\"-0.0\"\n\"padded\",\"\",\"1.0E-7\",\"1.23456789E8\"\n"
      "\"has \\\"quote\\\"\",\"\",\"3.0\",\"1.0E7\"\n\"\\\"starts\",\"\",\"\",\"0.001\"\n"
      "\"back\\\\slash\",\"\",\"\",\"1.0E-4\"\n\"a,b\",\"\",\"\",\"\"\n"
      "\"line\nbreak\",\"\",\"\",\"\"\n\"#hash\",\"\",\"\",\"\"\n"
      "\"tab\there\",\"\",\"\",\"\"\n\"quote\\\" and \\\\ both\",\"\",\"\",\"\"\n"
      "\"\\\\\\\"\",\"\",\"\",\"\"\n");
}

TEST(CsvRowsTest, QuoteAllQuotesTheNullValueToo) {
  EXPECT_THAT(Written({{"quoteAll", "true"}, {"nullValue", "NULL"}}),
              HasSubstr("\n\"NULL\",\"NULL\",\"NULL\",\"NULL\"\n\"\",\"[]\","));
}

TEST(CsvRowsTest, WithoutEscapeQuotesAQuoteInsideNoLongerQuotesTheValue) {
  EXPECT_EQ(
      Written({{"escapeQuotes", "false"}}),
      "plain,[AB 01],0.1,1.0E20\n,,,\n\"\",[],NaN,-0.0\npadded,,1.0E-7,1.23456789E8\n"
      "has \"quote\",,3.0,1.0E7\n\"\\\"starts\",,,0.001\nback\\slash,,,1.0E-4\n"
      "\"a,b\",,,\n\"line\nbreak\",,,\n\"#hash\",,,\ntab\there,,,\n"
      "quote\" and \\ both,,,\n\\\",,,\n");
}

TEST(CsvRowsTest, AnEscapeEqualToTheQuoteDoublesQuotes) {
  EXPECT_EQ(
      Written({{"escape", "\""}}),
      "plain,[AB 01],0.1,1.0E20\n,,,\n\"\",[],NaN,-0.0\npadded,,1.0E-7,1.23456789E8\n"
      "\"has \"\"quote\"\"\",,3.0,1.0E7\n\"\"\"starts\",,,0.001\nback\\slash,,,1.0E-4\n"
      "\"a,b\",,,\n\"line\nbreak\",,,\n\"#hash\",,,\ntab\there,,,\n"
      "\"quote\"\" and \\ both\",,,\n\"\\\"\"\",,,\n");
}

TEST(CsvRowsTest, AnotherQuoteCharacterQuotesWithIt) {
  EXPECT_EQ(
      Written({{"quote", "'"}}),
      "plain,[AB 01],0.1,1.0E20\n,,,\n\"\",[],NaN,-0.0\npadded,,1.0E-7,1.23456789E8\n"
      "has \"quote\",,3.0,1.0E7\n\"starts,,,0.001\nback\\slash,,,1.0E-4\n'a,b',,,\n"
      "'line\nbreak',,,\n'#hash',,,\ntab\there,,,\nquote\" and \\ both,,,\n\\\",,,\n");
}

TEST(CsvRowsTest, WhitespaceIsKeptWhenAskedAndNullAndEmptyHaveTheirOwnText) {
  EXPECT_THAT(Written({{"ignoreLeadingWhiteSpace", "false"},
                       {"ignoreTrailingWhiteSpace", "false"}}),
              HasSubstr("\n  padded  ,,1.0E-7,"));
  std::string named = Written({{"nullValue", "NULL"}, {"emptyValue", "EMPTY"}});
  EXPECT_THAT(named, HasSubstr("\nNULL,NULL,NULL,NULL\nEMPTY,[],NaN,-0.0\n"));
}

TEST(CsvRowsTest, SeparatorsOfOneOrMoreCharactersAndCharToEscapeQuoteEscaping) {
  EXPECT_EQ(Written({{"sep", "||"}}),
            "plain||[AB 01]||0.1||1.0E20\n||||||\n\"\"||[]||NaN||-0.0\n"
            "padded||||1.0E-7||1.23456789E8\n\"has \\\"quote\\\"\"||||3.0||1.0E7\n"
            "\"\\\"starts\"||||||0.001\nback\\slash||||||1.0E-4\na,b||||||\n"
            "\"line\nbreak\"||||||\n\"#hash\"||||||\ntab\there||||||\n"
            "\"quote\\\" and \\\\ both\"||||||\n\"\\\\\\\"\"||||||\n");
  std::string tabs = Written({{"sep", "\t"}});
  EXPECT_THAT(tabs, HasSubstr("\na,b\t\t\t\n"));
  EXPECT_THAT(tabs, HasSubstr("\n\"tab\there\"\t\t\t\n"));
  EXPECT_THAT(Written({{"charToEscapeQuoteEscaping", "#"}}),
              HasSubstr("\n\"quote\\\" and #\\ both\",,,\n\"#\\\\\"\",,,\n"));
  EXPECT_THAT(Written({{"lineSep", "\r"}}), HasSubstr("plain,[AB 01],0.1,1.0E20\r,,,\r"));
}

TEST(CsvRowsTest, TheHeaderNamesTheColumnsQuotedByTheSameRules) {
  std::string out;
  AppendCsvHeader(*ParseDdl("`we,ird` INT, b INT"), CsvOptions{}, &out);
  EXPECT_EQ(out, "\"we,ird\",b\n");
}

TEST(CsvRowsTest, TimestampsAndDatesAreWrittenAsSparksDefaultFormats) {
  auto schema = std::make_shared<const Schema>(
      *ParseDdl("t TIMESTAMP, n TIMESTAMP_NTZ, d DATE, m DECIMAL(5,2), ok BOOLEAN"));
  RecordBatchBuilder builder(schema);
  ASSERT_OK(builder.AppendRow(std::vector<Value>{
      TimestampValue{1'704'164'645'123'456}, TimestampValue{1'704'164'645'000'000},
      DateValue{19724}, DecimalValue{150, 2}, true}));
  std::string out;
  AppendCsvRows(**builder.Finish(), CsvOptions{}, &out);
  EXPECT_EQ(out,
            "2024-01-02T03:04:05.123Z,2024-01-02T03:04:05.000,2024-01-02,1.50,true\n");
}

TEST(CsvOptionsTest, SparksRefusalsAreRefusedWithItsMessages) {
  Options quote;
  quote.Set("quote", "ab");
  EXPECT_EQ(ParseCsvOptions(quote).status().message(),
            "[OPTION_VALUE_EXCEEDS_ONE_CHARACTER] The value of quote cannot be more than "
            "one character, but got ab. SQLSTATE: 22023");
  Options sep;
  sep.Set("sep", "");
  EXPECT_THAT(ParseCsvOptions(sep).status().message(),
              HasSubstr("Delimiter cannot be empty"));
  EXPECT_EQ(
      CheckCsvSchema(*ParseDdl("id INT, a ARRAY<INT>")).message(),
      "[UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE] The CSV datasource doesn't support the "
      "column `a` of the type \"ARRAY<INT>\". SQLSTATE: 0A000");
  EXPECT_OK(CheckCsvSchema(*ParseDdl("id INT, s STRING")));
}

}  // namespace
}  // namespace rivulet
