// rivulet._rowcodec: the compiled row encoder of the Python workers. The package's
// rivulet._arrow_ipc.compiled builds a RowEncoder per schema and rule set from the
// pure-Python encoder's columns and falls back to them whenever it declines a batch. The
// module links nothing of the engine.

#include <nanobind/nanobind.h>

#include "rowcodec/column_encoder.h"
#include "rowcodec/row_encoder.h"

namespace nb = nanobind;
using namespace nb::literals;

// NOLINTNEXTLINE(performance-unnecessary-value-param): the macro's own signature
NB_MODULE(_rowcodec, m) {
  m.doc() =
      "The compiled row encoder: rows to the body of an Arrow IPC record batch, byte for "
      "byte "
      "as rivulet._arrow_ipc.encoder encodes them, or None where that encoder must.";
  rivulet::rowcodec::ImportDatetimeApi();
  using rivulet::rowcodec::RowEncoder;
  nb::class_<RowEncoder>(m, "RowEncoder")
      .def(nb::init<const nb::list&, const nb::list&, bool, const nb::dict&>(), "plans"_a,
           "names"_a, "source_rules"_a, "support"_a)
      .def("encode_rows", &RowEncoder::EncodeRows, "rows"_a,
           "(nodes, buffers, body) of a list of rows as one record batch, or None.")
      .def("encode_columns", &RowEncoder::EncodeColumns, "columns"_a,
           "(nodes, buffers, body) of a list of value lists, one per field, or None.");
}
