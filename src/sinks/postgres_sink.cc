#include "sinks/postgres_sink.h"

#include <libpq-fe.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string_view>

#include "common/kill_point.h"
#include "core/column_cells.h"
#include "sinks/sql_text.h"
#include "sinks/value_text.h"

namespace rivulet {
namespace {

constexpr const char* kProgressTable = "_rivulet_sink_progress";
constexpr size_t kCopyChunk = size_t{1} << 20;

// A query result, cleared when it goes out of scope.
class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result) {}
  PgResult(PgResult&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
  PgResult& operator=(PgResult&&) = delete;
  ~PgResult() { PQclear(result_); }
  PGresult* get() const { return result_; }
  ExecStatusType status() const { return PQresultStatus(result_); }

 private:
  PGresult* result_;
};

// What the connection string says, for messages: every setting but the password.
struct ConnectionText {
  std::string safe;      // "host=127.0.0.1 port=5432 dbname=app user=writer"
  std::string password;  // to scrub from any message libpq makes
};

Result<ConnectionText> DescribeConnection(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    // libpq's message may quote the string, password and all: not repeated.
    PQfreemem(error);
    return Status::InvalidArgument(
        "postgres sink: option 'url' is neither a libpq connection string "
        "(\"host=... dbname=... user=...\") nor a postgresql:// URI");
  }
  ConnectionText text;
  std::map<std::string_view, std::string> shown;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    if (std::string_view(o->keyword) == "password") {
      text.password = o->val;
    } else {
      shown[o->keyword] = o->val;
    }
  }
  for (std::string_view keyword : {"host", "hostaddr", "port", "dbname", "user"}) {
    auto it = shown.find(keyword);
    if (it == shown.end()) continue;
    if (!text.safe.empty()) text.safe += ' ';
    text.safe += std::string(keyword) + "=" + it->second;
  }
  PQconninfoFree(options);
  return text;
}

// "analytics.events" -> ("analytics", "events"); "events" -> ("", "events").
std::pair<std::string, std::string> SplitQualifiedName(const std::string& name) {
  size_t dot = name.find('.');
  if (dot == std::string::npos) return {"", name};
  return {name.substr(0, dot), name.substr(dot + 1)};
}

std::string PostgresColumnType(const DataType& type) {
  switch (type.id()) {
    case TypeId::kBoolean:
      return "BOOLEAN";
    case TypeId::kByte:
    case TypeId::kShort:
      return "SMALLINT";
    case TypeId::kInt:
      return "INTEGER";
    case TypeId::kLong:
      return "BIGINT";
    case TypeId::kFloat:
      return "REAL";
    case TypeId::kDouble:
      return "DOUBLE PRECISION";
    case TypeId::kDecimal:
      return "NUMERIC(" + std::to_string(type.precision()) + "," +
             std::to_string(type.scale()) + ")";
    case TypeId::kBinary:
      return "BYTEA";
    case TypeId::kDate:
      return "DATE";
    case TypeId::kTimestamp:
      return "TIMESTAMPTZ";
    case TypeId::kTimestampNtz:
      return "TIMESTAMP";
    case TypeId::kDayTimeInterval:
      return "INTERVAL";
    case TypeId::kArray:
    case TypeId::kMap:
    case TypeId::kStruct:
    case TypeId::kVariant:
      return "JSONB";
    default:
      return "TEXT";
  }
}

// Text for COPY's text format: backslash, tab, newline and carriage return escaped. Runs
// without any of them are appended whole.
void AppendCopyEscaped(std::string_view text, std::string* out) {
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char* escaped = nullptr;
    switch (text[i]) {
      case '\\':
        escaped = "\\\\";
        break;
      case '\t':
        escaped = "\\t";
        break;
      case '\n':
        escaped = "\\n";
        break;
      case '\r':
        escaped = "\\r";
        break;
      default:
        continue;
    }
    out->append(text.data() + start, i - start);
    out->append(escaped, 2);
    start = i + 1;
  }
  out->append(text.data() + start, text.size() - start);
}

template <typename T>
void AppendNumber(T value, std::string* out) {
  char digits[32];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, value);
  out->append(digits, end);
}

