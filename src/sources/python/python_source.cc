#include "sources/python/python_source.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "python/managed_worker.h"
#include "python/planning_worker.h"
#include "python/worker_rows.h"

namespace rivulet::python {
namespace {

using Json = nlohmann::json;

Result<Offset> OffsetFromReply(const std::string& text, FunctionId id) {
  auto offset = Offset::FromText(text);
  if (!offset.ok()) {
    return Status::Internal("python worker sent an offset from " +
                            std::string(FunctionName(id)) +
                            " that is not JSON: " + offset.status().message());
  }
  return offset;
}

// The calls a reader proxy makes, each one round trip to its worker whose reply is
// checked: an offset, rows, or nothing.
class ReaderCalls {
 public:
  explicit ReaderCalls(std::unique_ptr<ManagedWorker> worker, Schema schema)
      : worker_(std::move(worker)), schema_(std::move(schema)) {}

  Result<rivulet::Offset> OffsetOf(FunctionId id,
                                   const std::vector<std::string>& fields = {}) {
    RIVULET_ASSIGN_OR_RETURN(auto reply, worker_->Call(id, fields, 1));
    return OffsetFromReply(reply[0], id);
  }
  Status Nothing(FunctionId id, const std::vector<std::string>& fields = {}) {
    return worker_->Call(id, fields).status();
  }
  Result<std::vector<RecordBatchPtr>> Rows(std::string bytes, FunctionId id) const {
    return DecodeWorkerRows(std::move(bytes), schema_, worker_->group()->Name(),
                            FunctionName(id));
  }
  ManagedWorker& worker() { return *worker_; }
  WorkerGroup& group() { return *worker_->group(); }

 private:
  std::unique_ptr<ManagedWorker> worker_;
  const Schema schema_;
};

// A partition as the planning worker pickled it.
class PythonInputPartition : public InputPartition {
 public:
  explicit PythonInputPartition(std::string pickled) : pickled_(std::move(pickled)) {}
  const std::string& pickled() const { return pickled_; }

 private:
  std::string pickled_;
};

class PythonStreamReader : public StreamReader {
 public:
  PythonStreamReader(std::unique_ptr<ManagedWorker> planner, Schema schema,
                     std::string create_reader, ReadLimit default_limit,
                     bool available_now, int read_workers)
      : calls_(std::move(planner), std::move(schema)),
        default_limit_(default_limit),
        available_now_(available_now),
        pool_(calls_.worker().group(),
              {FunctionId::kCreateReader, {std::move(create_reader)}}, read_workers) {}

  Result<Offset> InitialOffset() override {
    return calls_.OffsetOf(FunctionId::kInitialOffset);
  }
  // The worker answers LATEST_OFFSET with the offset and then what reportLatestOffset()
  // reports (nothing if it reports nothing), since the engine asks for both in a row; the
  // report waits here for ReportLatestOffset.
  Result<Offset> LatestOffset(const Offset& start, const ReadLimit& limit) override {
    reported_.reset();
    RIVULET_ASSIGN_OR_RETURN(
        auto reply,
        calls_.worker().Call(FunctionId::kLatestOffset, {start.text(), limit.ToJson()}));
    if (reply.empty() || reply.size() > 2) {
      RIVULET_RETURN_NOT_OK(CheckFieldCount(reply, 1, FunctionId::kLatestOffset));
    }
    RIVULET_ASSIGN_OR_RETURN(Offset latest,
                             OffsetFromReply(reply[0], FunctionId::kLatestOffset));
    reported_ = Offset();
    if (reply.size() == 2) {
      RIVULET_ASSIGN_OR_RETURN(
          *reported_, OffsetFromReply(reply[1], FunctionId::kReportLatestOffset));
    }
    return latest;
  }
  ReadLimit DefaultReadLimit() override { return default_limit_; }

  Result<Offset> ReportLatestOffset() override {
    if (reported_) {
      Offset reported = std::move(*reported_);
      reported_.reset();
      return reported;
    }
    // Not asked with a LatestOffset just before: a call of its own. An empty reply: the
    // source does not report one.
    RIVULET_ASSIGN_OR_RETURN(auto reply,
                             calls_.worker().Call(FunctionId::kReportLatestOffset, {}));
    if (reply.empty()) return Offset();
    RIVULET_RETURN_NOT_OK(CheckFieldCount(reply, 1, FunctionId::kReportLatestOffset));
    return OffsetFromReply(reply[0], FunctionId::kReportLatestOffset);
  }

  Result<std::vector<InputPartitionPtr>> Partitions(const Offset& start,
                                                    const Offset& end) override {
    RIVULET_ASSIGN_OR_RETURN(
        auto fields,
        calls_.worker().Call(FunctionId::kPartitions, {start.text(), end.text()}));
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
          "source '" + calls_.group().Name() +
          "': Read was given a partition this source did not plan");
    }
    RIVULET_ASSIGN_OR_RETURN(
        auto reply, pool_.Call(FunctionId::kReadPartition, {python->pickled()}, 1));
    return calls_.Rows(std::move(reply[0]), FunctionId::kReadPartition);
  }

  Status Commit(const Offset& end) override {
    return calls_.Nothing(FunctionId::kCommit, {end.text()});
  }
  Status Stop() override { return calls_.Nothing(FunctionId::kStop); }
  bool SupportsTriggerAvailableNow() const override { return available_now_; }
  Status PrepareForTriggerAvailableNow() override {
    return calls_.worker()
        .CallAndReplayOnRestart(FunctionId::kPrepareForTriggerAvailableNow, {})
        .status();
  }

 private:
  ReaderCalls calls_;
  const ReadLimit default_limit_;
  const bool available_now_;
  WorkerPool pool_;
  std::optional<Offset> reported_;  // the last LatestOffset's report, until taken
};

