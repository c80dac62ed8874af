#include "sinks/sink_directory.h"

#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>

#include "sinks/file_sink_log.h"

namespace rivulet {
namespace {

constexpr char kClaimDir[] = "/_rivulet";

bool AllDigits(std::string_view text) {
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return false;
  }
  return !text.empty();
}

// A temporary file Env::WriteFileAtomic left for a part file: ".<part>.<uuid>.tmp".
bool IsPartTemporaryFileName(std::string_view name) {
  std::optional<std::string_view> target = TemporaryFileTarget(name);
  return target && IsPartFileName(*target);
}

std::string Describe(const std::string& query_id, const std::string& checkpoint) {
  std::string text = "query " + query_id;
  if (!checkpoint.empty()) text += " (checkpoint " + checkpoint + ")";
  return text;
}

}  // namespace

bool IsPartFileName(std::string_view name) {
  // part-<task, 5 or more digits>-<uuid>-c<3 or more digits><extension>, or with
  // ".c" for "-c" (Spark's names in partition folders)
  if (!name.starts_with("part-")) return false;
  name.remove_prefix(5);
  const size_t dash = name.find('-');
  if (dash == std::string_view::npos || dash < 5 || !AllDigits(name.substr(0, dash))) {
    return false;
  }
  name.remove_prefix(dash + 1);
  if (name.size() < 36 + 2 || !IsUuid(name.substr(0, 36)) ||
      (name.substr(36, 2) != "-c" && name.substr(36, 2) != ".c")) {
    return false;
  }
  name.remove_prefix(38);
  size_t digits = 0;
  while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits]))) {
    ++digits;
  }
  return digits >= 3;
}

Result<std::unique_ptr<SinkDirectoryClaim>> SinkDirectoryClaim::Acquire(
    const std::string& dir, const SinkContext& context, Env* env) {
  const std::string claim_dir = dir + kClaimDir;
  RIVULET_RETURN_NOT_OK(env->CreateDirs(claim_dir));
  const std::string us = Describe(context.query_id, context.checkpoint_dir);
  auto lock = env->LockFile(claim_dir + "/lock",
                            "sink directory " + dir + " is being written by " + us);
  if (!lock.ok()) {
    if (lock.status().code() != StatusCode::kBusy) return lock.status();
    return Status::Busy(lock.status().message() + "; this is " + us +
                        ". A sink directory takes the output of one query at a time.");
  }
  const std::string owner_path = claim_dir + "/owner";
  auto owner_text = env->ReadFile(owner_path);
  if (owner_text.ok()) {
    auto owner = nlohmann::json::parse(*owner_text, nullptr, false);
    if (owner.is_discarded() || !owner.is_object() || !owner.contains("queryId") ||
        !owner["queryId"].is_string()) {
      return Status::Corruption(owner_path +
                                " is corrupt: expected {\"queryId\": ...}; it records "
                                "which query writes this directory");
    }
    const std::string owner_id = owner["queryId"].get<std::string>();
    if (owner_id != context.query_id) {
      const std::string owner_checkpoint =
          owner.value("checkpointLocation", std::string());
      return Status::Busy("sink directory " + dir + " belongs to " +
                          Describe(owner_id, owner_checkpoint) + "; this is " + us +
                          ". Write this query's output to another directory, or delete " +
                          dir + " to start over.");
    }
  } else if (owner_text.status().code() == StatusCode::kNotFound) {
    RIVULET_ASSIGN_OR_RETURN(std::optional<int64_t> logged,
                             FileSinkLog::LatestBatchIn(dir, env));
    // Output without an owner is Spark's (its sink records none). It is this query's when
    // the checkpoint took it there: every committed batch is in the log, and the log
    // holds no batch the checkpoint did not plan. Anything else belongs to another query.
    const bool continues_checkpoint = logged && context.latest_logged_batch &&
                                      context.latest_committed_batch &&
                                      *context.latest_committed_batch <= *logged &&
                                      *logged <= *context.latest_logged_batch;
    if (logged && !continues_checkpoint) {
      return Status::Busy("sink directory " + dir +
                          " already holds the output of a query it does not name; this "
                          "is " +
                          us + ". Write to another directory, or delete " + dir +
                          " to start over.");
    }
    nlohmann::ordered_json owner = {{"queryId", context.query_id},
                                    {"checkpointLocation", context.checkpoint_dir}};
    RIVULET_RETURN_NOT_OK(env->WriteFileAtomic(owner_path, owner.dump(),
                                               /*overwrite=*/false));
  } else {
    return owner_text.status();
  }
  return std::unique_ptr<SinkDirectoryClaim>(new SinkDirectoryClaim(std::move(*lock)));
}

Status RemoveOrphanFiles(const std::string& dir,
                         const std::unordered_set<std::string>& committed, Env* env) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec);
  if (ec) return Status::IOError("cannot list " + dir + ": " + ec.message());
  std::unordered_set<std::string> touched_dirs;
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return Status::IOError("cannot list " + dir + ": " + ec.message());
    const std::string name = it->path().filename().string();
    const fs::file_status status = it->symlink_status(ec);
    if (ec) continue;  // removed meanwhile
    if (fs::is_directory(status)) {
      // Partition folders are "col=value"; the logs and anything hidden are not data.
      if (name.starts_with('_') || name.starts_with('.')) it.disable_recursion_pending();
      continue;
    }
    if (!fs::is_regular_file(status)) continue;
    const std::string relative = it->path().lexically_relative(dir).string();
    const bool orphan = IsPartTemporaryFileName(name) ||
                        (IsPartFileName(name) && committed.count(relative) == 0);
    if (!orphan) continue;
    RIVULET_RETURN_NOT_OK(env->RemoveFile(it->path().string()));
    touched_dirs.insert(it->path().parent_path().string());
  }
  for (const std::string& touched : touched_dirs) {
    RIVULET_RETURN_NOT_OK(env->SyncDir(touched));
  }
  return Status::OK();
}

}  // namespace rivulet
