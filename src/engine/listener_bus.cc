#include "engine/listener_bus.h"

#include <algorithm>

namespace rivulet {

ListenerBus::~ListenerBus() {
  {
    std::lock_guard lock(mu_);
    shutting_down_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ListenerBus::Add(std::shared_ptr<StreamingQueryListener> listener) {
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(listener));
  if (!thread_.joinable()) thread_ = std::thread([this] { Deliver(); });
}

void ListenerBus::Remove(const std::shared_ptr<StreamingQueryListener>& listener) {
  std::lock_guard lock(mu_);
  std::erase(listeners_, listener);
}

std::vector<std::shared_ptr<StreamingQueryListener>> ListenerBus::Snapshot() const {
  std::lock_guard lock(mu_);
  return listeners_;
}

void ListenerBus::PostStarted(const QueryStartedEvent& event) {
  for (const auto& listener : Snapshot()) listener->onQueryStarted(event);
}

void ListenerBus::PostProgress(QueryProgressEvent event) {
  Post([e = std::move(event)](StreamingQueryListener& l) { l.onQueryProgress(e); });
}

void ListenerBus::PostIdle(QueryIdleEvent event) {
  Post([e = std::move(event)](StreamingQueryListener& l) { l.onQueryIdle(e); });
}

void ListenerBus::PostTerminated(QueryTerminatedEvent event) {
  Post([e = std::move(event)](StreamingQueryListener& l) { l.onQueryTerminated(e); });
}

void ListenerBus::Post(Delivery delivery) {
  {
    std::lock_guard lock(mu_);
    if (listeners_.empty()) return;  // nobody listens: nothing to queue
    queue_.push_back(std::move(delivery));
  }
  cv_.notify_one();
}

void ListenerBus::Flush() {
  std::unique_lock lock(mu_);
  drained_cv_.wait(lock, [&] { return queue_.empty() && !delivering_; });
}

void ListenerBus::Deliver() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return shutting_down_ || !queue_.empty(); });
    if (queue_.empty()) return;  // shutting down with nothing left
    Delivery delivery = std::move(queue_.front());
    queue_.pop_front();
    auto listeners = listeners_;
    delivering_ = true;
    lock.unlock();
    for (const auto& listener : listeners) delivery(*listener);
    lock.lock();
    delivering_ = false;
    if (queue_.empty()) drained_cv_.notify_all();
  }
}

}  // namespace rivulet
