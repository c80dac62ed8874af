// null, boolean, tinyint to bigint, float and double: _Column._null, _bool, _int, _float.

#include <nanobind/stl/string.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "rowcodec/column_buffers.h"
#include "rowcodec/column_encoder.h"
#include "rowcodec/python_values.h"

namespace nb = nanobind;

namespace rivulet::rowcodec {
namespace {

// NullType: None only; a node and no buffers.
class NullEncoder final : public ColumnEncoder {
 public:
  bool Append(PyObject* value) override {
    if (value != Py_None) return false;
    ++length_;
    return true;
  }
  void Emit(Body& body) const override { body.AddNode(length_, length_); }
  void Reset() override { length_ = 0; }

 private:
  int64_t length_ = 0;
};

// BooleanType: exactly True or False (an int is refused, even under source rules).
class BooleanEncoder final : public ColumnEncoder {
 public:
  explicit BooleanEncoder(const ColumnSpec& spec) : nullable_(spec.nullable) {}

  bool Append(PyObject* value) override {
    if (value == Py_True || value == Py_False) {
      validity_.AppendValid();
      values_.Push(value == Py_True);
      return true;
    }
    if (value != Py_None || !nullable_) return false;
    validity_.AppendNull();
    values_.Push(false);
    return true;
  }
  void Emit(Body& body) const override {
    validity_.EmitTo(body);
    values_.EmitTo(body);
  }
  void Reset() override {
    validity_.Reset();
    values_.Clear();
  }

 private:
  const bool nullable_;
  Validity validity_;
  BitWriter values_;
};

// TINYINT to BIGINT: an int within the type's range; under source rules a float too,
// truncated toward zero. A bool is refused (its type is not int).
template <typename T>
class IntegerEncoder final : public ColumnEncoder {
 public:
  explicit IntegerEncoder(const ColumnSpec& spec)
      : nullable_(spec.nullable), source_rules_(spec.source_rules) {}

  bool Append(PyObject* value) override {
    int64_t v = 0;
    if (PyLong_CheckExact(value)) {
      int overflow = 0;
      v = PyLong_AsLongLongAndOverflow(value, &overflow);
      if (overflow != 0) return false;
    } else if (value == Py_None) {
      if (!nullable_) return false;
      validity_.AppendNull();
      values_.push_back(0);
      return true;
    } else if (source_rules_ && PyFloat_CheckExact(value)) {
      if (!TruncatedToInt64(PyFloat_AS_DOUBLE(value), &v)) return false;
    } else {
      return false;
    }
    if constexpr (sizeof(T) < sizeof(int64_t)) {
      if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max())
        return false;
    }
    validity_.AppendValid();
    values_.push_back(static_cast<T>(v));
    return true;
  }
  void Emit(Body& body) const override {
    validity_.EmitTo(body);
    body.AddBuffer(values_.data(), values_.size() * sizeof(T));
  }
  void Reset() override {
    validity_.Reset();
    Recycle(values_);
  }

 private:
  const bool nullable_;
  const bool source_rules_;
  Validity validity_;
  std::vector<T> values_;
};

// FLOAT and DOUBLE: a float or an int (an int too large for a double is refused); under
// source rules a bool too, as 0.0 or 1.0. A FLOAT takes the value rounded to float32,
// as array("f") does.
//
// The Python encoder refuses a finite value that float32 cannot hold only when the
// batch's largest float32 magnitude, max(map(abs, data)), is infinite, and max() there
// keeps a NaN it meets first; EndBatch makes the same comparisons in the same order.
template <typename T>
class FloatingEncoder final : public ColumnEncoder {
 public:
  explicit FloatingEncoder(const ColumnSpec& spec)
      : nullable_(spec.nullable), source_rules_(spec.source_rules) {}

