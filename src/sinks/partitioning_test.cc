#include "sinks/partitioning.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/assert_status.h"

namespace rivulet {
namespace {

using ::testing::ElementsAre;

RecordBatchPtr Rows(const std::string& ddl, const std::vector<std::vector<Value>>& rows) {
  RecordBatchBuilder builder(std::make_shared<const Schema>(*ParseDdl(ddl)));
  for (const auto& row : rows) EXPECT_OK(builder.AppendRow(row));
  return *builder.Finish();
}

std::vector<std::string> Folders(const Partitioning& p, const RecordBatch& batch) {
  std::vector<std::string> folders;
  for (const auto& run : p.Split(batch)) folders.push_back(run.folder);
  return folders;
}

TEST(PartitioningTest, ValuesAreEscapedAsHiveDoes) {
  EXPECT_EQ(EscapePartitionValue("a b"), "a b");
  EXPECT_EQ(EscapePartitionValue("x/y=z:w"), "x%2Fy%3Dz%3Aw");
  EXPECT_EQ(EscapePartitionValue("\"#%'*?\\{[]^"), "%22%23%25%27%2A%3F%5C%7B%5B%5D%5E");
  EXPECT_EQ(EscapePartitionValue(std::string("\x01\x1f\x7f") + "é"), "%01%1F%7Fé");
}

TEST(PartitioningTest, FoldersNameEachValueAsSparkCastsItToText) {
  auto batch =
      Rows("k INT, d DECIMAL(4,2), day DATE, t TIMESTAMP, b BOOLEAN, x DOUBLE, v STRING",
           {{1, DecimalValue{150, 2}, DateValue{19724},
             TimestampValue{1'704'164'645'120'000}, true, 1.5, "a"},
            {2, DecimalValue{-5, 2}, DateValue{0}, TimestampValue{1'704'164'645'000'000},
             false, 1e20, "b"}});
  auto p = Partitioning::Resolve(batch->schema(), {"k", "d", "day", "t", "b", "x"});
  ASSERT_OK(p);
  EXPECT_THAT(
      Folders(*p, *batch),
      ElementsAre("k=1/d=1.50/day=2024-01-02/t=2024-01-02 03%3A04%3A05.12/b=true/x=1.5",
                  "k=2/d=-0.05/day=1970-01-01/t=2024-01-02 03%3A04%3A05/b=false/"
                  "x=1.0E20"));
  EXPECT_EQ(p->data_schema()->ToDdl(), "v STRING");
}

TEST(PartitioningTest, NullAndEmptyGoToHivesDefaultPartition) {
  auto batch = Rows("k STRING, v INT", {{Value(), 1}, {"", 2}});
  auto p = Partitioning::Resolve(batch->schema(), {"k"});
  ASSERT_OK(p);
  EXPECT_THAT(Folders(*p, *batch), ElementsAre("k=__HIVE_DEFAULT_PARTITION__"));
}

TEST(PartitioningTest, RunsKeepRowOrderAndLeaveThePartitionColumnsOut) {
  auto batch = Rows("id INT, k STRING", {{1, "a"}, {2, "a"}, {3, "b"}, {4, "a"}});
  auto p = Partitioning::Resolve(batch->schema(), {"K"});  // case-insensitive, as Spark
  ASSERT_OK(p);
  auto runs = p->Split(*batch);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].folder, "k=a");
  EXPECT_EQ(runs[0].rows->ToRows(), (std::vector<std::vector<Value>>{{1}, {2}}));
  EXPECT_EQ(runs[1].folder, "k=b");
  EXPECT_EQ(runs[2].rows->ToRows(), (std::vector<std::vector<Value>>{{4}}));
  EXPECT_EQ(runs[2].rows->schema()->ToDdl(), "id INT");
}

TEST(PartitioningTest, ColumnsSparkRefusesAreRefusedWithItsMessages) {
  auto schema =
      std::make_shared<const Schema>(*ParseDdl("id INT, k STRING, a ARRAY<INT>"));
  EXPECT_EQ(Partitioning::Resolve(schema, {"nope"}).status().message(),
            "Partition column nope not found in existing columns (id, k, a).");
  EXPECT_THAT(Partitioning::Resolve(schema, {"id", "k", "a"}).status().message(),
              ::testing::HasSubstr("for partition column"));
  auto flat = std::make_shared<const Schema>(*ParseDdl("id INT, k STRING"));
  EXPECT_THAT(Partitioning::Resolve(flat, {"id", "k"}).status().message(),
              ::testing::StartsWith("[ALL_PARTITION_COLUMNS_NOT_ALLOWED]"));
}

TEST(PartitioningTest, TheOptionIsACommaSeparatedList) {
  EXPECT_THAT(SplitColumnList(" a, b ,c"), ElementsAre("a", "b", "c"));
  EXPECT_TRUE(SplitColumnList("").empty());
}

}  // namespace
}  // namespace rivulet
