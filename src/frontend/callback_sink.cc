#include "frontend/callback_sink.h"

#include <utility>

#include "frontend/arrow_batches.h"

namespace rivulet::frontend {
namespace {

namespace nb = nanobind;

class CallbackSink final : public Sink {
 public:
  CallbackSink(nb::object callback, CallbackSinkOptions options)
      : callback_(std::make_unique<PythonObject>(std::move(callback))),
        options_(std::move(options)) {}

  std::string description() const override { return options_.description; }

  Status Open(const SinkContext& context) override {
    schema_ = context.schema;
    return Status::OK();
  }

  Status AddBatch(int64_t batch_id, const std::vector<RecordBatchPtr>& batches) override {
    nb::gil_scoped_acquire gil;
    try {
      // The batches themselves, not a copy: Python reads them in place.
      callback_->get()(batch_id, nb::cast(ArrowBatches{schema_, batches}));
    } catch (nb::python_error& error) {
      return Status::UserCodeError(options_.failure_prefix + error.what());
    }
    return Status::OK();
  }

  bool MayBlock() const override { return true; }
  bool ReportsOutputRows() const override { return options_.reports_rows; }

 private:
  std::unique_ptr<PythonObject> callback_;
  CallbackSinkOptions options_;
  std::shared_ptr<const Schema> schema_;
};

}  // namespace

std::unique_ptr<Sink> MakeCallbackSink(nb::object callback, CallbackSinkOptions options) {
  return std::make_unique<CallbackSink>(std::move(callback), std::move(options));
}

}  // namespace rivulet::frontend
