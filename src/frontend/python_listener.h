#pragma once

// A StreamingQueryListener that forwards each event to a Python object as JSON text:
// target._started(json), ._progress(json), ._idle(json), ._terminated(json). The Python
// side (rivulet.sql.streaming.listener) builds PySpark's event classes from it. An
// exception in the target is reported through sys.unraisablehook and the events go on,
// as Spark logs a failing listener and carries on.

#include <memory>

#include "frontend/python_object.h"
#include "rivulet/listener.h"

namespace rivulet::frontend {

std::shared_ptr<StreamingQueryListener> MakePythonListener(nanobind::object target);

}  // namespace rivulet::frontend
