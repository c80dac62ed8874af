#include "python/worker_rows.h"

#include <memory>

#include "ipc/reader.h"

namespace rivulet::python {

Result<std::vector<RecordBatchPtr>> DecodeWorkerRows(std::string bytes,
                                                     const Schema& declared,
                                                     const std::string& source,
                                                     const char* method) {
  if (bytes.empty()) return std::vector<RecordBatchPtr>();
  auto decoded = ipc::ReadStream(std::make_shared<const std::string>(std::move(bytes)));
  if (!decoded.ok()) {
    return decoded.status().WithContext("source '" + source +
                                        "': decoding the Arrow rows of " + method);
  }
  if (!decoded->schema->Equals(declared)) {
    return Status::UserCodeError(
        "source '" + source +
        "': [ARROW_TYPE_MISMATCH] Invalid schema from Python streaming data source " +
        method + ": expected " + declared.ToDdl() + ", got " + decoded->schema->ToDdl() +
        ".");
  }
  return std::move(decoded->batches);
}

}  // namespace rivulet::python
