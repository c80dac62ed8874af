#include "checkpoint/log_format.h"

#include <gtest/gtest.h>

#include "checkpoint/checkpoint_testing.h"
#include "testing/assert_status.h"

namespace rivulet::checkpoint {
namespace {

using Lines = std::vector<std::string_view>;

TEST(SplitLinesTest, SplitsOnEveryLineTerminatorLikeSpark) {
  EXPECT_EQ(SplitLines(""), Lines{});
  EXPECT_EQ(SplitLines("v1"), Lines{"v1"});
  EXPECT_EQ(SplitLines("v1\n{}"), (Lines{"v1", "{}"}));
  EXPECT_EQ(SplitLines("v1\r\n{}\r-"), (Lines{"v1", "{}", "-"}));
  EXPECT_EQ(SplitLines("v1\n\n-"), (Lines{"v1", "", "-"}));
}

TEST(SplitLinesTest, ATrailingTerminatorDoesNotStartALine) {
  EXPECT_EQ(SplitLines("v1\n"), Lines{"v1"});
  EXPECT_EQ(SplitLines("v1\r\n"), Lines{"v1"});
  EXPECT_EQ(SplitLines("v1\n\n"), (Lines{"v1", ""}));
  EXPECT_EQ(SplitLines("\n"), Lines{""});
}

TEST(ParseVersionLineTest, AcceptsVersionsUpToTheMaximum) {
  EXPECT_EQ(*ParseVersionLine("p", "v1", 2), 1);
  EXPECT_EQ(*ParseVersionLine("p", "v2", 2), 2);
}

TEST(ParseVersionLineTest, MalformedVersionLinesAreCorrupt) {
  for (const char* line : {"", "v", "x1", "v0", "v-1", "v+1", "v1x", " v1", "1", "V1",
                           "v99999999999999999999"}) {
    EXPECT_EQ(
        ParseVersionLine("dir/offsets/3", line, 2).status().ToString(),
        std::string("Corruption: dir/offsets/3 is corrupt: malformed version line \"") +
            line + "\"");
  }
}

TEST(ParseVersionLineTest, ALongMalformedLineIsShownAbbreviated) {
  std::string line(100, 'x');
  EXPECT_EQ(ParseVersionLine("f", line, 1).status().ToString(),
            "Corruption: f is corrupt: malformed version line \"" + std::string(32, 'x') +
                "...\"");
}

TEST(ParseVersionLineTest, ANewerVersionIsRefusedAsSuchNotAsDamage) {
  EXPECT_EQ(ParseVersionLine("dir/commits/0", "v2", 1).status().ToString(),
            "Invalid argument: dir/commits/0 has log version v2, newer than the v1 this "
            "version reads");
  EXPECT_EQ(ParseVersionLine("dir/commits/0", "v2", 1, ": see there").status().message(),
            "dir/commits/0 has log version v2, newer than the v1 this version reads: see "
            "there");
}

TEST(OptionalInt64FieldTest, ReadsIntegersAndDefaultsAbsentFields) {
  auto object = nlohmann::json::parse(R"({"a":-5,"b":9223372036854775807})");
  EXPECT_EQ(*OptionalInt64Field("p", object, "a", "line", 7), -5);
  EXPECT_EQ(*OptionalInt64Field("p", object, "b", "line", 7), INT64_MAX);
  EXPECT_EQ(*OptionalInt64Field("p", object, "c", "line", 7), 7);
}

TEST(OptionalInt64FieldTest, AnythingButA64BitIntegerIsCorrupt) {
  auto object = nlohmann::json::parse(
      R"({"s":"1","f":1.5,"n":null,"big":9223372036854775808,"neg":-9223372036854775809})");
  for (const char* field : {"s", "f", "n", "big", "neg"}) {
    EXPECT_EQ(
        OptionalInt64Field("p", object, field, "metadata line", 0).status().ToString(),
        std::string("Corruption: p is corrupt: ") + field +
            " in the metadata line is not an integer");
  }
}

TEST(ParseBatchFileNameTest, OnlyCanonicalNonNegativeDecimalsAreBatchFiles) {
  EXPECT_EQ(ParseBatchFileName("0"), 0);
  EXPECT_EQ(ParseBatchFileName("17"), 17);
  EXPECT_EQ(ParseBatchFileName("9223372036854775807"), INT64_MAX);
  for (const char* name : {"", "-1", "-0", "+1", "017", "00", "1a", ".1.crc", "1.crc",
                           ".1.1b4e28ba-2fa1-41d2-883f-0016d3cca427.tmp", "metadata",
                           "9223372036854775808"}) {
    EXPECT_EQ(ParseBatchFileName(name), std::nullopt) << name;
  }
}

TEST(IsTemporaryFileNameTest, MatchesTheAtomicWriteTemporaryNames) {
  EXPECT_TRUE(IsTemporaryFileName(".3.1b4e28ba-2fa1-41d2-883f-0016d3cca427.tmp"));
  EXPECT_TRUE(IsTemporaryFileName(".metadata.1b4e28ba-2fa1-41d2-883f-0016d3cca427.tmp"));
  EXPECT_FALSE(IsTemporaryFileName("3"));
  EXPECT_FALSE(IsTemporaryFileName(".3.crc"));
  EXPECT_FALSE(IsTemporaryFileName(".tmp"));
  EXPECT_FALSE(IsTemporaryFileName("3.tmp"));
  EXPECT_TRUE(IsTemporaryFileName(".9.compact.1b4e28ba-2fa1-41d2-883f-0016d3cca427.tmp"));
  // Only the checkpoint's own: a batch file or metadata, and a real uuid.
  EXPECT_FALSE(IsTemporaryFileName(".notes.1b4e28ba-2fa1-41d2-883f-0016d3cca427.tmp"));
  EXPECT_FALSE(IsTemporaryFileName(".3.tmp"));
  EXPECT_FALSE(IsTemporaryFileName(".3.not-a-uuid-at-all-not-a-uuid-at-all.tmp"));
  EXPECT_FALSE(IsTemporaryFileName(".03.1b4e28ba-2fa1-41d2-883f-0016d3cca427.tmp"));
  EXPECT_FALSE(IsTemporaryFileName(".3x1b4e28ba-2fa1-41d2-883f-0016d3cca427.tmp"));
}

class RemoveTemporaryFilesTest : public CheckpointTestBase {};

TEST_F(RemoveTemporaryFilesTest, RemovesOnlyTemporaryFiles) {
  for (const char* name : {"0", ".0.crc", ".1.1b4e28ba-2fa1-41d2-883f-0016d3cca427.tmp",
                           ".metadata.1b4e28ba-2fa1-41d2-883f-0016d3cca427.tmp",
                           "metadata", ".notes.tmp", ".1.abc.tmp"})
    WriteBytes(Path(name), "x");
  ASSERT_OK(RemoveTemporaryFiles(*Env::Default(), root_, Names(root_)));
  // A temporary-looking file that is not the checkpoint's own stays.
  EXPECT_EQ(Names(root_), (std::vector<std::string>{".0.crc", ".1.abc.tmp", ".notes.tmp",
                                                    "0", "metadata"}));
}

TEST_F(RemoveTemporaryFilesTest, ReportsAFileItCannotRemove) {
  const std::string name = ".2.1b4e28ba-2fa1-41d2-883f-0016d3cca427.tmp";
  std::filesystem::create_directory(Path(name));  // a directory: unlink fails
  EXPECT_EQ(RemoveTemporaryFiles(*Env::Default(), root_, Names(root_)).ToString(),
            "I/O error: cannot remove " + Path(name) + ": Is a directory");
}

}  // namespace
}  // namespace rivulet::checkpoint
