// The crash harness: runs deterministic sources into every sink with the real `rivulet`
// binary, kills the engine with SIGKILL at random moments, kills its Python workers, and
// stops it at each named kill point (common/kill_point.h); then lets each query finish
// and checks that its sink holds every row the source produced for the committed batches
// exactly once, by key and by checksum.
//
//   rivulet_chaos [--kills N] [--seed S] [--scenario NAME ...]
//
// A failure prints the seed; the same seed replays the same kills (the moments are the
// same offsets from each start; the machine's speed decides where those land).

#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "chaos/sink_contents.h"

namespace rivulet::chaos {
namespace {

using namespace std::chrono_literals;

constexpr int kRowsPerBatch = 8;
const char* const kKillPoints[] = {"after-offsets", "sink-write", "after-sink-commit",
                                   "after-commit-log"};

std::string Sources() { return testing::SourceDir() + "/tests/chaos/chaos_sources.py:"; }

struct Scenario {
  std::string name;
  std::vector<std::string> source;  // --source and its options
  bool python_source = false;
  std::vector<std::string> sink;  // --sink and its options
  bool python_sink = false;
  std::function<Result<std::vector<Row>>()> read;
};

// The payload of value v from the Python sources (chaos_sources.py), "" for rate.
std::string ExpectedPayload(const Scenario& s, int64_t v) {
  return s.python_source ? "p" + std::to_string(v * 7919 % 10007) : "";
}

uint64_t Checksum(std::vector<Row> rows) {
  std::sort(rows.begin(), rows.end());
  uint64_t hash = 1469598103934665603ull;  // FNV-1a over "value|payload\n"
  for (const auto& [value, payload] : rows) {
    for (char c : std::to_string(value) + "|" + payload + "\n") {
      hash = (hash ^ static_cast<uint8_t>(c)) * 1099511628211ull;
    }
  }
  return hash;
}

struct Totals {
  int engine_kills = 0;
  int worker_kills = 0;
  int point_kills = 0;
  int64_t rows_checked = 0;
  int64_t rows_lost = 0;
  int64_t rows_doubled = 0;
  int64_t rows_wrong = 0;
};

class Harness {
 public:
  Harness(std::string dir, uint64_t seed) : dir_(std::move(dir)), rng_(seed) {}

  std::vector<Scenario> Scenarios(testing::PostgresServer* postgres) {
    const std::string rate_rows = "rowsPerBatch=" + std::to_string(kRowsPerBatch);
    const std::vector<std::string> rate = {"--source", "rate-micro-batch", "-o",
                                           rate_rows};
    const std::string dir = dir_;
    auto out = [dir](const std::string& name) { return dir + "/" + name + "/out"; };
    std::vector<Scenario> all = {
        {"rate-json",
         rate,
         false,
         {"--sink", "json", "--sink-option", "path=" + out("rate-json")},
         false,
         [=] { return JsonDirectory(out("rate-json")); }},
        {"rate-csv",
         rate,
         false,
         {"--sink", "csv", "--sink-option", "path=" + out("rate-csv"), "--sink-option",
          "header=true", "--sink-option", "compression=gzip"},
         false,
         [=] { return CsvDirectory(out("rate-csv")); }},
        {"rate-arrow",
         rate,
         false,
         {"--sink", "arrow", "--sink-option", "path=" + out("rate-arrow")},
         false,
         [=] { return ArrowDirectory(out("rate-arrow")); }},
        {"rate-sqlite",
         rate,
         false,
         {"--sink", "sqlite", "--sink-option", "path=" + dir_ + "/rate.db",
          "--sink-option", "table=ticks"},
         false,
         [dir] { return SqliteTable(dir + "/rate.db", "ticks", false); }},
        {"rate-python-writer",
         rate,
         false,
         {"--sink",
          testing::SourceDir() +
              "/tests/python/sources/spark_stream_writer.py:CommittingSink",
          "--sink-option", "path=" + out("rate-python-writer")},
         true,
         [=] { return CommittedBatchFolders(out("rate-python-writer")); }},
        {"simple-json",
         {"--source", Sources() + "ChaosSimple", "-o",
          "rows=" + std::to_string(kRowsPerBatch)},
         true,
         {"--sink", "json", "--sink-option", "path=" + out("simple-json")},
         false,
         [=] { return JsonDirectory(out("simple-json")); }},
        // Reads slower than a commit: the next batch is read while one commits.
        {"slow-simple-json",
         {"--source", Sources() + "ChaosSimple", "-o",
          "rows=" + std::to_string(kRowsPerBatch), "-o", "read_ms=25"},
         true,
         {"--sink", "json", "--sink-option", "path=" + out("slow-simple-json")},
         false,
         [=] { return JsonDirectory(out("slow-simple-json")); }},
        {"partitioned-sqlite",
         {"--source", Sources() + "ChaosPartitioned", "-o",
          "rows=" + std::to_string(kRowsPerBatch)},
         true,
         {"--sink", "sqlite", "--sink-option", "path=" + dir_ + "/partitioned.db",
          "--sink-option", "table=rows"},
         false,
         [dir] { return SqliteTable(dir + "/partitioned.db", "rows", true); }},
    };
    if (postgres != nullptr) {
      all.push_back({"rate-postgres",
                     rate,
                     false,
                     {"--sink", "postgres", "--sink-option", "url=" + postgres->Url(),
                      "--sink-option", "table=ticks"},
                     false,
                     [=] { return PostgresTable(*postgres, "ticks", false); }});
    }
    return all;
  }

