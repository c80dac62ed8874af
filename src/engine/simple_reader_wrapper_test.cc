#include "engine/simple_reader_wrapper.h"

#include <gtest/gtest.h>

#include "testing/assert_status.h"
#include "testing/memory_source.h"

namespace rivulet {
namespace {

using testing::LongSimpleReader;
using testing::LongStream;
using testing::PositionOffset;

struct WrapperFixture : ::testing::Test {
  std::shared_ptr<LongStream> stream = std::make_shared<LongStream>();
  BlockManager blocks{1 << 20};
  SimpleReaderWrapper wrapper{std::make_unique<LongSimpleReader>(stream), &blocks};

  std::vector<RecordBatchPtr> ReadAll(const Offset& start, const Offset& end) {
    auto parts = wrapper.Partitions(start, end);
    EXPECT_OK(parts);
    std::vector<RecordBatchPtr> out;
    for (const auto& p : *parts) {
      auto batches = wrapper.Read(*p);
      EXPECT_OK(batches);
      out.insert(out.end(), batches->begin(), batches->end());
    }
    return out;
  }
};

TEST_F(WrapperFixture, LatestOffsetPrefetchesAndTheExecutorReadsTheCachedBlock) {
  stream->available = 3;
  auto end = wrapper.LatestOffset(PositionOffset(0), ReadLimit::AllAvailable());
  ASSERT_OK(end);
  EXPECT_EQ(end->text(), R"({"position":3})");
  EXPECT_EQ(blocks.num_blocks(), 1u);
  auto batches = ReadAll(PositionOffset(0), *end);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0]->num_rows(), 3);
  EXPECT_EQ(wrapper.cache_hits(), 1);
  EXPECT_EQ(wrapper.cache_misses(), 0);
  EXPECT_EQ(stream->Count("readBetweenOffsets"), 0);
}

TEST_F(WrapperFixture, PlansExactlyOnePartitionForARangeAndNoneForAnEmptyOne) {
  stream->available = 2;
  auto end = wrapper.LatestOffset(PositionOffset(0), ReadLimit::AllAvailable());
  EXPECT_EQ(wrapper.Partitions(PositionOffset(0), *end)->size(), 1u);
  EXPECT_EQ(wrapper.Partitions(*end, *end)->size(), 0u);
}

TEST_F(WrapperFixture, AMissingBlockFallsBackToReadBetweenOffsets) {
  // As after a restart: the range was logged, but this process never prefetched it.
  auto batches = ReadAll(PositionOffset(2), PositionOffset(5));
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0]->ToRows()[0][0], Value(int64_t{2}));
  EXPECT_EQ(wrapper.cache_misses(), 1);
  EXPECT_EQ(stream->Count("readBetweenOffsets(2,5)"), 1);
}

TEST_F(WrapperFixture, CommitEvictsEveryBlockUpToItsEnd) {
  stream->available = 2;
  auto first = wrapper.LatestOffset(PositionOffset(0), ReadLimit::AllAvailable());
  stream->available = 4;
  auto second = wrapper.LatestOffset(*first, ReadLimit::AllAvailable());
  stream->available = 6;
  auto third = wrapper.LatestOffset(*second, ReadLimit::AllAvailable());
  EXPECT_EQ(blocks.num_blocks(), 3u);
  ASSERT_OK(wrapper.Commit(*second));
  EXPECT_EQ(blocks.num_blocks(), 1u);
  EXPECT_EQ(wrapper.cached_ranges(), 1u);
  EXPECT_EQ(blocks.used_bytes(), 2 * 8);
  EXPECT_EQ(stream->Count("commit(4)"), 1);
  ASSERT_OK(wrapper.Commit(*third));
  EXPECT_EQ(blocks.num_blocks(), 0u);
  EXPECT_EQ(blocks.used_bytes(), 0);
}

TEST_F(WrapperFixture, ABatchThatDoesNotFitInMemoryIsReadAgainFromTheSource) {
  BlockManager small(8);  // room for one long
  SimpleReaderWrapper tight(std::make_unique<LongSimpleReader>(stream), &small);
  stream->available = 3;
  auto end = tight.LatestOffset(PositionOffset(0), ReadLimit::AllAvailable());
  ASSERT_OK(end);
  EXPECT_EQ(small.num_blocks(), 0u);
  auto parts = tight.Partitions(PositionOffset(0), *end);
  auto batches = tight.Read(*(*parts)[0]);
  ASSERT_OK(batches);
  EXPECT_EQ((*batches)[0]->num_rows(), 3);
  EXPECT_EQ(stream->Count("readBetweenOffsets(0,3)"), 1);
}

TEST_F(WrapperFixture, NoNewDataIsNoBatchAndCachesNothing) {
  auto end = wrapper.LatestOffset(PositionOffset(0), ReadLimit::AllAvailable());
  ASSERT_OK(end);
  EXPECT_EQ(*end, PositionOffset(0));
  EXPECT_EQ(blocks.num_blocks(), 0u);
  EXPECT_EQ(wrapper.cached_ranges(), 0u);
}

class StuckReader : public LongSimpleReader {
 public:
  using LongSimpleReader::LongSimpleReader;
  Result<ReadResult> Read(const Offset& start) override {
    return ReadResult{{testing::LongsBatch(0, 2)}, start};
  }
};

TEST(SimpleReaderWrapperTest, RowsWithAnEndEqualToTheStartAreAnError) {
  BlockManager blocks(1 << 20);
  SimpleReaderWrapper wrapper(
      std::make_unique<StuckReader>(std::make_shared<LongStream>()), &blocks);
  auto end = wrapper.LatestOffset(PositionOffset(7), ReadLimit::AllAvailable());
  ASSERT_FALSE(end.ok());
  EXPECT_EQ(
      end.status().message(),
      "[SIMPLE_STREAM_READER_OFFSET_DID_NOT_ADVANCE] read() returned 2 rows but its end "
      "offset {\"position\":7} equals its start offset {\"position\":7}");
  EXPECT_EQ(blocks.num_blocks(), 0u);
}

TEST_F(WrapperFixture, RefusesAReadLimit) {
  auto end = wrapper.LatestOffset(PositionOffset(0), ReadLimit::MaxRows(2));
  ASSERT_FALSE(end.ok());
  EXPECT_EQ(end.status().message(), "simple stream reader does not support read limit");
}

}  // namespace
}  // namespace rivulet
