// ARRAY and MAP: _Column._list_or_map. A value's items go to the child encoders as they
// are read, so that each child sees its values in the order the Python encoder flattens
// them.

#include <utility>
#include <vector>

#include "rowcodec/column_buffers.h"
#include "rowcodec/column_encoder.h"
#include "rowcodec/python_values.h"

namespace nb = nanobind;

namespace rivulet::rowcodec {
namespace {

// Appends the items of an iterable to `child`; false unless there were exactly
// `expected`.
bool AppendItems(PyObject* iterable, Py_ssize_t expected, ColumnEncoder& child) {
  nb::object items = nb::steal(PyObject_GetIter(iterable));
  if (!items.is_valid()) return false;
  Py_ssize_t count = 0;
  while (true) {
    nb::object item = nb::steal(PyIter_Next(items.ptr()));
    if (!item.is_valid()) break;
    if (++count > expected || !child.Append(item.ptr())) return false;
  }
  return PyErr_Occurred() == nullptr && count == expected;
}

// The items of a list, each held while it is appended; false if the list changes size.
bool AppendListItems(PyObject* list, ColumnEncoder& child) {
  const Py_ssize_t size = PyList_GET_SIZE(list);
  for (Py_ssize_t i = 0; i < size; ++i) {
    if (PyList_GET_SIZE(list) != size) return false;
    nb::object item = nb::borrow(PyList_GET_ITEM(list, i));
    if (!child.Append(item.ptr())) return false;
  }
  return PyList_GET_SIZE(list) == size;
}

// len(v) of a container that is not one of the builtin ones, and whether v is true: the
// Python encoder takes its items only then. False if the two disagree.
bool GenericShape(PyObject* value, Py_ssize_t* length, bool* truth) {
  *length = PyObject_Size(value);
  if (*length < 0) return false;
  const int is_true = PyObject_IsTrue(value);
  *truth = is_true == 1;
  return is_true >= 0 && (*truth || *length == 0);
}

// ARRAY: a list (or, without source rules, a tuple; with them, an array.array) whose
// items are the element column's values.
class ArrayEncoder final : public ColumnEncoder {
 public:
  ArrayEncoder(ColumnSpec&& spec, nb::object array_types)
      : nullable_(spec.nullable),
        source_rules_(spec.source_rules),
        support_(*spec.support),
        array_types_(std::move(array_types)),
        element_(std::move(spec.children.at(0))) {}

  bool Append(PyObject* value) override {
    if (PyList_CheckExact(value)) {
      nb::object hold = nb::borrow(value);
      return offsets_.Add(PyList_GET_SIZE(value)) && AppendListItems(value, *element_) &&
             Valid();
    }
    if (value == Py_None) return AppendNull();
    if (!source_rules_ && PyTuple_CheckExact(value)) {
      nb::object hold = nb::borrow(value);
      const Py_ssize_t size = PyTuple_GET_SIZE(value);
      for (Py_ssize_t i = 0; i < size; ++i) {
        if (!element_->Append(PyTuple_GET_ITEM(value, i))) return false;
      }
      return offsets_.Add(size) && Valid();
    }
    if (!IsInstance(value, array_types_) || MayEqualNone(value, support_)) return false;
    nb::object hold = nb::borrow(value);
    Py_ssize_t length = 0;
    bool truth = false;
    return GenericShape(value, &length, &truth) && offsets_.Add(length) &&
           (!truth || AppendItems(value, length, *element_)) && Valid();
  }
  bool EndBatch() override { return element_->EndBatch(); }
  void Emit(Body& body) const override {
    validity_.EmitTo(body);
    offsets_.EmitTo(body);
    element_->Emit(body);
  }
  void Reset() override {
    validity_.Reset();
    offsets_.Reset();
    element_->Reset();
  }

 private:
  bool Valid() {
    validity_.AppendValid();
    return true;
  }
  bool AppendNull() {
    if (!nullable_ || !offsets_.Add(0)) return false;
    validity_.AppendNull();
    return true;
  }

