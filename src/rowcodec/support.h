#pragma once

// The Python objects the column encoders use, and the one check they share on values of
// types other than the builtin ones.

#include <nanobind/nanobind.h>

#include <vector>

namespace rivulet::rowcodec {

// The Python objects the encoders use, from the package: one per row encoder, shared by
// its column encoders.
struct Support {
  // `objects` maps the names the wrapper (rivulet._arrow_ipc.compiled) gives them to the
  // objects: decimal, decimal_context, utc, row, variant_val, variant_classes, same_row,
  // array (array.array), plain_types (the types whose == never calls None equal) and
  // compares_in_python (a class with an __eq__).
  explicit Support(const nanobind::dict& objects);

  nanobind::object decimal_type;
  nanobind::object decimal_context;  // _DECIMAL_CONTEXT: exact shifts by up to 38 places
  nanobind::object utc;
  nanobind::object row_type;
  nanobind::object variant_type;        // rivulet's VariantVal, checked by identity first
  nanobind::object variant_classes_of;  // _variant_classes: called once per batch
  nanobind::object variant_classes;     // its result for the current batch
  nanobind::object same_row;            // rows(i) for the per-value methods: i
  nanobind::object array_type;
  nanobind::object empty_bytes;
  std::vector<richcmpfunc> plain_comparisons;
};

// Whether the Python encoder's `None in values` could take `value` (not None) for a null:
// only an object whose __eq__ says it equals None, or raises. The comparisons of the
// builtin types never do, so only other types pay for the call.
[[nodiscard]] bool MayEqualNone(PyObject* value, const Support& support);

}  // namespace rivulet::rowcodec
