#pragma once

// The compression codecs of Spark's text file sinks (json, csv), option `compression`,
// with the files Hadoop's codecs write, so Spark reads what rivulet writes:
//
//   none, uncompressed  the bytes as they are
//   gzip                a gzip member (.gz)
//   deflate             a zlib stream (.deflate)
//   bzip2               a bzip2 stream (.bz2)
//   lz4, snappy         Hadoop's block framing (.lz4, .snappy): per chunk of input, its
//                       length as 4 big-endian bytes, then the compressed block's length
//                       as 4 big-endian bytes and the block

#include <string>
#include <string_view>

#include "rivulet/status.h"

namespace rivulet {

enum class FileCodec { kNone, kGzip, kDeflate, kBzip2, kLz4, kSnappy };

// The codec named `name` (any case); an unknown name is refused with Spark's error,
// which lists the codecs there are.
Result<FileCodec> ParseFileCodec(std::string_view name);

// What a compressed file's name ends with: ".gz", ".deflate", ...; "" for kNone.
std::string FileCodecExtension(FileCodec codec);

Result<std::string> CompressFile(FileCodec codec, std::string_view bytes);

// The inverse, for tests and readers of rivulet's own output.
Result<std::string> DecompressFile(FileCodec codec, std::string_view bytes);

}  // namespace rivulet
