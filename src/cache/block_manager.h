#pragma once

// The block manager keeps prefetched batches between the moment a simple reader's read()
// returns them (while the engine asks for the latest offset) and the moment an executor
// reads them. Blocks are accounted against a memory limit: a block that does not fit is
// not cached, and its reader falls back to readBetweenOffsets, which gives the same rows.
//
// One block manager serves every query of a runtime, so the limit is one budget for all
// of them; each query's share is visible through used_bytes(stream).
//
// Thread-safe: the driver puts and removes blocks while executors get them.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "rivulet/record_batch.h"

namespace rivulet {

// Names one prefetched range of one stream, as Spark's PythonStreamBlockId does:
// "stream-<stream>-<sequence>".
struct BlockId {
  int64_t stream = 0;
  int64_t sequence = 0;

  std::string ToString() const;
  // clang-tidy 14 takes the literal 0 that a defaulted <=> compares its result with for
  // a null pointer.
  auto operator<=>(const BlockId&) const = default;  // NOLINT(modernize-use-nullptr)
};

class BlockManager {
 public:
  explicit BlockManager(int64_t memory_limit_bytes) : limit_(memory_limit_bytes) {}

  // Stores the batches under `id`. Returns false, storing nothing, when the block would
  // push the bytes held past the limit.
  bool Put(const BlockId& id, std::vector<RecordBatchPtr> batches);
  // The block's batches, or nullopt when it was never stored, was refused or was removed.
  std::optional<std::vector<RecordBatchPtr>> Get(const BlockId& id) const;
  void Remove(const BlockId& id);

  int64_t used_bytes() const;
  // The bytes held for one stream's blocks.
  int64_t used_bytes(int64_t stream) const;
  int64_t limit_bytes() const { return limit_; }
  size_t num_blocks() const;

 private:
  struct Block {
    std::vector<RecordBatchPtr> batches;
    int64_t bytes = 0;
  };

  // Adds `delta` bytes to the stream's count; a stream at 0 bytes keeps no entry. Called
  // with mu_ held.
  void AddToStream(int64_t stream, int64_t delta);

  const int64_t limit_;
  mutable std::mutex mu_;
  std::map<BlockId, Block> blocks_;
  int64_t used_ = 0;
  std::map<int64_t, int64_t> used_by_stream_;  // streams holding bytes only
};

// A fresh stream number for block ids (Spark's PythonMicroBatchStream.nextStreamId).
int64_t NextStreamId();

}  // namespace rivulet
