#pragma once

// Arrow IPC readers for streams and files written by any Arrow implementation.
//
// The decoder trusts nothing: each flatbuffer is run through the flatbuffers verifier
// before it is read, and every length, offset and count is checked against the buffer it
// points into; a malformed input is a Corruption status naming what is wrong, never a
// crash or an out-of-bounds read. Arrow types outside the engine's type set are mapped to
// the nearest engine type (docs/format/arrow-ipc.md, "Reading") or refused with "column
// 'x': unsupported Arrow type <name>".
//
// Reads are zero-copy where the layout allows: decoded batches point into the input bytes
// (and keep them alive); columns that need a conversion (dictionary-encoded, unsigned,
// large offsets, other time units, compressed bodies) are materialized.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rivulet/record_batch.h"
#include "rivulet/schema.h"
#include "rivulet/status.h"

namespace rivulet::ipc {

struct ReadResult {
  std::shared_ptr<const Schema> schema;
  std::vector<RecordBatchPtr> batches;
};

// A whole stream. The end-of-stream marker may be missing if the bytes end at a message
// boundary; bytes after the marker are an error.
Result<ReadResult> ReadStream(const std::shared_ptr<const std::string>& bytes);
// A whole file (ARROW1 magic at both ends, footer).
Result<ReadResult> ReadFile(const std::shared_ptr<const std::string>& bytes);
// A file if the bytes start with the ARROW1 magic, a stream otherwise.
Result<ReadResult> ReadAny(const std::shared_ptr<const std::string>& bytes);

// An incremental stream decoder for bytes that arrive in pieces (a pipe). Feed it with
// Consume; decoded batches queue up until taken. next_required_size() says how many more
// bytes complete the next step, so a reader can read exactly that much and never read
// past the end-of-stream marker. Not thread-safe.
class StreamDecoder {
 public:
  StreamDecoder();
  ~StreamDecoder();
  StreamDecoder(StreamDecoder&&) noexcept;
  StreamDecoder& operator=(StreamDecoder&&) noexcept;

  // Bytes after the end-of-stream marker are an error. After an error the decoder stays
  // failed and returns the same status.
  Status Consume(const uint8_t* data, size_t size);
  size_t next_required_size() const;
  bool finished() const;  // the end-of-stream marker was consumed
  // Null until the schema message has been decoded.
  const std::shared_ptr<const Schema>& schema() const;
  std::vector<RecordBatchPtr> TakeBatches();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads one stream from a file descriptor up to and including its end-of-stream marker,
// reading nothing after it (the descriptor may carry further data). End of file before
// the marker is an error naming `description`.
Result<ReadResult> ReadStreamFromFd(int fd, const std::string& description);

}  // namespace rivulet::ipc
