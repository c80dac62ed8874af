#include <thread>

#include "engine/micro_batch_execution.h"
#include "engine/query_manager.h"
#include "engine/runtime_impl.h"

namespace rivulet {
namespace {

int Cores() {
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}
int OrDefault(int value, int fallback) { return value > 0 ? value : fallback; }

}  // namespace

Runtime::Impl::Impl(const RuntimeOptions& opts)
    : options(opts),
      env(opts.env ? opts.env.get() : Env::Default()),
      blocks(opts.cache_memory_limit_bytes) {
  executors = std::make_unique<ExecutorPool>(OrDefault(opts.executor_threads, Cores()));
  scheduler = std::make_unique<Scheduler>(OrDefault(opts.scheduler_threads, 2 * Cores()),
                                          OrDefault(opts.blocking_threads, 8));
  manager = std::make_unique<QueryManager>(this);
}

Runtime::Impl::~Impl() = default;

ExecutorPool& Runtime::Impl::ReadPool(bool blocking) {
  if (!blocking) return *executors;
  std::lock_guard lock(mu);
  if (!blocking_reads) {
    blocking_reads =
        std::make_unique<ExecutorPool>(OrDefault(options.blocking_threads, 8));
  }
  return *blocking_reads;
}

std::shared_ptr<Runtime> Runtime::Create(const RuntimeOptions& options) {
  return std::shared_ptr<Runtime>(new Runtime(options));
}

Runtime::Runtime(const RuntimeOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}

Runtime::~Runtime() {
  impl_->manager->StopAll();
  impl_->bus.Flush();
  // Services (worker supervisors) go before the threads that might still call them.
  std::map<std::type_index, std::shared_ptr<void>> services;
  {
    std::lock_guard lock(impl_->mu);
    services.swap(impl_->services);
  }
  services.clear();
}

SourceRegistry& Runtime::sources() { return impl_->sources; }

void Runtime::FlushListeners() { impl_->bus.Flush(); }
SinkRegistry& Runtime::sinks() { return impl_->sinks; }
StreamingQueryManager& Runtime::streams() { return *impl_->manager; }

RuntimeStats Runtime::stats() const {
  return RuntimeStats{impl_->blocks.used_bytes(), impl_->blocks.limit_bytes(),
                      static_cast<int>(impl_->manager->active().size())};
}

int64_t Runtime::cache_used_bytes(const StreamingQuery& query) const {
  auto* execution = dynamic_cast<const MicroBatchExecution*>(&query);
  return execution == nullptr ? 0 : execution->cache_used_bytes();
}

std::shared_ptr<void> Runtime::GetOrCreateService(
    std::type_index type, const std::function<std::shared_ptr<void>()>& make) {
  std::lock_guard lock(impl_->mu);
  auto& slot = impl_->services[type];
  if (!slot) slot = make();
  return slot;
}

}  // namespace rivulet
