#include "rowcodec/struct_fields.h"

#include "rowcodec/python_values.h"

namespace nb = nanobind;

namespace rivulet::rowcodec {
namespace {

// Whether a tuple or list subclass measures and iterates as the base type does, so that
// its items may be read in place.
bool IteratesAsBase(PyObject* value, PyTypeObject* base) {
  PyTypeObject* type = Py_TYPE(value);
  return type->tp_iter == base->tp_iter && type->tp_as_sequence != nullptr &&
         type->tp_as_sequence->sq_length == base->tp_as_sequence->sq_length;
}

}  // namespace

nb::object AttributeOrNone(PyObject* value, PyObject* name) {
  PyObject* attribute = PyObject_GetAttr(value, name);
  if (attribute != nullptr) return nb::steal(attribute);
  if (!PyErr_ExceptionMatches(PyExc_AttributeError)) return nb::object();
  PyErr_Clear();
  return nb::none();
}

StructFields::StructFields(nb::handle names, const Support& support, bool source_rules)
    : support_(support),
      source_rules_(source_rules),
      tuple_or_list_(
          nb::make_tuple(nb::handle(reinterpret_cast<PyObject*>(&PyTuple_Type)),
                         nb::handle(reinterpret_cast<PyObject*>(&PyList_Type)))),
      get_(nb::steal(Name("get"))),
      fields_attribute_(nb::steal(Name("__fields__"))),
      dict_attribute_(nb::steal(Name("__dict__"))) {
  if (!get_.is_valid() || !fields_attribute_.is_valid() || !dict_attribute_.is_valid()) {
    throw nb::python_error();
  }
  for (nb::handle name : nb::iter(names)) names_.push_back(nb::borrow<nb::str>(name));
}

bool StructFields::Find(PyObject* value, std::vector<nb::object>& out) const {
  out.clear();
  const nb::handle dict_type(reinterpret_cast<PyObject*>(&PyDict_Type));
  if (source_rules_) {
    if (IsInstance(value, reinterpret_cast<PyObject*>(&PyTuple_Type))) {
      return ByPosition(value, out);
    }
    if (PyErr_Occurred() != nullptr) return false;
    if (IsInstance(value, dict_type)) return ByName(value, out);
    if (PyErr_Occurred() != nullptr) return false;
    nb::object attributes = AttributeOrNone(value, dict_attribute_.ptr());
    return attributes.is_valid() && !attributes.is_none() &&
           ByName(attributes.ptr(), out);
  }
  if (IsInstance(value, dict_type)) return ByName(value, out);
  if (PyErr_Occurred() != nullptr || !IsInstance(value, tuple_or_list_)) return false;
  if (!PyTuple_CheckExact(value) && !PyList_CheckExact(value)) {
    // A Row with names is taken by name; the builtin tuple and list have no __fields__.
    nb::object row_names = AttributeOrNone(value, fields_attribute_.ptr());
    if (!row_names.is_valid()) return false;
    if (!row_names.is_none()) {
      if (IsInstance(value, support_.row_type))
        return ByRowNames(value, row_names.ptr(), out);
      if (PyErr_Occurred() != nullptr) return false;
    }
  }
  return ByPosition(value, out);
}

// [mapping.get(n) for n in names]
bool StructFields::ByName(PyObject* mapping, std::vector<nb::object>& out) const {
  for (const nb::object& name : names_) {
    if (PyDict_CheckExact(mapping)) {
      PyObject* found = PyDict_GetItemWithError(mapping, name.ptr());
      if (found == nullptr && PyErr_Occurred() != nullptr) return false;
      out.push_back(found == nullptr ? nb::none() : nb::borrow(found));
    } else {
      PyObject* found = PyObject_CallMethodOneArg(mapping, get_.ptr(), name.ptr());
      if (found == nullptr) return false;
      out.push_back(nb::steal(found));
    }
  }
  return true;
}

// by_name = dict(zip(row.__fields__, row)); [by_name.get(n) for n in names]
bool StructFields::ByRowNames(PyObject* row, PyObject* row_names,
                              std::vector<nb::object>& out) const {
  nb::object by_name = nb::steal(PyDict_New());
  nb::object names = nb::steal(PyObject_GetIter(row_names));
  nb::object values = nb::steal(PyObject_GetIter(row));
  if (!by_name.is_valid() || !names.is_valid() || !values.is_valid()) return false;
  while (true) {
    nb::object name = nb::steal(PyIter_Next(names.ptr()));
    if (!name.is_valid()) break;
    nb::object item = nb::steal(PyIter_Next(values.ptr()));
    if (!item.is_valid()) break;
    if (PyDict_SetItem(by_name.ptr(), name.ptr(), item.ptr()) != 0) return false;
  }
  return PyErr_Occurred() == nullptr && ByName(by_name.ptr(), out);
}

// The sequence itself, which must have exactly width() items by len(); its first width()
// items as zip() takes them.
bool StructFields::ByPosition(PyObject* sequence, std::vector<nb::object>& out) const {
  const auto width = static_cast<Py_ssize_t>(names_.size());
  if (PyTuple_Check(sequence) && IteratesAsBase(sequence, &PyTuple_Type)) {
    if (PyTuple_GET_SIZE(sequence) != width) return false;
    for (Py_ssize_t i = 0; i < width; ++i)
      out.push_back(nb::borrow(PyTuple_GET_ITEM(sequence, i)));
    return true;
  }
  if (PyList_Check(sequence) && IteratesAsBase(sequence, &PyList_Type)) {
    if (PyList_GET_SIZE(sequence) != width) return false;
    for (Py_ssize_t i = 0; i < width; ++i)
      out.push_back(nb::borrow(PyList_GET_ITEM(sequence, i)));
    return true;
  }
  if (PyObject_Size(sequence) != width) return false;
  nb::object items = nb::steal(PyObject_GetIter(sequence));
  if (!items.is_valid()) return false;
  for (Py_ssize_t i = 0; i < width; ++i) {
    PyObject* item = PyIter_Next(items.ptr());
    if (item == nullptr) return false;
    out.push_back(nb::steal(item));
  }
  return true;
}

}  // namespace rivulet::rowcodec
