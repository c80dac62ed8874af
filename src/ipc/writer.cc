#include "ipc/writer.h"

#include <errno.h>
#include <unistd.h>

#include <bit>
#include <cstring>
#include <deque>

#include "core/layout.h"
#include "ipc/compression.h"
#include "ipc/flatbuffer_writer.h"
#include "ipc/format_internal.h"

namespace rivulet::ipc {

namespace in = internal;
namespace slot = internal::slot;

Status StringSink::Write(const void* data, size_t size) {
  out_->append(static_cast<const char*>(data), size);
  return Status::OK();
}

Status FdSink::Write(const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd_, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("writing to " + description_ + ": " + std::strerror(errno));
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return Status::OK();
}

namespace {

// ---- schema ----

FlatTable FieldTable(const std::string& name, const DataType& type, bool nullable,
                     const std::map<std::string, std::string>& metadata);
FlatTable FieldTable(const Field& f);

FlatTable IntTable(int bits) {
  FlatTable t;
  t.AddInt32(0, bits).AddBool(1, true);
  return t;
}

// The Arrow type of an engine type: union member id, type table, child fields.
void DescribeType(const DataType& type, uint8_t* id, FlatTable* table,
                  std::vector<FlatTable>* children) {
  static const std::map<std::string, std::string> kNoMetadata;
  switch (type.id()) {
    case TypeId::kNull:
      *id = in::type_id::kNull;
      return;
    case TypeId::kBoolean:
      *id = in::type_id::kBool;
      return;
    case TypeId::kByte:
      *id = in::type_id::kInt;
      *table = IntTable(8);
      return;
    case TypeId::kShort:
      *id = in::type_id::kInt;
      *table = IntTable(16);
      return;
    case TypeId::kInt:
      *id = in::type_id::kInt;
      *table = IntTable(32);
      return;
    case TypeId::kLong:
      *id = in::type_id::kInt;
      *table = IntTable(64);
      return;
    case TypeId::kFloat:
      *id = in::type_id::kFloatingPoint;
      table->AddInt16(0, in::kPrecisionSingle);
      return;
    case TypeId::kDouble:
      *id = in::type_id::kFloatingPoint;
      table->AddInt16(0, in::kPrecisionDouble);
      return;
    case TypeId::kDecimal:
      *id = in::type_id::kDecimal;
      table->AddInt32(0, type.precision()).AddInt32(1, type.scale()).AddInt32(2, 128);
      return;
    case TypeId::kString:
      *id = in::type_id::kUtf8;
      return;
    case TypeId::kBinary:
      *id = in::type_id::kBinary;
      return;
    case TypeId::kDate:
      *id = in::type_id::kDate;
      table->AddInt16(0, in::kDateUnitDay);
      return;
    case TypeId::kTimestamp:
      *id = in::type_id::kTimestamp;
      table->AddInt16(0, in::kTimeUnitMicrosecond).AddString(1, "UTC");
      return;
    case TypeId::kTimestampNtz:
      *id = in::type_id::kTimestamp;
      table->AddInt16(0, in::kTimeUnitMicrosecond);
      return;
    case TypeId::kDayTimeInterval:
      *id = in::type_id::kDuration;
      table->AddInt16(0, in::kTimeUnitMicrosecond);
      return;
    case TypeId::kArray:
      *id = in::type_id::kList;
      children->push_back(
          FieldTable("element", *type.element_type(), type.contains_null(), kNoMetadata));
      return;
    case TypeId::kMap: {
      *id = in::type_id::kMap;
      table->AddBool(0, false);
      FlatTable entries;
      std::vector<FlatTable> kv;
      kv.push_back(FieldTable("key", *type.key_type(), false, kNoMetadata));
      kv.push_back(FieldTable("value", *type.value_type(), type.value_contains_null(),
                              kNoMetadata));
      entries.AddString(slot::kFieldName, "entries")
          .AddBool(slot::kFieldNullable, false)
          .AddUint8(slot::kFieldTypeType, in::type_id::kStruct)
          .AddTable(slot::kFieldType, FlatTable())
          .AddTableVector(slot::kFieldChildren, std::move(kv));
      children->push_back(std::move(entries));
      return;
    }
    case TypeId::kStruct:
    case TypeId::kVariant:  // its value and metadata, the metadata tagged variant=true
      *id = in::type_id::kStruct;
      for (const Field& f : type.fields()) {
        children->push_back(FieldTable(f));
      }
      return;
  }
}

// A column's comment travels as its "comment" metadata, as Spark keeps it.
FlatTable FieldTable(const Field& f) {
  if (f.comment.empty()) return FieldTable(f.name, *f.type, f.nullable, f.metadata);
  std::map<std::string, std::string> metadata = f.metadata;
  metadata["comment"] = f.comment;
  return FieldTable(f.name, *f.type, f.nullable, metadata);
}

FlatTable FieldTable(const std::string& name, const DataType& type, bool nullable,
                     const std::map<std::string, std::string>& metadata) {
  uint8_t id = 0;
  FlatTable type_table;
  std::vector<FlatTable> children;
  DescribeType(type, &id, &type_table, &children);
  FlatTable field;
  field.AddString(slot::kFieldName, name)
      .AddBool(slot::kFieldNullable, nullable)
      .AddUint8(slot::kFieldTypeType, id)
      .AddTable(slot::kFieldType, std::move(type_table))
      .AddTableVector(slot::kFieldChildren, std::move(children));
  if (!metadata.empty()) {
    std::vector<FlatTable> pairs;
    for (const auto& [key, value] : metadata) {
      FlatTable kv;
      kv.AddString(slot::kKeyValueKey, key).AddString(slot::kKeyValueValue, value);
      pairs.push_back(std::move(kv));
    }
    field.AddTableVector(slot::kFieldCustomMetadata, std::move(pairs));
  }
  return field;
}

FlatTable SchemaTable(const Schema& schema) {
  std::vector<FlatTable> fields;
  for (const Field& f : schema.fields()) {
    fields.push_back(FieldTable(f));
  }
  FlatTable t;
  t.AddTableVector(slot::kSchemaFields, std::move(fields));
  return t;
}

std::string MessageFlatbuffer(uint8_t header_id, FlatTable header, int64_t body_length) {
  FlatTable message;
  message.AddInt16(slot::kMessageVersion, in::kMetadataVersionV5)
      .AddUint8(slot::kMessageHeaderType, header_id)
      .AddTable(slot::kMessageHeader, std::move(header))
      .AddInt64(slot::kMessageBodyLength, body_length);
  return message.Finish();
}

void AppendInt64(std::string* out, int64_t v) {
  char bytes[8];
  std::memcpy(bytes, &v, 8);  // the engine runs on little-endian machines only
  out->append(bytes, 8);
}

// ---- record batch bodies ----

constexpr uint8_t kZeros[8] = {};

int64_t PaddedTo8(int64_t n) { return (n + 7) & ~int64_t{7}; }

const uint8_t* DataOf(const BufferPtr& b) { return b ? b->data() : nullptr; }

// An empty array may come without an offsets buffer.
const int32_t* OffsetsAt(const ArrayData& a, int64_t abs) {
  static constexpr int32_t kZeroOffset = 0;
  return a.buffers[1] ? a.buffers[1]->data_as<int32_t>() + abs : &kZeroOffset;
}

int64_t CountNulls(const ArrayData& a, int64_t start, int64_t length) {
  if (a.type->id() == TypeId::kNull) return length;
  if (a.null_count == 0 || !a.buffers[0]) return 0;
  if (start == 0 && length == a.length) return a.null_count;
  const uint8_t* bits = a.buffers[0]->data();
  int64_t valid = 0;
  for (int64_t i = a.offset + start, end = a.offset + start + length; i < end; ++i) {
    valid += GetBit(bits, i);
  }
  return length - valid;
}

// The bytes of one record batch body and its metadata vectors, before framing.
class BodyWriter {
 public:
  explicit BodyWriter(const WriteOptions& options) : options_(options) {}

