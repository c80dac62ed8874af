#include "ipc/flatbuffer_writer.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace rivulet::ipc {
namespace {

void PadTo(std::string* out, size_t multiple, size_t remainder) {
  while (out->size() % multiple != remainder) out->push_back('\0');
}

void PutLittleEndian(std::string* out, size_t pos, uint64_t bits, int size) {
  for (int i = 0; i < size; ++i)
    (*out)[pos + i] = static_cast<char>((bits >> (8 * i)) & 0xff);
}

void AppendLittleEndian(std::string* out, uint64_t bits, int size) {
  out->append(size, '\0');
  PutLittleEndian(out, out->size() - size, bits, size);
}

// Points the uoffset at `at` to `target`, which lies after it.
void PatchOffset(std::string* out, size_t at, size_t target) {
  assert(target > at);
  PutLittleEndian(out, at, target - at, 4);
}

uint32_t WriteString(std::string* out, std::string_view s) {
  PadTo(out, 4, 0);
  auto pos = static_cast<uint32_t>(out->size());
  AppendLittleEndian(out, s.size(), 4);
  out->append(s);
  out->push_back('\0');
  return pos;
}

}  // namespace

FlatTable& FlatTable::Add(Entry entry) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), entry.slot,
                             [](const Entry& e, int slot) { return e.slot < slot; });
  assert(it == entries_.end() || it->slot != entry.slot);
  entries_.insert(it, std::move(entry));
  return *this;
}

FlatTable& FlatTable::AddScalar(int slot, uint64_t bits, int size) {
  Entry e;
  e.slot = slot;
  e.kind = Kind::kScalar;
  e.size = size;
  e.bits = bits;
  return Add(std::move(e));
}

FlatTable& FlatTable::AddString(int slot, std::string_view s) {
  Entry e;
  e.slot = slot;
  e.kind = Kind::kString;
  e.size = 4;
  e.bytes = std::string(s);
  return Add(std::move(e));
}

FlatTable& FlatTable::AddTable(int slot, FlatTable table) {
  Entry e;
  e.slot = slot;
  e.kind = Kind::kTable;
  e.size = 4;
  e.tables.push_back(std::move(table));
  return Add(std::move(e));
}

FlatTable& FlatTable::AddTableVector(int slot, std::vector<FlatTable> tables) {
  Entry e;
  e.slot = slot;
  e.kind = Kind::kTableVector;
  e.size = 4;
  e.tables = std::move(tables);
  return Add(std::move(e));
}

FlatTable& FlatTable::AddAligned8Vector(int slot, std::string bytes, uint32_t count) {
  Entry e;
  e.slot = slot;
  e.kind = Kind::kAligned8Vector;
  e.size = 4;
  e.bytes = std::move(bytes);
  e.count = count;
  return Add(std::move(e));
}

uint32_t FlatTable::WriteTo(std::string* out) const {
  // Inline layout: the soffset, then each field aligned to its own width, in slot order.
  std::vector<uint16_t> field_offsets(entries_.size());
  size_t inline_size = 4;
  for (size_t i = 0; i < entries_.size(); ++i) {
    size_t width = entries_[i].size;
    inline_size = (inline_size + width - 1) / width * width;
    field_offsets[i] = static_cast<uint16_t>(inline_size);
    inline_size += width;
  }
  size_t num_slots = entries_.empty() ? 0 : entries_.back().slot + 1;
  size_t vtable_size = 4 + 2 * num_slots;

  // Zero bytes before the vtable so that the table right after it is 8-byte aligned.
  while ((out->size() + vtable_size) % 8 != 0) out->push_back('\0');
  size_t vtable_pos = out->size();
  AppendLittleEndian(out, vtable_size, 2);
  AppendLittleEndian(out, inline_size, 2);
  out->append(2 * num_slots, '\0');
  for (size_t i = 0; i < entries_.size(); ++i) {
    PutLittleEndian(out, vtable_pos + 4 + 2 * static_cast<size_t>(entries_[i].slot),
                    field_offsets[i], 2);
  }

  size_t table_pos = out->size();
  out->append(inline_size, '\0');
  PutLittleEndian(out, table_pos, table_pos - vtable_pos, 4);
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].kind == Kind::kScalar) {
      PutLittleEndian(out, table_pos + field_offsets[i], entries_[i].bits,
                      entries_[i].size);
    }
  }

  // Children, in slot order, each written completely (depth first) before the next.
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    size_t field_pos = table_pos + field_offsets[i];
    switch (e.kind) {
      case Kind::kScalar:
        break;
      case Kind::kString:
        PatchOffset(out, field_pos, WriteString(out, e.bytes));
        break;
      case Kind::kTable:
        PatchOffset(out, field_pos, e.tables[0].WriteTo(out));
        break;
      case Kind::kTableVector: {
        PadTo(out, 4, 0);
        size_t vector_pos = out->size();
        AppendLittleEndian(out, e.tables.size(), 4);
        out->append(4 * e.tables.size(), '\0');
        PatchOffset(out, field_pos, vector_pos);
        for (size_t j = 0; j < e.tables.size(); ++j) {
          size_t element_pos = vector_pos + 4 + 4 * j;
          PatchOffset(out, element_pos, e.tables[j].WriteTo(out));
        }
        break;
      }
      case Kind::kAligned8Vector: {
        PadTo(out, 8, 4);
        size_t vector_pos = out->size();
        AppendLittleEndian(out, e.count, 4);
        out->append(e.bytes);
        PatchOffset(out, field_pos, vector_pos);
        break;
      }
    }
  }
  return static_cast<uint32_t>(table_pos);
}

std::string FlatTable::Finish() const {
  std::string out(4, '\0');
  uint32_t root = WriteTo(&out);
  PutLittleEndian(&out, 0, root, 4);
  PadTo(&out, 8, 0);
  return out;
}

}  // namespace rivulet::ipc
