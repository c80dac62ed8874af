#pragma once

// Arrow IPC writers: the stream format (schema message, record batch messages,
// end-of-stream marker) and the file format (ARROW1 magic, the stream, a footer locating
// every batch). What exactly is written is specified in docs/format/arrow-ipc.md; the
// output is a pure function of the schema, the batches' logical contents and the options,
// and the Python codec (python/rivulet/arrow_ipc.py) writes the same bytes for the same
// rows when uncompressed.
//
// Writers are not thread-safe; a batch may be used by other threads while it is written.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rivulet/record_batch.h"
#include "rivulet/schema.h"
#include "rivulet/status.h"

namespace rivulet::ipc {

enum class Compression { kNone, kLz4Frame, kZstd };

struct WriteOptions {
  // Body buffer compression as the Arrow specification defines it (each buffer on its
  // own, prefixed with its uncompressed length). A buffer that would not shrink is stored
  // uncompressed (length prefix -1).
  Compression compression = Compression::kNone;
  // zstd level; LZ4 frames use the library default.
  int zstd_level = 1;
};

// Where a writer puts its bytes.
class OutputSink {
 public:
  virtual ~OutputSink() = default;
  virtual Status Write(const void* data, size_t size) = 0;
};

// Appends to a string owned by the caller, which must outlive the sink.
class StringSink : public OutputSink {
 public:
  explicit StringSink(std::string* out) : out_(out) {}
  Status Write(const void* data, size_t size) override;

 private:
  std::string* out_;
};

// Writes to a file descriptor (a pipe or a file) that the caller owns and keeps open;
// retries on EINTR and short writes. Errors name `description` ("pipe to worker 3").
class FdSink : public OutputSink {
 public:
  FdSink(int fd, std::string description)
      : fd_(fd), description_(std::move(description)) {}
  Status Write(const void* data, size_t size) override;

 private:
  int fd_;
  std::string description_;
};

// Incremental stream writer: Open writes the schema message, each Write one record batch
// message, Finish the end-of-stream marker. After an error the writer must not be used.
class StreamWriter {
 public:
  static Result<std::unique_ptr<StreamWriter>> Open(OutputSink* sink,
                                                    std::shared_ptr<const Schema> schema,
                                                    const WriteOptions& options = {});
  ~StreamWriter();

  // The batch's schema must equal the writer's (Schema::Equals).
  Status Write(const RecordBatch& batch);
  Status Finish();
  int64_t bytes_written() const;

 private:
  struct Impl;
  explicit StreamWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Incremental file writer: the same messages as the stream, then the footer on Finish.
class FileWriter {
 public:
  static Result<std::unique_ptr<FileWriter>> Open(OutputSink* sink,
                                                  std::shared_ptr<const Schema> schema,
                                                  const WriteOptions& options = {});
  ~FileWriter();

  Status Write(const RecordBatch& batch);
  Status Finish();

 private:
  struct Impl;
  explicit FileWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A whole stream (schema, batches, end-of-stream marker) in one string.
Result<std::string> WriteStream(const Schema& schema,
                                const std::vector<RecordBatchPtr>& batches,
                                const WriteOptions& options = {});
// A whole file in one string.
Result<std::string> WriteFile(const Schema& schema,
                              const std::vector<RecordBatchPtr>& batches,
                              const WriteOptions& options = {});

}  // namespace rivulet::ipc
