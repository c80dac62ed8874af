#include "frontend/python_listener.h"

#include <nanobind/stl/string.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

namespace rivulet::frontend {
namespace {

namespace nb = nanobind;
using Json = nlohmann::json;

Json NameOrNull(const std::string& name) { return name.empty() ? Json() : Json(name); }

class PythonListener final : public StreamingQueryListener {
 public:
  explicit PythonListener(nb::object target)
      : target_(std::make_unique<PythonObject>(std::move(target))) {}

  void onQueryStarted(const QueryStartedEvent& event) override {
    Forward("_started", Json{{"id", event.id},
                             {"runId", event.run_id},
                             {"name", NameOrNull(event.name)},
                             {"timestamp", event.timestamp_ms}}
                            .dump());
  }
  void onQueryProgress(const QueryProgressEvent& event) override {
    Forward("_progress", event.progress.ToJson());
  }
  void onQueryIdle(const QueryIdleEvent& event) override {
    Forward(
        "_idle",
        Json{{"id", event.id}, {"runId", event.run_id}, {"timestamp", event.timestamp_ms}}
            .dump());
  }
  void onQueryTerminated(const QueryTerminatedEvent& event) override {
    Json json{{"id", event.id}, {"runId", event.run_id}};
    json["exception"] = event.exception ? Json(*event.exception) : Json();
    json["errorClassOnException"] =
        event.error_class_on_exception ? Json(*event.error_class_on_exception) : Json();
    Forward("_terminated", json.dump());
  }

 private:
  void Forward(const char* method, const std::string& json) {
    nb::gil_scoped_acquire gil;
    try {
      target_->get().attr(method)(json);
    } catch (nb::python_error& error) {
      error.discard_as_unraisable("in a StreamingQueryListener");
    } catch (const std::exception& error) {  // never into the engine's threads
      std::fprintf(stderr, "rivulet: a StreamingQueryListener failed: %s\n",
                   error.what());
    }
  }

  std::unique_ptr<PythonObject> target_;
};

}  // namespace

std::shared_ptr<StreamingQueryListener> MakePythonListener(nb::object target) {
  return std::make_shared<PythonListener>(std::move(target));
}

}  // namespace rivulet::frontend
