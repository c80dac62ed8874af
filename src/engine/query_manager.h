#pragma once

// The runtime's StreamingQueryManager: starts queries on the scheduler, keeps the active
// ones by id, and remembers terminations for awaitAnyTermination.

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>

#include "rivulet/query.h"
#include "rivulet/runtime.h"

namespace rivulet {

class MicroBatchExecution;

class QueryManager final : public StreamingQueryManager {
 public:
  explicit QueryManager(Runtime::Impl* runtime) : runtime_(runtime) {}

  Result<StreamingQueryPtr> Start(std::unique_ptr<DataSource> source,
                                  std::unique_ptr<Sink> sink,
                                  std::optional<Schema> schema,
                                  QueryOptions options) override;
  std::vector<StreamingQueryPtr> active() const override;
  StreamingQueryPtr get(const std::string& id) const override;
  Result<bool> awaitAnyTermination(
      std::optional<std::chrono::milliseconds> timeout) override;
  void resetTerminated() override;
  void StopAll() override;
  void addListener(std::shared_ptr<StreamingQueryListener> listener) override;
  void removeListener(const std::shared_ptr<StreamingQueryListener>& listener) override;

  // Called by a query when it ends, before its waiters wake.
  void OnTerminated(const std::shared_ptr<MicroBatchExecution>& query,
                    const Status& error);

 private:
  Runtime::Impl* const runtime_;
  mutable std::mutex mu_;
  std::condition_variable terminated_cv_;
  std::map<std::string, std::shared_ptr<MicroBatchExecution>> active_;
  // Since the last resetTerminated: whether any query ended, and the first error.
  bool any_terminated_ = false;
  Status first_error_;
};

}  // namespace rivulet
