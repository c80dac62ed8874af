// The Python source bridge against real worker processes running the sources in
// tests/python/sources (the interpreter is $RIVULET_PYTHON, else python3 on PATH).

#include "sources/python/python_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "testing/assert_status.h"

namespace rivulet::python {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kSources = RIVULET_SOURCE_DIR "/tests/python/sources/";
// Spark's wrapping of an error in a driver-side call of a streaming source; a simple
// reader's read(start) runs inside latestOffset.
const std::string kFailedInLatestOffset =
    "[PYTHON_STREAMING_DATA_SOURCE_RUNTIME_ERROR] "
    "Failed when Python streaming data source perform latestOffset: ";

// Collects the lines workers print.
struct CapturedLog {
  std::mutex mu;
  std::vector<std::string> lines;
  LogSink sink() {
    return [this](const std::string& line) {
      std::lock_guard lock(mu);
      lines.push_back(line);
    };
  }
  std::vector<std::string> Lines() {
    std::lock_guard lock(mu);
    return lines;
  }
};

Options MakeOptions(const std::map<std::string, std::string>& entries) {
  Options options;
  for (const auto& [k, v] : entries) options.Set(k, v);
  return options;
}

// One supervisor for the whole test program, as a runtime has one for all its queries.
WorkerSupervisor& Supervisor() {
  static auto* supervisor = new WorkerSupervisor();
  return *supervisor;
}

// OpenPythonSource on the test program's supervisor.
Result<std::unique_ptr<DataSource>> OpenSupervised(const std::string& spec,
                                                   const Options& options,
                                                   PythonSourceConfig config) {
  if (config.supervisor == nullptr) config.supervisor = &Supervisor();
  return OpenPythonSource(spec, options, config);
}

std::unique_ptr<DataSource> Open(const std::string& spec,
                                 const std::map<std::string, std::string>& options = {},
                                 PythonSourceConfig config = {}) {
  auto source = OpenSupervised(spec, MakeOptions(options), std::move(config));
  EXPECT_OK(source);
  return source.ok() ? std::move(*source) : nullptr;
}

Offset O(const std::string& text) { return *Offset::FromText(text); }

std::vector<std::vector<Value>> Rows(const std::vector<RecordBatchPtr>& batches) {
  std::vector<std::vector<Value>> rows;
  for (const auto& batch : batches) {
    for (auto& row : batch->ToRows()) rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::vector<Value>> Ids(int from, int to) {
  std::vector<std::vector<Value>> rows;
  for (int i = from; i < to; ++i) rows.push_back({Value(i)});
  return rows;
}

std::unique_ptr<StreamReader> StreamReaderOf(DataSource& source) {
  auto schema = source.schema();
  EXPECT_OK(schema);
  auto reader = source.streamReader(*schema);
  EXPECT_OK(reader);
  return reader.ok() ? std::move(*reader) : nullptr;
}

std::unique_ptr<SimpleStreamReader> SimpleReaderOf(DataSource& source) {
  auto schema = source.schema();
  EXPECT_OK(schema);
  auto reader = source.simpleStreamReader(*schema);
  EXPECT_OK(reader);
  return reader.ok() ? std::move(*reader) : nullptr;
}

std::vector<RecordBatchPtr> ReadAll(StreamReader& reader, const Offset& start,
                                    const Offset& end) {
  auto partitions = reader.Partitions(start, end);
  EXPECT_OK(partitions);
  std::vector<RecordBatchPtr> out;
  for (const auto& p : *partitions) {
    auto batches = reader.Read(*p);
    EXPECT_OK(batches);
    if (batches.ok()) out.insert(out.end(), batches->begin(), batches->end());
  }
  return out;
}

TEST(LooksLikePythonSpecTest, FilesAndClassReferencesAreSpecsPlainNamesAreNot) {
  EXPECT_TRUE(LooksLikePythonSpec("src/counter.py:Counter"));
  EXPECT_TRUE(LooksLikePythonSpec("pkg.module:Source"));
  EXPECT_TRUE(LooksLikePythonSpec("counter.py"));
  EXPECT_FALSE(LooksLikePythonSpec("rate"));
  EXPECT_FALSE(LooksLikePythonSpec("blockchain_example"));
}

TEST(PythonSourceTest, SimpleReaderReadsAndReplaysTwoRowsABatch) {
  auto source = Open(kSources + "spark_simple_reader.py:SimpleDataSource");
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->name(), "SimpleDataSource");
  EXPECT_EQ(source->schema()->ToDdl(), "id INT");
  auto reader = SimpleReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->InitialOffset()->text(), "{\"offset\": 0}");
  auto first = reader->Read(O("{\"offset\": 0}"));
  ASSERT_OK(first);
  EXPECT_EQ(first->end.text(), "{\"offset\": 2}");
  EXPECT_EQ(Rows(first->batches), Ids(0, 2));
  auto replay = reader->ReadBetweenOffsets(O("{\"offset\": 2}"), O("{\"offset\": 8}"));
  ASSERT_OK(replay);
  EXPECT_EQ(Rows(*replay), Ids(2, 8));
  EXPECT_OK(reader->Commit(O("{\"offset\": 2}")));
  EXPECT_FALSE(reader->SupportsTriggerAvailableNow());
}

TEST(PythonSourceTest, StreamReaderOfASimpleOnlySourceIsNotFoundAndLeavesTheSimpleOne) {
  auto source = Open(kSources + "spark_simple_reader.py:SimpleDataSource");
  ASSERT_NE(source, nullptr);
  auto stream = source->streamReader(*source->schema());
  EXPECT_EQ(stream.status().ToString(),
            "Not found: source 'SimpleDataSource': [NOT_IMPLEMENTED] streamReader is not "
            "implemented.");
  EXPECT_NE(SimpleReaderOf(*source), nullptr);
}

// Spark's errors for a source that cannot stream: no reader, a reader that is None.
TEST(PythonSourceTest, NeitherReaderIsNotFoundWithSparksError) {
  auto source = Open(kSources + "faulty.py:NoReaderSource");
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->streamReader(*source->schema()).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(source->simpleStreamReader(*source->schema()).status().ToString(),
            "Not found: [PYTHON_DATA_SOURCE_ERROR] Failed to plan Python data source "
            "initialize "
            "source: source 'NoReaderSource' implements neither streamReader nor "
            "simpleStreamReader ([NOT_IMPLEMENTED] streamReader is not implemented. "
            "[NOT_IMPLEMENTED] simpleStreamReader is not implemented.)");
}

TEST(PythonSourceTest, AReaderThatIsNoneIsSparksRuntimeError) {
  auto source = Open(kSources + "faulty.py:NoneReaderSource");
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->streamReader(*source->schema()).status().ToString(),
            "User code error: [PYTHON_STREAMING_DATA_SOURCE_RUNTIME_ERROR] Failed when "
            "Python streaming data source perform checkSupportedFeatures: source "
            "'NoneReaderSource': streamReader() returned None, expected a "
            "DataSourceStreamReader");
}

