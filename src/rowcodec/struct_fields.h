#pragma once

// The field values of a struct value, or of a row, in schema order, found as encoder.py
// finds them: _struct_fields for rows and for structs without source rules (a dict by
// name, a tuple or list by position, a Row that has names by name), _source_struct_fields
// for structs under source rules (a tuple or Row by position, a dict by name, any other
// object by the names of its attributes).

#include <nanobind/nanobind.h>

#include <vector>

#include "rowcodec/column_encoder.h"

namespace rivulet::rowcodec {

class StructFields {
 public:
  // `names`: the struct's field names (str), in schema order.
  StructFields(nanobind::handle names, const Support& support, bool source_rules);

  size_t width() const { return names_.size(); }

  // Fills `out` with new references to the values of `value`'s fields, which keeps them
  // alive however user code run later changes `value`. False (maybe with a Python error
  // pending) if `value` is not a struct value, has another number of fields, or behaves
  // in a way the Python encoder's len() and iteration might see otherwise.
  [[nodiscard]] bool Find(PyObject* value, std::vector<nanobind::object>& out) const;

 private:
  bool ByName(PyObject* mapping, std::vector<nanobind::object>& out) const;
  bool ByRowNames(PyObject* row, PyObject* row_names,
                  std::vector<nanobind::object>& out) const;
  bool ByPosition(PyObject* sequence, std::vector<nanobind::object>& out) const;

  std::vector<nanobind::object> names_;
  const Support& support_;
  const bool source_rules_;
  nanobind::object tuple_or_list_;
  nanobind::object get_;
  nanobind::object fields_attribute_;  // "__fields__"
  nanobind::object dict_attribute_;    // "__dict__"
};

// getattr(value, name, None): a new reference, None for a missing attribute, or null with
// the error pending for any other failure.
nanobind::object AttributeOrNone(PyObject* value, PyObject* name);

}  // namespace rivulet::rowcodec
