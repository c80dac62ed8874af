#include "sinks/csv_rows.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <string_view>

#include "core/column_cells.h"
#include "core/double_text.h"
#include "sinks/value_text.h"

namespace rivulet {
namespace {

// One character option: Spark refuses a longer one; "" is NUL, which is how Spark turns
// quoting off (and writes NUL where a quote would be).
Result<char> CharOption(const Options& options, const std::string& key, char fallback) {
  auto value = options.Get(key);
  if (!value) return fallback;
  if (value->empty()) return '\0';
  if (value->size() > 1) {
    return Status::InvalidArgument("[OPTION_VALUE_EXCEEDS_ONE_CHARACTER] The value of " +
                                   key + " cannot be more than one character, but got " +
                                   *value + ". SQLSTATE: 22023");
  }
  return (*value)[0];
}

bool IsBlank(char c) { return static_cast<unsigned char>(c) <= ' '; }

// The cells AppendCsvRows does not read in place.
std::string CellText(const Value& v, const DataType& type) {
  switch (type.id()) {
    case TypeId::kTimestamp:
      return IsoTimestamp(v.as<TimestampValue>().micros, TimestampStyle::kJson);
    case TypeId::kTimestampNtz:
      return IsoTimestamp(v.as<TimestampValue>().micros, TimestampStyle::kJsonNtz);
    default:
      // Numbers, booleans, decimals, dates and binary ("[AB 01]") as Spark prints them.
      return v.ToString(type);
  }
}

class CsvWriter {
 public:
  CsvWriter(const CsvOptions& options, std::string* out)
      : options_(options), out_(out), numbers_plain_(NumbersArePlain(options)) {}

  // A number's text ("-12", "1.5E-4", "NaN"): written as it is unless the options could
  // make it need quotes.
  void Number(std::string_view text, bool first) {
    if (!numbers_plain_) return Cell(text, first);
    if (!first) *out_ += options_.sep;
    *out_ += text;
  }

  // One non-null value; `first` for the row's first column.
  void Cell(std::string_view text, bool first) {
    if (!first) *out_ += options_.sep;
    if (text.empty()) {
      *out_ += options_.quote_all ? std::string(2, options_.quote) : options_.empty_value;
      return;
    }
    if (options_.strip_leading) {
      while (!text.empty() && IsBlank(text.front())) text.remove_prefix(1);
    }
    if (options_.strip_trailing) {
      while (!text.empty() && IsBlank(text.back())) text.remove_suffix(1);
    }
    if (!NeedsQuotes(text, first)) {
      *out_ += text;
      return;
    }
    *out_ += options_.quote;
    for (char c : text) {
      if (c == options_.quote) {
        *out_ += options_.escape;
      } else if (c == options_.escape && options_.escape != options_.quote) {
        *out_ += options_.escape_escape;
      }
      *out_ += c;
    }
    *out_ += options_.quote;
  }

  void Null(bool first) {
    if (!first) *out_ += options_.sep;
    if (options_.quote_all) {
      *out_ += options_.quote + options_.null_value + options_.quote;
    } else {
      *out_ += options_.null_value;
    }
  }

  void EndRow() { *out_ += options_.line_sep; }

 private:
  // Whether no number can hold the separator or the quote, and nothing quotes every cell.
  static bool NumbersArePlain(const CsvOptions& options) {
    if (options.quote_all) return false;
    auto in_numbers = [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
             c == '+' || static_cast<unsigned char>(c) <= ' ';
    };
    return std::none_of(options.sep.begin(), options.sep.end(), in_numbers) &&
           !in_numbers(options.quote);
  }

  bool NeedsQuotes(std::string_view text, bool first) const {
    if (options_.quote_all) return true;
    if (text.front() == options_.quote) return true;
    if (first && text.front() == '#') return true;
    const bool one_char_sep = options_.sep.size() == 1;
    if (!one_char_sep && text.find(options_.sep) != std::string_view::npos) return true;
    const char sep = options_.sep[0];
    for (char c : text) {
      if (c == '\n' || c == '\r') return true;
      if (one_char_sep && c == sep) return true;
      if (c == options_.quote && options_.escape_quotes) return true;
    }
    return false;
  }

