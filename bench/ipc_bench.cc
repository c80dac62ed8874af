// Issue 4's C++ figures: Arrow IPC encode and decode throughput for a batch of
// int64 + double + utf8 columns, next to memcpy of the same bytes in the same run.
// Each benchmark reports GB/s of the batch's buffer bytes and, as the counter "x_memcpy",
// its speed divided by memcpy's on the same number of bytes, measured inside the same
// benchmark (best of 50 copies into a reused destination).
// Goals: decode >= 0.5x memcpy, encode >= 0.3x memcpy.
// Usage: ipc_bench [--benchmark_filter=...]; rows per batch are the benchmark argument.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ipc/reader.h"
#include "ipc/writer.h"

namespace rivulet::ipc {
namespace {

RecordBatchPtr MakeBatch(int64_t rows) {
  std::vector<int64_t> ids(rows);
  std::vector<double> values(rows);
  std::vector<int32_t> offsets(rows + 1, 0);
  std::string text;
  for (int64_t i = 0; i < rows; ++i) {
    ids[i] = i * 7919;
    values[i] = static_cast<double>(i) * 0.25;
    text += "name-" + std::to_string(i % 100000) + "-abcdef";
    offsets[i + 1] = static_cast<int32_t>(text.size());
  }
  auto strings = std::make_shared<ArrayData>();
  strings->type = DataType::String();
  strings->length = rows;
  auto offsets_owner = std::make_shared<std::vector<int32_t>>(std::move(offsets));
  auto text_owner = std::make_shared<std::string>(std::move(text));
  strings->buffers = {
      nullptr,
      std::make_shared<Buffer>(reinterpret_cast<const uint8_t*>(offsets_owner->data()),
                               (rows + 1) * 4, offsets_owner),
      std::make_shared<Buffer>(reinterpret_cast<const uint8_t*>(text_owner->data()),
                               static_cast<int64_t>(text_owner->size()), text_owner)};
  auto field = [](const char* name, DataTypePtr type) {
    Field f;
    f.name = name;
    f.type = std::move(type);
    return f;
  };
  auto schema = std::make_shared<const Schema>(std::vector<Field>{
      field("id", DataType::Long()), field("value", DataType::Double()),
      field("name", DataType::String())});
  return std::make_shared<const RecordBatch>(
      schema,
      std::vector<ArrayDataPtr>{
          MakeFixedWidthColumn(DataType::Long(), std::move(ids)),
          MakeFixedWidthColumn(DataType::Double(), std::move(values)), strings},
      rows);
}

// Seconds per memcpy of `bytes` bytes into a destination reused across copies (as the
// encoder reuses its output string), best of several.
double MemcpySeconds(int64_t bytes) {
  std::vector<char> src(bytes, 'x');
  std::vector<char> dst(bytes, 'y');
  double best = 1e9;
  for (int round = 0; round < 50; ++round) {
    auto t0 = std::chrono::steady_clock::now();
    std::memcpy(dst.data(), src.data(), bytes);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
    auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
  }
  return best;
}

void Report(benchmark::State& state, int64_t bytes) {
  state.SetBytesProcessed(state.iterations() * bytes);
  state.counters["GB/s"] = benchmark::Counter(
      static_cast<double>(bytes) * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

void SetRatio(benchmark::State& state, int64_t bytes, double seconds_per_op) {
  double memcpy_seconds = MemcpySeconds(bytes);
  state.counters["memcpy_GB/s"] = bytes / memcpy_seconds / 1e9;
  state.counters["x_memcpy"] = memcpy_seconds / seconds_per_op;
}

void BM_Memcpy(benchmark::State& state) {
  RecordBatchPtr batch = MakeBatch(state.range(0));
  const int64_t bytes = batch->ByteSize();
  std::vector<char> src(bytes, 'x');
  std::vector<char> dst(bytes, 'y');
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), bytes);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  Report(state, bytes);
}

// Encodes the batch as a whole stream (schema, batch, end marker) into a string that
// keeps its capacity from one iteration to the next, as a writer feeding a pipe would.
void BM_Encode(benchmark::State& state) {
  RecordBatchPtr batch = MakeBatch(state.range(0));
  const int64_t bytes = batch->ByteSize();
  std::string out;
  double total = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    out.clear();
    StringSink sink(&out);
    auto writer = StreamWriter::Open(&sink, batch->schema());
    if (!writer.ok() || !(*writer)->Write(*batch).ok() || !(*writer)->Finish().ok()) {
      state.SkipWithError("encode failed");
      break;
    }
    benchmark::DoNotOptimize(out.data());
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  Report(state, bytes);
  SetRatio(state, bytes, total / state.iterations());
}

// Decodes a stream of one batch written with `options`; the counters say what compression
// saved when there is some.
void DecodeWith(benchmark::State& state, const WriteOptions& options) {
  RecordBatchPtr batch = MakeBatch(state.range(0));
  const int64_t bytes = batch->ByteSize();
  auto encoded = std::make_shared<const std::string>(
      *WriteStream(*batch->schema(), {batch}, options));
  double total = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    auto read = ReadStream(encoded);
    benchmark::DoNotOptimize(read->batches[0].get());
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  Report(state, bytes);
  SetRatio(state, bytes, total / state.iterations());
  if (options.compression != Compression::kNone) {
    state.counters["compressed_ratio"] = static_cast<double>(encoded->size()) / bytes;
  }
}

void BM_Decode(benchmark::State& state) { DecodeWith(state, WriteOptions()); }

void BM_DecodeLz4(benchmark::State& state) {
  WriteOptions options;
  options.compression = Compression::kLz4Frame;
  DecodeWith(state, options);
}

BENCHMARK(BM_Memcpy)->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Encode)->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Decode)->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DecodeLz4)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace rivulet::ipc

BENCHMARK_MAIN();
