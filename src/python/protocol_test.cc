#include "python/protocol.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "testing/assert_status.h"

namespace rivulet::python {
namespace {

using ::testing::HasSubstr;

std::string Body(const std::string& frame) { return frame.substr(4); }

TEST(ProtocolTest, FramesRoundTripWithEmptyAndBinaryFields) {
  Message message{886, {"", std::string("a\0b", 3), "{\"offset\": 2}"}};
  std::string frame = EncodeFrame(message);
  ASSERT_EQ(frame.size(), 4u + 8 + (4 + 0) + (4 + 3) + (4 + 13));
  EXPECT_EQ(frame.substr(0, 4), std::string("\x24\x00\x00\x00", 4));  // 36, little-endian
  auto decoded = DecodeBody(Body(frame));
  ASSERT_OK(decoded);
  EXPECT_EQ(decoded->code, 886u);
  EXPECT_EQ(decoded->fields, message.fields);
}

TEST(ProtocolTest, BodyShorterThanItsHeaderIsCorruption) {
  auto decoded = DecodeBody(std::string(7, '\0'));
  EXPECT_EQ(decoded.status().ToString(),
            "Corruption: worker message of 7 bytes is shorter than its 8-byte header");
}

TEST(ProtocolTest, FieldCountBeyondTheBodyIsCorruption) {
  std::string body = Body(EncodeFrame({1, {"x"}}));
  body[4] = 3;  // claims 3 fields in room for one
  EXPECT_EQ(DecodeBody(body).status().ToString(),
            "Corruption: worker message claims 3 fields but has room for at most 1");
}

TEST(ProtocolTest, FieldRunningPastTheFrameIsCorruption) {
  std::string body = Body(EncodeFrame({1, {"abc"}}));
  body[8] = 9;  // the field says 9 bytes, 3 follow
  EXPECT_EQ(
      DecodeBody(body).status().ToString(),
      "Corruption: worker message field 0 of 9 bytes runs past the end of its frame");
}

TEST(ProtocolTest, StrayBytesAfterTheFieldsAreCorruption) {
  std::string body = Body(EncodeFrame({1, {"abc"}})) + "zz";
  EXPECT_EQ(DecodeBody(body).status().ToString(),
            "Corruption: worker message has 2 stray bytes after its fields");
}

class PipeTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::pipe2(fds_, O_CLOEXEC), 0); }
  void TearDown() override {
    for (int fd : fds_) {
      if (fd >= 0) ::close(fd);
    }
  }
  void CloseWriter() {
    ::close(fds_[1]);
    fds_[1] = -1;
  }
  void CloseReader() {
    ::close(fds_[0]);
    fds_[0] = -1;
  }
  int fds_[2] = {-1, -1};
};

TEST_F(PipeTest, ReadFrameGetsWhatWriteFrameSent) {
  ASSERT_OK(WriteFrame(fds_[1], {0, {"one", "two"}}));
  auto message = ReadFrame(fds_[0]);
  ASSERT_TRUE(message.ok() && message->has_value());
  EXPECT_EQ((*message)->fields, (std::vector<std::string>{"one", "two"}));
}

TEST_F(PipeTest, BigFieldsAndFieldsAcrossTheReadBufferComeThroughWhole) {
  // Fields of every size around the 64 KiB read buffer, then a second frame that must not
  // be read into the first.
  std::vector<std::string> fields;
  for (size_t size : {size_t{10}, size_t{65530}, size_t{20}, size_t{65536},
                      size_t{300000}, size_t{0}, size_t{7}}) {
    std::string field(size, '\0');
    for (size_t i = 0; i < size; ++i)
      field[i] = static_cast<char>('a' + (i * 7 + size) % 26);
    fields.push_back(std::move(field));
  }
  std::thread writer([&] {
    ASSERT_OK(WriteFrame(fds_[1], {0, fields}));
    ASSERT_OK(WriteFrame(fds_[1], {1, {"next"}}));
  });
  auto first = ReadFrame(fds_[0]);
  auto second = ReadFrame(fds_[0]);
  writer.join();
  ASSERT_TRUE(first.ok() && first->has_value()) << first.status().ToString();
  EXPECT_EQ((*first)->code, 0u);
  EXPECT_TRUE((*first)->fields == fields);
  ASSERT_TRUE(second.ok() && second->has_value()) << second.status().ToString();
  EXPECT_EQ((*second)->code, 1u);
  EXPECT_EQ((*second)->fields, std::vector<std::string>{"next"});
}

TEST_F(PipeTest, EndOfInputInsideABigFieldIsCorruptionCountingWhatArrived) {
  std::string frame = EncodeFrame({0, {std::string(100000, 'x')}});
  std::thread writer([&] {
    ASSERT_EQ(::write(fds_[1], frame.data(), 80000), 80000);
    CloseWriter();
  });
  auto message = ReadFrame(fds_[0]);
  writer.join();
  EXPECT_EQ(message.status().ToString(),
            "Corruption: the python worker's channel ended inside a frame (79996 of "
            "100012 bytes)");
}

TEST_F(PipeTest, EndOfInputBeforeAFrameIsNoMessage) {
  CloseWriter();
  auto message = ReadFrame(fds_[0]);
  ASSERT_OK(message);
  EXPECT_FALSE(message->has_value());
}

TEST_F(PipeTest, EndOfInputInsideAFrameIsCorruption) {
  std::string frame = EncodeFrame({0, {"payload"}});
  ASSERT_EQ(::write(fds_[1], frame.data(), 10), 10);
  CloseWriter();
  EXPECT_EQ(
      ReadFrame(fds_[0]).status().ToString(),
      "Corruption: the python worker's channel ended inside a frame (6 of 19 bytes)");
}

TEST_F(PipeTest, OversizedLengthIsCorruptionWithoutAllocating) {
  ASSERT_EQ(::write(fds_[1], "\xff\xff\xff\x7f", 4), 4);
  EXPECT_EQ(ReadFrame(fds_[0]).status().ToString(),
            "Corruption: worker frame of 2147483647 bytes exceeds the 1 GiB limit");
}

TEST_F(PipeTest, WritingToAClosedPipeIsAnErrorNotSigpipe) {
  CloseReader();
  Status s = WriteFrame(fds_[1], {1, {"x"}});
  EXPECT_EQ(s.ToString(), "I/O error: writing to the python worker: Broken pipe");
}

}  // namespace
}  // namespace rivulet::python
