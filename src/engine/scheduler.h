#pragma once

// Runs many queries' triggers on a bounded set of threads.
//
// A query is a Task whose Step() runs one trigger (decide the next batch's range, run the
// batch or find nothing) and says when it wants to run again: at once, at a time (a
// processing-time trigger's next interval, an idle query's polling delay), or never. A
// task runs at most one step at a time, so a query's batches stay in order and no query
// takes more than one thread; due tasks run in the order they became due.
//
// Two lanes keep slow sources away from native ones: a task that may block (its calls
// wait on a Python worker) runs on the blocking lane's threads, started on first use, and
// everything else on the native lane's. A timer thread moves waiting tasks to their lane
// when they fall due.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace rivulet {

using SteadyClock = std::chrono::steady_clock;

struct StepResult {
  enum class Kind { kAgain, kWaitUntil, kDone };
  Kind kind = Kind::kAgain;
  SteadyClock::time_point wake;

  static StepResult Again() { return {}; }
  static StepResult WaitUntil(SteadyClock::time_point t) { return {Kind::kWaitUntil, t}; }
  static StepResult Done() { return {Kind::kDone, {}}; }
};

class SchedulerTask {
 public:
  virtual ~SchedulerTask() = default;
  virtual StepResult Step() = 0;
  // Called once, on a lane thread, after Step returned kDone.
  virtual void Finished() = 0;

  // Scheduler state, touched only by the Scheduler under its lock.
  enum class State { kReady, kRunning, kWaiting, kDone };

 private:
  friend class Scheduler;
  State state_ = State::kReady;
  bool blocking_ = false;
  bool wake_requested_ = false;  // Wake() while running: run again at once
  uint64_t timer_generation_ = 0;
};

class Scheduler {
 public:
  Scheduler(int native_threads, int blocking_threads);
  // Waits for running steps to end; tasks still scheduled are dropped without Finished().
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Schedules a new task to run at once.
  void Add(std::shared_ptr<SchedulerTask> task, bool blocking);
  // A waiting task runs at once; a running one runs again as soon as its step ends.
  void Wake(const std::shared_ptr<SchedulerTask>& task);

  // Threads started so far (lanes and timer), for tests and figures.
  int threads() const;

 private:
  struct Lane {
    int max_threads = 0;
    int idle = 0;  // threads waiting for a ready task
    std::vector<std::thread> threads;
    std::deque<std::shared_ptr<SchedulerTask>> ready;
    std::condition_variable cv;
  };
  struct Timer {
    SteadyClock::time_point when;
    uint64_t sequence;  // ties run in the order they were set
    uint64_t generation;
    std::shared_ptr<SchedulerTask> task;
    bool operator>(const Timer& o) const {
      return when != o.when ? when > o.when : sequence > o.sequence;
    }
  };

  void Enqueue(std::shared_ptr<SchedulerTask> task);  // with mu_ held
  void StartThreadsIfNeeded(Lane& lane);              // with mu_ held
  void RunLane(Lane* lane);
  void RunTimers();

  mutable std::mutex mu_;
  bool shutting_down_ = false;
  Lane native_;
  Lane blocking_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  uint64_t timer_sequence_ = 0;
  std::condition_variable timer_cv_;
  std::thread timer_thread_;
};

}  // namespace rivulet
