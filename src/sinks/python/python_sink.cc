#include "sinks/python/python_sink.h"

#include <nlohmann/json.hpp>
#include <thread>

#include "ipc/writer.h"
#include "python/managed_worker.h"

namespace rivulet::python {
namespace {

using Json = nlohmann::json;

class PythonSink : public Sink, public StreamWriter {
 public:
  PythonSink(std::string spec, Options options, PythonSinkConfig config)
      : spec_(std::move(spec)),
        options_(std::move(options)),
        config_(std::move(config)) {}

  std::string description() const override {
    return "PythonStreamWriter[" + (group_ != nullptr ? group_->Name() : spec_) + "]";
  }
  bool MayBlock() const override { return true; }
  StreamWriter* stream_writer() override { return this; }

  Status Open(const SinkContext& context) override {
    schema_ = context.schema;
    RIVULET_ASSIGN_OR_RETURN(
        PlanningWorker planning,
        StartPlanningWorker(spec_, options_, config_, /*need_schema=*/false));
    group_ = std::move(planning.group);
    planner_ = std::move(planning.worker);
    const std::string request =
        Json{{"schema", schema_->ToSparkJson()}, {"overwrite", false}}.dump();
    RIVULET_RETURN_NOT_OK(
        planner_->CallAndReplayOnRestart(FunctionId::kCreateWriter, {request}).status());
    const int workers =
        config_.write_workers > 0
            ? config_.write_workers
            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    pool_ = std::make_unique<WorkerPool>(
        group_,
        std::make_pair(FunctionId::kCreateWriter, std::vector<std::string>{request}),
        workers);
    return Status::OK();
  }

  Result<WriterCommitMessage> Write(int64_t batch_id, int partition_id,
                                    const std::vector<RecordBatchPtr>& rows) override {
    RIVULET_ASSIGN_OR_RETURN(std::string stream, ipc::WriteStream(*schema_, rows));
    RIVULET_ASSIGN_OR_RETURN(
        auto reply, pool_->Call(FunctionId::kWrite,
                                {std::to_string(batch_id), std::to_string(partition_id),
                                 std::move(stream)},
                                1));
    return std::move(reply[0]);
  }

  Status Commit(int64_t batch_id,
                const std::vector<WriterCommitMessage>& messages) override {
    std::vector<std::string> fields = {std::to_string(batch_id)};
    fields.insert(fields.end(), messages.begin(), messages.end());
    return planner_->Call(FunctionId::kWriterCommit, fields).status();
  }

  // A partition without a message goes as an empty field: a pickle never is empty.
  Status Abort(int64_t batch_id,
               const std::vector<std::optional<WriterCommitMessage>>& messages) override {
    std::vector<std::string> fields = {std::to_string(batch_id)};
    for (const auto& message : messages) fields.push_back(message.value_or(""));
    return planner_->Call(FunctionId::kWriterAbort, fields).status();
  }

  Status Close() override {
    pool_.reset();
    planner_.reset();
    return Status::OK();
  }

 private:
  const std::string spec_;
  const Options options_;
  const PythonSinkConfig config_;
  std::shared_ptr<const Schema> schema_;
  std::shared_ptr<WorkerGroup> group_;
  std::unique_ptr<ManagedWorker> planner_;
  std::unique_ptr<WorkerPool> pool_;
};

}  // namespace

Result<std::unique_ptr<Sink>> MakePythonSink(const std::string& spec,
                                             const Options& options,
                                             const PythonSinkConfig& config) {
  if (config.supervisor == nullptr) {
    return Status::InvalidArgument("python sink '" + spec + "': no worker supervisor");
  }
  return std::unique_ptr<Sink>(new PythonSink(spec, options, config));
}

}  // namespace rivulet::python
