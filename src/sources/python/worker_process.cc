#include "sources/python/worker_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>

extern char** environ;

namespace rivulet::python {
namespace {

// Lines of a worker's output kept for the message that reports its death.
constexpr size_t kTailLines = 20;
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

std::string ErrnoText(int err) { return std::strerror(err); }

void CloseFd(int& fd) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

// Moves `fd` to a close-on-exec descriptor >= 10, so that the child's dup2 onto 0..4
// cannot clobber another of the descriptors it still has to dup.
Result<int> MoveHigh(int fd) {
  int high = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
  int err = errno;
  ::close(fd);
  if (high < 0) return Status::IOError("fcntl(F_DUPFD_CLOEXEC): " + ErrnoText(err));
  return high;
}

Status MakePipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::IOError("pipe2: " + ErrnoText(errno));
  return Status::OK();
}

// Rows come back as one frame of megabytes; through the default 64 KiB pipe every 64 KiB
// costs a wake-up of each side. A larger pipe moves them in a few. Best effort: past the
// system's limit (fs.pipe-max-size, or the per-user total) the pipe keeps its size.
constexpr int kReplyPipeBytes = 1 << 20;

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

}  // namespace

LogSink StderrLogSink() {
  static std::mutex* mu = new std::mutex;
  return [](const std::string& line) {
    std::lock_guard lock(*mu);
    std::string out = line + "\n";
    std::cerr.write(out.data(), static_cast<std::streamsize>(out.size()));
    std::cerr.flush();
  };
}

// Shared by the forwarding thread and the WorkerProcess.
struct WorkerProcess::LogState {
  LogSink sink;
  int fd = -1;         // read end of the worker's stdout/stderr pipe
  int wake_read = -1;  // becomes readable when the owner stops waiting for end of input
  int wake_write = -1;

  std::mutex mu;
  std::condition_variable cv;
  std::string label;
  std::deque<std::string> tail;
  bool eof = false;

  void Emit(const std::string& line) {
    std::string prefixed;
    {
      std::lock_guard lock(mu);
      tail.push_back(line);
      if (tail.size() > kTailLines) tail.pop_front();
      prefixed = "[source " + label + "] " + line;
    }
    sink(prefixed);
  }

  void Run() {
    std::string pending;
    char buf[4096];
    while (true) {
      struct pollfd fds[2] = {{fd, POLLIN, 0}, {wake_read, POLLIN, 0}};
      int r = ::poll(fds, 2, -1);
      if (r < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (fds[1].revents != 0 || fds[0].revents == 0) break;  // the owner gave up waiting
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      pending.append(buf, static_cast<size_t>(n));
      size_t start = 0;
      for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos;
           start = nl + 1) {
        Emit(pending.substr(start, nl - start));
      }
      pending.erase(0, start);
    }
    if (!pending.empty()) Emit(pending);
    std::lock_guard lock(mu);
    eof = true;
    cv.notify_all();
  }

  // Waits a little for the worker's last output to arrive, then returns it.
  std::string Tail() {
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::milliseconds(500), [&] { return eof; });
    std::string out;
    for (const std::string& line : tail) out += "\n" + line;
    return out;
  }
};