TEST(PythonSourceTest, AdmissionControlReaderObeysTheLimitItIsGiven) {
  auto source = Open(kSources + "spark_admission_control.py:TestDataSource");
  ASSERT_NE(source, nullptr);
  auto reader = StreamReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->DefaultReadLimit(), ReadLimit::MaxRows(2));
  Offset start = *reader->InitialOffset();
  EXPECT_EQ(start.text(), "{\"partition-1\": 0}");
  EXPECT_EQ(reader->LatestOffset(start, ReadLimit::MaxRows(2))->text(),
            "{\"partition-1\": 2}");
  EXPECT_EQ(reader->LatestOffset(start, ReadLimit::AllAvailable())->text(),
            "{\"partition-1\": 10}");
  EXPECT_EQ(reader->ReportLatestOffset()->text(), "{\"partition-1\": 1000000}");
  EXPECT_EQ(Rows(ReadAll(*reader, start, O("{\"partition-1\": 10}"))), Ids(0, 10));
  // After a restart the engine plans the logged offset against itself: no partitions.
  EXPECT_TRUE(
      reader->Partitions(O("{\"partition-1\": 4}"), O("{\"partition-1\": 4}"))->empty());
  EXPECT_OK(reader->Commit(O("{\"partition-1\": 10}")));
  EXPECT_OK(reader->Stop());
}

