#pragma once

// partitionBy for the file sinks, as Spark lays it out: the rows of a batch go into one
// folder per distinct value of the partition columns, "<col>=<value>/" nested in the
// columns' order, and the partition columns are left out of the files.
//
// Folder values are Spark's: numbers, booleans and dates as Spark casts them to text,
// decimals with their scale ("1.50"), timestamps "2024-01-02 03:04:05.123" (UTC, trailing
// zeros of the fraction dropped), then escaped as Hive does: control characters and
// "#%'*/:=?\{[]^ and DEL become %XX. A null or an empty string is
// __HIVE_DEFAULT_PARTITION__.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/record_batch.h"

namespace rivulet {

class Partitioning {
 public:
  // The partition columns `names` of `schema`, refused as Spark refuses them: a name the
  // schema lacks, every column, a nested column.
  static Result<Partitioning> Resolve(const std::shared_ptr<const Schema>& schema,
                                      const std::vector<std::string>& names);

  // The schema of the files: the columns that are not partition columns.
  const std::shared_ptr<const Schema>& data_schema() const { return data_schema_; }

  // The rows of `batch` in runs of one partition: each run's folder ("a=1/b=x") and its
  // rows without the partition columns, in row order.
  struct Run {
    std::string folder;
    RecordBatchPtr rows;
  };
  std::vector<Run> Split(const RecordBatch& batch) const;

 private:
  Partitioning() = default;
  std::vector<int> partition_columns_;
  std::vector<int> data_columns_;
  std::vector<std::string> names_;
  std::shared_ptr<const Schema> data_schema_;
};

// Hive's escaping of a partition value for a folder name.
std::string EscapePartitionValue(std::string_view value);

// The option's comma-separated column names, trimmed: "a, b" -> {"a", "b"}.
std::vector<std::string> SplitColumnList(std::string_view list);

}  // namespace rivulet
