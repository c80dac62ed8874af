#include "cache/block_manager.h"

#include <atomic>

namespace rivulet {

std::string BlockId::ToString() const {
  return "stream-" + std::to_string(stream) + "-" + std::to_string(sequence);
}

bool BlockManager::Put(const BlockId& id, std::vector<RecordBatchPtr> batches) {
  int64_t bytes = 0;
  for (const auto& batch : batches) bytes += batch->ByteSize();
  std::lock_guard lock(mu_);
  auto existing = blocks_.find(id);
  int64_t replaced = existing == blocks_.end() ? 0 : existing->second.bytes;
  if (used_ - replaced + bytes > limit_) return false;
  used_ += bytes - replaced;
  if (bytes != replaced) {
    int64_t& by_stream = used_by_stream_[id.stream];
    by_stream += bytes - replaced;
    if (by_stream == 0) used_by_stream_.erase(id.stream);
  }
  blocks_[id] = Block{std::move(batches), bytes};
  return true;
}

std::optional<std::vector<RecordBatchPtr>> BlockManager::Get(const BlockId& id) const {
  std::lock_guard lock(mu_);
  auto it = blocks_.find(id);
  if (it == blocks_.end()) return std::nullopt;
  return it->second.batches;
}

void BlockManager::Remove(const BlockId& id) {
  std::lock_guard lock(mu_);
  auto it = blocks_.find(id);
  if (it == blocks_.end()) return;
  // A stream whose blocks are all empty has no entry in used_by_stream_.
  if (const int64_t bytes = it->second.bytes; bytes > 0) {
    used_ -= bytes;
    auto stream = used_by_stream_.find(id.stream);
    stream->second -= bytes;
    if (stream->second == 0) used_by_stream_.erase(stream);
  }
  blocks_.erase(it);
}

int64_t BlockManager::used_bytes() const {
  std::lock_guard lock(mu_);
  return used_;
}

int64_t BlockManager::used_bytes(int64_t stream) const {
  std::lock_guard lock(mu_);
  auto it = used_by_stream_.find(stream);
  return it == used_by_stream_.end() ? 0 : it->second;
}

size_t BlockManager::num_blocks() const {
  std::lock_guard lock(mu_);
  return blocks_.size();
}

int64_t NextStreamId() {
  static std::atomic<int64_t> next{0};
  return next.fetch_add(1);
}

}  // namespace rivulet
