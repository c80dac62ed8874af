#include "python/worker_rows.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ipc/writer.h"
#include "testing/assert_status.h"

namespace rivulet::python {
namespace {

using ::testing::StartsWith;

Schema Ddl(const std::string& ddl) { return *ParseDdl(ddl); }

std::string StreamOf(const Schema& schema, const std::vector<int64_t>& ids) {
  RecordBatchBuilder builder(std::make_shared<const Schema>(schema));
  for (int64_t id : ids) EXPECT_OK(builder.AppendRow(std::vector<Value>{Value(id)}));
  return *ipc::WriteStream(schema, {*builder.Finish()});
}

TEST(WorkerRowsTest, EmptyBytesAreNoRows) {
  auto rows = DecodeWorkerRows("", Ddl("id INT"), "src", "read");
  ASSERT_OK(rows);
  EXPECT_TRUE(rows->empty());
}

TEST(WorkerRowsTest, RowsInTheDeclaredSchemaDecode) {
  auto rows =
      DecodeWorkerRows(StreamOf(Ddl("id INT"), {4, 5}), Ddl("id INT"), "src", "read");
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0]->ToRows(),
            (std::vector<std::vector<Value>>{{Value(4)}, {Value(5)}}));
}

TEST(WorkerRowsTest, AnotherSchemaIsAnArrowTypeMismatch) {
  auto rows = DecodeWorkerRows(StreamOf(Ddl("id BIGINT"), {1}), Ddl("id INT NOT NULL"),
                               "src", "read");
  EXPECT_EQ(
      rows.status().ToString(),
      "User code error: source 'src': [ARROW_TYPE_MISMATCH] Invalid schema from Python "
      "streaming data source read: expected id INT NOT NULL, got id BIGINT.");
}

TEST(WorkerRowsTest, NullabilityCountsInTheComparison) {
  auto rows = DecodeWorkerRows(StreamOf(Ddl("id INT"), {1}), Ddl("id INT NOT NULL"),
                               "src", "read");
  EXPECT_EQ(rows.status().code(), StatusCode::kUserCodeError);
}

TEST(WorkerRowsTest, BytesThatAreNotAStreamNameTheSourceAndMethod) {
  auto rows = DecodeWorkerRows("not arrow", Ddl("id INT"), "src", "readBetweenOffsets");
  EXPECT_THAT(
      rows.status().message(),
      StartsWith("source 'src': decoding the Arrow rows of readBetweenOffsets: "));
}

}  // namespace
}  // namespace rivulet::python
