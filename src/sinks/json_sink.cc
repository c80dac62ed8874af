#include "sinks/json_sink.h"

#include <cstdio>

#include "common/file_util.h"
#include "sinks/file_sink_log.h"
#include "sinks/json_rows.h"

namespace rivulet {
namespace {

class JsonSink : public Sink {
 public:
  explicit JsonSink(FileSinkLog log) : log_(std::move(log)) {}

  std::string description() const override { return "JsonSink[" + log_.dir() + "]"; }

  Status AddBatch(int64_t batch_id, const Schema&,
                  const std::vector<RecordBatchPtr>& batches) override {
    if (log_.HasBatch(batch_id)) return Status::OK();  // delivered before a crash
    std::string text;
    for (const auto& batch : batches) AppendJsonLines(*batch, &text);
    std::vector<std::string> files;
    if (!text.empty()) {
      char name[64];
      snprintf(name, sizeof name, "part-%05lld.json", static_cast<long long>(batch_id));
      // The name is fixed per batch: a leftover of a crashed attempt is replaced by the
      // replay, which holds the same rows.
      RIVULET_RETURN_NOT_OK(WriteFileAtomic(log_.dir() + "/" + name, text, /*overwrite=*/true));
      files.push_back(name);
    }
    return log_.Commit(batch_id, files);
  }

 private:
  FileSinkLog log_;
};

}  // namespace

Result<std::unique_ptr<Sink>> MakeJsonSink(const Options& options) {
  auto path = options.Get("path");
  if (!path || path->empty()) return Status::InvalidArgument("json sink: option 'path' is required");
  RIVULET_ASSIGN_OR_RETURN(auto log, FileSinkLog::Open(*path));
  return std::unique_ptr<Sink>(new JsonSink(std::move(log)));
}

}  // namespace rivulet
