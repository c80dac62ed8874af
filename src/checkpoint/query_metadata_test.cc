#include "checkpoint/query_metadata.h"

#include <gtest/gtest.h>

#include "checkpoint/checkpoint_testing.h"
#include "testing/assert_status.h"

namespace rivulet::checkpoint {
namespace {

constexpr char kId[] = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";

TEST(QueryMetadataTest, WritesSparksStreamMetadataExactly) {
  EXPECT_EQ(SerializeQueryMetadata({kId, std::nullopt, std::nullopt}),
            "{\"id\":\"1b4e28ba-2fa1-41d2-883f-0016d3cca427\"}");
}

TEST(QueryMetadataTest, RecordsTheSourceAndSinkAfterTheId) {
  EXPECT_EQ(SerializeQueryMetadata({kId, "counter", "JsonSink[out]"}),
            "{\"id\":\"1b4e28ba-2fa1-41d2-883f-0016d3cca427\",\"rivulet\":{\"sink\":"
            "\"JsonSink[out]\",\"source\":\"counter\"}}");
}

TEST(QueryMetadataTest, ReadsItBack) {
  const QueryMetadata plain{kId, std::nullopt, std::nullopt};
  EXPECT_EQ(*ParseQueryMetadata("m", SerializeQueryMetadata(plain)), plain);
  const QueryMetadata recorded{kId, "rate", "ConsoleSink"};
  EXPECT_EQ(*ParseQueryMetadata("m", SerializeQueryMetadata(recorded)), recorded);
  EXPECT_EQ(
      ParseQueryMetadata("m", "{\"id\":\"1B4E28BA-2FA1-41D2-883F-0016D3CCA427\"}\n")->id,
      "1B4E28BA-2FA1-41D2-883F-0016D3CCA427");
  // Fields Spark may add one day are ignored, as Spark ignores rivulet's.
  EXPECT_EQ(ParseQueryMetadata("m", std::string("{\"id\":\"") + kId +
                                        "\",\"other\":1,\"rivulet\":{\"x\":2}}")
                ->source,
            std::nullopt);
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
      {std::string("{\"id\":\"") + kId + "\",\"rivulet\":[]}",
       "\"rivulet\" is not an object"},
      {std::string("{\"id\":\"") + kId + "\",\"rivulet\":{\"source\":1}}",
       "\"rivulet.source\" is not a string"},
  };
  for (const auto& [text, detail] : cases) {
    SCOPED_TRACE(text);
    EXPECT_EQ(ParseQueryMetadata("/ckpt/metadata", text).status().ToString(),
              "Corruption: /ckpt/metadata is corrupt: " + detail);
  }
}

class LoadOrCreateQueryMetadataTest : public CheckpointTestBase {};

TEST_F(LoadOrCreateQueryMetadataTest, CreatesTheFileOnceAndThenReadsIt) {
  auto created = LoadOrCreateQueryMetadata(*Env::Default(), Path("metadata"));
  ASSERT_OK(created);
  EXPECT_EQ(ReadBytes(Path("metadata")), "{\"id\":\"" + created->id + "\"}");
  EXPECT_EQ(*LoadOrCreateQueryMetadata(*Env::Default(), Path("metadata")), *created);
  EXPECT_EQ(Names(root_), std::vector<std::string>{"metadata"});
}

TEST_F(LoadOrCreateQueryMetadataTest, ACorruptFileIsNeverReplaced) {
  WriteBytes(Path("metadata"), "{\"id\":");
  EXPECT_EQ(
      LoadOrCreateQueryMetadata(*Env::Default(), Path("metadata")).status().ToString(),
      "Corruption: " + Path("metadata") + " is corrupt: not a JSON object");
  EXPECT_EQ(ReadBytes(Path("metadata")), "{\"id\":");
}

TEST_F(LoadOrCreateQueryMetadataTest, ReadAndWriteErrorsAreReported) {
  std::filesystem::create_directory(Path("metadata"));
  EXPECT_EQ(
      LoadOrCreateQueryMetadata(*Env::Default(), Path("metadata")).status().ToString(),
      "I/O error: cannot read " + Path("metadata") + ": Is a directory");
  EXPECT_EQ(LoadOrCreateQueryMetadata(*Env::Default(), Path("missing/metadata"))
                .status()
                .ToString(),
            "I/O error: cannot create a temporary file for " + Path("missing/metadata") +
                ": No such file or directory");
}

}  // namespace
}  // namespace rivulet::checkpoint
