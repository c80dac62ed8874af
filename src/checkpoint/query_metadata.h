#pragma once

// The checkpoint's `metadata` file: the query's persistent id (Spark's StreamMetadata),
// and what rivulet records beside it, the source the query reads and the sink it writes:
//
//   {"id":"<uuid>","rivulet":{"source":"counter","sink":"JsonSink[out]"}}
//
// with no trailing newline. Spark reads only "id" and ignores the rest. The id is written
// once, when the checkpoint is first used; the record is written with it and updated
// when the sink changes, or the source does and the user asked for that.

#include <optional>
#include <string>
#include <string_view>

#include "common/env.h"
#include "rivulet/status.h"

namespace rivulet::checkpoint {

struct QueryMetadata {
  std::string id;
  // The source's short name and the sink's description when the query last started;
  // unset in a checkpoint that Spark or an older rivulet wrote.
  std::optional<std::string> source;
  std::optional<std::string> sink;

  bool operator==(const QueryMetadata& other) const = default;
};

// The contents of a metadata file: exactly Spark's {"id":"<uuid>"} without a record.
std::string SerializeQueryMetadata(const QueryMetadata& metadata);

// The metadata in the contents of `path` (used in error messages). Anything but a JSON
// object whose "id" is a UUID string, and whose "rivulet" record, if any, is an object of
// strings, is Corruption naming the path.
Result<QueryMetadata> ParseQueryMetadata(const std::string& path, std::string_view text);

// Reads the metadata from `path`, or, if there is no such file, writes one with a new
// random id and returns that. A corrupt file is reported, never replaced.
Result<QueryMetadata> LoadOrCreateQueryMetadata(Env& env, const std::string& path);

}  // namespace rivulet::checkpoint
