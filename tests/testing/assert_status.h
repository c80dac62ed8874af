#pragma once

// GoogleTest assertions on a Status or a Result<T> that print the error when they fail:
//
//   ASSERT_OK(log->Write(entry));
//   EXPECT_OK(batch->Validate()) << "after slicing";
//   ASSERT_OK_AND_ASSIGN(auto bytes, WriteStream(schema, batches));
//
// A failure reads "log->Write(entry) is not OK: Corruption: ...". Like every ASSERT_*,
// ASSERT_OK and ASSERT_OK_AND_ASSIGN return from the current function, so they belong
// in functions that return void.

#include <gtest/gtest.h>

#include <utility>

#include "rivulet/status.h"

namespace rivulet::testing {

inline const Status& StatusOf(const Status& status) { return status; }
template <typename T>
const Status& StatusOf(const Result<T>& result) {
  return result.status();
}

// A predicate-formatter (see ASSERT_PRED_FORMAT1): succeeds on OK, and otherwise names
// the expression and the status.
template <typename StatusOrResult>
::testing::AssertionResult IsOk(const char* expression, const StatusOrResult& value) {
  const Status& status = StatusOf(value);
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << expression << " is not OK: " << status.ToString();
}

}  // namespace rivulet::testing

#define ASSERT_OK(expr) ASSERT_PRED_FORMAT1(::rivulet::testing::IsOk, expr)
#define EXPECT_OK(expr) EXPECT_PRED_FORMAT1(::rivulet::testing::IsOk, expr)

// `lhs` may be a declaration ("auto x"), so it cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define RIVULET_ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, rexpr, text)                  \
  auto tmp = (rexpr);                                                             \
  if (!tmp.ok()) FAIL() << ::rivulet::testing::IsOk(text, tmp).failure_message(); \
  lhs = std::move(*tmp)
// NOLINTEND(bugprone-macro-parentheses)

#define ASSERT_OK_AND_ASSIGN(lhs, rexpr)                                            \
  RIVULET_ASSERT_OK_AND_ASSIGN_IMPL(RIVULET_CONCAT(_assert_result_, __LINE__), lhs, \
                                    rexpr, #rexpr)
