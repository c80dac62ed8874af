#pragma once

// A Python object that engine threads hold: a sink's callback, a listener. Whoever drops
// the last reference may be an engine thread without the GIL, so the destructor takes it;
// once the interpreter is finalizing, the object is leaked instead (taking the GIL then
// would hang the thread).

#include <nanobind/nanobind.h>

#include <utility>

namespace rivulet::frontend {

class PythonObject {
 public:
  // Call with the GIL held.
  explicit PythonObject(nanobind::object object)
      : object_(new nanobind::object(std::move(object))) {}
  ~PythonObject();
  PythonObject(const PythonObject&) = delete;
  PythonObject& operator=(const PythonObject&) = delete;

  // Use with the GIL held.
  nanobind::object& get() { return *object_; }

 private:
  nanobind::object* object_;
};

}  // namespace rivulet::frontend
