#include "sources/python/python_source.h"

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/json_parse.h"
#include "sources/python/worker_rows.h"

namespace rivulet::python {
namespace {

using Json = nlohmann::json;

std::string PackageDir() {
  if (const char* dir = std::getenv("RIVULET_PYTHON_PACKAGE_DIR");
      dir != nullptr && *dir) {
    return dir;
  }
  return RIVULET_PYTHON_PACKAGE_DIR;
}

// Interpreters as configured -> the sys.executable their first worker reported.
class InterpreterCache {
 public:
  static InterpreterCache& Global() {
    static InterpreterCache* cache = new InterpreterCache;
    return *cache;
  }
  std::string Resolve(const std::string& configured) {
    std::lock_guard lock(mu_);
    auto it = learned_.find(configured);
    return it == learned_.end() ? configured : it->second;
  }
  void Learn(const std::string& configured, const std::string& executable) {
    if (executable.empty() || ::access(executable.c_str(), X_OK) != 0) return;
    std::lock_guard lock(mu_);
    learned_.emplace(configured, executable);
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> learned_;
};

// What every worker of one source is started with; shared by the source and its readers.
struct Session {
  std::string configured_python;  // before resolution through the cache
  WorkerSpawnOptions spawn;       // spawn.python is resolved when a worker starts
  Json init_config;  // the INIT request, with "source" the resolved reference
  std::string pickled_class;
  int max_restarts = 0;
  std::atomic<int> restarts_used{0};

  std::mutex mu;
  std::string name;  // the source's name(); the spec until known

  std::string Name() {
    std::lock_guard lock(mu);
    return name;
  }
  void Log(const std::string& line) {
    LogSink sink = spawn.log_sink ? spawn.log_sink : StderrLogSink();
    sink("[source " + Name() + "] " + line);
  }
  Result<std::unique_ptr<WorkerProcess>> SpawnWorker() {
    WorkerSpawnOptions options = spawn;
    options.python = InterpreterCache::Global().Resolve(configured_python);
    options.label = Name();
    return WorkerProcess::Spawn(options);
  }
};

std::string SpecLabel(const std::string& spec) {
  std::string label = spec;
  if (auto colon = label.rfind(':'); colon != std::string::npos)
    label = label.substr(colon + 1);
  if (label.ends_with(".py")) label = std::filesystem::path(label).stem().string();
  return label;
}

Status ExpectFields(const std::vector<std::string>& fields, size_t n,
                    const char* method) {
  if (fields.size() == n) return Status::OK();
  return Status::Internal("python worker replied to " + std::string(method) + " with " +
                          std::to_string(fields.size()) + " fields, expected " +
                          std::to_string(n));
}

Result<Json> ParseReplyJson(const std::string& text, const char* what) {
  auto parsed = core::ParseJson(text);
  if (!parsed.ok()) {
    return Status::Internal(std::string("python worker's ") + what +
                            " reply is not JSON: " + parsed.status().message());
  }
  return std::move(*parsed);
}

// A worker with its set-up requests, which a restart replays: INIT, then CREATE_READER
// and prepareForTriggerAvailableNow once they have been sent.
class ManagedWorker {
 public:
  // Spawns and initializes a worker; with `need_schema` the reply carries the schema.
  static Result<std::unique_ptr<ManagedWorker>> Start(std::shared_ptr<Session> session,
                                                      const Json& init_config,
                                                      Json* init_reply) {
    auto worker = std::unique_ptr<ManagedWorker>(new ManagedWorker(std::move(session)));
    RIVULET_ASSIGN_OR_RETURN(Json reply, worker->Init(init_config));
    if (init_reply != nullptr) *init_reply = std::move(reply);
    return worker;
  }

  // Creates the reader: {"kind": "stream"|"simple", "schema": <Spark JSON>}.
  Result<Json> CreateReader(const std::string& request) {
    RIVULET_ASSIGN_OR_RETURN(auto fields, Call(FunctionId::kCreateReader, {request}));
    RIVULET_RETURN_NOT_OK(ExpectFields(fields, 1, "createReader"));
    create_reader_ = request;
    return ParseReplyJson(fields[0], "createReader");
  }

  Status PrepareForTriggerAvailableNow() {
    RIVULET_RETURN_NOT_OK(Call(FunctionId::kPrepareForTriggerAvailableNow, {}).status());
    prepared_ = true;
    return Status::OK();
  }

