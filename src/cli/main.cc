// rivulet: runs a streaming query, or looks into a checkpoint.

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "sinks/builtin.h"
#include "sources/builtin.h"

namespace {

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

int Main(int argc, char** argv) {
  using rivulet::cli::RunArgs;
  CLI::App app{
      "rivulet: a micro-batch streaming engine. It reads a source batch by batch, writes "
      "each\n"
      "batch to a sink, and keeps its progress in a checkpoint directory so that a "
      "query\n"
      "stopped or killed resumes where it stopped, delivering every row exactly once."};
  app.set_version_flag("--version", "rivulet " RIVULET_VERSION);
  app.require_subcommand(1);
  // Only for the names in the help text.
  rivulet::SourceRegistry builtin_sources;
  rivulet::SinkRegistry builtin_sinks;
  rivulet::RegisterBuiltinSources(builtin_sources);
  rivulet::RegisterBuiltinSinks(builtin_sinks);

  RunArgs run;
  auto* run_cmd = app.add_subcommand("run",
                                     "Run a streaming query until its trigger ends or "
                                     "it is stopped (Ctrl-C stops between batches).");
  run_cmd
      ->add_option("--source,-s", run.source,
                   "Source: a built-in name (" + Join(builtin_sources.Names()) +
                       "), or a Python source path/to/file.py:ClassName")
      ->required();
  run_cmd->add_option("--option,-o", run.source_options,
                      "Source option key=value (repeatable)");
  run_cmd->add_option("--sink", run.sink, "Sink: " + Join(builtin_sinks.Names()))
      ->capture_default_str();
  run_cmd->add_option("--sink-option", run.sink_options,
                      "Sink option key=value (repeatable)");
  run_cmd
      ->add_option("--checkpoint,-c", run.checkpoint,
                   "Checkpoint directory (created if missing; one query at a time)")
      ->required();
  run_cmd
      ->add_option(
          "--trigger,-t", run.trigger,
          "default | once | available-now | processing-time=<interval, e.g. 500ms>")
      ->capture_default_str();
  run_cmd->add_option("--name", run.name, "Query name, shown in progress");
  run_cmd->add_option("--schema", run.schema,
                      "DDL schema overriding the source's schema()");
  run_cmd->add_option("--python-path", run.python_path,
                      "Directory added to the Python workers' sys.path (repeatable)");
  run_cmd->add_option(
      "--python", run.python,
      "Python interpreter for workers (default: $RIVULET_PYTHON, else python3)");
  run_cmd
      ->add_option("--max-worker-restarts", run.max_worker_restarts,
                   "Times a dead Python worker is respawned")
      ->capture_default_str();
  run_cmd
      ->add_option("--read-workers", run.read_workers,
                   "Python worker processes reading partitions (0: number of cores)")
      ->capture_default_str();
  run_cmd->add_option("--max-batches", run.max_batches, "Stop after this many batches");
  run_cmd->add_flag(
      "--progress", run.progress,
      "Print each batch's progress (StreamingQueryProgress JSON) on stderr");
  run_cmd->add_flag("--allow-source-change", run.allow_source_change,
                    "Run on a checkpoint that another source wrote (its offsets must "
                    "mean the same to this one)");

  rivulet::cli::ServeArgs serve;
  auto* serve_cmd = app.add_subcommand(
      "serve",
      "Run every query listed in a JSON file in one process, until all end or it is "
      "stopped (Ctrl-C stops them all between batches; a second Ctrl-C kills them).");
  serve_cmd->add_option("file", serve.file, "The queries: {\"queries\": [{...}, ...]}")
      ->required();
  serve_cmd->add_flag(
      "--progress", serve.progress,
      "Print each batch's progress (StreamingQueryProgress JSON) on stderr");

  std::string checkpoint_dir;
  auto* cp_cmd =
      app.add_subcommand("checkpoint", "Inspect or repair a checkpoint directory.");
  cp_cmd->require_subcommand(1);
  auto* show_cmd =
      cp_cmd->add_subcommand("show", "Print the batches, offsets and commits.");
  show_cmd->add_option("dir", checkpoint_dir, "Checkpoint directory")->required();
  std::optional<std::string> repair_query_id;
  auto* repair_cmd = cp_cmd->add_subcommand(
      "repair",
      "Mend the damage that stops a restart, where that loses and doubles no row "
      "(damaged "
      "files move to <dir>/damaged/); say what is left where it cannot.");
  repair_cmd->add_option("dir", checkpoint_dir, "Checkpoint directory")->required();
  repair_cmd->add_option("--query-id", repair_query_id,
                         "The query id for a lost metadata file (default: a new one)");

  std::string cat_path;
  int64_t cat_rows = -1;
  bool cat_truncate = false;
  auto* cat_cmd =
      app.add_subcommand("cat", "Print an Arrow IPC file or stream as a table.");
  cat_cmd->add_option("file", cat_path, "Arrow IPC file (.arrow) or stream")->required();
  cat_cmd->add_option("--num-rows,-n", cat_rows, "Print at most this many rows");
  cat_cmd->add_flag("--truncate", cat_truncate, "Cut cells longer than 20 characters");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    return rivulet::cli::Fail(rivulet::Status::InvalidArgument(e.what()));
  }
  if (*run_cmd) return rivulet::cli::Run(run);
  if (*serve_cmd) return rivulet::cli::Serve(serve);
  if (*show_cmd) return rivulet::cli::CheckpointShow(checkpoint_dir);
  if (*repair_cmd) return rivulet::cli::CheckpointRepair(checkpoint_dir, repair_query_id);
  if (*cat_cmd) return rivulet::cli::Cat(cat_path, cat_rows, cat_truncate);
  return 1;
}

}  // namespace

// The one place exceptions (from third-party code or allocation) become an error line.
int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    return rivulet::cli::Fail(rivulet::Status::Internal(e.what()));
  }
}
