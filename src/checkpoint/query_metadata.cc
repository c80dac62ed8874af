#include "checkpoint/query_metadata.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "checkpoint/log_format.h"
#include "common/file_util.h"

namespace rivulet::checkpoint {
namespace {

// 8-4-4-4-12 hexadecimal digits, either case, as java.util.UUID writes them.
bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i])))
      return false;
  }
  return true;
}

}  // namespace

std::string SerializeQueryMetadata(const std::string& query_id) {
  return "{\"id\":\"" + query_id + "\"}";
}

Result<std::string> ParseQueryMetadata(const std::string& path, std::string_view text) {
  nlohmann::json metadata =
      nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!metadata.is_object()) return CorruptFile(path, "not a JSON object");
  auto id = metadata.find("id");
  if (id == metadata.end() || !id->is_string() ||
      !IsUuid(id->get_ref<const std::string&>())) {
    return CorruptFile(path, "\"id\" is not a UUID string");
  }
  return id->get<std::string>();
}

Result<std::string> LoadOrCreateQueryId(Env& env, const std::string& path) {
  Result<std::string> text = env.ReadFile(path);
  if (text.ok()) return ParseQueryMetadata(path, *text);
  if (text.status().code() != StatusCode::kNotFound) return text.status();
  std::string id = RandomUuid();
  RIVULET_RETURN_NOT_OK(
      env.WriteFileAtomic(path, SerializeQueryMetadata(id), /*overwrite=*/false));
  return id;
}

}  // namespace rivulet::checkpoint
