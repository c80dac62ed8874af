// Rows per second into each sink with batches of 10,000 rows, next to the plainest way to
// put the same rows in the same system, interleaved batch by batch in one run:
//
//   json, csv, arrow  the sink (encoding, data file, _spark_metadata entry, all durable)
//                     vs the same bytes, already encoded, written durably to a new file
//   sqlite            the sink vs one transaction of prepared inserts per batch, same
//                     synchronous = FULL
//   postgres          the sink vs a client's COPY of the same rows, text already built,
//                     in one transaction per batch (a throwaway local server)
//
//   sinks_bench [dir on the disk to measure] [batches, default 40]

#include <libpq-fe.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>

#include "common/file_util.h"
#include "ipc/writer.h"
#include "rivulet/record_batch.h"
#include "sinks/csv_rows.h"
#include "sinks/file_sinks.h"
#include "sinks/json_rows.h"
#include "sinks/postgres_sink.h"
#include "sinks/sqlite_sink.h"
#include "testing/postgres_server.h"

namespace rivulet {
namespace {

constexpr int kRows = 10'000;
using Clock = std::chrono::steady_clock;

std::shared_ptr<const Schema> BenchSchema() {
  return std::make_shared<const Schema>(*ParseDdl("id LONG, name STRING, score DOUBLE"));
}

RecordBatchPtr MakeBatch(int64_t batch) {
  RecordBatchBuilder builder(BenchSchema());
  for (int64_t i = 0; i < kRows; ++i) {
    const int64_t id = batch * kRows + i;
    (void)builder.AppendRow(std::vector<Value>{id, "name-" + std::to_string(id % 977),
                                               static_cast<double>(id) / 7});
  }
  return *builder.Finish();
}

void Check(const Status& status, const char* what) {
  if (!status.ok()) {
    std::cerr << what << ": " << status.ToString() << "\n";
    std::exit(1);
  }
}

std::unique_ptr<Sink> OpenSink(Result<std::unique_ptr<Sink>> made,
                               const std::string& dir) {
  Check(made.status(), "make sink");
  SinkContext context;
  context.query_id = "bench";
  context.checkpoint_dir = dir + "/checkpoint";
  context.schema = BenchSchema();
  Check((*made)->Open(context), "open sink");
  return std::move(*made);
}

struct Pair {
  double sink_seconds = 0;
  double plain_seconds = 0;
};

// Runs `sink_batch(b)` and `plain_batch(b)` alternately for every batch.
Pair Interleave(int batches, const std::vector<RecordBatchPtr>& data,
                const std::function<void(int, const RecordBatchPtr&)>& sink_batch,
                const std::function<void(int)>& plain_batch) {
  Pair pair;
  for (int b = 0; b < batches; ++b) {
    auto t0 = Clock::now();
    sink_batch(b, data[b]);
    auto t1 = Clock::now();
    plain_batch(b);
    auto t2 = Clock::now();
    pair.sink_seconds += std::chrono::duration<double>(t1 - t0).count();
    pair.plain_seconds += std::chrono::duration<double>(t2 - t1).count();
  }
  return pair;
}

void Report(const char* name, int batches, const Pair& pair) {
  const double rows = static_cast<double>(batches) * kRows;
  std::printf("  %-9s %14.3g %14.3g %8.2fx\n", name, rows / pair.sink_seconds,
              rows / pair.plain_seconds, pair.plain_seconds / pair.sink_seconds);
}

void FileSinkFigure(const char* name, const std::string& dir, int batches,
                    const std::vector<RecordBatchPtr>& data,
                    Result<std::unique_ptr<Sink>> (*make)(const Options&),
                    const std::function<std::string(const RecordBatch&)>& encode) {
  Options options;
  options.Set("path", dir + "/" + name);
  auto sink = OpenSink(make(options), dir + "/" + name);
  std::vector<std::string> bytes;
  bytes.reserve(data.size());
  for (const auto& batch : data) bytes.push_back(encode(*batch));
  Check(CreateDirs(dir + "/plain-" + name), "mkdir");
  Report(name, batches,
         Interleave(
             batches, data,
             [&](int b, const RecordBatchPtr& batch) {
               Check(sink->AddBatch(b, {batch}), name);
             },
             [&](int b) {
               Check(WriteFileAtomic(dir + "/plain-" + name + "/" + std::to_string(b),
                                     bytes[b], false),
                     "plain write");
             }));
}

void SqliteFigure(const std::string& dir, int batches,
                  const std::vector<RecordBatchPtr>& data) {
  Options options;
  options.Set("path", dir + "/sink.db");
  options.Set("table", "rows");
  auto sink = OpenSink(MakeSqliteSink(options), dir);
  sqlite3* db = nullptr;
  sqlite3_open((dir + "/plain.db").c_str(), &db);
  sqlite3_exec(
      db,
      "PRAGMA synchronous = FULL; CREATE TABLE rows (id INTEGER, name TEXT, score REAL)",
      nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO rows VALUES (?, ?, ?)", -1, &insert, nullptr);
  // The plain client binds from its own arrays, built outside the timing.
  std::vector<std::vector<std::string>> names(batches);
  for (int b = 0; b < batches; ++b) {
    for (int64_t i = 0; i < kRows; ++i) {
      names[b].push_back("name-" + std::to_string((int64_t{b} * kRows + i) % 977));
    }
  }
  Report("sqlite", batches,
         Interleave(
             batches, data,
             [&](int b, const RecordBatchPtr& batch) {
               Check(sink->AddBatch(b, {batch}), "sqlite");
             },
             [&](int b) {
               sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
               for (int64_t i = 0; i < kRows; ++i) {
                 const int64_t id = int64_t{b} * kRows + i;
                 sqlite3_reset(insert);
                 sqlite3_bind_int64(insert, 1, id);
                 sqlite3_bind_text(insert, 2, names[b][i].data(),
                                   static_cast<int>(names[b][i].size()), SQLITE_STATIC);
                 sqlite3_bind_double(insert, 3, static_cast<double>(id) / 7);
                 sqlite3_step(insert);
               }
               sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
             }));
  sqlite3_finalize(insert);
  sqlite3_close(db);
}

void PostgresFigure(const std::string& dir, int batches,
                    const std::vector<RecordBatchPtr>& data) {
  testing::PostgresServer server;
  if (!server.ok()) {
    std::printf("  postgres  (no server: %s)\n", server.error().c_str());
    return;
  }
  Options options;
  options.Set("url", server.Url());
  options.Set("table", "rows");
  auto sink = OpenSink(MakePostgresSink(options), dir);
  PGconn* conn = PQconnectdb(server.Url().c_str());
  PQclear(
      PQexec(conn, "CREATE TABLE plain (id BIGINT, name TEXT, score DOUBLE PRECISION)"));
  std::vector<std::string> text(batches);
  for (int b = 0; b < batches; ++b) {
    char line[128];
    for (int64_t i = 0; i < kRows; ++i) {
      const int64_t id = int64_t{b} * kRows + i;
      std::snprintf(line, sizeof line, "%lld\tname-%lld\t%.17g\n",
                    static_cast<long long>(id), static_cast<long long>(id % 977),
                    static_cast<double>(id) / 7);
      text[b] += line;
    }
  }
  Report("postgres", batches,
         Interleave(
             batches, data,
             [&](int b, const RecordBatchPtr& batch) {
               Check(sink->AddBatch(b, {batch}), "postgres");
             },
             [&](int b) {
               PQclear(PQexec(conn, "BEGIN"));
               PQclear(PQexec(conn, "COPY plain FROM STDIN"));
               PQputCopyData(conn, text[b].data(), static_cast<int>(text[b].size()));
               PQputCopyEnd(conn, nullptr);
               PQclear(PQgetResult(conn));
               PQclear(PQexec(conn, "COMMIT"));
             }));
  PQfinish(conn);
  Check(sink->Close(), "close");
}

}  // namespace
}  // namespace rivulet

int main(int argc, char** argv) {
  using namespace rivulet;
  const std::string root =
      argc > 1 ? argv[1] : std::filesystem::temp_directory_path().string();
  const int batches = argc > 2 ? std::atoi(argv[2]) : 40;
  const std::string dir = root + "/rivulet-sinks-bench-" + RandomUuid();
  std::filesystem::create_directories(dir);
  std::vector<RecordBatchPtr> data;
  data.reserve(batches);
  for (int b = 0; b < batches; ++b) data.push_back(MakeBatch(b));

  std::printf("rows/s into each sink, %d batches of %d rows, vs the plain way\n", batches,
              kRows);
  std::printf("  %-9s %14s %14s %9s\n", "sink", "sink rows/s", "plain rows/s", "ratio");
  FileSinkFigure("json", dir, batches, data, MakeJsonSink, [](const RecordBatch& batch) {
    std::string text;
    AppendJsonLines(batch, &text);
    return text;
  });
  FileSinkFigure("csv", dir, batches, data, MakeCsvSink, [](const RecordBatch& batch) {
    std::string text;
    AppendCsvRows(batch, CsvOptions{}, &text);
    return text;
  });
  FileSinkFigure(
      "arrow", dir, batches, data, MakeArrowSink, [](const RecordBatch& batch) {
        return *ipc::WriteFile(*batch.schema(), {std::make_shared<RecordBatch>(batch)});
      });
  SqliteFigure(dir, batches, data);
  PostgresFigure(dir, batches, data);
  std::filesystem::remove_all(dir);
  return 0;
}