TEST(PythonSourceTest, LegacyZeroArgumentLatestOffsetKeepsWorking) {
  auto source = Open(kSources + "spark_stream_reader.py:TestDataSource");
  ASSERT_NE(source, nullptr);
  auto reader = StreamReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->DefaultReadLimit(), ReadLimit::AllAvailable());
  EXPECT_EQ(reader->ReportLatestOffset()->text(), "");
  Offset start = *reader->InitialOffset();
  for (int batch = 0; batch < 3; ++batch) {
    // The reader keeps its own position and is not told the start.
    auto end = reader->LatestOffset(start, ReadLimit::AllAvailable());
    ASSERT_OK(end);
    EXPECT_EQ(end->text(), "{\"offset\": " + std::to_string(2 * batch + 2) + "}");
    EXPECT_EQ(Rows(ReadAll(*reader, start, *end)), Ids(2 * batch, 2 * batch + 2));
    start = *end;
  }
}

TEST(PythonSourceTest, AvailableNowStreamReaderStopsAtItsTarget) {
  auto source = Open(kSources + "spark_available_now.py:AvailableNowDataSource");
  ASSERT_NE(source, nullptr);
  auto reader = StreamReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  ASSERT_TRUE(reader->SupportsTriggerAvailableNow());
  ASSERT_OK(reader->PrepareForTriggerAvailableNow());
  Offset start = *reader->InitialOffset();
  std::vector<std::vector<Value>> rows;
  int batches = 0;
  while (true) {
    Offset end = *reader->LatestOffset(start, reader->DefaultReadLimit());
    if (end == start) break;
    auto batch_rows = Rows(ReadAll(*reader, start, end));
    EXPECT_EQ(batch_rows.size(), 2u);
    rows.insert(rows.end(), batch_rows.begin(), batch_rows.end());
    start = end;
    ASSERT_LT(++batches, 20);
  }
  EXPECT_EQ(batches, 5);
  EXPECT_EQ(rows, Ids(0, 10));
}

TEST(PythonSourceTest, AvailableNowSimpleReaderEndsWithAReadThatDoesNotAdvance) {
  auto source = Open(kSources + "spark_simple_available_now.py:SimpleAvailableNowSource");
  ASSERT_NE(source, nullptr);
  auto reader = SimpleReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  ASSERT_TRUE(reader->SupportsTriggerAvailableNow());
  ASSERT_OK(reader->PrepareForTriggerAvailableNow());
  Offset start = *reader->InitialOffset();
  std::vector<std::vector<Value>> rows;
  for (int i = 0; i < 20; ++i) {
    auto read = reader->Read(start);
    ASSERT_OK(read);
    if (read->end == start) {
      EXPECT_TRUE(read->batches.empty());
      break;
    }
    auto r = Rows(read->batches);
    rows.insert(rows.end(), r.begin(), r.end());
    start = read->end;
  }
  EXPECT_EQ(start.text(), "{\"offset\": 10}");
  EXPECT_EQ(rows, Ids(0, 10));
}

TEST(PythonSourceTest, ExceptionInASourceMethodCarriesItsTraceback) {
  auto source = Open(kSources + "faulty.py:FaultySource", {{"fail", "latestOffset"}});
  ASSERT_NE(source, nullptr);
  auto reader = StreamReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  auto end = reader->LatestOffset(O("{\"offset\": 0}"), ReadLimit::AllAvailable());
  EXPECT_EQ(end.status().code(), StatusCode::kUserCodeError);
  EXPECT_THAT(
      end.status().message(),
      AllOf(StartsWith(kFailedInLatestOffset +
                       "source 'FaultySource': latestOffset raised an exception:\n"
                       "Traceback (most recent call last):\n"),
            HasSubstr("faulty.py\", line"),
            HasSubstr("\nException: error in latestOffset")));
  // The worker carries on: other methods still answer.
  EXPECT_EQ(reader->InitialOffset()->text(), "{\"offset\": 0}");
}

