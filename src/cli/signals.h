#pragma once

// SIGINT and SIGTERM for the commands that run queries: blocked in every thread and taken
// by one thread with sigwait, so stopping runs as ordinary code, not in a handler. The
// first signal stops the queries between batches; the second runs `abort` (which kills
// the Python workers) and exits at once with 128 + the signal.

#include <functional>

namespace rivulet::cli {

class StopOnSignal {
 public:
  // Blocks the signals; construct before any thread starts, so all inherit the mask.
  StopOnSignal();
  void Watch(std::function<void()> stop, std::function<void()> abort);
};

}  // namespace rivulet::cli
