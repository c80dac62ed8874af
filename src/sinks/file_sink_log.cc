#include "sinks/file_sink_log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/file_util.h"

namespace rivulet {
namespace {

constexpr char kLogDir[] = "_spark_metadata";

}  // namespace

Result<FileSinkLog> FileSinkLog::Open(const std::string& dir) {
  RIVULET_RETURN_NOT_OK(CreateDirs(dir + "/" + kLogDir));
  char resolved[PATH_MAX];
  if (realpath(dir.c_str(), resolved) == nullptr) {
    return Status::IOError("cannot resolve " + dir);
  }
  return FileSinkLog(resolved);
}

std::string FileSinkLog::EntryPath(int64_t batch_id) const {
  return dir_ + "/" + kLogDir + "/" + std::to_string(batch_id);
}

bool FileSinkLog::HasBatch(int64_t batch_id) const {
  return access(EntryPath(batch_id).c_str(), F_OK) == 0;
}

Status FileSinkLog::Commit(int64_t batch_id,
                           const std::vector<std::string>& files) const {
  std::string entry = "v1";
  for (const auto& name : files) {
    struct stat st {};
    const std::string path = dir_ + "/" + name;
    if (stat(path.c_str(), &st) != 0) return Status::IOError("cannot stat " + path);
    nlohmann::ordered_json line = {
        {"path", "file://" + path},
        {"size", static_cast<int64_t>(st.st_size)},
        {"isDir", false},
        {"modificationTime",
         static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000},
        {"blockReplication", 1},
        {"blockSize", 33554432},
        {"action", "add"}};
    entry += '\n';
    entry += line.dump();
  }
  return WriteFileAtomic(EntryPath(batch_id), entry, /*overwrite=*/false);
}

Result<std::vector<std::string>> FileSinkLog::CommittedFiles() const {
  RIVULET_ASSIGN_OR_RETURN(auto names, ListDir(dir_ + "/" + kLogDir));
  std::vector<int64_t> batches;
  for (const auto& name : names) {
    if (!name.empty() && std::all_of(name.begin(), name.end(), ::isdigit)) {
      batches.push_back(std::stoll(name));
    }
  }
  std::sort(batches.begin(), batches.end());
  std::vector<std::string> files;
  for (int64_t batch : batches) {
    RIVULET_ASSIGN_OR_RETURN(std::string text, ReadFile(EntryPath(batch)));
    size_t pos = text.find('\n');
    while (pos != std::string::npos) {
      size_t next = text.find('\n', pos + 1);
      auto line =
          nlohmann::json::parse(text.substr(pos + 1, next - pos - 1), nullptr, false);
      if (line.is_discarded() || !line.contains("path")) {
        return Status::Corruption(EntryPath(batch) + " is corrupt: bad file entry");
      }
      std::string path = line["path"].get<std::string>();
      files.push_back(path.substr(path.rfind('/') + 1));
      pos = next;
    }
  }
  return files;
}

}  // namespace rivulet