  const CsvOptions& options_;
  std::string* out_;
  const bool numbers_plain_;
};

}  // namespace

Result<CsvOptions> ParseCsvOptions(const Options& options) {
  CsvOptions csv;
  if (auto sep = options.Get("sep"); sep || (sep = options.Get("delimiter"))) {
    if (sep->empty()) {
      return Status::InvalidArgument("csv sink: option 'sep': Delimiter cannot be empty");
    }
    csv.sep = *sep;
  }
  RIVULET_ASSIGN_OR_RETURN(csv.quote, CharOption(options, "quote", '"'));
  RIVULET_ASSIGN_OR_RETURN(csv.escape, CharOption(options, "escape", '\\'));
  RIVULET_ASSIGN_OR_RETURN(csv.escape_escape,
                           CharOption(options, "charToEscapeQuoteEscaping", csv.escape));
  RIVULET_ASSIGN_OR_RETURN(csv.header, options.GetBool("header", false));
  csv.null_value = options.GetOr("nullValue", "");
  csv.empty_value = options.GetOr("emptyValue", "\"\"");
  RIVULET_ASSIGN_OR_RETURN(csv.quote_all, options.GetBool("quoteAll", false));
  RIVULET_ASSIGN_OR_RETURN(csv.escape_quotes, options.GetBool("escapeQuotes", true));
  RIVULET_ASSIGN_OR_RETURN(csv.strip_leading,
                           options.GetBool("ignoreLeadingWhiteSpace", true));
  RIVULET_ASSIGN_OR_RETURN(csv.strip_trailing,
                           options.GetBool("ignoreTrailingWhiteSpace", true));
  csv.line_sep = options.GetOr("lineSep", "\n");
  if (csv.line_sep.empty()) {
    return Status::InvalidArgument(
        "csv sink: option 'lineSep' cannot be an empty string");
  }
  return csv;
}

Status CheckCsvSchema(const Schema& schema) {
  for (const Field& field : schema.fields()) {
    if (field.type->IsNested() || field.type->id() == TypeId::kVariant) {
      return Status::InvalidArgument(
          "[UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE] The CSV datasource doesn't support the "
          "column `" +
          field.name + "` of the type \"" + field.type->ToDdl() + "\". SQLSTATE: 0A000");
    }
  }
  return Status::OK();
}

void AppendCsvHeader(const Schema& schema, const CsvOptions& options, std::string* out) {
  CsvWriter writer(options, out);
  bool first = true;
  for (const Field& field : schema.fields()) {
    writer.Cell(field.name, first);
    first = false;
  }
  writer.EndRow();
}

void AppendCsvRows(const RecordBatch& batch, const CsvOptions& options,
                   std::string* out) {
  const Schema& schema = *batch.schema();
  // Grown once: strings take their bytes (and some quoting), other cells are guessed.
  size_t estimate = 0;
  for (int c = 0; c < batch.num_columns(); ++c) {
    const ArrayData& column = *batch.column(c);
    estimate += column.type->id() == TypeId::kString
                    ? TotalBytes(column, batch.num_rows()) * 9 / 8
                    : static_cast<size_t>(batch.num_rows()) * 24;
  }
  out->reserve(out->size() + estimate +
               static_cast<size_t>(batch.num_rows()) *
                   (batch.num_columns() + options.line_sep.size()));
  CsvWriter writer(options, out);
  std::string scratch;
  for (int64_t r = 0; r < batch.num_rows(); ++r) {
    for (int c = 0; c < batch.num_columns(); ++c) {
      const ArrayData& column = *batch.column(c);
      if (column.IsNull(r)) {
        writer.Null(c == 0);
        continue;
      }
      // The common cells read in place; the rest through a Value.
      switch (column.type->id()) {
        case TypeId::kString:
          writer.Cell(BytesAt(column, r), c == 0);
          break;
        case TypeId::kLong: {
          char buf[24];
          auto end =
              std::to_chars(buf, buf + sizeof buf, FixedAt<int64_t>(column, r)).ptr;
          writer.Number(std::string_view(buf, end - buf), c == 0);
          break;
        }
        case TypeId::kDouble:
          scratch.clear();
          AppendJavaDouble(FixedAt<double>(column, r), &scratch);
          writer.Number(scratch, c == 0);
          break;
        default:
          writer.Cell(CellText(column.GetValue(r), *schema.field(c).type), c == 0);
      }
    }
    writer.EndRow();
  }
}

}  // namespace rivulet
