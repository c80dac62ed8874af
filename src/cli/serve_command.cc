// rivulet serve FILE: every query of a JSON file in one runtime. A bad entry is refused
// before anything starts; a query that fails stops only itself and is reported on
// stderr; the exit status says whether any failed.

#include <iostream>
#include <mutex>

#include "cli/commands.h"
#include "cli/query_spec.h"
#include "cli/signals.h"

namespace rivulet::cli {
namespace {

// Reports each query that fails, as it fails.
class FailureReporter : public StreamingQueryListener {
 public:
  void Name(const std::string& id, std::string description) {
    std::lock_guard lock(mu_);
    names_[id] = std::move(description);
  }
  void onQueryTerminated(const QueryTerminatedEvent& event) override {
    if (!event.exception) return;
    std::lock_guard lock(mu_);
    std::cerr << "rivulet: " << names_[event.id] << " (id " << event.id
              << ") failed: " << *event.exception << std::endl;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> names_;
};

}  // namespace

int Serve(const ServeArgs& args) {
  StopOnSignal stop_on_signal;
  auto specs = ReadServeFile(args.file);
  if (!specs.ok()) return Fail(specs.status());
  auto runtime = CreateCommandRuntime();
  for (size_t i = 0; i < specs->size(); ++i) {
    if (Status s = Validate((*specs)[i], *runtime); !s.ok()) {
      return Fail(s.WithContext(args.file + ": " + (*specs)[i].Describe(i)));
    }
  }
  auto listener = std::make_shared<FailureReporter>();
  runtime->streams().addListener(listener);
  if (args.progress) runtime->streams().addListener(std::make_shared<PrintProgress>());
  WatchSignals(stop_on_signal, runtime);

  bool failed = false;
  std::vector<StreamingQueryPtr> queries;
  for (size_t i = 0; i < specs->size(); ++i) {
    const std::string who = (*specs)[i].Describe(i);
    auto query = StartQuery((*specs)[i], *runtime);
    if (!query.ok()) {
      std::cerr << "rivulet: " << who << " failed to start: " << query.status().message()
                << std::endl;
      failed = true;
      continue;
    }
    listener->Name((*query)->id(), who);
    queries.push_back(std::move(*query));
  }
  std::cerr << "rivulet: serving " << queries.size() << " of " << specs->size()
            << " queries" << std::endl;
  for (const auto& query : queries) {
    if (!query->AwaitTermination().ok()) failed = true;
  }
  return failed ? 1 : 0;
}

}  // namespace rivulet::cli
