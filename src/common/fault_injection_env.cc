#include "common/fault_injection_env.h"

#include <unistd.h>

#include <cerrno>

namespace rivulet {

class FaultInjectionEnv::File : public WritableFile {
 public:
  File(FaultInjectionEnv* env, std::string path, std::unique_ptr<WritableFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  Status Append(std::string_view data) override {
    RIVULET_RETURN_NOT_OK(env_->Check(Op::kAppend, path_));
    RIVULET_RETURN_NOT_OK(base_->Append(data));
    std::lock_guard lock(env_->mu_);
    env_->files_[path_].size += data.size();
    return Status::OK();
  }
  Status Sync() override {
    RIVULET_RETURN_NOT_OK(env_->Check(Op::kSync, path_));
    RIVULET_RETURN_NOT_OK(base_->Sync());
    std::lock_guard lock(env_->mu_);
    auto& state = env_->files_[path_];
    state.synced = state.size;
    return Status::OK();
  }
  Status Close() override { return base_->Close(); }

 private:
  FaultInjectionEnv* env_;
  std::string path_;
  std::unique_ptr<WritableFile> base_;
};

void FaultInjectionEnv::FailNth(Op op, std::string path_part, int n, Status error) {
  std::lock_guard lock(mu_);
  faults_.push_back(Fault{op, std::move(path_part), n, std::move(error)});
}

void FaultInjectionEnv::DieAfter(int n) {
  std::lock_guard lock(mu_);
  die_after_ = ops_ + n;
}

void FaultInjectionEnv::Revive() {
  std::lock_guard lock(mu_);
  die_after_ = 0;
}

int FaultInjectionEnv::mutating_ops() const {
  std::lock_guard lock(mu_);
  return ops_;
}

Status FaultInjectionEnv::Check(Op op, const std::string& path) {
  std::lock_guard lock(mu_);
  ++ops_;
  if (die_after_ > 0 && ops_ >= die_after_) {
    return Status::IOError("power cut before writing " + path);
  }
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->op != op || path.find(it->path_part) == std::string::npos) continue;
    if (--it->remaining > 0) continue;
    Status error = it->error;
    faults_.erase(it);
    return error;
  }
  return Status::OK();
}

void FaultInjectionEnv::Record(const std::string& dir, EntryChange change) {
  std::lock_guard lock(mu_);
  unsynced_entries_[dir].push_back(std::move(change));
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewWritableFile(
    const std::string& path) {
  RIVULET_RETURN_NOT_OK(Check(Op::kCreate, path));
  RIVULET_ASSIGN_OR_RETURN(auto file, base_->NewWritableFile(path));
  Record(ParentDir(path), EntryChange{EntryChange::kCreated, path, "", std::nullopt});
  {
    std::lock_guard lock(mu_);
    files_[path] = FileState{};
  }
  return std::unique_ptr<WritableFile>(new File(this, path, std::move(file)));
}

Status FaultInjectionEnv::RenameFile(const std::string& from, const std::string& to,
                                     bool overwrite) {
  RIVULET_RETURN_NOT_OK(Check(Op::kRename, to));
  std::optional<std::string> replaced;
  if (overwrite) {
    auto old = base_->ReadFile(to);
    if (old.ok()) replaced = std::move(*old);
  }
  RIVULET_RETURN_NOT_OK(base_->RenameFile(from, to, overwrite));
  Record(ParentDir(to),
         EntryChange{EntryChange::kRenamed, to, from, std::move(replaced)});
  std::lock_guard lock(mu_);
  if (auto it = files_.find(from); it != files_.end()) {
    files_[to] = it->second;
    files_.erase(it);
  }
  return Status::OK();
}

Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  RIVULET_RETURN_NOT_OK(Check(Op::kSyncDir, dir));
  RIVULET_RETURN_NOT_OK(base_->SyncDir(dir));
  std::lock_guard lock(mu_);
  unsynced_entries_.erase(dir);
  return Status::OK();
}

Result<std::string> FaultInjectionEnv::ReadFile(const std::string& path) {
  return base_->ReadFile(path);
}

Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  RIVULET_RETURN_NOT_OK(Check(Op::kRemove, path));
  auto content = base_->ReadFile(path);
  RIVULET_RETURN_NOT_OK(base_->RemoveFile(path));
  if (content.ok()) {
    Record(ParentDir(path),
           EntryChange{EntryChange::kRemoved, path, "", std::move(*content)});
  }
  return Status::OK();
}

Status FaultInjectionEnv::CreateDirs(const std::string& dir) {
  return base_->CreateDirs(dir);  // durable as it returns
}

Result<std::vector<std::string>> FaultInjectionEnv::ListDir(const std::string& dir) {
  return base_->ListDir(dir);
}

Result<std::unique_ptr<FileLock>> FaultInjectionEnv::LockFile(const std::string& path,
                                                              std::string_view holder) {
  return base_->LockFile(path, holder);
}

Status FaultInjectionEnv::DropUnsyncedData() {
  std::lock_guard lock(mu_);
  // File data first, under the names the files have now; then the entries, newest first.
  for (const auto& [path, state] : files_) {
    if (state.synced < state.size && ::truncate(path.c_str(), state.synced) != 0 &&
        errno != ENOENT) {
      return Status::IOError("cannot truncate " + path);
    }
  }
  files_.clear();
  for (auto& [dir, changes] : unsynced_entries_) {
    for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
      switch (it->kind) {
        case EntryChange::kCreated:
          RIVULET_RETURN_NOT_OK(base_->RemoveFile(it->path));
          break;
        case EntryChange::kRenamed:
          RIVULET_RETURN_NOT_OK(base_->RenameFile(it->path, it->from, true));
          if (it->content) {
            RIVULET_RETURN_NOT_OK(base_->WriteFileAtomic(it->path, *it->content, true));
          }
          break;
        case EntryChange::kRemoved:
          RIVULET_RETURN_NOT_OK(base_->WriteFileAtomic(it->path, *it->content, true));
          break;
      }
    }
  }
  unsynced_entries_.clear();
  return Status::OK();
}

}  // namespace rivulet
