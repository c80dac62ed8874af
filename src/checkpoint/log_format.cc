#include "checkpoint/log_format.h"

#include <cctype>
#include <charconv>
#include <limits>

#include "common/file_util.h"

namespace rivulet::checkpoint {
namespace {

// Garbage can be one huge line; an error message shows only its start.
std::string Excerpt(std::string_view text) {
  constexpr size_t kMax = 32;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "...";
}

}  // namespace

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
    if (text[end] == '\r' && start < text.size() && text[start] == '\n') ++start;
  }
  return lines;
}

Status CorruptFile(const std::string& path, std::string_view detail) {
  return Status::Corruption(path + " is corrupt: " + std::string(detail));
}

Result<int> ParseVersionLine(const std::string& path, std::string_view line,
                             int max_version, std::string_view newer_hint) {
  int version = 0;
  bool digits_only = line.size() > 1 && line[0] == 'v' &&
                     line.find_first_not_of("0123456789", 1) == std::string_view::npos;
  if (digits_only) {
    auto [end, ec] = std::from_chars(line.data() + 1, line.data() + line.size(), version);
    if (ec != std::errc() || end != line.data() + line.size()) version = 0;
  }
  if (version <= 0) {
    return CorruptFile(path, "malformed version line \"" + Excerpt(line) + "\"");
  }
  if (version > max_version) {
    return Status::InvalidArgument(path + " has log version v" + std::to_string(version) +
                                   ", newer than the v" + std::to_string(max_version) +
                                   " this version reads" + std::string(newer_hint));
  }
  return version;
}

Result<int64_t> OptionalInt64Field(const std::string& path, const nlohmann::json& object,
                                   const char* field, std::string_view where,
                                   int64_t fallback) {
  auto it = object.find(field);
  if (it == object.end()) return fallback;
  bool fits = it->is_number_integer() &&
              !(it->is_number_unsigned() &&
                it->get<uint64_t>() > uint64_t{std::numeric_limits<int64_t>::max()});
  if (fits) return it->get<int64_t>();
  return CorruptFile(
      path, std::string(field) + " in the " + std::string(where) + " is not an integer");
}

std::optional<int64_t> ParseBatchFileName(std::string_view name) {
  if (name.empty() || name.find_first_not_of("0123456789") != std::string_view::npos ||
      (name.size() > 1 && name[0] == '0')) {
    return std::nullopt;
  }
  int64_t id = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), id);
  if (ec != std::errc()) return std::nullopt;  // beyond int64
  return id;
}

bool IsTemporaryFileName(std::string_view name) {
  std::optional<std::string_view> target = TemporaryFileTarget(name);
  if (!target) return false;
  std::string_view stem = *target;
  constexpr std::string_view kCompact = ".compact";
  if (stem.ends_with(kCompact)) stem.remove_suffix(kCompact.size());
  return stem == "metadata" || ParseBatchFileName(stem).has_value();
}

Status RemoveTemporaryFiles(Env& env, const std::string& dir,
                            const std::vector<std::string>& names) {
  std::string path = dir + "/";
  for (const std::string& name : names) {
    if (!IsTemporaryFileName(name)) continue;
    path.resize(dir.size() + 1);
    path += name;
    RIVULET_RETURN_NOT_OK(env.RemoveFile(path));
  }
  return Status::OK();
}

}  // namespace rivulet::checkpoint
