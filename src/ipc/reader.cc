// Framing: messages in streams and files, the file footer, and the public readers. The
// messages' contents are planned and loaded by reader_schema.cc and reader_columns.cc.

#include "ipc/reader.h"

#include <errno.h>
#include <unistd.h>

#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ipc/arrow_format_generated.h"
#include "ipc/format_internal.h"
#include "ipc/reader_internal.h"

namespace rivulet::ipc {

namespace in = internal;

namespace {

using in::CheckStructVector;
using in::Corrupt;
using in::LoadUnaligned;
using in::Owner;

// A flatbuffer checked by the verifier, in memory aligned for its scalars.
template <typename Root>
Result<const Root*> VerifiedRoot(const uint8_t* data, size_t size, std::string* scratch,
                                 const char* what) {
  if (reinterpret_cast<uintptr_t>(data) % 8 != 0) {
    scratch->assign(reinterpret_cast<const char*>(data), size);
    data = reinterpret_cast<const uint8_t*>(scratch->data());
  }
  flatbuffers::Verifier::Options options;
  options.max_depth = 128;
  options.max_tables = 1 << 20;
  flatbuffers::Verifier verifier(data, size, options);
  if (!verifier.VerifyBuffer<Root>(nullptr)) {
    return Corrupt(std::string(what) + " flatbuffer does not verify");
  }
  return flatbuffers::GetRoot<Root>(data);
}

// ---- messages ----

// Decoding state shared by streams and files: the schema and the dictionaries so far.
class Decoder {
 public:
  const std::shared_ptr<const Schema>& schema() const { return schema_; }
  bool has_schema() const { return plan_ != nullptr; }
  std::vector<RecordBatchPtr>& batches() { return batches_; }

  Status SetSchema(const fb::Schema* schema) {
    RIVULET_ASSIGN_OR_RETURN(plan_, in::PlanSchema(schema));
    schema_ = plan_->schema;
    return Status::OK();
  }

  // One message whose metadata has been verified; `body` points at body_length bytes.
  Status OnMessage(const fb::Message* message, const uint8_t* body, Owner owner,
                   bool schema_allowed) {
    if (message->version() < fb::MetadataVersion::V4) {
      return Status::InvalidArgument(
          "Arrow metadata version V" +
          std::to_string(static_cast<int>(message->version()) + 1) +
          " is too old (V4 or later is supported)");
    }
    if (message->header() == nullptr) return Corrupt("message without its header");
    switch (message->header_type()) {
      case fb::MessageHeader::Schema:
        if (has_schema()) {
          if (schema_allowed)
            return Status::OK();  // a file's repeat of its footer schema
          return Corrupt("a second schema message");
        }
        return SetSchema(message->header_as_Schema());
      case fb::MessageHeader::DictionaryBatch:
        if (!has_schema()) return Corrupt("a dictionary batch before the schema message");
        return in::LoadDictionaryBatch(*plan_, message->header_as_DictionaryBatch(), body,
                                       message->body_length(), std::move(owner),
                                       &dictionaries_);
      case fb::MessageHeader::RecordBatch: {
        if (!has_schema()) return Corrupt("a record batch before the schema message");
        RIVULET_ASSIGN_OR_RETURN(
            RecordBatchPtr batch,
            in::LoadRecordBatch(*plan_, dictionaries_, message->header_as_RecordBatch(),
                                body, message->body_length(), owner));
        batches_.push_back(std::move(batch));
        return Status::OK();
      }
      default:
        return Status::InvalidArgument(
            "unsupported Arrow message type " +
            std::to_string(static_cast<int>(message->header_type())));
    }
  }

