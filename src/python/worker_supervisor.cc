#include "python/worker_supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

extern char** environ;

namespace rivulet::python {
namespace {

// Rows come back as one frame of megabytes; through the default 64 KiB pipe every 64 KiB
// costs a wake-up of each side. A larger pipe moves them in a few. Best effort: past the
// system's limit (fs.pipe-max-size, or the per-user total) the pipe keeps its size.
constexpr int kReplyPipeBytes = 1 << 20;
// How long a template may take to start, or to answer a fork request.
constexpr int kTemplateTimeoutMs = 20'000;

std::string ErrnoText(int err) { return std::strerror(err); }

void CloseAll(std::initializer_list<int> fds) {
  for (int fd : fds) {
    if (fd >= 0) ::close(fd);
  }
}

// Moves `fd` to a close-on-exec descriptor >= 10, so that a child's dup2 onto 0..4
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

// The environment a worker runs in: PYTHONPATH gains the rivulet package and the user's
// directories, and a crash in an extension prints the Python stack (PYTHONFAULTHANDLER).
std::vector<std::string> WorkerEnvironment(const std::vector<std::string>& python_path) {
  std::string path;
  for (const std::string& dir : python_path) {
    if (!path.empty()) path += ':';
    path += dir;
  }
  std::vector<std::string> env;
  bool has_faulthandler = false;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (entry.starts_with("PYTHONPATH=")) {
      std::string_view old = entry.substr(11);
      if (!old.empty()) {
        if (!path.empty()) path += ':';
        path += old;
      }
      continue;
    }
    if (entry.starts_with("PYTHONFAULTHANDLER=")) has_faulthandler = true;
    env.emplace_back(entry);
  }
  env.push_back("PYTHONPATH=" + path);
  if (!has_faulthandler) env.push_back("PYTHONFAULTHANDLER=1");
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Spawns `args` with the given descriptors on the child's fds (child fd -> our fd), in
// its own process group (a Ctrl-C at the terminal reaches the engine, which then ends
// its workers by closing their pipes, rather than every worker mid-call), with default
// signal dispositions and no signal blocked.
Result<pid_t> Spawn(const std::string& program, std::vector<std::string> args,
                    std::vector<std::string> env,
                    const std::vector<std::pair<int, int>>& child_fds) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (const auto& [child_fd, fd] : child_fds)
    posix_spawn_file_actions_adddup2(&actions, fd, child_fd);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(
      &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none, defaults;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  auto argv = CStrings(args);
  auto envp = CStrings(env);
  pid_t pid = -1;
  int err =
      program.find('/') == std::string::npos
          ? posix_spawnp(&pid, program.c_str(), &actions, &attr, argv.data(), envp.data())
          : posix_spawn(&pid, program.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) return Status::IOError(ErrnoText(err));
  return pid;
}

// Waits up to `timeout_ms` for `fd` to become readable; false on timeout.
bool WaitReadable(int fd, int timeout_ms) {
  struct pollfd p = {fd, POLLIN, 0};
  int r;
  while ((r = ::poll(&p, 1, timeout_ms)) < 0 && errno == EINTR) {
  }
  return r > 0;
}

std::string FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return "";
  std::string_view rest(path);
  while (true) {
    auto colon = rest.find(':');
    std::string_view dir = rest.substr(0, colon);
    if (dir.empty()) dir = ".";
    std::string candidate;
    candidate.reserve(dir.size() + 1 + program.size());
    candidate.append(dir).append("/").append(program);
    if (::access(candidate.c_str(), X_OK) == 0) {
      return std::filesystem::absolute(candidate).lexically_normal().string();
    }
    if (colon == std::string_view::npos) return "";
    rest.remove_prefix(colon + 1);
  }
}

}  // namespace

// The engine's ends and the worker's ends of a worker's three pipes.
struct WorkerSupervisor::Pipes {
  int request = -1, reply = -1, log = -1;                    // ours
  int child_request = -1, child_reply = -1, child_log = -1;  // the worker's

  Status Open() {
    int request_fds[2], reply_fds[2], log_fds[2];
    RIVULET_RETURN_NOT_OK(MakePipe(request_fds));
    if (Status s = MakePipe(reply_fds); !s.ok()) {
      CloseAll({request_fds[0], request_fds[1]});
      return s;
    }
    ::fcntl(reply_fds[0], F_SETPIPE_SZ, kReplyPipeBytes);  // best effort
    if (Status s = MakePipe(log_fds); !s.ok()) {
      CloseAll({request_fds[0], request_fds[1], reply_fds[0], reply_fds[1]});
      return s;
    }
    request = request_fds[1];
    reply = reply_fds[0];
    log = log_fds[0];
    Result<int> cr = MoveHigh(request_fds[0]);
    Result<int> cp = MoveHigh(reply_fds[1]);
    Result<int> cl = MoveHigh(log_fds[1]);
    child_request = cr.ok() ? *cr : -1;
    child_reply = cp.ok() ? *cp : -1;
    child_log = cl.ok() ? *cl : -1;
    for (const Result<int>* r : {&cr, &cp, &cl}) {
      if (!r->ok()) return r->status();
    }
    return Status::OK();
  }
  void CloseChildEnds() {
    CloseAll({child_request, child_reply, child_log});
    child_request = child_reply = child_log = -1;
  }
  void CloseOurEnds() {
    CloseAll({request, reply, log});
    request = reply = log = -1;
  }
};

