// How long a Python worker takes to be ready: forked from the supervisor's template
// process, next to started from scratch (a new interpreter), interleaved in one run.
// Ready means it has answered a first request (PING); "with a source" adds INIT for a
// small source (its module loaded, the DataSource built), the point from which it can
// serve reads, and which costs the same user code on both paths.
//
// Usage: worker_start_bench [rounds, default 40]   (the interpreter: $RIVULET_PYTHON or
// python3 on PATH; the package: found beside the binary, as rivulet run finds it)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "python/worker_supervisor.h"

namespace rivulet::python {
namespace {

using Clock = std::chrono::steady_clock;

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Ready {
  double ping_ms;  // started and answered PING
  double init_ms;  // then answered INIT for the source
};

Ready ReadyMillis(WorkerSupervisor& supervisor, const WorkerSpawnOptions& options,
                  bool from_template, const std::string& init) {
  auto t0 = Clock::now();
  auto worker = supervisor.Start(options, from_template);
  auto check = [](const Status& status) {
    if (status.ok()) return;
    fprintf(stderr, "%s\n", status.ToString().c_str());
    exit(1);
  };
  check(worker.status());
  check((*worker)->Call(FunctionId::kPing, {}).status());
  auto t1 = Clock::now();
  check((*worker)->Call(FunctionId::kInit, {init}).status());
  auto ms = [](auto a, auto b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
  };
  return {ms(t0, t1), ms(t0, Clock::now())};
}

int Main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 40;
  const std::string sources =
      std::filesystem::absolute(std::filesystem::path(__FILE__).parent_path() /
                                "python_source_bench_sources.py")
          .string();
  const nlohmann::json init_config = {{"source", sources + ":TupleSource"},
                                      {"options", nlohmann::json::object()},
                                      {"python_path", nlohmann::json::array()},
                                      {"need_schema", true}};
  const std::string init = init_config.dump();
  WorkerSupervisor supervisor;
  WorkerSpawnOptions options;
  options.python = DefaultPythonInterpreter();
  if (std::string package = PythonPackageDir(); !package.empty()) {
    options.python_path = {package};
  }
  options.label = "bench";
  // The template's own start-up, and the first workers of each kind, are not timed.
  options.python = supervisor.ResolveInterpreter(options.python);
  ReadyMillis(supervisor, options, true, init);
  options.python = supervisor.ResolveInterpreter(options.python);
  ReadyMillis(supervisor, options, true, init);
  ReadyMillis(supervisor, options, false, init);
  std::vector<double> forked, scratch, forked_init, scratch_init;
  for (int i = 0; i < rounds; ++i) {
    Ready f = ReadyMillis(supervisor, options, true, init);
    Ready s = ReadyMillis(supervisor, options, false, init);
    forked.push_back(f.ping_ms);
    forked_init.push_back(f.init_ms);
    scratch.push_back(s.ping_ms);
    scratch_init.push_back(s.init_ms);
  }
  const auto stats = supervisor.stats();
  printf("python worker ready, %d rounds, %s\n", rounds, options.python.c_str());
  printf("                             ready (PING)   ready with a source (INIT)\n");
  printf("  forked from the template : %8.2f ms   %8.2f ms   (goal <= 5 ms)\n",
         Median(forked), Median(forked_init));
  printf("  started from scratch     : %8.2f ms   %8.2f ms\n", Median(scratch),
         Median(scratch_init));
  printf("  ratio                    : %8.1fx    %8.1fx faster\n",
         Median(scratch) / Median(forked), Median(scratch_init) / Median(forked_init));
  printf("  (%lld forked, %lld spawned, %d template)\n",
         static_cast<long long>(stats.forked), static_cast<long long>(stats.spawned),
         stats.templates);
  return 0;
}

}  // namespace
}  // namespace rivulet::python

int main(int argc, char** argv) {
  try {
    return rivulet::python::Main(argc, argv);
  } catch (const std::exception& e) {
    fprintf(stderr, "worker_start_bench: %s\n", e.what());
    return 1;
  }
}
