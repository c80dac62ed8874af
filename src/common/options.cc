#include "rivulet/options.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace rivulet {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

void Options::Set(std::string_view key, std::string value) {
  entries_[Lower(key)] = std::move(value);
}

std::optional<std::string> Options::Get(std::string_view key) const {
  auto it = entries_.find(Lower(key));
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

std::string Options::GetOr(std::string_view key, std::string_view fallback) const {
  auto v = Get(key);
  return v ? *v : std::string(fallback);
}

Result<int64_t> Options::GetInt(std::string_view key, int64_t fallback) const {
  auto v = Get(key);
  if (!v) return fallback;
  int64_t out = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || end != v->data() + v->size() || v->empty()) {
    return Status::InvalidArgument("option '" + std::string(key) +
                                   "': expected an integer, got '" + *v + "'");
  }
  return out;
}

Result<bool> Options::GetBool(std::string_view key, bool fallback) const {
  auto v = Get(key);
  if (!v) return fallback;
  std::string s = Lower(*v);
  if (s == "true") return true;
  if (s == "false") return false;
  return Status::InvalidArgument("option '" + std::string(key) +
                                 "': expected true or false, got '" + *v + "'");
}

}  // namespace rivulet
