#pragma once

// One Python worker process and its channel: requests on a pipe to the worker's fd 3,
// replies on a pipe from its fd 4, its stdout and stderr on a log pipe whose lines the
// supervisor's forwarder passes on as "[source NAME] line". Workers are started by a
// WorkerSupervisor (python/worker_supervisor.h).
//
// A worker that dies (killed, crashed, sys.exit) closes its reply pipe; Call sees that at
// once, reaps the process and returns Status::WorkerLost("python worker for source 'X'
// exited with status N" / "... was killed by signal 9"), followed by its last lines of
// output. The process itself is watched too (a pidfd), since a process the worker forked
// keeps the pipes open after the worker died; the worker's process group, which such
// processes share, is killed with it. Thread safety: Call serializes callers; the object
// may be destroyed while no call is running. Destruction closes the request pipe (the
// worker exits on end of input) and kills a worker that has not exited within a second.

#include <sys/types.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "python/log_forwarder.h"
#include "python/protocol.h"
#include "rivulet/status.h"

namespace rivulet::python {

class WorkerProcess {
 public:
  // Takes ownership of the pipes' engine ends; `pid` must be a child of this process.
  // `reaped` runs once the process has been waited for.
  WorkerProcess(pid_t pid, int request_fd, int reply_fd, std::shared_ptr<LogStream> log,
                std::function<void(pid_t)> reaped);
  ~WorkerProcess();
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  // Sends a request and returns the reply's fields. An error reply becomes the Status its
  // kind maps to (docs/format/worker-protocol.md); a dead worker gives WorkerLost.
  Result<std::vector<std::string>> Call(FunctionId id, std::vector<std::string> fields);

  // The source's name once known (after init), for log lines and errors.
  void set_label(const std::string& label) { log_->set_label(label); }
  std::string label() const { return log_->label(); }
  pid_t pid() const { return pid_; }
  // True once the worker was found dead; every later Call fails with the same status.
  bool lost() const;

 private:
  // Reaps the exited worker and describes how it ended.
  Status Lost(const std::string& while_doing);

  const pid_t pid_;
  int request_fd_;
  int reply_fd_;
  int exit_fd_;  // the worker's pidfd, readable once it exited; -1 where unsupported
  std::shared_ptr<LogStream> log_;
  std::function<void(pid_t)> reaped_callback_;

  mutable std::mutex call_mu_;  // one request at a time
  bool reaped_ = false;
  Status lost_status_;
};

}  // namespace rivulet::python
