#include "sinks/file_sink_log.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string_view>

#include "checkpoint/log_format.h"
#include "common/file_util.h"

namespace rivulet {
namespace {

constexpr std::string_view kCompactSuffix = ".compact";
constexpr int kLogVersion = 1;

// The batch id of a log file name, "7" or "9.compact".
std::optional<int64_t> BatchIdOfName(std::string_view name) {
  if (name.ends_with(kCompactSuffix)) name.remove_suffix(kCompactSuffix.size());
  return checkpoint::ParseBatchFileName(name);
}

// Spark records paths as URIs (Hadoop's Path.toUri): characters a URI path may not hold
// are %-escaped; letters beyond ASCII stay as they are.
std::string EncodeUriPath(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (unsigned char c : path) {
    const bool allowed = c >= 0x80 || std::isalnum(c) != 0 ||
                         std::strchr("-_.!~*'(),;:$&+=/@", c) != nullptr;
    if (allowed && c != '\0') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<std::string> DecodeUriPath(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    char hex[3] = {text[i + 1], text[i + 2], '\0'};
    char* end = nullptr;
    long byte = std::strtol(hex, &end, 16);
    if (end != hex + 2) return std::nullopt;
    out += static_cast<char>(byte);
    i += 2;
  }
  return out;
}

// The sink directory `dir` as an absolute path without symbolic links.
Result<std::string> Resolve(const std::string& dir) {
  char resolved[PATH_MAX];
  if (realpath(dir.c_str(), resolved) == nullptr) {
    return Status::IOError("cannot resolve " + dir + ": " + std::strerror(errno));
  }
  return std::string(resolved);
}

int64_t ModificationMs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
}

int64_t NowMs() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

// Spark's deriveCompactInterval for a log with one compact file, at `compact_id`: the
// smallest divisor of compact_id + 1 that is at least the default.
int64_t IntervalFromOneCompaction(int64_t compact_id, int64_t fallback) {
  const int64_t n = compact_id + 1;
  if (n <= fallback) return n;
  for (int64_t d = fallback; d < n; ++d) {
    if (n % d == 0) return d;
  }
  return n;
}

}  // namespace

Result<FileSinkLog> FileSinkLog::Open(const std::string& dir, Env* env,
                                      FileSinkLogOptions options) {
  if (options.compact_interval < 1) {
    return Status::InvalidArgument("the sink log's compact interval must be positive");
  }
  RIVULET_RETURN_NOT_OK(env->CreateDirs(dir + "/_spark_metadata"));
  RIVULET_ASSIGN_OR_RETURN(std::string resolved, Resolve(dir));
  FileSinkLog log(std::move(resolved), env, options);
  RIVULET_RETURN_NOT_OK(log.Load());
  return log;
}

Result<std::vector<std::string>> FileSinkLog::ReadCommittedFiles(const std::string& dir,
                                                                 Env* env) {
  RIVULET_ASSIGN_OR_RETURN(std::string resolved, Resolve(dir));
  FileSinkLog log(std::move(resolved), env, FileSinkLogOptions{});
  struct stat st {};
  if (stat(log.log_dir_.c_str(), &st) != 0) return std::vector<std::string>{};
  RIVULET_RETURN_NOT_OK(log.Load());
  return log.CommittedFiles();
}

Result<std::optional<int64_t>> FileSinkLog::LatestBatchIn(const std::string& dir,
                                                          Env* env) {
  std::optional<int64_t> latest;
  auto names = env->ListDir(dir + "/_spark_metadata");
  if (!names.ok()) {
    if (names.status().code() == StatusCode::kNotFound) return latest;
    return names.status();
  }
  for (const std::string& name : *names) {
    std::optional<int64_t> id = BatchIdOfName(name);
    if (id && (!latest || *id > *latest)) latest = id;
  }
  return latest;
}

Status FileSinkLog::Load() {
  RIVULET_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(log_dir_));
  files_.clear();
  for (const std::string& name : names) {
    std::optional<int64_t> id = BatchIdOfName(name);
    if (!id) continue;  // temporary files, Spark's .crc files
    files_.push_back({*id, name.ends_with(kCompactSuffix)});
  }
  std::sort(files_.begin(), files_.end(),
            [](const LogFile& a, const LogFile& b) { return a.batch_id < b.batch_id; });
  for (size_t i = 1; i < files_.size(); ++i) {
    if (files_[i].batch_id == files_[i - 1].batch_id) {
      return checkpoint::CorruptFile(PathOf(files_[i]),
                                     "the batch has both a plain and a compact file");
    }
  }
  // The interval the existing compact files were written with, as Spark derives it.
  std::vector<int64_t> compactions;
  for (const LogFile& file : files_) {
    if (file.compact) compactions.push_back(file.batch_id);
  }
  if (compactions.size() >= 2) {
    interval_ = compactions.back() - compactions[compactions.size() - 2];
  } else if (compactions.size() == 1) {
    interval_ = IntervalFromOneCompaction(compactions[0], options_.compact_interval);
  } else {
    interval_ = options_.compact_interval;
  }
  return Status::OK();
}

std::string FileSinkLog::PathOf(const LogFile& file) const {
  std::string path = log_dir_ + "/" + std::to_string(file.batch_id);
  if (file.compact) path += kCompactSuffix;
  return path;
}

