#include "checkpoint/batch_log.h"

#include <sys/stat.h>

#include <algorithm>

#include "checkpoint/log_format.h"
#include "common/env.h"

namespace rivulet::checkpoint {
namespace {

// The names in `dir`, none for a missing directory.
Result<std::vector<std::string>> ListNames(Env& env, const std::string& dir) {
  Result<std::vector<std::string>> names = env.ListDir(dir);
  if (!names.ok() && names.status().code() == StatusCode::kNotFound) {
    return std::vector<std::string>();
  }
  return names;
}

std::vector<int64_t> BatchIdsAmong(const std::vector<std::string>& names) {
  std::vector<int64_t> ids;
  for (const std::string& name : names) {
    if (std::optional<int64_t> id = ParseBatchFileName(name)) ids.push_back(*id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

Status CheckBatchId(int64_t batch_id) {
  if (batch_id < 0) {
    return Status::InvalidArgument("batch id must be non-negative, got " +
                                   std::to_string(batch_id));
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<BatchLog>> BatchLog::Open(std::string dir,
                                                 bool remove_temporary_files, Env* env) {
  RIVULET_ASSIGN_OR_RETURN(std::vector<std::string> names, ListNames(*env, dir));
  if (remove_temporary_files) {
    RIVULET_RETURN_NOT_OK(RemoveTemporaryFiles(*env, dir, names));
  }
  std::vector<int64_t> ids = BatchIdsAmong(names);
  std::optional<int64_t> lowest;
  if (!ids.empty()) lowest = ids.front();
  return std::unique_ptr<BatchLog>(new BatchLog(std::move(dir), lowest, env));
}

std::string BatchLog::PathOf(int64_t batch_id) const {
  return dir_ + "/" + std::to_string(batch_id);
}

Result<std::vector<int64_t>> BatchLog::BatchIds() const {
  RIVULET_ASSIGN_OR_RETURN(std::vector<std::string> names, ListNames(*env_, dir_));
  return BatchIdsAmong(names);
}

Result<std::optional<int64_t>> BatchLog::LatestId() const {
  RIVULET_ASSIGN_OR_RETURN(std::vector<int64_t> ids, BatchIds());
  if (ids.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(ids.back());
}

Result<std::optional<std::string>> BatchLog::Read(int64_t batch_id) const {
  RIVULET_RETURN_NOT_OK(CheckBatchId(batch_id));
  Result<std::string> contents = env_->ReadFile(PathOf(batch_id));
  if (!contents.ok()) {
    if (contents.status().code() == StatusCode::kNotFound) {
      return std::optional<std::string>();
    }
    return contents.status();
  }
  return std::optional<std::string>(std::move(*contents));
}

Status BatchLog::Add(int64_t batch_id, std::string_view contents) {
  RIVULET_RETURN_NOT_OK(CheckBatchId(batch_id));
  Status st = env_->WriteFileAtomic(PathOf(batch_id), contents, /*overwrite=*/false);
  if (st.code() == StatusCode::kBusy) {
    // A symbolic link in the way (dangling or not) is no other query's batch: say what it
    // is. A file is Spark's "concurrent update" (it is never replaced).
    struct stat link {};
    if (::lstat(PathOf(batch_id).c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
      return Status::Corruption(PathOf(batch_id) +
                                " is a symbolic link, which a log never holds; "
                                "nothing was written: remove the link and start again");
    }
    return Status::Busy(
        "Concurrent update to the log. Multiple streaming jobs detected for " +
        std::to_string(batch_id));
  }
  RIVULET_RETURN_NOT_OK(st);
  if (!lowest_ || batch_id < *lowest_) lowest_ = batch_id;
  return Status::OK();
}

Status BatchLog::Remove(int64_t batch_id) {
  RIVULET_RETURN_NOT_OK(CheckBatchId(batch_id));
  RIVULET_RETURN_NOT_OK(env_->RemoveFile(PathOf(batch_id)));
  return env_->SyncDir(dir_);
}

Status BatchLog::PurgeBelow(int64_t threshold) {
  if (!lowest_ || *lowest_ >= threshold) return Status::OK();
  for (int64_t id = *lowest_; id < threshold; ++id) {
    RIVULET_RETURN_NOT_OK(env_->RemoveFile(PathOf(id)));
    lowest_ = id + 1;
  }
  return Status::OK();
}

}  // namespace rivulet::checkpoint