  // A call that, if the worker is found dead, restarts it (while the source's restart
  // budget lasts) and runs again on the new one.
  Result<std::vector<std::string>> Call(FunctionId id,
                                        const std::vector<std::string>& fields) {
    Status lost;
    while (true) {
      if (process_ != nullptr) {
        auto reply = process_->Call(id, fields);
        if (reply.ok() || reply.status().code() != StatusCode::kWorkerLost) return reply;
        lost = reply.status();
        // stop() on a dead worker has nothing left to stop.
        if (id == FunctionId::kStop) return lost;
      }
      RIVULET_RETURN_NOT_OK(Restart(lost));
    }
  }

 private:
  explicit ManagedWorker(std::shared_ptr<Session> session)
      : session_(std::move(session)) {}

  Result<Json> Init(const Json& config) {
    RIVULET_ASSIGN_OR_RETURN(process_, session_->SpawnWorker());
    std::vector<std::string> fields = {config.dump()};
    if (!session_->pickled_class.empty()) fields.push_back(session_->pickled_class);
    auto reply = process_->Call(FunctionId::kInit, std::move(fields));
    if (!reply.ok()) {
      process_.reset();
      return reply.status();
    }
    RIVULET_RETURN_NOT_OK(ExpectFields(*reply, 1, "init"));
    return ParseReplyJson((*reply)[0], "init");
  }

  // Starts a new worker in place of a lost one and replays its set-up. A worker lost
  // again during the set-up updates `lost` and leaves the next round to the caller, which
  // uses up another restart; any other failure ends the call.
  Status Restart(Status& lost) {
    int used = session_->restarts_used.fetch_add(1) + 1;
    if (used > session_->max_restarts) {
      session_->restarts_used.fetch_sub(1);
      return Status::WorkerLost(lost.message() + " (no restarts left: " +
                                std::to_string(session_->max_restarts) + " allowed)");
    }
    session_->Log(lost.message() + "; restarting it (restart " + std::to_string(used) +
                  " of " + std::to_string(session_->max_restarts) + ")");
    process_.reset();
    auto init = Init(session_->init_config);
    if (!init.ok()) {
      if (init.status().code() != StatusCode::kWorkerLost) {
        return init.status().WithContext("restarting the python worker");
      }
      lost = init.status();
      return Status::OK();
    }
    std::vector<std::pair<FunctionId, std::vector<std::string>>> replay;
    if (create_reader_) replay.push_back({FunctionId::kCreateReader, {*create_reader_}});
    if (prepared_) replay.push_back({FunctionId::kPrepareForTriggerAvailableNow, {}});
    for (auto& [id, fields] : replay) {
      auto reply = process_->Call(id, fields);
      if (reply.ok()) continue;
      if (reply.status().code() != StatusCode::kWorkerLost) {
        return reply.status().WithContext("restarting the python worker");
      }
      lost = reply.status();
      return Status::OK();
    }
    return Status::OK();
  }

  std::shared_ptr<Session> session_;
  std::unique_ptr<WorkerProcess> process_;
  std::optional<std::string> create_reader_;
  bool prepared_ = false;
};

Result<Offset> OffsetFromReply(const std::string& text, const char* method) {
  auto offset = Offset::FromText(text);
  if (!offset.ok()) {
    return Status::Internal("python worker sent an offset from " + std::string(method) +
                            " that is not JSON: " + offset.status().message());
  }
  return offset;
}

// A partition as the planning worker pickled it.
class PythonInputPartition : public InputPartition {
 public:
  explicit PythonInputPartition(std::string pickled) : pickled_(std::move(pickled)) {}
  const std::string& pickled() const { return pickled_; }

 private:
  std::string pickled_;
};

// Read workers for partitioned readers, started on demand up to `size`.
class ReadWorkerPool {
 public:
  ReadWorkerPool(std::shared_ptr<Session> session, std::string create_reader, int size)
      : session_(std::move(session)),
        create_reader_(std::move(create_reader)),
        size_(size) {}

  Result<std::vector<std::string>> Call(FunctionId id,
                                        const std::vector<std::string>& fields) {
    RIVULET_ASSIGN_OR_RETURN(std::unique_ptr<ManagedWorker> worker, Acquire());
    auto reply = worker->Call(id, fields);
    Release(std::move(worker));
    return reply;
  }

