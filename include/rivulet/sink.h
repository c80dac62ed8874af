#pragma once

// Where a query's batches go. The engine hands every batch over with its batch id, and
// after a crash it may hand the same batch id over again: a sink must make a re-delivered
// batch a no-op, which is what makes output exactly once.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rivulet/options.h"
#include "rivulet/record_batch.h"
#include "rivulet/schema.h"
#include "rivulet/status.h"

namespace rivulet {

class Sink {
 public:
  virtual ~Sink() = default;
  // Spark's SinkProgress.description, e.g. "JsonSink[out/]".
  virtual std::string description() const = 0;
  // Writes batch `batch_id` (its data may be split over several record batches). Called
  // from one thread at a time, with increasing batch ids, possibly repeating the last
  // one.
  virtual Status AddBatch(int64_t batch_id, const Schema& schema,
                          const std::vector<RecordBatchPtr>& batches) = 0;
};

using SinkFactory = std::function<Result<std::unique_ptr<Sink>>(const Options&)>;

// Sinks by short name, matched case-insensitively; thread-safe. A runtime owns one.
class SinkRegistry {
 public:
  SinkRegistry();
  Status Register(const std::string& name, SinkFactory factory);
  Result<std::unique_ptr<Sink>> Create(const std::string& name,
                                       const Options& options) const;
  std::vector<std::string> Names() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace rivulet