  // Starts the scenario's query for up to `batches` batches.
  std::unique_ptr<testing::Process> Start(const Scenario& s, int batches) {
    std::vector<std::string> args = {testing::RivuletBinary(), "run"};
    args.insert(args.end(), s.source.begin(), s.source.end());
    args.insert(args.end(), s.sink.begin(), s.sink.end());
    args.insert(args.end(),
                {"--checkpoint", dir_ + "/" + s.name + "/checkpoint", "--max-batches",
                 std::to_string(batches), "--max-worker-restarts", "1000000"});
    std::filesystem::create_directories(dir_ + "/" + s.name + "/logs");
    return std::make_unique<testing::Process>(args, dir_ + "/" + s.name + "/logs");
  }

  std::chrono::milliseconds RandomDelay(const Scenario& s) {
    const bool python = s.python_source || s.python_sink;
    std::uniform_int_distribution<int> ms(0, python ? 1500 : 500);
    return std::chrono::milliseconds(ms(rng_));
  }

  // One random SIGKILL of the engine, or first of one of its Python workers.
  void RandomKill(const Scenario& s) {
    auto engine = Start(s, 1000);
    const bool python = s.python_source || s.python_sink;
    if (python && std::bernoulli_distribution(0.4)(rng_)) {
      std::this_thread::sleep_for(RandomDelay(s) + 300ms);
      std::vector<pid_t> workers = testing::ChildrenOf(engine->pid());
      if (!workers.empty()) {
        std::uniform_int_distribution<size_t> pick(0, workers.size() - 1);
        kill(workers[pick(rng_)], SIGKILL);
        ++totals_.worker_kills;
        ++per_scenario_[s.name].worker_kills;
      }
    }
    std::this_thread::sleep_for(RandomDelay(s));
    engine->Signal(SIGKILL);
    engine->Wait();
    ++totals_.engine_kills;
    ++per_scenario_[s.name].engine_kills;
  }

  // A run that the kill point `point` must end, at the second batch of this run.
  bool KillAt(const Scenario& s, const std::string& point) {
    const int64_t batch = LastCommitted(s) + 2;
    const std::string spec = point + "@" + std::to_string(batch);
    setenv("RIVULET_KILL_POINT", spec.c_str(), 1);
    auto engine = Start(s, 5);
    unsetenv("RIVULET_KILL_POINT");
    const int code = engine->WaitFor(120s);
    if (code != 128 + SIGKILL) {
      std::cerr << s.name << ": the run with RIVULET_KILL_POINT=" << spec
                << " ended with " << code
                << ", not by SIGKILL (is the binary built with RIVULET_KILL_POINTS?)\n"
                << engine->Stderr();
      return false;
    }
    ++totals_.point_kills;
    ++per_scenario_[s.name].point_kills;
    return true;
  }

  // The last batch id in the checkpoint's commit log, -1 for none.
  int64_t LastCommitted(const Scenario& s) const {
    int64_t last = -1;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(
             dir_ + "/" + s.name + "/checkpoint/commits", ec)) {
      const std::string name = e.path().filename().string();
      if (!name.empty() && std::all_of(name.begin(), name.end(), ::isdigit)) {
        last = std::max<int64_t>(last, std::stoll(name));
      }
    }
    return last;
  }

