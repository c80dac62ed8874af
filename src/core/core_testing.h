#pragma once

// Helpers for src/core's unit tests.

#include <string>

#include "rivulet/status.h"

namespace rivulet::core {

// "OK", or the error as "Invalid argument: <message>", so one assertion checks both the
// code and the exact message.
inline std::string ErrorText(const Status& status) { return status.ToString(); }
template <typename T>
std::string ErrorText(const Result<T>& result) {
  return result.status().ToString();
}

}  // namespace rivulet::core
