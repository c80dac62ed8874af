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

#include "python/planning_worker.h"
#include "rivulet/options.h"
#include "rivulet/source.h"
#include "rivulet/status.h"

namespace rivulet::python {

struct PythonSourceConfig : PythonWorkerConfig {
  int read_workers = 0;  // 0: the number of cores
  // --schema: used instead of the source's schema(), which is then not called.
  std::optional<std::string> schema_ddl;
};

// spec: "path/to/file.py:ClassName", "path/to/file.py" (its one DataSource class),
// "package.module:ClassName", or a short name: the DataSource subclass whose name()
// matches it case-insensitively, in a module directly under one of config.python_path.
Result<std::unique_ptr<DataSource>> OpenPythonSource(const std::string& spec,
                                                     const Options& options,
                                                     const PythonSourceConfig& config);

}  // namespace rivulet::python
