#pragma once

// Helpers for src/core's unit tests.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "rivulet/record_batch.h"
#include "rivulet/status.h"
#include "testing/assert_status.h"

namespace rivulet::core {

// "OK", or the error as "Invalid argument: <message>", so one assertion checks both the
// code and the exact message.
inline std::string ErrorText(const Status& status) { return status.ToString(); }
template <typename T>
std::string ErrorText(const Result<T>& result) {
  return result.status().ToString();
}

using Row = std::vector<Value>;

// The schema of a DDL string that must parse.
inline std::shared_ptr<const Schema> SchemaOf(std::string_view ddl) {
  auto schema = ParseDdl(ddl);
  EXPECT_OK(schema);
  return std::make_shared<const Schema>(schema.ok() ? *schema : Schema());
}

// Builds a batch from rows that must all be accepted, and checks its layout.
inline RecordBatchPtr Build(std::string_view ddl, const std::vector<Row>& rows) {
  RecordBatchBuilder builder(SchemaOf(ddl));
  for (const Row& row : rows) {
    Status st = builder.AppendRow(row);
    EXPECT_OK(st);
  }
  auto batch = builder.Finish();
  EXPECT_OK(batch);
  Status valid = (*batch)->Validate();
  EXPECT_OK(valid);
  return *batch;
}

}  // namespace rivulet::core
