// STRUCT and VARIANT: _Column._struct and _variant. A value's fields go to the child
// encoders as they are read, so that each child sees its values in the Python encoder's
// order.

#include <stdexcept>
#include <utility>
#include <vector>

#include "rowcodec/column_buffers.h"
#include "rowcodec/column_encoder.h"
#include "rowcodec/python_values.h"
#include "rowcodec/struct_fields.h"

namespace nb = nanobind;

namespace rivulet::rowcodec {
namespace {

// STRUCT: a child per field. Under a null struct each child takes its placeholder,
// _Column.zero()'s: None for a nullable child, a zero value for a NOT NULL one.
class StructEncoder final : public ColumnEncoder {
 public:
  explicit StructEncoder(ColumnSpec&& spec)
      : nullable_(spec.nullable),
        support_(*spec.support),
        fields_(spec.column.attr("names"), *spec.support, spec.source_rules),
        placeholder_(nb::borrow<nb::tuple>(spec.column.attr("zero")())),
        children_(std::move(spec.children)) {
    if (placeholder_.size() != children_.size() || fields_.width() != children_.size()) {
      throw std::invalid_argument(
          "a struct's names, placeholder and children differ in number");
    }
  }

  bool Append(PyObject* value) override {
    if (PyTuple_CheckExact(value)) {
      if (PyTuple_GET_SIZE(value) != static_cast<Py_ssize_t>(children_.size()))
        return false;
      nb::object hold = nb::borrow(value);
      return AppendFields([value](size_t k) { return PyTuple_GET_ITEM(value, k); });
    }
    if (value == Py_None) {
      if (!nullable_) return false;
      validity_.AppendNull();
      PyObject* placeholder = placeholder_.ptr();
      return AppendChildren(
          [placeholder](size_t k) { return PyTuple_GET_ITEM(placeholder, k); });
    }
    if (MayEqualNone(value, support_) || !fields_.Find(value, scratch_)) return false;
    return AppendFields([this](size_t k) { return scratch_[k].ptr(); });
  }
  bool EndBatch() override {
    for (const auto& child : children_) {
      if (!child->EndBatch()) return false;
    }
    return true;
  }
  void Emit(Body& body) const override {
    validity_.EmitTo(body);
    for (const auto& child : children_) child->Emit(body);
  }
  void Reset() override {
    validity_.Reset();
    for (const auto& child : children_) child->Reset();
    scratch_.clear();
  }

 private:
  template <typename Field>
  bool AppendChildren(Field field) {
    for (size_t k = 0; k < children_.size(); ++k) {
      if (!children_[k]->Append(field(k))) return false;
    }
    return true;
  }
  template <typename Field>
  bool AppendFields(Field field) {
    if (!AppendChildren(field)) return false;
    validity_.AppendValid();
    return true;
  }

  const bool nullable_;
  const Support& support_;
  StructFields fields_;
  nb::tuple placeholder_;
  std::vector<std::unique_ptr<ColumnEncoder>> children_;
  std::vector<nb::object>
      scratch_;  // one value's fields; no Append re-enters this encoder
  Validity validity_;
};

// VARIANT: a struct of the VariantVal's value and metadata bytes; only a VariantVal (of
// the classes _variant_classes() gives for the batch) is taken.
class VariantEncoder final : public ColumnEncoder {
 public:
  explicit VariantEncoder(ColumnSpec&& spec)
      : nullable_(spec.nullable),
        support_(*spec.support),
        value_attribute_(nb::steal(Name("value"))),
        metadata_attribute_(nb::steal(Name("metadata"))),
        value_(std::move(spec.children.at(0))),
        metadata_(std::move(spec.children.at(1))) {
    if (!value_attribute_.is_valid() || !metadata_attribute_.is_valid()) {
      throw nb::python_error();
    }
  }

  bool Append(PyObject* value) override {
    if (value == Py_None) {
      if (!nullable_) return false;
      validity_.AppendNull();
      return value_->Append(support_.empty_bytes.ptr()) &&
             metadata_->Append(support_.empty_bytes.ptr());
    }
    if (!Py_IS_TYPE(value,
                    reinterpret_cast<PyTypeObject*>(support_.variant_type.ptr())) &&
        !IsInstance(value, support_.variant_classes)) {
      return false;
    }
    if (MayEqualNone(value, support_)) return false;
    nb::object hold = nb::borrow(value);
    nb::object bytes = nb::steal(PyObject_GetAttr(value, value_attribute_.ptr()));
    if (!bytes.is_valid() || !value_->Append(bytes.ptr())) return false;
    nb::object metadata = nb::steal(PyObject_GetAttr(value, metadata_attribute_.ptr()));
    if (!metadata.is_valid() || !metadata_->Append(metadata.ptr())) return false;
    validity_.AppendValid();
    return true;
  }
  bool EndBatch() override { return value_->EndBatch() && metadata_->EndBatch(); }
  void Emit(Body& body) const override {
    validity_.EmitTo(body);
    value_->Emit(body);
    metadata_->Emit(body);
  }
  void Reset() override {
    validity_.Reset();
    value_->Reset();
    metadata_->Reset();
  }

 private:
  const bool nullable_;
  const Support& support_;
  nb::object value_attribute_;
  nb::object metadata_attribute_;
  std::unique_ptr<ColumnEncoder> value_;
  std::unique_ptr<ColumnEncoder> metadata_;
  Validity validity_;
};

}  // namespace

std::unique_ptr<ColumnEncoder> MakeStructEncoder(ColumnSpec&& spec) {
  return std::make_unique<StructEncoder>(std::move(spec));
}

std::unique_ptr<ColumnEncoder> MakeVariantEncoder(ColumnSpec&& spec) {
  return std::make_unique<VariantEncoder>(std::move(spec));
}

}  // namespace rivulet::rowcodec
