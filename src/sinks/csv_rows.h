#pragma once

// Rows as Spark's CSV data source writes them (Spark 4.3, its univocity writer), with
// Spark's writing options:
//
//   sep (","; may be longer than one character), quote ("\""; "" writes NUL as Spark
//   does), escape ("\\"), charToEscapeQuoteEscaping (the escape character), header
//   (false), nullValue (""), emptyValue ("\"\""), quoteAll (false), escapeQuotes (true),
//   ignoreLeadingWhiteSpace and ignoreTrailingWhiteSpace (true), lineSep ("\n").
//
// Values are stripped of leading and trailing characters up to ' ' (unless told not to).
// A value is quoted when it contains the separator, a line break, or (with escapeQuotes)
// the quote character, when it starts with the quote character, or when it is the first
// column and starts with '#'. Inside quotes, the quote character is written after the
// escape character, and the escape character after charToEscapeQuoteEscaping. A null is
// nullValue and an empty string emptyValue; with quoteAll, a null is nullValue quoted
// and an empty string two quote characters. Values
// print as Spark's: doubles as Java does ("1.0E20"), timestamps
// "2024-01-02T03:04:05.123Z", binary "[AB 01]". Arrays, maps and structs have no CSV
// form: a schema with one is refused, as Spark refuses it.

#include <string>

#include "rivulet/options.h"
#include "rivulet/record_batch.h"

namespace rivulet {

struct CsvOptions {
  std::string sep = ",";
  char quote = '"';
  char escape = '\\';
  char escape_escape = '\\';
  bool header = false;
  std::string null_value;
  std::string empty_value = "\"\"";
  bool quote_all = false;
  bool escape_quotes = true;
  bool strip_leading = true;
  bool strip_trailing = true;
  std::string line_sep = "\n";
};

// The options from a sink's Options, refused with Spark's messages where it refuses them.
Result<CsvOptions> ParseCsvOptions(const Options& options);

// OK when every column has a CSV form; otherwise Spark's
// UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE error naming the column and its type.
Status CheckCsvSchema(const Schema& schema);

// The header line of `schema` (the column names), then each row of a batch.
void AppendCsvHeader(const Schema& schema, const CsvOptions& options, std::string* out);
void AppendCsvRows(const RecordBatch& batch, const CsvOptions& options, std::string* out);

}  // namespace rivulet
