// Python data sources end to end: the real rivulet binary runs the sources of
// tests/python/sources/ and examples/ in real worker processes into the json sink; it is
// killed, restarted and fed faulty sources, and the tests read back what was committed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/inotify.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "testing/json_output.h"
#include "testing/process.h"

namespace rivulet {
namespace {

using namespace std::chrono_literals;
using ::testing::AllOf;
using testing::CommittedJsonRows;
using ::testing::HasSubstr;
using testing::Process;
using testing::RunResult;
using testing::RunRivulet;
using ::testing::StartsWith;
using testing::WaitFor;
using Json = nlohmann::json;

const std::string kSources = testing::SourceDir() + "/tests/python/sources/";
const std::string kExamples = testing::SourceDir() + "/examples/";
// Spark's wrapping of an error in a driver-side call of a streaming source; a simple
// reader's read(start) runs inside latestOffset.
const std::string kFailedInLatestOffset =
    "[PYTHON_STREAMING_DATA_SOURCE_RUNTIME_ERROR] "
    "Failed when Python streaming data source perform latestOffset: ";

std::vector<int64_t> Range(int64_t from, int64_t to) {
  std::vector<int64_t> v;
  for (int64_t i = from; i < to; ++i) v.push_back(i);
  return v;
}

std::vector<int64_t> Longs(const std::vector<Json>& rows, const std::string& column) {
  std::vector<int64_t> values;
  values.reserve(rows.size());
  for (const auto& row : rows) values.push_back(row.at(column).get<int64_t>());
  return values;
}

std::set<int64_t> DistinctLongs(const std::vector<Json>& rows,
                                const std::string& column) {
  auto values = Longs(rows, column);
  return {values.begin(), values.end()};
}

// The StreamingQueryProgress lines --progress prints on stderr (the other lines are the
// sources' output and the engine's messages).
std::vector<Json> ProgressLines(const std::string& err) {
  std::vector<Json> progress;
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("{\"id\":", 0) == 0) progress.push_back(Json::parse(line));
  }
  return progress;
}

std::vector<int64_t> RowsPerBatch(const std::vector<Json>& progress) {
  std::vector<int64_t> rows;
  rows.reserve(progress.size());
  for (const auto& p : progress) rows.push_back(p.at("numInputRows").get<int64_t>());
  return rows;
}

// The engine's error message: stderr from "rivulet: error: " on. What comes before it is
// output of the workers, forwarded line by line under "[source NAME] ".
std::string EngineError(const std::string& err) {
  auto at = err.find("rivulet: error: ");
  return at == std::string::npos ? "" : err.substr(at);
}

// True once every thread of `pid` is stopped (SIGSTOP has landed everywhere, so nothing
// the process does can race with what the caller looks at next).
bool AllThreadsStopped(pid_t pid) {
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator(
           "/proc/" + std::to_string(pid) + "/task", error)) {
    std::string stat = testing::Slurp(task.path().string() + "/stat");
    auto close = stat.rfind(')');
    if (close == std::string::npos || close + 2 >= stat.size()) return false;
    char state = stat[close + 2];
    if (state != 'T' && state != 't' && state != 'Z' && state != 'X') return false;
  }
  return !error;
}

// The first python3 on PATH, as `command -v python3` finds it; empty if there is none.
std::string Python3OnPath() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/python3";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

struct PythonSourceTest : ::testing::Test {
  std::string dir = testing::MakeTempDir("pysource");
  std::string checkpoint = dir + "/checkpoint";
  std::string out = dir + "/out";
  ~PythonSourceTest() override { std::filesystem::remove_all(dir); }

  // `rivulet run` of a Python source into the json sink, with `-o` options and extra
  // flags.
  std::vector<std::string> Query(const std::string& spec,
                                 const std::vector<std::string>& options = {},
                                 const std::vector<std::string>& flags = {}) const {
    std::vector<std::string> args = {"run", "--source", spec};
    for (const auto& option : options) args.insert(args.end(), {"-o", option});
    args.insert(args.end(), {"--sink", "json", "--sink-option", "path=" + out,
                             "--checkpoint", checkpoint});
    args.insert(args.end(), flags.begin(), flags.end());
    return args;
  }

  // The same, started in the background.
  std::unique_ptr<Process> Start(const std::string& spec,
                                 const std::vector<std::string>& options = {},
                                 const std::vector<std::string>& flags = {}) const {
    auto args = Query(spec, options, flags);
    args.insert(args.begin(), testing::RivuletBinary());
    return std::make_unique<Process>(std::move(args), dir);
  }

