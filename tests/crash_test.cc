// Exactly once under kill -9: a query SIGKILLed at random moments, between and during
// batches, and restarted each time, delivers every row to the json sink once.

#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <random>

#include "testing/json_output.h"
#include "testing/process.h"

namespace rivulet {
namespace {

using namespace std::chrono_literals;

TEST(CrashTest, KilledAtRandomMomentsAndRestartedEveryRowIsDeliveredExactlyOnce) {
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  const std::string dir = testing::MakeTempDir("crash");
  const std::string checkpoint = dir + "/checkpoint", out = dir + "/out";
  auto command = [&](const std::string& trigger) {
    return std::vector<std::string>{testing::RivuletBinary(),
                                    "run",
                                    "--source",
                                    "rate-micro-batch",
                                    "-o",
                                    "rowsPerBatch=7",
                                    "--sink",
                                    "json",
                                    "--sink-option",
                                    "path=" + out,
                                    "--checkpoint",
                                    checkpoint,
                                    "--trigger",
                                    trigger};
  };
  constexpr int kKills = 24;
  int killed_running = 0;
  for (int i = 0; i < kKills; ++i) {
    // Back-to-back batches are mostly killed during a batch; a paced trigger leaves gaps
    // between batches for the kill to land in.
    testing::Process query(command(i % 2 ? "processing-time=15ms" : "default"), dir);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(30, 400)(rng)));
    query.Signal(SIGKILL);
    killed_running += query.Wait() == 128 + SIGKILL;
  }
  EXPECT_EQ(killed_running, kKills);
  auto final_args = command("default");
  final_args.insert(final_args.end(), {"--max-batches", "2"});
  testing::Process last(final_args, dir);
  ASSERT_EQ(last.WaitFor(60s), 0) << last.Stderr();

  auto values = testing::CommittedValues(out);
  ASSERT_FALSE(values.empty());
  std::sort(values.begin(), values.end());
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(values[i], static_cast<int64_t>(i)) << "a row lost or duplicated";
  }
  EXPECT_EQ(values.size() % 7, 0u);
  // Every run made progress before it was killed, so the kills landed mid-stream.
  EXPECT_GT(values.size(), 7u * kKills) << values.size() << " rows";
  std::cout << "crash test: " << values.size() << " rows, seed " << seed << std::endl;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rivulet