// A running template process and the socket it takes fork requests on.
struct WorkerSupervisor::Template {
  pid_t pid = -1;
  int socket = -1;
  std::shared_ptr<LogStream> log;
  std::mutex mu;  // one fork request at a time

  ~Template() {
    if (socket >= 0) ::close(socket);  // the template exits at end of input
    if (pid > 0) {
      int status;
      ::waitpid(pid, &status, 0);
    }
    if (log) log->Close(std::chrono::milliseconds(200));
  }
};

WorkerSupervisor::WorkerSupervisor() {
  // Forked workers are orphaned by the template's second fork; as a subreaper this
  // process adopts them, so it can wait for them as for its own children.
  subreaper_ = ::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
}

WorkerSupervisor::~WorkerSupervisor() {
  std::lock_guard lock(mu_);
  templates_.clear();
}

std::string WorkerSupervisor::ResolveInterpreter(const std::string& configured) {
  std::lock_guard lock(mu_);
  auto it = interpreters_.find(configured);
  return it == interpreters_.end() ? configured : it->second;
}

void WorkerSupervisor::LearnInterpreter(const std::string& configured,
                                        const std::string& executable) {
  if (executable.empty() || ::access(executable.c_str(), X_OK) != 0) return;
  std::lock_guard lock(mu_);
  interpreters_.emplace(configured, executable);
}

SupervisorStats WorkerSupervisor::stats() {
  std::lock_guard lock(mu_);
  std::set<const Template*> running;
  for (const auto& [key, t] : templates_) running.insert(t.get());
  return SupervisorStats{static_cast<int>(running.size()), forked_, spawned_,
                         static_cast<int>(live_.size())};
}

void WorkerSupervisor::KillAll() {
  std::lock_guard lock(mu_);
  for (pid_t pid : live_) ::kill(pid, SIGKILL);
}

void WorkerSupervisor::Forget(pid_t pid) {
  std::lock_guard lock(mu_);
  live_.erase(pid);
}

Result<std::unique_ptr<WorkerProcess>> WorkerSupervisor::Start(
    const WorkerSpawnOptions& options, bool allow_template) {
  Pipes pipes;
  if (Status s = pipes.Open(); !s.ok()) {
    pipes.CloseChildEnds();
    pipes.CloseOurEnds();
    return s;
  }
  Result<pid_t> pid = Status::NotFound("no template");
  bool forked = false;
  if (allow_template) {
    pid = ForkFromTemplate(options, pipes);
    forked = pid.ok();
  }
  if (!pid.ok()) pid = SpawnDirectly(options, pipes);
  pipes.CloseChildEnds();
  if (!pid.ok()) {
    pipes.CloseOurEnds();
    return Status::InvalidArgument("cannot start the python interpreter '" +
                                   options.python + "' for source '" + options.label +
                                   "': " + pid.status().message() +
                                   " (set RIVULET_PYTHON to a python3 interpreter)");
  }
  {
    std::lock_guard lock(mu_);
    live_.insert(*pid);
    ++(forked ? forked_ : spawned_);
  }
  auto log = forwarder_.Add(pipes.log, options.label, options.log_sink);
  return std::make_unique<WorkerProcess>(*pid, pipes.request, pipes.reply, std::move(log),
                                         [this](pid_t p) { Forget(p); });
}

Result<pid_t> WorkerSupervisor::SpawnDirectly(const WorkerSpawnOptions& options,
                                              const Pipes& pipes) {
  return Spawn(options.python, {options.python, "-m", "rivulet.worker", "--fds", "3,4"},
               WorkerEnvironment(options.python_path),
               {{3, pipes.child_request},
                {4, pipes.child_reply},
                {1, pipes.child_log},
                {2, pipes.child_log}});
}

