#pragma once

// The metadata log of a file sink, in the layout of Spark's file stream sink: for batch N
// the file <dir>/_spark_metadata/N lists the data files that batch added. A batch is
// committed when its log entry exists; data files not listed there are leftovers of a
// crash, and readers of the directory go by the log. Writing a batch whose entry exists
// is a no-op, so a batch replayed after a crash is not written twice.

#include <string>
#include <vector>

#include "rivulet/status.h"

namespace rivulet {

class FileSinkLog {
 public:
  // Creates <dir> and <dir>/_spark_metadata if needed.
  static Result<FileSinkLog> Open(const std::string& dir);

  bool HasBatch(int64_t batch_id) const;
  // Durably records that `batch_id` added these files (names relative to the sink
  // directory, already durable). Never overwrites an existing entry.
  Status Commit(int64_t batch_id, const std::vector<std::string>& files) const;
  // Files listed by every committed entry, in batch order.
  Result<std::vector<std::string>> CommittedFiles() const;

  const std::string& dir() const { return dir_; }

 private:
  explicit FileSinkLog(std::string dir) : dir_(std::move(dir)) {}
  std::string EntryPath(int64_t batch_id) const;
  std::string dir_;
};

}  // namespace rivulet
