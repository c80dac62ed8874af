#pragma once

// The rivulet command's subcommands. Each returns the process exit status; errors are
// printed as one line, "rivulet: error: <message>", on stderr.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rivulet/query.h"
#include "rivulet/runtime.h"

namespace rivulet::cli {

struct RunArgs {
  std::string source;
  std::vector<std::string> source_options;  // key=value
  std::string sink = "console";
  std::vector<std::string> sink_options;
  std::string checkpoint;
  std::string trigger = "default";
  std::string name;
  std::optional<std::string> schema;  // DDL overriding the source's schema()
  std::vector<std::string> python_path;
  std::string python;
  int max_worker_restarts = 3;
  int read_workers = 0;
  int64_t max_batches = -1;
  bool progress = false;
  bool allow_source_change = false;
};

struct ServeArgs {
  std::string file;
  bool progress = false;
};

int Run(const RunArgs& args);
int Serve(const ServeArgs& args);
int CheckpointShow(const std::string& dir);
// Repairs what can be repaired without losing or doubling a row; exit status 0 when the
// checkpoint can run again, 1 when damage is left that only the operator can settle.
int CheckpointRepair(const std::string& dir, const std::optional<std::string>& query_id);
// Prints an Arrow IPC file or stream as a table; num_rows < 0 prints every row.
int Cat(const std::string& path, int64_t num_rows, bool truncate);

// "key=value" pairs into Options; a pair without '=' is an error naming it.
Result<Options> ParseKeyValues(const std::vector<std::string>& pairs, const char* flag);
int Fail(const Status& status);

// --progress: each batch's progress as Spark's JSON on stderr.
class PrintProgress : public StreamingQueryListener {
 public:
  void onQueryProgress(const QueryProgressEvent& event) override;
};

class StopOnSignal;
// A runtime for a command: the built-ins registered, the open-files limit raised.
std::shared_ptr<Runtime> CreateCommandRuntime();
// The first SIGINT/SIGTERM stops the runtime's queries; the second kills its workers.
void WatchSignals(StopOnSignal& signals, const std::shared_ptr<Runtime>& runtime);

}  // namespace rivulet::cli