  Status AddColumn(const ArrayData& a, int64_t start, int64_t length) {
    const int64_t abs = a.offset + start;
    const int64_t null_count = CountNulls(a, start, length);
    AddNode(length, null_count);
    const TypeId id = a.type->id();
    if (id == TypeId::kNull) return Status::OK();
    if (null_count == 0) {
      RIVULET_RETURN_NOT_OK(AddBuffer(nullptr, 0));
    } else {
      RIVULET_RETURN_NOT_OK(AddBitmap(a.buffers[0]->data(), abs, length));
    }
    switch (id) {
      case TypeId::kBoolean:
        return AddBitmap(DataOf(a.buffers[1]), abs, length);
      case TypeId::kString:
      case TypeId::kBinary: {
        const int32_t* offsets = OffsetsAt(a, abs);
        RIVULET_RETURN_NOT_OK(AddOffsets(offsets, length));
        const uint8_t* data = a.buffers[2] ? a.buffers[2]->data() : kZeros;
        return AddBuffer(data + offsets[0], offsets[length] - offsets[0]);
      }
      case TypeId::kArray:
      case TypeId::kMap: {
        const int32_t* offsets = OffsetsAt(a, abs);
        RIVULET_RETURN_NOT_OK(AddOffsets(offsets, length));
        return AddColumn(*a.children[0], offsets[0], offsets[length] - offsets[0]);
      }
      case TypeId::kStruct:
      case TypeId::kVariant:
        for (const ArrayDataPtr& child : a.children) {
          RIVULET_RETURN_NOT_OK(AddColumn(*child, abs, length));
        }
        return Status::OK();
      default: {
        int width = core::FixedWidth(id);
        if (length == 0) return AddBuffer(nullptr, 0);
        return AddBuffer(a.buffers[1]->data() + abs * width, length * width);
      }
    }
  }

