// libFuzzer entry point for the Arrow IPC decoder: any bytes, read as a stream, as a file
// and fed to the incremental decoder in pieces, must give a batch or an error, never a
// crash or an out-of-bounds access (the target is built with AddressSanitizer). Whatever
// decodes is read back value by value, so a batch that only looks valid is caught too.
// Built and run by tests/fuzz_ipc.sh.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "ipc/reader.h"

namespace {

// Reads the first and the last rows of every column: a batch may legitimately claim
// billions of rows of a type without buffers (null), too many to read them all.
void Touch(const rivulet::RecordBatch& batch) {
  constexpr int64_t kEnds = 256;
  for (const auto& column : batch.columns()) {
    for (int64_t i = 0; i < batch.num_rows(); ++i) {
      if (i == kEnds && batch.num_rows() > 2 * kEnds) i = batch.num_rows() - kEnds;
      (void)column->GetValue(i);
    }
  }
}

void Touch(const rivulet::Result<rivulet::ipc::ReadResult>& result) {
  if (!result.ok()) return;
  for (const auto& batch : result->batches) Touch(*batch);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto bytes =
      std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  Touch(rivulet::ipc::ReadStream(bytes));
  Touch(rivulet::ipc::ReadFile(bytes));

  rivulet::ipc::StreamDecoder decoder;
  size_t pos = 0;
  size_t piece = 1 + size % 7;
  while (pos < size && decoder.Consume(data + pos, std::min(piece, size - pos)).ok()) {
    pos += piece;
  }
  for (const auto& batch : decoder.TakeBatches()) Touch(*batch);
  return 0;
}
