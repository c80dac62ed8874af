#include "sinks/sqlite_sink.h"

#include <sqlite3.h>

#include <cstring>
#include <filesystem>
#include <string_view>

#include "common/kill_point.h"
#include "core/column_cells.h"
#include "sinks/sql_text.h"

namespace rivulet {
namespace {

constexpr const char* kProgressTable = "_rivulet_sink_progress";

// A prepared statement, finalized when it goes out of scope.
class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&& other) noexcept {
    std::swap(stmt_, other.stmt_);
    return *this;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// A connection, closed when it goes out of scope. Errors name the database file.
class Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const std::string& path) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    auto database = std::unique_ptr<Database>(new Database(db, path));
    if (rc != SQLITE_OK) return database->Error("cannot open the database");
    sqlite3_extended_result_codes(db, 1);
    // Another writer of the same file (a second query, a user's client) holds its
    // write lock for one transaction: wait for it rather than fail.
    sqlite3_busy_timeout(db, 30'000);
    return database;
  }
  ~Database() { sqlite3_close_v2(db_); }

  Status Exec(const std::string& sql) {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Error(sql);
    }
    return Status::OK();
  }
  Result<Statement> Prepare(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return Error(sql);
    }
    return Statement(stmt);
  }
  // The connection's last error as a Status: "<path>: <what>: <sqlite's message>".
  Status Error(std::string_view what) const {
    std::string message = path_ + ": " + std::string(what) + ": " +
                          (db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory");
    int code = db_ != nullptr ? sqlite3_errcode(db_) & 0xff : SQLITE_NOMEM;
    if (code == SQLITE_CONSTRAINT || code == SQLITE_MISMATCH || code == SQLITE_TOOBIG) {
      return Status::InvalidArgument(std::move(message));
    }
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return Status::Busy(message);
    return Status::IOError(std::move(message));
  }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  const std::string path_;
};

std::string SqliteColumnType(const DataType& type) {
  switch (type.id()) {
    case TypeId::kBoolean:
    case TypeId::kByte:
    case TypeId::kShort:
    case TypeId::kInt:
    case TypeId::kLong:
      return "INTEGER";
    case TypeId::kFloat:
    case TypeId::kDouble:
      return "REAL";
    case TypeId::kBinary:
      return "BLOB";
    case TypeId::kNull:
      return "";
    default:
      return "TEXT";  // strings, decimals, dates, timestamps, nested values as JSON
  }
}

// Binds row `row` of `column` to parameter `param` (1-based). Text the statement must
// keep until it runs goes into `scratch`, which the caller keeps alive.
int BindCell(sqlite3_stmt* stmt, int param, const ArrayData& column, int64_t row,
             std::string* scratch) {
  if (column.IsNull(row)) return sqlite3_bind_null(stmt, param);
  switch (column.type->id()) {
    case TypeId::kString: {
      std::string_view text = BytesAt(column, row);
      return sqlite3_bind_text(stmt, param, text.data(), static_cast<int>(text.size()),
                               SQLITE_STATIC);
    }
    case TypeId::kBinary: {
      std::string_view bytes = BytesAt(column, row);
      return sqlite3_bind_blob(stmt, param, bytes.data(), static_cast<int>(bytes.size()),
                               SQLITE_STATIC);
    }
    default:
      break;
  }
  Value v = column.GetValue(row);
  if (v.is<bool>()) return sqlite3_bind_int64(stmt, param, v.as<bool>() ? 1 : 0);
  if (v.is<int64_t>()) return sqlite3_bind_int64(stmt, param, v.as<int64_t>());
  if (v.is<double>()) return sqlite3_bind_double(stmt, param, v.as<double>());
  *scratch = SqlText(v, *column.type);
  return sqlite3_bind_text(stmt, param, scratch->data(),
                           static_cast<int>(scratch->size()), SQLITE_TRANSIENT);
}

class SqliteSink : public Sink {
 public:
  SqliteSink(std::string path, std::string table)
      : path_(std::move(path)), table_(std::move(table)) {}

  std::string description() const override {
    return "SqliteSink[" + path_ + ", " + table_ + "]";
  }

