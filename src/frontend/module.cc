// rivulet._engine: the engine inside the user's interpreter. The Python package
// (rivulet.sql.session and rivulet.sql.streaming) builds PySpark's API on these few
// calls. Calls that wait (starting a query, awaiting or stopping it, shutting the runtime
// down) release the GIL, because the engine's threads take it to run foreachBatch
// callbacks and listeners; waits wake every 100 ms to let Ctrl-C through.

#include <nanobind/nanobind.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "frontend/arrow_batches.h"
#include "frontend/arrow_c_stream.h"
#include "frontend/callback_sink.h"
#include "frontend/python_listener.h"
#include "ipc/reader.h"
#include "ipc/writer.h"
#include "python/worker_supervisor.h"
#include "rivulet/builtins.h"
#include "rivulet/runtime.h"
#include "sinks/console_sink.h"
#include "sinks/file_sink_log.h"
#include "sinks/python/python_sink.h"
#include "sources/python/python_source.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace rivulet::frontend {
namespace {

using StringMap = std::map<std::string, std::string>;
using IntMap = std::map<std::string, int64_t>;
constexpr std::chrono::milliseconds kWakeForSignals{100};

const char* CodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "InvalidArgument";
    case StatusCode::kNotFound:
      return "NotFound";
    case StatusCode::kBusy:
      return "Busy";
    case StatusCode::kCorruption:
      return "Corruption";
    case StatusCode::kIOError:
      return "IOError";
    case StatusCode::kUserCodeError:
      return "UserCodeError";
    case StatusCode::kWorkerLost:
      return "WorkerLost";
    case StatusCode::kCancelled:
      return "Cancelled";
    case StatusCode::kInternal:
      return "Internal";
  }
  return "Internal";
}

// Raises the status as the Python exception rivulet.errors chooses for its code.
[[noreturn]] void Raise(const Status& status) {
  nb::object error = nb::module_::import_("rivulet.errors")
                         .attr("_from_engine")(CodeName(status.code()), status.message());
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(error.ptr())), error.ptr());
  throw nb::python_error();
}

template <typename T>
T ValueOrRaise(Result<T> result) {
  if (!result.ok()) Raise(result.status());
  return std::move(*result);
}

// ---- batches handed to Python ----

constexpr const char* kStreamCapsuleName = "arrow_array_stream";

void DeleteStreamCapsule(PyObject* capsule) {
  auto* stream =
      static_cast<ArrowArrayStream*>(PyCapsule_GetPointer(capsule, kStreamCapsuleName));
  if (stream == nullptr) return;
  if (stream->release != nullptr) stream->release(stream);
  delete stream;
}

// Arrow's PyCapsule protocol: a capsule owning an ArrowArrayStream over the batches. A
// requested schema is ignored (the protocol lets a producer keep its own types).
nb::object ArrowCStream(const ArrowBatches& batches,
                        const nb::handle& /*requested_schema*/) {
  auto* stream = new ArrowArrayStream;
  ExportArrowStream(batches.schema, batches.batches, stream);
  PyObject* capsule = PyCapsule_New(stream, kStreamCapsuleName, DeleteStreamCapsule);
  if (capsule == nullptr) {
    stream->release(stream);
    delete stream;
    throw nb::python_error();
  }
  return nb::steal(capsule);
}

nb::bytes BatchesAsIpc(const ArrowBatches& batches) {
  std::string stream = ValueOrRaise(ipc::WriteStream(*batches.schema, batches.batches));
  return nb::bytes(stream.data(), stream.size());
}

Options ToOptions(const StringMap& entries) {
  Options options;
  for (const auto& [key, value] : entries) options.Set(key, value);
  return options;
}

// Waits in slices so that a signal (Ctrl-C) raises in the waiting Python thread. `wait`
// returns true once done.
template <typename Wait>
bool WaitCheckingSignals(std::optional<double> timeout_seconds, Wait wait) {
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds.value_or(0) * 1000));
  for (;;) {
    auto slice = kWakeForSignals;
    if (timeout_seconds) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      slice = std::max(std::chrono::milliseconds(0), std::min(slice, left));
    }
    bool done = false;
    {
      nb::gil_scoped_release release;
      done = wait(slice);
    }
    if (done) return true;
    if (PyErr_CheckSignals() != 0) throw nb::python_error();
    if (timeout_seconds && std::chrono::steady_clock::now() >= deadline) return false;
  }
}