  const bool nullable_;
  const bool source_rules_;
  const Support& support_;
  nb::object array_types_;  // what isinstance() accepts
  std::unique_ptr<ColumnEncoder> element_;
  Validity validity_;
  Offsets offsets_;
};

// MAP: a dict, its keys and values in its order; the entries struct between the map and
// them is never null.
class MapEncoder final : public ColumnEncoder {
 public:
  explicit MapEncoder(ColumnSpec&& spec)
      : nullable_(spec.nullable),
        support_(*spec.support),
        keys_method_(nb::steal(Name("keys"))),
        values_method_(nb::steal(Name("values"))),
        key_(std::move(spec.children.at(0))),
        value_(std::move(spec.children.at(1))) {
    if (!keys_method_.is_valid() || !values_method_.is_valid()) throw nb::python_error();
  }

  bool Append(PyObject* value) override {
    if (PyDict_CheckExact(value)) {
      nb::object hold = nb::borrow(value);
      const Py_ssize_t size = PyDict_GET_SIZE(value);
      Py_ssize_t position = 0;
      Py_ssize_t count = 0;
      PyObject* key = nullptr;
      PyObject* item = nullptr;
      while (PyDict_Next(value, &position, &key, &item)) {
        nb::object held_key = nb::borrow(key);
        nb::object held_item = nb::borrow(item);
        if (++count > size || !key_->Append(key) || !value_->Append(item)) return false;
      }
      return count == size && PyDict_GET_SIZE(value) == size && offsets_.Add(size) &&
             Valid();
    }
    if (value == Py_None) {
      if (!nullable_ || !offsets_.Add(0)) return false;
      validity_.AppendNull();
      return true;
    }
    if (!IsInstance(value, reinterpret_cast<PyObject*>(&PyDict_Type)) ||
        MayEqualNone(value, support_)) {
      return false;
    }
    // A dict subclass: keys() and values() as it defines them (an OrderedDict's order).
    nb::object hold = nb::borrow(value);
    Py_ssize_t length = 0;
    bool truth = false;
    if (!GenericShape(value, &length, &truth) || !offsets_.Add(length)) return false;
    if (truth) {
      nb::object keys = nb::steal(PyObject_CallMethodNoArgs(value, keys_method_.ptr()));
      if (!keys.is_valid() || !AppendItems(keys.ptr(), length, *key_)) return false;
      nb::object values =
          nb::steal(PyObject_CallMethodNoArgs(value, values_method_.ptr()));
      if (!values.is_valid() || !AppendItems(values.ptr(), length, *value_)) return false;
    }
    return Valid();
  }
  bool EndBatch() override { return key_->EndBatch() && value_->EndBatch(); }
  void Emit(Body& body) const override {
    validity_.EmitTo(body);
    offsets_.EmitTo(body);
    body.AddNode(offsets_.total(), 0);
    body.AddBuffer(nullptr, 0);
    key_->Emit(body);
    value_->Emit(body);
  }
  void Reset() override {
    validity_.Reset();
    offsets_.Reset();
    key_->Reset();
    value_->Reset();
  }

 private:
  bool Valid() {
    validity_.AppendValid();
    return true;
  }

  const bool nullable_;
  const Support& support_;
  nb::object keys_method_;
  nb::object values_method_;
  std::unique_ptr<ColumnEncoder> key_;
  std::unique_ptr<ColumnEncoder> value_;
  Validity validity_;
  Offsets offsets_;
};

}  // namespace

std::unique_ptr<ColumnEncoder> MakeArrayEncoder(ColumnSpec&& spec) {
  nb::handle list(reinterpret_cast<PyObject*>(&PyList_Type));
  nb::handle tuple(reinterpret_cast<PyObject*>(&PyTuple_Type));
  nb::object types = spec.source_rules ? nb::make_tuple(list, spec.support->array_type)
                                       : nb::make_tuple(list, tuple);
  return std::make_unique<ArrayEncoder>(std::move(spec), std::move(types));
}

std::unique_ptr<ColumnEncoder> MakeMapEncoder(ColumnSpec&& spec) {
  return std::make_unique<MapEncoder>(std::move(spec));
}

}  // namespace rivulet::rowcodec
