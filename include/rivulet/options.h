#pragma once

// Source and sink options: string keys matched case-insensitively, as in Spark.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "rivulet/status.h"

namespace rivulet {

class Options {
 public:
  Options() = default;

  void Set(std::string_view key, std::string value);
  std::optional<std::string> Get(std::string_view key) const;
  std::string GetOr(std::string_view key, std::string_view fallback) const;
  // A missing key gives `fallback`; a present key that is not an integer is an error
  // naming the key: "option 'rowsPerSecond': expected an integer, got 'ten'".
  Result<int64_t> GetInt(std::string_view key, int64_t fallback) const;
  Result<bool> GetBool(std::string_view key, bool fallback) const;
  bool Contains(std::string_view key) const { return Get(key).has_value(); }
  // Keys lower-cased, in sorted order.
  const std::map<std::string, std::string>& entries() const { return entries_; }

 private:
  std::map<std::string, std::string> entries_;  // keys lower-cased
};

}  // namespace rivulet