  RunResult Run(const std::string& spec, const std::vector<std::string>& options = {},
                const std::vector<std::string>& flags = {}) const {
    return RunRivulet(Query(spec, options, flags), dir);
  }

  std::vector<Json> Rows() const { return CommittedJsonRows(out); }
};

// 1. The seed's example

TEST_F(PythonSourceTest, TheFileMonitorExampleDeliversEachFileDroppedWhileItRunsOnce) {
  const std::string inbox = dir + "/inbox";
  std::filesystem::create_directories(inbox);
  // Written under a hidden name, then renamed in: the monitor never sees a half-written
  // file.
  auto drop = [&](const std::string& name, const std::string& text) {
    std::ofstream(inbox + "/." + name) << text;
    std::filesystem::rename(inbox + "/." + name, inbox + "/" + name);
  };
  auto files = [&] {
    std::vector<std::string> seen;
    for (const auto& row : Rows()) {
      seen.push_back(row["name"].get<std::string>() + "=" +
                     row["content"].get<std::string>());
    }
    return seen;
  };
  const std::string spec = kExamples + "file_monitor.py:FileMonitorSource";
  const std::vector<std::string> options = {"path=" + inbox, "settle_ms=50"};
  const std::vector<std::string> flags = {"--trigger", "processing-time=20ms"};

  drop("a.txt", "first");
  auto query = Start(spec, options, flags);
  ASSERT_TRUE(WaitFor([&] { return files().size() == 1; })) << query->Stderr();
  drop("b.txt", "second");
  std::this_thread::sleep_for(100ms);
  drop("c.txt", "third\nwith two lines");
  ASSERT_TRUE(WaitFor([&] { return files().size() == 3; })) << query->Stderr();
  std::this_thread::sleep_for(300ms);  // a dozen more triggers: nothing is read twice
  query->Signal(SIGINT);
  ASSERT_EQ(query->WaitFor(30s), 0) << query->Stderr();
  EXPECT_EQ(files(), (std::vector<std::string>{"a.txt=first", "b.txt=second",
                                               "c.txt=third\nwith two lines"}));

  // Restarted on its checkpoint, the monitor reads only what arrived since.
  drop("d.txt", "fourth");
  query = Start(spec, options, flags);
  ASSERT_TRUE(WaitFor([&] { return files().size() == 4; })) << query->Stderr();
  std::this_thread::sleep_for(300ms);
  query->Signal(SIGINT);
  ASSERT_EQ(query->WaitFor(30s), 0) << query->Stderr();
  EXPECT_EQ(files(),
            (std::vector<std::string>{"a.txt=first", "b.txt=second",
                                      "c.txt=third\nwith two lines", "d.txt=fourth"}));
}

// 2. Killed between prefetch and commit

TEST_F(PythonSourceTest,
       KilledBetweenPrefetchAndCommitTheBatchIsReplayedWithReadBetweenOffsets) {
  const std::string replays = dir + "/replays";
  const std::vector<std::string> options = {"rows=500", "replays=" + replays};
  const std::string spec = kSources + "probes.py:CountingSource";
  auto query = Start(spec, options);

  // Each batch's rows are prefetched by read() before offsets/N is written; they reach
  // the sink, then commits/N is written. The engine is stopped as soon as an offsets/N
  // appears and killed if commits/N is not there yet; else it goes on and the next batch
  // is tried.
  const std::string offsets = checkpoint + "/offsets", commits = checkpoint + "/commits";
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(offsets); }))
      << query->Stderr();
  int inotify = inotify_init1(IN_CLOEXEC);
  ASSERT_GE(inotify, 0);
  ASSERT_GE(inotify_add_watch(inotify, offsets.c_str(), IN_CREATE | IN_MOVED_TO), 0);
  int64_t killed_in = -1;
  int64_t next =
      1;  // batch 0 commits: the replayed batch starts where a committed one ended
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (killed_in < 0 && std::chrono::steady_clock::now() < deadline) {
    pollfd fd{inotify, POLLIN, 0};
    if (poll(&fd, 1, 50) > 0) {
      char events[4096];
      [[maybe_unused]] auto n = read(inotify, events, sizeof events);
    }
    while (std::filesystem::exists(offsets + "/" + std::to_string(next))) {
      query->Signal(SIGSTOP);
      ASSERT_TRUE(WaitFor([&] { return AllThreadsStopped(query->pid()); }, 10s));
      if (!std::filesystem::exists(commits + "/" + std::to_string(next))) {
        query->Signal(SIGKILL);
        killed_in = next;
        break;
      }
      query->Signal(SIGCONT);
      ++next;
    }
  }
  close(inotify);
  ASSERT_GE(killed_in, 0) << "never caught a batch between its offsets and its commit";
  std::cout << "killed between the offsets and the commit of batch " << killed_in
            << std::endl;
  EXPECT_EQ(query->Wait(), 128 + SIGKILL);
  EXPECT_FALSE(std::filesystem::exists(replays));
  // The batches before the killed one are in the sink; the killed one too if the kill
  // came after the sink's own commit, which a replay then leaves alone.
  auto before = Longs(Rows(), "value");
  EXPECT_EQ(before, Range(0, before.size()));
  EXPECT_THAT(before.size(), ::testing::AnyOf(500 * killed_in, 500 * (killed_in + 1)));

  // Restarted, the engine runs the logged batch again: its rows were only in the killed
  // process's memory, so they are read again with readBetweenOffsets for exactly the
  // logged range. Then it goes on with read().
  auto restarted = Run(spec, options, {"--max-batches", "2", "--progress"});
  ASSERT_EQ(restarted.code, 0) << restarted.err;
  EXPECT_EQ(testing::Slurp(replays), std::to_string(500 * killed_in) + " " +
                                         std::to_string(500 * (killed_in + 1)) + "\n");
  EXPECT_EQ(Longs(Rows(), "value"), Range(0, 500 * (killed_in + 2)));
  auto progress = ProgressLines(restarted.err);
  ASSERT_EQ(progress.size(), 2u) << restarted.err;
  EXPECT_EQ(progress[0]["batchId"], killed_in);
  EXPECT_EQ(progress[1]["batchId"], killed_in + 1);
  EXPECT_EQ(RowsPerBatch(progress), (std::vector<int64_t>{500, 500}));
}