 private:
  Result<std::unique_ptr<ManagedWorker>> Acquire() {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return !idle_.empty() || started_ < size_; });
      if (!idle_.empty()) {
        auto worker = std::move(idle_.back());
        idle_.pop_back();
        return worker;
      }
      ++started_;
    }
    auto worker = ManagedWorker::Start(session_, session_->init_config, nullptr);
    if (worker.ok()) {
      auto created = (*worker)->CreateReader(create_reader_);
      if (created.ok()) return worker;
      worker = created.status();
    }
    std::lock_guard lock(mu_);
    --started_;
    cv_.notify_one();
    return worker.status();
  }

  void Release(std::unique_ptr<ManagedWorker> worker) {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(worker));
    cv_.notify_one();
  }

  std::shared_ptr<Session> session_;
  const std::string create_reader_;
  const int size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<ManagedWorker>> idle_;
  int started_ = 0;
};

class PythonStreamReader : public StreamReader {
 public:
  PythonStreamReader(std::shared_ptr<Session> session,
                     std::unique_ptr<ManagedWorker> planner, Schema schema,
                     std::string create_reader, ReadLimit default_limit,
                     bool available_now, int read_workers)
      : session_(std::move(session)),
        planner_(std::move(planner)),
        schema_(std::move(schema)),
        default_limit_(default_limit),
        available_now_(available_now),
        pool_(session_, std::move(create_reader), read_workers) {}

  Result<Offset> InitialOffset() override {
    RIVULET_ASSIGN_OR_RETURN(auto fields, planner_->Call(FunctionId::kInitialOffset, {}));
    RIVULET_RETURN_NOT_OK(ExpectFields(fields, 1, "initialOffset"));
    return OffsetFromReply(fields[0], "initialOffset");
  }

  Result<Offset> LatestOffset(const Offset& start, const ReadLimit& limit) override {
    RIVULET_ASSIGN_OR_RETURN(auto fields, planner_->Call(FunctionId::kLatestOffset,
                                                         {start.text(), limit.ToJson()}));
    RIVULET_RETURN_NOT_OK(ExpectFields(fields, 1, "latestOffset"));
    return OffsetFromReply(fields[0], "latestOffset");
  }

  ReadLimit DefaultReadLimit() override { return default_limit_; }

  Result<Offset> ReportLatestOffset() override {
    RIVULET_ASSIGN_OR_RETURN(auto fields,
                             planner_->Call(FunctionId::kReportLatestOffset, {}));
    if (fields.empty()) return Offset();
    RIVULET_RETURN_NOT_OK(ExpectFields(fields, 1, "reportLatestOffset"));
    return OffsetFromReply(fields[0], "reportLatestOffset");
  }

  Result<std::vector<InputPartitionPtr>> Partitions(const Offset& start,
                                                    const Offset& end) override {
    RIVULET_ASSIGN_OR_RETURN(
        auto fields, planner_->Call(FunctionId::kPartitions, {start.text(), end.text()}));
    std::vector<InputPartitionPtr> partitions;
    partitions.reserve(fields.size());
    for (std::string& pickled : fields) {
      partitions.push_back(std::make_shared<PythonInputPartition>(std::move(pickled)));
    }
    return partitions;
  }

  Result<std::vector<RecordBatchPtr>> Read(const InputPartition& partition) override {
    auto* python = dynamic_cast<const PythonInputPartition*>(&partition);
    if (python == nullptr) {
      return Status::InvalidArgument(
          "source '" + session_->Name() +
          "': Read was given a partition this source did not plan");
    }
    RIVULET_ASSIGN_OR_RETURN(auto fields,
                             pool_.Call(FunctionId::kReadPartition, {python->pickled()}));
    RIVULET_RETURN_NOT_OK(ExpectFields(fields, 1, "read"));
    return DecodeWorkerRows(std::move(fields[0]), schema_, session_->Name(), "read");
  }

  Status Commit(const Offset& end) override {
    return planner_->Call(FunctionId::kCommit, {end.text()}).status();
  }

  Status Stop() override { return planner_->Call(FunctionId::kStop, {}).status(); }

  bool SupportsTriggerAvailableNow() const override { return available_now_; }

  Status PrepareForTriggerAvailableNow() override {
    return planner_->PrepareForTriggerAvailableNow();
  }

 private:
  std::shared_ptr<Session> session_;
  std::unique_ptr<ManagedWorker> planner_;
  const Schema schema_;
  const ReadLimit default_limit_;
  const bool available_now_;
  ReadWorkerPool pool_;
};

class PythonSimpleStreamReader : public SimpleStreamReader {
 public:
  PythonSimpleStreamReader(std::shared_ptr<Session> session,
                           std::unique_ptr<ManagedWorker> worker, Schema schema,
                           bool available_now)
      : session_(std::move(session)),
        worker_(std::move(worker)),
        schema_(std::move(schema)),
        available_now_(available_now) {}

