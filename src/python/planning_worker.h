#pragma once

// The first worker of a Python data source class, source or sink: it loads the class,
// builds the DataSource from the options (and, when asked, computes its schema), and
// names the worker group after the class's name(). Later workers of the group (readers,
// writers, restarts) load the class this one found, without a search.

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "python/managed_worker.h"
#include "python/worker_supervisor.h"
#include "rivulet/options.h"

namespace rivulet::python {

// What the workers of a Python class are started with.
struct PythonWorkerConfig {
  // Starts the workers; a runtime's Service<WorkerSupervisor>(). Required.
  WorkerSupervisor* supervisor = nullptr;
  // The interpreter. Empty: $RIVULET_PYTHON, else `python3` found on PATH. Either way the
  // first worker reports its sys.executable, and later workers run that directly, so a
  // version-manager shim costs its start-up once per supervisor, not once per worker.
  std::string python;
  std::vector<std::string> python_path;  // extra sys.path entries (--python-path)
  int max_worker_restarts = 3;
  // The DataSource class as cloudpickle bytes (a class defined in a script); when set,
  // the spec only names the class in messages until its name() is known.
  std::string pickled_class;
  LogSink log_sink;  // where worker output goes; empty: the engine's stderr
};

// The NOLINT: as for WorkerGroup (managed_worker.h), clang-tidy 14 takes nlohmann::json's
// default constructor for one that throws.
struct PlanningWorker {  // NOLINT(bugprone-exception-escape)
  std::shared_ptr<WorkerGroup> group;
  std::unique_ptr<ManagedWorker> worker;
  nlohmann::json init_reply;  // "name", and "schema_ddl" / "schema_json" when asked
};

// spec: "path/to/file.py:ClassName", "path/to/file.py" (its one DataSource class),
// "package.module:ClassName", or a short name: the DataSource subclass whose name()
// matches it case-insensitively, in a module directly under one of config.python_path.
Result<PlanningWorker> StartPlanningWorker(const std::string& spec,
                                           const Options& options,
                                           const PythonWorkerConfig& config,
                                           bool need_schema);

// True for specs that can only mean a Python class: they contain ':' or end with ".py".
bool LooksLikePythonSpec(const std::string& spec);

}  // namespace rivulet::python
