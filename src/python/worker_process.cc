#include "python/worker_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace rivulet::python {
namespace {

// How long a worker gets to exit on its own before it is killed.
constexpr auto kExitGrace = std::chrono::seconds(1);

// Waits up to kExitGrace for `pid` to exit, then kills what is left of its process group
// (the worker itself if it did not exit, and whatever it forked), and reaps it. True with
// its own wait status in *status if it exited by itself. The group is killed before the
// worker is reaped: until then its pid, the group's id, cannot be reused.
bool EndWorker(pid_t pid, int* status) {
  auto deadline = std::chrono::steady_clock::now() + kExitGrace;
  siginfo_t info{};
  bool exited = false;
  while (true) {
    info.si_pid = 0;
    if (::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) break;
    if (info.si_pid == pid) {
      exited = true;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    ::usleep(2000);
  }
  ::kill(-pid, SIGKILL);
  if (!exited) ::kill(pid, SIGKILL);  // in case it left its group
  ::waitpid(pid, status, 0);
  return exited;
}

// A descriptor that becomes readable when `pid` exits (Linux 5.3+), or -1. Through
// syscall(): glibc's wrapper is missing from some of its builds.
int OpenPidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  return -1;
#endif
}

// Makes `fd` non-blocking, so that waits on it can watch the worker's exit too.
void SetNonBlocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void CloseFd(int& fd) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

std::string DescribeExit(int status) {
  if (WIFEXITED(status))
    return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char* name = strsignal(sig);
    return "was killed by signal " + std::to_string(sig) +
           (name != nullptr ? std::string(" (") + name + ")" : std::string());
  }
  return "ended with wait status " + std::to_string(status);
}

Status StatusForErrorKind(const std::string& kind, const std::string& message) {
  if (kind == "user_code") return Status::UserCodeError(message);
  if (kind == "not_implemented" || kind == "not_found") return Status::NotFound(message);
  if (kind == "invalid_argument") return Status::InvalidArgument(message);
  if (kind == "internal") return Status::Internal(message);
  return Status::Internal("python worker replied with unknown error kind '" + kind +
                          "': " + message);
}

// Spark's error for a streaming source's driver-side method that raised:
// "[PYTHON_STREAMING_DATA_SOURCE_RUNTIME_ERROR] Failed when Python streaming data source
// perform latestOffset: ..." (a simple reader's read() runs inside latestOffset, as in
// Spark's prefetching wrapper), and for a read on an executor (a partition, or a simple
// reader's replay through readBetweenOffsets): "[PYTHON_EXCEPTION] An exception was
// thrown from the Python worker: ...". Other calls' errors are left as they are.
Status WithStreamingErrorClass(FunctionId id, Status status) {
  if (status.code() != StatusCode::kUserCodeError) return status;
  if (id == FunctionId::kReadPartition || id == FunctionId::kReadBetweenOffsets) {
    return Status::UserCodeError(
        "[PYTHON_EXCEPTION] An exception was thrown from the Python worker: " +
        status.message());
  }
  const char* method = nullptr;
  switch (id) {
    case FunctionId::kSimpleRead:
      method = "latestOffset";
      break;
    case FunctionId::kInitialOffset:
    case FunctionId::kLatestOffset:
    case FunctionId::kPartitions:
    case FunctionId::kCommit:
    case FunctionId::kReportLatestOffset:
    case FunctionId::kPrepareForTriggerAvailableNow:
    case FunctionId::kStop:
      method = FunctionName(id);
      break;
    default:
      return status;
  }
  return Status::UserCodeError(
      std::string("[PYTHON_STREAMING_DATA_SOURCE_RUNTIME_ERROR] Failed when Python "
                  "streaming data source perform ") +
      method + ": " + status.message());
}

}  // namespace

WorkerProcess::WorkerProcess(pid_t pid, int request_fd, int reply_fd,
                             std::shared_ptr<LogStream> log,
                             std::function<void(pid_t)> reaped)
    : pid_(pid),
      request_fd_(request_fd),
      reply_fd_(reply_fd),
      exit_fd_(OpenPidfd(pid)),
      log_(std::move(log)),
      reaped_callback_(std::move(reaped)) {
  if (exit_fd_ >= 0) {
    SetNonBlocking(request_fd_);
    SetNonBlocking(reply_fd_);
  }
}

WorkerProcess::~WorkerProcess() {
  CloseFd(request_fd_);  // the worker exits at end of input
  if (!reaped_) {
    int status = 0;
    EndWorker(pid_, &status);
    if (reaped_callback_) reaped_callback_(pid_);
  }
  CloseFd(reply_fd_);
  CloseFd(exit_fd_);
  // Output still buffered in the pipe gets a moment to arrive.
  log_->Close(std::chrono::milliseconds(200));
}

bool WorkerProcess::lost() const {
  std::lock_guard lock(call_mu_);
  return reaped_;
}

Status WorkerProcess::Lost(const std::string& while_doing) {
  int status = 0;
  // Alive but its channel is closed or garbled, it cannot be talked to any more.
  std::string how = EndWorker(pid_, &status) ? DescribeExit(status)
                                             : "closed its channel and was killed";
  reaped_ = true;
  if (reaped_callback_) reaped_callback_(pid_);
  std::string message =
      "python worker for source '" + label() + "' " + how + " during " + while_doing;
  std::string tail = log_->Tail(std::chrono::milliseconds(500));
  if (!tail.empty()) message += "; its last output:" + tail;
  lost_status_ = Status::WorkerLost(message);
  return lost_status_;
}

Result<std::vector<std::string>> WorkerProcess::Call(FunctionId id,
                                                     std::vector<std::string> fields) {
  std::lock_guard lock(call_mu_);
  if (reaped_) return lost_status_;
  Message request{static_cast<uint32_t>(id), std::move(fields)};
  if (!WriteFrame(request_fd_, request, exit_fd_).ok()) return Lost(FunctionName(id));
  auto reply = ReadFrame(reply_fd_, exit_fd_);
  if (!reply.ok() || !reply->has_value()) return Lost(FunctionName(id));
  Message& message = **reply;
  if (message.code == static_cast<uint32_t>(ReplyStatus::kOk))
    return std::move(message.fields);
  if (message.code != static_cast<uint32_t>(ReplyStatus::kError) ||
      message.fields.size() != 2) {
    return Status::Internal("python worker for source '" + label() +
                            "' sent a malformed reply to " + FunctionName(id) +
                            " (code " + std::to_string(message.code) + ", " +
                            std::to_string(message.fields.size()) + " fields)");
  }
  return WithStreamingErrorClass(
      id, StatusForErrorKind(message.fields[0], message.fields[1]));
}

}  // namespace rivulet::python