  // The RecordBatch table for `length` rows.
  FlatTable Finish(int64_t length) {
    FlatTable batch;
    batch.AddInt64(slot::kRecordBatchLength, length)
        .AddAligned8Vector(slot::kRecordBatchNodes, std::move(nodes_),
                           static_cast<uint32_t>(num_nodes_))
        .AddAligned8Vector(slot::kRecordBatchBuffers, std::move(buffers_),
                           static_cast<uint32_t>(num_buffers_));
    if (options_.compression != Compression::kNone) {
      FlatTable compression;
      compression
          .AddInt8(slot::kBodyCompressionCodec,
                   options_.compression == Compression::kLz4Frame ? 0 : 1)
          .AddInt8(slot::kBodyCompressionMethod, 0);
      batch.AddTable(slot::kRecordBatchCompression, std::move(compression));
    }
    return batch;
  }

  int64_t body_length() const { return body_length_; }

  // Writes the body: each buffer followed by zero bytes up to a multiple of 8.
  Status WriteBody(OutputSink* sink) const {
    for (const Piece& p : pieces_) {
      if (p.size > 0) RIVULET_RETURN_NOT_OK(sink->Write(p.data, p.size));
      int64_t pad = PaddedTo8(p.size) - p.size;
      if (pad > 0) RIVULET_RETURN_NOT_OK(sink->Write(kZeros, pad));
    }
    return Status::OK();
  }

 private:
  struct Piece {
    const uint8_t* data;
    int64_t size;
  };

  void AddNode(int64_t length, int64_t null_count) {
    AppendInt64(&nodes_, length);
    AppendInt64(&nodes_, null_count);
    ++num_nodes_;
  }

  Status AddBuffer(const uint8_t* data, int64_t size) {
    if (options_.compression != Compression::kNone && size > 0) {
      std::string& out = scratch_.emplace_back();
      AppendInt64(&out, size);
      RIVULET_RETURN_NOT_OK(CompressBuffer(options_.compression, options_.zstd_level,
                                           data, static_cast<size_t>(size), &out));
      if (static_cast<int64_t>(out.size()) >= size + 8) {
        out.clear();
        AppendInt64(&out, -1);  // stored uncompressed: compression would not shrink it
        out.append(reinterpret_cast<const char*>(data), size);
      }
      data = reinterpret_cast<const uint8_t*>(out.data());
      size = static_cast<int64_t>(out.size());
    }
    AppendInt64(&buffers_, body_length_);
    AppendInt64(&buffers_, size);
    ++num_buffers_;
    pieces_.push_back({data, size});
    body_length_ += PaddedTo8(size);
    return Status::OK();
  }

  // Bits [start, start + length) moved to bit 0, the bits past `length` cleared.
  Status AddBitmap(const uint8_t* bits, int64_t start, int64_t length) {
    int64_t num_bytes = (length + 7) / 8;
    std::string& out = scratch_.emplace_back(num_bytes, '\0');
    auto* dst = reinterpret_cast<uint8_t*>(out.data());
    if (num_bytes == 0) {
      // nothing to copy; an empty array may have no bitmap at all
    } else if (start % 8 == 0) {
      std::memcpy(dst, bits + start / 8, num_bytes);
    } else {
      for (int64_t i = 0; i < length; ++i) {
        if (GetBit(bits, start + i)) dst[i >> 3] |= static_cast<uint8_t>(1u << (i & 7));
      }
    }
    if (length % 8 != 0)
      dst[num_bytes - 1] &= static_cast<uint8_t>((1u << (length % 8)) - 1);
    return AddBuffer(dst, num_bytes);
  }

