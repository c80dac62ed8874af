#pragma once

// What a sink holds, read back the way its users read it: committed files through the
// `_spark_metadata` log, tables through SQL, a Python writer's committed batch folders.
// Each row comes back as (value, payload), payload "" where the source has none.

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "ipc/reader.h"
#include "sinks/file_codec.h"
#include "sinks/file_sink_log.h"
#include "testing/postgres_server.h"
#include "testing/process.h"

namespace rivulet::chaos {

using Row = std::pair<int64_t, std::string>;
using Json = nlohmann::json;

inline std::string InDir(const std::string& dir, const std::string& file) {
  return (std::filesystem::path(dir) / file).string();
}

inline Row FromJson(const Json& row) {
  return {row.at("value").get<int64_t>(),
          row.contains("payload") ? row["payload"].get<std::string>() : ""};
}

inline Result<std::vector<Row>> JsonDirectory(const std::string& dir) {
  RIVULET_ASSIGN_OR_RETURN(auto files, FileSinkLog::ReadCommittedFiles(dir));
  std::vector<Row> rows;
  for (const std::string& file : files) {
    std::ifstream in(InDir(dir, file));
    for (std::string line; std::getline(in, line);)
      rows.push_back(FromJson(Json::parse(line)));
  }
  return rows;
}

// gzip-compressed CSV with a header, as the harness writes it.
inline Result<std::vector<Row>> CsvDirectory(const std::string& dir) {
  RIVULET_ASSIGN_OR_RETURN(auto files, FileSinkLog::ReadCommittedFiles(dir));
  std::vector<Row> rows;
  for (const std::string& file : files) {
    RIVULET_ASSIGN_OR_RETURN(
        std::string text,
        DecompressFile(FileCodec::kGzip, testing::Slurp(InDir(dir, file))));
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);  // the header: timestamp,value or value,payload
    const bool rate = line.starts_with("timestamp");
    while (std::getline(in, line)) {
      const size_t comma = line.find(',');
      if (rate) {
        rows.emplace_back(std::stoll(line.substr(comma + 1)), "");
      } else {
        rows.emplace_back(std::stoll(line.substr(0, comma)), line.substr(comma + 1));
      }
    }
  }
  return rows;
}

inline Result<std::vector<Row>> ArrowDirectory(const std::string& dir) {
  RIVULET_ASSIGN_OR_RETURN(auto files, FileSinkLog::ReadCommittedFiles(dir));
  std::vector<Row> rows;
  for (const std::string& file : files) {
    RIVULET_ASSIGN_OR_RETURN(auto read, ipc::ReadFile(std::make_shared<const std::string>(
                                            testing::Slurp(InDir(dir, file)))));
    const int value = read.schema->FieldIndex("value");
    const int payload = read.schema->FieldIndex("payload");
    for (const auto& batch : read.batches) {
      for (int64_t r = 0; r < batch->num_rows(); ++r) {
        rows.emplace_back(
            batch->column(value)->GetValue(r).as<int64_t>(),
            payload < 0 ? "" : batch->column(payload)->GetValue(r).as<std::string>());
      }
    }
  }
  return rows;
}

inline Result<std::vector<Row>> SqliteTable(const std::string& path,
                                            const std::string& table, bool has_payload) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return Status::IOError("cannot open " + path);
  }
  const std::string sql = "SELECT value, " + std::string(has_payload ? "payload" : "''") +
                          " FROM \"" + table + "\"";
  sqlite3_stmt* stmt = nullptr;
  std::vector<Row> rows;
  Status status;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    status = Status::IOError(path + ": " + sqlite3_errmsg(db));
  }
  while (status.ok() && sqlite3_step(stmt) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt, 1);
    rows.emplace_back(sqlite3_column_int64(stmt, 0),
                      text != nullptr ? reinterpret_cast<const char*>(text) : "");
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  if (!status.ok()) return status;
  return rows;
}

inline Result<std::vector<Row>> PostgresTable(const testing::PostgresServer& server,
                                              const std::string& table,
                                              bool has_payload) {
  const std::string out = server.Psql(
      "SELECT value, " + std::string(has_payload ? "payload" : "''") + " FROM " + table);
  if (out.starts_with("psql failed")) return Status::IOError(out);
  std::vector<Row> rows;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const size_t bar = line.find('|');
    rows.emplace_back(std::stoll(line.substr(0, bar)), line.substr(bar + 1));
  }
  return rows;
}

// tests/python/sources/spark_stream_writer.py: batch-<id>/<partition>.jsonl per batch.
inline Result<std::vector<Row>> CommittedBatchFolders(const std::string& dir) {
  std::vector<Row> rows;
  std::error_code ec;
  for (const auto& batch : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = batch.path().filename().string();
    if (!name.starts_with("batch-") || name.ends_with(".tmp")) continue;
    for (const auto& file : std::filesystem::directory_iterator(batch.path())) {
      std::ifstream in(file.path());
      for (std::string line; std::getline(in, line);) {
        rows.push_back(FromJson(Json::parse(line)));
      }
    }
  }
  return rows;
}

}  // namespace rivulet::chaos