  Status Open(const SinkContext& context) override {
    schema_ = context.schema;
    RIVULET_ASSIGN_OR_RETURN(db_, Database::Open(path_));
    RIVULET_RETURN_NOT_OK(db_->Exec("PRAGMA synchronous = FULL"));
    RIVULET_RETURN_NOT_OK(db_->Exec("BEGIN IMMEDIATE"));
    Status claimed = CreateTablesAndClaim(context);
    if (!claimed.ok()) {
      (void)db_->Exec("ROLLBACK");
      return claimed;
    }
    RIVULET_RETURN_NOT_OK(db_->Exec("COMMIT"));
    return PrepareStatements();
  }

  Status AddBatch(int64_t batch_id, const std::vector<RecordBatchPtr>& batches) override {
    RIVULET_RETURN_NOT_OK(db_->Exec("BEGIN IMMEDIATE"));
    Status written = WriteBatch(batch_id, batches);
    if (!written.ok()) {
      (void)db_->Exec("ROLLBACK");
      return written;
    }
    KillPoint("sink-write", batch_id);  // rows inserted, the transaction open
    return db_->Exec("COMMIT");
  }

  Result<std::optional<int64_t>> LatestBatchId() override {
    RIVULET_ASSIGN_OR_RETURN(int64_t last, RecordedBatch());
    if (last < 0) return std::optional<int64_t>();
    return std::optional<int64_t>(last);
  }

  Status Close() override {
    insert_ = Statement();
    last_batch_ = Statement();
    record_batch_ = Statement();
    db_.reset();
    return Status::OK();
  }

