#include "python/worker_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace rivulet::python {
namespace {

// How long a worker gets to exit on its own before it is killed.
constexpr auto kExitGrace = std::chrono::seconds(1);

// Waits up to kExitGrace for `pid` to exit. Returns waitpid's last answer: `pid` (exited,
// with its wait status in *status), 0 (still running) or -1 (cannot be waited for).
pid_t WaitWithinGrace(pid_t pid, int* status) {
  auto deadline = std::chrono::steady_clock::now() + kExitGrace;
  pid_t r = 0;
  while ((r = ::waitpid(pid, status, WNOHANG)) == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    ::usleep(2000);
  }
  return r;
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
// Spark's prefetching wrapper). Other calls' errors are left as they are.
Status WithStreamingErrorClass(FunctionId id, Status status) {
  if (status.code() != StatusCode::kUserCodeError) return status;
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
    case FunctionId::kReadBetweenOffsets:
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
      log_(std::move(log)),
      reaped_callback_(std::move(reaped)) {}

WorkerProcess::~WorkerProcess() {
  CloseFd(request_fd_);  // the worker exits at end of input
  if (!reaped_) {
    int status = 0;
    if (WaitWithinGrace(pid_, &status) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    if (reaped_callback_) reaped_callback_(pid_);
  }
  CloseFd(reply_fd_);
  // Output still buffered in the pipe gets a moment to arrive.
  log_->Close(std::chrono::milliseconds(200));
}

bool WorkerProcess::lost() const {
  std::lock_guard lock(call_mu_);
  return reaped_;
}

Status WorkerProcess::Lost(const std::string& while_doing) {
  int status = 0;
  std::string how;
  if (WaitWithinGrace(pid_, &status) == pid_) {
    how = DescribeExit(status);
  } else {
    // Alive but its channel is closed or garbled: it cannot be talked to any more.
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    how = "closed its channel and was killed";
  }
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
  if (!WriteFrame(request_fd_, request).ok()) return Lost(FunctionName(id));
  auto reply = ReadFrame(reply_fd_);
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
