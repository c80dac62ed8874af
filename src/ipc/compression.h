#pragma once

// Whole-buffer codecs for Arrow IPC body compression: LZ4 frame format and zstd.

#include <cstdint>
#include <string>

#include "ipc/writer.h"
#include "rivulet/status.h"

namespace rivulet::ipc {

// Appends the compressed form of [data, data + size) to *out.
Status CompressBuffer(Compression codec, int zstd_level, const uint8_t* data, size_t size,
                      std::string* out);

// Decompresses [data, data + size) into exactly `expected_size` bytes; more or fewer is a
// Corruption error. Memory grows with the bytes actually produced, so a lying
// `expected_size` does not allocate up front.
Status DecompressBuffer(Compression codec, const uint8_t* data, size_t size,
                        int64_t expected_size, std::string* out);

}  // namespace rivulet::ipc
