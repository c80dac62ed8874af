// STRING (CHAR, VARCHAR) and BINARY: _Column._string and _binary. Offsets, then the
// bytes.

#include <cstdint>
#include <vector>

#include "rowcodec/column_buffers.h"
#include "rowcodec/column_encoder.h"

namespace nb = nanobind;

namespace rivulet::rowcodec {
namespace {

class VariableWidthEncoder : public ColumnEncoder {
 public:
  void Emit(Body& body) const final {
    validity_.EmitTo(body);
    offsets_.EmitTo(body);
    body.AddBuffer(data_.data(), data_.size());
  }
  void Reset() final {
    validity_.Reset();
    offsets_.Reset();
    Recycle(data_);
  }

 protected:
  explicit VariableWidthEncoder(const ColumnSpec& spec) : nullable_(spec.nullable) {}

  [[nodiscard]] bool AppendBytes(const char* bytes, Py_ssize_t size) {
    if (!offsets_.Add(size)) return false;
    data_.insert(data_.end(), bytes, bytes + size);
    validity_.AppendValid();
    return true;
  }
  // A null: no bytes.
  [[nodiscard]] bool AppendNull() {
    if (!nullable_ || !offsets_.Add(0)) return false;
    validity_.AppendNull();
    return true;
  }

 private:
  const bool nullable_;
  Validity validity_;
  Offsets offsets_;
  std::vector<char> data_;
};

// A str, as UTF-8; a str that is not valid Unicode (a lone surrogate) is refused. Under
// source rules any other value becomes its str() ("true"/"false" for a bool), as Spark
// converts it. Without them a str subclass is left to the Python encoder, which joins it
// with the others and measures it with len(): a subclass may override that.
class StringEncoder final : public VariableWidthEncoder {
 public:
  explicit StringEncoder(const ColumnSpec& spec)
      : VariableWidthEncoder(spec), source_rules_(spec.source_rules) {}

  bool Append(PyObject* value) override {
    if (PyUnicode_CheckExact(value)) return AppendText(value);
    if (value == Py_None) return AppendNull();
    if (!source_rules_) return false;
    if (value == Py_True) return AppendBytes("true", 4);
    if (value == Py_False) return AppendBytes("false", 5);
    nb::object text = nb::steal(PyObject_Str(value));
    return text.is_valid() && PyUnicode_CheckExact(text.ptr()) && AppendText(text.ptr());
  }

 private:
  bool AppendText(PyObject* text) {
    if (PyUnicode_IS_COMPACT_ASCII(text)) {  // its UTF-8 is its data: no call
      return AppendBytes(static_cast<const char*>(PyUnicode_DATA(text)),
                         PyUnicode_GET_LENGTH(text));
    }
    Py_ssize_t size = 0;
    const char* utf8 = PyUnicode_AsUTF8AndSize(text, &size);
    return utf8 != nullptr && AppendBytes(utf8, size);
  }

  const bool source_rules_;
};

// bytes, bytearray, or a memoryview of bytes: one dimension of one-byte items,
// contiguous. The Python encoder measures a memoryview with len() (items, not bytes) and
// joins any object with the buffer protocol; everything else is left to it.
class BinaryEncoder final : public VariableWidthEncoder {
 public:
  explicit BinaryEncoder(const ColumnSpec& spec) : VariableWidthEncoder(spec) {}

  bool Append(PyObject* value) override {
    if (PyBytes_CheckExact(value)) {
      return AppendBytes(PyBytes_AS_STRING(value), PyBytes_GET_SIZE(value));
    }
    if (value == Py_None) return AppendNull();
    if (PyByteArray_CheckExact(value)) {
      return AppendBytes(PyByteArray_AS_STRING(value), PyByteArray_GET_SIZE(value));
    }
    if (Py_IS_TYPE(value, &PyMemoryView_Type)) {
      const Py_buffer* shape = PyMemoryView_GET_BUFFER(value);
      if (shape->ndim != 1 || shape->itemsize != 1) return false;
      Py_buffer view;
      if (PyObject_GetBuffer(value, &view, PyBUF_SIMPLE) != 0) return false;
      const bool ok = AppendBytes(static_cast<const char*>(view.buf), view.len);
      PyBuffer_Release(&view);
      return ok;
    }
    return false;
  }
};

}  // namespace

std::unique_ptr<ColumnEncoder> MakeStringEncoder(ColumnSpec&& spec) {
  return std::make_unique<StringEncoder>(spec);
}

std::unique_ptr<ColumnEncoder> MakeBinaryEncoder(ColumnSpec&& spec) {
  return std::make_unique<BinaryEncoder>(spec);
}

}  // namespace rivulet::rowcodec
