#include "frontend/python_object.h"

namespace rivulet::frontend {

PythonObject::~PythonObject() {
  if (Py_IsInitialized() == 0 || _Py_IsFinalizing() != 0) return;  // leaked, see header
  nanobind::gil_scoped_acquire gil;
  delete object_;
}

}  // namespace rivulet::frontend
