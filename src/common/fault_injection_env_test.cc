#include "common/fault_injection_env.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>

#include "testing/assert_status.h"

namespace rivulet {
namespace {

struct FaultInjectionEnvTest : ::testing::Test {
  std::string dir = [] {
    std::string templ =
        (std::filesystem::temp_directory_path() / "rivulet-fault-XXXXXX").string();
    return std::string(mkdtemp(templ.data()));
  }();
  FaultInjectionEnv env;
  ~FaultInjectionEnvTest() override { std::filesystem::remove_all(dir); }

  std::vector<std::string> Names() {
    auto names = ListDir(dir);
    std::sort(names->begin(), names->end());
    return *names;
  }
};

TEST_F(FaultInjectionEnvTest, AnAtomicWriteThatReturnedSurvivesThePowerCut) {
  ASSERT_OK(env.WriteFileAtomic(dir + "/a", "durable", false));
  ASSERT_OK(env.DropUnsyncedData());
  EXPECT_EQ(*ReadFile(dir + "/a"), "durable");
}

TEST_F(FaultInjectionEnvTest,
       PowerGoingAtAnyStepOfAnAtomicWriteLeavesNoFileOrTheWholeFile) {
  // Create, append, sync, rename, sync dir: five mutating steps.
  for (int step = 1; step <= 6; ++step) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    FaultInjectionEnv cut;
    cut.DieAfter(step);
    Status written = cut.WriteFileAtomic(dir + "/a", "whole", false);
    ASSERT_OK(cut.DropUnsyncedData());
    if (step <= 5) {
      EXPECT_THAT(written.message(), ::testing::HasSubstr("power cut")) << step;
      EXPECT_TRUE(Names().empty()) << "step " << step;
    } else {
      ASSERT_OK(written);
      EXPECT_EQ(Names(), std::vector<std::string>{"a"});
      EXPECT_EQ(*ReadFile(dir + "/a"), "whole");
    }
  }
}

TEST_F(FaultInjectionEnvTest, DataAppendedAfterTheLastSyncIsLost) {
  ASSERT_OK_AND_ASSIGN(auto file, env.NewWritableFile(dir + "/log"));
  ASSERT_OK(file->Append("synced|"));
  ASSERT_OK(file->Sync());
  ASSERT_OK(file->Append("lost"));
  ASSERT_OK(file->Close());
  ASSERT_OK(env.SyncDir(dir));
  ASSERT_OK(env.DropUnsyncedData());
  EXPECT_EQ(*ReadFile(dir + "/log"), "synced|");
}

TEST_F(FaultInjectionEnvTest, ARemovalOrAnOverwriteNotMadeDurableIsUndone) {
  ASSERT_OK(env.WriteFileAtomic(dir + "/kept", "old", false));
  ASSERT_OK(env.WriteFileAtomic(dir + "/replaced", "before", false));
  ASSERT_OK(env.RemoveFile(dir + "/kept"));
  ASSERT_OK_AND_ASSIGN(auto file, env.NewWritableFile(dir + "/.new.tmp"));
  ASSERT_OK(file->Append("after"));
  ASSERT_OK(file->Sync());
  ASSERT_OK(file->Close());
  ASSERT_OK(env.RenameFile(dir + "/.new.tmp", dir + "/replaced", true));
  ASSERT_OK(env.DropUnsyncedData());
  EXPECT_EQ(Names(), (std::vector<std::string>{"kept", "replaced"}));
  EXPECT_EQ(*ReadFile(dir + "/kept"), "old");
  EXPECT_EQ(*ReadFile(dir + "/replaced"), "before");
}

TEST_F(FaultInjectionEnvTest, AChosenOperationFailsOnceAndTheWriteCleansUp) {
  env.FailNth(FaultInjectionEnv::Op::kSync, "commits", 2, Status::IOError("disk gone"));
  std::filesystem::create_directories(dir + "/commits");
  ASSERT_OK(env.WriteFileAtomic(dir + "/commits/0", "x", false));
  EXPECT_EQ(env.WriteFileAtomic(dir + "/commits/1", "x", false).ToString(),
            "I/O error: disk gone");
  EXPECT_EQ(*ListDir(dir + "/commits"), std::vector<std::string>{"0"});
  ASSERT_OK(env.WriteFileAtomic(dir + "/commits/1", "x", false));  // once only
}

}  // namespace
}  // namespace rivulet
