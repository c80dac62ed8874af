#pragma once

// The commit log, commits/<batch id>: written after the sink has taken batch N, so a
// restart knows that batch is done. The file format is Spark's CommitLog
// (docs/format/checkpoint.md):
//
//   v1
//   {"nextBatchWatermarkMs":0}
//
// with no trailing newline. Not thread-safe.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "checkpoint/batch_log.h"
#include "rivulet/status.h"

namespace rivulet::checkpoint {

class CommitLog {
 public:
  // The commit log version this reads and writes; Spark's reader requires an exact match.
  static constexpr int kVersion = 1;

  // See BatchLog::Open.
  static Result<std::unique_ptr<CommitLog>> Open(std::string dir,
                                                 bool remove_temporary_files,
                                                 Env* env = Env::Default());

  // The file contents of a commit (the same for every batch: there is no watermark).
  static std::string Serialize();
  // Checks the contents of `path` (used in error messages) and returns the
  // nextBatchWatermarkMs it records. Everything that does not parse is Corruption naming
  // the path.
  static Result<int64_t> Parse(const std::string& path, std::string_view text);

  // Writes commits/<batch_id>; an existing file is never replaced (Busy).
  Status Write(int64_t batch_id);
  // The highest committed batch id, its file read and checked; nullopt for an empty log.
  Result<std::optional<int64_t>> Latest() const;

  BatchLog& files() { return *files_; }
  const BatchLog& files() const { return *files_; }

 private:
  explicit CommitLog(std::unique_ptr<BatchLog> files) : files_(std::move(files)) {}

  std::unique_ptr<BatchLog> files_;
};

}  // namespace rivulet::checkpoint
