#include "engine/query_manager.h"

#include "engine/micro_batch_execution.h"
#include "engine/runtime_impl.h"

namespace rivulet {

Result<StreamingQueryPtr> QueryManager::Start(std::unique_ptr<DataSource> source,
                                              std::unique_ptr<Sink> sink,
                                              std::optional<Schema> schema,
                                              QueryOptions options) {
  RIVULET_ASSIGN_OR_RETURN(
      auto query,
      MicroBatchExecution::Create(runtime_, this, std::move(source), std::move(sink),
                                  std::move(schema), std::move(options)));
  {
    std::lock_guard lock(mu_);
    active_[query->id()] = query;
  }
  const auto& who = query->identity();
  runtime_->bus.PostStarted(
      QueryStartedEvent{who.id, who.run_id, who.name, WallMillis()});
  runtime_->scheduler->Add(query, query->blocking());
  return StreamingQueryPtr(query);
}

std::vector<StreamingQueryPtr> QueryManager::active() const {
  std::lock_guard lock(mu_);
  std::vector<StreamingQueryPtr> queries;
  queries.reserve(active_.size());
  for (const auto& [id, query] : active_) queries.push_back(query);
  return queries;
}

StreamingQueryPtr QueryManager::get(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = active_.find(id);
  return it == active_.end() ? nullptr : it->second;
}

Result<bool> QueryManager::awaitAnyTermination(
    std::optional<std::chrono::milliseconds> timeout) {
  std::unique_lock lock(mu_);
  auto ended = [&] { return any_terminated_; };
  if (timeout) {
    if (!terminated_cv_.wait_for(lock, *timeout, ended)) return false;
  } else {
    terminated_cv_.wait(lock, ended);
  }
  if (!first_error_.ok()) return first_error_;
  return true;
}

void QueryManager::resetTerminated() {
  std::lock_guard lock(mu_);
  any_terminated_ = false;
  first_error_ = Status::OK();
}

void QueryManager::StopAll() {
  for (const auto& query : active()) query->RequestStop();
  for (const auto& query : active()) query->Stop();
}

void QueryManager::addListener(std::shared_ptr<StreamingQueryListener> listener) {
  runtime_->bus.Add(std::move(listener));
}

void QueryManager::removeListener(
    const std::shared_ptr<StreamingQueryListener>& listener) {
  runtime_->bus.Remove(listener);
}

void QueryManager::OnTerminated(const std::shared_ptr<MicroBatchExecution>& query,
                                const Status& error) {
  {
    std::lock_guard lock(mu_);
    active_.erase(query->id());
    any_terminated_ = true;
    if (first_error_.ok() && !error.ok()) first_error_ = error;
  }
  terminated_cv_.notify_all();
}

}  // namespace rivulet
