#pragma once

// Small conversions of Python values that several encoders make the Python encoder's way.

#include <nanobind/nanobind.h>

#include <cmath>
#include <cstdint>

namespace rivulet::rowcodec {

// A float for an integer column under source rules, as pyarrow converts it (and the
// Python encoder's _truncated): toward zero, refused (false) if not finite or if the
// result does not fit int64.
[[nodiscard]] inline bool TruncatedToInt64(double value, int64_t* out) {
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (!(value >= -kTwoTo63 && value < kTwoTo63)) return false;  // NaN fails too
  *out = static_cast<int64_t>(std::trunc(value));
  return true;
}

// An int that fits int64, as array("q") takes it; false for anything else (an int
// subclass too, which the Python encoder's arithmetic never returns for the builtin
// types).
[[nodiscard]] inline bool ExactInt64(PyObject* value, int64_t* out) {
  if (!PyLong_CheckExact(value)) return false;
  int overflow = 0;
  *out = PyLong_AsLongLongAndOverflow(value, &overflow);
  return overflow == 0;
}

// isinstance(value, type) with an error as false (the caller declines either way).
[[nodiscard]] inline bool IsInstance(PyObject* value, nanobind::handle type) {
  return PyObject_IsInstance(value, type.ptr()) == 1;
}

// An interned attribute or method name, made once.
inline PyObject* Name(const char* text) { return PyUnicode_InternFromString(text); }

}  // namespace rivulet::rowcodec