// A float or double as PostgreSQL reads it back exactly: the shortest round-trip digits,
// and its own words for the values that have no digits.
template <typename T>
void AppendFloating(T value, std::string* out) {
  if (std::isnan(value)) {
    *out += "NaN";
  } else if (std::isinf(value)) {
    *out += value > 0 ? "Infinity" : "-Infinity";
  } else {
    AppendNumber(value, out);
  }
}

void AppendCopyCell(const ArrayData& column, int64_t row, std::string* out) {
  if (column.IsNull(row)) {
    *out += "\\N";
    return;
  }
  switch (column.type->id()) {
    case TypeId::kString:
      AppendCopyEscaped(BytesAt(column, row), out);
      return;
    case TypeId::kByte:
      AppendNumber(int{FixedAt<int8_t>(column, row)}, out);
      return;
    case TypeId::kShort:
      AppendNumber(FixedAt<int16_t>(column, row), out);
      return;
    case TypeId::kInt:
      AppendNumber(FixedAt<int32_t>(column, row), out);
      return;
    case TypeId::kLong:
      AppendNumber(FixedAt<int64_t>(column, row), out);
      return;
    case TypeId::kFloat:
      AppendFloating(FixedAt<float>(column, row), out);
      return;
    case TypeId::kDouble:
      AppendFloating(FixedAt<double>(column, row), out);
      return;
    case TypeId::kBinary: {
      static constexpr char kHex[] = "0123456789abcdef";
      *out += "\\\\x";  // bytea's hex form, its backslash escaped for COPY
      for (char c : BytesAt(column, row)) {
        *out += kHex[static_cast<unsigned char>(c) >> 4];
        *out += kHex[static_cast<unsigned char>(c) & 15];
      }
      return;
    }
    case TypeId::kTimestamp:
      *out += IsoTimestamp(FixedAt<int64_t>(column, row), TimestampStyle::kSql);
      *out += "+00";
      return;
    case TypeId::kDayTimeInterval:
      // PostgreSQL keeps an interval's microseconds as they are, sign included.
      AppendNumber(FixedAt<int64_t>(column, row), out);
      *out += " microseconds";
      return;
    default:
      break;
  }
  Value v = column.GetValue(row);
  AppendCopyEscaped(SqlText(v, *column.type), out);
}

class PostgresSink : public Sink {
 public:
  PostgresSink(std::string url, ConnectionText connection, std::string table)
      : url_(std::move(url)),
        connection_(std::move(connection)),
        table_(std::move(table)) {
    auto [schema, name] = SplitQualifiedName(table_);
    std::string prefix = schema.empty() ? "" : QuoteIdentifier(schema) + ".";
    quoted_table_ = prefix + QuoteIdentifier(name);
    quoted_progress_ = prefix + QuoteIdentifier(kProgressTable);
  }
  ~PostgresSink() override { PQfinish(conn_); }

  std::string description() const override {
    return "PostgresSink[" + connection_.safe + ", " + table_ + "]";
  }

  Status Open(const SinkContext& context) override {
    schema_ = context.schema;
    conn_ = PQconnectdb(url_.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      return Status::IOError(
          Scrub("cannot connect to " + connection_.safe + ": " + PQerrorMessage(conn_)));
    }
    RIVULET_RETURN_NOT_OK(Run("SET synchronous_commit TO on"));
    RIVULET_RETURN_NOT_OK(Run("BEGIN"));
    Status claimed = CreateTablesAndClaim(context);
    if (!claimed.ok()) {
      (void)Run("ROLLBACK");
      return claimed;
    }
    return Run("COMMIT");
  }

  Status AddBatch(int64_t batch_id, const std::vector<RecordBatchPtr>& batches) override {
    RIVULET_RETURN_NOT_OK(Run("BEGIN"));
    Status written = WriteBatch(batch_id, batches);
    if (!written.ok()) {
      (void)Run("ROLLBACK");
      return written;
    }
    KillPoint("sink-write", batch_id);  // rows copied, the transaction open
    return Run("COMMIT");
  }

  Result<std::optional<int64_t>> LatestBatchId() override {
    RIVULET_ASSIGN_OR_RETURN(int64_t last, RecordedBatch(/*lock=*/false));
    if (last < 0) return std::optional<int64_t>();
    return std::optional<int64_t>(last);
  }

  Status Close() override {
    PQfinish(conn_);
    conn_ = nullptr;
    return Status::OK();
  }

