#pragma once

// Builds a query's progress reports (Spark's ProgressReporter): the phases of each
// trigger timed as Spark names them, one StreamingQueryProgress per batch, idle events
// while no data arrives, the last 100 reports and the query's status. Posts to the
// runtime's listener bus.
//
// StartTrigger, Lap, FinishBatch and FinishIdle are called by the query's step, one at a
// time; the readers (Recent, Last, Status) from any thread.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "engine/listener_bus.h"
#include "rivulet/offset.h"
#include "rivulet/query.h"

namespace rivulet {

class ProgressTracker {
 public:
  struct Identity {
    std::string id;
    std::string run_id;
    std::string name;
    std::string source_description;
    std::string sink_description;
    bool sink_reports_rows = true;  // else numOutputRows is -1, as Spark's v1 sinks
  };
  // What the engine knows of a finished batch.
  struct BatchReport {
    int64_t batch_id = 0;
    Offset start;
    Offset end;
    Offset latest;  // from ReportLatestOffset; empty when not reported
    int64_t rows = 0;
    std::map<std::string, std::string> source_metrics;
  };

  ProgressTracker(Identity identity, ListenerBus* bus,
                  std::chrono::milliseconds no_data_interval);

  // Starts timing a trigger; phase durations restart from here.
  void StartTrigger();
  // Sets a phase's duration to the time since the previous lap (or StartTrigger).
  void Lap(const char* phase);
  // For a replayed batch: its trigger started when its replay did.
  void FinishBatch(BatchReport report);
  // A trigger that found no new data: an idle event at most once per interval.
  void FinishIdle();
  void SetStatus(std::string message, bool data_available, bool trigger_active);

  std::deque<StreamingQueryProgress> Recent() const;
  std::optional<StreamingQueryProgress> Last() const;
  QueryStatus Status() const;
  const Identity& identity() const { return identity_; }

 private:
  using Clock = std::chrono::steady_clock;

  const Identity identity_;
  ListenerBus* const bus_;
  const std::chrono::milliseconds no_data_interval_;

  Clock::time_point trigger_start_;
  Clock::time_point lap_start_;
  int64_t trigger_wall_ms_ = 0;
  int64_t previous_trigger_wall_ms_ = -1;
  Clock::time_point last_busy_;  // the end of the last batch, or the start
  Clock::time_point last_idle_event_;
  bool idle_event_posted_ = false;
  std::map<std::string, int64_t> durations_;

  mutable std::mutex mu_;
  std::deque<StreamingQueryProgress> recent_;
  QueryStatus status_{"Initializing", false, false};
};

// Epoch milliseconds now.
int64_t WallMillis();

}  // namespace rivulet
