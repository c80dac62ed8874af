#include "engine/scheduler.h"

#include <algorithm>

namespace rivulet {

using State = SchedulerTask::State;

Scheduler::Scheduler(int native_threads, int blocking_threads) {
  native_.max_threads = std::max(1, native_threads);
  blocking_.max_threads = std::max(1, blocking_threads);
  timer_thread_ = std::thread([this] { RunTimers(); });
}

Scheduler::~Scheduler() {
  {
    std::lock_guard lock(mu_);
    shutting_down_ = true;
  }
  native_.cv.notify_all();
  blocking_.cv.notify_all();
  timer_cv_.notify_all();
  for (Lane* lane : {&native_, &blocking_}) {
    for (auto& t : lane->threads) t.join();
  }
  timer_thread_.join();
}

void Scheduler::Add(std::shared_ptr<SchedulerTask> task, bool blocking) {
  std::lock_guard lock(mu_);
  task->blocking_ = blocking;
  task->state_ = State::kReady;
  Enqueue(std::move(task));
}

void Scheduler::Wake(const std::shared_ptr<SchedulerTask>& task) {
  std::lock_guard lock(mu_);
  switch (task->state_) {
    case State::kWaiting:
      ++task->timer_generation_;  // its timer entry is now stale
      task->state_ = State::kReady;
      Enqueue(task);
      break;
    case State::kRunning:
      task->wake_requested_ = true;
      break;
    case State::kReady:
    case State::kDone:
      break;
  }
}

int Scheduler::threads() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(native_.threads.size() + blocking_.threads.size()) + 1;
}

void Scheduler::Enqueue(std::shared_ptr<SchedulerTask> task) {
  Lane& lane = task->blocking_ ? blocking_ : native_;
  lane.ready.push_back(std::move(task));
  StartThreadsIfNeeded(lane);
  lane.cv.notify_one();
}

void Scheduler::StartThreadsIfNeeded(Lane& lane) {
  // A lane grows by a thread when a task is ready and none of its threads is idle, up to
  // its bound: a runtime with a few queries keeps a few threads.
  if (shutting_down_ || lane.idle > 0) return;
  if (static_cast<int>(lane.threads.size()) >= lane.max_threads) return;
  lane.threads.emplace_back([this, l = &lane] { RunLane(l); });
}

void Scheduler::RunLane(Lane* lane) {
  std::unique_lock lock(mu_);
  while (true) {
    ++lane->idle;
    lane->cv.wait(lock, [&] { return shutting_down_ || !lane->ready.empty(); });
    --lane->idle;
    if (shutting_down_) return;
    std::shared_ptr<SchedulerTask> task = std::move(lane->ready.front());
    lane->ready.pop_front();
    task->state_ = State::kRunning;
    task->wake_requested_ = false;
    lock.unlock();
    StepResult result = task->Step();
    lock.lock();
    if (result.kind == StepResult::Kind::kDone) {
      task->state_ = State::kDone;
      lock.unlock();
      task->Finished();
      task.reset();
      lock.lock();
      continue;
    }
    if (result.kind == StepResult::Kind::kAgain || task->wake_requested_ ||
        result.wake <= SteadyClock::now()) {
      task->state_ = State::kReady;
      Enqueue(std::move(task));  // behind the tasks already due: round-robin
      continue;
    }
    task->state_ = State::kWaiting;
    const bool earliest = timers_.empty() || result.wake < timers_.top().when;
    timers_.push(
        Timer{result.wake, timer_sequence_++, task->timer_generation_, std::move(task)});
    if (earliest) timer_cv_.notify_one();
  }
}

void Scheduler::RunTimers() {
  std::unique_lock lock(mu_);
  while (!shutting_down_) {
    if (timers_.empty()) {
      timer_cv_.wait(lock);
      continue;
    }
    const auto when = timers_.top().when;
    if (SteadyClock::now() < when) {
      timer_cv_.wait_until(lock, when);
      continue;
    }
    const auto now = SteadyClock::now();
    while (!timers_.empty() && timers_.top().when <= now) {
      Timer timer = timers_.top();
      timers_.pop();
      SchedulerTask& task = *timer.task;
      if (task.state_ != State::kWaiting || task.timer_generation_ != timer.generation) {
        continue;  // woken early, or already done
      }
      task.state_ = State::kReady;
      Enqueue(std::move(timer.task));
    }
  }
}

}  // namespace rivulet