Result<std::vector<FileSinkLog::Entry>> FileSinkLog::ReadEntries(
    const LogFile& file) const {
  const std::string path = PathOf(file);
  auto text = env_->ReadFile(path);
  if (!text.ok() && text.status().code() == StatusCode::kNotFound) {
    return checkpoint::CorruptFile(path, "it is missing, but later batches are logged");
  }
  RIVULET_RETURN_NOT_OK(text.status());
  std::vector<std::string_view> lines = checkpoint::SplitLines(*text);
  if (lines.empty()) return checkpoint::CorruptFile(path, "it is empty");
  RIVULET_RETURN_NOT_OK(
      checkpoint::ParseVersionLine(path, lines[0], kLogVersion).status());
  std::vector<Entry> entries;
  for (size_t i = 1; i < lines.size(); ++i) {
    auto entry = nlohmann::json::parse(lines[i], nullptr, false);
    if (entry.is_discarded() || !entry.is_object() || !entry.contains("path") ||
        !entry["path"].is_string()) {
      return checkpoint::CorruptFile(path, "bad file entry");
    }
    std::string_view uri = entry["path"].get_ref<const std::string&>();
    if (uri.starts_with("file://")) {
      uri.remove_prefix(7);
    } else if (uri.starts_with("file:")) {
      uri.remove_prefix(5);
    }
    std::optional<std::string> decoded = DecodeUriPath(uri);
    if (!decoded) return checkpoint::CorruptFile(path, "bad path " + std::string(uri));
    entries.push_back({std::string(lines[i]), std::move(*decoded)});
  }
  return entries;
}

Result<std::vector<FileSinkLog::Entry>> FileSinkLog::AllEntries() const {
  // Spark's getAllValidBatches: the latest compact file holds everything before it.
  auto from = files_.begin();
  for (auto it = files_.begin(); it != files_.end(); ++it) {
    if (it->compact) from = it;
  }
  std::vector<Entry> entries;
  for (auto it = from; it != files_.end(); ++it) {
    RIVULET_ASSIGN_OR_RETURN(std::vector<Entry> more, ReadEntries(*it));
    entries.insert(entries.end(), std::make_move_iterator(more.begin()),
                   std::make_move_iterator(more.end()));
  }
  return entries;
}

Status FileSinkLog::Commit(int64_t batch_id, const std::vector<std::string>& files) {
  const int64_t expected = files_.empty() ? 0 : files_.back().batch_id + 1;
  if (batch_id != expected) {
    return Status::Internal("sink log " + log_dir_ + ": batch " +
                            std::to_string(batch_id) + " committed after batch " +
                            std::to_string(expected - 1));
  }
  const LogFile file{batch_id, (batch_id + 1) % interval_ == 0};
  std::string contents = "v1";
  if (file.compact) {
    RIVULET_ASSIGN_OR_RETURN(std::vector<Entry> entries, AllEntries());
    for (const Entry& entry : entries) (contents += '\n') += entry.line;
  }
  for (const auto& name : files) {
    struct stat st {};
    const std::string path = dir_ + "/" + name;
    if (stat(path.c_str(), &st) != 0) {
      return Status::IOError("cannot stat " + path + ": " + std::strerror(errno));
    }
    nlohmann::ordered_json entry = {{"path", "file://" + EncodeUriPath(path)},
                                    {"size", static_cast<int64_t>(st.st_size)},
                                    {"isDir", false},
                                    {"modificationTime", ModificationMs(st)},
                                    {"blockReplication", 1},
                                    {"blockSize", 33554432},
                                    {"action", "add"}};
    (contents += '\n') += entry.dump();
  }
  RIVULET_RETURN_NOT_OK(
      env_->WriteFileAtomic(PathOf(file), contents, /*overwrite=*/false));
  files_.push_back(file);
  return DeleteExpiredFiles(batch_id);
}

Status FileSinkLog::DeleteExpiredFiles(int64_t batch_id) {
  // Spark's deleteExpiredLog: keep the files a recovery to any of the last
  // min_batches_to_retain batches reads, i.e. from the compaction at or before the
  // oldest.
  const int64_t oldest_kept = batch_id + 1 - options_.min_batches_to_retain;
  if (oldest_kept < interval_) return Status::OK();
  const int64_t keep_from = (oldest_kept + 1) / interval_ * interval_ - 1;
  const int64_t expired_before = NowMs() - options_.cleanup_delay_ms;
  bool removed = false;
  std::vector<LogFile> kept;
  for (const LogFile& file : files_) {
    if (file.batch_id >= keep_from) {
      kept.push_back(file);
      continue;
    }
    const std::string path = PathOf(file);
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && ModificationMs(st) > expired_before) {
      kept.push_back(file);  // a reader may have listed it just now
      continue;
    }
    RIVULET_RETURN_NOT_OK(env_->RemoveFile(path));
    removed = true;
  }
  files_ = std::move(kept);
  return removed ? env_->SyncDir(log_dir_) : Status::OK();
}

Result<std::vector<std::string>> FileSinkLog::CommittedFiles() const {
  RIVULET_ASSIGN_OR_RETURN(std::vector<Entry> entries, AllEntries());
  std::vector<std::string> files;
  files.reserve(entries.size());
  const std::string prefix = dir_ + "/";
  for (Entry& entry : entries) {
    files.push_back(entry.path.starts_with(prefix) ? entry.path.substr(prefix.size())
                                                   : std::move(entry.path));
  }
  return files;
}

}  // namespace rivulet
