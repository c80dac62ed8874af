#include "sinks/builtin.h"

#include "sinks/console_sink.h"
#include "sinks/file_sinks.h"
#include "sinks/noop_sink.h"
#include "sinks/postgres_sink.h"
#include "sinks/sqlite_sink.h"

namespace rivulet {

void RegisterBuiltinSinks(SinkRegistry& registry) {
  (void)registry.Register("console", [](const Options& o) { return MakeConsoleSink(o); });
  (void)registry.Register("json", MakeJsonSink);
  (void)registry.Register("csv", MakeCsvSink);
  (void)registry.Register("arrow", MakeArrowSink);
  (void)registry.Register("noop", MakeNoopSink);
  (void)registry.Register("sqlite", MakeSqliteSink);
  (void)registry.Register("postgres", MakePostgresSink);
}

}  // namespace rivulet
