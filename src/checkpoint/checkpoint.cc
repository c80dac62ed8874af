#include "checkpoint/checkpoint.h"

#include "checkpoint/damage.h"
#include "checkpoint/log_format.h"

namespace rivulet::checkpoint {
namespace {

// "ckpt/" and "ckpt" name the same directory; keep messages and paths free of "//".
std::string NormalizeDir(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

}  // namespace

Checkpoint::Checkpoint(Env* env, std::string dir, int min_batches_to_retain,
                       std::unique_ptr<FileLock> lock, QueryMetadata metadata,
                       std::unique_ptr<OffsetLog> offsets,
                       std::unique_ptr<CommitLog> commits)
    : env_(env),
      dir_(std::move(dir)),
      min_batches_to_retain_(min_batches_to_retain),
      lock_(std::move(lock)),
      metadata_(std::move(metadata)),
      offsets_(std::move(offsets)),
      commits_(std::move(commits)) {}

Result<std::unique_ptr<Checkpoint>> Checkpoint::Open(const std::string& dir_arg,
                                                     int min_batches_to_retain,
                                                     Env* env) {
  if (min_batches_to_retain <= 0) {
    return Status::InvalidArgument("min_batches_to_retain must be greater than 0, got " +
                                   std::to_string(min_batches_to_retain));
  }
  std::string dir = NormalizeDir(dir_arg);
  RIVULET_RETURN_NOT_OK(env->CreateDirs(dir));
  RIVULET_ASSIGN_OR_RETURN(
      std::unique_ptr<FileLock> lock,
      env->LockFile(dir + "/lock", "checkpoint " + dir + " is in use by another query"));
  for (const char* sub : {"/offsets", "/commits", "/sources/0"}) {
    RIVULET_RETURN_NOT_OK(env->CreateDirs(dir + sub));
  }
  RIVULET_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(dir));
  // An unfinished `metadata`.
  RIVULET_RETURN_NOT_OK(RemoveTemporaryFiles(*env, dir, names));
  RIVULET_ASSIGN_OR_RETURN(
      std::unique_ptr<OffsetLog> offsets,
      OffsetLog::Open(dir + "/offsets", /*remove_temporary_files=*/true, env));
  RIVULET_ASSIGN_OR_RETURN(
      std::unique_ptr<CommitLog> commits,
      CommitLog::Open(dir + "/commits", /*remove_temporary_files=*/true, env));
  RIVULET_ASSIGN_OR_RETURN(std::vector<Damage> damage,
                           FindDamage(*env, dir, *offsets, *commits));
  if (!damage.empty()) return DamageError(dir, damage.front());
  RIVULET_ASSIGN_OR_RETURN(QueryMetadata metadata,
                           LoadOrCreateQueryMetadata(*env, dir + "/metadata"));
  return std::unique_ptr<Checkpoint>(
      new Checkpoint(env, std::move(dir), min_batches_to_retain, std::move(lock),
                     std::move(metadata), std::move(offsets), std::move(commits)));
}

Result<std::unique_ptr<Checkpoint>> Checkpoint::OpenReadOnly(const std::string& dir_arg,
                                                             Env* env) {
  std::string dir = NormalizeDir(dir_arg);
  Result<std::string> text = env->ReadFile(dir + "/metadata");
  if (!text.ok()) return text.status().WithContext("no checkpoint at " + dir);
  RIVULET_ASSIGN_OR_RETURN(QueryMetadata metadata,
                           ParseQueryMetadata(dir + "/metadata", *text));
  RIVULET_ASSIGN_OR_RETURN(
      std::unique_ptr<OffsetLog> offsets,
      OffsetLog::Open(dir + "/offsets", /*remove_temporary_files=*/false, env));
  RIVULET_ASSIGN_OR_RETURN(
      std::unique_ptr<CommitLog> commits,
      CommitLog::Open(dir + "/commits", /*remove_temporary_files=*/false, env));
  return std::unique_ptr<Checkpoint>(
      new Checkpoint(env, std::move(dir), /*min_batches_to_retain=*/1, nullptr,
                     std::move(metadata), std::move(offsets), std::move(commits)));
}

Result<std::optional<OffsetLogEntry>> Checkpoint::LatestOffsets() {
  return offsets_->Latest();
}

Result<std::optional<OffsetLogEntry>> Checkpoint::Offsets(int64_t batch_id) {
  return offsets_->Read(batch_id);
}

Result<std::optional<int64_t>> Checkpoint::LatestCommit() { return commits_->Latest(); }

Result<std::vector<int64_t>> Checkpoint::OffsetBatchIds() {
  return offsets_->files().BatchIds();
}

Result<std::vector<int64_t>> Checkpoint::CommitBatchIds() {
  return commits_->files().BatchIds();
}

Status Checkpoint::CheckWritable() const {
  if (lock_ == nullptr)
    return Status::InvalidArgument("checkpoint " + dir_ + " is open read-only");
  return Status::OK();
}

Status Checkpoint::WriteOffsets(const OffsetLogEntry& entry) {
  RIVULET_RETURN_NOT_OK(CheckWritable());
  return offsets_->Write(entry);
}

Status Checkpoint::WriteCommit(int64_t batch_id) {
  RIVULET_RETURN_NOT_OK(CheckWritable());
  return commits_->Write(batch_id);
}

Status Checkpoint::PurgeForBatch(int64_t batch_id) {
  RIVULET_RETURN_NOT_OK(CheckWritable());
  if (batch_id <= min_batches_to_retain_) return Status::OK();
  const int64_t threshold = batch_id - min_batches_to_retain_;
  RIVULET_RETURN_NOT_OK(offsets_->files().PurgeBelow(threshold));
  return commits_->files().PurgeBelow(threshold);
}

Status Checkpoint::BindQuery(const std::string& source, const std::string& sink,
                             bool allow_source_change) {
  RIVULET_RETURN_NOT_OK(CheckWritable());
  if (metadata_.source && *metadata_.source != source && !allow_source_change) {
    return Status::InvalidArgument(
        "checkpoint " + dir_ + " belongs to a query reading source '" +
        *metadata_.source + "', not '" + source +
        "': its offsets mean nothing to another source. Use another checkpoint, or allow "
        "the change (rivulet run --allow-source-change, or the writeStream option "
        "allowSourceChange) if the new source reads the same offsets");
  }
  QueryMetadata updated{metadata_.id, source, sink};
  if (updated == metadata_) return Status::OK();
  RIVULET_RETURN_NOT_OK(env_->WriteFileAtomic(
      dir_ + "/metadata", SerializeQueryMetadata(updated), /*overwrite=*/true));
  metadata_ = std::move(updated);
  return Status::OK();
}

Status Checkpoint::RemoveCommit(int64_t batch_id) {
  RIVULET_RETURN_NOT_OK(CheckWritable());
  return commits_->files().Remove(batch_id);
}

}  // namespace rivulet::checkpoint
