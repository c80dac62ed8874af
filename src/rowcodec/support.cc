#include "rowcodec/support.h"

#include <algorithm>
#include <stdexcept>

namespace nb = nanobind;

namespace rivulet::rowcodec {
namespace {

PyTypeObject* TypeOf(nb::handle type) {
  if (!PyType_Check(type.ptr())) throw std::invalid_argument("expected a type");
  return reinterpret_cast<PyTypeObject*>(type.ptr());
}

}  // namespace

Support::Support(const nb::dict& objects)
    : decimal_type(objects["decimal"]),
      decimal_context(objects["decimal_context"]),
      utc(objects["utc"]),
      row_type(objects["row"]),
      variant_type(objects["variant_val"]),
      variant_classes_of(objects["variant_classes"]),
      variant_classes(nb::make_tuple(variant_type)),
      same_row(objects["same_row"]),
      array_type(objects["array"]),
      empty_bytes(nb::bytes("", 0)) {
  // A type without comparisons of its own compares with None by identity. A plain type
  // defined in Python (the pure-Python decimal module's Decimal, say) has the comparison
  // slot of every class with an __eq__, which must not count as plain.
  plain_comparisons.push_back(nullptr);
  const richcmpfunc calls_eq = TypeOf(objects["compares_in_python"])->tp_richcompare;
  for (nb::handle type : nb::iter(objects["plain_types"])) {
    const richcmpfunc compare = TypeOf(type)->tp_richcompare;
    if (compare != calls_eq) plain_comparisons.push_back(compare);
  }
}

bool MayEqualNone(PyObject* value, const Support& support) {
  const richcmpfunc compare = Py_TYPE(value)->tp_richcompare;
  const auto& plain = support.plain_comparisons;
  if (std::find(plain.begin(), plain.end(), compare) != plain.end()) return false;
  return PyObject_RichCompareBool(value, Py_None, Py_EQ) != 0;
}

}  // namespace rivulet::rowcodec