  // Offsets of a slice, rebased to start at 0 when they do not already.
  Status AddOffsets(const int32_t* offsets, int64_t length) {
    if (offsets[0] == 0) {
      return AddBuffer(reinterpret_cast<const uint8_t*>(offsets), (length + 1) * 4);
    }
    std::string& out = scratch_.emplace_back((length + 1) * 4, '\0');
    auto* dst = reinterpret_cast<int32_t*>(out.data());
    for (int64_t i = 0; i <= length; ++i) dst[i] = offsets[i] - offsets[0];
    return AddBuffer(reinterpret_cast<const uint8_t*>(dst), (length + 1) * 4);
  }

  const WriteOptions& options_;
  std::string nodes_;
  std::string buffers_;
  int64_t num_nodes_ = 0;
  int64_t num_buffers_ = 0;
  int64_t body_length_ = 0;
  std::vector<Piece> pieces_;
  std::deque<std::string>
      scratch_;  // bytes the pieces point into; a deque keeps them put
};

// Frames one message: continuation marker, metadata length, metadata (already a multiple
// of 8 bytes long); the caller writes the body after it.
Status WriteMessagePrefix(OutputSink* sink, const std::string& metadata) {
  uint32_t prefix[2] = {in::kContinuation, static_cast<uint32_t>(metadata.size())};
  RIVULET_RETURN_NOT_OK(sink->Write(prefix, sizeof(prefix)));
  return sink->Write(metadata.data(), metadata.size());
}

// A sink that counts what passes through it, for file block offsets.
class CountingSink : public OutputSink {
 public:
  explicit CountingSink(OutputSink* inner) : inner_(inner) {}
  Status Write(const void* data, size_t size) override {
    RIVULET_RETURN_NOT_OK(inner_->Write(data, size));
    count_ += static_cast<int64_t>(size);
    return Status::OK();
  }
  int64_t count() const { return count_; }

 private:
  OutputSink* inner_;
  int64_t count_ = 0;
};

struct Block {
  int64_t offset;
  int32_t metadata_length;
  int64_t body_length;
};

// Writes the messages shared by the stream and the file formats.
class MessageWriter {
 public:
  MessageWriter(OutputSink* sink, std::shared_ptr<const Schema> schema,
                WriteOptions options)
      : sink_(sink), schema_(std::move(schema)), options_(options) {}

  Status WriteSchema() {
    std::string metadata = MessageFlatbuffer(in::header_id::kSchema,
                                             SchemaTable(*schema_), /*body_length=*/0);
    return WriteMessagePrefix(&sink_, metadata);
  }

  Status WriteBatch(const RecordBatch& batch) {
    if (!failed_.ok()) return failed_;
    if (!batch.schema()->Equals(*schema_)) {
      return Status::InvalidArgument("record batch schema " + batch.schema()->ToString() +
                                     " does not match the stream's schema " +
                                     schema_->ToString());
    }
    BodyWriter body(options_);
    for (int i = 0; i < batch.num_columns(); ++i) {
      RIVULET_RETURN_NOT_OK(body.AddColumn(*batch.column(i), 0, batch.num_rows()));
    }
    int64_t body_length = body.body_length();
    std::string metadata = MessageFlatbuffer(in::header_id::kRecordBatch,
                                             body.Finish(batch.num_rows()), body_length);
    int64_t offset = sink_.count();
    Status st = WriteMessagePrefix(&sink_, metadata);
    if (st.ok()) st = body.WriteBody(&sink_);
    if (!st.ok()) {
      failed_ = st;  // a partly written message cannot be taken back
      return st;
    }
    blocks_.push_back({offset, static_cast<int32_t>(8 + metadata.size()), body_length});
    return Status::OK();
  }

  Status WriteEndOfStream() {
    if (!failed_.ok()) return failed_;
    uint32_t eos[2] = {in::kContinuation, 0};
    return sink_.Write(eos, sizeof(eos));
  }

  OutputSink* sink() { return &sink_; }
  int64_t bytes_written() const { return sink_.count(); }
  const std::vector<Block>& blocks() const { return blocks_; }
  const Schema& schema() const { return *schema_; }

