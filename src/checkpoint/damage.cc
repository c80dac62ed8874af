#include "checkpoint/damage.h"

#include <algorithm>

#include "checkpoint/commit_log.h"
#include "checkpoint/offset_log.h"
#include "checkpoint/query_metadata.h"
#include "common/file_util.h"

namespace rivulet::checkpoint {
namespace {

constexpr char kDamagedDir[] = "damaged";

std::string OffsetsFile(int64_t batch_id) {
  return "offsets/" + std::to_string(batch_id);
}
std::string CommitsFile(int64_t batch_id) {
  return "commits/" + std::to_string(batch_id);
}

// "<dir>/offsets/4 is corrupt: ..." -> "is corrupt: ...": the damage names its file.
std::string ProblemOf(const Status& status, const std::string& path) {
  const std::string& message = status.message();
  if (message.compare(0, path.size() + 1, path + " ") == 0) {
    return message.substr(path.size() + 1);
  }
  return "cannot be read: " + message;
}

// Only corruption is damage; a file of a format this does not read (a newer log version)
// or that cannot be read at all stops a start as the error it is.
bool IsDamage(const Status& status) { return status.code() == StatusCode::kCorruption; }

constexpr char kRestoreOrStartOver[] =
    "restore it from a copy, or run the query on a new checkpoint and a new output";

// The damage of the log files, read as a restart reads them; *any_batches tells whether
// either log holds a batch at all.
Result<std::vector<Damage>> FindLogDamage(const OffsetLog& offsets,
                                          const CommitLog& commits, bool* any_batches) {
  RIVULET_ASSIGN_OR_RETURN(std::vector<int64_t> offset_ids, offsets.files().BatchIds());
  RIVULET_ASSIGN_OR_RETURN(std::vector<int64_t> commit_ids, commits.files().BatchIds());
  *any_batches = !offset_ids.empty() || !commit_ids.empty();
  std::vector<Damage> found;
  // -1 for an empty log (batch ids are never negative).
  const int64_t last = offset_ids.empty() ? -1 : offset_ids.back();

  // Batch L is done only if commits/L exists: a commit past the last logged batch
  // belongs to no batch here, and trusting it would skip batch L's rows.
  for (int64_t id : commit_ids) {
    if (id <= last) continue;
    found.push_back(
        {CommitsFile(id),
         "has no offsets file: " +
             (last >= 0 ? "the last batch logged is " + std::to_string(last)
                        : std::string("no batch is logged")),
         RepairAction::kMoveAside,
         "no batch ran for it, so the query goes on as the offset log says, and no row "
         "is lost or doubled"});
  }
  if (last < 0) return found;
  const bool committed = std::binary_search(commit_ids.begin(), commit_ids.end(), last);
  const std::string batch = std::to_string(last);

  Result<std::optional<OffsetLogEntry>> entry = offsets.Read(last);
  if (!entry.ok() && !IsDamage(entry.status())) return entry.status();
  if (!entry.ok()) {
    const std::string problem = ProblemOf(entry.status(), offsets.files().PathOf(last));
    if (committed) {
      found.push_back({OffsetsFile(last), problem, RepairAction::kNone,
                       "batch " + batch +
                           " reached the sink and the next batch starts where it "
                           "ended, which only this file recorded: " +
                           kRestoreOrStartOver});
    } else {
      found.push_back(
          {OffsetsFile(last), problem, RepairAction::kMoveAside,
           "batch " + batch +
               " never committed, so it is planned again from where the batch before "
               "it ended. No row is lost or doubled if the sink had not taken batch " +
               batch +
               "; a sink that knows its batches (json, csv, arrow, sqlite, "
               "postgres) refuses the restart if it had"});
    }
    return found;  // what follows is read against a sound last batch
  }

  if (!committed && last > 0) {
    Result<std::optional<OffsetLogEntry>> previous = offsets.Read(last - 1);
    if (!previous.ok() && !IsDamage(previous.status())) return previous.status();
    if (!previous.ok() || !previous->has_value()) {
      found.push_back(
          {OffsetsFile(last - 1),
           previous.ok() ? std::string("is missing")
                         : ProblemOf(previous.status(), offsets.files().PathOf(last - 1)),
           RepairAction::kNone,
           "batch " + batch +
               " did not commit and must run again over exactly its logged range, which "
               "starts where batch " +
               std::to_string(last - 1) + " ended: " + kRestoreOrStartOver});
    }
  }

  // A restart reads the newest commit file at or below the last batch.
  auto newest = std::upper_bound(commit_ids.begin(), commit_ids.end(), last);
  if (newest != commit_ids.begin()) {
    const int64_t id = *std::prev(newest);
    Result<std::optional<std::string>> text = commits.files().Read(id);
    Status parsed = text.ok() && text->has_value()
                        ? CommitLog::Parse(commits.files().PathOf(id), **text).status()
                        : text.status();
    if (!parsed.ok() && !IsDamage(parsed)) return parsed;
    if (!parsed.ok()) {
      // A commit file is written only after the sink took its batch, and an offsets file
      // only after the batch before it committed: either way batch `id` was delivered.
      found.push_back({CommitsFile(id), ProblemOf(parsed, commits.files().PathOf(id)),
                       RepairAction::kRewriteCommit,
                       "batch " + std::to_string(id) +
                           " had reached the sink (its commit file exists), so the file "
                           "is written anew and no row is lost or doubled"});
    }
  }
  return found;
}

// `file` (relative to `dir`) moves to <dir>/damaged/<file>, or <file>.<n> when a earlier
// repair already put one there. Both directories are synced.
Status MoveAside(Env& env, const std::string& dir, const std::string& file) {
  const std::string from = dir + "/" + file;
  const std::string base = dir + "/" + kDamagedDir + "/" + file;
  RIVULET_RETURN_NOT_OK(env.CreateDirs(ParentDir(base)));
  std::string to = base;
  for (int n = 1;; ++n) {
    Status renamed = env.RenameFile(from, to, /*overwrite=*/false);
    if (renamed.ok()) break;
    if (renamed.code() != StatusCode::kBusy || n > 1000) return renamed;
    to = base + "." + std::to_string(n);
  }
  RIVULET_RETURN_NOT_OK(env.SyncDir(ParentDir(to)));
  return env.SyncDir(ParentDir(from));
}

Status Apply(Env& env, const std::string& dir, const Damage& damage,
             const RepairOptions& options) {
  const std::string path = dir + "/" + damage.file;
  switch (damage.action) {
    case RepairAction::kMoveAside:
      return MoveAside(env, dir, damage.file);
    case RepairAction::kRewriteCommit:
      RIVULET_RETURN_NOT_OK(MoveAside(env, dir, damage.file));
      return env.WriteFileAtomic(path, CommitLog::Serialize(), /*overwrite=*/false);
    case RepairAction::kNewMetadata: {
      Result<std::string> existing = env.ReadFile(path);
      if (existing.ok()) RIVULET_RETURN_NOT_OK(MoveAside(env, dir, damage.file));
      QueryMetadata metadata{options.query_id.value_or(RandomUuid()), std::nullopt,
                             std::nullopt};
      return env.WriteFileAtomic(path, SerializeQueryMetadata(metadata),
                                 /*overwrite=*/false);
    }
    case RepairAction::kNone:
      break;
  }
  return Status::Internal("no repair for " + damage.file);
}

}  // namespace

Result<std::vector<Damage>> FindDamage(Env& env, const std::string& dir) {
  RIVULET_ASSIGN_OR_RETURN(auto offsets, OffsetLog::Open(dir + "/offsets", false, &env));
  RIVULET_ASSIGN_OR_RETURN(auto commits, CommitLog::Open(dir + "/commits", false, &env));
  return FindDamage(env, dir, *offsets, *commits);
}

Result<std::vector<Damage>> FindDamage(Env& env, const std::string& dir,
                                       const OffsetLog& offsets,
                                       const CommitLog& commits) {
  bool any_batches = false;
  RIVULET_ASSIGN_OR_RETURN(std::vector<Damage> found,
                           FindLogDamage(offsets, commits, &any_batches));
  const std::string path = dir + "/metadata";
  Result<std::string> text = env.ReadFile(path);
  std::optional<Damage> metadata;
  constexpr char kNewId[] =
      "repair writes a new metadata file with the query id given by --query-id, or a new "
      "one. A sink that records the query id (a file sink's _rivulet/owner, the sqlite "
      "and postgres progress tables) refuses a new one: give the id it names";
  if (!text.ok()) {
    if (text.status().code() != StatusCode::kNotFound) return text.status();
    if (any_batches) {
      metadata = Damage{"metadata", "is missing, but batches are logged",
                        RepairAction::kNewMetadata, kNewId};
    }
  } else if (Result<QueryMetadata> parsed = ParseQueryMetadata(path, *text);
             !parsed.ok()) {
    metadata = Damage{"metadata", ProblemOf(parsed.status(), path),
                      RepairAction::kNewMetadata, kNewId};
  }
  // A restart reads the metadata first.
  if (metadata) found.insert(found.begin(), std::move(*metadata));
  return found;
}

Status DamageError(const std::string& dir, const Damage& damage) {
  std::string message = dir + "/" + damage.file + " " + damage.problem;
  if (damage.action == RepairAction::kNone) {
    message += ". No repair keeps every row exactly once: " + damage.outcome;
  } else {
    message += ". `rivulet checkpoint repair " + dir + "` mends it: " + damage.outcome;
  }
  return Status::Corruption(message);
}

Result<RepairReport> Repair(Env& env, const std::string& dir,
                            const RepairOptions& options) {
  if (options.query_id && !IsUuid(*options.query_id)) {
    return Status::InvalidArgument("--query-id " + *options.query_id +
                                   " is not a UUID (8-4-4-4-12 hexadecimal digits)");
  }
  Result<std::vector<std::string>> names = env.ListDir(dir);
  if (!names.ok()) return names.status().WithContext("no checkpoint at " + dir);
  RIVULET_ASSIGN_OR_RETURN(
      std::unique_ptr<FileLock> lock,
      env.LockFile(dir + "/lock", "checkpoint " + dir + " is in use by another query"));
  RepairReport report;
  // Each repair removes a damaged file from what a restart reads, so this ends; the bound
  // only guards against a file system that does not keep a rename.
  for (int round = 0; round < 10000; ++round) {
    RIVULET_ASSIGN_OR_RETURN(std::vector<Damage> found, FindDamage(env, dir));
    auto next = std::find_if(found.begin(), found.end(), [](const Damage& d) {
      return d.action != RepairAction::kNone;
    });
    if (next == found.end()) {
      report.left = std::move(found);
      return report;
    }
    RIVULET_RETURN_NOT_OK(
        Apply(env, dir, *next, options).WithContext("repairing " + next->file));
    report.repaired.push_back(std::move(*next));
  }
  return Status::IOError("checkpoint " + dir + " keeps the same damage after repair");
}

}  // namespace rivulet::checkpoint
