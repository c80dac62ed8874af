#pragma once

// The body of one record batch as the Python encoder's _Body lays it out: each buffer at
// an 8-byte aligned offset with zero bytes between, an empty buffer taking no bytes, and
// the field nodes and buffers (offset, size) in the order they were added.

#include <nanobind/nanobind.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rivulet::rowcodec {

class Body {
 public:
  void AddNode(int64_t length, int64_t null_count) {
    nodes_.push_back(length);
    nodes_.push_back(null_count);
  }
  // Records a buffer without copying it: `data` must stay valid until Finish.
  void AddBuffer(const void* data, size_t size);

  // (nodes, buffers, body) as bytes: the nodes and the buffers as the little-endian int64
  // pairs of the RecordBatch table's vectors, then the body itself.
  nanobind::tuple Finish() const;

 private:
  struct Part {
    const void* data;
    size_t size;
  };
  std::vector<int64_t> nodes_;
  std::vector<int64_t> buffers_;
  std::vector<Part> parts_;
  int64_t length_ = 0;
};

}  // namespace rivulet::rowcodec