 private:
  std::unique_ptr<in::SchemaPlan> plan_;
  std::shared_ptr<const Schema> schema_;
  in::Dictionaries dictionaries_;
  std::vector<RecordBatchPtr> batches_;
};

// The framing of one message at the start of [data, data + size).
struct Frame {
  bool end_of_stream = false;
  int64_t prefix_size = 0;  // 8, or 4 for the legacy format without continuation marker
  int64_t metadata_size = 0;
  const fb::Message* message = nullptr;
  int64_t body_length = 0;
  int64_t total() const { return prefix_size + metadata_size + body_length; }
};

// Parses the frame at `data`. Returns false with *needed set when more bytes are needed
// (the frame is complete once `size` reaches *needed).
Result<bool> ParseFrame(const uint8_t* data, size_t size, Frame* frame,
                        std::string* scratch, size_t* needed) {
  *frame = Frame{};
  if (size < 4) {
    *needed = 4;
    return false;
  }
  uint32_t first = LoadUnaligned<uint32_t>(data);
  int32_t length;
  if (first == in::kContinuation) {
    if (size < 8) {
      *needed = 8;
      return false;
    }
    frame->prefix_size = 8;
    length = LoadUnaligned<int32_t>(data + 4);
  } else {
    frame->prefix_size = 4;
    length = static_cast<int32_t>(first);
  }
  if (length == 0) {
    frame->end_of_stream = true;
    return true;
  }
  if (length < 0) return Corrupt("negative metadata length " + std::to_string(length));
  frame->metadata_size = length;
  if (size < static_cast<size_t>(frame->prefix_size + length)) {
    *needed = frame->prefix_size + length;
    return false;
  }
  RIVULET_ASSIGN_OR_RETURN(
      frame->message,
      VerifiedRoot<fb::Message>(data + frame->prefix_size, static_cast<size_t>(length),
                                scratch, "message metadata"));
  frame->body_length = frame->message->body_length();
  if (frame->body_length < 0) {
    return Corrupt("negative message body length " + std::to_string(frame->body_length));
  }
  if (static_cast<uint64_t>(frame->body_length) > size - frame->prefix_size - length) {
    // The caller decides whether more can come; the sum cannot overflow once the body
    // length is below what a size_t can hold, which the comparison below ensures.
    if (static_cast<uint64_t>(frame->body_length) >
        std::numeric_limits<size_t>::max() / 2) {
      return Corrupt("message body length " + std::to_string(frame->body_length) +
                     " is impossibly large");
    }
    *needed = frame->prefix_size + length + static_cast<size_t>(frame->body_length);
    return false;
  }
  return true;
}

Result<ReadResult> ReadStreamFrom(const std::shared_ptr<const std::string>& bytes,
                                  size_t start) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes->data());
  const size_t size = bytes->size();
  Decoder decoder;
  std::string scratch;
  size_t pos = start;
  bool ended = false;
  while (pos < size) {
    Frame frame;
    size_t needed = 0;
    RIVULET_ASSIGN_OR_RETURN(
        bool complete, ParseFrame(data + pos, size - pos, &frame, &scratch, &needed));
    if (!complete) {
      return Corrupt("stream is truncated: the message at byte " + std::to_string(pos) +
                     " needs " + std::to_string(needed) + " bytes, " +
                     std::to_string(size - pos) + " remain");
    }
    if (frame.end_of_stream) {
      pos += frame.prefix_size;
      ended = true;
      break;
    }
    const uint8_t* body = data + pos + frame.prefix_size + frame.metadata_size;
    Status st = decoder.OnMessage(frame.message, body, bytes, /*schema_allowed=*/false);
    if (st.code() == StatusCode::kCorruption) {
      return st.WithContext("message at byte " + std::to_string(pos));
    }
    RIVULET_RETURN_NOT_OK(st);
    pos += frame.total();
  }
  if (ended && pos != size) {
    return Corrupt(std::to_string(size - pos) + " bytes after the end-of-stream marker");
  }
  if (!decoder.has_schema()) return Corrupt("stream ends before its schema message");
  return ReadResult{decoder.schema(), std::move(decoder.batches())};
}

}  // namespace

Result<ReadResult> ReadStream(const std::shared_ptr<const std::string>& bytes) {
  return ReadStreamFrom(bytes, 0);
}

