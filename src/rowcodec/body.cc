#include "rowcodec/body.h"

#include <cstring>

namespace nb = nanobind;

namespace rivulet::rowcodec {
namespace {

int64_t Padded(int64_t size) { return (size + 7) & ~int64_t{7}; }

nb::bytes Int64s(const std::vector<int64_t>& values) {
  return nb::bytes(values.data(), values.size() * sizeof(int64_t));
}

}  // namespace

void Body::AddBuffer(const void* data, size_t size) {
  buffers_.push_back(length_);
  buffers_.push_back(static_cast<int64_t>(size));
  if (size == 0) return;
  parts_.push_back({data, size});
  length_ += Padded(static_cast<int64_t>(size));
}

nb::tuple Body::Finish() const {
  PyObject* body = PyBytes_FromStringAndSize(nullptr, length_);
  if (body == nullptr) throw nb::python_error();
  char* out = PyBytes_AS_STRING(body);
  for (const Part& part : parts_) {
    std::memcpy(out, part.data, part.size);
    const int64_t padded = Padded(static_cast<int64_t>(part.size));
    std::memset(out + part.size, 0, padded - part.size);
    out += padded;
  }
  return nb::make_tuple(Int64s(nodes_), Int64s(buffers_), nb::steal(body));
}

}  // namespace rivulet::rowcodec
