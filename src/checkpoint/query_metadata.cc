#include "checkpoint/query_metadata.h"

#include <nlohmann/json.hpp>

#include "checkpoint/log_format.h"
#include "common/file_util.h"

namespace rivulet::checkpoint {
namespace {

constexpr char kRecord[] = "rivulet";

Result<std::optional<std::string>> OptionalString(const std::string& path,
                                                  const nlohmann::json& record,
                                                  const char* field) {
  auto it = record.find(field);
  if (it == record.end()) return std::optional<std::string>();
  if (!it->is_string()) {
    return CorruptFile(path,
                       std::string("\"") + kRecord + "." + field + "\" is not a string");
  }
  return std::optional<std::string>(it->get<std::string>());
}

}  // namespace

std::string SerializeQueryMetadata(const QueryMetadata& metadata) {
  // Built by hand so that "id" comes first, as in Spark's file.
  std::string out = "{\"id\":" + nlohmann::json(metadata.id).dump();
  if (metadata.source || metadata.sink) {
    nlohmann::json record = nlohmann::json::object();
    if (metadata.source) record["source"] = *metadata.source;
    if (metadata.sink) record["sink"] = *metadata.sink;
    out += std::string(",\"") + kRecord +
           "\":" + record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return out + "}";
}

Result<QueryMetadata> ParseQueryMetadata(const std::string& path, std::string_view text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return CorruptFile(path, "not a JSON object");
  auto id = json.find("id");
  if (id == json.end() || !id->is_string() ||
      !IsUuid(id->get_ref<const std::string&>())) {
    return CorruptFile(path, "\"id\" is not a UUID string");
  }
  QueryMetadata metadata;
  metadata.id = id->get<std::string>();
  auto record = json.find(kRecord);
  if (record == json.end()) return metadata;
  if (!record->is_object()) {
    return CorruptFile(path, std::string("\"") + kRecord + "\" is not an object");
  }
  RIVULET_ASSIGN_OR_RETURN(metadata.source, OptionalString(path, *record, "source"));
  RIVULET_ASSIGN_OR_RETURN(metadata.sink, OptionalString(path, *record, "sink"));
  return metadata;
}

Result<QueryMetadata> LoadOrCreateQueryMetadata(Env& env, const std::string& path) {
  Result<std::string> text = env.ReadFile(path);
  if (text.ok()) return ParseQueryMetadata(path, *text);
  if (text.status().code() != StatusCode::kNotFound) return text.status();
  QueryMetadata metadata{RandomUuid(), std::nullopt, std::nullopt};
  RIVULET_RETURN_NOT_OK(
      env.WriteFileAtomic(path, SerializeQueryMetadata(metadata), /*overwrite=*/false));
  return metadata;
}

}  // namespace rivulet::checkpoint