  // Lets the query finish cleanly, then compares its sink with what the source produced.
  bool Check(const Scenario& s) {
    auto finish = Start(s, 2);
    const int code = finish->WaitFor(300s);
    if (code != 0) {
      std::cerr << s.name << ": the final run failed (" << code << "):\n"
                << finish->Stderr();
      return false;
    }
    const int64_t batches = LastCommitted(s) + 1;
    auto rows = s.read();
    if (!rows.ok()) {
      std::cerr << s.name << ": cannot read the sink: " << rows.status().ToString()
                << "\n";
      return false;
    }
    std::map<int64_t, int> seen;
    Totals& mine = per_scenario_[s.name];
    std::vector<Row> expected;
    for (int64_t v = 0; v < batches * kRowsPerBatch; ++v) {
      expected.emplace_back(v, ExpectedPayload(s, v));
    }
    for (const auto& [value, payload] : *rows) {
      ++seen[value];
      if (value < 0 || value >= batches * kRowsPerBatch ||
          payload != ExpectedPayload(s, value)) {
        ++mine.rows_wrong;
      }
    }
    for (int64_t v = 0; v < batches * kRowsPerBatch; ++v) {
      auto it = seen.find(v);
      if (it == seen.end()) {
        ++mine.rows_lost;
      } else if (it->second > 1) {
        mine.rows_doubled += it->second - 1;
      }
    }
    mine.rows_checked = static_cast<int64_t>(rows->size());
    const bool checksum_ok = Checksum(*rows) == Checksum(expected);
    totals_.rows_checked += mine.rows_checked;
    totals_.rows_lost += mine.rows_lost;
    totals_.rows_doubled += mine.rows_doubled;
    totals_.rows_wrong += mine.rows_wrong;
    std::cout << s.name << ": " << batches << " batches, " << mine.engine_kills
              << " engine kills, " << mine.worker_kills << " worker kills, "
              << mine.point_kills << " kill points; " << mine.rows_checked
              << " rows checked, " << mine.rows_lost << " lost, " << mine.rows_doubled
              << " doubled, " << mine.rows_wrong << " wrong, checksum "
              << (checksum_ok ? "equal" : "DIFFERENT") << "\n";
    return checksum_ok && mine.rows_lost == 0 && mine.rows_doubled == 0 &&
           mine.rows_wrong == 0 && batches > 0;
  }

  std::mt19937_64& rng() { return rng_; }
  const Totals& totals() const { return totals_; }

 private:
  const std::string dir_;
  std::mt19937_64 rng_;
  Totals totals_;
  std::map<std::string, Totals> per_scenario_;
};

int Main(int argc, char** argv) {
  CLI::App app{"rivulet's crash harness: kills, restarts, and counts rows"};
  int kills = 64;
  uint64_t seed = std::random_device{}();
  std::vector<std::string> only;
  bool keep = false;
  app.add_option("--kills", kills, "Random kills, spread over the scenarios");
  app.add_option("--seed", seed, "The seed of the kills' moments and targets");
  app.add_option("--scenario", only, "Run only these scenarios");
  app.add_flag("--keep", keep, "Keep the working directory");
  CLI11_PARSE(app, argc, argv);

  const std::string dir = testing::MakeTempDir("chaos");
  std::cout << "rivulet_chaos: seed " << seed << ", " << kills << " random kills, in "
            << dir << "\n";
  auto postgres = std::make_unique<testing::PostgresServer>();
  if (!postgres->ok()) {
    std::cerr << "rivulet_chaos: no PostgreSQL server: " << postgres->error() << "\n";
    return 1;
  }
  Harness harness(dir, seed);
  std::vector<Scenario> scenarios;
  for (Scenario& s : harness.Scenarios(postgres.get())) {
    if (only.empty() || std::find(only.begin(), only.end(), s.name) != only.end()) {
      scenarios.push_back(std::move(s));
    }
  }
  bool ok = !scenarios.empty();
  std::uniform_int_distribution<size_t> pick(
      0, scenarios.empty() ? 0 : scenarios.size() - 1);
  for (int k = 0; k < kills && ok; ++k)
    harness.RandomKill(scenarios[pick(harness.rng())]);
  for (const Scenario& s : scenarios) {
    for (const char* point : kKillPoints) ok = harness.KillAt(s, point) && ok;
  }
  for (const Scenario& s : scenarios) ok = harness.Check(s) && ok;

  const Totals& t = harness.totals();
  std::cout << "rivulet_chaos: " << t.engine_kills << " engine kills, " << t.worker_kills
            << " worker kills, " << t.point_kills << " kill points survived; "
            << t.rows_checked << " rows checked, " << t.rows_lost << " lost, "
            << t.rows_doubled << " doubled, " << t.rows_wrong << " wrong\n";
  if (!ok) {
    std::cout << "rivulet_chaos: FAILED with seed " << seed
              << "; replay with: rivulet_chaos --seed " << seed << " --kills " << kills
              << " (work in " << dir << ")\n";
    return 1;
  }
  postgres.reset();
  if (!keep) std::filesystem::remove_all(dir);
  std::cout << "rivulet_chaos: OK\n";
  return 0;
}

}  // namespace
}  // namespace rivulet::chaos

int main(int argc, char** argv) {
  try {
    return rivulet::chaos::Main(argc, argv);
  } catch (const std::exception& e) {  // a sink's contents that do not parse, say
    std::cerr << "rivulet_chaos: " << e.what() << "\n";
    return 2;
  }
}