TEST(PythonSourceTest, ExceptionInReadFailsTheRead) {
  auto source = Open(kSources + "faulty.py:FaultySource", {{"fail", "read"}});
  ASSERT_NE(source, nullptr);
  auto reader = StreamReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  auto partitions = reader->Partitions(O("{\"offset\": 0}"), O("{\"offset\": 1}"));
  ASSERT_OK(partitions);
  auto read = reader->Read(*(*partitions)[0]);
  EXPECT_EQ(read.status().code(), StatusCode::kUserCodeError);
  EXPECT_THAT(read.status().message(), HasSubstr("Exception: error in read"));
}

TEST(PythonSourceTest, UnimplementedReaderMethodsAreNotFound) {
  auto source = Open(kSources + "faulty.py:NotImplementedSource");
  ASSERT_NE(source, nullptr);
  auto reader = StreamReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(
      reader->InitialOffset().status().ToString(),
      "Not found: source 'NotImplementedSource': [NOT_IMPLEMENTED] initialOffset is not "
      "implemented.");
  EXPECT_EQ(
      reader->LatestOffset(O("{}"), ReadLimit::AllAvailable()).status().ToString(),
      "Not found: source 'NotImplementedSource': [NOT_IMPLEMENTED] latestOffset is not "
      "implemented.");
  EXPECT_EQ(
      reader->Partitions(O("{}"), O("{}")).status().ToString(),
      "Not found: source 'NotImplementedSource': [NOT_IMPLEMENTED] partitions is not "
      "implemented.");
}

TEST(PythonSourceTest, OffsetThatIsNotJsonNamesTheMethod) {
  auto source = Open(kSources + "faulty.py:NotJsonOffsetSource");
  ASSERT_NE(source, nullptr);
  auto reader = StreamReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(
      reader->LatestOffset(O("{\"offset\": 0}"), ReadLimit::AllAvailable())
          .status()
          .ToString(),
      "User code error: " + kFailedInLatestOffset +
          "source 'NotJsonOffsetSource': latestOffset returned an offset "
          "that is not JSON-serialisable (dict): Object of type datetime is not JSON "
          "serializable");
}

TEST(PythonSourceTest, SimpleReadWithRowsThatDoesNotAdvanceIsAnError) {
  auto source = Open(kSources + "faulty.py:StuckSource");
  ASSERT_NE(source, nullptr);
  auto reader = SimpleReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  auto empty = reader->Read(O("{\"offset\": 0}"));
  ASSERT_OK(empty);
  EXPECT_EQ(empty->end.text(), "{\"offset\": 0}");
  EXPECT_TRUE(empty->batches.empty());
  EXPECT_EQ(reader->Read(O("{\"offset\": 1}")).status().ToString(),
            "User code error: " + kFailedInLatestOffset +
                "source 'StuckSource': "
                "[SIMPLE_STREAM_READER_OFFSET_DID_NOT_ADVANCE] "
                "read(start) returned 2 row(s) but its end offset {\"offset\": 1} equals "
                "its start offset {\"offset\": 1}; a read that returns rows must advance "
                "the offset");
}

TEST(PythonSourceTest, ValueThatDoesNotFitNamesSourceColumnRowAndTypes) {
  auto source = Open(kSources + "faulty.py:BadValueSource", {{"bad", "string_in_int"}});
  ASSERT_NE(source, nullptr);
  auto reader = SimpleReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->Read(O("{\"offset\": 0}")).status().ToString(),
            "User code error: " + kFailedInLatestOffset +
                "source 'BadValueSource': read returned a value that does not "
                "fit the schema: column 'id' (row 3): expected int, got str 'x'");
}

