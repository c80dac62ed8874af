#pragma once

// Durable file primitives for the checkpoint and the sinks.
//
// Every function reports failures as values: I/O errors are Status::IOError with a
// message "<what> <path>: <strerror>", a missing file or directory is Status::NotFound
// with the same shape. None of these functions throws. They are thread-safe in the sense
// of the underlying system calls: concurrent calls on different paths do not interfere.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rivulet/status.h"

namespace rivulet {

// Env::Default()->WriteFileAtomic (common/env.h): no file or the whole file, never a
// prefix, even across a crash; with overwrite=false an existing `path` is left untouched
// and reported as Status::Busy("<path> already exists").
Status WriteFileAtomic(const std::string& path, std::string_view contents,
                       bool overwrite);

// Renames `from` to `to`. With overwrite=false the rename refuses to replace an existing
// file (renameat2 RENAME_NOREPLACE, or link + unlink where the file system does not
// support that flag) and reports Status::Busy("<to> already exists").
Status RenameFile(const std::string& from, const std::string& to, bool overwrite);

// Creates a file that must not exist yet (O_EXCL, never through a symbolic link) for
// writing; returns its descriptor, close-on-exec.
Result<int> CreateFileExclusive(const std::string& path);
// Writes all of `contents` to `fd`, retrying short writes; `path` names it in errors.
Status WriteFd(int fd, std::string_view contents, const std::string& path);
// fdatasync: the data and the size of the file are durable.
Status SyncFd(int fd, const std::string& path);

// The whole contents of `path`. A missing file is NotFound.
Result<std::string> ReadFile(const std::string& path);

// fsyncs a directory, making the creation, rename or removal of its entries durable.
Status FsyncDir(const std::string& dir);

// mkdir -p: creates `dir` and missing parents (mode 0755), fsyncing the parent of each
// one created. An existing directory is OK; an existing non-directory is IOError.
Status CreateDirs(const std::string& dir);

// The names in `dir` ("." and ".." excluded), in no particular order.
Result<std::vector<std::string>> ListDir(const std::string& dir);

// Removes a file. A missing file is OK. The removal is not made durable (no directory
// fsync): callers that need that call FsyncDir.
Status RemoveFile(const std::string& path);

// The directory part of a path: "a/b/c" -> "a/b", "c" -> ".", "/c" -> "/".
std::string ParentDir(const std::string& path);

// A random (version 4) UUID in its canonical lowercase form,
// e.g. "1b4e28ba-2fa1-41d2-883f-0016d3cca427". Also names the temporary files above.
std::string RandomUuid();
// True for text in that form (8-4-4-4-12 hex digits, either case, as Java writes them).
bool IsUuid(std::string_view text);
// For a temporary file name WriteFileAtomic creates, ".<name>.<uuid>.tmp", the <name> of
// the file it was to become; nullopt for any other name.
std::optional<std::string_view> TemporaryFileTarget(std::string_view name);

// An exclusive advisory lock on a file (flock), held until the object is destroyed. The
// kernel releases it when the holder process dies for any reason, including SIGKILL, so a
// crashed holder never leaves a stale lock behind. The descriptor is close-on-exec, so
// child processes that exec (workers) do not keep the lock alive.
//
// The lock file is created if missing and is never deleted (deleting a lock file races
// with a process that has just opened it).
class FileLock {
 public:
  // Takes the lock on `path` without blocking. On success the file holds
  // "<holder_description> (pid <N>)"; when another open file description holds the lock
  // (this process or another), the result is Status::Busy whose message is that text as
  // the holder wrote it, so `holder_description` should read as the error a contender
  // reports, e.g. "checkpoint /data/q1 is in use by another query". If the holder has not
  // written its text yet, the message is "<path> is locked by another process".
  static Result<std::unique_ptr<FileLock>> Acquire(const std::string& path,
                                                   std::string_view holder_description);

  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  const std::string& path() const { return path_; }

 private:
  FileLock(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  std::string path_;
  int fd_;
};

}  // namespace rivulet