// 3. Partitions in parallel worker processes

TEST_F(PythonSourceTest, PartitionsAreReadAtTheSameTimeInDistinctWorkerProcesses) {
  auto result =
      Run(kSources + "probes.py:SleepyPartitions", {"partitions=2", "sleep_ms=500"},
          {"--read-workers", "2", "--max-batches", "2"});
  ASSERT_EQ(result.code, 0) << result.err;
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(Longs(rows, "partition"), Range(0, 4));
  // Two read workers, used by both batches.
  EXPECT_EQ(DistinctLongs({rows[0], rows[1]}, "pid").size(), 2u);
  EXPECT_EQ(DistinctLongs(rows, "pid").size(), 2u);
  // In the second batch both workers are warm: the two half-second reads overlap.
  const Json& a = rows[2];
  const Json& b = rows[3];
  EXPECT_LT(std::max(a["began"].get<double>(), b["began"].get<double>()),
            std::min(a["ended"].get<double>(), b["ended"].get<double>()))
      << a.dump() << "\n"
      << b.dump();
}

// 4. Printing

TEST_F(PythonSourceTest, WhatASourcePrintsReachesTheEngineStderrUnderTheSourceName) {
  auto result =
      Run(kSources + "faulty.py:FaultySource", {"print=yes"}, {"--max-batches", "2"});
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(Longs(Rows(), "id"), Range(0, 4));
  // From the planning worker and from the read workers, stdout and stderr alike.
  for (const char* line : {"[source FaultySource] stdout from latestOffset\n",
                           "[source FaultySource] stderr from latestOffset\n",
                           "[source FaultySource] stdout from read\n",
                           "[source FaultySource] stderr from read\n",
                           "[source FaultySource] stdout from commit\n"}) {
    EXPECT_THAT(result.err, HasSubstr(line));
  }
}

TEST_F(PythonSourceTest, WhatASimpleReaderPrintsDoesNotDisturbItsRows) {
  auto result = Run(kSources + "faulty.py:FaultySource", {"print=yes", "kind=simple"},
                    {"--max-batches", "3"});
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(Longs(Rows(), "id"), Range(0, 6));
  EXPECT_THAT(result.err, HasSubstr("[source FaultySource] stdout from read\n"));
}

// 5. Errors

