#include "python/planning_worker.h"

#include <filesystem>

namespace rivulet::python {
namespace {

using Json = nlohmann::json;

// The class's name as the spec gives it, until the worker reports its name().
std::string SpecLabel(const std::string& spec) {
  std::string label = spec;
  if (auto colon = label.rfind(':'); colon != std::string::npos) {
    label = label.substr(colon + 1);
  }
  if (label.ends_with(".py")) label = std::filesystem::path(label).stem().string();
  return label;
}

// A file given relative to the engine's directory means the same to every worker.
std::string AbsoluteSpec(const std::string& spec) {
  if (auto colon = spec.rfind(':'); colon != std::string::npos) {
    std::string location = spec.substr(0, colon);
    if (location.ends_with(".py") || location.find('/') != std::string::npos) {
      return std::filesystem::absolute(location).lexically_normal().string() +
             spec.substr(colon);
    }
    return spec;
  }
  if (spec.ends_with(".py")) {
    return std::filesystem::absolute(spec).lexically_normal().string();
  }
  return spec;
}

}  // namespace

bool LooksLikePythonSpec(const std::string& spec) {
  return spec.find(':') != std::string::npos || spec.ends_with(".py");
}

Result<PlanningWorker> StartPlanningWorker(const std::string& spec,
                                           const Options& options,
                                           const PythonWorkerConfig& config,
                                           bool need_schema) {
  if (config.supervisor == nullptr) {
    return Status::InvalidArgument("python class '" + spec + "': no worker supervisor");
  }
  auto group = std::make_shared<WorkerGroup>();
  group->supervisor = config.supervisor;
  group->configured_python =
      config.python.empty() ? DefaultPythonInterpreter() : config.python;
  if (std::string package = PythonPackageDir(); !package.empty()) {
    group->spawn.python_path = {package};
  }
  group->spawn.log_sink = config.log_sink;
  group->pickled_class = config.pickled_class;
  group->max_restarts = config.max_worker_restarts;
  group->SetName(SpecLabel(spec));

  Json option_map = Json::object();
  for (const auto& [key, value] : options.entries()) option_map[key] = value;
  Json python_path = Json::array();
  for (const std::string& dir : config.python_path) {
    python_path.push_back(std::filesystem::absolute(dir).lexically_normal().string());
  }
  Json init = {{"source", AbsoluteSpec(spec)},
               {"options", option_map},
               {"python_path", python_path},
               {"need_schema", need_schema}};

  PlanningWorker planning;
  RIVULET_ASSIGN_OR_RETURN(planning.worker,
                           ManagedWorker::Start(group, init, &planning.init_reply));
  const Json& reply = planning.init_reply;
  if (!reply.contains("name") || !reply["name"].is_string()) {
    return Status::Internal("python worker's init reply has no name: " + reply.dump());
  }
  group->SetName(reply["name"].get<std::string>());
  if (reply.contains("executable") && reply["executable"].is_string()) {
    config.supervisor->LearnInterpreter(group->configured_python,
                                        reply["executable"].get<std::string>());
  }
  init["need_schema"] = false;
  if (reply.contains("reference") && reply["reference"].is_string()) {
    init["source"] = reply["reference"];
  }
  group->init_config = init;
  planning.group = std::move(group);
  return planning;
}

}  // namespace rivulet::python