class Query {
 public:
  explicit Query(StreamingQueryPtr query) : query_(std::move(query)) {}

  const std::string& id() const { return query_->id(); }
  const std::string& run_id() const { return query_->run_id(); }
  const std::string& name() const { return query_->name(); }
  bool is_active() const { return query_->isActive(); }

  // (message, isDataAvailable, isTriggerActive)
  nb::tuple status() const {
    const QueryStatus status = query_->status();
    return nb::make_tuple(status.message, status.is_data_available,
                          status.is_trigger_active);
  }

  // True once terminated (however it ended; see exception()), false on timeout.
  bool await_termination(std::optional<double> timeout_seconds) {
    return WaitCheckingSignals(timeout_seconds, [this](std::chrono::milliseconds slice) {
      auto done = query_->AwaitTermination(slice);
      return !done.ok() || *done;
    });
  }

  // True once the data available at the call is committed (or the query ended; see
  // exception()), false on timeout.
  bool process_all_available(std::optional<double> timeout_seconds) {
    return WaitCheckingSignals(timeout_seconds, [this](std::chrono::milliseconds slice) {
      auto done = query_->ProcessAllAvailable(slice);
      return !done.ok() || *done;
    });
  }

  void request_stop() { query_->RequestStop(); }
  void stop() {
    nb::gil_scoped_release release;
    query_->Stop();
  }

  // (code, message) of the failure, or None.
  std::optional<std::pair<std::string, std::string>> exception() const {
    const Status status = query_->exception();
    if (status.ok()) return std::nullopt;
    return std::make_pair(std::string(CodeName(status.code())), status.message());
  }

  std::vector<std::string> recent_progress() const {
    std::vector<std::string> out;
    for (const auto& progress : query_->recentProgress())
      out.push_back(progress.ToJson());
    return out;
  }
  std::optional<std::string> last_progress() const {
    auto last = query_->lastProgress();
    if (!last) return std::nullopt;
    return last->ToJson();
  }

 private:
  StreamingQueryPtr query_;
};

// What a query reads: a built-in source by name, or a Python DataSource class.
struct SourceArgs {
  std::string name;
  StringMap options;
  std::optional<nb::bytes> pickled_class;  // cloudpickle bytes of the class
  std::string python;                      // the workers' interpreter
  std::vector<std::string> python_path;
  std::optional<std::string> schema_ddl;
};

class Engine {
 public:
  explicit Engine(int executor_threads) {
    RuntimeOptions options;
    options.executor_threads = executor_threads;
    runtime_ = Runtime::Create(options);
    RegisterBuiltins(*runtime_);
  }
  ~Engine() { Shutdown(); }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Stops every query, ends the workers and frees the runtime. Idempotent.
  void Shutdown() {
    if (!runtime_) return;
    nb::gil_scoped_release release;
    runtime_->streams().StopAll();
    runtime_.reset();
  }

  std::shared_ptr<Query> Start(const SourceArgs& source, const std::string& sink,
                               const StringMap& sink_options,
                               std::optional<nb::object> sink_callback,
                               const std::string& checkpoint, const std::string& trigger,
                               const std::string& name, const std::string& failure_prefix,
                               bool sink_reports_rows, int64_t max_batches,
                               std::optional<SourceArgs> python_sink,
                               bool allow_source_change, const IntMap& waits_ms) {
    Runtime& runtime = Live();
    QueryOptions options;
    options.checkpoint_dir = checkpoint;
    options.trigger = ValueOrRaise(Trigger::Parse(trigger));
    options.name = name;
    options.max_batches = max_batches;
    options.allow_source_change = allow_source_change;
    // The session's streaming confs, in milliseconds (readwriter.py reads them).
    for (const auto& [key, ms] : waits_ms) {
      const std::chrono::milliseconds wait(ms);
      if (key == "pollingDelay") {
        options.polling_delay = wait;
      } else if (key == "maxPollingDelay") {
        options.max_polling_delay = wait;
      } else if (key == "noDataProgressEventInterval") {
        options.no_data_progress_interval = wait;
      } else {
        throw nb::value_error(("unknown query wait '" + key + "'").c_str());
      }
    }
    std::optional<Schema> schema;
    if (source.schema_ddl) schema = ValueOrRaise(ParseDdl(*source.schema_ddl));

    std::unique_ptr<Sink> made_sink;
    if (sink_callback) {
      made_sink =
          MakeCallbackSink(std::move(*sink_callback),
                           CallbackSinkOptions{sink, failure_prefix, sink_reports_rows});
    } else if (python_sink) {
      python::PythonSinkConfig sink_config;
      sink_config.supervisor = &runtime.Service<python::WorkerSupervisor>();
      sink_config.python = python_sink->python;
      sink_config.python_path = python_sink->python_path;
      if (python_sink->pickled_class) {
        sink_config.pickled_class.assign(python_sink->pickled_class->c_str(),
                                         python_sink->pickled_class->size());
      }
      made_sink = ValueOrRaise(python::MakePythonSink(
          python_sink->name, ToOptions(sink_options), sink_config));
    } else {
      made_sink = ValueOrRaise(runtime.sinks().Create(sink, ToOptions(sink_options)));
    }
    python::PythonSourceConfig config;
    if (source.pickled_class) {
      config.supervisor = &runtime.Service<python::WorkerSupervisor>();
      config.python = source.python;
      config.python_path = source.python_path;
      config.schema_ddl = source.schema_ddl;
      config.pickled_class.assign(source.pickled_class->c_str(),
                                  source.pickled_class->size());
    }
    Result<StreamingQueryPtr> started = Status::Internal("not started");
    {
      // Opening a Python source waits on its worker, and onQueryStarted listeners take
      // the GIL on this thread.
      nb::gil_scoped_release release;
      started = StartReleased(runtime, source, config, std::move(made_sink),
                              std::move(schema), std::move(options));
    }
    return std::make_shared<Query>(ValueOrRaise(std::move(started)));
  }