TEST_F(PythonSourceTest,
       ExceptionInReadFailsTheQueryWithItsTracebackAndAFixedSourceResumes) {
  const std::string spec = kSources + "faulty.py:FaultySource";
  auto first = Run(spec, {}, {"--max-batches", "2"});
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_EQ(Longs(Rows(), "id"), Range(0, 4));

  // read() runs after batch 2's offsets are logged: the failure leaves it logged, not
  // committed.
  auto failing = Run(spec, {"fail=read"}, {"--max-batches", "2"});
  EXPECT_EQ(failing.code, 1);
  EXPECT_THAT(
      failing.err,
      AllOf(StartsWith(
                "rivulet: error: batch 2: [PYTHON_EXCEPTION] An exception was "
                "thrown from the Python worker: source 'FaultySource': read raised an "
                "exception:\nTraceback (most recent call last):\n"),
            HasSubstr("faulty.py\", line"), HasSubstr("in read\n"),
            HasSubstr("\nException: error in read\n")));
  EXPECT_EQ(Longs(Rows(), "id"), Range(0, 4));

  // The checkpoint is intact: the fixed source runs batch 2 again, then batch 3.
  auto fixed = Run(spec, {}, {"--max-batches", "2", "--progress"});
  ASSERT_EQ(fixed.code, 0) << fixed.err;
  EXPECT_EQ(Longs(Rows(), "id"), Range(0, 8));
  auto progress = ProgressLines(fixed.err);
  ASSERT_EQ(progress.size(), 2u) << fixed.err;
  EXPECT_EQ(progress[0]["batchId"], 2);
  EXPECT_EQ(progress[0]["sources"][0]["startOffset"], Json::parse(R"({"offset": 4})"));
  EXPECT_EQ(progress[1]["batchId"], 3);
}

TEST_F(PythonSourceTest,
       ExceptionInASimpleReadersPrefetchFailsTheQueryBeforeItsBatchIsLogged) {
  const std::string spec = kSources + "faulty.py:FaultySource";
  ASSERT_EQ(Run(spec, {"kind=simple"}, {"--max-batches", "1"}).code, 0);
  auto failing = Run(spec, {"kind=simple", "fail=read"});
  EXPECT_EQ(failing.code, 1);
  EXPECT_THAT(failing.err,
              AllOf(StartsWith("rivulet: error: " + kFailedInLatestOffset +
                               "source 'FaultySource': read raised an "
                               "exception:\nTraceback (most recent call last):\n"),
                    HasSubstr("\nException: error in read\n")));
  EXPECT_FALSE(std::filesystem::exists(checkpoint + "/offsets/1"));
  auto fixed = Run(spec, {"kind=simple"}, {"--max-batches", "2"});
  ASSERT_EQ(fixed.code, 0) << fixed.err;
  EXPECT_EQ(Longs(Rows(), "id"), Range(0, 6));
}

TEST_F(PythonSourceTest, WithoutRestartsAWorkerThatDiesFailsTheQueryNamingHowItEnded) {
  const std::vector<std::pair<std::string, std::string>> deaths = {
      {"exit", "exited with status 3"},
      {"os_exit", "exited with status 4"},
      {"kill", "was killed by signal 9 (Killed)"},
      {"segfault", "was killed by signal 11 (Segmentation fault)"}};
  for (const auto& [crash_how, reported] : deaths) {
    SCOPED_TRACE(crash_how);
    auto result =
        Run(kSources + "faulty.py:FaultySource", {"crash=read", "crash_how=" + crash_how},
            {"--max-worker-restarts", "0"});
    EXPECT_EQ(result.code, 1);
    EXPECT_THAT(EngineError(result.err),
                AllOf(StartsWith("rivulet: error: batch 0: python worker for source "
                                 "'FaultySource' " +
                                 reported + " during read"),
                      HasSubstr("(no restarts left: 0 allowed)\n")));
    EXPECT_TRUE(Rows().empty());
  }
}

TEST_F(PythonSourceTest, AWorkerThatForksAndDiesIsSeenDeadAndItsChildIsKilled) {
  // The child keeps the worker's pipes open for two minutes: only watching the worker's
  // pid tells the engine that it died, well before the 60 s a run here may take.
  const std::string child_pid = dir + "/child.pid";
  auto result = Run(kSources + "faulty.py:FaultySource",
                    {"crash=read", "crash_how=fork_exit", "child_pid=" + child_pid},
                    {"--max-worker-restarts", "0"});
  EXPECT_EQ(result.code, 1);
  EXPECT_THAT(EngineError(result.err),
              StartsWith("rivulet: error: batch 0: python worker for source "
                         "'FaultySource' exited with status 5 during read"));
  const pid_t child = std::stoi(testing::Slurp(child_pid));
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        const std::string stat =
            testing::Slurp("/proc/" + std::to_string(child) + "/stat");
        return stat.empty() || stat.find(") Z ") != std::string::npos;
      },
      std::chrono::seconds(10)))
      << "the worker's child " << child << " is still running";
}

