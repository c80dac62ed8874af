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
  AddToStream(id.stream, bytes - replaced);
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
  used_ -= it->second.bytes;
  AddToStream(id.stream, -it->second.bytes);
  blocks_.erase(it);
}

void BlockManager::AddToStream(int64_t stream, int64_t delta) {
  if (delta == 0) return;  // an empty block makes no entry
  auto [entry, added] = used_by_stream_.try_emplace(stream, 0);
  entry->second += delta;
  if (entry->second == 0) used_by_stream_.erase(entry);
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