  std::vector<std::string> active_ids() {
    std::vector<std::string> ids;
    for (const auto& query : Live().streams().active()) ids.push_back(query->id());
    return ids;
  }

  // None on timeout; once a query terminated since the last reset, (code, message) of
  // the failure of one that failed, or ("OK", "").
  std::optional<std::pair<std::string, std::string>> await_any_termination(
      std::optional<double> timeout_seconds) {
    StreamingQueryManager& streams = Live().streams();
    Status failure;
    const bool done =
        WaitCheckingSignals(timeout_seconds, [&](std::chrono::milliseconds slice) {
          auto result = streams.awaitAnyTermination(slice);
          if (!result.ok()) failure = result.status();
          return !result.ok() || *result;
        });
    if (!done) return std::nullopt;
    return std::make_pair(std::string(CodeName(failure.code())), failure.message());
  }

  void reset_terminated() { Live().streams().resetTerminated(); }

  // Registers a Python listener target; returns the handle remove_listener takes.
  int64_t add_listener(nb::object target) {
    auto listener = MakePythonListener(std::move(target));
    Live().streams().addListener(listener);
    listeners_[next_listener_] = std::move(listener);
    return next_listener_++;
  }
  void remove_listener(int64_t handle) {
    auto it = listeners_.find(handle);
    if (it == listeners_.end()) return;
    Live().streams().removeListener(it->second);
    {
      // The listener's last reference may go on the listener thread, which takes the GIL.
      nb::gil_scoped_release release;
      listeners_.erase(it);
    }
  }

 private:
  Runtime& Live() {
    if (!runtime_) Raise(Status::InvalidArgument("the session has been stopped"));
    return *runtime_;
  }

  static Result<StreamingQueryPtr> StartReleased(Runtime& runtime,
                                                 const SourceArgs& source,
                                                 const python::PythonSourceConfig& config,
                                                 std::unique_ptr<Sink> sink,
                                                 std::optional<Schema> schema,
                                                 QueryOptions options) {
    const Options source_options = ToOptions(source.options);
    std::unique_ptr<DataSource> opened;
    if (config.supervisor != nullptr) {
      RIVULET_ASSIGN_OR_RETURN(
          opened, python::OpenPythonSource(source.name, source_options, config));
    } else {
      RIVULET_ASSIGN_OR_RETURN(opened,
                               runtime.sources().Create(source.name, source_options));
    }
    return runtime.streams().Start(std::move(opened), std::move(sink), std::move(schema),
                                   std::move(options));
  }

  std::shared_ptr<Runtime> runtime_;
  std::map<int64_t, std::shared_ptr<StreamingQueryListener>> listeners_;
  int64_t next_listener_ = 1;
};

ipc::ReadResult ReadIpc(const nb::bytes& data) {
  auto bytes = std::make_shared<const std::string>(data.c_str(), data.size());
  return ValueOrRaise(ipc::ReadAny(bytes));
}

