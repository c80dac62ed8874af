#include "sinks/file_sink_log.h"

#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

namespace rivulet {
namespace {

constexpr char kLogDir[] = "/_spark_metadata";

}  // namespace

Result<FileSinkLog> FileSinkLog::Open(const std::string& dir, Env* env) {
  RIVULET_RETURN_NOT_OK(env->CreateDirs(dir + kLogDir));
  char resolved[PATH_MAX];
  if (realpath(dir.c_str(), resolved) == nullptr) {
    return Status::IOError("cannot resolve " + dir + ": " + std::strerror(errno));
  }
  RIVULET_ASSIGN_OR_RETURN(
      auto entries, checkpoint::BatchLog::Open(std::string(resolved) + kLogDir,
                                               /*remove_temporary_files=*/false, env));
  return FileSinkLog(resolved, std::move(entries));
}

Result<bool> FileSinkLog::HasBatch(int64_t batch_id) const {
  RIVULET_ASSIGN_OR_RETURN(auto entry, entries_->Read(batch_id));
  return entry.has_value();
}

Status FileSinkLog::Commit(int64_t batch_id,
                           const std::vector<std::string>& files) const {
  std::string entry = "v1";
  for (const auto& name : files) {
    struct stat st {};
    const std::string path = dir_ + "/" + name;
    if (stat(path.c_str(), &st) != 0) {
      return Status::IOError("cannot stat " + path + ": " + std::strerror(errno));
    }
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
  return entries_->Add(batch_id, entry);
}

Result<std::vector<std::string>> FileSinkLog::CommittedFiles() const {
  RIVULET_ASSIGN_OR_RETURN(std::vector<int64_t> batches, entries_->BatchIds());
  std::vector<std::string> files;
  for (int64_t batch : batches) {
    RIVULET_ASSIGN_OR_RETURN(std::optional<std::string> text, entries_->Read(batch));
    if (!text) continue;  // removed since it was listed
    size_t pos = text->find('\n');
    while (pos != std::string::npos) {
      size_t next = text->find('\n', pos + 1);
      auto line =
          nlohmann::json::parse(text->substr(pos + 1, next - pos - 1), nullptr, false);
      if (line.is_discarded() || !line.is_object() || !line.contains("path") ||
          !line["path"].is_string()) {
        return Status::Corruption(entries_->PathOf(batch) +
                                  " is corrupt: bad file entry");
      }
      std::string path = line["path"].get<std::string>();
      files.push_back(path.substr(path.rfind('/') + 1));
      pos = next;
    }
  }
  return files;
}

}  // namespace rivulet
