#pragma once

// A streaming query: one source, one sink, a checkpoint directory and a trigger.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rivulet/progress.h"
#include "rivulet/sink.h"
#include "rivulet/source.h"
#include "rivulet/status.h"

namespace rivulet {

struct Trigger {
  enum class Kind {
    kDefault,         // next batch as soon as the previous one ends
    kProcessingTime,  // one batch per interval; a late batch starts the next at once
    kOnce,            // one batch with everything available, then stop
    kAvailableNow,    // everything available at start, possibly in several batches, then
                      // stop
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
  std::string name;          // optional query name, shown in progress
  int executor_threads = 0;  // 0: number of cores
  int min_batches_to_retain = 100;
  int64_t cache_memory_limit_bytes = 256ll << 20;  // block manager budget
  // How long an idle query sleeps before asking the source again (Spark's pollingDelay).
  std::chrono::milliseconds polling_delay{10};
  int64_t max_batches =
      -1;  // stop after this many batches (testing, benchmarks); -1: none
  // Called after every batch (and for idle triggers at most every 10 s), on the query
  // thread.
  std::function<void(const StreamingQueryProgress&)> on_progress;
};

class StreamingQuery {
 public:
  // Opens the checkpoint (taking its lock), creates the reader and recovers: if the last
  // logged batch has no commit it is run again with exactly its logged offsets.
  static Result<std::unique_ptr<StreamingQuery>> Start(std::unique_ptr<DataSource> source,
                                                       std::unique_ptr<Sink> sink,
                                                       std::optional<Schema> schema,
                                                       QueryOptions options);
  ~StreamingQuery();

  // Runs batches on the calling thread until the trigger says stop, Stop() is called or a
  // batch fails. A failure leaves the checkpoint valid: a restart resumes from the last
  // committed batch.
  Status Run();
  // Asks Run to return after the batch in flight; safe to call from any thread.
  void Stop();

  const std::string& id() const;
  const std::string& run_id() const;
  // The most recent progress objects, oldest first (at most 100, as Spark keeps).
  std::vector<StreamingQueryProgress> recentProgress() const;

 private:
  struct Impl;
  explicit StreamingQuery(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rivulet
