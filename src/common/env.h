#pragma once

// The file-system seam (LevelDB's Env): everything the checkpoint and the file sinks do
// to disk goes through an Env, so tests can fail a chosen write, sync or rename, or drop
// what was not yet synced, as a power cut would (common/fault_injection_env.h).
//
// Errors are values, shaped as file_util.h's: IOError "<what> <path>: <strerror>", a
// missing path NotFound. Implementations must be thread-safe.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_util.h"
#include "rivulet/status.h"

namespace rivulet {

// A file being written; its data is durable once Sync returns OK.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  virtual Status Sync() = 0;  // data and size (fdatasync)
  virtual Status Close() = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // The operating system's file system. Never destroyed.
  static Env* Default();

  // Creates `path`, which must not exist, for writing.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) = 0;
  // Renames `from` to `to`. With overwrite=false an existing `to` is left untouched and
  // the result is Busy("<to> already exists").
  virtual Status RenameFile(const std::string& from, const std::string& to,
                            bool overwrite) = 0;
  // Makes the creation, rename or removal of `dir`'s entries durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // A missing file is OK; the removal is durable only after SyncDir.
  virtual Status RemoveFile(const std::string& path) = 0;
  // mkdir -p, each directory it creates made durable in its parent.
  virtual Status CreateDirs(const std::string& dir) = 0;
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path,
                                                     std::string_view holder) = 0;

  // Writes `contents` so that a reader, or a restart after a crash at any point, sees no
  // file or the whole file: a temporary `.<name>.<uuid>.tmp` beside it, synced, renamed
  // (never replacing an existing file unless `overwrite`), then the directory synced. The
  // temporary file is removed on failure.
  Status WriteFileAtomic(const std::string& path, std::string_view contents,
                         bool overwrite);
};

}  // namespace rivulet
