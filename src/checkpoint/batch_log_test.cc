#include "checkpoint/batch_log.h"

#include <gtest/gtest.h>

#include "checkpoint/checkpoint_testing.h"
#include "testing/assert_status.h"

namespace rivulet::checkpoint {
namespace {

class BatchLogTest : public CheckpointTestBase {
 protected:
  std::unique_ptr<BatchLog> OpenLog(bool remove_temporary_files = true) {
    auto log = BatchLog::Open(root_, remove_temporary_files);
    EXPECT_OK(log);
    return log.ok() ? std::move(*log) : nullptr;
  }
};

TEST_F(BatchLogTest, FilesAreNamedByTheDecimalBatchId) {
  auto log = OpenLog();
  ASSERT_OK(log->Add(0, "zero"));
  ASSERT_OK(log->Add(12, "twelve"));
  EXPECT_EQ(Names(root_), (std::vector<std::string>{"0", "12"}));
  EXPECT_EQ(ReadBytes(Path("12")), "twelve");
  EXPECT_EQ(log->PathOf(12), Path("12"));
  EXPECT_EQ(**log->Read(12), "twelve");
  EXPECT_EQ(*log->Read(5), std::nullopt);
}

TEST_F(BatchLogTest, OnlyBatchFileNamesCount) {
  for (const char* name :
       {"3", "10", ".3.crc", "3.crc", ".4.abc.tmp", "007", "-1", "x"}) {
    WriteBytes(Path(name), "x");
  }
  auto log = OpenLog(/*remove_temporary_files=*/false);
  EXPECT_EQ(*log->BatchIds(), (std::vector<int64_t>{3, 10}));
  EXPECT_EQ(*log->LatestId(), 10);
  EXPECT_TRUE(std::filesystem::exists(Path(".4.abc.tmp")));
}

TEST_F(BatchLogTest, OpenRemovesLeftoverTemporaryFilesWhenAsked) {
  WriteBytes(Path("0"), "x");
  WriteBytes(Path(".1.1b4e28ba-2fa1-41d2-883f-0016d3cca427.tmp"), "half");
  auto log = OpenLog(/*remove_temporary_files=*/true);
  EXPECT_EQ(Names(root_), std::vector<std::string>{"0"});
}

TEST_F(BatchLogTest, AMissingDirectoryIsAnEmptyLog) {
  auto log = BatchLog::Open(Path("nope"), /*remove_temporary_files=*/false);
  ASSERT_OK(log);
  EXPECT_EQ(*(*log)->BatchIds(), std::vector<int64_t>{});
  EXPECT_EQ(*(*log)->LatestId(), std::nullopt);
  EXPECT_EQ(*(*log)->Read(0), std::nullopt);
}

TEST_F(BatchLogTest, ListingErrorsAreReported) {
  WriteBytes(Path("file"), "x");
  EXPECT_EQ(BatchLog::Open(Path("file"), false).status().ToString(),
            "I/O error: cannot list directory " + Path("file") + ": Not a directory");
  auto log = OpenLog();
  std::filesystem::remove_all(root_);
  WriteBytes(root_, "now a file");
  EXPECT_EQ(log->BatchIds().status().ToString(),
            "I/O error: cannot list directory " + root_ + ": Not a directory");
  EXPECT_EQ(log->LatestId().status().ToString(),
            "I/O error: cannot list directory " + root_ + ": Not a directory");
  EXPECT_EQ(log->Read(0).status().ToString(),
            "I/O error: cannot open " + Path("0") + ": Not a directory");
  std::filesystem::remove(root_);
  std::filesystem::create_directory(root_);
}

TEST_F(BatchLogTest, ASymbolicLinkInTheWayIsReportedAsSuchAndLeftAlone) {
  auto log = OpenLog();
  std::filesystem::create_symlink(Path("nowhere"), Path("4"));  // dangling
  Status st = log->Add(4, "second");
  EXPECT_EQ(st.ToString(),
            "Corruption: " + Path("4") +
                " is a symbolic link, which a log never holds; nothing was "
                "written: remove the link and start again");
  EXPECT_TRUE(std::filesystem::is_symlink(Path("4")));
  EXPECT_FALSE(std::filesystem::exists(Path("nowhere")));
}

TEST_F(BatchLogTest, AnExistingFileIsNeverReplaced) {
  auto log = OpenLog();
  ASSERT_OK(log->Add(4, "first"));
  Status st = log->Add(4, "second");
  EXPECT_EQ(st.ToString(),
            "Busy: Concurrent update to the log. Multiple streaming jobs detected for 4");
  EXPECT_EQ(ReadBytes(Path("4")), "first");
  EXPECT_EQ(Names(root_), std::vector<std::string>{"4"});
}

TEST_F(BatchLogTest, WriteErrorsAreReported) {
  auto log = BatchLog::Open(Path("nope"), false);
  ASSERT_OK(log);
  EXPECT_EQ((*log)->Add(0, "x").ToString(),
            "I/O error: cannot create a temporary file for " + Path("nope/0") +
                ": No such file or directory");
  EXPECT_EQ(
      (*log)->Remove(0).ToString(),
      "I/O error: cannot open directory " + Path("nope") + ": No such file or directory");
}

TEST_F(BatchLogTest, NegativeBatchIdsAreRefused) {
  auto log = OpenLog();
  const std::string message = "Invalid argument: batch id must be non-negative, got -1";
  EXPECT_EQ(log->Add(-1, "x").ToString(), message);
  EXPECT_EQ(log->Read(-1).status().ToString(), message);
  EXPECT_EQ(log->Remove(-1).ToString(), message);
}

TEST_F(BatchLogTest, RemoveDeletesOneFileAndToleratesAMissingOne) {
  auto log = OpenLog();
  ASSERT_OK(log->Add(0, "a"));
  ASSERT_OK(log->Add(1, "b"));
  ASSERT_OK(log->Remove(1));
  ASSERT_OK(log->Remove(1));
  EXPECT_EQ(*log->BatchIds(), std::vector<int64_t>{0});
  // The id is free again.
  EXPECT_OK(log->Add(1, "c"));
}

TEST_F(BatchLogTest, PurgeBelowDeletesExactlyTheOlderFiles) {
  auto log = OpenLog();
  for (int64_t id = 0; id < 10; ++id) ASSERT_OK(log->Add(id, "x"));
  ASSERT_OK(log->PurgeBelow(4));
  EXPECT_EQ(*log->BatchIds(), (std::vector<int64_t>{4, 5, 6, 7, 8, 9}));
  ASSERT_OK(log->PurgeBelow(4));
  ASSERT_OK(log->PurgeBelow(2));
  EXPECT_EQ(*log->BatchIds(), (std::vector<int64_t>{4, 5, 6, 7, 8, 9}));
  ASSERT_OK(log->PurgeBelow(100));
  EXPECT_EQ(*log->BatchIds(), std::vector<int64_t>{});
}

TEST_F(BatchLogTest, PurgeOnlyLooksAtIdsSinceTheLastPurge) {
  auto log = OpenLog();
  for (int64_t id = 0; id < 6; ++id) ASSERT_OK(log->Add(id, "x"));
  ASSERT_OK(log->PurgeBelow(3));
  // A file reappearing below the purged range is not looked for again: purging costs one
  // unlink per newly expired batch, never a directory listing.
  WriteBytes(Path("1"), "x");
  ASSERT_OK(log->PurgeBelow(5));
  EXPECT_EQ(*log->BatchIds(), (std::vector<int64_t>{1, 5}));
}

TEST_F(BatchLogTest, PurgeStartsFromTheLowestFileFoundAtOpen) {
  for (const char* name : {"7", "8", "9"}) WriteBytes(Path(name), "x");
  auto log = OpenLog();
  ASSERT_OK(log->PurgeBelow(9));
  EXPECT_EQ(*log->BatchIds(), std::vector<int64_t>{9});
}

TEST_F(BatchLogTest, PurgeOfAnEmptyLogDoesNothingUntilAFileIsAdded) {
  auto log = OpenLog();
  ASSERT_OK(log->PurgeBelow(50));
  ASSERT_OK(log->Add(60, "x"));
  ASSERT_OK(log->Add(61, "x"));
  ASSERT_OK(log->PurgeBelow(61));
  EXPECT_EQ(*log->BatchIds(), std::vector<int64_t>{61});
}

TEST_F(BatchLogTest, PurgeReportsAFileItCannotDelete) {
  auto log = OpenLog();
  ASSERT_OK(log->Add(0, "x"));
  ASSERT_OK(log->Add(2, "x"));
  std::filesystem::create_directory(Path("1"));  // unlink fails on a directory
  EXPECT_EQ(log->PurgeBelow(2).ToString(),
            "I/O error: cannot remove " + Path("1") + ": Is a directory");
  std::filesystem::remove(Path("1"));
  ASSERT_OK(log->PurgeBelow(2));  // resumes where it stopped
  EXPECT_EQ(*log->BatchIds(), std::vector<int64_t>{2});
}

}  // namespace
}  // namespace rivulet::checkpoint
