#pragma once

// A file sink's directory belongs to one query. Two queries writing one directory would
// each skip the batch ids the other logged, or lose rows to each other; so the first
// query to write a directory records its id there, and any other query is refused, with
// both ids named. While a query writes, it also holds the directory's lock, so a second
// run of the same query (another checkpoint copy, say) is refused as well.
//
// What rivulet keeps there lives under <dir>/_rivulet/, a name Spark's readers skip:
//   owner  {"queryId":"...","checkpointLocation":"..."}, written once
//   lock   held while a query writes (common/file_util.h's FileLock)
//
// RemoveOrphanFiles, under the claim, removes what a killed write left behind: temporary
// files and part files that no committed batch lists. Nothing else is touched.

#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>

#include "common/env.h"
#include "common/file_util.h"
#include "rivulet/sink.h"

namespace rivulet {

// True for a data file name as Spark's file sink writes it and rivulet's does,
// "part-00000-<uuid>-c000<extension>" ("...<uuid>.c000<extension>" in a partition
// folder).
bool IsPartFileName(std::string_view name);

class SinkDirectoryClaim {
 public:
  // Claims directory `dir` (an absolute path; created if missing) for the query of
  // `context`.
  // Errors do not name the sink: the engine prefixes its description. A directory that
  // another query owns or writes is Busy; so is one holding batches of a query it does
  // not name (a log, no owner).
  static Result<std::unique_ptr<SinkDirectoryClaim>> Acquire(const std::string& dir,
                                                             const SinkContext& context,
                                                             Env* env);

 private:
  explicit SinkDirectoryClaim(std::unique_ptr<FileLock> lock) : lock_(std::move(lock)) {}
  std::unique_ptr<FileLock> lock_;
};

// Removes temporary files and part files not in `committed` from the sink directory
// `dir` and its partition folders. Only safe while holding the directory's claim.
Status RemoveOrphanFiles(const std::string& dir,
                         const std::unordered_set<std::string>& committed, Env* env);

}  // namespace rivulet
