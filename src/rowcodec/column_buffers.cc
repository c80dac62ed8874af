#include "rowcodec/column_buffers.h"

namespace rivulet::rowcodec {

void BitWriter::PushOnes(int64_t count) {
  for (; count > 0 && (size_ & 7) != 0; --count) Push(true);
  bytes_.insert(bytes_.end(), static_cast<size_t>(count / 8), 0xff);
  size_ += count / 8 * 8;
  for (count %= 8; count > 0; --count) Push(true);
}

void Validity::EmitTo(Body& body) const {
  body.AddNode(length_, null_count_);
  if (null_count_ == 0) {
    body.AddBuffer(nullptr, 0);
  } else {
    bits_.EmitTo(body);
  }
}

void Validity::Reset() {
  bits_.Clear();
  length_ = 0;
  null_count_ = 0;
}

}  // namespace rivulet::rowcodec