  bool Append(PyObject* value) override {
    double v = 0.0;
    bool is_int = false;
    if (PyFloat_CheckExact(value)) {
      v = PyFloat_AS_DOUBLE(value);
    } else if (PyLong_CheckExact(value)) {
      v = PyLong_AsDouble(value);
      if (v == -1.0 && PyErr_Occurred() != nullptr) return false;
      is_int = true;
    } else if (value == Py_None) {
      if (!nullable_) return false;
      validity_.AppendNull();
      Store(0.0, false);
      return true;
    } else if (source_rules_ && (value == Py_True || value == Py_False)) {
      v = value == Py_True ? 1.0 : 0.0;
    } else {
      return false;
    }
    validity_.AppendValid();
    Store(v, is_int);
    return true;
  }
  bool EndBatch() override {
    if constexpr (std::is_same_v<T, float>) {
      return !(beyond_float32_ && std::isinf(largest_));
    }
    return true;
  }
  void Emit(Body& body) const override {
    validity_.EmitTo(body);
    body.AddBuffer(values_.data(), values_.size() * sizeof(T));
  }
  void Reset() override {
    validity_.Reset();
    Recycle(values_);
    largest_ = 0.0;
    beyond_float32_ = false;
  }

 private:
  void Store(double v, bool is_int) {
    const T stored = static_cast<T>(v);
    if constexpr (std::is_same_v<T, float>) {
      const double magnitude = std::fabs(static_cast<double>(stored));
      if (values_.empty() || magnitude > largest_) largest_ = magnitude;
      // abs(v) > _FLOAT32_MAX and abs(v) != inf, as the Python encoder tests it. It
      // compares an int exactly, and v is the int rounded to a double: an int whose
      // double is FLT_MAX counts as beyond (declining is safe; the Python encoder
      // decides).
      constexpr double kFloat32Max = std::numeric_limits<float>::max();
      const double v_magnitude = std::fabs(v);
      if (is_int ? v_magnitude >= kFloat32Max
                 : v_magnitude > kFloat32Max && !std::isinf(v_magnitude)) {
        beyond_float32_ = true;
      }
    }
    values_.push_back(stored);
  }

  const bool nullable_;
  const bool source_rules_;
  Validity validity_;
  std::vector<T> values_;
  double largest_ = 0.0;  // max(map(abs, data)) so far
  bool beyond_float32_ = false;
};

char TypeCode(const ColumnSpec& spec) {
  const auto code = nb::cast<std::string>(spec.column.attr("code"));
  if (code.size() != 1) {
    throw std::invalid_argument("a numeric column's code is one letter");
  }
  return code[0];
}

}  // namespace

std::unique_ptr<ColumnEncoder> MakeNullEncoder(ColumnSpec&& /*spec*/) {
  return std::make_unique<NullEncoder>();
}

std::unique_ptr<ColumnEncoder> MakeBooleanEncoder(ColumnSpec&& spec) {
  return std::make_unique<BooleanEncoder>(spec);
}

std::unique_ptr<ColumnEncoder> MakeIntegerEncoder(ColumnSpec&& spec) {
  switch (TypeCode(spec)) {
    case 'b':
      return std::make_unique<IntegerEncoder<int8_t>>(spec);
    case 'h':
      return std::make_unique<IntegerEncoder<int16_t>>(spec);
    case 'i':
      return std::make_unique<IntegerEncoder<int32_t>>(spec);
    case 'q':
      return std::make_unique<IntegerEncoder<int64_t>>(spec);
    default:
      throw std::invalid_argument("no integer column of code " +
                                  std::string(1, TypeCode(spec)));
  }
}

std::unique_ptr<ColumnEncoder> MakeFloatingEncoder(ColumnSpec&& spec) {
  switch (TypeCode(spec)) {
    case 'f':
      return std::make_unique<FloatingEncoder<float>>(spec);
    case 'd':
      return std::make_unique<FloatingEncoder<double>>(spec);
    default:
      throw std::invalid_argument("no floating-point column of code " +
                                  std::string(1, TypeCode(spec)));
  }
}

}  // namespace rivulet::rowcodec
