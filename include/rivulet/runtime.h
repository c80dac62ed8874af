#pragma once

// A Runtime is the one owner of what the queries of a process share: the executors that
// read partitions, the scheduler that runs queries' triggers on a bounded set of threads,
// one block-manager memory budget, the source and sink registries, the listener bus and
// the query manager, and services other layers attach (the Python worker supervisor).
// Destroying it stops its queries first, then its services.
//
// A process may hold several runtimes; DefaultRuntime() (rivulet/builtins.h) is one with
// the built-in sources and sinks, for programs that need no more than that.

#include <cstdint>
#include <functional>
#include <memory>
#include <typeindex>

#include "rivulet/query.h"
#include "rivulet/sink.h"
#include "rivulet/source.h"

namespace rivulet {

class Env;  // the file-system seam (src/common/env.h)

struct RuntimeOptions {
  // Threads reading native sources' partitions; 0: the number of cores.
  int executor_threads = 0;
  // Threads running native queries' triggers (mostly waiting on fsync); 0: twice the
  // number of cores.
  int scheduler_threads = 0;
  // Threads running the triggers and partition reads of sources whose calls wait on
  // other processes (Python workers), started on first use, so that a slow source never
  // holds up native queries.
  int blocking_threads = 8;
  // The block manager's budget, shared by every query.
  int64_t cache_memory_limit_bytes = 256ll << 20;
  // Where checkpoints and file sinks write; null: the operating system's file system.
  // Tests pass a fault-injecting one.
  std::shared_ptr<Env> env;
};

struct RuntimeStats {
  int64_t cache_used_bytes = 0;
  int64_t cache_limit_bytes = 0;
  int active_queries = 0;
};

class Runtime {
 public:
  static std::shared_ptr<Runtime> Create(const RuntimeOptions& options = {});
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  SourceRegistry& sources();
  SinkRegistry& sinks();
  // Spark's spark.streams: starts queries, lists them, and carries the listeners.
  StreamingQueryManager& streams();
  // Waits until the listeners have had every event posted so far (they run on the bus's
  // own thread): a command that prints progress calls this before it exits.
  void FlushListeners();
  RuntimeStats stats() const;
  // Bytes the block manager holds for one query's prefetched batches.
  int64_t cache_used_bytes(const StreamingQuery& query) const;

  // A service of type T shared by this runtime's users, made by `T(Runtime&)` on first
  // use and destroyed with the runtime, after its queries. Thread-safe.
  template <typename T>
  T& Service() {
    auto made = GetOrCreateService(typeid(T), [this]() -> std::shared_ptr<void> {
      return std::make_shared<T>(*this);
    });
    return *static_cast<T*>(made.get());
  }

  struct Impl;  // engine internals (src/engine/runtime_impl.h)
  Impl& impl() { return *impl_; }

 private:
  explicit Runtime(const RuntimeOptions& options);
  std::shared_ptr<void> GetOrCreateService(
      std::type_index type, const std::function<std::shared_ptr<void>()>& make);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rivulet
