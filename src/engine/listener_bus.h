#pragma once

// The runtime's listener bus. onQueryStarted is delivered on the posting thread (Spark
// calls it before start() returns); every other event goes through a queue to one
// delivery thread, started with the first listener, so listeners see each query's events
// in order and a slow listener never holds up a query.

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "rivulet/listener.h"

namespace rivulet {

class ListenerBus {
 public:
  ListenerBus() = default;
  // Delivers what is queued, then stops the delivery thread.
  ~ListenerBus();
  ListenerBus(const ListenerBus&) = delete;
  ListenerBus& operator=(const ListenerBus&) = delete;

  void Add(std::shared_ptr<StreamingQueryListener> listener);
  void Remove(const std::shared_ptr<StreamingQueryListener>& listener);

  void PostStarted(const QueryStartedEvent& event);
  void PostProgress(QueryProgressEvent event);
  void PostIdle(QueryIdleEvent event);
  void PostTerminated(QueryTerminatedEvent event);

  // Waits until every event posted so far has been delivered.
  void Flush();

 private:
  using Delivery = std::function<void(StreamingQueryListener&)>;
  void Post(Delivery delivery);
  std::vector<std::shared_ptr<StreamingQueryListener>> Snapshot() const;
  void Deliver();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable drained_cv_;
  std::vector<std::shared_ptr<StreamingQueryListener>> listeners_;
  std::deque<Delivery> queue_;
  bool delivering_ = false;
  bool shutting_down_ = false;
  std::thread thread_;
};

}  // namespace rivulet
