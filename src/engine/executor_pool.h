#pragma once

// A fixed pool of threads running tasks in submission order: a runtime's executors,
// which read partitions for all its queries, so thousands of small queries do not each
// bring their own threads.

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace rivulet {

class ExecutorPool {
 public:
  explicit ExecutorPool(int threads);
  ~ExecutorPool();
  ExecutorPool(const ExecutorPool&) = delete;
  ExecutorPool& operator=(const ExecutorPool&) = delete;

  template <typename F>
  auto Submit(F task) -> std::future<decltype(task())> {
    auto packaged =
        std::make_shared<std::packaged_task<decltype(task())()>>(std::move(task));
    auto future = packaged->get_future();
    {
      std::lock_guard lock(mu_);
      queue_.emplace_back([packaged] { (*packaged)(); });
    }
    cv_.notify_one();
    return future;
  }

  int size() const { return static_cast<int>(threads_.size()); }

 private:
  void Work();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool shutting_down_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace rivulet
