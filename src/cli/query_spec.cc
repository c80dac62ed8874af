#include "cli/query_spec.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "python/worker_supervisor.h"
#include "rivulet/schema.h"
#include "sinks/python/python_sink.h"
#include "sources/python/python_source.h"

namespace rivulet::cli {
namespace {

using Json = nlohmann::json;

// A built-in name, or a Python source: path/to/file.py:ClassName,
// package.module:ClassName, or a DataSource's name() found under --python-path.
Result<std::unique_ptr<DataSource>> OpenSource(const QuerySpec& spec, Runtime& runtime) {
  const bool python_spec = python::LooksLikePythonSpec(spec.source);
  if (!python_spec) {
    auto builtin = runtime.sources().Create(spec.source, spec.source_options);
    if (builtin.ok() || builtin.status().code() != StatusCode::kNotFound ||
        spec.python_path.empty()) {
      return builtin;
    }
  }
  python::PythonSourceConfig config;
  config.supervisor = &runtime.Service<python::WorkerSupervisor>();
  config.python = spec.python;
  config.python_path = spec.python_path;
  config.max_worker_restarts = spec.max_worker_restarts;
  config.read_workers = spec.read_workers;
  config.schema_ddl = spec.schema;
  return python::OpenPythonSource(spec.source, spec.source_options, config);
}

// A built-in name, or a Python stream writer's DataSource: path/to/file.py:ClassName or
// package.module:ClassName.
Result<std::unique_ptr<Sink>> OpenSink(const QuerySpec& spec, Runtime& runtime) {
  if (!python::LooksLikePythonSpec(spec.sink)) {
    return runtime.sinks().Create(spec.sink, spec.sink_options);
  }
  python::PythonSinkConfig config;
  config.supervisor = &runtime.Service<python::WorkerSupervisor>();
  config.python = spec.python;
  config.python_path = spec.python_path;
  config.max_worker_restarts = spec.max_worker_restarts;
  return python::MakePythonSink(spec.sink, spec.sink_options, config);
}

Result<std::string> String(const Json& entry, const char* key, const std::string& who) {
  const Json& value = entry.at(key);
  if (!value.is_string()) {
    return Status::InvalidArgument(who + ": key '" + key + "' must be a string, got " +
                                   value.dump());
  }
  return value.get<std::string>();
}

Result<int64_t> Integer(const Json& entry, const char* key, const std::string& who) {
  const Json& value = entry.at(key);
  if (!value.is_number_integer()) {
    return Status::InvalidArgument(who + ": key '" + key + "' must be an integer, got " +
                                   value.dump());
  }
  return value.get<int64_t>();
}

// An options object: string values, or numbers and booleans written as JSON, which mean
// their text ("rowsPerSecond": 5 is "5").
Result<Options> OptionMap(const Json& entry, const char* key, const std::string& who) {
  const Json& value = entry.at(key);
  if (!value.is_object()) {
    return Status::InvalidArgument(who + ": key '" + key + "' must be an object, got " +
                                   value.dump());
  }
  Options options;
  for (const auto& [name, v] : value.items()) {
    if (v.is_string()) {
      options.Set(name, v.get<std::string>());
    } else if (v.is_number() || v.is_boolean()) {
      options.Set(name, v.dump());
    } else {
      return Status::InvalidArgument("option '" + name + "' in '" + key +
                                     "' must be a string, number or boolean, got " +
                                     v.dump())
          .WithContext(who);
    }
  }
  return options;
}

// `names` are a registry's (lower-cased); `name` matches them case-insensitively.
Status CheckRegistered(const std::vector<std::string>& names, const std::string& name,
                       const std::string& kind, const std::string& hint) {
  std::string lower = name;
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (std::find(names.begin(), names.end(), lower) != names.end()) return Status::OK();
  std::string known;
  for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
  return Status::InvalidArgument("key '" + kind + "': no " + kind + " named '" + name +
                                 "' (known: " + known + hint + ")");
}

Result<QuerySpec> ParseEntry(const Json& entry, size_t index) {
  QuerySpec spec;
  std::string who = "query #" + std::to_string(index + 1);
  if (!entry.is_object()) {
    return Status::InvalidArgument(who + ": expected an object, got " + entry.dump());
  }
  if (entry.contains("name")) {
    RIVULET_ASSIGN_OR_RETURN(spec.name, String(entry, "name", who));
    who = spec.Describe(index);
  }
  static const std::set<std::string> kKeys = {
      "name",      "source", "options",    "sink",   "sinkOptions",       "checkpoint",
      "trigger",   "schema", "pythonPath", "python", "maxWorkerRestarts", "readWorkers",
      "maxBatches"};
  for (const auto& [key, _] : entry.items()) {
    if (!kKeys.contains(key)) {
      return Status::InvalidArgument("unknown key '" + key + "'").WithContext(who);
    }
  }
  for (const char* required : {"source", "checkpoint"}) {
    if (!entry.contains(required)) {
      return Status::InvalidArgument(who + ": missing key '" + required + "'");
    }
  }
  RIVULET_ASSIGN_OR_RETURN(spec.source, String(entry, "source", who));
  RIVULET_ASSIGN_OR_RETURN(spec.checkpoint, String(entry, "checkpoint", who));
  if (entry.contains("options")) {
    RIVULET_ASSIGN_OR_RETURN(spec.source_options, OptionMap(entry, "options", who));
  }
  if (entry.contains("sink")) {
    RIVULET_ASSIGN_OR_RETURN(spec.sink, String(entry, "sink", who));
  }
  if (entry.contains("sinkOptions")) {
    RIVULET_ASSIGN_OR_RETURN(spec.sink_options, OptionMap(entry, "sinkOptions", who));
  }
  if (entry.contains("trigger")) {
    RIVULET_ASSIGN_OR_RETURN(std::string text, String(entry, "trigger", who));
    auto trigger = Trigger::Parse(text);
    if (!trigger.ok()) return trigger.status().WithContext(who + ": key 'trigger'");
    spec.trigger = *trigger;
  }
  if (entry.contains("schema")) {
    RIVULET_ASSIGN_OR_RETURN(spec.schema, String(entry, "schema", who));
  }
  if (entry.contains("pythonPath")) {
    const Json& dirs = entry["pythonPath"];
    if (!dirs.is_array()) {
      return Status::InvalidArgument(who +
                                     ": key 'pythonPath' must be a list of strings");
    }
    for (const Json& dir : dirs) {
      if (!dir.is_string()) {
        return Status::InvalidArgument(who +
                                       ": key 'pythonPath' must be a list of strings");
      }
      spec.python_path.push_back(dir.get<std::string>());
    }
  }
  if (entry.contains("python")) {
    RIVULET_ASSIGN_OR_RETURN(spec.python, String(entry, "python", who));
  }
  if (entry.contains("maxWorkerRestarts")) {
    RIVULET_ASSIGN_OR_RETURN(int64_t n, Integer(entry, "maxWorkerRestarts", who));
    spec.max_worker_restarts = static_cast<int>(n);
  }
  if (entry.contains("readWorkers")) {
    RIVULET_ASSIGN_OR_RETURN(int64_t n, Integer(entry, "readWorkers", who));
    spec.read_workers = static_cast<int>(n);
  }
  if (entry.contains("maxBatches")) {
    RIVULET_ASSIGN_OR_RETURN(spec.max_batches, Integer(entry, "maxBatches", who));
  }
  if (entry.contains("allowSourceChange")) {
    if (!entry["allowSourceChange"].is_boolean()) {
      return Status::InvalidArgument(who +
                                     ": key 'allowSourceChange' must be true or false");
    }
    spec.allow_source_change = entry["allowSourceChange"].get<bool>();
  }
  return spec;
}

}  // namespace

std::string QuerySpec::Describe(size_t index) const {
  return name.empty() ? "query #" + std::to_string(index + 1) : "query '" + name + "'";
}

Status Validate(const QuerySpec& spec, Runtime& runtime) {
  if (spec.schema) {
    auto parsed = ParseDdl(*spec.schema);
    if (!parsed.ok()) return parsed.status().WithContext("key 'schema'");
  }
  if (!python::LooksLikePythonSpec(spec.source) && spec.python_path.empty()) {
    RIVULET_RETURN_NOT_OK(
        CheckRegistered(runtime.sources().Names(), spec.source, "source",
                        "; a Python source is path/to/file.py:ClassName"));
  }
  if (python::LooksLikePythonSpec(spec.sink)) return Status::OK();
  return CheckRegistered(runtime.sinks().Names(), spec.sink, "sink",
                         "; a Python sink is path/to/file.py:ClassName");
}

Result<StreamingQueryPtr> StartQuery(const QuerySpec& spec, Runtime& runtime) {
  std::optional<Schema> schema;
  if (spec.schema) {
    auto parsed = ParseDdl(*spec.schema);
    if (!parsed.ok()) return parsed.status().WithContext("--schema");
    schema = std::move(*parsed);
  }
  RIVULET_ASSIGN_OR_RETURN(auto source, OpenSource(spec, runtime));
  RIVULET_ASSIGN_OR_RETURN(auto sink, OpenSink(spec, runtime));
  QueryOptions options;
  options.checkpoint_dir = spec.checkpoint;
  options.trigger = spec.trigger;
  options.name = spec.name;
  options.max_batches = spec.max_batches;
  options.allow_source_change = spec.allow_source_change;
  return runtime.streams().Start(std::move(source), std::move(sink), std::move(schema),
                                 std::move(options));
}

Result<std::vector<QuerySpec>> ReadServeFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IOError("cannot open " + path);
  std::stringstream text;
  text << in.rdbuf();
  Json config = Json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded()) {
    return Status::InvalidArgument(path + ": not valid JSON");
  }
  if (!config.is_object() || !config.contains("queries") ||
      !config["queries"].is_array()) {
    return Status::InvalidArgument(path + ": expected {\"queries\": [...]}");
  }
  for (const auto& [key, _] : config.items()) {
    if (key != "queries") {
      return Status::InvalidArgument("unknown key '" + key + "'").WithContext(path);
    }
  }
  std::vector<QuerySpec> specs;
  std::map<std::string, size_t> checkpoints, names;
  for (size_t i = 0; i < config["queries"].size(); ++i) {
    auto spec = ParseEntry(config["queries"][i], i);
    if (!spec.ok()) return spec.status().WithContext(path);
    const std::string who = spec->Describe(i);
    if (!spec->name.empty() && !names.emplace(spec->name, i).second) {
      return Status::InvalidArgument(who + ": key 'name': the name is taken by query #" +
                                     std::to_string(names[spec->name] + 1))
          .WithContext(path);
    }
    if (!checkpoints.emplace(spec->checkpoint, i).second) {
      const size_t other = checkpoints[spec->checkpoint];
      return Status::InvalidArgument(who + ": key 'checkpoint': " + spec->checkpoint +
                                     " is also the checkpoint of " +
                                     specs[other].Describe(other))
          .WithContext(path);
    }
    specs.push_back(std::move(*spec));
  }
  return specs;
}

}  // namespace rivulet::cli
