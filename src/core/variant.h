#pragma once

// Spark's VARIANT values: a value and a metadata binary in the variant encoding that
// Spark and Parquet share (a metadata dictionary of object keys, and a self-describing
// value that refers to it). rivulet keeps the bytes as they came and reads them only to
// check them and to print them.

#include <string>
#include <string_view>

#include "rivulet/status.h"

namespace rivulet {

// Spark's error for bytes that are not a variant.
inline constexpr std::string_view kMalformedVariant =
    "[MALFORMED_VARIANT] Variant binary is malformed. Please check the data source is "
    "valid.";

// The variant as Spark's JSON writer prints it (to_json, the json sink, show()):
// object keys in their stored (sorted) order, decimals without trailing zeros ("0.1",
// "123"), doubles and floats as Java prints them ("1.0E20"; NaN and infinities quoted),
// dates "2024-01-02", timestamps "2024-01-02 03:04:05.123456+00:00" (UTC), timestamp_ntz
// without the zone, binary as base64, UUIDs in their 8-4-4-4-12 form.
// InvalidArgument with kMalformedVariant (and where it failed) when the bytes are not a
// well-formed variant: a truncated or out-of-range part, an unknown type, an unsupported
// metadata version, a key id outside the dictionary. Bytes after the value are ignored,
// as Spark ignores them.
Result<std::string> VariantToJson(std::string_view value, std::string_view metadata);

}  // namespace rivulet
