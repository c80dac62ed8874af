#pragma once

// The one place where nlohmann::json's parse exceptions become Status values.

#include <nlohmann/json.hpp>
#include <string_view>

#include "rivulet/status.h"

namespace rivulet::core {

// Parses one JSON value. On failure the message is nlohmann's description without its
// "[json.exception...]" prefix, e.g. "parse error at line 1, column 2: ...".
inline Result<nlohmann::json> ParseJson(std::string_view text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    std::string_view what = e.what();
    if (!what.empty() && what.front() == '[') {
      auto close = what.find("] ");
      if (close != std::string_view::npos) what.remove_prefix(close + 2);
    }
    return Status::InvalidArgument(std::string(what));
  }
}

}  // namespace rivulet::core
