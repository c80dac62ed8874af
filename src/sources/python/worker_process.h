#pragma once

// One Python worker process (`python -m rivulet.worker`) and its channel.
//
// The worker is spawned with posix_spawn in its own process group, with the request pipe
// on its fd 3, the reply pipe on fd 4, /dev/null on stdin and a log pipe on stdout and
// stderr. A thread forwards each line the worker prints to the log sink as "[source NAME]
// line".
//
// A worker that dies (killed, crashed, sys.exit) closes its reply pipe; Call sees that at
// once, reaps the process and returns Status::WorkerLost("python worker for source 'X'
// exited with status N" / "... was killed by signal 9"), followed by its last lines of
// output. Thread safety: Call serializes callers; the object may be destroyed while no
// call is running. Destruction closes the request pipe (the worker exits on end of input)
// and kills a worker that has not exited within a second.

#include <sys/types.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rivulet/status.h"
#include "sources/python/protocol.h"

namespace rivulet::python {

// Receives each line a worker prints, already prefixed with "[source NAME] ". Called from
// the workers' forwarding threads, possibly concurrently.
using LogSink = std::function<void(const std::string& line)>;

// Writes lines to the engine's stderr, one write per line.
LogSink StderrLogSink();

struct WorkerSpawnOptions {
  std::string python;                    // the interpreter to run
  std::vector<std::string> python_path;  // prepended to PYTHONPATH, in order
  LogSink log_sink;                      // empty: StderrLogSink()
  std::string label;                     // the source's name in log lines and errors
};

class WorkerProcess {
 public:
  static Result<std::unique_ptr<WorkerProcess>> Spawn(const WorkerSpawnOptions& options);
  ~WorkerProcess();
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  // Sends a request and returns the reply's fields. An error reply becomes the Status its
  // kind maps to (docs/format/worker-protocol.md); a dead worker gives WorkerLost.
  Result<std::vector<std::string>> Call(FunctionId id, std::vector<std::string> fields);

  // The source's name once known (after init), for log lines and errors.
  void set_label(const std::string& label);
  std::string label() const;
  pid_t pid() const { return pid_; }
  // True once the worker was found dead; every later Call fails with the same status.
  bool lost() const;

 private:
  struct LogState;
  WorkerProcess(pid_t pid, int request_fd, int reply_fd, std::shared_ptr<LogState> log,
                std::thread log_thread);
  // Reaps the exited worker and describes how it ended.
  Status Lost(const std::string& while_doing);

  const pid_t pid_;
  int request_fd_;
  int reply_fd_;
  std::shared_ptr<LogState> log_;
  std::thread log_thread_;

  mutable std::mutex call_mu_;  // one request at a time
  bool reaped_ = false;
  Status lost_status_;
};

}  // namespace rivulet::python
