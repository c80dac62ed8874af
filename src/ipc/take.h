#pragma once

// Gathers values from one or more arrays of the same engine type into a new array: the
// reader uses it to decode dictionary-encoded columns and to append delta dictionaries.

#include <cstdint>
#include <vector>

#include "rivulet/record_batch.h"

namespace rivulet::ipc {

struct TakeRef {
  int32_t source;  // index into the sources
  int64_t index;   // logical index in that source; -1 for a null
};

// The result has one value per ref and the type of sources[0]. Refs must be in range: the
// caller checks them against its input.
Result<ArrayDataPtr> Take(const std::vector<const ArrayData*>& sources,
                          const std::vector<TakeRef>& refs);

}  // namespace rivulet::ipc
