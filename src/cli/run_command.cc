#include <sys/resource.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/query_spec.h"
#include "cli/signals.h"
#include "python/worker_supervisor.h"
#include "rivulet/builtins.h"

namespace rivulet::cli {

Result<Options> ParseKeyValues(const std::vector<std::string>& pairs, const char* flag) {
  Options options;
  for (const auto& pair : pairs) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument(std::string(flag) + " expects key=value, got '" +
                                     pair + "'");
    }
    options.Set(pair.substr(0, eq), pair.substr(eq + 1));
  }
  return options;
}

int Fail(const Status& status) {
  std::cerr << "rivulet: error: " << status.message() << std::endl;
  return 1;
}

namespace {

Result<QuerySpec> SpecFromArgs(const RunArgs& args) {
  QuerySpec spec;
  spec.name = args.name;
  spec.source = args.source;
  RIVULET_ASSIGN_OR_RETURN(spec.source_options,
                           ParseKeyValues(args.source_options, "--option"));
  spec.sink = args.sink;
  RIVULET_ASSIGN_OR_RETURN(spec.sink_options,
                           ParseKeyValues(args.sink_options, "--sink-option"));
  spec.checkpoint = args.checkpoint;
  RIVULET_ASSIGN_OR_RETURN(spec.trigger, Trigger::Parse(args.trigger));
  spec.schema = args.schema;
  spec.python_path = args.python_path;
  spec.python = args.python;
  spec.max_worker_restarts = args.max_worker_restarts;
  spec.read_workers = args.read_workers;
  spec.max_batches = args.max_batches;
  spec.allow_source_change = args.allow_source_change;
  return spec;
}

}  // namespace

void PrintProgress::onQueryProgress(const QueryProgressEvent& event) {
  std::cerr << event.progress.ToJson() << std::endl;
}

std::shared_ptr<Runtime> CreateCommandRuntime() {
  // A thousand queries hold a thousand checkpoint locks: allow what the system allows.
  struct rlimit files;
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  auto runtime = Runtime::Create();
  RegisterBuiltins(*runtime);
  return runtime;
}

void WatchSignals(StopOnSignal& signals, const std::shared_ptr<Runtime>& runtime) {
  // The first signal only asks: the signal thread must be free to take the second.
  signals.Watch(
      [runtime] {
        for (const auto& query : runtime->streams().active()) query->RequestStop();
      },
      [runtime] { runtime->Service<python::WorkerSupervisor>().KillAll(); });
}

int Run(const RunArgs& args) {
  StopOnSignal stop_on_signal;  // before any thread starts, so all inherit the mask
  auto spec = SpecFromArgs(args);
  if (!spec.ok()) return Fail(spec.status());
  auto runtime = CreateCommandRuntime();
  if (args.progress) runtime->streams().addListener(std::make_shared<PrintProgress>());
  auto query = StartQuery(*spec, *runtime);
  if (!query.ok()) return Fail(query.status());
  WatchSignals(stop_on_signal, runtime);
  Status status = (*query)->AwaitTermination();
  // The last batch's progress may still be on its way to the listener's thread.
  runtime->FlushListeners();
  if (!status.ok()) return Fail(status);
  return 0;
}

}  // namespace rivulet::cli
