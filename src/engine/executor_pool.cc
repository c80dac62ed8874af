#include "engine/executor_pool.h"

namespace rivulet {

ExecutorPool::ExecutorPool(int threads) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

ExecutorPool::~ExecutorPool() {
  {
    std::lock_guard lock(mu_);
    shutting_down_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

ExecutorPool& ExecutorPool::Shared() {
  // Never destroyed: queries may still run while static destructors do.
  static auto* pool = new ExecutorPool(
      static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
  return *pool;
}

void ExecutorPool::Work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return shutting_down_ || !queue_.empty(); });
      if (queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace rivulet
