#pragma once

// What a Runtime owns, for the engine's own code (include/rivulet/runtime.h is the public
// face). Members are declared in the order they must be built; destruction runs the other
// way, after ~Runtime has stopped every query.

#include <map>
#include <memory>
#include <mutex>
#include <typeindex>

#include "cache/block_manager.h"
#include "common/env.h"
#include "engine/executor_pool.h"
#include "engine/listener_bus.h"
#include "engine/scheduler.h"
#include "rivulet/runtime.h"

namespace rivulet {

class QueryManager;

struct Runtime::Impl {
  explicit Impl(const RuntimeOptions& options);
  ~Impl();

  // Where a query's partitions are read: the executors for native sources, the blocking
  // pool (started on first use) for sources whose reads wait on other processes.
  ExecutorPool& ReadPool(bool blocking);

  const RuntimeOptions options;
  Env* const env;  // options.env, or the default
  SourceRegistry sources;
  SinkRegistry sinks;
  BlockManager blocks;
  ListenerBus bus;
  std::unique_ptr<ExecutorPool> executors;
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<QueryManager> manager;

  std::mutex mu;
  std::unique_ptr<ExecutorPool> blocking_reads;
  // Services are destroyed before the pools and the scheduler, and after the queries.
  std::map<std::type_index, std::shared_ptr<void>> services;
};

}  // namespace rivulet
