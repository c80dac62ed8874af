#pragma once

// An Env for tests that fails on purpose and loses what a power cut would lose, after
// LevelDB's FaultInjectionTestEnv. It forwards to a base Env (the real file system) and
// keeps track of what is not yet durable:
//   - file data appended since the file's last Sync;
//   - directory entries created, renamed or removed since the directory's last SyncDir.
// DropUnsyncedData() then undoes exactly that: it truncates files to their synced size
// and reverts unsynced entries (a created file disappears, a renamed one takes its old
// name back, a removed one returns), leaving the directory as the disk would after power
// came back.
//
// Faults: FailNth makes one chosen operation fail; DieAfter makes every mutating
// operation from the n-th on fail, as if the machine had stopped there, so a test can
// enumerate every point of a batch at which power can go.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/env.h"

namespace rivulet {

class FaultInjectionEnv : public Env {
 public:
  enum class Op { kCreate, kAppend, kSync, kRename, kSyncDir, kRemove };

  explicit FaultInjectionEnv(Env* base = Env::Default()) : base_(base) {}

  // The n-th (1-based, counted from now) `op` on a path containing `path_part` fails with
  // `error`, once.
  void FailNth(Op op, std::string path_part, int n, Status error);
  // Mutating operations (create, append, sync, rename, sync dir, remove) number n and
  // later fail with IOError "power cut"; until Revive.
  void DieAfter(int n);
  void Revive();
  // Mutating operations so far.
  int mutating_ops() const;
  // Undoes what is not durable (see above) and forgets it.
  Status DropUnsyncedData();

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to,
                    bool overwrite) override;
  Status SyncDir(const std::string& dir) override;
  Result<std::string> ReadFile(const std::string& path) override;
  Status RemoveFile(const std::string& path) override;
  Status CreateDirs(const std::string& dir) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path,
                                             std::string_view holder) override;

 private:
  class File;
  friend class File;
  struct Fault {
    Op op;
    std::string path_part;
    int remaining;
    Status error;
  };
  // An entry change in a directory not yet made durable, undone by DropUnsyncedData.
  struct EntryChange {
    enum Kind { kCreated, kRenamed, kRemoved } kind;
    std::string path;                    // created / removed / renamed to
    std::string from;                    // renamed from
    std::optional<std::string> content;  // what a removal or an overwrite took away
  };

  // Counts a mutating operation and says whether it must fail.
  Status Check(Op op, const std::string& path);
  void Record(const std::string& dir, EntryChange change);

  Env* const base_;
  mutable std::mutex mu_;
  std::vector<Fault> faults_;
  int ops_ = 0;
  int die_after_ = 0;                                                 // 0: never
  std::map<std::string, std::vector<EntryChange>> unsynced_entries_;  // by directory
  struct FileState {
    size_t size = 0;
    size_t synced = 0;
  };
  std::map<std::string, FileState> files_;  // written through this env, by path
};

}  // namespace rivulet
