#include "testing/assert_status.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "rivulet/status.h"

namespace rivulet {
namespace {

Status Fine() { return Status::OK(); }
Status Broken() { return Status::Corruption("offsets/3 is truncated"); }
Result<int> Seven() { return 7; }
Result<int> Missing() { return Status::NotFound("no batch 4"); }
Result<std::unique_ptr<int>> Owned() { return std::make_unique<int>(5); }

TEST(AssertStatusTest, OkStatusesAndResultsPass) {
  ASSERT_OK(Fine());
  EXPECT_OK(Fine());
  ASSERT_OK(Seven());
  EXPECT_OK(Seven());
}

TEST(AssertStatusTest, AssignTakesTheValueOut) {
  ASSERT_OK_AND_ASSIGN(int seven, Seven());
  EXPECT_EQ(seven, 7);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<int> owned, Owned());
  EXPECT_EQ(*owned, 5);
  int assigned = 0;
  ASSERT_OK_AND_ASSIGN(assigned, Seven());
  EXPECT_EQ(assigned, 7);
}

TEST(AssertStatusTest, FailuresNameTheExpressionAndTheStatus) {
  EXPECT_FATAL_FAILURE(ASSERT_OK(Broken()),
                       "Broken() is not OK: Corruption: offsets/3 is truncated");
  EXPECT_NONFATAL_FAILURE(EXPECT_OK(Missing()),
                          "Missing() is not OK: Not found: no batch 4");
  EXPECT_NONFATAL_FAILURE(EXPECT_OK(Broken()) << "while reading", "while reading");
  EXPECT_FATAL_FAILURE(
      {
        ASSERT_OK_AND_ASSIGN(int value, Missing());
        (void)value;
      },
      "Missing() is not OK: Not found: no batch 4");
}

TEST(AssertStatusTest, AFailedAssignReturnsBeforeAssigning) {
  static int assigned = 0;
  EXPECT_FATAL_FAILURE(
      {
        ASSERT_OK_AND_ASSIGN(assigned, Missing());
        assigned = -1;
      },
      "no batch 4");
  EXPECT_EQ(assigned, 0);
}

}  // namespace
}  // namespace rivulet
