#pragma once

// Internals of the Arrow IPC reader (reader.h), shared by its three units:
//
//   reader_schema.cc   plans a flatbuffer Schema: the engine's schema, and how to read
//                      each column of it (SchemaPlan);
//   reader_columns.cc  turns a record batch's or a dictionary batch's buffers into
//                      columns: range checks, decompression, conversion to the engine's
//                      layout, dictionary decoding;
//   reader.cc          frames messages in streams and files, reads the file footer, and
//                      implements the public readers.

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ipc/arrow_format_generated.h"
#include "rivulet/record_batch.h"
#include "rivulet/schema.h"
#include "rivulet/status.h"

namespace rivulet::ipc::internal {

// Keeps the bytes that zero-copy buffers point into alive.
using Owner = std::shared_ptr<const void>;

inline Status Corrupt(const std::string& message) { return Status::Corruption(message); }

inline Status ColumnError(const std::string& path, const std::string& message) {
  return Status::Corruption("column '" + path + "': " + message);
}

template <typename T>
T LoadUnaligned(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// The flatbuffers verifier checks a vector's length field but not that its 8-byte structs
// are aligned; every Arrow writer aligns them, and reading misaligned ones is undefined.
template <typename T>
Status CheckStructVector(const flatbuffers::Vector<const T*>* v, const char* what) {
  if (v != nullptr && reinterpret_cast<uintptr_t>(v->Data()) % alignof(T) != 0) {
    return Corrupt(std::string(what) + " vector is misaligned");
  }
  return Status::OK();
}

// ---- schema planning (reader_schema.cc) ----

// How a column is laid out on the wire, before conversion to the engine's layout.
enum class Wire {
  kNull,
  kBool,
  kInt,
  kFloat32,
  kFloat64,
  kDecimal128,
  kDate32,
  kDate64,
  kTimestamp,
  kDuration,
  kUtf8,
  kBinary,
  kLargeUtf8,
  kLargeBinary,
  kFixedSizeBinary,
  kList,
  kLargeList,
  kFixedSizeList,
  kStruct,
  kMap,
};

struct FieldPlan {
  std::string path;  // dotted, for error messages
  Wire wire = Wire::kNull;
  int bit_width = 0;      // kInt
  bool is_signed = true;  // kInt
  int fixed_size = 0;     // kFixedSizeBinary bytes, kFixedSizeList values
  fb::TimeUnit unit = fb::TimeUnit::Microsecond;  // kTimestamp, kDuration
  DataTypePtr type;                               // the engine type
  bool nullable = true;
  // Dictionary-encoded: the wire carries integer indices into dictionary `dictionary_id`,
  // whose values have the layout described by the rest of this plan.
  bool dictionary = false;
  int64_t dictionary_id = 0;
  int index_bit_width = 0;
  bool index_signed = true;
  std::vector<FieldPlan> children;
};

// The decoded schema: the engine's schema, and how to read each column.
struct SchemaPlan {
  std::shared_ptr<const Schema> schema;
  std::vector<FieldPlan> fields;
  // Dictionary id -> the field it encodes (pointing into `fields`).
  std::map<int64_t, const FieldPlan*> dictionaries;
};

// Plans a schema message (or a file footer's schema). Arrow types outside the engine's
// type set map to the nearest engine type or are refused as unsupported.
Result<std::unique_ptr<SchemaPlan>> PlanSchema(const fb::Schema* schema);

// "s", "ms", "us" or "ns", for messages.
std::string UnitName(fb::TimeUnit unit);

// ---- column loading (reader_columns.cc) ----

// Dictionary id -> the values decoded so far.
using Dictionaries = std::map<int64_t, ArrayDataPtr>;

// Decodes a record batch whose body is [body, body + body_length); its columns point into
// the body where the layout allows, and `owner` keeps the body alive.
Result<RecordBatchPtr> LoadRecordBatch(const SchemaPlan& schema_plan,
                                       const Dictionaries& dictionaries,
                                       const fb::RecordBatch* rb, const uint8_t* body,
                                       int64_t body_length, Owner owner);

// Decodes a dictionary batch into *dictionaries, replacing the dictionary of its id or,
// for a delta, appending to it.
Status LoadDictionaryBatch(const SchemaPlan& schema_plan, const fb::DictionaryBatch* db,
                           const uint8_t* body, int64_t body_length, Owner owner,
                           Dictionaries* dictionaries);

}  // namespace rivulet::ipc::internal
