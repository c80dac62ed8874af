#include "checkpoint/commit_log.h"

#include <nlohmann/json.hpp>

#include "checkpoint/log_format.h"

namespace rivulet::checkpoint {

Result<std::unique_ptr<CommitLog>> CommitLog::Open(std::string dir,
                                                   bool remove_temporary_files,
                                                   Env* env) {
  RIVULET_ASSIGN_OR_RETURN(std::unique_ptr<BatchLog> files,
                           BatchLog::Open(std::move(dir), remove_temporary_files, env));
  return std::unique_ptr<CommitLog>(new CommitLog(std::move(files)));
}

std::string CommitLog::Serialize() { return "v1\n{\"nextBatchWatermarkMs\":0}"; }

Result<int64_t> CommitLog::Parse(const std::string& path, std::string_view text) {
  std::vector<std::string_view> lines = SplitLines(text);
  if (lines.empty()) return CorruptFile(path, "missing the version line");
  RIVULET_RETURN_NOT_OK(
      ParseVersionLine(
          path, lines[0], kVersion,
          ": Spark writes v2 for its state store checkpoint format 2 and v3 "
          "for sink evolution, which rivulet does not read. Go on running this "
          "query on Spark, or start it again on a new checkpoint")
          .status());
  // Spark would read a missing second line as "{}", but it never writes one: a file that
  // lacks it was damaged.
  if (lines.size() < 2) return CorruptFile(path, "missing the metadata line");
  nlohmann::json metadata =
      nlohmann::json::parse(lines[1], nullptr, /*allow_exceptions=*/false);
  if (!metadata.is_object())
    return CorruptFile(path, "the metadata line is not a JSON object");
  return OptionalInt64Field(path, metadata, "nextBatchWatermarkMs", "metadata line", 0);
}

Status CommitLog::Write(int64_t batch_id) { return files_->Add(batch_id, Serialize()); }

Result<std::optional<int64_t>> CommitLog::Latest() const {
  RIVULET_ASSIGN_OR_RETURN(std::optional<int64_t> latest, files_->LatestId());
  if (!latest) return latest;
  RIVULET_ASSIGN_OR_RETURN(std::optional<std::string> text, files_->Read(*latest));
  if (!text) return std::optional<int64_t>();  // removed since it was listed
  RIVULET_RETURN_NOT_OK(Parse(files_->PathOf(*latest), *text).status());
  return latest;
}

}  // namespace rivulet::checkpoint
