#include "sinks/file_codec.h"

#include <bzlib.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace rivulet {
namespace {

// Hadoop's block codecs decompress a chunk into a buffer of 256 KiB; smaller chunks keep
// every block, compressed or not, well inside it.
constexpr size_t kBlockChunk = size_t{64} * 1024;

void PutBigEndian32(uint32_t n, std::string* out) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out->push_back(static_cast<char>(n >> shift));
}

uint32_t GetBigEndian32(std::string_view bytes, size_t at) {
  uint32_t n = 0;
  for (size_t i = 0; i < 4; ++i) n = (n << 8) | static_cast<uint8_t>(bytes[at + i]);
  return n;
}

// gzip (window bits 31) or zlib (15) streams.
Result<std::string> Deflate(std::string_view bytes, int window_bits) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("zlib: deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, bytes.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) return Status::Internal("zlib: deflate did not finish");
  return out;
}

Result<std::string> Inflate(std::string_view bytes, int window_bits) {
  z_stream stream{};
  if (inflateInit2(&stream, window_bits) != Z_OK) {
    return Status::Internal("zlib: inflateInit2 failed");
  }
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  std::string out;
  char chunk[64 * 1024];
  int rc = Z_OK;
  while (rc == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof chunk;
    rc = inflate(&stream, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - stream.avail_out);
  }
  inflateEnd(&stream);
  if (rc != Z_STREAM_END) return Status::Corruption("not a complete zlib or gzip stream");
  return out;
}

Result<std::string> Bzip2(std::string_view bytes) {
  auto bound = static_cast<unsigned>(bytes.size() + bytes.size() / 100 + 600);
  std::string out(bound, '\0');
  int rc = BZ2_bzBuffToBuffCompress(out.data(), &bound, const_cast<char*>(bytes.data()),
                                    static_cast<unsigned>(bytes.size()), 9, 0, 0);
  if (rc != BZ_OK) return Status::Internal("bzip2: compression failed");
  out.resize(bound);
  return out;
}

Result<std::string> Bunzip2(std::string_view bytes) {
  bz_stream stream{};
  if (BZ2_bzDecompressInit(&stream, 0, 0) != BZ_OK) {
    return Status::Internal("bzip2: BZ2_bzDecompressInit failed");
  }
  stream.next_in = const_cast<char*>(bytes.data());
  stream.avail_in = static_cast<unsigned>(bytes.size());
  std::string out;
  char chunk[64 * 1024];
  int rc = BZ_OK;
  while (rc == BZ_OK) {
    stream.next_out = chunk;
    stream.avail_out = sizeof chunk;
    rc = BZ2_bzDecompress(&stream);
    out.append(chunk, sizeof chunk - stream.avail_out);
  }
  BZ2_bzDecompressEnd(&stream);
  if (rc != BZ_STREAM_END) return Status::Corruption("not a complete bzip2 stream");
  return out;
}

// One raw block of `chunk`, by codec.
std::string CompressBlock(FileCodec codec, std::string_view chunk) {
  std::string block;
  if (codec == FileCodec::kLz4) {
    block.resize(LZ4_compressBound(static_cast<int>(chunk.size())));
    int n =
        LZ4_compress_default(chunk.data(), block.data(), static_cast<int>(chunk.size()),
                             static_cast<int>(block.size()));
    block.resize(n);
  } else {
    size_t n = snappy_max_compressed_length(chunk.size());
    block.resize(n);
    snappy_compress(chunk.data(), chunk.size(), block.data(), &n);
    block.resize(n);
  }
  return block;
}

std::string HadoopBlocks(FileCodec codec, std::string_view bytes) {
  std::string out;
  for (size_t at = 0; at < bytes.size(); at += kBlockChunk) {
    std::string_view chunk = bytes.substr(at, kBlockChunk);
    std::string block = CompressBlock(codec, chunk);
    PutBigEndian32(static_cast<uint32_t>(chunk.size()), &out);
    PutBigEndian32(static_cast<uint32_t>(block.size()), &out);
    out += block;
  }
  return out;
}