TEST_F(PythonSourceTest, AWorkerThatDiesWhileStartingIsRestartedOnTheSameBudget) {
  const std::string spec = kSources + "faulty.py:FaultySource";
  auto refused =
      Run(spec, {"crash=__init__", "crash_how=kill"}, {"--max-worker-restarts", "0"});
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(EngineError(refused.err),
              AllOf(HasSubstr("was killed by signal 9 (Killed) during init"),
                    HasSubstr("(no restarts left: 0 allowed)")));

  const std::string marker = dir + "/crashed-in-init";
  auto result = Run(spec, {"crash=__init__", "crash_how=kill", "crash_once=" + marker},
                    {"--max-worker-restarts", "1", "--max-batches", "3"});
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_TRUE(std::filesystem::exists(marker));
  EXPECT_THAT(result.err, HasSubstr("was killed by signal 9 (Killed) during init; "
                                    "restarting it (restart 1 of 1)\n"));
  EXPECT_EQ(Longs(Rows(), "id"), Range(0, 6));
}

TEST_F(PythonSourceTest, ASegfaultingWorkerShowsThePythonStackOfTheCrash) {
  auto result = Run(kSources + "faulty.py:FaultySource",
                    {"crash=read", "crash_how=segfault"}, {"--max-worker-restarts", "0"});
  EXPECT_EQ(result.code, 1);
  EXPECT_THAT(result.err, AllOf(HasSubstr("during read; its last output:"),
                                HasSubstr("Fatal Python error: Segmentation fault"),
                                HasSubstr("faulty.py\", line")));
}

TEST_F(PythonSourceTest, AWorkerThatDiesIsRestartedAndTheQueryLosesAndDoublesNothing) {
  for (const std::string kind : {"stream", "simple"}) {
    SCOPED_TRACE(kind);
    std::filesystem::remove_all(checkpoint);
    std::filesystem::remove_all(out);
    const std::string marker = dir + "/crashed-" + kind;
    auto result =
        Run(kSources + "faulty.py:FaultySource",
            {"kind=" + kind, "crash=read", "crash_how=kill", "crash_once=" + marker},
            {"--max-worker-restarts", "1", "--max-batches", "3"});
    ASSERT_EQ(result.code, 0) << result.err;
    EXPECT_TRUE(std::filesystem::exists(marker));
    EXPECT_THAT(
        result.err,
        HasSubstr("[source FaultySource] python worker for source 'FaultySource' was "
                  "killed by signal 9 (Killed) during read; restarting it (restart 1 "
                  "of 1)\n"));
    EXPECT_EQ(Longs(Rows(), "id"), Range(0, 6));
  }
}

