#pragma once

// What it takes to start one query from the command line or from a `serve` file: the
// same settings under the same meanings, checked before anything starts.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rivulet/options.h"
#include "rivulet/query.h"
#include "rivulet/runtime.h"

namespace rivulet::cli {

struct QuerySpec {
  std::string name;  // empty: none
  std::string source;
  Options source_options;
  std::string sink = "console";
  Options sink_options;
  std::string checkpoint;
  Trigger trigger;
  std::optional<std::string> schema;  // DDL replacing the source's schema()
  std::vector<std::string> python_path;
  std::string python;
  int max_worker_restarts = 3;
  int read_workers = 0;
  int64_t max_batches = -1;
  bool allow_source_change = false;

  // "query 'NAME'" or "query #N" (1-based) for messages.
  std::string Describe(size_t index) const;
};

// Checks what can be checked before a query starts: the trigger was parsed by the caller;
// here the schema's DDL, and that the source and sink name something the runtime has (a
// Python source spec is checked when its worker loads it).
Status Validate(const QuerySpec& spec, Runtime& runtime);

// Opens the source and sink and starts the query on the runtime.
Result<StreamingQueryPtr> StartQuery(const QuerySpec& spec, Runtime& runtime);

// Reads a `rivulet serve` file: {"queries": [{"name": ..., "source": ...,
// "options": {...}, "sink": ..., "sinkOptions": {...}, "checkpoint": ..., "trigger": ...,
// "schema": ..., "pythonPath": [...], "python": ..., "maxWorkerRestarts": N,
// "readWorkers": N, "maxBatches": N}]}. An error names the query and the key.
Result<std::vector<QuerySpec>> ReadServeFile(const std::string& path);

}  // namespace rivulet::cli
