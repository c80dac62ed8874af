#pragma once

// Starts and watches a runtime's Python worker processes.
//
// Workers are forked from a template process (`python -m rivulet._template`), one per
// interpreter and package path, that has imported rivulet's worker modules and frozen its
// heap, as PySpark's daemon.py does: a worker is ready in milliseconds instead of an
// interpreter's start-up, and shares the template's pages copy-on-write. The template
// makes each worker a child of this process (a clone with CLONE_PARENT, or two forks
// with this process as child subreaper), so the engine reaps its workers and learns how
// they ended as if it had spawned them. Where no template can run (an interpreter without
// rivulet's template module, or a system that refuses the subreaper), workers are
// spawned directly.
//
// All workers' output goes through one forwarding thread (python/log_forwarder.h). The
// supervisor is thread-safe.

#include <sys/types.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "python/log_forwarder.h"
#include "python/worker_process.h"
#include "rivulet/status.h"

namespace rivulet {
class Runtime;
}

namespace rivulet::python {

struct WorkerSpawnOptions {
  std::string python;                    // the interpreter to run
  std::vector<std::string> python_path;  // prepended to PYTHONPATH, in order
  LogSink log_sink;                      // empty: StderrLogSink()
  std::string label;                     // the source's name in log lines and errors
};

struct SupervisorStats {
  int templates = 0;    // template processes running
  int64_t forked = 0;   // workers forked from a template
  int64_t spawned = 0;  // workers started from scratch
  int live_workers = 0;
};

class WorkerSupervisor {
 public:
  WorkerSupervisor();
  // A runtime's service (Runtime::Service<WorkerSupervisor>()).
  explicit WorkerSupervisor(Runtime&) : WorkerSupervisor() {}
  // Ends the templates. The workers belong to their WorkerProcess objects, which must be
  // gone by then.
  ~WorkerSupervisor();
  WorkerSupervisor(const WorkerSupervisor&) = delete;
  WorkerSupervisor& operator=(const WorkerSupervisor&) = delete;

  // Starts a worker. With `allow_template` false it is spawned from scratch.
  Result<std::unique_ptr<WorkerProcess>> Start(const WorkerSpawnOptions& options,
                                               bool allow_template = true);

  // Kills every worker still running (SIGKILL): a second Ctrl-C, or an engine that must
  // not leave a hung read() behind.
  void KillAll();

  // The interpreter to start for `configured`: the sys.executable its first worker
  // reported, so a version manager's shim costs its start-up once per process.
  std::string ResolveInterpreter(const std::string& configured);
  void LearnInterpreter(const std::string& configured, const std::string& executable);

  SupervisorStats stats();

 private:
  struct Template;
  struct Pipes;
  Result<pid_t> ForkFromTemplate(const WorkerSpawnOptions& options, const Pipes& pipes);
  Result<pid_t> SpawnDirectly(const WorkerSpawnOptions& options, const Pipes& pipes);
  // The template for these options, started if needed; null when none can run.
  std::shared_ptr<Template> TemplateFor(const WorkerSpawnOptions& options);
  void Forget(pid_t pid);

  LogForwarder forwarder_;
  std::mutex mu_;
  bool subreaper_ = false;
  std::map<std::string, std::shared_ptr<Template>> templates_;  // by interpreter + path
  std::set<std::string> no_template_;  // keys whose template failed to start
  std::map<std::string, std::string> interpreters_;
  std::set<pid_t> live_;
  int64_t forked_ = 0;
  int64_t spawned_ = 0;

  friend class SupervisedWorker;
};

// The interpreter a source without an explicit one runs: $RIVULET_PYTHON, else the first
// executable `python3` on PATH, else "python3". Computed once per process.
const std::string& DefaultPythonInterpreter();

// The directory holding the `rivulet` Python package: $RIVULET_PYTHON_PACKAGE_DIR, else
// found relative to the running executable (an installed tree or the build tree).
std::string PythonPackageDir();

}  // namespace rivulet::python