  Result<Offset> InitialOffset() override {
    RIVULET_ASSIGN_OR_RETURN(auto fields, worker_->Call(FunctionId::kInitialOffset, {}));
    RIVULET_RETURN_NOT_OK(ExpectFields(fields, 1, "initialOffset"));
    return OffsetFromReply(fields[0], "initialOffset");
  }

  Result<ReadResult> Read(const Offset& start) override {
    RIVULET_ASSIGN_OR_RETURN(auto fields,
                             worker_->Call(FunctionId::kSimpleRead, {start.text()}));
    RIVULET_RETURN_NOT_OK(ExpectFields(fields, 2, "read"));
    ReadResult result;
    RIVULET_ASSIGN_OR_RETURN(result.end, OffsetFromReply(fields[0], "read"));
    RIVULET_ASSIGN_OR_RETURN(
        result.batches,
        DecodeWorkerRows(std::move(fields[1]), schema_, session_->Name(), "read"));
    return result;
  }

  Result<std::vector<RecordBatchPtr>> ReadBetweenOffsets(const Offset& start,
                                                         const Offset& end) override {
    RIVULET_ASSIGN_OR_RETURN(auto fields, worker_->Call(FunctionId::kReadBetweenOffsets,
                                                        {start.text(), end.text()}));
    RIVULET_RETURN_NOT_OK(ExpectFields(fields, 1, "readBetweenOffsets"));
    return DecodeWorkerRows(std::move(fields[0]), schema_, session_->Name(),
                            "readBetweenOffsets");
  }

  Status Commit(const Offset& end) override {
    return worker_->Call(FunctionId::kCommit, {end.text()}).status();
  }

  bool SupportsTriggerAvailableNow() const override { return available_now_; }

  Status PrepareForTriggerAvailableNow() override {
    return worker_->PrepareForTriggerAvailableNow();
  }

 private:
  std::shared_ptr<Session> session_;
  std::unique_ptr<ManagedWorker> worker_;
  const Schema schema_;
  const bool available_now_;
};

class PythonDataSource : public DataSource {
 public:
  PythonDataSource(Options options, std::shared_ptr<Session> session,
                   std::unique_ptr<ManagedWorker> planner, Schema schema,
                   int read_workers)
      : DataSource(std::move(options)),
        session_(std::move(session)),
        planner_(std::move(planner)),
        schema_(std::move(schema)),
        read_workers_(read_workers) {}

  std::string name() const override { return session_->Name(); }
  Result<Schema> schema() override { return schema_; }

  Result<std::unique_ptr<StreamReader>> streamReader(const Schema& schema) override {
    std::string request =
        Json{{"kind", "stream"}, {"schema", schema.ToSparkJson()}}.dump();
    RIVULET_ASSIGN_OR_RETURN(auto created, CreateReader(request));
    auto& [worker, reply] = created;
    ReadLimit limit;
    if (auto it = reply.find("default_read_limit"); it != reply.end()) {
      auto parsed = ReadLimit::FromJson(it->dump());
      if (!parsed.ok()) {
        return parsed.status().WithContext("source '" + session_->Name() +
                                           "': getDefaultReadLimit");
      }
      limit = *parsed;
    }
    return std::unique_ptr<StreamReader>(
        new PythonStreamReader(session_, std::move(worker), schema, request, limit,
                               reply.value("available_now", false), read_workers_));
  }

  Result<std::unique_ptr<SimpleStreamReader>> simpleStreamReader(
      const Schema& schema) override {
    std::string request =
        Json{{"kind", "simple"}, {"schema", schema.ToSparkJson()}}.dump();
    RIVULET_ASSIGN_OR_RETURN(auto created, CreateReader(request));
    auto& [worker, reply] = created;
    return std::unique_ptr<SimpleStreamReader>(new PythonSimpleStreamReader(
        session_, std::move(worker), schema, reply.value("available_now", false)));
  }

 private:
  // The first reader takes over the planning worker; a source asked for more readers gets
  // a new worker for each. A reader kind the source does not implement leaves the worker
  // free for the other kind.
  Result<std::pair<std::unique_ptr<ManagedWorker>, Json>> CreateReader(
      const std::string& request) {
    std::unique_ptr<ManagedWorker> worker = std::move(planner_);
    if (worker == nullptr) {
      RIVULET_ASSIGN_OR_RETURN(
          worker, ManagedWorker::Start(session_, session_->init_config, nullptr));
    }
    auto reply = worker->CreateReader(request);
    if (!reply.ok()) {
      planner_ = std::move(worker);
      return reply.status();
    }
    return std::make_pair(std::move(worker), std::move(*reply));
  }