TEST_F(PythonSourceTest, ReadWithRowsThatDoesNotAdvanceItsOffsetIsAnError) {
  auto result = Run(kSources + "probes.py:CountingSource", {"stuck_at=4"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.err,
            "rivulet: error: " + kFailedInLatestOffset +
                "source 'CountingSource': [SIMPLE_STREAM_READER_OFFSET_DID_NOT_ADVANCE] "
                "read(start) returned 2 row(s) but its end offset {\"next\": 4} equals "
                "its start offset {\"next\": 4}; a read that returns rows must advance "
                "the offset\n");
  EXPECT_EQ(Longs(Rows(), "value"), Range(0, 4));
}

TEST_F(PythonSourceTest, OffsetThatIsNotJsonSerialisableIsAnErrorNamingTheMethod) {
  auto result = Run(kSources + "faulty.py:NotJsonOffsetSource");
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(
      result.err,
      "rivulet: error: " + kFailedInLatestOffset +
          "source 'NotJsonOffsetSource': latestOffset returned an offset "
          "that is not JSON-serialisable (dict): Object of type datetime is not JSON "
          "serializable\n");
}

TEST_F(PythonSourceTest, ValueThatDoesNotFitTheSchemaNamesSourceColumnRowAndTypes) {
  auto wrong_type = Run(kSources + "faulty.py:BadValueSource", {"bad=string_in_int"});
  EXPECT_EQ(wrong_type.code, 1);
  EXPECT_EQ(wrong_type.err,
            "rivulet: error: " + kFailedInLatestOffset +
                "source 'BadValueSource': read returned a value that does not fit "
                "the schema: column 'id' (row 3): expected int, got str 'x'\n");
  std::filesystem::remove_all(checkpoint);
  std::filesystem::remove_all(out);  // a new query needs a sink directory of its own
  auto out_of_range =
      Run(kSources + "faulty.py:BadValueSource", {"bad=int_out_of_range"});
  EXPECT_EQ(out_of_range.code, 1);
  EXPECT_EQ(
      out_of_range.err,
      "rivulet: error: " + kFailedInLatestOffset +
          "source 'BadValueSource': read returned a value that does not fit "
          "the schema: column 'id' (row 3): value 2147483648 out of range for int\n");
  EXPECT_TRUE(Rows().empty());
}

// 6. A worker killed from outside

TEST_F(PythonSourceTest, PlanningWorkerKilledMidQueryIsRespawnedAndNoRowIsLostOrDoubled) {
  auto query = Start(kSources + "probes.py:CountingSource", {"rows=3"},
                     {"--trigger", "processing-time=30ms"});
  ASSERT_TRUE(WaitFor([&] { return Rows().size() >= 9; })) << query->Stderr();
  const int64_t first_pid = Rows()[0]["pid"].get<int64_t>();
  ASSERT_EQ(kill(static_cast<pid_t>(first_pid), SIGKILL), 0);
  ASSERT_TRUE(WaitFor([&] {
    auto rows = Rows();
    return DistinctLongs(rows, "pid").size() == 2 && rows.back()["pid"] != first_pid &&
           rows.size() >= 18;
  })) << query->Stderr();
  query->Signal(SIGINT);
  ASSERT_EQ(query->WaitFor(30s), 0) << query->Stderr();
  auto rows = Rows();
  EXPECT_EQ(Longs(rows, "value"), Range(0, rows.size()));
  EXPECT_THAT(query->Stderr(),
              AllOf(HasSubstr("[source CountingSource] python worker for source "
                              "'CountingSource' was killed by signal 9 (Killed) during "),
                    HasSubstr("; restarting it (restart 1 of 3)\n")));
}

TEST_F(PythonSourceTest, ReadWorkerKilledMidQueryIsRespawnedAndNoRowIsLostOrDoubled) {
  auto query =
      Start(kSources + "probes.py:SleepyPartitions", {"partitions=2", "sleep_ms=10"},
            {"--read-workers", "2", "--trigger", "processing-time=30ms"});
  ASSERT_TRUE(WaitFor([&] { return Rows().size() >= 6; })) << query->Stderr();
  const std::set<int64_t> first_pids = DistinctLongs(Rows(), "pid");
  ASSERT_EQ(first_pids.size(), 2u);
  ASSERT_EQ(kill(static_cast<pid_t>(*first_pids.begin()), SIGKILL), 0);
  ASSERT_TRUE(WaitFor([&] {
    auto rows = Rows();
    return DistinctLongs(rows, "pid").size() == 3 && rows.size() >= 16;
  })) << query->Stderr();
  query->Signal(SIGINT);
  ASSERT_EQ(query->WaitFor(30s), 0) << query->Stderr();
  auto rows = Rows();
  EXPECT_EQ(Longs(rows, "partition"), Range(0, rows.size()));
  EXPECT_THAT(query->Stderr(), HasSubstr("; restarting it (restart 1 of 3)\n"));
}

// 7. Unmodified PySpark sources

TEST_F(PythonSourceTest, PysparkImportsResolveInTheWorker) {
  auto result =
      Run(kSources + "pyspark_imports.py:ImportsSource", {}, {"--max-batches", "2"});
  ASSERT_EQ(result.code, 0) << result.err;
  auto rows = Rows();
  EXPECT_EQ(Longs(rows, "id"), Range(0, 2));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0]["where"].get<std::string>(), StartsWith("rivulet."));
}

TEST_F(PythonSourceTest,
       BlockchainExampleReadsEverythingUnderOnceAndTwentyBlocksABatchElse) {
  const std::string spec = kSources + "blockchain_admission_control.py:ChainSource";
  auto once = Run(spec, {}, {"--trigger", "once", "--progress"});
  ASSERT_EQ(once.code, 0) << once.err;
  EXPECT_EQ(RowsPerBatch(ProgressLines(once.err)), std::vector<int64_t>{10000});
  auto rows = Rows();
  EXPECT_EQ(Longs(rows, "block_number"), Range(0, 10000));
  ASSERT_EQ(rows.size(), 10000u);
  EXPECT_EQ(rows[9999]["transaction_count"], 100);

  std::filesystem::remove_all(checkpoint);
  std::filesystem::remove_all(out);
  auto paced =
      Run(spec, {},
          {"--trigger", "processing-time=10ms", "--max-batches", "3", "--progress"});
  ASSERT_EQ(paced.code, 0) << paced.err;
  EXPECT_EQ(RowsPerBatch(ProgressLines(paced.err)), (std::vector<int64_t>{20, 20, 20}));
  EXPECT_EQ(Longs(Rows(), "block_number"), Range(0, 60));
}

