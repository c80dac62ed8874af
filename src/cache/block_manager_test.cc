#include "cache/block_manager.h"

#include <gtest/gtest.h>

namespace rivulet {
namespace {

RecordBatchPtr LongBatch(int64_t rows) {
  auto schema = std::make_shared<const Schema>(Schema({Field{"v", DataType::Long()}}));
  return std::make_shared<RecordBatch>(schema,
                                       std::vector<ArrayDataPtr>{MakeFixedWidthColumn(
                                           DataType::Long(), std::vector<int64_t>(rows))},
                                       rows);
}

TEST(BlockManagerTest, StoredBlockIsReturnedUntilRemoved) {
  BlockManager blocks(1 << 20);
  BlockId id{1, 0};
  ASSERT_TRUE(blocks.Put(id, {LongBatch(10)}));
  auto got = blocks.Get(id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ((*got)[0]->num_rows(), 10);
  blocks.Remove(id);
  EXPECT_FALSE(blocks.Get(id).has_value());
}

TEST(BlockManagerTest, AccountsTheBytesOfEveryBlock) {
  BlockManager blocks(1 << 20);
  ASSERT_TRUE(blocks.Put({1, 0}, {LongBatch(10)}));
  ASSERT_TRUE(blocks.Put({1, 1}, {LongBatch(20), LongBatch(5)}));
  EXPECT_EQ(blocks.used_bytes(), (10 + 20 + 5) * 8);
  EXPECT_EQ(blocks.num_blocks(), 2u);
  blocks.Remove({1, 0});
  EXPECT_EQ(blocks.used_bytes(), 25 * 8);
}

TEST(BlockManagerTest, EmptyBlocksMayOutliveTheStreamsOtherBlocksInAnyOrder) {
  BlockManager blocks(1 << 20);
  ASSERT_TRUE(blocks.Put({1, 0}, {}));  // a batch without rows
  ASSERT_TRUE(blocks.Put({1, 1}, {LongBatch(4)}));
  ASSERT_TRUE(blocks.Put({1, 2}, {LongBatch(0)}));
  blocks.Remove({1, 1});
  EXPECT_EQ(blocks.used_bytes(1), 0);
  blocks.Remove({1, 0});
  blocks.Remove({1, 2});
  EXPECT_EQ(blocks.num_blocks(), 0u);
  EXPECT_EQ(blocks.used_bytes(), 0);
}

TEST(BlockManagerTest, RefusesABlockThatWouldPassTheLimitAndKeepsTheOthers) {
  BlockManager blocks(int64_t{100} * 8);
  ASSERT_TRUE(blocks.Put({1, 0}, {LongBatch(60)}));
  EXPECT_FALSE(blocks.Put({1, 1}, {LongBatch(41)}));
  EXPECT_FALSE(blocks.Get({1, 1}).has_value());
  EXPECT_EQ(blocks.used_bytes(), 60 * 8);
  EXPECT_TRUE(blocks.Put({1, 2}, {LongBatch(40)}));
  EXPECT_EQ(blocks.used_bytes(), 100 * 8);
}

TEST(BlockManagerTest, BlockIdsNameTheirStreamAndSequence) {
  EXPECT_EQ((BlockId{3, 7}).ToString(), "stream-3-7");
}

}  // namespace
}  // namespace rivulet
