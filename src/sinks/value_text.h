#pragma once

// Values as text for the sinks that print them (json, csv, sqlite, postgres): dates and
// timestamps as ISO-8601 in UTC, nested values as Spark's JSON. One place, so every sink
// prints a value the same way.

#include <cstdint>
#include <string>

#include "core/base64.h"
#include "rivulet/schema.h"
#include "rivulet/value.h"

namespace rivulet {

// "2024-01-02".
std::string IsoDate(int32_t days);

// How a timestamp's text ends and separates date from time.
enum class TimestampStyle {
  kJson,     // "2024-01-02T03:04:05.123Z" (Spark's JSON and CSV default: milliseconds)
  kJsonNtz,  // "2024-01-02T03:04:05.123" (timestamp_ntz, no zone)
  kSql,      // "2024-01-02 03:04:05.123456" (microseconds, what SQL databases parse)
};
std::string IsoTimestamp(int64_t micros, TimestampStyle style);

// Appends `v` (not null) of type `type` as Spark's JSON writer prints it: strings quoted,
// binary as base64, maps as objects, null struct fields left out, intervals as quoted
// "INTERVAL '...' DAY TO SECOND", variants as the JSON they hold.
void AppendJsonValue(const Value& v, const DataType& type, std::string* out);

}  // namespace rivulet