 private:
  Status CreateTablesAndClaim(const SinkContext& context) {
    RIVULET_RETURN_NOT_OK(db_->Exec(
        std::string("CREATE TABLE IF NOT EXISTS ") + kProgressTable +
        " (table_name TEXT PRIMARY KEY, query_id TEXT NOT NULL, checkpoint_location TEXT "
        "NOT NULL, batch_id INTEGER NOT NULL)"));
    std::string columns;
    for (const Field& field : schema_->fields()) {
      if (!columns.empty()) columns += ", ";
      columns += QuoteIdentifier(field.name);
      std::string type = SqliteColumnType(*field.type);
      if (!type.empty()) columns += " " + type;
      if (!field.nullable) columns += " NOT NULL";
    }
    RIVULET_RETURN_NOT_OK(db_->Exec("CREATE TABLE IF NOT EXISTS " +
                                    QuoteIdentifier(table_) + " (" + columns + ")"));

    RIVULET_ASSIGN_OR_RETURN(
        Statement owner,
        db_->Prepare(std::string("SELECT query_id, checkpoint_location FROM ") +
                     kProgressTable + " WHERE table_name = ?"));
    sqlite3_bind_text(owner.get(), 1, table_.c_str(), -1, SQLITE_STATIC);
    int rc = sqlite3_step(owner.get());
    if (rc == SQLITE_ROW) {
      std::string owner_id =
          reinterpret_cast<const char*>(sqlite3_column_text(owner.get(), 0));
      std::string owner_checkpoint =
          reinterpret_cast<const char*>(sqlite3_column_text(owner.get(), 1));
      if (owner_id == context.query_id) return Status::OK();
      return Status::Busy("table '" + table_ + "' of " + path_ + " belongs to query " +
                          owner_id + " (checkpoint " + owner_checkpoint +
                          "); this query is " + context.query_id + " (checkpoint " +
                          context.checkpoint_dir +
                          "). Write another table, or delete the table's row in " +
                          kProgressTable + " to hand it over");
    }
    if (rc != SQLITE_DONE) return db_->Error("reading " + std::string(kProgressTable));
    RIVULET_ASSIGN_OR_RETURN(Statement claim,
                             db_->Prepare(std::string("INSERT INTO ") + kProgressTable +
                                          " VALUES (?, ?, ?, -1)"));
    sqlite3_bind_text(claim.get(), 1, table_.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(claim.get(), 2, context.query_id.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(claim.get(), 3, context.checkpoint_dir.c_str(), -1, SQLITE_STATIC);
    if (sqlite3_step(claim.get()) != SQLITE_DONE) {
      return db_->Error("claiming table '" + table_ + "'");
    }
    return Status::OK();
  }

  Status PrepareStatements() {
    std::string names, params;
    for (const Field& field : schema_->fields()) {
      if (!names.empty()) {
        names += ", ";
        params += ", ";
      }
      names += QuoteIdentifier(field.name);
      params += "?";
    }
    auto insert = db_->Prepare("INSERT INTO " + QuoteIdentifier(table_) + " (" + names +
                               ") VALUES (" + params + ")");
    if (!insert.ok()) {
      return Status::InvalidArgument(
          "table '" + table_ + "' does not take the query's columns (" +
          schema_->ToDdl() + "): " + insert.status().message());
    }
    insert_ = *std::move(insert);
    RIVULET_ASSIGN_OR_RETURN(
        last_batch_, db_->Prepare(std::string("SELECT batch_id FROM ") + kProgressTable +
                                  " WHERE table_name = ?"));
    RIVULET_ASSIGN_OR_RETURN(record_batch_,
                             db_->Prepare(std::string("UPDATE ") + kProgressTable +
                                          " SET batch_id = ? WHERE table_name = ?"));
    return Status::OK();
  }

  // The batch id the progress row records: -1 before the first batch.
  Result<int64_t> RecordedBatch() {
    sqlite3_reset(last_batch_.get());
    sqlite3_bind_text(last_batch_.get(), 1, table_.c_str(), -1, SQLITE_STATIC);
    if (sqlite3_step(last_batch_.get()) != SQLITE_ROW) {
      return Status::Corruption(path_ + ": the row of table '" + table_ + "' in " +
                                kProgressTable +
                                " is gone; it records the batches written");
    }
    int64_t last = sqlite3_column_int64(last_batch_.get(), 0);
    sqlite3_reset(last_batch_.get());
    return last;
  }

  // Inside the batch's transaction.
  Status WriteBatch(int64_t batch_id, const std::vector<RecordBatchPtr>& batches) {
    RIVULET_ASSIGN_OR_RETURN(int64_t last, RecordedBatch());
    if (batch_id <= last) return Status::OK();  // in the table before a crash

    sqlite3_stmt* insert = insert_.get();
    std::string scratch;
    int64_t row_number = 0;
    for (const RecordBatchPtr& batch : batches) {
      for (int64_t r = 0; r < batch->num_rows(); ++r, ++row_number) {
        sqlite3_reset(insert);
        for (int c = 0; c < batch->num_columns(); ++c) {
          if (BindCell(insert, c + 1, *batch->column(c), r, &scratch) != SQLITE_OK) {
            return db_->Error(RowContext(batch_id, row_number));
          }
        }
        if (sqlite3_step(insert) != SQLITE_DONE) {
          return db_->Error(RowContext(batch_id, row_number));
        }
      }
    }
    sqlite3_reset(insert);
    sqlite3_reset(record_batch_.get());
    sqlite3_bind_int64(record_batch_.get(), 1, batch_id);
    sqlite3_bind_text(record_batch_.get(), 2, table_.c_str(), -1, SQLITE_STATIC);
    if (sqlite3_step(record_batch_.get()) != SQLITE_DONE) {
      return db_->Error("recording batch " + std::to_string(batch_id));
    }
    return Status::OK();
  }

  std::string RowContext(int64_t batch_id, int64_t row) const {
    return "inserting row " + std::to_string(row) + " of batch " +
           std::to_string(batch_id) + " into '" + table_ + "'";
  }

  const std::string path_;
  const std::string table_;
  std::shared_ptr<const Schema> schema_;
  std::unique_ptr<Database> db_;
  Statement insert_;
  Statement last_batch_;
  Statement record_batch_;
};

}  // namespace

Result<std::unique_ptr<Sink>> MakeSqliteSink(const Options& options) {
  auto path = options.Get("path");
  auto table = options.Get("table");
  if (!path || path->empty()) {
    return Status::InvalidArgument(
        "sqlite sink: option 'path' (the database file) is required");
  }
  if (!table || table->empty()) {
    return Status::InvalidArgument("sqlite sink: option 'table' is required");
  }
  std::string absolute = std::filesystem::absolute(*path).lexically_normal().string();
  return std::unique_ptr<Sink>(new SqliteSink(std::move(absolute), *table));
}

}  // namespace rivulet
