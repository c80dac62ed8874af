#include "sinks/file_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/assert_status.h"

namespace rivulet {
namespace {

std::string SomeText() {
  std::string text;
  for (int i = 0; i < 50'000; ++i)
    text += "row " + std::to_string(i * 7919 % 1000) + "\n";
  return text;  // about 400 KB: several Hadoop blocks
}

TEST(FileCodecTest, EveryCodecReadsBackWhatItWrote) {
  std::string text = SomeText();
  for (FileCodec codec : {FileCodec::kNone, FileCodec::kGzip, FileCodec::kDeflate,
                          FileCodec::kBzip2, FileCodec::kLz4, FileCodec::kSnappy}) {
    auto packed = CompressFile(codec, text);
    ASSERT_OK(packed);
    if (codec != FileCodec::kNone) {
      EXPECT_LT(packed->size(), text.size() / 2);
    }
    auto unpacked = DecompressFile(codec, *packed);
    ASSERT_OK(unpacked);
    EXPECT_EQ(*unpacked, text) << FileCodecExtension(codec);
    auto empty = CompressFile(codec, "");
    ASSERT_OK(empty);
    EXPECT_EQ(*DecompressFile(codec, *empty), "");
  }
}

TEST(FileCodecTest, GzipAndDeflateAreTheStreamsHadoopWrites) {
  auto gzip = *CompressFile(FileCodec::kGzip, "abc");
  EXPECT_EQ(static_cast<uint8_t>(gzip[0]), 0x1f);  // the gzip magic
  EXPECT_EQ(static_cast<uint8_t>(gzip[1]), 0x8b);
  auto zlib = *CompressFile(FileCodec::kDeflate, "abc");
  EXPECT_EQ(static_cast<uint8_t>(zlib[0]), 0x78);  // a zlib header, 32 KiB window
  auto bzip2 = *CompressFile(FileCodec::kBzip2, "abc");
  EXPECT_EQ(bzip2.substr(0, 3), "BZh");
}

TEST(FileCodecTest, BlockCodecsFrameEachChunkAsHadoopsBlockStreamDoes) {
  std::string text(100'000, 'x');
  auto framed = *CompressFile(FileCodec::kLz4, text);
  // The first chunk: 65536 bytes (00 01 00 00), then its compressed block's length.
  EXPECT_EQ(framed.substr(0, 4), std::string("\x00\x01\x00\x00", 4));
  uint32_t block = 0;
  for (int i = 4; i < 8; ++i) block = (block << 8) | static_cast<uint8_t>(framed[i]);
  // The second chunk's header follows that block: the 34464 bytes left.
  EXPECT_EQ(framed.substr(8 + block, 4), std::string("\x00\x00\x86\xa0", 4));
  EXPECT_EQ(DecompressFile(FileCodec::kSnappy, framed.substr(0, 6)).status().code(),
            StatusCode::kCorruption);
}

TEST(FileCodecTest, NamesAreSparksAndAnUnknownOneIsRefusedListingThem) {
  EXPECT_EQ(*ParseFileCodec("GZIP"), FileCodec::kGzip);
  EXPECT_EQ(*ParseFileCodec("uncompressed"), FileCodec::kNone);
  EXPECT_EQ(FileCodecExtension(FileCodec::kDeflate), ".deflate");
  EXPECT_EQ(FileCodecExtension(FileCodec::kBzip2), ".bz2");
  EXPECT_EQ(
      ParseFileCodec("zstd").status().message(),
      "[CODEC_NOT_AVAILABLE.WITH_AVAILABLE_CODECS_SUGGESTION] The codec zstd is not "
      "available. Available codecs are bzip2, deflate, uncompressed, snappy, none, "
      "lz4, gzip. SQLSTATE: 56038");
}

}  // namespace
}  // namespace rivulet
