// The engine's DDL parser and the Python package's (rivulet.types) must read every schema
// string the same way. Both test suites check tests/python/ddl_cases.json: each case is a
// DDL string with either the Spark JSON of its schema or the exact error message.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "rivulet/schema.h"
#include "testing/assert_status.h"

namespace rivulet {
namespace {

TEST(DdlAgreementTest, EngineParsesEverySharedCaseAsThePythonPackageDoes) {
  std::ifstream in(RIVULET_SOURCE_DIR "/tests/python/ddl_cases.json");
  ASSERT_TRUE(in) << "cannot open tests/python/ddl_cases.json";
  std::stringstream text;
  text << in.rdbuf();
  auto cases = nlohmann::json::parse(text.str());
  ASSERT_GE(cases.size(), 30u);
  for (const auto& c : cases) {
    std::string ddl = c["ddl"].get<std::string>();
    auto schema = ParseDdl(ddl);
    if (c.contains("error")) {
      EXPECT_EQ(schema.status().message(), c["error"].get<std::string>())
          << "DDL: " << ddl;
      continue;
    }
    ASSERT_OK(schema) << "DDL: " << ddl;
    EXPECT_EQ(nlohmann::json::parse(schema->ToSparkJson()), c["json"]) << "DDL: " << ddl;
  }
}

}  // namespace
}  // namespace rivulet
