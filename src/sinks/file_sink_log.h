#pragma once

// The metadata log of a file sink, in the layout of Spark's file stream sink: for batch N
// the file <dir>/_spark_metadata/N lists the data files that batch added. A batch is
// committed when its log entry exists; data files not listed there are leftovers of a
// crash, and readers of the directory go by the log. Writing a batch whose entry exists
// is a no-op, so a batch replayed after a crash is not written twice.
//
// The entries follow the checkpoint's batch-log rules (checkpoint/batch_log.h): one file
// per batch named by its id, written atomically, never replaced.

#include <memory>
#include <string>
#include <vector>

#include "checkpoint/batch_log.h"
#include "common/env.h"
#include "rivulet/status.h"

namespace rivulet {

class FileSinkLog {
 public:
  // Creates <dir> and <dir>/_spark_metadata if needed.
  static Result<FileSinkLog> Open(const std::string& dir, Env* env = Env::Default());

  Result<bool> HasBatch(int64_t batch_id) const;
  // Durably records that `batch_id` added these files (names relative to the sink
  // directory, already durable). Never overwrites an existing entry.
  Status Commit(int64_t batch_id, const std::vector<std::string>& files) const;
  // Files listed by every committed entry, in batch order.
  Result<std::vector<std::string>> CommittedFiles() const;

  const std::string& dir() const { return dir_; }

 private:
  FileSinkLog(std::string dir, std::shared_ptr<checkpoint::BatchLog> entries)
      : dir_(std::move(dir)), entries_(std::move(entries)) {}
  std::string dir_;
  std::shared_ptr<checkpoint::BatchLog> entries_;
};

}  // namespace rivulet