TEST_F(PythonSourceTest, SparkSimpleReaderBatchKIsTwoKAndTwoKPlusOneAndARestartGoesOn) {
  const std::string spec = kSources + "spark_simple_reader.py:SimpleDataSource";
  auto first = Run(spec, {}, {"--max-batches", "3", "--progress"});
  ASSERT_EQ(first.code, 0) << first.err;
  auto second = Run(spec, {}, {"--max-batches", "2", "--progress"});
  ASSERT_EQ(second.code, 0) << second.err;
  auto progress = ProgressLines(first.err);
  for (const auto& p : ProgressLines(second.err)) progress.push_back(p);
  ASSERT_EQ(progress.size(), 5u);
  for (int k = 0; k < 5; ++k) {
    EXPECT_EQ(progress[k]["batchId"], k);
    EXPECT_EQ(progress[k]["numInputRows"], 2);
    EXPECT_EQ(progress[k]["sources"][0]["startOffset"], Json({{"offset", 2 * k}}));
    EXPECT_EQ(progress[k]["sources"][0]["endOffset"], Json({{"offset", 2 * k + 2}}));
  }
  EXPECT_EQ(Longs(Rows(), "id"), Range(0, 10));
}

TEST_F(PythonSourceTest, SparkSimpleReaderMayCommitBatchesWithoutRows) {
  auto result = Run(kSources + "spark_simple_empty_batches.py:EmptyBatchSource", {},
                    {"--max-batches", "4", "--progress"});
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(RowsPerBatch(ProgressLines(result.err)), (std::vector<int64_t>{2, 0, 2, 0}));
  EXPECT_EQ(Longs(Rows(), "id"), Range(0, 4));
}

TEST_F(PythonSourceTest, SparkAdmissionControlReaderUnderOnceRunsOneBatchOfTenRows) {
  auto result = Run(kSources + "spark_admission_control.py:TestDataSource", {},
                    {"--trigger", "once", "--progress"});
  ASSERT_EQ(result.code, 0) << result.err;
  auto progress = ProgressLines(result.err);
  ASSERT_EQ(progress.size(), 1u) << result.err;
  EXPECT_EQ(progress[0]["numInputRows"], 10);
  // latestOffset in progress is what reportLatestOffset() says, not the batch's end.
  EXPECT_EQ(progress[0]["sources"][0]["latestOffset"], Json({{"partition-1", 1000000}}));
  EXPECT_EQ(progress[0]["sources"][0]["endOffset"], Json({{"partition-1", 10}}));
  EXPECT_EQ(Longs(Rows(), "id"), Range(0, 10));
}

TEST_F(PythonSourceTest, SparkAdmissionControlReaderByDefaultAdmitsTwoRowsABatch) {
  auto result = Run(kSources + "spark_admission_control.py:TestDataSource", {},
                    {"--max-batches", "3", "--progress"});
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(RowsPerBatch(ProgressLines(result.err)), (std::vector<int64_t>{2, 2, 2}));
  EXPECT_EQ(Longs(Rows(), "id"), Range(0, 6));
}

TEST_F(PythonSourceTest, SparkAvailableNowReaderRunsFiveBatchesOfTwoToItsTargetAndStops) {
  auto result = Run(kSources + "spark_available_now.py:AvailableNowDataSource", {},
                    {"--trigger", "available-now", "--progress"});
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(RowsPerBatch(ProgressLines(result.err)),
            (std::vector<int64_t>{2, 2, 2, 2, 2}));
  EXPECT_EQ(Longs(Rows(), "id"), Range(0, 10));
}

TEST_F(PythonSourceTest, SparkSimpleAvailableNowReaderStopsAtItsTarget) {
  auto result = Run(kSources + "spark_simple_available_now.py:SimpleAvailableNowSource",
                    {}, {"--trigger", "available-now", "--progress"});
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(RowsPerBatch(ProgressLines(result.err)),
            (std::vector<int64_t>{2, 2, 2, 2, 2}));
  EXPECT_EQ(Longs(Rows(), "id"), Range(0, 10));
}

TEST_F(PythonSourceTest, SparkLegacyZeroArgumentLatestOffsetReaderRuns) {
  auto result = Run(kSources + "spark_stream_reader.py:TestDataSource", {},
                    {"--max-batches", "3", "--progress"});
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(RowsPerBatch(ProgressLines(result.err)), (std::vector<int64_t>{2, 2, 2}));
  EXPECT_EQ(Longs(Rows(), "id"), Range(0, 6));
}

// The CLI's other ways to name and shape a Python source.

