// The body compression codecs: exact round trips, and frames that lie about their size or
// end early are errors.

#include "ipc/compression.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/assert_status.h"

namespace rivulet::ipc {
namespace {

std::string Compress(Compression codec, const std::string& data) {
  std::string out;
  EXPECT_OK(CompressBuffer(codec, 1, reinterpret_cast<const uint8_t*>(data.data()),
                           data.size(), &out));
  return out;
}

std::string Decompress(Compression codec, const std::string& frame, int64_t expected) {
  std::string out;
  Status st = DecompressBuffer(codec, reinterpret_cast<const uint8_t*>(frame.data()),
                               frame.size(), expected, &out);
  return st.ok() ? out : st.ToString();
}

class CompressionTest : public ::testing::TestWithParam<Compression> {};

TEST_P(CompressionTest, RoundTripsLargeAndEmptyBuffers) {
  std::string data;
  for (int i = 0; i < 3000000; ++i) data.push_back(static_cast<char>('a' + i % 7));
  std::string frame = Compress(GetParam(), data);
  EXPECT_LT(frame.size(), data.size() / 10);
  EXPECT_EQ(Decompress(GetParam(), frame, static_cast<int64_t>(data.size())), data);
  EXPECT_EQ(Decompress(GetParam(), Compress(GetParam(), ""), 0), "");
}

TEST_P(CompressionTest, AStatedLengthThatIsWrongIsAnError) {
  std::string frame = Compress(GetParam(), "hello hello hello");
  EXPECT_EQ(Decompress(GetParam(), frame, 20),
            "Corruption: compressed buffer decompresses to 17 bytes, not its stated 20");
  EXPECT_EQ(Decompress(GetParam(), frame, 5),
            "Corruption: compressed buffer decompresses to more than its stated 5 bytes");
  EXPECT_EQ(Decompress(GetParam(), frame, -2),
            "Corruption: negative uncompressed length -2");
}

INSTANTIATE_TEST_SUITE_P(Codecs, CompressionTest,
                         ::testing::Values(Compression::kLz4Frame, Compression::kZstd));

TEST(CompressionTest, TruncatedFramesAndTrailingBytesAreErrors) {
  std::string lz4 = Compress(Compression::kLz4Frame, "hello hello hello");
  EXPECT_EQ(Decompress(Compression::kLz4Frame, lz4.substr(0, lz4.size() - 4), 17),
            "Corruption: LZ4 frame is truncated");
  EXPECT_EQ(Decompress(Compression::kLz4Frame, lz4 + "xx", 17),
            "Corruption: bytes after the end of an LZ4 frame");
  std::string zstd = Compress(Compression::kZstd, "hello hello hello");
  EXPECT_EQ(Decompress(Compression::kZstd, zstd.substr(0, zstd.size() - 2), 17),
            "Corruption: zstd frame is truncated");
  EXPECT_EQ(Decompress(Compression::kZstd, zstd + "xx", 17),
            "Corruption: bytes after the end of a zstd frame");
}

}  // namespace
}  // namespace rivulet::ipc