Result<ReadResult> ReadFile(const std::shared_ptr<const std::string>& bytes) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes->data());
  const int64_t size = static_cast<int64_t>(bytes->size());
  constexpr int64_t kTrailer = 4 + 6;  // footer length, magic
  if (size < in::kFileHeaderSize + kTrailer) {
    return Corrupt("file of " + std::to_string(size) +
                   " bytes is too short for an Arrow file");
  }
  if (std::memcmp(data, in::kFileMagic.data(), 6) != 0) {
    return Corrupt("file does not start with the ARROW1 magic");
  }
  if (std::memcmp(data + size - 6, in::kFileMagic.data(), 6) != 0) {
    return Corrupt("file does not end with the ARROW1 magic");
  }
  int32_t footer_length = LoadUnaligned<int32_t>(data + size - kTrailer);
  if (footer_length <= 0 || footer_length > size - in::kFileHeaderSize - kTrailer) {
    return Corrupt("footer length " + std::to_string(footer_length) +
                   " does not fit in the " + std::to_string(size) + "-byte file");
  }
  const int64_t footer_start = size - kTrailer - footer_length;
  std::string scratch;
  RIVULET_ASSIGN_OR_RETURN(const fb::Footer* footer,
                           VerifiedRoot<fb::Footer>(data + footer_start, footer_length,
                                                    &scratch, "file footer"));
  if (footer->schema() == nullptr) return Corrupt("file footer has no schema");
  Decoder decoder;
  RIVULET_RETURN_NOT_OK(decoder.SetSchema(footer->schema()));

  std::string message_scratch;
  auto read_block = [&](const fb::Block* block, const char* kind,
                        size_t index) -> Status {
    std::string where = std::string(kind) + " block " + std::to_string(index);
    int64_t offset = block->offset();
    int64_t meta = block->meta_data_length();
    int64_t body = block->body_length();
    if (offset < in::kFileHeaderSize || meta <= 0 || body < 0 || offset > footer_start ||
        meta > footer_start - offset || body > footer_start - offset - meta) {
      return Corrupt(where + " (offset " + std::to_string(offset) + ", metadata " +
                     std::to_string(meta) + ", body " + std::to_string(body) +
                     ") is outside the file's data");
    }
    Frame frame;
    size_t needed = 0;
    auto parsed = ParseFrame(data + offset, static_cast<size_t>(meta + body), &frame,
                             &message_scratch, &needed);
    if (!parsed.ok()) return parsed.status().WithContext(where);
    if (!*parsed || frame.end_of_stream ||
        frame.prefix_size + frame.metadata_size != meta || frame.body_length != body) {
      return Corrupt(where + " does not frame a message of its stated sizes");
    }
    Status st = decoder.OnMessage(frame.message, data + offset + meta, bytes,
                                  /*schema_allowed=*/true);
    return st.WithContext(where);
  };
  RIVULET_RETURN_NOT_OK(CheckStructVector(footer->dictionaries(), "dictionary block"));
  RIVULET_RETURN_NOT_OK(
      CheckStructVector(footer->record_batches(), "record batch block"));
  if (const auto* blocks = footer->dictionaries()) {
    for (size_t i = 0; i < blocks->size(); ++i) {
      RIVULET_RETURN_NOT_OK(read_block(blocks->Get(i), "dictionary", i));
    }
  }
  if (const auto* blocks = footer->record_batches()) {
    for (size_t i = 0; i < blocks->size(); ++i) {
      const auto* block = blocks->Get(i);
      size_t before = decoder.batches().size();
      RIVULET_RETURN_NOT_OK(read_block(block, "record batch", i));
      if (decoder.batches().size() != before + 1) {
        return Corrupt("record batch block " + std::to_string(i) +
                       " does not hold a record batch");
      }
    }
  }
  return ReadResult{decoder.schema(), std::move(decoder.batches())};
}

Result<ReadResult> ReadAny(const std::shared_ptr<const std::string>& bytes) {
  if (bytes->size() >= in::kFileMagic.size() &&
      std::memcmp(bytes->data(), in::kFileMagic.data(), in::kFileMagic.size()) == 0) {
    return ReadFile(bytes);
  }
  return ReadStream(bytes);
}

