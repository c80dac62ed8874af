#include "sources/rate_source.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

namespace rivulet {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Schema RateSchema() {
  return Schema(
      {Field{"timestamp", DataType::Timestamp()}, Field{"value", DataType::Long()}});
}

// An integer that fits int64 (JSON's unsigned ones past it do not).
bool IsInt64(const nlohmann::json& value) {
  return value.is_number_integer() &&
         !(value.is_number_unsigned() &&
           value.get<uint64_t>() > uint64_t{std::numeric_limits<int64_t>::max()});
}

// The rate source's offset, {"startMs": <ms>, "value": <rows delivered>} (a missing field
// is 0). Anything else, say an offsets file edited by hand, is refused by name.
struct RateOffset {
  int64_t start_ms = 0;
  int64_t value = 0;
};

Result<RateOffset> ParseRateOffset(const Offset& offset) {
  auto json = nlohmann::json::parse(offset.text(), nullptr, /*allow_exceptions=*/false);
  auto bad = [&] {
    return Status::InvalidArgument("rate source: bad offset " + offset.text() +
                                   ": expected {\"startMs\": <integer>, \"value\": "
                                   "<integer>}");
  };
  if (json.is_discarded() || !json.is_object()) return bad();
  RateOffset out;
  for (auto [key, field] : {std::pair{"startMs", &out.start_ms}, {"value", &out.value}}) {
    auto it = json.find(key);
    if (it == json.end()) continue;
    if (!IsInt64(*it)) return bad();
    *field = it->get<int64_t>();
  }
  return out;
}

// rate-micro-batch's offset: the number of batches delivered.
Result<int64_t> ParseBatchCount(const Offset& offset) {
  auto json = nlohmann::json::parse(offset.text(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !IsInt64(json)) {
    return Status::InvalidArgument("rate-micro-batch source: bad offset " +
                                   offset.text() + ": expected an integer");
  }
  return json.get<int64_t>();
}

// Rows [first, last) of a rate stream; row v has timestamp start_micros + v * step_micros
// (rate) or a fixed timestamp (rate-micro-batch, step 0).
struct RatePartition : InputPartition {
  RatePartition(int64_t first, int64_t last, int64_t start_micros, double step_micros)
      : first(first), last(last), start_micros(start_micros), step_micros(step_micros) {}
  int64_t first, last, start_micros;
  double step_micros;
};

std::vector<InputPartitionPtr> Split(int64_t first, int64_t last, int num_partitions,
                                     int64_t start_micros, double step_micros) {
  std::vector<InputPartitionPtr> parts;
  const int64_t total = last - first;
  for (int i = 0; i < num_partitions && total > 0; ++i) {
    int64_t lo = first + total * i / num_partitions;
    int64_t hi = first + total * (i + 1) / num_partitions;
    if (lo < hi)
      parts.push_back(std::make_shared<RatePartition>(lo, hi, start_micros, step_micros));
  }
  return parts;
}

RecordBatchPtr ReadRate(const RatePartition& part) {
  const int64_t n = part.last - part.first;
  std::vector<int64_t> timestamps(n);
  std::vector<int64_t> values(n);
  for (int64_t i = 0; i < n; ++i) values[i] = part.first + i;
  if (part.step_micros == 0) {  // rate-micro-batch: one timestamp per batch
    std::fill(timestamps.begin(), timestamps.end(), part.start_micros);
  } else {
    for (int64_t i = 0; i < n; ++i) {
      timestamps[i] =
          part.start_micros + static_cast<int64_t>(values[i] * part.step_micros);
    }
  }
  static const auto schema = std::make_shared<const Schema>(RateSchema());
  return std::make_shared<RecordBatch>(
      schema,
      std::vector<ArrayDataPtr>{
          MakeFixedWidthColumn(DataType::Timestamp(), std::move(timestamps)),
          MakeFixedWidthColumn(DataType::Long(), std::move(values))},
      n);
}

class RateReader : public StreamReader {
 public:
  RateReader(int64_t rows_per_second, int num_partitions)
      : rows_per_second_(rows_per_second), num_partitions_(num_partitions) {}

  Result<Offset> InitialOffset() override {
    return Offset::Canonical(nlohmann::json{{"startMs", NowMs()}, {"value", 0}}.dump());
  }

  Result<Offset> LatestOffset(const Offset& start, const ReadLimit& limit) override {
    RIVULET_ASSIGN_OR_RETURN(RateOffset offset, ParseRateOffset(start));
    const int64_t start_ms = offset.start_ms;
    const int64_t delivered = offset.value;
    const int64_t elapsed_ms = std::max<int64_t>(0, NowMs() - start_ms);
    int64_t available = elapsed_ms * rows_per_second_ / 1000;
    if (limit.kind == ReadLimit::Kind::kMaxRows) {
      available = std::min(available, delivered + limit.value);
    }
    if (available <= delivered) return start;
    return Offset::Canonical(
        nlohmann::json{{"startMs", start_ms}, {"value", available}}.dump());
  }

  Result<std::vector<InputPartitionPtr>> Partitions(const Offset& start,
                                                    const Offset& end) override {
    RIVULET_ASSIGN_OR_RETURN(RateOffset from, ParseRateOffset(start));
    RIVULET_ASSIGN_OR_RETURN(RateOffset to, ParseRateOffset(end));
    return Split(from.value, to.value, num_partitions_, to.start_ms * 1000,
                 1e6 / static_cast<double>(rows_per_second_));
  }

  Result<std::vector<RecordBatchPtr>> Read(const InputPartition& partition) override {
    return std::vector<RecordBatchPtr>{
        ReadRate(static_cast<const RatePartition&>(partition))};
  }

 private:
  const int64_t rows_per_second_;
  const int num_partitions_;
};

class MicroBatchRateReader : public StreamReader {
 public:
  MicroBatchRateReader(int64_t rows_per_batch, int num_partitions,
                       int64_t start_timestamp_ms, int64_t advance_ms)
      : rows_per_batch_(rows_per_batch),
        num_partitions_(num_partitions),
        start_timestamp_ms_(start_timestamp_ms),
        advance_ms_(advance_ms) {}

  Result<Offset> InitialOffset() override { return Offset::Canonical("0"); }

  Result<Offset> LatestOffset(const Offset& start, const ReadLimit&) override {
    RIVULET_ASSIGN_OR_RETURN(int64_t delivered, ParseBatchCount(start));
    return Offset::Canonical(std::to_string(delivered + 1));
  }

  Result<std::vector<InputPartitionPtr>> Partitions(const Offset& start,
                                                    const Offset& end) override {
    RIVULET_ASSIGN_OR_RETURN(int64_t from, ParseBatchCount(start));
    RIVULET_ASSIGN_OR_RETURN(int64_t to, ParseBatchCount(end));
    std::vector<InputPartitionPtr> parts;
    // Each batch keeps its own timestamp, so batches are split one by one.
    for (int64_t batch = from; batch < to; ++batch) {
      auto split =
          Split(batch * rows_per_batch_, (batch + 1) * rows_per_batch_, num_partitions_,
                (start_timestamp_ms_ + batch * advance_ms_) * 1000, 0);
      parts.insert(parts.end(), split.begin(), split.end());
    }
    return parts;
  }

  Result<std::vector<RecordBatchPtr>> Read(const InputPartition& partition) override {
    return std::vector<RecordBatchPtr>{
        ReadRate(static_cast<const RatePartition&>(partition))};
  }

 private:
  const int64_t rows_per_batch_;
  const int num_partitions_;
  const int64_t start_timestamp_ms_;
  const int64_t advance_ms_;
};

class RateSource : public DataSource {
 public:
  RateSource(Options options, bool micro_batch)
      : DataSource(std::move(options)), micro_batch_(micro_batch) {}

  std::string name() const override { return micro_batch_ ? "rate-micro-batch" : "rate"; }
  Result<Schema> schema() override { return RateSchema(); }

  Result<std::unique_ptr<StreamReader>> streamReader(const Schema&) override {
    RIVULET_ASSIGN_OR_RETURN(int64_t partitions, options().GetInt("numPartitions", 1));
    if (partitions < 1)
      return Status::InvalidArgument("option 'numPartitions' must be positive");
    if (micro_batch_) {
      RIVULET_ASSIGN_OR_RETURN(int64_t rows, options().GetInt("rowsPerBatch", 1));
      RIVULET_ASSIGN_OR_RETURN(int64_t start, options().GetInt("startTimestamp", 0));
      RIVULET_ASSIGN_OR_RETURN(int64_t advance,
                               options().GetInt("advanceMillisPerBatch", 1000));
      if (rows < 0)
        return Status::InvalidArgument("option 'rowsPerBatch' must not be negative");
      return std::unique_ptr<StreamReader>(
          new MicroBatchRateReader(rows, static_cast<int>(partitions), start, advance));
    }
    RIVULET_ASSIGN_OR_RETURN(int64_t rps, options().GetInt("rowsPerSecond", 1));
    if (rps < 1)
      return Status::InvalidArgument("option 'rowsPerSecond' must be positive");
    return std::unique_ptr<StreamReader>(
        new RateReader(rps, static_cast<int>(partitions)));
  }

 private:
  const bool micro_batch_;
};

}  // namespace

Result<std::unique_ptr<DataSource>> MakeRateSource(const Options& options) {
  return std::unique_ptr<DataSource>(new RateSource(options, false));
}

Result<std::unique_ptr<DataSource>> MakeRateMicroBatchSource(const Options& options) {
  return std::unique_ptr<DataSource>(new RateSource(options, true));
}

}  // namespace rivulet
