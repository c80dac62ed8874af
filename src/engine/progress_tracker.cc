#include "engine/progress_tracker.h"

#include <algorithm>

namespace rivulet {
namespace {

constexpr size_t kRecentProgressCapacity =
    100;  // spark.sql.streaming.numRecentProgressUpdates

int64_t MillisBetween(std::chrono::steady_clock::time_point from,
                      std::chrono::steady_clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

}  // namespace

int64_t WallMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ProgressTracker::ProgressTracker(Identity identity, ListenerBus* bus,
                                 std::chrono::milliseconds no_data_interval)
    : identity_(std::move(identity)),
      bus_(bus),
      no_data_interval_(no_data_interval),
      last_busy_(Clock::now()) {}

void ProgressTracker::StartTrigger() {
  trigger_start_ = lap_start_ = Clock::now();
  trigger_wall_ms_ = WallMillis();
  durations_.clear();
}

void ProgressTracker::Lap(const char* phase) {
  const auto now = Clock::now();
  durations_[phase] = MillisBetween(lap_start_, now);
  lap_start_ = now;
}

void ProgressTracker::FinishBatch(BatchReport report) {
  const auto now = Clock::now();
  durations_["triggerExecution"] = MillisBetween(trigger_start_, now);
  last_busy_ = now;
  idle_event_posted_ = false;

  StreamingQueryProgress p;
  p.id = identity_.id;
  p.run_id = identity_.run_id;
  p.name = identity_.name;
  p.timestamp_ms = trigger_wall_ms_;
  p.batch_id = report.batch_id;
  p.batch_duration_ms = durations_["triggerExecution"];
  p.duration_ms = durations_;
  p.num_input_rows = report.rows;

  SourceProgress src;
  src.description = identity_.source_description;
  src.start_offset = report.start.text();
  src.end_offset = report.end.text();
  src.latest_offset = report.latest.text();
  src.num_input_rows = report.rows;
  // Rows over the time since the previous trigger started (0 on the first, whose
  // interval is infinite), and over this trigger's duration (at least 1 ms), as Spark.
  const double seconds_since_last =
      previous_trigger_wall_ms_ < 0
          ? 0
          : (trigger_wall_ms_ - previous_trigger_wall_ms_) / 1000.0;
  src.input_rows_per_second =
      seconds_since_last > 0 ? report.rows / seconds_since_last : 0;
  src.processed_rows_per_second =
      report.rows / (std::max<int64_t>(1, p.batch_duration_ms) / 1000.0);
  src.metrics = std::move(report.source_metrics);
  p.input_rows_per_second = src.input_rows_per_second;
  p.processed_rows_per_second = src.processed_rows_per_second;
  p.sources.push_back(std::move(src));
  p.sink.description = identity_.sink_description;
  p.sink.num_output_rows = identity_.sink_reports_rows ? report.rows : -1;
  previous_trigger_wall_ms_ = trigger_wall_ms_;

  {
    std::lock_guard lock(mu_);
    recent_.push_back(p);
    if (recent_.size() > kRecentProgressCapacity) recent_.pop_front();
  }
  bus_->PostProgress(QueryProgressEvent{std::move(p)});
}

void ProgressTracker::FinishIdle() {
  const auto now = Clock::now();
  const auto since = idle_event_posted_ ? last_idle_event_ : last_busy_;
  if (now - since < no_data_interval_) return;
  last_idle_event_ = now;
  idle_event_posted_ = true;
  bus_->PostIdle(QueryIdleEvent{identity_.id, identity_.run_id, trigger_wall_ms_});
}

void ProgressTracker::SetStatus(std::string message, bool data_available,
                                bool trigger_active) {
  std::lock_guard lock(mu_);
  status_ = QueryStatus{std::move(message), data_available, trigger_active};
}

std::deque<StreamingQueryProgress> ProgressTracker::Recent() const {
  std::lock_guard lock(mu_);
  return recent_;
}

std::optional<StreamingQueryProgress> ProgressTracker::Last() const {
  std::lock_guard lock(mu_);
  if (recent_.empty()) return std::nullopt;
  return recent_.back();
}

QueryStatus ProgressTracker::Status() const {
  std::lock_guard lock(mu_);
  return status_;
}

}  // namespace rivulet