// ---- StreamDecoder ----

struct StreamDecoder::Impl {
  Decoder decoder;
  std::string pending;  // bytes of the message being assembled
  size_t needed = 4;
  bool finished = false;
  Status failed;
  std::string scratch;

  Status Step() {
    while (!finished && pending.size() >= needed) {
      const auto* data = reinterpret_cast<const uint8_t*>(pending.data());
      Frame frame;
      RIVULET_ASSIGN_OR_RETURN(
          bool complete, ParseFrame(data, pending.size(), &frame, &scratch, &needed));
      if (!complete) continue;
      if (frame.end_of_stream) {
        finished = true;
        if (pending.size() != static_cast<size_t>(frame.prefix_size)) {
          return Corrupt(std::to_string(pending.size() - frame.prefix_size) +
                         " bytes after the end-of-stream marker");
        }
        pending.clear();
        needed = 0;
        return Status::OK();
      }
      // The body gets its own allocation, which the batches keep alive.
      auto body = std::make_shared<std::string>(
          pending.substr(frame.prefix_size + frame.metadata_size, frame.body_length));
      std::string rest = pending.substr(frame.total());
      // frame.message points into `pending`, which stays unchanged until it is decoded.
      RIVULET_RETURN_NOT_OK(decoder.OnMessage(
          frame.message, reinterpret_cast<const uint8_t*>(body->data()), body, false));
      pending = std::move(rest);
      needed = 4;
    }
    return Status::OK();
  }
};

StreamDecoder::StreamDecoder() : impl_(std::make_unique<Impl>()) {}
StreamDecoder::~StreamDecoder() = default;
StreamDecoder::StreamDecoder(StreamDecoder&&) noexcept = default;
StreamDecoder& StreamDecoder::operator=(StreamDecoder&&) noexcept = default;

Status StreamDecoder::Consume(const uint8_t* data, size_t size) {
  Impl& s = *impl_;
  if (!s.failed.ok()) return s.failed;
  if (s.finished && size > 0) {
    s.failed = Corrupt(std::to_string(size) + " bytes after the end-of-stream marker");
    return s.failed;
  }
  s.pending.append(reinterpret_cast<const char*>(data), size);
  s.failed = s.Step();
  return s.failed;
}

size_t StreamDecoder::next_required_size() const {
  const Impl& s = *impl_;
  if (s.finished || !s.failed.ok()) return 0;
  return s.needed > s.pending.size() ? s.needed - s.pending.size() : 0;
}

bool StreamDecoder::finished() const { return impl_->finished; }

const std::shared_ptr<const Schema>& StreamDecoder::schema() const {
  return impl_->decoder.schema();
}

std::vector<RecordBatchPtr> StreamDecoder::TakeBatches() {
  return std::exchange(impl_->decoder.batches(), {});
}

Result<ReadResult> ReadStreamFromFd(int fd, const std::string& description) {
  StreamDecoder decoder;
  std::vector<uint8_t> chunk;
  while (!decoder.finished()) {
    size_t want = decoder.next_required_size();
    chunk.resize(want);
    size_t got = 0;
    while (got < want) {
      ssize_t n = ::read(fd, chunk.data() + got, want - got);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IOError("reading an Arrow stream from " + description + ": " +
                               std::strerror(errno));
      }
      if (n == 0) {
        return Status::IOError("reading an Arrow stream from " + description +
                               ": end of file before the end-of-stream marker");
      }
      got += static_cast<size_t>(n);
    }
    RIVULET_RETURN_NOT_OK(
        decoder.Consume(chunk.data(), want)
            .WithContext("reading an Arrow stream from " + description));
  }
  if (!decoder.schema()) {
    return Status::Corruption("the Arrow stream from " + description +
                              " ends before its schema message");
  }
  return ReadResult{decoder.schema(), decoder.TakeBatches()};
}

}  // namespace rivulet::ipc
