#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "rivulet/schema.h"
#include "sources/python/python_source.h"

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

// A built-in name, or a Python source: path/to/file.py:ClassName,
// package.module:ClassName, or a DataSource's name() found under --python-path.
Result<std::unique_ptr<DataSource>> OpenSource(const RunArgs& args,
                                               const Options& options) {
  const bool python_spec = python::LooksLikePythonSourceSpec(args.source);
  if (!python_spec) {
    auto builtin = SourceRegistry::Global().Create(args.source, options);
    if (builtin.ok() || builtin.status().code() != StatusCode::kNotFound ||
        args.python_path.empty()) {
      return builtin;
    }
  }
  python::PythonSourceConfig config;
  config.python = args.python;
  config.python_path = args.python_path;
  config.max_worker_restarts = args.max_worker_restarts;
  config.read_workers = args.read_workers;
  config.schema_ddl = args.schema;
  return python::OpenPythonSource(args.source, options, config);
}

// SIGINT and SIGTERM stop the query between batches. They are blocked in every thread and
// taken by one thread with sigwait, so stopping runs as ordinary code, not in a handler.
class StopOnSignal {
 public:
  StopOnSignal() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  }
  void Watch(StreamingQuery* query) {
    std::thread([signals = signals_, query] {
      int received = 0;
      sigwait(&signals, &received);
      query->Stop();
      // A second signal ends the process at once.
      sigwait(&signals, &received);
      _exit(128 + received);
    }).detach();
  }

 private:
  sigset_t signals_;
};

}  // namespace

int Run(const RunArgs& args) {
  StopOnSignal stop_on_signal;  // before any thread starts, so all inherit the mask
  auto source_options = ParseKeyValues(args.source_options, "--option");
  if (!source_options.ok()) return Fail(source_options.status());
  auto sink_options = ParseKeyValues(args.sink_options, "--sink-option");
  if (!sink_options.ok()) return Fail(sink_options.status());
  auto trigger = Trigger::Parse(args.trigger);
  if (!trigger.ok()) return Fail(trigger.status());

  std::optional<Schema> schema;
  if (args.schema) {
    auto parsed = ParseDdl(*args.schema);
    if (!parsed.ok()) return Fail(parsed.status().WithContext("--schema"));
    schema = std::move(*parsed);
  }
  auto source = OpenSource(args, *source_options);
  if (!source.ok()) return Fail(source.status());
  auto sink = SinkRegistry::Global().Create(args.sink, *sink_options);
  if (!sink.ok()) return Fail(sink.status());

  QueryOptions options;
  options.checkpoint_dir = args.checkpoint;
  options.trigger = *trigger;
  options.name = args.name;
  options.max_batches = args.max_batches;
  if (args.progress) {
    options.on_progress = [](const StreamingQueryProgress& p) {
      std::cerr << p.ToJson() << std::endl;
    };
  }
  auto query = StreamingQuery::Start(std::move(*source), std::move(*sink),
                                     std::move(schema), std::move(options));
  if (!query.ok()) return Fail(query.status());
  stop_on_signal.Watch(query->get());
  Status status = (*query)->Run();
  if (!status.ok()) return Fail(status);
  return 0;
}

}  // namespace rivulet::cli
