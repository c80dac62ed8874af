#include "checkpoint/offset_log.h"

#include <nlohmann/json.hpp>

#include "checkpoint/log_format.h"

namespace rivulet::checkpoint {
namespace {

constexpr std::string_view kVoidOffset = "-";  // Spark's SERIALIZED_VOID_OFFSET

std::string Trim(std::string_view s) {
  size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  size_t end = s.find_last_not_of(" \t");
  return std::string(s.substr(begin, end - begin + 1));
}

// Spark's OffsetSeqMetadata; an empty line means none, and absent fields take defaults.
Status ParseMetadataLine(const std::string& path, std::string_view line,
                         OffsetLogEntry* entry) {
  std::string trimmed = Trim(line);
  if (trimmed.empty()) return Status::OK();
  nlohmann::json metadata =
      nlohmann::json::parse(trimmed, nullptr, /*allow_exceptions=*/false);
  if (!metadata.is_object())
    return CorruptFile(path, "the metadata line is not a JSON object");
  constexpr std::string_view kWhere = "metadata line";
  RIVULET_ASSIGN_OR_RETURN(
      entry->batch_watermark_ms,
      OptionalInt64Field(path, metadata, "batchWatermarkMs", kWhere, 0));
  RIVULET_ASSIGN_OR_RETURN(
      entry->batch_timestamp_ms,
      OptionalInt64Field(path, metadata, "batchTimestampMs", kWhere, 0));
  auto conf = metadata.find("conf");
  if (conf == metadata.end()) return Status::OK();
  if (!conf->is_object()) {
    return CorruptFile(path, "conf in the metadata line is not an object of strings");
  }
  for (const auto& [key, value] : conf->items()) {
    if (!value.is_string()) {
      return CorruptFile(path, "conf in the metadata line is not an object of strings");
    }
    entry->conf.emplace(key, value.get<std::string>());
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<OffsetLog>> OffsetLog::Open(std::string dir,
                                                   bool remove_temporary_files,
                                                   Env* env) {
  RIVULET_ASSIGN_OR_RETURN(std::unique_ptr<BatchLog> files,
                           BatchLog::Open(std::move(dir), remove_temporary_files, env));
  return std::unique_ptr<OffsetLog>(new OffsetLog(std::move(files)));
}

Result<std::string> OffsetLog::Serialize(const OffsetLogEntry& entry) {
  const std::string batch = std::to_string(entry.batch_id);
  if (entry.offsets.empty()) {
    return Status::InvalidArgument("the offsets of batch " + batch + " name no source");
  }
  std::string conf;
  try {
    conf = nlohmann::json(entry.conf).dump();
  } catch (const nlohmann::json::exception&) {
    return Status::InvalidArgument("the conf of batch " + batch + " is not valid UTF-8");
  }
  // Built by hand: Spark writes the fields in this order, and a JSON object sorts keys.
  std::string out =
      "v1\n{\"batchWatermarkMs\":" + std::to_string(entry.batch_watermark_ms) +
      ",\"batchTimestampMs\":" + std::to_string(entry.batch_timestamp_ms) +
      ",\"conf\":" + conf + "}";
  for (size_t i = 0; i < entry.offsets.size(); ++i) {
    const std::string& text = entry.offsets[i].text();
    if (text.find_first_of("\r\n") != std::string::npos) {
      return Status::InvalidArgument(
          "the offset of source " + std::to_string(i) + " in batch " + batch +
          " spans lines; an offsets file holds one line per source");
    }
    out += '\n';
    out += entry.offsets[i].empty() ? kVoidOffset : std::string_view(text);
  }
  return out;
}

Result<OffsetLogEntry> OffsetLog::Parse(const std::string& path, int64_t batch_id,
                                        std::string_view text) {
  std::vector<std::string_view> lines = SplitLines(text);
  if (lines.empty()) return CorruptFile(path, "missing the version line");
  RIVULET_RETURN_NOT_OK(
      ParseVersionLine(
          path, lines[0], kMaxReadVersion,
          ": v2 is Spark 4.2+'s offset log for named sources "
          "(spark.sql.streaming.offsetLog.formatVersion=2), which rivulet does "
          "not read. Go on running this query on Spark, or start it again on a "
          "new checkpoint")
          .status());
  if (lines.size() < 2) return CorruptFile(path, "missing the metadata line");
  OffsetLogEntry entry;
  entry.batch_id = batch_id;
  RIVULET_RETURN_NOT_OK(ParseMetadataLine(path, lines[1], &entry));
  // Every query has a source, so an entry without offset lines lost them.
  if (lines.size() < 3) return CorruptFile(path, "missing the offset lines");
  for (size_t i = 2; i < lines.size(); ++i) {
    if (lines[i] == kVoidOffset) {
      entry.offsets.emplace_back();
      continue;
    }
    Result<Offset> offset = Offset::FromText(lines[i]);
    if (!offset.ok()) {
      return CorruptFile(
          path, "the offset of source " + std::to_string(i - 2) + " is not valid JSON");
    }
    entry.offsets.push_back(std::move(*offset));
  }
  return entry;
}

Status OffsetLog::Write(const OffsetLogEntry& entry) {
  RIVULET_ASSIGN_OR_RETURN(std::string text, Serialize(entry));
  return files_->Add(entry.batch_id, text);
}

Result<std::optional<OffsetLogEntry>> OffsetLog::Read(int64_t batch_id) const {
  RIVULET_ASSIGN_OR_RETURN(std::optional<std::string> text, files_->Read(batch_id));
  if (!text) return std::optional<OffsetLogEntry>();
  RIVULET_ASSIGN_OR_RETURN(OffsetLogEntry entry,
                           Parse(files_->PathOf(batch_id), batch_id, *text));
  return std::optional<OffsetLogEntry>(std::move(entry));
}

Result<std::optional<OffsetLogEntry>> OffsetLog::Latest() const {
  RIVULET_ASSIGN_OR_RETURN(std::optional<int64_t> latest, files_->LatestId());
  if (!latest) return std::optional<OffsetLogEntry>();
  return Read(*latest);
}

}  // namespace rivulet::checkpoint
