#pragma once

// A small flatbuffer writer whose output depends only on the tables it is given, so that
// a second implementation (python/rivulet/arrow_ipc.py) following the same rules emits
// the same bytes. The rules (docs/format/arrow-ipc.md, "Flatbuffer layout"):
//   - the buffer starts with the root table's uoffset; objects follow front to back, each
//     child after the object that points to it, children in slot order, depth first;
//   - a table is its vtable followed directly by the table; zero bytes are inserted
//     before the vtable so that the table starts 8-byte aligned; the table's inline
//     fields follow its soffset in slot order, each aligned to its size within the table;
//   - strings and vectors of tables start 4-byte aligned; vectors of 8-byte structs and
//     of longs are placed so that their elements are 8-byte aligned;
//   - the finished buffer is zero-padded to a multiple of 8 bytes.
// Padding is always zero bytes. Fields are written exactly as added: no default elision
// and no vtable sharing.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rivulet::ipc {

class FlatTable {
 public:
  // Scalars; `slot` is the field's index in its table (the union type field of a union
  // `u` is slot(u) - 1 and takes a uint8).
  FlatTable& AddBool(int slot, bool v) { return AddScalar(slot, v ? 1 : 0, 1); }
  FlatTable& AddInt8(int slot, int8_t v) {
    return AddScalar(slot, static_cast<uint8_t>(v), 1);
  }
  FlatTable& AddUint8(int slot, uint8_t v) { return AddScalar(slot, v, 1); }
  FlatTable& AddInt16(int slot, int16_t v) {
    return AddScalar(slot, static_cast<uint16_t>(v), 2);
  }
  FlatTable& AddInt32(int slot, int32_t v) {
    return AddScalar(slot, static_cast<uint32_t>(v), 4);
  }
  FlatTable& AddInt64(int slot, int64_t v) {
    return AddScalar(slot, static_cast<uint64_t>(v), 8);
  }
  // Objects referenced by offset.
  FlatTable& AddString(int slot, std::string_view s);
  FlatTable& AddTable(int slot, FlatTable table);
  FlatTable& AddTableVector(int slot, std::vector<FlatTable> tables);
  // A vector of `count` fixed-size elements needing 8-byte alignment (structs made of
  // longs, or longs), given as their little-endian bytes.
  FlatTable& AddAligned8Vector(int slot, std::string bytes, uint32_t count);

  // The finished flatbuffer with this table as its root.
  std::string Finish() const;

 private:
  enum class Kind { kScalar, kString, kTable, kTableVector, kAligned8Vector };
  struct Entry {
    int slot = 0;
    Kind kind = Kind::kScalar;
    int size = 0;        // inline width: scalar width, or 4 for an offset
    uint64_t bits = 0;   // scalar value
    std::string bytes;   // string contents or vector element bytes
    uint32_t count = 0;  // vector length
    std::vector<FlatTable> tables;
  };

  FlatTable& AddScalar(int slot, uint64_t bits, int size);
  FlatTable& Add(Entry entry);
  uint32_t WriteTo(std::string* out) const;

  std::vector<Entry> entries_;  // kept sorted by slot
};

}  // namespace rivulet::ipc
