#include "sinks/file_sinks.h"

#include <cstdio>
#include <filesystem>
#include <functional>
#include <unordered_map>

#include "common/env.h"
#include "common/file_util.h"
#include "common/kill_point.h"
#include "ipc/writer.h"
#include "sinks/csv_rows.h"
#include "sinks/file_codec.h"
#include "sinks/file_sink_log.h"
#include "sinks/json_rows.h"
#include "sinks/partitioning.h"
#include "sinks/sink_directory.h"

namespace rivulet {
namespace {

using Encoder =
    std::function<Result<std::string>(const Schema&, const std::vector<RecordBatchPtr>&)>;
// Whether a format can write a schema at all; checked when the query starts.
using SchemaCheck = std::function<Status(const Schema&)>;

// One file per batch in the sink's directory, listed in its metadata log.
class FileSink : public Sink {
 public:
  FileSink(std::string kind, std::string extension, std::string dir,
           std::vector<std::string> partition_by, Encoder encode,
           SchemaCheck accepts = nullptr)
      : kind_(std::move(kind)),
        extension_(std::move(extension)),
        dir_(std::move(dir)),
        partition_by_(std::move(partition_by)),
        encode_(std::move(encode)),
        accepts_(std::move(accepts)) {}

  std::string description() const override { return kind_ + "[" + dir_ + "]"; }

  Status Open(const SinkContext& context) override {
    schema_ = context.schema;
    if (!partition_by_.empty()) {
      RIVULET_ASSIGN_OR_RETURN(Partitioning partitioning,
                               Partitioning::Resolve(schema_, partition_by_));
      partitioning_ = std::make_unique<Partitioning>(std::move(partitioning));
      schema_ = partitioning_->data_schema();
    }
    if (accepts_) RIVULET_RETURN_NOT_OK(accepts_(*schema_));
    env_ = context.env != nullptr ? context.env : Env::Default();
    RIVULET_ASSIGN_OR_RETURN(claim_, SinkDirectoryClaim::Acquire(dir_, context, env_));
    RIVULET_ASSIGN_OR_RETURN(FileSinkLog log, FileSinkLog::Open(dir_, env_));
    log_ = std::make_unique<FileSinkLog>(std::move(log));
    RIVULET_ASSIGN_OR_RETURN(std::vector<std::string> committed, log_->CommittedFiles());
    return RemoveOrphanFiles(log_->dir(), {committed.begin(), committed.end()}, env_);
  }

  Result<std::optional<int64_t>> LatestBatchId() override {
    return log_->LatestBatchId();
  }

  Status AddBatch(int64_t batch_id, const std::vector<RecordBatchPtr>& batches) override {
    if (log_->HasBatch(batch_id)) return Status::OK();  // delivered before a crash
    int64_t rows = 0;
    for (const auto& b : batches) rows += b->num_rows();
    std::vector<std::string> files;
    // Spark's names: task, a uuid of this write, file counter. The uuid makes every
    // name new, so no write, whatever it replays, can replace a committed file.
    const std::string uuid = RandomUuid();
    if (rows > 0 && partitioning_ == nullptr) {
      std::string name = "part-00000-" + uuid + "-c000." + extension_;
      RIVULET_RETURN_NOT_OK(WriteDataFile(name, batches));
      files.push_back(std::move(name));
    } else if (rows > 0) {
      for (auto& [folder, rows_there] : SplitByFolder(batches)) {
        RIVULET_RETURN_NOT_OK(env_->CreateDirs(log_->dir() + "/" + folder));
        std::string name = folder;
        name += "/part-00000-" + uuid + ".c000." + extension_;
        RIVULET_RETURN_NOT_OK(WriteDataFile(name, rows_there));
        files.push_back(std::move(name));
      }
    }
    KillPoint("sink-write", batch_id);  // data files written, the batch not logged
    return log_->Commit(batch_id, files);
  }

  Status Close() override {
    log_.reset();
    claim_.reset();
    return Status::OK();
  }

 private:
  // `name` relative to the directory; the file is new (never replaces one).
  Status WriteDataFile(const std::string& name, const std::vector<RecordBatchPtr>& rows) {
    RIVULET_ASSIGN_OR_RETURN(std::string bytes, encode_(*schema_, rows));
    return env_->WriteFileAtomic(log_->dir() + "/" + name, bytes, /*overwrite=*/false);
  }

