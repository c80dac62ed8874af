#pragma once

// Python data sources (PySpark's Python Data Source API) as engine sources.
//
// OpenPythonSource starts a planning worker through the runtime's WorkerSupervisor,
// loads the source class in it and builds the DataSource from the options; the returned
// DataSource's streamReader() / simpleStreamReader() create the reader in that worker
// and return proxies for rivulet::StreamReader / rivulet::SimpleStreamReader. A
// partitioned reader's Read(partition) runs in a pool of read workers, each with its own
// reader instance.
//
// Workers that die are restarted, up to max_worker_restarts times per source in all, and
// the call that found them dead is retried on the new worker (every worker call is a
// function of its arguments: offsets, partitions). Exceptions in the source's methods are
// Status::UserCodeError with the Python traceback; methods the source does not implement
// are Status::NotFound.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "python/worker_supervisor.h"
#include "rivulet/options.h"
#include "rivulet/source.h"
#include "rivulet/status.h"

namespace rivulet::python {

struct PythonSourceConfig {
  // Starts the workers; a runtime's Service<WorkerSupervisor>(). Required.
  WorkerSupervisor* supervisor = nullptr;
  // The interpreter. Empty: $RIVULET_PYTHON, else `python3` found on PATH. Either way the
  // first worker reports its sys.executable, and later workers run that directly, so a
  // version-manager shim costs its start-up once per supervisor, not once per worker.
  std::string python;
  std::vector<std::string> python_path;  // extra sys.path entries (--python-path)
  int max_worker_restarts = 3;
  int read_workers = 0;  // 0: the number of cores
  // --schema: used instead of the source's schema(), which is then not called.
  std::optional<std::string> schema_ddl;
  // The DataSource class as cloudpickle bytes (a class defined in a script); when set,
  // `spec` only names the source in messages until its name() is known.
  std::string pickled_class;
  LogSink log_sink;  // where worker output goes; empty: the engine's stderr
};

// spec: "path/to/file.py:ClassName", "path/to/file.py" (its one DataSource class),
// "package.module:ClassName", or a short name: the DataSource subclass whose name()
// matches it case-insensitively, in a module directly under one of config.python_path.
Result<std::unique_ptr<DataSource>> OpenPythonSource(const std::string& spec,
                                                     const Options& options,
                                                     const PythonSourceConfig& config);

// True for specs that can only mean a Python source: they contain ':' or end with ".py".
bool LooksLikePythonSourceSpec(const std::string& spec);

}  // namespace rivulet::python
