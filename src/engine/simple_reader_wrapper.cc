#include "engine/simple_reader_wrapper.h"

#include <algorithm>

namespace rivulet {
namespace {

class SimplePartition : public InputPartition {
 public:
  SimplePartition(Offset start, Offset end, std::optional<BlockId> block)
      : start(std::move(start)), end(std::move(end)), block(block) {}
  const Offset start;
  const Offset end;
  const std::optional<BlockId> block;  // absent: not prefetched, read from the source
};

int64_t CountRows(const std::vector<RecordBatchPtr>& batches) {
  int64_t rows = 0;
  for (const auto& b : batches) rows += b->num_rows();
  return rows;
}

}  // namespace

SimpleReaderWrapper::SimpleReaderWrapper(std::unique_ptr<SimpleStreamReader> reader,
                                         BlockManager* blocks)
    : reader_(std::move(reader)), blocks_(blocks), stream_id_(NextStreamId()) {}

Result<Offset> SimpleReaderWrapper::InitialOffset() { return reader_->InitialOffset(); }

Result<Offset> SimpleReaderWrapper::LatestOffset(const Offset& start,
                                                 const ReadLimit& limit) {
  if (limit.kind != ReadLimit::Kind::kAllAvailable) {
    return Status::InvalidArgument("simple stream reader does not support read limit");
  }
  RIVULET_ASSIGN_OR_RETURN(auto result, reader_->Read(start));
  if (result.end == start) {
    if (CountRows(result.batches) > 0) {
      return Status::InvalidArgument(
          "[SIMPLE_STREAM_READER_OFFSET_DID_NOT_ADVANCE] read() returned " +
          std::to_string(CountRows(result.batches)) + " rows but its end offset " +
          result.end.text() + " equals its start offset " + start.text());
    }
    return start;
  }
  CachedRange range{start, result.end, BlockId{stream_id_, next_sequence_++}};
  range.stored = blocks_->Put(range.block, std::move(result.batches));
  std::lock_guard lock(mu_);
  cache_.push_back(std::move(range));
  return cache_.back().end;
}

Result<std::vector<InputPartitionPtr>> SimpleReaderWrapper::Partitions(
    const Offset& start, const Offset& end) {
  if (start == end) return std::vector<InputPartitionPtr>{};
  std::optional<BlockId> block;
  {
    std::lock_guard lock(mu_);
    auto it = std::find_if(cache_.begin(), cache_.end(), [&](const CachedRange& r) {
      return r.start == start && r.end == end;
    });
    if (it != cache_.end() && it->stored) block = it->block;
  }
  return std::vector<InputPartitionPtr>{
      std::make_shared<SimplePartition>(start, end, block)};
}

Result<std::vector<RecordBatchPtr>> SimpleReaderWrapper::Read(
    const InputPartition& partition) {
  const auto& part = static_cast<const SimplePartition&>(partition);
  if (part.block) {
    if (auto batches = blocks_->Get(*part.block)) {
      ++hits_;
      return std::move(*batches);
    }
  }
  ++misses_;
  return reader_->ReadBetweenOffsets(part.start, part.end);
}

Status SimpleReaderWrapper::Commit(const Offset& end) {
  {
    std::lock_guard lock(mu_);
    auto last = std::find_if(cache_.begin(), cache_.end(),
                             [&](const CachedRange& r) { return r.end == end; });
    if (last != cache_.end()) {
      for (auto it = cache_.begin(); it != std::next(last); ++it)
        blocks_->Remove(it->block);
      cache_.erase(cache_.begin(), std::next(last));
    }
  }
  return reader_->Commit(end);
}

Status SimpleReaderWrapper::Stop() {
  std::lock_guard lock(mu_);
  for (const auto& range : cache_) blocks_->Remove(range.block);
  cache_.clear();
  return Status::OK();
}

bool SimpleReaderWrapper::SupportsTriggerAvailableNow() const {
  return reader_->SupportsTriggerAvailableNow();
}

Status SimpleReaderWrapper::PrepareForTriggerAvailableNow() {
  return reader_->PrepareForTriggerAvailableNow();
}

size_t SimpleReaderWrapper::cached_ranges() const {
  std::lock_guard lock(mu_);
  return cache_.size();
}

}  // namespace rivulet