std::shared_ptr<WorkerSupervisor::Template> WorkerSupervisor::TemplateFor(
    const WorkerSpawnOptions& options) {
  if (!subreaper_) return nullptr;
  std::string key = options.python;
  for (const std::string& dir : options.python_path) key += '\0' + dir;
  std::lock_guard lock(mu_);
  if (auto it = templates_.find(key); it != templates_.end()) return it->second;
  if (no_template_.contains(key)) return nullptr;

  // Started like a worker, with a socket for fork requests on its fd 3.
  int sockets[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets) != 0) {
    return nullptr;
  }
  int log_fds[2];
  if (::pipe2(log_fds, O_CLOEXEC) != 0) {
    CloseAll({sockets[0], sockets[1]});
    return nullptr;
  }
  Result<int> child_socket = MoveHigh(sockets[1]);
  Result<int> child_log = MoveHigh(log_fds[1]);
  Result<pid_t> pid = Status::IOError("no descriptors");
  if (child_socket.ok() && child_log.ok()) {
    pid = Spawn(options.python, {options.python, "-m", "rivulet._template", "--fd", "3"},
                WorkerEnvironment(options.python_path),
                {{3, *child_socket}, {1, *child_log}, {2, *child_log}});
  }
  if (child_socket.ok()) ::close(*child_socket);
  if (child_log.ok()) ::close(*child_log);
  auto made = std::make_shared<Template>();
  made->socket = sockets[0];
  made->log = forwarder_.Add(log_fds[0], "worker template", options.log_sink);
  if (!pid.ok()) {
    no_template_.insert(key);
    return nullptr;
  }
  made->pid = *pid;
  // The template says "ready" once it has imported the worker; an interpreter that
  // cannot run it (no such module) just exits, and workers are spawned directly.
  char ready[4096] = {};
  ssize_t n = -1;
  if (WaitReadable(made->socket, kTemplateTimeoutMs)) {
    n = ::recv(made->socket, ready, sizeof ready - 1, 0);
  }
  constexpr std::string_view kReady = "ready ";
  std::string_view said(ready, n > 0 ? static_cast<size_t>(n) : 0);
  if (!said.starts_with(kReady)) {
    ::kill(made->pid, SIGKILL);
    no_template_.insert(key);
    return nullptr;
  }
  templates_[key] = made;
  // Workers of the interpreter the template really runs (a shim's target) use it too.
  std::string executable(said.substr(kReady.size()));
  if (!executable.empty() && executable != options.python) {
    interpreters_.emplace(options.python, executable);
    templates_.emplace(executable + key.substr(options.python.size()), made);
  }
  return made;
}

Result<pid_t> WorkerSupervisor::ForkFromTemplate(const WorkerSpawnOptions& options,
                                                 const Pipes& pipes) {
  std::shared_ptr<Template> t = TemplateFor(options);
  if (t == nullptr) return Status::NotFound("no template");
  // The request: the worker's environment, NUL-separated, with its three descriptors.
  std::string env;
  for (const std::string& entry : WorkerEnvironment(options.python_path)) {
    env += entry;
    env += '\0';
  }
  int fds[3] = {pipes.child_request, pipes.child_reply, pipes.child_log};
  struct iovec iov = {env.data(), env.size()};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof fds)] = {};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof fds);
  std::memcpy(CMSG_DATA(cmsg), fds, sizeof fds);

  std::lock_guard lock(t->mu);
  char reply[64] = {};
  ssize_t n = -1;
  if (::sendmsg(t->socket, &msg, MSG_NOSIGNAL) == static_cast<ssize_t>(env.size()) &&
      WaitReadable(t->socket, kTemplateTimeoutMs)) {
    n = ::recv(t->socket, reply, sizeof reply - 1, 0);
  }
  const long pid = n > 0 ? std::strtol(reply, nullptr, 10) : 0;
  if (pid <= 0) {
    // The template died or refused: drop it, and the next worker starts a new one.
    std::lock_guard supervisor_lock(mu_);
    std::erase_if(templates_, [&](const auto& entry) { return entry.second == t; });
    ::kill(t->pid, SIGKILL);
    return Status::IOError("the worker template did not fork");
  }
  return static_cast<pid_t>(pid);
}

const std::string& DefaultPythonInterpreter() {
  static const std::string* python = [] {
    if (const char* env = std::getenv("RIVULET_PYTHON"); env != nullptr && *env) {
      return new std::string(env);
    }
    std::string found = FindOnPath("python3");
    return new std::string(found.empty() ? "python3" : found);
  }();
  return *python;
}

std::string PythonPackageDir() {
  if (const char* dir = std::getenv("RIVULET_PYTHON_PACKAGE_DIR");
      dir != nullptr && *dir) {
    return dir;
  }
  // An installed binary has the package in <prefix>/share/rivulet/python; a build tree
  // links the source tree's package at <build>/share/rivulet/python.
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  const auto dir = exe.parent_path();
  for (const auto& candidate :
       {dir / "../share/rivulet/python", dir / "share/rivulet/python"}) {
    if (std::filesystem::exists(candidate / "rivulet" / "__init__.py", ec)) {
      return std::filesystem::weakly_canonical(candidate, ec).string();
    }
  }
  return "";  // then the interpreter's own installed rivulet package is used
}

}  // namespace rivulet::python
