#include "sources/file_source.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/file_util.h"

namespace rivulet {
namespace {

constexpr char kOffsetKey[] = "changedBeforeNs";

int64_t CoarseNowNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

Result<int64_t> CutoffOf(const Offset& offset) {
  auto json = nlohmann::json::parse(offset.text(), nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains(kOffsetKey) ||
      !json[kOffsetKey].is_number_integer()) {
    return Status::InvalidArgument("files source: bad offset " + offset.text());
  }
  return json[kOffsetKey].get<int64_t>();
}

Offset OffsetAt(int64_t cutoff_ns) {
  return *Offset::Canonical(nlohmann::json{{kOffsetKey, cutoff_ns}}.dump());
}

struct FoundFile {
  int64_t ctime_ns;
  std::string name;
  bool operator<(const FoundFile& o) const {
    return std::tie(ctime_ns, name) < std::tie(o.ctime_ns, o.name);
  }
};

class FileReader : public SimpleStreamReader {
 public:
  FileReader(std::string dir, bool whole_text)
      : dir_(std::move(dir)), whole_text_(whole_text) {
    schema_ = std::make_shared<const Schema>(Schema(
        {Field{"file", DataType::String(), false}, Field{"value", DataType::String()}}));
  }

  Result<Offset> InitialOffset() override { return OffsetAt(0); }

  Result<ReadResult> Read(const Offset& start) override {
    const int64_t cutoff = CoarseNowNs();  // before listing: see the header comment
    RIVULET_ASSIGN_OR_RETURN(int64_t from, CutoffOf(start));
    RIVULET_ASSIGN_OR_RETURN(auto files, List(from, cutoff));
    if (files.empty()) return ReadResult{{}, start};
    RIVULET_ASSIGN_OR_RETURN(auto batches, Load(files));
    return ReadResult{std::move(batches), OffsetAt(cutoff)};
  }

  Result<std::vector<RecordBatchPtr>> ReadBetweenOffsets(const Offset& start,
                                                         const Offset& end) override {
    RIVULET_ASSIGN_OR_RETURN(int64_t from, CutoffOf(start));
    RIVULET_ASSIGN_OR_RETURN(int64_t to, CutoffOf(end));
    RIVULET_ASSIGN_OR_RETURN(auto files, List(from, to));
    return Load(files);
  }

 private:
  Result<std::vector<FoundFile>> List(int64_t from_ns, int64_t to_ns) const {
    RIVULET_ASSIGN_OR_RETURN(auto names, ListDir(dir_));
    std::vector<FoundFile> files;
    for (auto& name : names) {
      if (name.empty() || name[0] == '.' || name[0] == '_') continue;
      struct stat st {};
      if (stat((dir_ + "/" + name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      const int64_t ctime =
          static_cast<int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
      if (ctime >= from_ns && ctime < to_ns) files.push_back({ctime, std::move(name)});
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  Result<std::vector<RecordBatchPtr>> Load(const std::vector<FoundFile>& files) const {
    RecordBatchBuilder builder(schema_);
    for (const auto& file : files) {
      const std::string path = dir_ + "/" + file.name;
      RIVULET_ASSIGN_OR_RETURN(std::string content, ReadFile(path));
      // A row that does not fit (text that is not UTF-8) names the file and its line: the
      // batch cannot be read while the file is there, so the user must know which it is.
      auto refused = [&](const Status& status, int64_t line) {
        return Status::InvalidArgument(
            "files source: " + path +
            (whole_text_ ? "" : " line " + std::to_string(line)) +
            " cannot be read: " + status.message() +
            "; the source reads UTF-8 text: convert the file, or move it out of " + dir_ +
            ", and start the query again");
      };
      if (whole_text_) {
        Status added =
            builder.AppendRow(std::vector<Value>{file.name, std::move(content)});
        if (!added.ok()) return refused(added, 1);
        continue;
      }
      std::istringstream lines(content);
      int64_t number = 0;
      for (std::string line; std::getline(lines, line);) {
        ++number;
        Status added = builder.AppendRow(std::vector<Value>{file.name, std::move(line)});
        if (!added.ok()) return refused(added, number);
      }
    }
    RIVULET_ASSIGN_OR_RETURN(auto batch, builder.Finish());
    return std::vector<RecordBatchPtr>{batch};
  }

  const std::string dir_;
  const bool whole_text_;
  std::shared_ptr<const Schema> schema_;
};

class FileSource : public DataSource {
 public:
  using DataSource::DataSource;
  std::string name() const override { return "files"; }
  Result<Schema> schema() override {
    return Schema(
        {Field{"file", DataType::String(), false}, Field{"value", DataType::String()}});
  }
  Result<std::unique_ptr<SimpleStreamReader>> simpleStreamReader(const Schema&) override {
    auto path = options().Get("path");
    if (!path || path->empty())
      return Status::InvalidArgument("files source: option 'path' is required");
    struct stat st {};
    if (stat(path->c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Status::InvalidArgument("files source: '" + *path + "' is not a directory");
    }
    RIVULET_ASSIGN_OR_RETURN(bool whole, options().GetBool("wholetext", false));
    return std::unique_ptr<SimpleStreamReader>(new FileReader(*path, whole));
  }
};

}  // namespace

Result<std::unique_ptr<DataSource>> MakeFileSource(const Options& options) {
  return std::unique_ptr<DataSource>(new FileSource(options));
}

}  // namespace rivulet
