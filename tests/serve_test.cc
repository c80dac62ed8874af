// rivulet serve: many queries in one process, end to end.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "testing/json_output.h"
#include "testing/process.h"

namespace rivulet {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;
using testing::CommittedValues;
using ::testing::HasSubstr;
using testing::Process;
using testing::RunRivulet;
using testing::WaitFor;

const std::string kSources = testing::SourceDir() + "/tests/python/sources/";

struct ServeTest : ::testing::Test {
  std::string dir = testing::MakeTempDir("serve");
  ~ServeTest() override { std::filesystem::remove_all(dir); }

  std::string WriteConfig(const Json& config) {
    std::string path = dir + "/queries.json";
    std::ofstream(path) << config.dump(2);
    return path;
  }
  // A rate-micro-batch query into its own json directory.
  Json RateQuery(const std::string& name, const Json& extra = Json::object()) {
    Json q = {{"name", name},
              {"source", "rate-micro-batch"},
              {"options", {{"rowsPerBatch", 5}}},
              {"sink", "json"},
              {"sinkOptions", {{"path", dir + "/out-" + name}}},
              {"checkpoint", dir + "/cp-" + name}};
    q.update(extra);
    return q;
  }
};

std::vector<int64_t> Range(int64_t n) {
  std::vector<int64_t> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

// Committed batch ids of a checkpoint, from commits/.
std::set<int64_t> Commits(const std::string& checkpoint) {
  std::set<int64_t> ids;
  if (!std::filesystem::exists(checkpoint + "/commits")) return ids;
  for (const auto& e : std::filesystem::directory_iterator(checkpoint + "/commits")) {
    const std::string name = e.path().filename();
    if (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0]))) {
      ids.insert(std::stoll(name));
    }
  }
  return ids;
}

std::set<int64_t> Logged(const std::string& checkpoint) {
  std::set<int64_t> ids;
  for (const auto& e : std::filesystem::directory_iterator(checkpoint + "/offsets")) {
    const std::string name = e.path().filename();
    if (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0]))) {
      ids.insert(std::stoll(name));
    }
  }
  return ids;
}

TEST_F(ServeTest, EveryQueryOfTheFileRunsInOneProcess) {
  Json config = {
      {"queries",
       {RateQuery("a", {{"maxBatches", 3}}), RateQuery("b", {{"maxBatches", 2}}),
        RateQuery("c", {{"trigger", "processing-time=10ms"}, {"maxBatches", 4}})}}};
  auto result = RunRivulet({"serve", WriteConfig(config)}, dir);
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("serving 3 of 3 queries"));
  EXPECT_EQ(CommittedValues(dir + "/out-a"), Range(15));
  EXPECT_EQ(CommittedValues(dir + "/out-b"), Range(10));
  EXPECT_EQ(CommittedValues(dir + "/out-c"), Range(20));
}

TEST_F(ServeTest, ABadEntryIsRefusedNamingTheQueryAndTheKeyBeforeAnythingStarts) {
  struct Case {
    Json bad;
    std::string error;
  };
  const std::string file = dir + "/queries.json";
  std::vector<Case> cases = {
      {RateQuery("x", {{"sinkOptionz", Json::object()}}),
       file + ": query 'x': unknown key 'sinkOptionz'"},
      {Json{{"name", "x"}, {"source", "rate"}},
       file + ": query 'x': missing key 'checkpoint'"},
      {RateQuery("x", {{"trigger", "sometimes"}}),
       file +
           ": query 'x': key 'trigger': unknown trigger 'sometimes': expected default, "
           "once, available-now or processing-time=<interval>"},
      {RateQuery("x", {{"maxBatches", "three"}}),
       file + ": query 'x': key 'maxBatches' must be an integer, got \"three\""},
      {RateQuery("x", {{"sink", "nowhere"}}),
       file + ": query 'x': key 'sink': no sink named 'nowhere' (known: arrow, console, "
              "csv, json, noop, postgres, sqlite; a Python sink is "
              "path/to/file.py:ClassName)"},
      {RateQuery("x", {{"source", "nothing"}}),
       file + ": query 'x': key 'source': no source named 'nothing' (known: files, rate, "
              "rate-micro-batch; a Python source is path/to/file.py:ClassName)"},
      {RateQuery("x", {{"options", {{"rowsPerBatch", Json::array()}}}}),
       file + ": query 'x': option 'rowsPerBatch' in 'options' must be a string, number "
              "or boolean, got []"},
      {RateQuery("x", {{"schema", "id LONG,"}}), file + ": query 'x': key 'schema': "},
      {RateQuery("a", {{"checkpoint", dir + "/cp-good"}}),
       file + ": query 'a': key 'name': the name is taken by query #1"},
  };
  for (const Case& c : cases) {
    Json config = {
        {"queries", {RateQuery("a", {{"checkpoint", dir + "/cp-good"}}), c.bad}}};
    auto result = RunRivulet({"serve", WriteConfig(config)}, dir);
    EXPECT_EQ(result.code, 1) << c.error;
    EXPECT_THAT(result.err, HasSubstr("rivulet: error: " + c.error));
    EXPECT_FALSE(std::filesystem::exists(dir + "/cp-good"))
        << "nothing starts: " << c.error;
  }
  auto same_checkpoint = RunRivulet(
      {"serve", WriteConfig({{"queries",
                              {RateQuery("a"),
                               RateQuery("b", {{"checkpoint", dir + "/cp-a"}})}}})},
      dir);
  EXPECT_THAT(same_checkpoint.err,
              HasSubstr("query 'b': key 'checkpoint': " + dir +
                        "/cp-a is also the checkpoint of query 'a'"));
  std::ofstream(file) << "{\"queries\": [";
  EXPECT_THAT(RunRivulet({"serve", file}, dir).err,
              HasSubstr("rivulet: error: " + file + ": not valid JSON"));
}

