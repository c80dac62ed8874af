#pragma once

// The buffers of a column as its encoder fills them, value by value.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "rowcodec/body.h"

namespace rivulet::rowcodec {

// Empties a buffer for the next batch. It keeps its memory, up to kKeptBytes: an encoder
// is kept with its schema, and one large batch should not hold memory for the schema's
// life.
inline constexpr size_t kKeptBytes = size_t{4} << 20;
template <typename T>
void Recycle(std::vector<T>& buffer) {
  if (buffer.capacity() * sizeof(T) > kKeptBytes) {
    std::vector<T>().swap(buffer);
  } else {
    buffer.clear();
  }
}

// The LSB-first bits of an Arrow bitmap, one byte per eight bits.
class BitWriter {
 public:
  void Push(bool bit) {
    if ((size_ & 7) == 0) bytes_.push_back(0);
    if (bit) bytes_.back() |= static_cast<uint8_t>(1U << (size_ & 7));
    ++size_;
  }
  void PushOnes(int64_t count);
  void Clear() {
    Recycle(bytes_);
    size_ = 0;
  }
  void EmitTo(Body& body) const { body.AddBuffer(bytes_.data(), bytes_.size()); }

 private:
  std::vector<uint8_t> bytes_;
  int64_t size_ = 0;
};

// A field's length, null count and validity bitmap. The bitmap is made when the first
// null shows up: a field without nulls has an empty validity buffer, as the Python
// encoder writes it.
class Validity {
 public:
  void AppendValid() {
    if (null_count_ != 0) bits_.Push(true);
    ++length_;
  }
  void AppendNull() {
    if (null_count_ == 0) bits_.PushOnes(length_);
    bits_.Push(false);
    ++null_count_;
    ++length_;
  }
  int64_t length() const { return length_; }
  // The node and the validity buffer.
  void EmitTo(Body& body) const;
  void Reset();

 private:
  BitWriter bits_;
  int64_t length_ = 0;
  int64_t null_count_ = 0;
};

// A 32-bit offsets buffer, as Arrow's strings, binaries, lists and maps have: false from
// Add once the batch's total passes 2**31 - 1 (where the Python encoder's array("i")
// overflows).
class Offsets {
 public:
  Offsets() { offsets_.push_back(0); }
  [[nodiscard]] bool Add(int64_t length) {
    total_ += length;
    if (total_ > INT32_MAX) return false;
    offsets_.push_back(static_cast<int32_t>(total_));
    return true;
  }
  int64_t total() const { return total_; }
  void EmitTo(Body& body) const {
    body.AddBuffer(offsets_.data(), offsets_.size() * sizeof(int32_t));
  }
  void Reset() {
    Recycle(offsets_);
    offsets_.push_back(0);
    total_ = 0;
  }

 private:
  std::vector<int32_t> offsets_;
  int64_t total_ = 0;
};

}  // namespace rivulet::rowcodec
