#pragma once

// A directory holding one file per batch, named by the decimal batch id: the storage
// under both offsets/ and commits/ (Spark's HDFSMetadataLog). It knows files and names,
// not their contents; OffsetLog and CommitLog give the contents their meaning.
//
// Not thread-safe: the checkpoint that owns it is used from one thread at a time.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "rivulet/status.h"

namespace rivulet::checkpoint {

class BatchLog {
 public:
  // Opens the existing directory `dir`. With remove_temporary_files (only safe while
  // holding the checkpoint lock) the temporary files an interrupted write left behind are
  // deleted; either way readers ignore them. A missing directory reads as an empty log.
  static Result<std::unique_ptr<BatchLog>> Open(std::string dir,
                                                bool remove_temporary_files,
                                                Env* env = Env::Default());

  const std::string& dir() const { return dir_; }
  std::string PathOf(int64_t batch_id) const;

  // The batch ids present, ascending.
  Result<std::vector<int64_t>> BatchIds() const;
  // The highest batch id present, if any.
  Result<std::optional<int64_t>> LatestId() const;
  // The contents of the file for `batch_id`, or nullopt if there is none.
  Result<std::optional<std::string>> Read(int64_t batch_id) const;

  // Writes the file for `batch_id` atomically and durably. It never replaces an existing
  // file: one means another query writes to the same checkpoint, which is
  // Busy("Concurrent update to the log. Multiple streaming jobs detected for <id>").
  Status Add(int64_t batch_id, std::string_view contents);
  // Deletes the file for `batch_id` (durably; a missing file is OK).
  Status Remove(int64_t batch_id);
  // Deletes every file with an id below `threshold`. It remembers how far it has purged,
  // so each call deletes only newly expired files and never lists the directory.
  Status PurgeBelow(int64_t threshold);

 private:
  BatchLog(std::string dir, std::optional<int64_t> lowest, Env* env)
      : dir_(std::move(dir)), lowest_(lowest), env_(env) {}

  std::string dir_;
  // No file below this id exists (nullopt: the log holds no file at all).
  std::optional<int64_t> lowest_;
  Env* env_;
};

}  // namespace rivulet::checkpoint
