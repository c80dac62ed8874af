#pragma once

// Spark's StreamingQueryListener: callbacks for the life of every query in a runtime.
//
// Events of one query arrive in order: started, then progress and idle events, then
// terminated. onQueryStarted runs before StreamingQueryManager::Start returns, on the
// starting thread, as in Spark; the others run on the runtime's listener thread, one
// event at a time, so a slow listener delays other listeners but never a query.

#include <cstdint>
#include <optional>
#include <string>

#include "rivulet/progress.h"

namespace rivulet {

struct QueryStartedEvent {
  std::string id;
  std::string run_id;
  std::string name;          // empty means null
  int64_t timestamp_ms = 0;  // epoch ms
};

struct QueryProgressEvent {
  StreamingQueryProgress progress;
};

// Posted instead of a progress event while a query finds no new data, at most once per
// QueryOptions::no_data_progress_interval.
struct QueryIdleEvent {
  std::string id;
  std::string run_id;
  int64_t timestamp_ms = 0;
};

struct QueryTerminatedEvent {
  std::string id;
  std::string run_id;
  std::optional<std::string> exception;  // the error's message when it failed
  std::optional<std::string> error_class_on_exception;  // e.g. "STREAM_FAILED"
};

class StreamingQueryListener {
 public:
  virtual ~StreamingQueryListener() = default;
  virtual void onQueryStarted(const QueryStartedEvent& event) {}
  virtual void onQueryProgress(const QueryProgressEvent& event) {}
  virtual void onQueryIdle(const QueryIdleEvent& event) {}
  virtual void onQueryTerminated(const QueryTerminatedEvent& event) {}
};

}  // namespace rivulet
