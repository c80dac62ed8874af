#include "rowcodec/row_encoder.h"

#include <nanobind/stl/string.h>

#include <stdexcept>
#include <string>

namespace nb = nanobind;

namespace rivulet::rowcodec {
namespace {

bool PlanHasVariant(nb::handle plan) {
  auto node = nb::cast<nb::tuple>(plan);
  if (nb::cast<std::string>(node[0]) == "variant") return true;
  for (nb::handle child : nb::iter(node[2])) {
    if (PlanHasVariant(child)) return true;
  }
  return false;
}

// Marks the encoder busy for the length of a call.
class BusyScope {
 public:
  explicit BusyScope(bool& busy) : busy_(busy) { busy_ = true; }
  ~BusyScope() { busy_ = false; }
  BusyScope(const BusyScope&) = delete;
  BusyScope& operator=(const BusyScope&) = delete;

 private:
  bool& busy_;
};

}  // namespace

RowEncoder::RowEncoder(const nb::list& plans, const nb::list& names, bool source_rules,
                       const nb::dict& support)
    : support_(support), fields_(names, support_, /*source_rules=*/false) {
  for (nb::handle plan : plans) {
    columns_.push_back(MakeColumnEncoder(plan, support_, source_rules));
    has_variant_ = has_variant_ || PlanHasVariant(plan);
  }
  if (columns_.size() != fields_.width()) {
    throw std::invalid_argument("a row encoder needs one plan per name");
  }
}

nb::object RowEncoder::EncodeRows(nb::handle rows) {
  if (!PyList_CheckExact(rows.ptr())) throw nb::type_error("rows must be a list");
  if (busy_) return nb::none();
  BusyScope busy(busy_);
  if (!StartBatch()) return Declined();
  PyObject* list = rows.ptr();
  const Py_ssize_t size = PyList_GET_SIZE(list);
  for (Py_ssize_t i = 0; i < size; ++i) {
    if (PyList_GET_SIZE(list) != size) return Declined();
    nb::object row = nb::borrow(PyList_GET_ITEM(list, i));
    if (!AppendRow(row.ptr())) return Declined();
  }
  if (PyList_GET_SIZE(list) != size) return Declined();
  return Finish();
}

nb::object RowEncoder::EncodeColumns(nb::handle columns) {
  if (!PyList_CheckExact(columns.ptr())) throw nb::type_error("columns must be a list");
  if (busy_) return nb::none();
  BusyScope busy(busy_);
  PyObject* list = columns.ptr();
  if (PyList_GET_SIZE(list) != static_cast<Py_ssize_t>(columns_.size()) ||
      !StartBatch()) {
    return Declined();
  }
  Py_ssize_t num_rows = -1;
  for (size_t k = 0; k < columns_.size(); ++k) {
    nb::object column = nb::borrow(PyList_GET_ITEM(list, k));
    if (!PyList_CheckExact(column.ptr())) return Declined();
    const Py_ssize_t size = PyList_GET_SIZE(column.ptr());
    if (num_rows < 0) num_rows = size;
    if (size != num_rows) return Declined();
    for (Py_ssize_t i = 0; i < size; ++i) {
      if (PyList_GET_SIZE(column.ptr()) != size) return Declined();
      nb::object value = nb::borrow(PyList_GET_ITEM(column.ptr(), i));
      if (!columns_[k]->Append(value.ptr())) return Declined();
    }
    if (PyList_GET_SIZE(column.ptr()) != size) return Declined();
  }
  return Finish();
}

bool RowEncoder::StartBatch() {
  Forget();  // a call that threw (out of memory) may have left a batch behind
  if (!has_variant_) return true;
  // Real pyspark's VariantVal counts once a source has imported it: asked every batch.
  PyObject* classes = PyObject_CallNoArgs(support_.variant_classes_of.ptr());
  if (classes == nullptr) return false;
  support_.variant_classes = nb::steal(classes);
  return true;
}

// A row as _rows_to_columns takes it: an exact tuple of the right width in place,
// anything else through _struct_fields.
bool RowEncoder::AppendRow(PyObject* row) {
  if (PyTuple_CheckExact(row) &&
      PyTuple_GET_SIZE(row) == static_cast<Py_ssize_t>(columns_.size())) {
    for (size_t k = 0; k < columns_.size(); ++k) {
      if (!columns_[k]->Append(PyTuple_GET_ITEM(row, k))) return false;
    }
    return true;
  }
  if (!fields_.Find(row, scratch_)) return false;
  for (size_t k = 0; k < columns_.size(); ++k) {
    if (!columns_[k]->Append(scratch_[k].ptr())) return false;
  }
  return true;
}

nb::object RowEncoder::Finish() {
  for (const auto& column : columns_) {
    if (!column->EndBatch()) return Declined();
  }
  if (PyErr_Occurred() != nullptr) return Declined();
  Body body;
  for (const auto& column : columns_) column->Emit(body);
  nb::tuple encoded = body.Finish();
  Forget();
  return encoded;
}

// Drops the batch: the memory Recycle does not keep, and the references to the last
// values.
void RowEncoder::Forget() {
  for (const auto& column : columns_) column->Reset();
  scratch_.clear();
}

// An exception that is not an Exception (KeyboardInterrupt, SystemExit) belongs to the
// interpreter, not to the data: it propagates. Any other is the Python encoder's to raise
// when it encodes the batch.
nb::object RowEncoder::Declined() {
  Forget();
  if (PyErr_Occurred() != nullptr) {
    if (PyErr_ExceptionMatches(PyExc_Exception) == 0) throw nb::python_error();
    PyErr_Clear();
  }
  return nb::none();
}

}  // namespace rivulet::rowcodec
