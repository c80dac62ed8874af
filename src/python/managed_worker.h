#pragma once

// Workers that survive their own death: a ManagedWorker replays its set-up requests on a
// new process when the old one is lost, and retries the call that found it dead, while
// the restart budget its WorkerGroup shares lasts. A WorkerPool lends out up to N such
// workers, made on demand, for calls that may run in parallel (partition reads).
//
// Every call a worker gets is a function of its arguments (offsets, partitions), so a
// retried call on a fresh worker gives the answer the lost one would have.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "python/worker_supervisor.h"
#include "rivulet/status.h"

namespace rivulet::python {

// What every worker of one Python source (or sink) is started with.
//
// The NOLINT: clang-tidy 14 follows nlohmann::json's noexcept default constructor into a
// throw that it cannot reach, so it takes this struct's implicit default constructor for
// one that throws.
struct WorkerGroup {  // NOLINT(bugprone-exception-escape)
  WorkerSupervisor* supervisor = nullptr;
  std::string configured_python;  // before resolution through the supervisor
  WorkerSpawnOptions spawn;       // spawn.python is resolved when a worker starts
  nlohmann::json init_config;     // the INIT request
  std::string pickled_class;      // cloudpickle bytes, or empty
  int max_restarts = 0;
  std::atomic<int> restarts_used{0};

  std::string Name() const;
  void SetName(const std::string& name);
  // Writes a line to the group's log, under its name.
  void Log(const std::string& line) const;
  Result<std::unique_ptr<WorkerProcess>> SpawnWorker() const;

 private:
  mutable std::mutex mu_;
  std::string name_;  // the source's name(); the spec until known
};

class ManagedWorker {
 public:
  // Spawns and initializes a worker with `init_config`; the INIT reply goes to
  // *init_reply when given.
  static Result<std::unique_ptr<ManagedWorker>> Start(std::shared_ptr<WorkerGroup> group,
                                                      const nlohmann::json& init_config,
                                                      nlohmann::json* init_reply);

  // Sends a set-up request (CREATE_READER, prepareForTriggerAvailableNow, ...) and
  // remembers it, so that a restarted worker gets it again, in order.
  Result<std::vector<std::string>> CallAndReplayOnRestart(
      FunctionId id, const std::vector<std::string>& fields);

  // A call that, if the worker is found dead, restarts it (while the group's restart
  // budget lasts) and runs again on the new one.
  Result<std::vector<std::string>> Call(FunctionId id,
                                        const std::vector<std::string>& fields);
  // Call, checking that the reply has `n` fields.
  Result<std::vector<std::string>> Call(FunctionId id,
                                        const std::vector<std::string>& fields, size_t n);

  const std::shared_ptr<WorkerGroup>& group() const { return group_; }

 private:
  explicit ManagedWorker(std::shared_ptr<WorkerGroup> group) : group_(std::move(group)) {}
  Result<nlohmann::json> Init(const nlohmann::json& config);
  // Uses up one restart of the group's budget for `lost` and logs it; WorkerLost naming
  // the budget when none is left.
  Status TakeRestart(const Status& lost);
  // Starts a new worker in place of a lost one and replays its set-up. A worker lost
  // again during the set-up updates `lost` and leaves the next round to the caller, which
  // uses up another restart; any other failure ends the call.
  Status Restart(Status& lost);

  std::shared_ptr<WorkerGroup> group_;
  std::unique_ptr<WorkerProcess> process_;
  std::vector<std::pair<FunctionId, std::vector<std::string>>> setup_;
};

// Up to `size` workers, started on demand, each set up by `setup` (a CREATE_READER).
class WorkerPool {
 public:
  WorkerPool(std::shared_ptr<WorkerGroup> group,
             std::pair<FunctionId, std::vector<std::string>> setup, int size);

  // Runs the call on an idle worker (waiting for one when all `size` are busy).
  Result<std::vector<std::string>> Call(FunctionId id,
                                        const std::vector<std::string>& fields, size_t n);

 private:
  Result<std::unique_ptr<ManagedWorker>> Acquire();
  void Release(std::unique_ptr<ManagedWorker> worker);

  std::shared_ptr<WorkerGroup> group_;
  const std::pair<FunctionId, std::vector<std::string>> setup_;
  const int size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<ManagedWorker>> idle_;
  int started_ = 0;
};

// OK when the reply to `id` has `n` fields; otherwise the Internal error that says so.
Status CheckFieldCount(const std::vector<std::string>& reply, size_t n, FunctionId id);

// Parses a reply field the worker sent as JSON; `what` names it in the error.
Result<nlohmann::json> ParseReplyJson(const std::string& text, const char* what);

}  // namespace rivulet::python
