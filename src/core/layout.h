#pragma once

// Helpers for the Arrow memory layout shared by the batch code and the row builder.

#include <bit>
#include <cstdint>

#include "rivulet/schema.h"

namespace rivulet::core {

// Bytes per value of a fixed-width column, or 0 for other types.
inline int64_t FixedWidth(TypeId id) {
  switch (id) {
    case TypeId::kByte:
      return 1;
    case TypeId::kShort:
      return 2;
    case TypeId::kInt:
    case TypeId::kFloat:
    case TypeId::kDate:
      return 4;
    case TypeId::kLong:
    case TypeId::kDouble:
    case TypeId::kTimestamp:
    case TypeId::kTimestampNtz:
    case TypeId::kDayTimeInterval:
      return 8;
    case TypeId::kDecimal:
      return 16;
    default:
      return 0;
  }
}

// What a null is called where a type forbids it, by the type holding the value: a struct
// field or top-level column, an array element, a map value. (Map keys are never null.)
inline const char* NullRefusedMessage(TypeId parent) {
  switch (parent) {
    case TypeId::kArray:
      return "null in an array that does not contain nulls";
    case TypeId::kMap:
      return "null in a map that does not contain null values";
    default:
      return "null in a NOT NULL column";
  }
}
inline constexpr const char* kNullMapKeyMessage = "null map key";

inline void SetBitTo(uint8_t* bits, int64_t i, bool value) {
  uint8_t mask = static_cast<uint8_t>(1u << (i & 7));
  if (value) {
    bits[i >> 3] |= mask;
  } else {
    bits[i >> 3] &= static_cast<uint8_t>(~mask);
  }
}

// Number of set bits in [start, start + length).
inline int64_t CountSetBits(const uint8_t* bits, int64_t start, int64_t length) {
  int64_t count = 0;
  int64_t i = start;
  int64_t end = start + length;
  for (; i < end && (i & 7) != 0; ++i) count += (bits[i >> 3] >> (i & 7)) & 1;
  for (; i + 8 <= end; i += 8)
    count += std::popcount(static_cast<unsigned>(bits[i >> 3]));
  for (; i < end; ++i) count += (bits[i >> 3] >> (i & 7)) & 1;
  return count;
}

}  // namespace rivulet::core
