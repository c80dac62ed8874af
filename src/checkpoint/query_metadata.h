#pragma once

// The checkpoint's `metadata` file, which holds the query's persistent id (Spark's
// StreamMetadata): {"id":"<uuid>"} with no trailing newline, written once when the
// checkpoint is first used and only read afterwards.

#include <string>
#include <string_view>

#include "common/env.h"
#include "rivulet/status.h"

namespace rivulet::checkpoint {

// The contents of a metadata file for `query_id`.
std::string SerializeQueryMetadata(const std::string& query_id);

// The query id in the contents of `path` (used in error messages). Anything but a JSON
// object whose "id" is a UUID string is Corruption naming the path.
Result<std::string> ParseQueryMetadata(const std::string& path, std::string_view text);

// Reads the query id from `path`, or, if there is no such file, writes one with a new
// random id and returns that. A corrupt file is reported, never replaced.
Result<std::string> LoadOrCreateQueryId(Env& env, const std::string& path);

}  // namespace rivulet::checkpoint
