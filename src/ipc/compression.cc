#include "ipc/compression.h"

#include <lz4frame.h>
#include <zstd.h>

#include <algorithm>
#include <memory>

namespace rivulet::ipc {
namespace {

// Output grows in steps no larger than this beyond what has been produced.
constexpr size_t kGrowthStep = size_t{1} << 20;

Status TooLong(int64_t expected_size) {
  return Status::Corruption("compressed buffer decompresses to more than its stated " +
                            std::to_string(expected_size) + " bytes");
}

Status TooShort(size_t produced, int64_t expected_size) {
  return Status::Corruption("compressed buffer decompresses to " +
                            std::to_string(produced) + " bytes, not its stated " +
                            std::to_string(expected_size));
}

// Makes room in `out` once `produced` bytes fill it: towards `expected` in growing steps,
// and one byte past it, so that a frame which keeps going is caught rather than cut.
void GrowWhenFull(std::string* out, size_t produced, size_t expected) {
  if (out->size() != produced) return;
  if (produced == expected) {
    out->resize(produced + 1);
  } else {
    out->resize(std::min(expected, produced + std::max(kGrowthStep, produced)));
  }
}

Status DecompressLz4(const uint8_t* data, size_t size, int64_t expected_size,
                     std::string* out) {
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) {
    return Status::Internal("cannot create an LZ4 decompression context");
  }
  std::unique_ptr<LZ4F_dctx, decltype(&LZ4F_freeDecompressionContext)> ctx(
      raw, LZ4F_freeDecompressionContext);
  auto expected = static_cast<size_t>(expected_size);
  size_t produced = 0;
  size_t consumed = 0;
  while (true) {
    GrowWhenFull(out, produced, expected);
    size_t dst_size = out->size() - produced;
    size_t src_size = size - consumed;
    size_t hint = LZ4F_decompress(ctx.get(), out->data() + produced, &dst_size,
                                  data + consumed, &src_size, nullptr);
    if (LZ4F_isError(hint)) {
      return Status::Corruption(std::string("LZ4 frame does not decompress: ") +
                                LZ4F_getErrorName(hint));
    }
    produced += dst_size;
    consumed += src_size;
    if (produced > expected) return TooLong(expected_size);
    if (hint == 0) break;  // end of frame
    if (consumed == size && dst_size == 0) {
      return Status::Corruption("LZ4 frame is truncated");
    }
  }
  if (consumed != size) return Status::Corruption("bytes after the end of an LZ4 frame");
  if (produced != expected) return TooShort(produced, expected_size);
  out->resize(produced);
  return Status::OK();
}

Status DecompressZstd(const uint8_t* data, size_t size, int64_t expected_size,
                      std::string* out) {
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(),
                                                           ZSTD_freeDCtx);
  if (!ctx) return Status::Internal("cannot create a zstd decompression context");
  auto expected = static_cast<size_t>(expected_size);
  ZSTD_inBuffer in{data, size, 0};
  size_t produced = 0;
  while (true) {
    GrowWhenFull(out, produced, expected);
    ZSTD_outBuffer dst{out->data(), out->size(), produced};
    size_t before_in = in.pos;
    size_t ret = ZSTD_decompressStream(ctx.get(), &dst, &in);
    if (ZSTD_isError(ret)) {
      return Status::Corruption(std::string("zstd frame does not decompress: ") +
                                ZSTD_getErrorName(ret));
    }
    bool progressed = dst.pos != produced || in.pos != before_in;
    produced = dst.pos;
    if (produced > expected) return TooLong(expected_size);
    if (ret == 0) break;  // a frame is complete
    if (!progressed) return Status::Corruption("zstd frame is truncated");
  }
  if (in.pos != size) return Status::Corruption("bytes after the end of a zstd frame");
  if (produced != expected) return TooShort(produced, expected_size);
  out->resize(produced);
  return Status::OK();
}

}  // namespace

Status CompressBuffer(Compression codec, int zstd_level, const uint8_t* data, size_t size,
                      std::string* out) {
  size_t start = out->size();
  if (codec == Compression::kLz4Frame) {
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.contentSize = size;
    size_t bound = LZ4F_compressFrameBound(size, &prefs);
    out->resize(start + bound);
    size_t n = LZ4F_compressFrame(out->data() + start, bound, data, size, &prefs);
    if (LZ4F_isError(n)) {
      return Status::Internal(std::string("LZ4 compression failed: ") +
                              LZ4F_getErrorName(n));
    }
    out->resize(start + n);
    return Status::OK();
  }
  if (codec == Compression::kZstd) {
    size_t bound = ZSTD_compressBound(size);
    out->resize(start + bound);
    size_t n = ZSTD_compress(out->data() + start, bound, data, size, zstd_level);
    if (ZSTD_isError(n)) {
      return Status::Internal(std::string("zstd compression failed: ") +
                              ZSTD_getErrorName(n));
    }
    out->resize(start + n);
    return Status::OK();
  }
  return Status::Internal("CompressBuffer called without a codec");
}

Status DecompressBuffer(Compression codec, const uint8_t* data, size_t size,
                        int64_t expected_size, std::string* out) {
  out->clear();
  if (expected_size < 0) {
    return Status::Corruption("negative uncompressed length " +
                              std::to_string(expected_size));
  }
  if (codec == Compression::kLz4Frame)
    return DecompressLz4(data, size, expected_size, out);
  if (codec == Compression::kZstd) return DecompressZstd(data, size, expected_size, out);
  return Status::Internal("DecompressBuffer called without a codec");
}

}  // namespace rivulet::ipc
