// Exactly once across power cuts: a query into the json sink loses power after each step
// of its batches in turn (every write, sync, rename and directory sync), the file system
// drops what was not yet durable, and the restarted query ends with every row in the
// output once.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "common/fault_injection_env.h"
#include "rivulet/builtins.h"
#include "testing/assert_status.h"
#include "testing/json_output.h"

namespace rivulet {
namespace {

constexpr int kRowsPerBatch = 3;
constexpr int kBatches = 3;

struct PowerCutTest : ::testing::Test {
  std::string dir = testing::MakeTempDir("power-cut");
  ~PowerCutTest() override { std::filesystem::remove_all(dir); }

  // Runs rate-micro-batch -> json for `batches` batches on `env`; returns how it ended.
  Status Run(std::shared_ptr<Env> env, const std::string& name, int batches) {
    RuntimeOptions options;
    options.env = std::move(env);
    auto runtime = Runtime::Create(options);
    RegisterBuiltins(*runtime);
    Options source_options;
    source_options.Set("rowsPerBatch", std::to_string(kRowsPerBatch));
    Options sink_options;
    sink_options.Set("path", dir + "/" + name + "/out");
    RIVULET_ASSIGN_OR_RETURN(
        auto source, runtime->sources().Create("rate-micro-batch", source_options));
    RIVULET_ASSIGN_OR_RETURN(auto sink, runtime->sinks().Create("json", sink_options));
    QueryOptions query;
    query.checkpoint_dir = dir + "/" + name + "/checkpoint";
    query.max_batches = batches;
    RIVULET_ASSIGN_OR_RETURN(auto started,
                             runtime->streams().Start(std::move(source), std::move(sink),
                                                      std::nullopt, query));
    return started->AwaitTermination();
  }
};

TEST_F(PowerCutTest, AfterAPowerCutAtAnyStepTheRestartedQueryDeliversEveryRowOnce) {
  // How many mutating steps an uninterrupted run takes.
  auto counting = std::make_shared<FaultInjectionEnv>();
  ASSERT_OK(Run(counting, "count", kBatches));
  const int steps = counting->mutating_ops();
  ASSERT_GT(steps, 4 * kBatches);  // offsets, part file, sink log entry, commit

  for (int cut = 1; cut <= steps; ++cut) {
    const std::string name = "cut-" + std::to_string(cut);
    auto env = std::make_shared<FaultInjectionEnv>();
    env->DieAfter(cut);
    Status first = Run(env, name, kBatches);
    EXPECT_THAT(first.message(), ::testing::HasSubstr("power cut")) << "cut " << cut;
    ASSERT_OK(env->DropUnsyncedData());

    // Power is back: the same query on the real file system, until it has run enough.
    ASSERT_OK(Run(nullptr, name, kBatches)) << "cut " << cut;
    std::vector<int64_t> values = testing::CommittedValues(dir + "/" + name + "/out");
    std::sort(values.begin(), values.end());
    ASSERT_GE(values.size(), static_cast<size_t>(kRowsPerBatch * kBatches)) << cut;
    for (size_t i = 0; i < values.size(); ++i) {
      ASSERT_EQ(values[i], static_cast<int64_t>(i))
          << "after a cut at step " << cut << " of " << steps
          << ", rows are missing or doubled";
    }
  }
}

}  // namespace
}  // namespace rivulet
