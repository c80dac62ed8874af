#pragma once

// A query's checkpoint directory, in Spark's layout (docs/format/checkpoint.md):
//
//   <dir>/metadata       {"id":"<uuid>",...}: the query id, written once, and the source
//                        and sink it last ran with
//   <dir>/offsets/<N>    the offsets of batch N, written before it runs
//   <dir>/commits/<N>    written after batch N reached the sink
//   <dir>/sources/0/     the first source's directory (Python sources ignore it)
//   <dir>/lock           held (flock) by the one process using the checkpoint
//
// Recovery reads it as Spark does: if the latest offsets entry has no commit, that batch
// is run again with exactly its logged offsets; otherwise the next batch starts after it.
//
// Not thread-safe: one thread at a time (the query's loop) uses a Checkpoint.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checkpoint/commit_log.h"
#include "checkpoint/offset_log.h"
#include "checkpoint/query_metadata.h"
#include "common/env.h"
#include "rivulet/status.h"

namespace rivulet::checkpoint {

class Checkpoint {
 public:
  // Creates the directory if needed and takes its lock: a second Open of the same
  // directory, in this process or another, fails with Busy "checkpoint <dir> is in use by
  // another query (pid N)" until this object is destroyed or its process dies. Then
  // creates offsets/, commits/ and sources/0/, removes the temporary files an interrupted
  // write left behind, and reads `metadata` (or creates it with a new query id). Damage a
  // restart must not run over (see damage.h) is Corruption naming the file and its
  // repair. min_batches_to_retain must be > 0.
  static Result<std::unique_ptr<Checkpoint>> Open(const std::string& dir,
                                                  int min_batches_to_retain,
                                                  Env* env = Env::Default());
  // Opens an existing checkpoint for inspection: no lock, nothing created or removed, and
  // writes fail with InvalidArgument. A directory without `metadata` is NotFound.
  static Result<std::unique_ptr<Checkpoint>> OpenReadOnly(const std::string& dir,
                                                          Env* env = Env::Default());

  const std::string& query_id() const { return metadata_.id; }
  const QueryMetadata& metadata() const { return metadata_; }

  // Checks that the query about to run reads the source the checkpoint was written for
  // (by short name), since its offsets mean nothing to another source, and records the
  // source and sink in `metadata`. A checkpoint that records none takes these. Another
  // source is InvalidArgument naming both, unless allow_source_change, which records the
  // new one; another sink is recorded.
  Status BindQuery(const std::string& source, const std::string& sink,
                   bool allow_source_change);
  const std::string& dir() const { return dir_; }

  // The offsets entry with the highest batch id, nullopt if there is none.
  Result<std::optional<OffsetLogEntry>> LatestOffsets();
  // The offsets entry of `batch_id`, nullopt if there is none.
  Result<std::optional<OffsetLogEntry>> Offsets(int64_t batch_id);
  // The highest committed batch id, nullopt if there is none.
  Result<std::optional<int64_t>> LatestCommit();
  // The batch ids in offsets/ and commits/, ascending.
  Result<std::vector<int64_t>> OffsetBatchIds();
  Result<std::vector<int64_t>> CommitBatchIds();

  // Writes offsets/<entry.batch_id> (commits/<batch_id>) atomically and durably. An
  // existing file is never replaced: it is Busy "Concurrent update to the log. Multiple
  // streaming jobs detected for <N>".
  Status WriteOffsets(const OffsetLogEntry& entry);
  Status WriteCommit(int64_t batch_id);

  // Called once batch `batch_id`'s offsets are written. As Spark does, when batch_id >
  // min_batches_to_retain it deletes the offsets and commits of every batch below
  // batch_id - min_batches_to_retain, keeping batches batch_id - min_batches_to_retain ..
  // batch_id: the newest ones plus the one whose end offsets a replay of batch_id starts
  // from. Deletes only what expired since the last call, without listing the directories.
  Status PurgeForBatch(int64_t batch_id);

  // Removes commits/<batch_id> durably (a missing one is OK), so a restart runs the batch
  // again: Spark's commitLog.purgeAfter, used by tests and the CLI to force a replay.
  Status RemoveCommit(int64_t batch_id);

 private:
  Checkpoint(Env* env, std::string dir, int min_batches_to_retain,
             std::unique_ptr<FileLock> lock, QueryMetadata metadata,
             std::unique_ptr<OffsetLog> offsets, std::unique_ptr<CommitLog> commits);

  Status CheckWritable() const;

  Env* env_;
  std::string dir_;
  int min_batches_to_retain_;
  std::unique_ptr<FileLock> lock_;  // null when read-only
  QueryMetadata metadata_;
  std::unique_ptr<OffsetLog> offsets_;
  std::unique_ptr<CommitLog> commits_;
};

}  // namespace rivulet::checkpoint