  // The batch's rows by partition folder, folders in the order their first row comes.
  std::vector<std::pair<std::string, std::vector<RecordBatchPtr>>> SplitByFolder(
      const std::vector<RecordBatchPtr>& batches) const {
    std::vector<std::pair<std::string, std::vector<RecordBatchPtr>>> folders;
    std::unordered_map<std::string, size_t> index;
    for (const RecordBatchPtr& batch : batches) {
      for (Partitioning::Run& run : partitioning_->Split(*batch)) {
        auto [it, added] = index.try_emplace(run.folder, folders.size());
        if (added) folders.emplace_back(run.folder, std::vector<RecordBatchPtr>{});
        folders[it->second].second.push_back(std::move(run.rows));
      }
    }
    return folders;
  }

  const std::string kind_;
  const std::string extension_;
  const std::string dir_;
  const std::vector<std::string> partition_by_;
  std::unique_ptr<Partitioning> partitioning_;  // when partition_by_ is not empty
  Encoder encode_;
  SchemaCheck accepts_;
  std::shared_ptr<const Schema> schema_;
  Env* env_ = nullptr;
  std::unique_ptr<SinkDirectoryClaim> claim_;
  std::unique_ptr<FileSinkLog> log_;
};

// A text format's encoder with the file codec of option `compression` applied.
Result<Encoder> Compressed(const Options& options, Encoder encode,
                           std::string* extension) {
  RIVULET_ASSIGN_OR_RETURN(FileCodec codec,
                           ParseFileCodec(options.GetOr("compression", "none")));
  *extension += FileCodecExtension(codec);
  if (codec == FileCodec::kNone) return encode;
  return Encoder(
      [codec, encode](const Schema& schema,
                      const std::vector<RecordBatchPtr>& batches) -> Result<std::string> {
        RIVULET_ASSIGN_OR_RETURN(std::string text, encode(schema, batches));
        return CompressFile(codec, text);
      });
}

std::vector<std::string> PartitionBy(const Options& options) {
  return SplitColumnList(options.GetOr("partitionBy", ""));
}

Result<std::string> PathOption(const Options& options, const std::string& kind) {
  auto path = options.Get("path");
  if (!path || path->empty()) {
    return Status::InvalidArgument(kind + " sink: option 'path' is required");
  }
  return std::filesystem::absolute(*path).lexically_normal().string();
}

}  // namespace

Result<std::unique_ptr<Sink>> MakeJsonSink(const Options& options) {
  RIVULET_ASSIGN_OR_RETURN(std::string dir, PathOption(options, "json"));
  Encoder lines = [](const Schema&, const std::vector<RecordBatchPtr>& batches) {
    std::string text;
    for (const auto& batch : batches) AppendJsonLines(*batch, &text);
    return Result<std::string>(std::move(text));
  };
  std::string extension = "json";
  RIVULET_ASSIGN_OR_RETURN(Encoder encode, Compressed(options, lines, &extension));
  return std::unique_ptr<Sink>(new FileSink(
      "JsonSink", std::move(extension), std::move(dir), PartitionBy(options), encode));
}

Result<std::unique_ptr<Sink>> MakeCsvSink(const Options& options) {
  RIVULET_ASSIGN_OR_RETURN(std::string dir, PathOption(options, "csv"));
  RIVULET_ASSIGN_OR_RETURN(CsvOptions csv, ParseCsvOptions(options));
  Encoder rows = [csv](
                     const Schema& schema,
                     const std::vector<RecordBatchPtr>& batches) -> Result<std::string> {
    std::string text;
    if (csv.header) AppendCsvHeader(schema, csv, &text);
    for (const auto& batch : batches) AppendCsvRows(*batch, csv, &text);
    return text;
  };
  std::string extension = "csv";
  RIVULET_ASSIGN_OR_RETURN(Encoder encode, Compressed(options, rows, &extension));
  return std::unique_ptr<Sink>(new FileSink("CsvSink", std::move(extension),
                                            std::move(dir), PartitionBy(options), encode,
                                            CheckCsvSchema));
}

Result<std::unique_ptr<Sink>> MakeArrowSink(const Options& options) {
  ipc::WriteOptions write_options;
  const std::string compression = options.GetOr("compression", "none");
  if (compression == "lz4") {
    write_options.compression = ipc::Compression::kLz4Frame;
  } else if (compression == "zstd") {
    write_options.compression = ipc::Compression::kZstd;
  } else if (compression != "none") {
    return Status::InvalidArgument(
        "arrow sink: option 'compression' must be none, lz4 or zstd, got '" +
        compression + "'");
  }
  RIVULET_ASSIGN_OR_RETURN(std::string dir, PathOption(options, "arrow"));
  Encoder encode = [write_options](const Schema& schema,
                                   const std::vector<RecordBatchPtr>& batches) {
    return ipc::WriteFile(schema, batches, write_options);
  };
  return std::unique_ptr<Sink>(
      new FileSink("ArrowSink", "arrow", std::move(dir), PartitionBy(options), encode));
}

}  // namespace rivulet
