#pragma once

// In-memory sources and sinks for engine tests: a simple reader over a growing list of
// longs that records every call it gets, and a sink that keeps what it was given per
// batch id.

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rivulet/sink.h"
#include "rivulet/source.h"

namespace rivulet::testing {

inline std::shared_ptr<const Schema> LongSchema() {
  static auto schema =
      std::make_shared<const Schema>(Schema({Field{"v", DataType::Long()}}));
  return schema;
}

inline RecordBatchPtr LongsBatch(int64_t from, int64_t to) {
  std::vector<int64_t> values;
  for (int64_t v = from; v < to; ++v) values.push_back(v);
  return std::make_shared<RecordBatch>(LongSchema(),
                                       std::vector<ArrayDataPtr>{MakeFixedWidthColumn(
                                           DataType::Long(), std::move(values))},
                                       to - from);
}

inline Offset PositionOffset(int64_t position) {
  return *Offset::Canonical(nlohmann::json{{"position", position}}.dump());
}

inline int64_t PositionOf(const Offset& offset) {
  return nlohmann::json::parse(offset.text())["position"].get<int64_t>();
}

// Shared between a test and the reader it hands to the engine.
struct LongStream {
  std::mutex mu;
  int64_t available = 0;           // values 0..available-1 exist
  int64_t batch_limit = 0;         // >0: read() returns at most this many values
  std::vector<std::string> calls;  // "read(0)", "readBetweenOffsets(0,2)", "commit(2)"

  void Record(std::string call) {
    std::lock_guard lock(mu);
    calls.push_back(std::move(call));
  }
  int Count(const std::string& prefix) {
    std::lock_guard lock(mu);
    int n = 0;
    for (const auto& c : calls) n += c.rfind(prefix, 0) == 0;
    return n;
  }
};

class LongSimpleReader : public SimpleStreamReader {
 public:
  explicit LongSimpleReader(std::shared_ptr<LongStream> stream)
      : stream_(std::move(stream)) {}

  Result<Offset> InitialOffset() override { return PositionOffset(0); }

  Result<ReadResult> Read(const Offset& start) override {
    int64_t from = PositionOf(start);
    stream_->Record("read(" + std::to_string(from) + ")");
    int64_t to;
    {
      std::lock_guard lock(stream_->mu);
      to = stream_->available;
      if (stream_->batch_limit > 0) to = std::min(to, from + stream_->batch_limit);
    }
    if (to <= from) return ReadResult{{}, start};
    return ReadResult{{LongsBatch(from, to)}, PositionOffset(to)};
  }

  Result<std::vector<RecordBatchPtr>> ReadBetweenOffsets(const Offset& start,
                                                         const Offset& end) override {
    stream_->Record("readBetweenOffsets(" + std::to_string(PositionOf(start)) + "," +
                    std::to_string(PositionOf(end)) + ")");
    return std::vector<RecordBatchPtr>{LongsBatch(PositionOf(start), PositionOf(end))};
  }

  Status Commit(const Offset& end) override {
    stream_->Record("commit(" + std::to_string(PositionOf(end)) + ")");
    return Status::OK();
  }

 private:
  std::shared_ptr<LongStream> stream_;
};

class LongSource : public DataSource {
 public:
  explicit LongSource(std::shared_ptr<LongStream> stream)
      : DataSource(Options()), stream_(std::move(stream)) {}
  std::string name() const override { return "longs"; }
  Result<Schema> schema() override { return *LongSchema(); }
  Result<std::unique_ptr<SimpleStreamReader>> simpleStreamReader(const Schema&) override {
    return std::unique_ptr<SimpleStreamReader>(new LongSimpleReader(stream_));
  }

 private:
  std::shared_ptr<LongStream> stream_;
};

// Keeps every batch it gets, and how often each batch id was delivered.
struct CollectedOutput {
  std::mutex mu;
  std::map<int64_t, std::vector<int64_t>> values_by_batch;
  std::map<int64_t, int> deliveries;
  // Whether the sink tells the engine the latest batch it holds, as a file sink does.
  bool reports_latest_batch = false;
};

class CollectingSink : public Sink {
 public:
  explicit CollectingSink(std::shared_ptr<CollectedOutput> out) : out_(std::move(out)) {}
  std::string description() const override { return "CollectingSink"; }
  Result<std::optional<int64_t>> LatestBatchId() override {
    std::lock_guard lock(out_->mu);
    if (!out_->reports_latest_batch || out_->values_by_batch.empty()) {
      return std::optional<int64_t>();
    }
    return std::optional<int64_t>(out_->values_by_batch.rbegin()->first);
  }
  Status AddBatch(int64_t batch_id, const std::vector<RecordBatchPtr>& batches) override {
    std::lock_guard lock(out_->mu);
    ++out_->deliveries[batch_id];
    auto& values = out_->values_by_batch[batch_id];
    values.clear();  // a re-delivered batch replaces the first delivery: exactly once
    for (const auto& b : batches) {
      for (int64_t r = 0; r < b->num_rows(); ++r) {
        values.push_back(b->column(0)->GetValue(r).as<int64_t>());
      }
    }
    return Status::OK();
  }

 private:
  std::shared_ptr<CollectedOutput> out_;
};

}  // namespace rivulet::testing
