#include "checkpoint/query_metadata.h"

#include <gtest/gtest.h>

#include "checkpoint/checkpoint_testing.h"
#include "testing/assert_status.h"

namespace rivulet::checkpoint {
namespace {

constexpr char kId[] = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";

TEST(QueryMetadataTest, WritesSparksStreamMetadataExactly) {
  EXPECT_EQ(SerializeQueryMetadata(kId),
            "{\"id\":\"1b4e28ba-2fa1-41d2-883f-0016d3cca427\"}");
}

TEST(QueryMetadataTest, ReadsTheIdBack) {
  EXPECT_EQ(*ParseQueryMetadata("m", SerializeQueryMetadata(kId)), kId);
  EXPECT_EQ(
      *ParseQueryMetadata("m", "{\"id\":\"1B4E28BA-2FA1-41D2-883F-0016D3CCA427\"}\n"),
      "1B4E28BA-2FA1-41D2-883F-0016D3CCA427");
}

TEST(QueryMetadataTest, AnythingElseIsCorruptionNamingThePath) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "not a JSON object"},
      {"{\"id\":\"1b4e28ba-2fa1", "not a JSON object"},
      {"[\"1b4e28ba-2fa1-41d2-883f-0016d3cca427\"]", "not a JSON object"},
      {"{}", "\"id\" is not a UUID string"},
      {"{\"id\":7}", "\"id\" is not a UUID string"},
      {"{\"id\":\"query-1\"}", "\"id\" is not a UUID string"},
      {"{\"id\":\"1b4e28ba-2fa1-41d2-883f-0016d3cca42g\"}",
       "\"id\" is not a UUID string"},
      {"{\"id\":\"1b4e28ba2fa1-41d2-883f-0016d3cca4277\"}",
       "\"id\" is not a UUID string"},
  };
  for (const auto& [text, detail] : cases) {
    SCOPED_TRACE(text);
    EXPECT_EQ(ParseQueryMetadata("/ckpt/metadata", text).status().ToString(),
              "Corruption: /ckpt/metadata is corrupt: " + detail);
  }
}

class LoadOrCreateQueryIdTest : public CheckpointTestBase {};

TEST_F(LoadOrCreateQueryIdTest, CreatesTheFileOnceAndThenReadsIt) {
  auto created = LoadOrCreateQueryId(*Env::Default(), Path("metadata"));
  ASSERT_OK(created);
  EXPECT_EQ(ReadBytes(Path("metadata")), "{\"id\":\"" + *created + "\"}");
  EXPECT_EQ(*LoadOrCreateQueryId(*Env::Default(), Path("metadata")), *created);
  EXPECT_EQ(Names(root_), std::vector<std::string>{"metadata"});
}

TEST_F(LoadOrCreateQueryIdTest, ACorruptFileIsNeverReplaced) {
  WriteBytes(Path("metadata"), "{\"id\":");
  EXPECT_EQ(LoadOrCreateQueryId(*Env::Default(), Path("metadata")).status().ToString(),
            "Corruption: " + Path("metadata") + " is corrupt: not a JSON object");
  EXPECT_EQ(ReadBytes(Path("metadata")), "{\"id\":");
}

TEST_F(LoadOrCreateQueryIdTest, ReadAndWriteErrorsAreReported) {
  std::filesystem::create_directory(Path("metadata"));
  EXPECT_EQ(LoadOrCreateQueryId(*Env::Default(), Path("metadata")).status().ToString(),
            "I/O error: cannot read " + Path("metadata") + ": Is a directory");
  EXPECT_EQ(
      LoadOrCreateQueryId(*Env::Default(), Path("missing/metadata")).status().ToString(),
      "I/O error: cannot create a temporary file for " + Path("missing/metadata") +
          ": No such file or directory");
}

}  // namespace
}  // namespace rivulet::checkpoint
