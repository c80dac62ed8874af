// The README's embedding example, bounded to two batches: rate -> console.
#include <cstdio>

#include "rivulet/builtins.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer CHECKPOINT_DIR\n");
    return 2;
  }
  auto runtime = rivulet::Runtime::Create();
  rivulet::RegisterBuiltins(*runtime);
  rivulet::Options rate;
  rate.Set("rowsPerSecond", "10");
  rivulet::QueryOptions options;
  options.checkpoint_dir = argv[1];
  options.trigger = *rivulet::Trigger::Parse("processing-time=100ms");
  options.max_batches = 2;
  auto query = runtime->streams().Start(*runtime->sources().Create("rate", rate),
                                        *runtime->sinks().Create("console", {}),
                                        std::nullopt, options);
  if (!query.ok()) {
    std::fprintf(stderr, "%s\n", query.status().ToString().c_str());
    return 1;
  }
  rivulet::Status status = (*query)->AwaitTermination();
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
