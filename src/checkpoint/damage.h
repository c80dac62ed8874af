#pragma once

// Damage a checkpoint can suffer that a restart must not run over, and the repair of it
// (docs/format/checkpoint.md, "Damage and repair").
//
// rivulet writes every checkpoint file atomically, so damage comes from outside: a disk
// or file system that lost data, a copy cut short, a hand edit, a file restored from
// another query. FindDamage reads only what a restart reads (the metadata, the last two
// offsets files, the last commit) plus the two listings; Repair mends what it can without
// losing or doubling a row, and says so where that cannot be done.

#include <optional>
#include <string>
#include <vector>

#include "checkpoint/commit_log.h"
#include "checkpoint/offset_log.h"
#include "common/env.h"
#include "rivulet/status.h"

namespace rivulet::checkpoint {

enum class RepairAction {
  kMoveAside,      // the file moves to <dir>/damaged/; the log reads on without it
  kRewriteCommit,  // the batch had reached the sink: its commit file is written anew
  kNewMetadata,    // a new metadata file, with the query id given or a new one
  kNone,           // no repair keeps every row exactly once: the operator decides
};

struct Damage {
  std::string file;     // relative to the checkpoint: "offsets/4", "metadata"
  std::string problem;  // what is wrong with it
  RepairAction action = RepairAction::kNone;
  std::string outcome;  // what the repair means for the rows, or what to do instead
};

// The damage in checkpoint `dir`, in the order a restart meets it; empty for a sound
// (or new) checkpoint. Errors only when the directory cannot be read.
Result<std::vector<Damage>> FindDamage(Env& env, const std::string& dir);
// The same, reading the logs of `dir` already open (as Checkpoint::Open has them).
Result<std::vector<Damage>> FindDamage(Env& env, const std::string& dir,
                                       const OffsetLog& offsets,
                                       const CommitLog& commits);

// One line for a start that meets `damage`: the file, the problem, and the command that
// repairs it or what to do where no command can.
Status DamageError(const std::string& dir, const Damage& damage);

struct RepairOptions {
  // The id a new metadata file gets; a new random one if unset.
  std::optional<std::string> query_id;
};

struct RepairReport {
  std::vector<Damage> repaired;
  std::vector<Damage> left;  // action kNone: repair would lose or double rows
};

// Takes the checkpoint's lock (Busy while a query runs on it) and repairs what FindDamage
// finds, until only what cannot be repaired is left. Nothing is deleted: a damaged file
// moves to <dir>/damaged/<its path>, made unique with a ".<n>" suffix.
Result<RepairReport> Repair(Env& env, const std::string& dir,
                            const RepairOptions& options);

}  // namespace rivulet::checkpoint