TEST_F(PythonSourceTest, AShortNameIsFoundAsADataSourceNameUnderThePythonPath) {
  const std::string modules = dir + "/modules";
  std::filesystem::create_directories(modules);
  std::ofstream(modules + "/by_name.py")
      << "from pyspark.sql.datasource import DataSource, SimpleDataSourceStreamReader\n"
         "class Reader(SimpleDataSourceStreamReader):\n"
         "    def initialOffset(self):\n"
         "        return {'n': 0}\n"
         "    def read(self, start):\n"
         "        n = start['n']\n"
         "        return iter([(n,), (n + 1,)]), {'n': n + 2}\n"
         "    def readBetweenOffsets(self, start, end):\n"
         "        return iter([(i,) for i in range(start['n'], end['n'])])\n"
         "class ByName(DataSource):\n"
         "    @classmethod\n"
         "    def name(cls):\n"
         "        return 'Counter_By_Name'\n"
         "    def schema(self):\n"
         "        return 'id INT'\n"
         "    def simpleStreamReader(self, schema):\n"
         "        return Reader()\n";
  auto result =
      Run("counter_by_name", {},
          {"--python-path", modules, "--max-batches", "2", "--schema", "num BIGINT"});
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(Longs(Rows(), "num"),
            Range(0, 4));  // --schema replaced the source's schema()
  auto unknown = Run("no_such_source", {}, {"--python-path", modules});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.err.find("no_such_source"), std::string::npos) << unknown.err;
}

// 8. Both Pythons

TEST_F(PythonSourceTest, RunsOnTheSystemPythonGivenWithDashDashPython) {
  const std::string system_python = "/usr/bin/python3";
  if (!std::filesystem::exists(system_python)) GTEST_SKIP() << "no " << system_python;
  auto result = Run(kSources + "probes.py:InterpreterSource", {},
                    {"--python", system_python, "--max-batches", "2"});
  ASSERT_EQ(result.code, 0) << result.err;
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(std::filesystem::equivalent(rows[0]["executable"].get<std::string>(),
                                          system_python))
      << rows[0].dump();
}

// True while `pid` runs (a zombie has ended).
bool Alive(pid_t pid) {
  const std::string stat = testing::Slurp("/proc/" + std::to_string(pid) + "/stat");
  const auto paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

TEST_F(PythonSourceTest, WorkersEndWithTheirEngineEvenWhileTheSourceIsStuckInARead) {
  // Every read sleeps ten minutes: the worker is inside the source's code, not reading
  // the engine's requests, when the engine is killed.
  const std::string reading = dir + "/reading";
  auto query = Start(kSources + "probes.py:CountingSource",
                     {"sleep_ms=600000", "reading=" + reading});
  std::vector<pid_t> python;  // the template and the worker it forked
  ASSERT_TRUE(WaitFor(
      [&] {
        python.clear();
        for (pid_t child : testing::ChildrenOf(query->pid())) {
          if (testing::Slurp("/proc/" + std::to_string(child) + "/cmdline")
                  .find("rivulet._template") != std::string::npos) {
            python.push_back(child);
          }
        }
        return python.size() >= 2 && std::filesystem::exists(reading);
      },
      60s))
      << query->Stderr();
  query->Signal(SIGKILL);
  EXPECT_EQ(query->Wait(), 128 + SIGKILL);
  EXPECT_TRUE(
      WaitFor([&] { return std::none_of(python.begin(), python.end(), Alive); }, 60s))
      << "a Python process outlived its engine";
}

TEST_F(PythonSourceTest, RunsOnThePython3FoundOnPathWhenNoInterpreterIsNamed) {
  const std::string on_path = Python3OnPath();
  if (on_path.empty()) GTEST_SKIP() << "no python3 on PATH";
  // What that python3 (a version manager's shim, perhaps) really runs.
  Process probe(
      {on_path, "-c",
       "import sys; print(sys.executable); print('%d.%d.%d' % sys.version_info[:3])"},
      dir);
  ASSERT_EQ(probe.WaitFor(30s), 0) << probe.Stderr();
  std::istringstream lines(probe.Stdout());
  std::string executable, version;
  std::getline(lines, executable);
  std::getline(lines, version);
  if (std::filesystem::exists("/usr/bin/python3") &&
      std::filesystem::equivalent(executable, "/usr/bin/python3")) {
    GTEST_SKIP() << "python3 on PATH is the system python";
  }
  // Without RIVULET_PYTHON the engine takes python3 from PATH.
  auto args = Query(kSources + "probes.py:InterpreterSource", {}, {"--max-batches", "2"});
  args.insert(args.begin(),
              {"/usr/bin/env", "-u", "RIVULET_PYTHON", testing::RivuletBinary()});
  Process query(args, dir);
  ASSERT_EQ(query.WaitFor(60s), 0) << query.Stderr();
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["executable"], executable);
  EXPECT_EQ(rows[1]["version"], version);
}

}  // namespace
}  // namespace rivulet