TEST(PythonSourceTest, SchemaOverrideReplacesSchemaWithoutCallingIt) {
  PythonSourceConfig config;
  config.schema_ddl = "id BIGINT NOT NULL";
  auto source = Open(kSources + "faulty.py:FaultySource", {{"fail", "schema"}}, config);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->schema()->ToDdl(), "id BIGINT NOT NULL");
  auto reader = SimpleReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  auto read = reader->Read(O("{\"offset\": 0}"));
  ASSERT_OK(read);
  EXPECT_EQ(Rows(read->batches), Ids(0, 2));
}

TEST(PythonSourceTest, BadSchemaOverrideNamesTheSource) {
  PythonSourceConfig config;
  config.schema_ddl = "id FOO";
  auto source = OpenSupervised(kSources + "faulty.py:FaultySource", {}, config);
  EXPECT_EQ(
      source.status().ToString(),
      "Invalid argument: source 'FaultySource': --schema: at position 3: unknown type "
      "'FOO'");
}

TEST(PythonSourceTest, MissingFileClassAndModuleAreNotFound) {
  EXPECT_EQ(OpenSupervised(kSources + "nothing.py:Source", {}, {}).status().ToString(),
            "Not found: source file " + kSources + "nothing.py does not exist");
  EXPECT_EQ(OpenSupervised(kSources + "faulty.py:Missing", {}, {}).status().ToString(),
            "Not found: " + kSources + "faulty.py has no class 'Missing'");
  EXPECT_EQ(OpenSupervised("no_such_module:Source", {}, {}).status().ToString(),
            "Not found: no module named 'no_such_module'");
}

TEST(PythonSourceTest, NameThatIsNotAClassmethodIsATypeMismatch) {
  EXPECT_EQ(OpenSupervised(kSources + "faulty.py:NameNotClassmethodSource", {}, {})
                .status()
                .ToString(),
            "Invalid argument: [DATA_SOURCE_TYPE_MISMATCH] Expected name() of "
            "NameNotClassmethodSource to be a classmethod, but got function");
}

TEST(PythonSourceTest, ShortNameThatNoSourceHasListsWhatWasSearched) {
  PythonSourceConfig config;
  config.python_path = {kSources};
  auto source = OpenSupervised("no_such_source", {}, config);
  EXPECT_EQ(source.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(
      source.status().message(),
      AllOf(StartsWith("no data source named 'no_such_source' in " + kSources +
                       " (searched modules: blockchain_admission_control, faulty,"),
            HasSubstr("could not import: faulty.NameNotClassmethodSource: "
                      "[DATA_SOURCE_TYPE_MISMATCH]")));
}

TEST(PythonSourceTest, ShortNameIsFoundUnderThePythonPath) {
  PythonSourceConfig config;
  config.python_path = {kSources};
  auto source = Open("BLOCKCHAIN_EXAMPLE", {}, config);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->name(), "blockchain_example");
  auto reader = StreamReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->DefaultReadLimit(), ReadLimit::MaxRows(20));
  Offset start = *reader->InitialOffset();
  Offset end = *reader->LatestOffset(start, reader->DefaultReadLimit());
  EXPECT_EQ(end.text(), "{\"block_number\": 20}");
  auto rows = Rows(ReadAll(*reader, start, end));
  ASSERT_EQ(rows.size(), 20u);
  EXPECT_EQ(rows[19][0], Value(19));
}

TEST(PythonSourceTest, WorkerOutputIsForwardedUnderTheSourceName) {
  CapturedLog log;
  PythonSourceConfig config;
  config.log_sink = log.sink();
  auto source = Open(kSources + "faulty.py:FaultySource", {{"print", "yes"}}, config);
  ASSERT_NE(source, nullptr);
  auto reader = StreamReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  ASSERT_OK(reader->InitialOffset());
  reader.reset();  // the worker exits; its output is flushed
  source.reset();
  EXPECT_THAT(log.Lines(), Contains("[source FaultySource] stdout from initialOffset"));
  EXPECT_THAT(log.Lines(), Contains("[source FaultySource] stderr from initialOffset"));
}

