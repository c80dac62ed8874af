#pragma once

// How much a source may admit into one batch (pyspark.sql.streaming.datasource's
// ReadLimit, Spark 4.2's admission control).

#include <cstdint>
#include <string>
#include <string_view>

#include "rivulet/status.h"

namespace rivulet {

struct ReadLimit {
  enum class Kind { kAllAvailable, kMinRows, kMaxRows, kMaxFiles, kMaxBytes };
  Kind kind = Kind::kAllAvailable;
  int64_t value = 0;  // rows, files or bytes; unused for kAllAvailable

  static ReadLimit AllAvailable() { return {}; }
  static ReadLimit MaxRows(int64_t n) { return {Kind::kMaxRows, n}; }
  bool operator==(const ReadLimit&) const = default;
  // {"_type": "ReadMaxRows", "max_rows": 2}: read limits on the worker wire.
  std::string ToJson() const;
  static Result<ReadLimit> FromJson(std::string_view json);
};

}  // namespace rivulet
