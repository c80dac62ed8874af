#pragma once

// The compiled counterpart of writer.py's _record_batch(_rows_to_columns(rows, schema),
// ...): a list of rows (or of column values) to the field nodes, buffers and body of one
// record batch, in one pass, or None when the Python encoder must encode the batch
// instead (see column_encoder.h for the contract that makes the two agree).
//
// Built once per schema and rule set; not thread-safe (it needs the GIL anyway), and a
// call made while another runs (from user code inside a conversion) declines.

#include <nanobind/nanobind.h>

#include <memory>
#include <vector>

#include "rowcodec/column_encoder.h"
#include "rowcodec/struct_fields.h"

namespace rivulet::rowcodec {

class RowEncoder {
 public:
  // `plans`: one plan node per top-level field (compiled.py's _plan); `names`: the
  // fields' names; `support`: the objects Support names.
  RowEncoder(const nanobind::list& plans, const nanobind::list& names, bool source_rules,
             const nanobind::dict& support);
  RowEncoder(const RowEncoder&) = delete;
  RowEncoder& operator=(const RowEncoder&) = delete;

  // (nodes, buffers, body) of `rows`, a list of tuples, lists, dicts or Rows, or None.
  nanobind::object EncodeRows(nanobind::handle rows);
  // The same for `columns`, a list of one list of values per field.
  nanobind::object EncodeColumns(nanobind::handle columns);

 private:
  bool StartBatch();
  bool AppendRow(PyObject* row);
  nanobind::object Finish();
  nanobind::object Declined();
  void Forget();

  Support support_;  // before the encoders, which refer to it
  StructFields fields_;
  std::vector<std::unique_ptr<ColumnEncoder>> columns_;
  std::vector<nanobind::object> scratch_;  // one row's values
  bool has_variant_ = false;
  bool busy_ = false;
};

}  // namespace rivulet::rowcodec