 private:
  CountingSink sink_;
  std::shared_ptr<const Schema> schema_;
  WriteOptions options_;
  std::vector<Block> blocks_;
  Status failed_;
};

}  // namespace

// ---- StreamWriter ----

struct StreamWriter::Impl {
  MessageWriter messages;
  bool finished = false;
};

StreamWriter::StreamWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StreamWriter::~StreamWriter() = default;

Result<std::unique_ptr<StreamWriter>> StreamWriter::Open(
    OutputSink* sink, std::shared_ptr<const Schema> schema, const WriteOptions& options) {
  auto impl =
      std::make_unique<Impl>(Impl{MessageWriter(sink, std::move(schema), options)});
  RIVULET_RETURN_NOT_OK(impl->messages.WriteSchema());
  return std::unique_ptr<StreamWriter>(new StreamWriter(std::move(impl)));
}

Status StreamWriter::Write(const RecordBatch& batch) {
  if (impl_->finished)
    return Status::InvalidArgument("stream writer is already finished");
  return impl_->messages.WriteBatch(batch);
}

Status StreamWriter::Finish() {
  if (impl_->finished)
    return Status::InvalidArgument("stream writer is already finished");
  impl_->finished = true;
  return impl_->messages.WriteEndOfStream();
}

int64_t StreamWriter::bytes_written() const { return impl_->messages.bytes_written(); }

// ---- FileWriter ----

struct FileWriter::Impl {
  MessageWriter messages;
  bool finished = false;
};

FileWriter::FileWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FileWriter::~FileWriter() = default;

Result<std::unique_ptr<FileWriter>> FileWriter::Open(OutputSink* sink,
                                                     std::shared_ptr<const Schema> schema,
                                                     const WriteOptions& options) {
  auto impl =
      std::make_unique<Impl>(Impl{MessageWriter(sink, std::move(schema), options)});
  char header[in::kFileHeaderSize] = {};
  std::memcpy(header, in::kFileMagic.data(), in::kFileMagic.size());
  RIVULET_RETURN_NOT_OK(impl->messages.sink()->Write(header, sizeof(header)));
  RIVULET_RETURN_NOT_OK(impl->messages.WriteSchema());
  return std::unique_ptr<FileWriter>(new FileWriter(std::move(impl)));
}

Status FileWriter::Write(const RecordBatch& batch) {
  if (impl_->finished) return Status::InvalidArgument("file writer is already finished");
  return impl_->messages.WriteBatch(batch);
}

Status FileWriter::Finish() {
  if (impl_->finished) return Status::InvalidArgument("file writer is already finished");
  impl_->finished = true;
  MessageWriter& m = impl_->messages;
  RIVULET_RETURN_NOT_OK(m.WriteEndOfStream());
  std::string blocks;
  for (const Block& b : m.blocks()) {
    AppendInt64(&blocks, b.offset);
    char length_and_padding[8] = {};
    std::memcpy(length_and_padding, &b.metadata_length, 4);
    blocks.append(length_and_padding, 8);
    AppendInt64(&blocks, b.body_length);
  }
  FlatTable footer;
  footer.AddInt16(slot::kFooterVersion, in::kMetadataVersionV5)
      .AddTable(slot::kFooterSchema, SchemaTable(m.schema()))
      .AddAligned8Vector(slot::kFooterDictionaries, "", 0)
      .AddAligned8Vector(slot::kFooterRecordBatches, std::move(blocks),
                         static_cast<uint32_t>(m.blocks().size()));
  std::string bytes = footer.Finish();
  auto footer_length = static_cast<int32_t>(bytes.size());
  bytes.append(reinterpret_cast<const char*>(&footer_length), 4);
  bytes.append(in::kFileMagic);
  return m.sink()->Write(bytes.data(), bytes.size());
}

// ---- whole streams and files ----

namespace {

int64_t EstimateSize(const std::vector<RecordBatchPtr>& batches) {
  int64_t n = 1024;
  for (const RecordBatchPtr& b : batches) n += b->ByteSize() + 1024;
  return n;
}

}  // namespace

Result<std::string> WriteStream(const Schema& schema,
                                const std::vector<RecordBatchPtr>& batches,
                                const WriteOptions& options) {
  std::string out;
  out.reserve(static_cast<size_t>(EstimateSize(batches)));
  StringSink sink(&out);
  RIVULET_ASSIGN_OR_RETURN(
      auto writer,
      StreamWriter::Open(&sink, std::make_shared<const Schema>(schema), options));
  for (const RecordBatchPtr& batch : batches)
    RIVULET_RETURN_NOT_OK(writer->Write(*batch));
  RIVULET_RETURN_NOT_OK(writer->Finish());
  return out;
}

Result<std::string> WriteFile(const Schema& schema,
                              const std::vector<RecordBatchPtr>& batches,
                              const WriteOptions& options) {
  std::string out;
  out.reserve(static_cast<size_t>(EstimateSize(batches)));
  StringSink sink(&out);
  RIVULET_ASSIGN_OR_RETURN(
      auto writer,
      FileWriter::Open(&sink, std::make_shared<const Schema>(schema), options));
  for (const RecordBatchPtr& batch : batches)
    RIVULET_RETURN_NOT_OK(writer->Write(*batch));
  RIVULET_RETURN_NOT_OK(writer->Finish());
  return out;
}

}  // namespace rivulet::ipc
