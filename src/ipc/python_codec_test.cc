// The pure-Python codec (python/rivulet/arrow_ipc.py) and the C++ writer agree byte for
// byte on the same rows and schema.

#include <gtest/gtest.h>

#include "ipc/ipc_testing.h"
#include "ipc/writer.h"
#include "testing/assert_status.h"

namespace rivulet::ipc {
namespace {

using testing::LoadFixture;

// Encodes a fixture with the Python codec and returns the bytes.
std::string PythonEncode(const std::string& fixture, const std::string& dir) {
  std::string out_path = dir + "/" + fixture + ".py.arrows";
  std::string command = "python3 " + testing::SourceDir() +
                        "/tests/python/arrow_fixture.py encode " + fixture + " " +
                        out_path + " 2>&1";
  std::string output;
  int code = testing::RunCommand(command, &output);
  EXPECT_EQ(code, 0) << output;
  return testing::ReadFileBytes(out_path);
}

// The offset of the first differing byte, for a readable failure.
size_t FirstDifference(const std::string& a, const std::string& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

class PythonCodecTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PythonCodecTest, WritesTheSameBytesAsTheCppWriter) {
  auto fixture = LoadFixture(GetParam());
  ASSERT_OK(fixture);
  auto cpp = WriteStream(*fixture->schema, fixture->built);
  ASSERT_OK(cpp);
  std::string dir = testing::MakeTempDir("ipc-python");
  std::string python = PythonEncode(GetParam(), dir);
  ASSERT_FALSE(python.empty());
  EXPECT_EQ(python.size(), cpp->size());
  EXPECT_TRUE(python == *cpp) << "first difference at byte "
                              << FirstDifference(python, *cpp);
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, PythonCodecTest,
                         ::testing::Values("all_types", "strings_and_numbers"));

}  // namespace
}  // namespace rivulet::ipc
