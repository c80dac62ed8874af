#pragma once

// The offsets write-ahead log, offsets/<batch id>: before batch N runs, the end offset of
// every source is written here, so that a restart re-runs an uncommitted batch over
// exactly the same range. The file format is Spark's OffsetSeqLog
// (docs/format/checkpoint.md):
//
//   v1
//   {"batchWatermarkMs":0,"batchTimestampMs":1719290931555,"conf":{"k":"v"}}
//   <offset JSON of source 0, verbatim, or "-" for none>
//   ...
//
// with no trailing newline. Not thread-safe.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checkpoint/batch_log.h"
#include "rivulet/offset.h"
#include "rivulet/status.h"

namespace rivulet::checkpoint {

struct OffsetLogEntry {
  int64_t batch_id = 0;
  int64_t batch_timestamp_ms = 0;
  int64_t batch_watermark_ms = 0;
  std::map<std::string, std::string> conf;
  std::vector<Offset> offsets;  // one per source; an empty Offset is written as "-"

  bool operator==(const OffsetLogEntry& other) const = default;
};

class OffsetLog {
 public:
  // The log version this reads and writes. Spark 4.2+ writes v2 (lines "<source id>:
  // <offset>", for named sources) only when asked to; such a log is refused, saying so.
  static constexpr int kMaxReadVersion = 1;

  // See BatchLog::Open.
  static Result<std::unique_ptr<OffsetLog>> Open(std::string dir,
                                                 bool remove_temporary_files,
                                                 Env* env = Env::Default());

  // The file contents for `entry`. InvalidArgument if there are no offsets, if an offset
  // spans lines, or if a conf string is not UTF-8: none of these could be read back.
  static Result<std::string> Serialize(const OffsetLogEntry& entry);
  // Parses the contents of `path` (used in error messages) as the entry for `batch_id`.
  // Everything that does not parse is Corruption naming the path.
  static Result<OffsetLogEntry> Parse(const std::string& path, int64_t batch_id,
                                      std::string_view text);

  // Writes offsets/<entry.batch_id>; an existing file is never replaced (Busy).
  Status Write(const OffsetLogEntry& entry);
  // The entry for `batch_id`, or nullopt if it has no file.
  Result<std::optional<OffsetLogEntry>> Read(int64_t batch_id) const;
  // The entry with the highest batch id, or nullopt for an empty log.
  Result<std::optional<OffsetLogEntry>> Latest() const;

  BatchLog& files() { return *files_; }
  const BatchLog& files() const { return *files_; }

 private:
  explicit OffsetLog(std::unique_ptr<BatchLog> files) : files_(std::move(files)) {}

  std::unique_ptr<BatchLog> files_;
};

}  // namespace rivulet::checkpoint