TEST(PythonSourceTest, ProcessThatOutlivesTheWorkerDoesNotHoldUpShutdown) {
  auto source = Open(kSources + "faulty.py:FaultySource", {{"orphan", "initialOffset"}});
  ASSERT_NE(source, nullptr);
  auto reader = StreamReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  ASSERT_OK(reader->InitialOffset());
  auto started = std::chrono::steady_clock::now();
  reader.reset();  // the orphan still holds the worker's log pipe open
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
}

TEST(PythonSourceTest, KilledWorkerIsReportedWithItsSignal) {
  PythonSourceConfig config;
  config.max_worker_restarts = 0;
  auto source =
      Open(kSources + "faulty.py:FaultySource",
           {{"crash", "read"}, {"crash_how", "kill"}, {"kind", "simple"}}, config);
  ASSERT_NE(source, nullptr);
  auto reader = SimpleReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  auto read = reader->Read(O("{\"offset\": 0}"));
  EXPECT_EQ(read.status().ToString(),
            "Worker lost: python worker for source 'FaultySource' was killed by signal 9 "
            "(Killed) during read (no restarts left: 0 allowed)");
  // A lost worker stays lost.
  EXPECT_EQ(reader->InitialOffset().status().code(), StatusCode::kWorkerLost);
}

TEST(PythonSourceTest, ExitingWorkerIsReportedWithItsStatus) {
  PythonSourceConfig config;
  config.max_worker_restarts = 0;
  auto source = Open(kSources + "faulty.py:FaultySource",
                     {{"crash", "commit"}, {"crash_how", "exit"}}, config);
  ASSERT_NE(source, nullptr);
  auto reader = StreamReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->Commit(O("{\"offset\": 2}")).ToString(),
            "Worker lost: python worker for source 'FaultySource' exited with status 3 "
            "during commit (no restarts left: 0 allowed)");
}

TEST(PythonSourceTest, SegfaultInAnExtensionShowsThePythonStack) {
  PythonSourceConfig config;
  config.max_worker_restarts = 0;
  auto source = Open(kSources + "faulty.py:FaultySource",
                     {{"crash", "initialOffset"}, {"crash_how", "segfault"}}, config);
  ASSERT_NE(source, nullptr);
  auto reader = StreamReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  auto offset = reader->InitialOffset();
  EXPECT_EQ(offset.status().code(), StatusCode::kWorkerLost);
  EXPECT_THAT(
      offset.status().message(),
      AllOf(StartsWith("python worker for source 'FaultySource' was killed by signal "
                       "11 (Segmentation fault) during initialOffset; its last output:"),
            HasSubstr("Fatal Python error: Segmentation fault"),
            HasSubstr("faulty.py\", line")));
}

TEST(PythonSourceTest, CrashedWorkerIsRestartedAndTheCallRetried) {
  std::string marker = ::testing::TempDir() + "crash_once_" + std::to_string(::getpid());
  std::filesystem::remove(marker);
  CapturedLog log;
  PythonSourceConfig config;
  config.max_worker_restarts = 1;
  config.log_sink = log.sink();
  auto source = Open(kSources + "faulty.py:FaultySource",
                     {{"crash", "read"},
                      {"crash_how", "kill"},
                      {"crash_once", marker},
                      {"kind", "simple"}},
                     config);
  ASSERT_NE(source, nullptr);
  auto reader = SimpleReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  auto read = reader->Read(O("{\"offset\": 4}"));
  ASSERT_OK(read);
  EXPECT_EQ(read->end.text(), "{\"offset\": 6}");
  EXPECT_EQ(Rows(read->batches), Ids(4, 6));
  EXPECT_THAT(
      log.Lines(),
      Contains(
          "[source FaultySource] python worker for source 'FaultySource' was "
          "killed by signal 9 (Killed) during read; restarting it (restart 1 of 1)"));
  std::filesystem::remove(marker);
}

