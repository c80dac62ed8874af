// DECIMAL(p, s): _Column._decimal. The conversions are Python's decimal module, called as
// the Python encoder calls it (methods looked up on the value, so a subclass behaves as
// it does there); the values are 16-byte little-endian two's complement unscaled ints.

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "rowcodec/column_buffers.h"
#include "rowcodec/column_encoder.h"
#include "rowcodec/python_values.h"

namespace nb = nanobind;

namespace rivulet::rowcodec {
namespace {

class DecimalEncoder final : public ColumnEncoder {
 public:
  explicit DecimalEncoder(const ColumnSpec& spec)
      : nullable_(spec.nullable),
        source_rules_(spec.source_rules),
        support_(*spec.support),
        limit_(spec.column.attr("limit")),
        negative_limit_(nb::steal(PyNumber_Negative(limit_.ptr()))),
        quantum_(spec.column.attr("quantum")),
        rounding_(spec.column.attr("rounding")),
        scale_(spec.column.attr("dt").attr("scale")),
        scale_factor_(
            nb::steal(PyNumber_Power(nb::int_(10).ptr(), scale_.ptr(), Py_None))),
        context_keyword_(nb::make_tuple("context")),
        is_nan_(nb::steal(Name("is_nan"))),
        is_finite_(nb::steal(Name("is_finite"))),
        quantize_(nb::steal(Name("quantize"))),
        scaleb_(nb::steal(Name("scaleb"))) {
    if (!negative_limit_.is_valid() || !scale_factor_.is_valid() || !is_nan_.is_valid() ||
        !is_finite_.is_valid() || !quantize_.is_valid() || !scaleb_.is_valid()) {
      throw nb::python_error();
    }
  }

  bool Append(PyObject* value) override {
    if (value == Py_None) return AppendNull();
    if (source_rules_) {
      // Spark makes a NaN decimal null; any other value must be a Decimal.
      if (!IsInstance(value, support_.decimal_type)) return false;
      const int nan = Truth(PyObject_CallMethodNoArgs(value, is_nan_.ptr()));
      if (nan < 0) return false;
      if (nan == 1) return AppendNull();
    }
    if (MayEqualNone(value, support_)) return false;
    nb::object unscaled;
    if (source_rules_) {
      // int(v.quantize(quantum, context=rounding).scaleb(scale, _DECIMAL_CONTEXT))
      if (Truth(PyObject_CallMethodNoArgs(value, is_finite_.ptr())) != 1) return false;
      PyObject* args[] = {value, quantum_.ptr(), rounding_.ptr()};
      nb::object rounded = nb::steal(
          PyObject_VectorcallMethod(quantize_.ptr(), args, 2, context_keyword_.ptr()));
      if (!rounded.is_valid()) return false;
      nb::object scaled = ScaleB(rounded.ptr());
      if (!scaled.is_valid()) return false;
      unscaled = nb::steal(PyNumber_Long(scaled.ptr()));
    } else if (PyLong_CheckExact(value)) {
      unscaled = nb::steal(PyNumber_Multiply(value, scale_factor_.ptr()));
    } else if (IsInstance(value, support_.decimal_type)) {
      // Exact: the shifted value must be an integer.
      if (Truth(PyObject_CallMethodNoArgs(value, is_finite_.ptr())) != 1) return false;
      nb::object scaled = ScaleB(value);
      if (!scaled.is_valid()) return false;
      unscaled = nb::steal(PyNumber_Long(scaled.ptr()));
      if (!unscaled.is_valid() ||
          PyObject_RichCompareBool(scaled.ptr(), unscaled.ptr(), Py_NE) != 0) {
        return false;
      }
    } else {
      return false;
    }
    if (!unscaled.is_valid() || !PyLong_CheckExact(unscaled.ptr())) return false;
    if (PyObject_RichCompareBool(negative_limit_.ptr(), unscaled.ptr(), Py_LT) != 1 ||
        PyObject_RichCompareBool(unscaled.ptr(), limit_.ptr(), Py_LT) != 1) {
      return false;
    }
    if (!Store(unscaled.ptr())) return false;
    validity_.AppendValid();
    return true;
  }
  void Emit(Body& body) const override {
    validity_.EmitTo(body);
    body.AddBuffer(values_.data(), values_.size());
  }
  void Reset() override {
    validity_.Reset();
    Recycle(values_);
  }

 private:
  bool AppendNull() {
    if (!nullable_) return false;
    validity_.AppendNull();
    values_.resize(values_.size() + 16, 0);
    return true;
  }

  // The truth of a new reference (stolen): 1, 0, or -1 on error.
  static int Truth(PyObject* result) {
    if (result == nullptr) return -1;
    const int truth = PyObject_IsTrue(result);
    Py_DECREF(result);
    return truth;
  }

  nb::object ScaleB(PyObject* value) const {
    PyObject* args[] = {value, scale_.ptr(), support_.decimal_context.ptr()};
    return nb::steal(PyObject_VectorcallMethod(scaleb_.ptr(), args, 3, nullptr));
  }

  // The 16 bytes of an int within +-10**38: its low 64 bits, then value >> 64.
  bool Store(PyObject* unscaled) {
    int overflow = 0;
    const long long small = PyLong_AsLongLongAndOverflow(unscaled, &overflow);
    uint64_t low = 0;
    int64_t high = 0;
    if (overflow == 0) {
      low = static_cast<uint64_t>(small);
      high = small < 0 ? -1 : 0;
    } else {
      low = PyLong_AsUnsignedLongLongMask(unscaled);
      nb::object shifted = nb::steal(PyNumber_Rshift(unscaled, nb::int_(64).ptr()));
      if (!shifted.is_valid()) return false;
      high = PyLong_AsLongLong(shifted.ptr());
      if (high == -1 && PyErr_Occurred() != nullptr) return false;
    }
    std::array<uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), &low, 8);
    std::memcpy(bytes.data() + 8, &high, 8);
    values_.insert(values_.end(), bytes.begin(), bytes.end());
    return true;
  }

  const bool nullable_;
  const bool source_rules_;
  const Support& support_;
  nb::object limit_;  // 10 ** precision
  nb::object negative_limit_;
  nb::object quantum_;   // Decimal("1E-scale")
  nb::object rounding_;  // half-even to the precision
  nb::object scale_;
  nb::object scale_factor_;  // 10 ** scale
  nb::object context_keyword_;
  nb::object is_nan_;
  nb::object is_finite_;
  nb::object quantize_;
  nb::object scaleb_;
  Validity validity_;
  std::vector<uint8_t> values_;
};

}  // namespace

std::unique_ptr<ColumnEncoder> MakeDecimalEncoder(ColumnSpec&& spec) {
  return std::make_unique<DecimalEncoder>(spec);
}

}  // namespace rivulet::rowcodec
