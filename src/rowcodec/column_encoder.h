#pragma once

// The column encoders of rivulet._rowcodec: each mirrors one _Column of the pure-Python
// encoder (python/rivulet/_arrow_ipc/encoder.py) and takes that column's values one at a
// time, in row order, as the rows are read.
//
// The contract every encoder keeps, and the reason the module may stand in for the Python
// encoder: Append returns false ("declines") for every value the Python encoder refuses,
// and also for values whose handling it cannot vouch for (a subclass that overrides what
// the Python encoder relies on, a container that changes size while it is read); a Python
// exception may then be pending. The row encoder then gives up on the batch and the
// Python encoder encodes it, so that its checks word every error. When every Append of a
// batch returned true and EndBatch too, Emit writes exactly the nodes and buffers the
// Python encoder writes for the same values.
//
// All calls need the GIL. User code may run inside Append (a value's __str__, a tzinfo, a
// dict subclass's get): it must not change the rows being encoded. If it does, the batch
// may come out otherwise than from the Python encoder (which gathers a batch's values
// before it converts them), but every object read is held by a reference while it is
// used.
//
// Encoders keep their buffers in column_buffers.h's BitWriter, Validity and Offsets.

#include <nanobind/nanobind.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "rowcodec/body.h"
#include "rowcodec/support.h"

namespace rivulet::rowcodec {

class ColumnEncoder {
 public:
  virtual ~ColumnEncoder() = default;

  // Takes the next value of the batch (a borrowed reference); false to decline.
  [[nodiscard]] virtual bool Append(PyObject* value) = 0;
  // The checks that need the whole batch; false to decline.
  [[nodiscard]] virtual bool EndBatch() { return true; }
  // The field's node and buffers, then its children's, depth first. The buffers stay
  // this encoder's: the body reads them before the next Reset.
  virtual void Emit(Body& body) const = 0;
  // Forgets the batch and keeps the memory for the next one.
  virtual void Reset() = 0;
};

// What every encoder is built from: the _Column it mirrors (its parameters, and its
// per-value methods for the values the compiled code leaves to Python), the rule set and
// the encoders of its children, in _Column.children's order.
struct ColumnSpec {
  nanobind::handle column;
  bool nullable = true;
  bool source_rules = false;
  const Support* support = nullptr;
  std::vector<std::unique_ptr<ColumnEncoder>> children;
};

// The encoder of a plan node, (kind, column, children) as compiled.py's _plan makes it.
// Throws (nanobind::python_error or std::invalid_argument) on a malformed plan.
std::unique_ptr<ColumnEncoder> MakeColumnEncoder(nanobind::handle plan,
                                                 const Support& support,
                                                 bool source_rules);

// The encoder factories, one per family of kinds (their .cc files); a nested kind's takes
// the spec's children.
std::unique_ptr<ColumnEncoder> MakeNullEncoder(ColumnSpec&& spec);
std::unique_ptr<ColumnEncoder> MakeBooleanEncoder(ColumnSpec&& spec);
std::unique_ptr<ColumnEncoder> MakeIntegerEncoder(ColumnSpec&& spec);
std::unique_ptr<ColumnEncoder> MakeFloatingEncoder(ColumnSpec&& spec);
std::unique_ptr<ColumnEncoder> MakeDecimalEncoder(ColumnSpec&& spec);
std::unique_ptr<ColumnEncoder> MakeStringEncoder(ColumnSpec&& spec);
std::unique_ptr<ColumnEncoder> MakeBinaryEncoder(ColumnSpec&& spec);
std::unique_ptr<ColumnEncoder> MakeDateEncoder(ColumnSpec&& spec);
std::unique_ptr<ColumnEncoder> MakeTimestampEncoder(ColumnSpec&& spec);
std::unique_ptr<ColumnEncoder> MakeTimestampNtzEncoder(ColumnSpec&& spec);
std::unique_ptr<ColumnEncoder> MakeIntervalEncoder(ColumnSpec&& spec);
std::unique_ptr<ColumnEncoder> MakeVariantEncoder(ColumnSpec&& spec);
std::unique_ptr<ColumnEncoder> MakeArrayEncoder(ColumnSpec&& spec);
std::unique_ptr<ColumnEncoder> MakeMapEncoder(ColumnSpec&& spec);
std::unique_ptr<ColumnEncoder> MakeStructEncoder(ColumnSpec&& spec);

// Imports the datetime C API (temporal_encoders.cc is the one file that uses it); call
// once from the module's init.
void ImportDatetimeApi();

}  // namespace rivulet::rowcodec