class PythonSimpleStreamReader : public SimpleStreamReader {
 public:
  PythonSimpleStreamReader(std::unique_ptr<ManagedWorker> worker, Schema schema,
                           bool available_now)
      : calls_(std::move(worker), std::move(schema)), available_now_(available_now) {}

  Result<Offset> InitialOffset() override {
    return calls_.OffsetOf(FunctionId::kInitialOffset);
  }

  Result<ReadResult> Read(const Offset& start) override {
    RIVULET_ASSIGN_OR_RETURN(
        auto reply, calls_.worker().Call(FunctionId::kSimpleRead, {start.text()}, 2));
    ReadResult result;
    RIVULET_ASSIGN_OR_RETURN(result.end,
                             OffsetFromReply(reply[0], FunctionId::kSimpleRead));
    RIVULET_ASSIGN_OR_RETURN(result.batches,
                             calls_.Rows(std::move(reply[1]), FunctionId::kSimpleRead));
    return result;
  }

  Result<std::vector<RecordBatchPtr>> ReadBetweenOffsets(const Offset& start,
                                                         const Offset& end) override {
    RIVULET_ASSIGN_OR_RETURN(auto reply,
                             calls_.worker().Call(FunctionId::kReadBetweenOffsets,
                                                  {start.text(), end.text()}, 1));
    return calls_.Rows(std::move(reply[0]), FunctionId::kReadBetweenOffsets);
  }

  Status Commit(const Offset& end) override {
    return calls_.Nothing(FunctionId::kCommit, {end.text()});
  }
  bool SupportsTriggerAvailableNow() const override { return available_now_; }
  Status PrepareForTriggerAvailableNow() override {
    return calls_.worker()
        .CallAndReplayOnRestart(FunctionId::kPrepareForTriggerAvailableNow, {})
        .status();
  }

 private:
  ReaderCalls calls_;
  const bool available_now_;
};

class PythonDataSource : public DataSource {
 public:
  PythonDataSource(Options options, std::shared_ptr<WorkerGroup> group,
                   std::unique_ptr<ManagedWorker> planner, Schema schema,
                   int read_workers)
      : DataSource(std::move(options)),
        group_(std::move(group)),
        planner_(std::move(planner)),
        schema_(std::move(schema)),
        read_workers_(read_workers) {}

  std::string name() const override { return group_->Name(); }
  Result<Schema> schema() override { return schema_; }
  bool MayBlock() const override { return true; }

  Result<std::unique_ptr<StreamReader>> streamReader(const Schema& schema) override {
    std::string request =
        Json{{"kind", "stream"}, {"schema", schema.ToSparkJson()}}.dump();
    RIVULET_ASSIGN_OR_RETURN(auto created, CreateReader(request));
    auto& [worker, reply] = created;
    ReadLimit limit;
    if (auto it = reply.find("default_read_limit"); it != reply.end()) {
      auto parsed = ReadLimit::FromJson(it->dump());
      if (!parsed.ok()) {
        return parsed.status().WithContext("source '" + group_->Name() +
                                           "': getDefaultReadLimit");
      }
      limit = *parsed;
    }
    return std::unique_ptr<StreamReader>(
        new PythonStreamReader(std::move(worker), schema, request, limit,
                               reply.value("available_now", false), read_workers_));
  }

  Result<std::unique_ptr<SimpleStreamReader>> simpleStreamReader(
      const Schema& schema) override {
    std::string request =
        Json{{"kind", "simple"}, {"schema", schema.ToSparkJson()}}.dump();
    auto created = CreateReader(request);
    if (created.status().code() == StatusCode::kNotFound) {
      // Asked only once streamReader is not implemented either: Spark's error for that.
      return Status::NotFound(
          "[PYTHON_DATA_SOURCE_ERROR] Failed to plan Python data source initialize "
          "source: "
          "source '" +
          group_->Name() +
          "' implements neither streamReader nor simpleStreamReader ([NOT_IMPLEMENTED] "
          "streamReader is not implemented. [NOT_IMPLEMENTED] simpleStreamReader is not "
          "implemented.)");
    }
    if (!created.ok()) return created.status();
    auto& [worker, reply] = *created;
    return std::unique_ptr<SimpleStreamReader>(new PythonSimpleStreamReader(
        std::move(worker), schema, reply.value("available_now", false)));
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
          worker, ManagedWorker::Start(group_, group_->init_config, nullptr));
    }
    auto reply = worker->CallAndReplayOnRestart(FunctionId::kCreateReader, {request});
    if (!reply.ok()) {
      planner_ = std::move(worker);
      return reply.status();
    }
    RIVULET_RETURN_NOT_OK(CheckFieldCount(*reply, 1, FunctionId::kCreateReader));
    RIVULET_ASSIGN_OR_RETURN(Json parsed, ParseReplyJson((*reply)[0], "createReader"));
    return std::make_pair(std::move(worker), std::move(parsed));
  }

  std::shared_ptr<WorkerGroup> group_;
  std::unique_ptr<ManagedWorker> planner_;
  const Schema schema_;
  const int read_workers_;
};

}  // namespace

Result<std::unique_ptr<DataSource>> OpenPythonSource(const std::string& spec,
                                                     const Options& options,
                                                     const PythonSourceConfig& config) {
  RIVULET_ASSIGN_OR_RETURN(
      PlanningWorker planning,
      StartPlanningWorker(spec, options, config, !config.schema_ddl.has_value()));
  auto& [group, planner, reply] = planning;
  Schema schema;
  const std::string context = "source '" + group->Name() + "'";
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
      options, std::move(group), std::move(planner), std::move(schema), read_workers));
}

}  // namespace rivulet::python
