#pragma once

// Streaming queries: one source, one sink, a checkpoint directory and a trigger each,
// started and tracked by a runtime's StreamingQueryManager (Spark's spark.streams).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rivulet/listener.h"
#include "rivulet/progress.h"
#include "rivulet/sink.h"
#include "rivulet/source.h"
#include "rivulet/status.h"

namespace rivulet {

class Runtime;

struct Trigger {
  enum class Kind {
    kDefault,         // next batch as soon as the previous one ends
    kProcessingTime,  // one batch per interval; a late batch starts the next at once
    kOnce,            // one batch with everything available, then stop
    kAvailableNow,    // all that is available at start, in one or more batches; then stop
  };
  Kind kind = Kind::kDefault;
  std::chrono::milliseconds interval{0};

  // "once", "available-now", "processing-time=500ms", "processing-time=2s", "default".
  static Result<Trigger> Parse(std::string_view text);
  std::string ToString() const;
};

struct QueryOptions {
  std::string checkpoint_dir;
  Trigger trigger;
  std::string name;  // optional query name, shown in progress
  int min_batches_to_retain = 100;
  // How long an idle query waits before asking the source again (Spark's pollingDelay).
  // Each further poll that finds nothing doubles the wait, up to max_polling_delay; a
  // batch with data brings it back to polling_delay. A busy query never waits, and an
  // idle one asks its source a few times a second: next to nothing of a core.
  std::chrono::milliseconds polling_delay{10};
  std::chrono::milliseconds max_polling_delay{100};
  // While no data arrives, an idle event at most this often (Spark's
  // noDataProgressEventInterval).
  std::chrono::milliseconds no_data_progress_interval{10'000};
  int64_t max_batches = -1;  // stop after this many batches (tests, benchmarks); -1: none
  // A checkpoint records the source it was written for, and a query with another source
  // on it is refused unless this is set (then the new source is recorded).
  bool allow_source_change = false;
};

// Spark's StreamingQueryStatus.
struct QueryStatus {
  std::string message;  // "Initializing", "Waiting for data to arrive", "Stopped", ...
  bool is_data_available = false;
  bool is_trigger_active = false;
};

// A handle on a started query; it stays valid after the query terminates.
class StreamingQuery {
 public:
  virtual ~StreamingQuery() = default;
  virtual const std::string& id() const = 0;      // kept in the checkpoint's metadata
  virtual const std::string& run_id() const = 0;  // new for every start
  virtual const std::string& name() const = 0;
  virtual bool isActive() const = 0;
  virtual QueryStatus status() const = 0;
  // Waits until the query terminates; returns how it ended (OK when stopped or when its
  // trigger ended). A failure leaves the checkpoint valid: a restart resumes from the
  // last committed batch.
  virtual Status AwaitTermination() = 0;
  // As above, giving up after `timeout`: false if the query is still running.
  virtual Result<bool> AwaitTermination(std::chrono::milliseconds timeout) = 0;
  // Asks the query to stop after the batch in flight and returns at once; safe to call
  // from any thread, listeners included.
  virtual void RequestStop() = 0;
  // RequestStop, then waits for the query to terminate (Spark's stop()).
  virtual void Stop() = 0;
  // Waits until the data available at the call is processed and committed: until a
  // trigger that asked the source after the call found nothing new (Spark's
  // processAllAvailable). An idle query is woken to ask at once. Returns true then, or
  // once the query has ended (its error if it failed); false if `timeout` passed first.
  // While data keeps arriving as fast as batches run it waits on, as Spark's does. Not
  // from the query's own sink or listener calls: it would wait for itself.
  virtual Result<bool> ProcessAllAvailable(
      std::optional<std::chrono::milliseconds> timeout = std::nullopt) = 0;
  // The error the query failed with; OK while running or after a clean end.
  virtual Status exception() const = 0;
  // The most recent progress objects, oldest first (at most 100, as Spark keeps).
  virtual std::vector<StreamingQueryProgress> recentProgress() const = 0;
  virtual std::optional<StreamingQueryProgress> lastProgress() const = 0;
};

using StreamingQueryPtr = std::shared_ptr<StreamingQuery>;

class StreamingQueryManager {
 public:
  virtual ~StreamingQueryManager() = default;
  // Opens the checkpoint (taking its lock), creates the reader, recovers (a logged batch
  // without a commit runs again with exactly its logged offsets), announces the query to
  // the listeners and schedules it. `schema` replaces the source's schema() when given.
  virtual Result<StreamingQueryPtr> Start(std::unique_ptr<DataSource> source,
                                          std::unique_ptr<Sink> sink,
                                          std::optional<Schema> schema,
                                          QueryOptions options) = 0;
  virtual std::vector<StreamingQueryPtr> active() const = 0;
  // The active query with this id, or null.
  virtual StreamingQueryPtr get(const std::string& id) const = 0;
  // Waits until any query terminates (or one has since the last resetTerminated): true,
  // or the error of a query that failed. With a timeout, false if none did in time.
  virtual Result<bool> awaitAnyTermination(
      std::optional<std::chrono::milliseconds> timeout = std::nullopt) = 0;
  virtual void resetTerminated() = 0;
  // Stops every active query and waits for them.
  virtual void StopAll() = 0;
  virtual void addListener(std::shared_ptr<StreamingQueryListener> listener) = 0;
  virtual void removeListener(
      const std::shared_ptr<StreamingQueryListener>& listener) = 0;
};

}  // namespace rivulet
