#pragma once

// The metadata log of a file sink, in the layout of Spark's file stream sink
// (FileStreamSinkLog), so that Spark reads the directory and a Spark query can go on
// writing it:
//
//   <dir>/_spark_metadata/N          "v1" and one JSON line per data file batch N added
//   <dir>/_spark_metadata/N.compact  every `compact_interval`-th batch (ids 9, 19, ...
//                                    by default): the entries of every live batch so far
//
// A batch is committed when its entry exists; data files the log does not list are
// leftovers of a crash, and readers of the directory go by the log. Readers need only the
// latest compact file and the plain files after it, which is what lets old plain files be
// deleted and the log stay small.
//
// Files are written atomically and never replaced (see checkpoint/batch_log.h). Not
// thread-safe: one query writes a sink directory, from its step.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/env.h"
#include "rivulet/status.h"

namespace rivulet {

// Spark's spark.sql.streaming.fileSink.log.* settings, with Spark's defaults.
struct FileSinkLogOptions {
  // Every interval-th batch is compacted; used while the log holds no compact file (an
  // existing log keeps the interval its compact files show).
  int64_t compact_interval = 10;
  // Files of the last this many batches are always kept (spark.sql.streaming.
  // minBatchesToRetain); older ones go once a later compact file covers them...
  int64_t min_batches_to_retain = 100;
  // ...and they are older than this, so a reader that listed them can still open them.
  int64_t cleanup_delay_ms = int64_t{10} * 60 * 1000;
};

class FileSinkLog {
 public:
  // Opens the log of sink directory `dir`, creating <dir>/_spark_metadata if needed.
  static Result<FileSinkLog> Open(const std::string& dir, Env* env = Env::Default(),
                                  FileSinkLogOptions options = {});
  // Reads the log of an existing directory without creating anything. A directory
  // without a log has no committed files.
  static Result<std::vector<std::string>> ReadCommittedFiles(const std::string& dir,
                                                             Env* env = Env::Default());
  // The latest batch the log of directory `dir` holds, nullopt when it has none.
  static Result<std::optional<int64_t>> LatestBatchIn(const std::string& dir, Env* env);

  // True when `batch_id` was logged already, so writing it again must be a no-op: as in
  // Spark's sink, every batch id up to the latest logged one.
  bool HasBatch(int64_t batch_id) const {
    return !files_.empty() && batch_id <= files_.back().batch_id;
  }

  // The latest batch logged, if any.
  std::optional<int64_t> LatestBatchId() const {
    if (files_.empty()) return std::nullopt;
    return files_.back().batch_id;
  }

  // Durably records that `batch_id`, the next batch, added these data files (paths
  // relative to the sink directory, already durable). Writes a compact file when the
  // batch id is a compaction id, and then deletes the log files no reader needs.
  Status Commit(int64_t batch_id, const std::vector<std::string>& files);

  // The data files of every committed batch (relative to the sink directory), in batch
  // order.
  Result<std::vector<std::string>> CommittedFiles() const;

  const std::string& dir() const { return dir_; }
  int64_t compact_interval() const { return interval_; }

 private:
  FileSinkLog(std::string dir, Env* env, FileSinkLogOptions options)
      : dir_(std::move(dir)),
        log_dir_(dir_ + "/_spark_metadata"),
        env_(env),
        options_(options) {}

  struct LogFile {
    int64_t batch_id;
    bool compact;
  };
  struct Entry {
    std::string line;  // the JSON line, as a compact file copies it
    std::string path;  // the data file's path, decoded from its URI
  };

  Status Load();
  std::string PathOf(const LogFile& file) const;
  // The entries (the lines after "v1") of one log file.
  Result<std::vector<Entry>> ReadEntries(const LogFile& file) const;
  // Every live entry: the latest compact file's and those of the plain files after it.
  Result<std::vector<Entry>> AllEntries() const;
  Status DeleteExpiredFiles(int64_t batch_id);

  std::string dir_;
  std::string log_dir_;
  Env* env_;
  FileSinkLogOptions options_;
  int64_t interval_ = 10;
  // Ascending batch ids; deletion keeps the newest, so back() is the latest batch.
  std::vector<LogFile> files_;
};

}  // namespace rivulet
