#pragma once

// A case-insensitive name -> factory map, shared by the source and sink registries.

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "rivulet/status.h"

namespace rivulet {

template <typename Factory>
class NamedRegistry {
 public:
  explicit NamedRegistry(std::string kind) : kind_(std::move(kind)) {}

  Status Register(const std::string& name, Factory factory) {
    std::lock_guard lock(mu_);
    if (!factories_.emplace(Lower(name), std::move(factory)).second) {
      return Status::InvalidArgument(kind_ + " '" + name + "' is already registered");
    }
    return Status::OK();
  }

  Result<Factory> Find(const std::string& name) const {
    std::lock_guard lock(mu_);
    auto it = factories_.find(Lower(name));
    if (it == factories_.end()) {
      std::string known;
      for (const auto& [key, _] : factories_) known += (known.empty() ? "" : ", ") + key;
      return Status::NotFound("no " + kind_ + " named '" + name + "' (known: " + known +
                              ")");
    }
    return it->second;
  }

  std::vector<std::string> Names() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> names;
    for (const auto& [key, _] : factories_) names.push_back(key);
    return names;
  }

 private:
  static std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  }

  const std::string kind_;
  mutable std::mutex mu_;
  std::map<std::string, Factory> factories_;
};

}  // namespace rivulet