  std::shared_ptr<Session> session_;
  std::unique_ptr<ManagedWorker> planner_;
  const Schema schema_;
  const int read_workers_;
};

std::string FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return "";
  std::string_view rest(path);
  while (true) {
    auto colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) {
      return std::filesystem::absolute(candidate).lexically_normal().string();
    }
    if (colon == std::string_view::npos) return "";
    rest.remove_prefix(colon + 1);
  }
}

}  // namespace

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

bool LooksLikePythonSourceSpec(const std::string& spec) {
  return spec.find(':') != std::string::npos || spec.ends_with(".py");
}

Result<std::unique_ptr<DataSource>> OpenPythonSource(const std::string& spec,
                                                     const Options& options,
                                                     const PythonSourceConfig& config) {
  auto session = std::make_shared<Session>();
  session->configured_python =
      config.python.empty() ? DefaultPythonInterpreter() : config.python;
  session->spawn.python_path = {PackageDir()};
  session->spawn.log_sink = config.log_sink;
  session->pickled_class = config.pickled_class;
  session->max_restarts = config.max_worker_restarts;
  session->name = SpecLabel(spec);

  // A file given relative to the engine's directory means the same to every worker.
  std::string source = spec;
  if (auto colon = spec.rfind(':'); colon != std::string::npos) {
    std::string location = spec.substr(0, colon);
    if (location.ends_with(".py") || location.find('/') != std::string::npos) {
      source = std::filesystem::absolute(location).lexically_normal().string() +
               spec.substr(colon);
    }
  } else if (spec.ends_with(".py")) {
    source = std::filesystem::absolute(spec).lexically_normal().string();
  }
  Json option_map = Json::object();
  for (const auto& [key, value] : options.entries()) option_map[key] = value;
  Json python_path = Json::array();
  for (const std::string& dir : config.python_path) {
    python_path.push_back(std::filesystem::absolute(dir).lexically_normal().string());
  }
  Json init = {{"source", source},
               {"options", option_map},
               {"python_path", python_path},
               {"need_schema", !config.schema_ddl.has_value()}};

  Json reply;
  RIVULET_ASSIGN_OR_RETURN(auto planner, ManagedWorker::Start(session, init, &reply));
  if (!reply.contains("name") || !reply["name"].is_string()) {
    return Status::Internal("python worker's init reply has no name: " + reply.dump());
  }
  {
    std::lock_guard lock(session->mu);
    session->name = reply["name"].get<std::string>();
  }
  if (reply.contains("executable") && reply["executable"].is_string()) {
    InterpreterCache::Global().Learn(session->configured_python,
                                     reply["executable"].get<std::string>());
  }
  // Later workers (readers, restarts) load the class the planner found, without a search,
  // and do not compute the schema again.
  init["need_schema"] = false;
  if (reply.contains("reference") && reply["reference"].is_string()) {
    init["source"] = reply["reference"];
  }
  session->init_config = init;

  Schema schema;
  const std::string context = "source '" + session->Name() + "'";
  if (config.schema_ddl) {
    auto parsed = ParseDdl(*config.schema_ddl);
    if (!parsed.ok()) return parsed.status().WithContext(context + ": --schema");
    schema = std::move(*parsed);
  } else if (reply.contains("schema_ddl")) {
    auto parsed = ParseDdl(reply["schema_ddl"].get<std::string>());
    if (!parsed.ok()) {
      return Status::UserCodeError(context +
                                   ": schema() returned a DDL string that does not "
                                   "parse: " +
                                   parsed.status().message());
    }
    schema = std::move(*parsed);
  } else if (reply.contains("schema_json")) {
    auto parsed = Schema::FromSparkJson(reply["schema_json"].get<std::string>());
    if (!parsed.ok()) return parsed.status().WithContext(context + ": schema()");
    schema = std::move(*parsed);
  } else {
    return Status::Internal("python worker's init reply has no schema: " + reply.dump());
  }

  int read_workers =
      config.read_workers > 0
          ? config.read_workers
          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::unique_ptr<DataSource>(new PythonDataSource(
      options, std::move(session), std::move(planner), std::move(schema), read_workers));
}

}  // namespace rivulet::python
