#pragma once

// Text conventions shared by the checkpoint's files (docs/format/checkpoint.md).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "rivulet/status.h"

namespace rivulet::checkpoint {

// Splits a log file into lines the way Spark reads them: "\n", "\r\n" and "\r" end a
// line, and a terminator at the very end does not start another (empty) line.
std::vector<std::string_view> SplitLines(std::string_view text);

// Corruption("<path> is corrupt: <detail>"). A corrupt file is reported, never repaired.
Status CorruptFile(const std::string& path, std::string_view detail);

// Checks a version line "v<N>" with 1 <= N <= max_version and returns N. Text that is not
// "v" followed by a positive decimal is corrupt; a newer version is not damage but a
// format this does not read: InvalidArgument, followed by `newer_hint` (what that version
// is, what to do).
Result<int> ParseVersionLine(const std::string& path, std::string_view line,
                             int max_version, std::string_view newer_hint = "");

// Reads an optional integer field of a JSON object: `fallback` if absent, Corruption
// "<path> is corrupt: <field> in the <where> is not an integer" if not a 64-bit integer.
Result<int64_t> OptionalInt64Field(const std::string& path, const nlohmann::json& object,
                                   const char* field, std::string_view where,
                                   int64_t fallback);

// The batch id a log file name stands for: only canonical non-negative decimals ("0",
// "17", not "017", "-1", "+1", ".1.crc" or a temporary ".1.<uuid>.tmp") count.
std::optional<int64_t> ParseBatchFileName(std::string_view name);

// True for the temporary files WriteFileAtomic (and Spark) create for the files a
// checkpoint or a sink log writes: ".<name>.<uuid>.tmp" where <name> is a batch file
// ("3", "9.compact") or "metadata". A crash can leave one behind, and readers ignore it;
// any other file, a user's ".notes.tmp" say, is not the checkpoint's to remove.
bool IsTemporaryFileName(std::string_view name);

// Removes the temporary files among `names` in `dir`. Only safe while holding the
// checkpoint lock, when no writer can be midway through a write.
Status RemoveTemporaryFiles(Env& env, const std::string& dir,
                            const std::vector<std::string>& names);

}  // namespace rivulet::checkpoint
