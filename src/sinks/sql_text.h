#pragma once

// What the SQL sinks (sqlite, postgres) share: identifiers quoted, and values that have
// no SQL column type of their own as text.

#include <string>
#include <string_view>

#include "rivulet/schema.h"
#include "rivulet/value.h"

namespace rivulet {

// `name` as a double-quoted SQL identifier, inner quotes doubled: a"b -> "a""b".
std::string QuoteIdentifier(std::string_view name);

// A value (not null) as the text a SQL sink stores: decimals exact ("-12.30"), dates
// "2024-01-02", timestamps "2024-01-02 03:04:05.123456" (UTC, or wall clock for
// timestamp_ntz), arrays, maps, structs and variants as Spark's JSON, strings as they
// are, other scalars (intervals included) as Spark prints them.
std::string SqlText(const Value& v, const DataType& type);

}  // namespace rivulet
