#pragma once

// Turns a SimpleStreamReader into a StreamReader with the prefetch-and-cache pattern:
//  - LatestOffset(start) calls read(start) and puts the rows into the block manager
//    under a block id for (start, end);
//  - Partitions(start, end) yields one partition that references that block;
//  - Read(partition) takes the block, or, when it is missing (after a restart, or
//    because it did not fit in memory), falls back to readBetweenOffsets(start, end);
//  - Commit(end) evicts every block up to end, then commits the reader.
// A read whose end equals its start is "no new data"; if it returned rows it is an
// error (Spark's SIMPLE_STREAM_READER_OFFSET_DID_NOT_ADVANCE), so the cache cannot grow
// without bound.

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>

#include "cache/block_manager.h"
#include "rivulet/source.h"

namespace rivulet {

class SimpleReaderWrapper : public StreamReader {
 public:
  SimpleReaderWrapper(std::unique_ptr<SimpleStreamReader> reader, BlockManager* blocks);

  Result<Offset> InitialOffset() override;
  Result<Offset> LatestOffset(const Offset& start, const ReadLimit& limit) override;
  Result<std::vector<InputPartitionPtr>> Partitions(const Offset& start,
                                                    const Offset& end) override;
  Result<std::vector<RecordBatchPtr>> Read(const InputPartition& partition) override;
  Status Commit(const Offset& end) override;
  Status Stop() override;
  bool SupportsTriggerAvailableNow() const override;
  Status PrepareForTriggerAvailableNow() override;

  int64_t stream_id() const { return stream_id_; }
  int64_t cache_hits() const { return hits_.load(); }
  int64_t cache_misses() const { return misses_.load(); }
  size_t cached_ranges() const;

 private:
  struct CachedRange {
    Offset start;
    Offset end;
    BlockId block;
    bool stored = false;  // false when the block manager refused it (over its limit)
  };

  std::unique_ptr<SimpleStreamReader> reader_;
  BlockManager* blocks_;
  const int64_t stream_id_;
  int64_t next_sequence_ = 0;
  mutable std::mutex mu_;
  std::deque<CachedRange> cache_;  // in offset order
  std::atomic<int64_t> hits_{0};
  std::atomic<int64_t> misses_{0};
};

}  // namespace rivulet