// Dataset.show()'s table for Arrow IPC streams of one schema.
std::string FormatStreams(const std::vector<nb::bytes>& streams, int64_t num_rows,
                          int truncate) {
  if (streams.empty()) return FormatTable(Schema{}, {}, num_rows, truncate);
  std::shared_ptr<const Schema> schema;
  std::vector<RecordBatchPtr> batches;
  for (const auto& stream : streams) {
    ipc::ReadResult read = ReadIpc(stream);
    schema = read.schema;
    batches.insert(batches.end(), read.batches.begin(), read.batches.end());
  }
  return FormatTable(*schema, batches, num_rows, truncate);
}

// An Arrow IPC file (or stream) as one stream: what the batch DataFrame holds.
nb::bytes ToStream(const nb::bytes& data) {
  ipc::ReadResult read = ReadIpc(data);
  std::string stream = ValueOrRaise(ipc::WriteStream(*read.schema, read.batches));
  return nb::bytes(stream.data(), stream.size());
}

// The schema, as DDL, of a built-in source with these options.
std::string BuiltinSchema(const std::string& name, const StringMap& options) {
  std::unique_ptr<DataSource> source =
      ValueOrRaise(DefaultRuntime().sources().Create(name, ToOptions(options)));
  return ValueOrRaise(source->schema()).ToDdl();
}

// The data files a file sink committed to `dir`, by its _spark_metadata log.
std::vector<std::string> CommittedFiles(const std::string& dir) {
  return ValueOrRaise(FileSinkLog::ReadCommittedFiles(dir));
}

}  // namespace
}  // namespace rivulet::frontend

NB_MODULE(_engine, m) {
  using namespace rivulet::frontend;
  m.attr("version") = RIVULET_VERSION;

  nb::class_<SourceArgs>(m, "SourceArgs")
      .def(nb::init<>())
      .def_rw("name", &SourceArgs::name)
      .def_rw("options", &SourceArgs::options)
      .def_rw("pickled_class", &SourceArgs::pickled_class)
      .def_rw("python", &SourceArgs::python)
      .def_rw("python_path", &SourceArgs::python_path)
      .def_rw("schema_ddl", &SourceArgs::schema_ddl);

  nb::class_<ArrowBatches>(m, "Batches")
      .def_prop_ro("num_rows", &ArrowBatches::num_rows)
      .def("ipc", &BatchesAsIpc)
      .def("__arrow_c_stream__", &ArrowCStream, "requested_schema"_a = nb::none());

  nb::class_<Query>(m, "Query")
      .def_prop_ro("id", &Query::id)
      .def_prop_ro("run_id", &Query::run_id)
      .def_prop_ro("name", &Query::name)
      .def_prop_ro("is_active", &Query::is_active)
      .def("status", &Query::status)
      .def("await_termination", &Query::await_termination, "timeout"_a = nb::none())
      .def("process_all_available", &Query::process_all_available,
           "timeout"_a = nb::none())
      .def("request_stop", &Query::request_stop)
      .def("stop", &Query::stop)
      .def("exception", &Query::exception)
      .def("recent_progress", &Query::recent_progress)
      .def("last_progress", &Query::last_progress);

  nb::class_<Engine>(m, "Engine")
      .def(nb::init<int>(), "executor_threads"_a = 0)
      .def("shutdown", &Engine::Shutdown)
      .def("start", &Engine::Start, "source"_a, "sink"_a, "sink_options"_a,
           "sink_callback"_a.none(), "checkpoint"_a, "trigger"_a, "name"_a,
           "failure_prefix"_a = "", "sink_reports_rows"_a = true, "max_batches"_a = -1,
           "python_sink"_a.none() = nb::none(), "allow_source_change"_a = false,
           "waits_ms"_a = IntMap())
      .def("active_ids", &Engine::active_ids)
      .def("await_any_termination", &Engine::await_any_termination,
           "timeout"_a = nb::none())
      .def("reset_terminated", &Engine::reset_terminated)
      .def("add_listener", &Engine::add_listener)
      .def("remove_listener", &Engine::remove_listener);

  m.def("format_table", &FormatStreams, "streams"_a, "num_rows"_a, "truncate"_a);
  m.def("to_stream", &ToStream, "data"_a);
  m.def("builtin_schema", &BuiltinSchema, "name"_a, "options"_a);
  m.def("committed_files", &CommittedFiles, "dir"_a);
}