TEST(PythonSourceTest, PartitionsAreReadInParallelByTheReadWorkers) {
  std::string dir = ::testing::TempDir() + "rendezvous_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  PythonSourceConfig config;
  config.read_workers = 2;
  auto source = Open(kSources + "parallel.py:RendezvousSource",
                     {{"dir", dir}, {"expect", "2"}}, config);
  ASSERT_NE(source, nullptr);
  auto reader = StreamReaderOf(*source);
  ASSERT_NE(reader, nullptr);
  auto partitions = reader->Partitions(O("{\"offset\": 0}"), O("{\"offset\": 2}"));
  ASSERT_OK(partitions);
  ASSERT_EQ(partitions->size(), 2u);
  std::vector<Result<std::vector<RecordBatchPtr>>> results(2,
                                                           Status::Internal("not run"));
  std::vector<std::thread> threads;
  threads.reserve(2);
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] { results[i] = reader->Read(*(*partitions)[i]); });
  }
  for (auto& t : threads) t.join();
  std::set<int64_t> pids;
  for (int i = 0; i < 2; ++i) {
    ASSERT_OK(results[i]);
    auto rows = Rows(*results[i]);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], Value(i));
    pids.insert(rows[0][1].as<int64_t>());
  }
  EXPECT_EQ(pids.size(), 2u);
  std::filesystem::remove_all(dir);
}

TEST(PythonSourceTest, InterpreterThatCannotStartIsAnInvalidArgument) {
  PythonSourceConfig config;
  config.python = "/nonexistent/python3";
  EXPECT_EQ(
      OpenSupervised(kSources + "faulty.py:FaultySource", {}, config).status().ToString(),
      "Invalid argument: cannot start the python interpreter '/nonexistent/python3' for "
      "source 'FaultySource': No such file or directory (set RIVULET_PYTHON to a python3 "
      "interpreter)");
}

TEST(PythonSourceTest, InterpreterThatIsNotPythonIsReportedWithItsOutput) {
  PythonSourceConfig config;
  config.python = "/bin/sh";
  auto source = OpenSupervised(kSources + "faulty.py:FaultySource", {}, config);
  EXPECT_EQ(source.status().code(), StatusCode::kWorkerLost);
  EXPECT_THAT(
      source.status().message(),
      StartsWith("python worker for source 'FaultySource' exited with status 2 during "
                 "init; its last output:\n"));
}

// A worker that breaks the protocol (tests/python/fake_worker) is reported, not trusted.
class MisbehavingWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("RIVULET_PYTHON_PACKAGE_DIR", RIVULET_SOURCE_DIR "/tests/python/fake_worker",
             1);
  }
  void TearDown() override {
    ::unsetenv("RIVULET_PYTHON_PACKAGE_DIR");
    ::unsetenv("RIVULET_FAKE_WORKER");
  }
  Status OpenWith(const char* mode) {
    ::setenv("RIVULET_FAKE_WORKER", mode, 1);
    return OpenSupervised(kSources + "faulty.py:FaultySource", {}, {}).status();
  }
};

// A worker lost during init is restarted, as one lost later, until the budget is spent.
TEST_F(MisbehavingWorkerTest, GarbledChannelKillsTheWorker) {
  EXPECT_EQ(
      OpenWith("garbage").ToString(),
      "Worker lost: python worker for source 'FaultySource' closed its channel and was "
      "killed during init (no restarts left: 3 allowed)");
}

TEST_F(MisbehavingWorkerTest, InitReplyWithoutANameIsInternal) {
  EXPECT_EQ(OpenWith("no_name").ToString(),
            "Internal error: python worker's init reply has no name: {}");
}

TEST_F(MisbehavingWorkerTest, UnknownErrorKindIsInternal) {
  EXPECT_EQ(
      OpenWith("unknown_kind").ToString(),
      "Internal error: python worker replied with unknown error kind 'weird': boom");
}

TEST_F(MisbehavingWorkerTest, ReplyStatusThatIsNeitherOkNorErrorIsInternal) {
  EXPECT_EQ(
      OpenWith("bad_code").ToString(),
      "Internal error: python worker for source 'FaultySource' sent a malformed reply to "
      "init (code 7, 0 fields)");
}

}  // namespace
}  // namespace rivulet::python