TEST_F(ServeTest, AFailingQueryStopsAloneAndTheExitStatusSaysSo) {
  Json failing = {{"name", "broken"},
                  {"source", kSources + "faulty.py:FaultySource"},
                  {"options", {{"fail", "latestOffset"}}},
                  {"sink", "noop"},
                  {"checkpoint", dir + "/cp-broken"}};
  Json config = {{"queries",
                  {failing, RateQuery("steady", {{"trigger", "processing-time=50ms"},
                                                 {"maxBatches", 20}})}}};
  auto result = RunRivulet({"serve", WriteConfig(config)}, dir);
  EXPECT_EQ(result.code, 1) << result.err;
  EXPECT_THAT(result.err, HasSubstr("rivulet: query 'broken' (id "));
  EXPECT_THAT(result.err, HasSubstr("failed: "));
  EXPECT_THAT(result.err, HasSubstr("error in latestOffset"));
  EXPECT_EQ(CommittedValues(dir + "/out-steady"), Range(100));  // the other one finished
}

TEST_F(ServeTest, SigtermStopsEveryQueryBetweenBatches) {
  Json config = {{"queries", {RateQuery("a"), RateQuery("b"), RateQuery("c")}}};
  Process serve({testing::RivuletBinary(), "serve", WriteConfig(config)}, dir);
  ASSERT_TRUE(WaitFor([&] {
    for (const char* q : {"a", "b", "c"}) {
      if (Commits(dir + "/cp-" + std::string(q)).size() < 3) return false;
    }
    return true;
  })) << serve.Stderr();
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.WaitFor(30s), 0) << serve.Stderr();
  for (const char* q : {"a", "b", "c"}) {
    const std::string cp = dir + "/cp-" + std::string(q);
    EXPECT_EQ(Logged(cp), Commits(cp)) << "every logged batch of " << q << " committed";
    EXPECT_EQ(CommittedValues(dir + "/out-" + std::string(q)),
              Range(5 * static_cast<int64_t>(Commits(cp).size())));
  }
}

TEST_F(ServeTest, APythonReadThatSleepsDoesNotDelayANativeQuery) {
  constexpr int kIntervalMs = 200;
  Json sleepy = {{"name", "sleepy"},
                 {"source", kSources + "probes.py:CountingSource"},
                 {"options", {{"sleep_ms", 5000}}},
                 {"sink", "noop"},
                 {"checkpoint", dir + "/cp-sleepy"}};
  Json native = RateQuery(
      "native", {{"trigger", "processing-time=" + std::to_string(kIntervalMs) + "ms"},
                 {"sink", "noop"}});
  native.erase("sinkOptions");
  Process serve({testing::RivuletBinary(), "serve", "--progress",
                 WriteConfig({{"queries", {sleepy, native}}})},
                dir);
  // While the Python query sleeps through its first read, the native one runs 15 batches.
  ASSERT_TRUE(WaitFor([&] { return Commits(dir + "/cp-native").size() >= 15; }))
      << serve.Stderr();
  EXPECT_TRUE(Commits(dir + "/cp-sleepy").empty()) << "still in its first read";
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.WaitFor(30s), 0) << serve.Stderr();

  std::vector<int64_t> starts;
  std::istringstream lines(serve.Stderr());
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("{")) continue;
    Json progress = Json::parse(line);
    if (progress["name"] != "native") continue;
    std::tm tm{};
    std::string ts = progress["timestamp"];
    strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    starts.push_back(timegm(&tm) * 1000 + std::stoi(ts.substr(20, 3)));
  }
  ASSERT_GE(starts.size(), 15u);
  for (size_t i = 1; i < starts.size(); ++i) {
    EXPECT_LE(starts[i] - starts[i - 1], 2 * kIntervalMs)
        << "trigger " << i << " was late by more than one interval";
  }
}

TEST_F(ServeTest, ASecondSignalKillsTheWorkersOfAHungReadAndExits) {
  Json hung = {{"name", "hung"},
               {"source", kSources + "probes.py:CountingSource"},
               {"options", {{"sleep_ms", 600000}}},
               {"sink", "noop"},
               {"checkpoint", dir + "/cp-hung"}};
  Process serve({testing::RivuletBinary(), "serve", WriteConfig({{"queries", {hung}}})},
                dir);
  // The template and the worker whose read sleeps.
  std::vector<pid_t> children;
  ASSERT_TRUE(WaitFor([&] {
    children = testing::ChildrenOf(serve.pid());
    return children.size() >= 2 &&
           serve.Stderr().find("serving 1 of 1") != std::string::npos;
  })) << serve.Stderr();
  std::this_thread::sleep_for(500ms);  // the read has begun
  serve.Signal(SIGTERM);
  std::this_thread::sleep_for(500ms);
  EXPECT_TRUE(std::filesystem::exists("/proc/" + std::to_string(serve.pid())))
      << "the first signal waits for the batch in flight";
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.WaitFor(10s), 128 + SIGTERM) << serve.Stderr();
  for (pid_t child : children) {
    EXPECT_TRUE(WaitFor(
        [&] { return !std::filesystem::exists("/proc/" + std::to_string(child)); }, 10s))
        << "process " << child << " outlived its engine";
  }
}

}  // namespace
}  // namespace rivulet
