#include "python/managed_worker.h"

#include "core/json_parse.h"

namespace rivulet::python {

using Json = nlohmann::json;

std::string WorkerGroup::Name() const {
  std::lock_guard lock(mu_);
  return name_;
}

void WorkerGroup::SetName(const std::string& name) {
  std::lock_guard lock(mu_);
  name_ = name;
}

void WorkerGroup::Log(const std::string& line) const {
  LogSink sink = spawn.log_sink ? spawn.log_sink : StderrLogSink();
  sink(SourceLogLine(Name(), line));
}

Result<std::unique_ptr<WorkerProcess>> WorkerGroup::SpawnWorker() const {
  WorkerSpawnOptions options = spawn;
  options.python = supervisor->ResolveInterpreter(configured_python);
  options.label = Name();
  return supervisor->Start(options);
}

Result<Json> ParseReplyJson(const std::string& text, const char* what) {
  auto parsed = core::ParseJson(text);
  if (!parsed.ok()) {
    return Status::Internal(std::string("python worker's ") + what +
                            " reply is not JSON: " + parsed.status().message());
  }
  return std::move(*parsed);
}

Status CheckFieldCount(const std::vector<std::string>& reply, size_t n, FunctionId id) {
  if (reply.size() == n) return Status::OK();
  return Status::Internal("python worker replied to " + std::string(FunctionName(id)) +
                          " with " + std::to_string(reply.size()) + " fields, expected " +
                          std::to_string(n));
}

Result<std::unique_ptr<ManagedWorker>> ManagedWorker::Start(
    std::shared_ptr<WorkerGroup> group, const Json& init_config, Json* init_reply) {
  auto worker = std::unique_ptr<ManagedWorker>(new ManagedWorker(std::move(group)));
  Result<Json> reply = worker->Init(init_config);
  // A worker lost while it starts is restarted like one lost later, on the same budget.
  while (!reply.ok() && reply.status().code() == StatusCode::kWorkerLost) {
    RIVULET_RETURN_NOT_OK(worker->TakeRestart(reply.status()));
    reply = worker->Init(init_config);
  }
  if (!reply.ok()) return reply.status();
  if (init_reply != nullptr) *init_reply = std::move(*reply);
  return worker;
}

Result<std::vector<std::string>> ManagedWorker::CallAndReplayOnRestart(
    FunctionId id, const std::vector<std::string>& fields) {
  RIVULET_ASSIGN_OR_RETURN(auto reply, Call(id, fields));
  setup_.emplace_back(id, fields);
  return reply;
}

Result<std::vector<std::string>> ManagedWorker::Call(
    FunctionId id, const std::vector<std::string>& fields) {
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

Result<std::vector<std::string>> ManagedWorker::Call(
    FunctionId id, const std::vector<std::string>& fields, size_t n) {
  RIVULET_ASSIGN_OR_RETURN(auto reply, Call(id, fields));
  RIVULET_RETURN_NOT_OK(CheckFieldCount(reply, n, id));
  return reply;
}

Result<Json> ManagedWorker::Init(const Json& config) {
  RIVULET_ASSIGN_OR_RETURN(process_, group_->SpawnWorker());
  std::vector<std::string> fields = {config.dump()};
  if (!group_->pickled_class.empty()) fields.push_back(group_->pickled_class);
  auto reply = process_->Call(FunctionId::kInit, std::move(fields));
  if (!reply.ok()) {
    process_.reset();
    return reply.status();
  }
  RIVULET_RETURN_NOT_OK(CheckFieldCount(*reply, 1, FunctionId::kInit));
  return ParseReplyJson((*reply)[0], "init");
}

Status ManagedWorker::TakeRestart(const Status& lost) {
  int used = group_->restarts_used.fetch_add(1) + 1;
  if (used > group_->max_restarts) {
    group_->restarts_used.fetch_sub(1);
    return Status::WorkerLost(lost.message() + " (no restarts left: " +
                              std::to_string(group_->max_restarts) + " allowed)");
  }
  group_->Log(lost.message() + "; restarting it (restart " + std::to_string(used) +
              " of " + std::to_string(group_->max_restarts) + ")");
  return Status::OK();
}

Status ManagedWorker::Restart(Status& lost) {
  RIVULET_RETURN_NOT_OK(TakeRestart(lost));
  process_.reset();
  auto init = Init(group_->init_config);
  if (!init.ok()) {
    if (init.status().code() != StatusCode::kWorkerLost) {
      return init.status().WithContext("restarting the python worker");
    }
    lost = init.status();
    return Status::OK();
  }
  for (auto& [id, fields] : setup_) {
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

WorkerPool::WorkerPool(std::shared_ptr<WorkerGroup> group,
                       std::pair<FunctionId, std::vector<std::string>> setup, int size)
    : group_(std::move(group)), setup_(std::move(setup)), size_(size) {}

Result<std::vector<std::string>> WorkerPool::Call(FunctionId id,
                                                  const std::vector<std::string>& fields,
                                                  size_t n) {
  RIVULET_ASSIGN_OR_RETURN(std::unique_ptr<ManagedWorker> worker, Acquire());
  auto reply = worker->Call(id, fields, n);
  Release(std::move(worker));
  return reply;
}

Result<std::unique_ptr<ManagedWorker>> WorkerPool::Acquire() {
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
  auto worker = ManagedWorker::Start(group_, group_->init_config, nullptr);
  if (worker.ok()) {
    auto set_up = (*worker)->CallAndReplayOnRestart(setup_.first, setup_.second);
    if (set_up.ok()) return worker;
    worker = set_up.status();
  }
  std::lock_guard lock(mu_);
  --started_;
  cv_.notify_one();
  return worker.status();
}

void WorkerPool::Release(std::unique_ptr<ManagedWorker> worker) {
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(worker));
  cv_.notify_one();
}

}  // namespace rivulet::python
