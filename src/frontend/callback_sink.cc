#include "frontend/callback_sink.h"

#include <utility>

#include "ipc/writer.h"

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
    // Encoded before taking the GIL: other queries' callbacks go on meanwhile.
    RIVULET_ASSIGN_OR_RETURN(std::string stream, ipc::WriteStream(*schema_, batches));
    nb::gil_scoped_acquire gil;
    try {
      callback_->get()(batch_id, nb::bytes(stream.data(), stream.size()));
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
