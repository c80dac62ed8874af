#include "sinks/noop_sink.h"

namespace rivulet {
namespace {

// Discards every batch: measures the engine and the source alone.
class NoopSink : public Sink {
 public:
  std::string description() const override { return "NoopSink"; }
  Status AddBatch(int64_t, const std::vector<RecordBatchPtr>&) override {
    return Status::OK();
  }
};

}  // namespace

Result<std::unique_ptr<Sink>> MakeNoopSink(const Options&) {
  return std::unique_ptr<Sink>(new NoopSink());
}

}  // namespace rivulet