Result<std::string> FromHadoopBlocks(FileCodec codec, std::string_view bytes) {
  std::string out;
  size_t at = 0;
  while (at < bytes.size()) {
    if (at + 4 > bytes.size()) return Status::Corruption("truncated block header");
    size_t expected = GetBigEndian32(bytes, at);
    at += 4;
    size_t produced = 0;
    while (produced < expected) {
      if (at + 4 > bytes.size()) return Status::Corruption("truncated block header");
      size_t length = GetBigEndian32(bytes, at);
      at += 4;
      if (at + length > bytes.size()) return Status::Corruption("truncated block");
      std::string_view block = bytes.substr(at, length);
      at += length;
      size_t room = expected - produced;
      size_t base = out.size();
      out.resize(base + room);
      if (codec == FileCodec::kLz4) {
        int n =
            LZ4_decompress_safe(block.data(), out.data() + base,
                                static_cast<int>(block.size()), static_cast<int>(room));
        if (n < 0) return Status::Corruption("bad lz4 block");
        room = static_cast<size_t>(n);
      } else if (snappy_uncompress(block.data(), block.size(), out.data() + base,
                                   &room) != SNAPPY_OK) {
        return Status::Corruption("bad snappy block");
      }
      out.resize(base + room);
      produced += room;
    }
  }
  return out;
}

}  // namespace

Result<FileCodec> ParseFileCodec(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (lower == "none" || lower == "uncompressed") return FileCodec::kNone;
  if (lower == "gzip") return FileCodec::kGzip;
  if (lower == "deflate") return FileCodec::kDeflate;
  if (lower == "bzip2") return FileCodec::kBzip2;
  if (lower == "lz4") return FileCodec::kLz4;
  if (lower == "snappy") return FileCodec::kSnappy;
  return Status::InvalidArgument(
      "[CODEC_NOT_AVAILABLE.WITH_AVAILABLE_CODECS_SUGGESTION] The codec " +
      std::string(name) +
      " is not available. Available codecs are bzip2, deflate, uncompressed, snappy, "
      "none, "
      "lz4, gzip. SQLSTATE: 56038");
}

std::string FileCodecExtension(FileCodec codec) {
  switch (codec) {
    case FileCodec::kNone:
      return "";
    case FileCodec::kGzip:
      return ".gz";
    case FileCodec::kDeflate:
      return ".deflate";
    case FileCodec::kBzip2:
      return ".bz2";
    case FileCodec::kLz4:
      return ".lz4";
    case FileCodec::kSnappy:
      return ".snappy";
  }
  return "";
}

Result<std::string> CompressFile(FileCodec codec, std::string_view bytes) {
  switch (codec) {
    case FileCodec::kNone:
      return std::string(bytes);
    case FileCodec::kGzip:
      return Deflate(bytes, 15 + 16);
    case FileCodec::kDeflate:
      return Deflate(bytes, 15);
    case FileCodec::kBzip2:
      return Bzip2(bytes);
    case FileCodec::kLz4:
    case FileCodec::kSnappy:
      return HadoopBlocks(codec, bytes);
  }
  return Status::Internal("unknown codec");
}

Result<std::string> DecompressFile(FileCodec codec, std::string_view bytes) {
  switch (codec) {
    case FileCodec::kNone:
      return std::string(bytes);
    case FileCodec::kGzip:
      return Inflate(bytes, 15 + 16);
    case FileCodec::kDeflate:
      return Inflate(bytes, 15);
    case FileCodec::kBzip2:
      return Bunzip2(bytes);
    case FileCodec::kLz4:
    case FileCodec::kSnappy:
      return FromHadoopBlocks(codec, bytes);
  }
  return Status::Internal("unknown codec");
}

}  // namespace rivulet