 private:
  // `sql` with parameters $1..; a result of `expected` status or an error naming `what`.
  Result<PgResult> Query(const std::string& sql, const std::vector<std::string>& params,
                         ExecStatusType expected = PGRES_TUPLES_OK) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const std::string& p : params) values.push_back(p.c_str());
    PgResult result(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()),
                                 nullptr, values.data(), nullptr, nullptr, 0));
    if (result.status() != expected) return Error(result.get(), sql);
    return result;
  }
  Status Run(const std::string& sql, const std::vector<std::string>& params = {}) {
    return Query(sql, params, PGRES_COMMAND_OK).status();
  }

  // A failed statement as a Status, by its SQLSTATE class: bad data and constraints are
  // InvalidArgument, serialization failures Busy, the rest IOError.
  Status Error(const PGresult* result, const std::string& what) const {
    const char* state =
        result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string message = connection_.safe + ": " + what + ": " +
                          (result != nullptr ? PQresultErrorMessage(result) : "") +
                          (result == nullptr ? PQerrorMessage(conn_) : "");
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    message = Scrub(message);
    std::string_view sqlstate = state != nullptr ? state : "";
    if (sqlstate.starts_with("22") || sqlstate.starts_with("23") ||
        sqlstate.starts_with("42")) {
      return Status::InvalidArgument(std::move(message));
    }
    if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") {
      return Status::Busy(std::move(message));
    }
    return Status::IOError(std::move(message));
  }

  std::string Scrub(std::string message) const {
    if (connection_.password.empty()) return message;
    for (size_t at = message.find(connection_.password); at != std::string::npos;
         at = message.find(connection_.password, at)) {
      message.replace(at, connection_.password.size(), "****");
    }
    return message;
  }

  Status CreateTablesAndClaim(const SinkContext& context) {
    RIVULET_RETURN_NOT_OK(
        Run("CREATE TABLE IF NOT EXISTS " + quoted_progress_ +
            " (table_name TEXT PRIMARY KEY, query_id TEXT NOT NULL, "
            "checkpoint_location TEXT NOT NULL, batch_id BIGINT NOT NULL)"));
    // One claimant at a time: a second query starting now waits here, then sees the row.
    RIVULET_RETURN_NOT_OK(
        Run("LOCK TABLE " + quoted_progress_ + " IN SHARE ROW EXCLUSIVE MODE"));
    std::string columns;
    for (const Field& field : schema_->fields()) {
      if (!columns.empty()) columns += ", ";
      columns += QuoteIdentifier(field.name) + " " + PostgresColumnType(*field.type);
      if (!field.nullable) columns += " NOT NULL";
    }
    RIVULET_RETURN_NOT_OK(
        Run("CREATE TABLE IF NOT EXISTS " + quoted_table_ + " (" + columns + ")"));
    names_.clear();
    for (const Field& field : schema_->fields()) {
      if (!names_.empty()) names_ += ", ";
      names_ += QuoteIdentifier(field.name);
    }
    auto fits = Query("SELECT " + names_ + " FROM " + quoted_table_ + " LIMIT 0", {});
    if (!fits.ok()) {
      return Status::InvalidArgument("table '" + table_ +
                                     "' does not take the query's columns (" +
                                     schema_->ToDdl() + "): " + fits.status().message());
    }

    RIVULET_ASSIGN_OR_RETURN(PgResult owner,
                             Query("SELECT query_id, checkpoint_location FROM " +
                                       quoted_progress_ + " WHERE table_name = $1",
                                   {table_}));
    if (PQntuples(owner.get()) == 1) {
      std::string owner_id = PQgetvalue(owner.get(), 0, 0);
      if (owner_id == context.query_id) return Status::OK();
      return Status::Busy("table '" + table_ + "' of " + connection_.safe +
                          " belongs to query " + owner_id + " (checkpoint " +
                          PQgetvalue(owner.get(), 0, 1) + "); this query is " +
                          context.query_id + " (checkpoint " + context.checkpoint_dir +
                          "). Write another table, or delete the table's row in " +
                          kProgressTable + " to hand it over");
    }
    return Run("INSERT INTO " + quoted_progress_ + " VALUES ($1, $2, $3, -1)",
               {table_, context.query_id, context.checkpoint_dir});
  }

  // The batch id the progress row records (-1 before the first batch); inside a
  // transaction with `lock`, the row stays locked until it ends.
  Result<int64_t> RecordedBatch(bool lock) {
    RIVULET_ASSIGN_OR_RETURN(
        PgResult last, Query("SELECT batch_id FROM " + quoted_progress_ +
                                 " WHERE table_name = $1" + (lock ? " FOR UPDATE" : ""),
                             {table_}));
    if (PQntuples(last.get()) != 1) {
      return Status::Corruption(connection_.safe + ": the row of table '" + table_ +
                                "' in " + kProgressTable +
                                " is gone; it records the batches written");
    }
    return std::strtoll(PQgetvalue(last.get(), 0, 0), nullptr, 10);
  }

  // Inside the batch's transaction.
  Status WriteBatch(int64_t batch_id, const std::vector<RecordBatchPtr>& batches) {
    RIVULET_ASSIGN_OR_RETURN(int64_t last, RecordedBatch(/*lock=*/true));
    if (batch_id <= last) return Status::OK();  // in the table before a crash
    RIVULET_RETURN_NOT_OK(Copy(batch_id, batches));
    return Run("UPDATE " + quoted_progress_ + " SET batch_id = $1 WHERE table_name = $2",
               {std::to_string(batch_id), table_});
  }

  Status Copy(int64_t batch_id, const std::vector<RecordBatchPtr>& batches) {
    const std::string what =
        "copying batch " + std::to_string(batch_id) + " into '" + table_ + "'";
    RIVULET_RETURN_NOT_OK(
        Query("COPY " + quoted_table_ + " (" + names_ + ") FROM STDIN", {}, PGRES_COPY_IN)
            .status());
    std::string buffer;
    buffer.reserve(kCopyChunk + 4096);
    bool sent = true;
    for (const RecordBatchPtr& batch : batches) {
      for (int64_t r = 0; r < batch->num_rows() && sent; ++r) {
        for (int c = 0; c < batch->num_columns(); ++c) {
          if (c > 0) buffer += '\t';
          AppendCopyCell(*batch->column(c), r, &buffer);
        }
        buffer += '\n';
        if (buffer.size() >= kCopyChunk) {
          sent =
              PQputCopyData(conn_, buffer.data(), static_cast<int>(buffer.size())) == 1;
          buffer.clear();
        }
      }
    }
    if (sent && !buffer.empty()) {
      sent = PQputCopyData(conn_, buffer.data(), static_cast<int>(buffer.size())) == 1;
    }
    if (!sent || PQputCopyEnd(conn_, nullptr) != 1) {
      return Status::IOError(
          Scrub(connection_.safe + ": " + what + ": " + PQerrorMessage(conn_)));
    }
    PgResult result(PQgetResult(conn_));
    // Drain: libpq hands out a null result once the command is over.
    for (PGresult* more = PQgetResult(conn_); more != nullptr;
         more = PQgetResult(conn_)) {
      PQclear(more);
    }
    if (result.status() == PGRES_COMMAND_OK) return Status::OK();
    return Error(result.get(), what + RowOfCopyError(result.get()));
  }

  // ", row N of the batch" from COPY's error context "COPY t, line N+1, ...".
  static std::string RowOfCopyError(const PGresult* result) {
    const char* context = PQresultErrorField(result, PG_DIAG_CONTEXT);
    if (context == nullptr) return "";
    std::string_view text = context;
    size_t at = text.find(", line ");
    if (at == std::string_view::npos) return "";
    long long line = std::strtoll(text.data() + at + 7, nullptr, 10);
    return line > 0 ? ", row " + std::to_string(line - 1) + " of the batch" : "";
  }

  const std::string url_;
  const ConnectionText connection_;
  const std::string table_;
  std::string quoted_table_;
  std::string quoted_progress_;
  std::string names_;  // the quoted column list
  std::shared_ptr<const Schema> schema_;
  PGconn* conn_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<Sink>> MakePostgresSink(const Options& options) {
  auto url = options.Get("url");
  auto table = options.Get("table");
  if (!url || url->empty()) {
    return Status::InvalidArgument(
        "postgres sink: option 'url' (a libpq connection string) is required");
  }
  if (!table || table->empty()) {
    return Status::InvalidArgument("postgres sink: option 'table' is required");
  }
  RIVULET_ASSIGN_OR_RETURN(ConnectionText connection, DescribeConnection(*url));
  return std::unique_ptr<Sink>(new PostgresSink(*url, std::move(connection), *table));
}

}  // namespace rivulet
