#include <iostream>

#include "cli/commands.h"
#include "common/file_util.h"
#include "ipc/reader.h"
#include "sinks/console_sink.h"

namespace rivulet::cli {

int Cat(const std::string& path, int64_t num_rows, bool truncate) {
  auto bytes = ReadFile(path);
  if (!bytes.ok()) return Fail(bytes.status());
  auto read = ipc::ReadAny(std::make_shared<const std::string>(std::move(*bytes)));
  if (!read.ok()) return Fail(read.status().WithContext(path));
  int64_t rows = 0;
  for (const auto& batch : read->batches) rows += batch->num_rows();
  std::cout << FormatTable(*read->schema, read->batches, num_rows < 0 ? rows : num_rows,
                           truncate ? 20 : 0);
  return 0;
}

}  // namespace rivulet::cli