Result<std::unique_ptr<WorkerProcess>> WorkerProcess::Spawn(
    const WorkerSpawnOptions& options) {
  int request[2], reply[2], log[2], wake[2];
  RIVULET_RETURN_NOT_OK(MakePipe(request));
  if (Status s = MakePipe(reply); !s.ok()) {
    ::close(request[0]);
    ::close(request[1]);
    return s;
  }
  ::fcntl(reply[0], F_SETPIPE_SZ, kReplyPipeBytes);  // best effort, see kReplyPipeBytes
  if (Status s = MakePipe(log); !s.ok()) {
    for (int fd : {request[0], request[1], reply[0], reply[1]}) ::close(fd);
    return s;
  }
  if (Status s = MakePipe(wake); !s.ok()) {
    for (int fd : {request[0], request[1], reply[0], reply[1], log[0], log[1]})
      ::close(fd);
    return s;
  }
  int parent_request = request[1], parent_reply = reply[0], parent_log = log[0];
  auto close_parent = [&] {
    for (int fd : {parent_request, parent_reply, parent_log, wake[0], wake[1]})
      ::close(fd);
  };
  Result<int> child_request = MoveHigh(request[0]);
  Result<int> child_reply = MoveHigh(reply[1]);
  Result<int> child_log = MoveHigh(log[1]);
  auto close_child = [&] {
    for (Result<int>* r : {&child_request, &child_reply, &child_log}) {
      if (r->ok()) ::close(**r);
    }
  };
  for (Result<int>* r : {&child_request, &child_reply, &child_log}) {
    if (!r->ok()) {
      close_child();
      close_parent();
      return r->status();
    }
  }

  // The environment: PYTHONPATH gains the rivulet package and the user's directories, and
  // a crash in an extension prints the Python stack (PYTHONFAULTHANDLER) to the log.
  std::string python_path;
  for (const std::string& dir : options.python_path) {
    if (!python_path.empty()) python_path += ':';
    python_path += dir;
  }
  std::vector<std::string> env;
  bool has_faulthandler = false;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (entry.starts_with("PYTHONPATH=")) {
      std::string_view old = entry.substr(11);
      if (!old.empty())
        python_path += (python_path.empty() ? "" : ":") + std::string(old);
      continue;
    }
    if (entry.starts_with("PYTHONFAULTHANDLER=")) has_faulthandler = true;
    env.emplace_back(entry);
  }
  env.push_back("PYTHONPATH=" + python_path);
  if (!has_faulthandler) env.push_back("PYTHONFAULTHANDLER=1");
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  std::vector<std::string> args = {options.python, "-m", "rivulet.worker", "--fds",
                                   "3,4"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, *child_request, 3);
  posix_spawn_file_actions_adddup2(&actions, *child_reply, 4);
  posix_spawn_file_actions_adddup2(&actions, *child_log, 1);
  posix_spawn_file_actions_adddup2(&actions, *child_log, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group: a Ctrl-C at the terminal reaches the engine, which then ends
  // its workers by closing their pipes, rather than every worker mid-call.
  posix_spawnattr_setflags(
      &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none, defaults;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&attr, &defaults);

  pid_t pid = -1;
  int err = options.python.find('/') == std::string::npos
                ? posix_spawnp(&pid, options.python.c_str(), &actions, &attr, argv.data(),
                               envp.data())
                : posix_spawn(&pid, options.python.c_str(), &actions, &attr, argv.data(),
                              envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close_child();
  if (err != 0) {
    close_parent();
    return Status::InvalidArgument("cannot start the python interpreter '" +
                                   options.python + "' for source '" + options.label +
                                   "': " + ErrnoText(err) +
                                   " (set RIVULET_PYTHON to a python3 interpreter)");
  }

  auto log_state = std::make_shared<LogState>();
  log_state->sink = options.log_sink ? options.log_sink : StderrLogSink();
  log_state->fd = parent_log;
  log_state->wake_read = wake[0];
  log_state->wake_write = wake[1];
  log_state->label = options.label;
  std::thread thread([state = log_state] { state->Run(); });
  return std::unique_ptr<WorkerProcess>(
      new WorkerProcess(pid, parent_request, parent_reply, log_state, std::move(thread)));
}

WorkerProcess::WorkerProcess(pid_t pid, int request_fd, int reply_fd,
                             std::shared_ptr<LogState> log, std::thread log_thread)
    : pid_(pid),
      request_fd_(request_fd),
      reply_fd_(reply_fd),
      log_(std::move(log)),
      log_thread_(std::move(log_thread)) {}

WorkerProcess::~WorkerProcess() {
  CloseFd(request_fd_);  // the worker exits at end of input
  if (!reaped_) {
    int status = 0;
    if (WaitWithinGrace(pid_, &status) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
  }
  CloseFd(reply_fd_);
  {
    // Output still buffered in the pipe gets a moment to arrive; a grandchild holding the
    // pipe open must not hang the engine, so the forwarding thread is then woken.
    std::unique_lock lock(log_->mu);
    log_->cv.wait_for(lock, std::chrono::milliseconds(200), [&] { return log_->eof; });
  }
  char byte = 0;
  (void)!::write(log_->wake_write, &byte, 1);
  log_thread_.join();
  for (int* fd : {&log_->fd, &log_->wake_read, &log_->wake_write}) CloseFd(*fd);
}

void WorkerProcess::set_label(const std::string& label) {
  std::lock_guard lock(log_->mu);
  log_->label = label;
}

std::string WorkerProcess::label() const {
  std::lock_guard lock(log_->mu);
  return log_->label;
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
  std::string message =
      "python worker for source '" + label() + "' " + how + " during " + while_doing;
  std::string tail = log_->Tail();
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
  return StatusForErrorKind(message.fields[0], message.fields[1]);
}

}  // namespace rivulet::python
