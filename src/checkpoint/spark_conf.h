#pragma once

// The `conf` an offsets entry records (docs/format/checkpoint.md). A query that Spark
// continues takes these values into its session (OffsetSeqMetadata.setSessionConf), and
// a key that is missing makes Spark fall back to the legacy state formats. So a new query
// records what Spark 4.3 records for a new query with its default session, and a query
// going on records what its latest entry holds, whichever engine wrote it.

#include <map>
#include <string>

namespace rivulet::checkpoint {

// What Spark 4.3 (local, default session) writes in the first offsets entry of a query.
inline const std::map<std::string, std::string>& NewQueryConf() {
  static const auto* conf = new std::map<std::string, std::string>{
      {"spark.sql.dropDuplicates.deterministicKeyOrder.enabled", "true"},
      {"spark.sql.function.protobufExtensions.enabled", "false"},
      {"spark.sql.optimizer.pruneFiltersCanPruneStreamingSubplan", "false"},
      {"spark.sql.shuffle.partitions", "200"},
      {"spark.sql.streaming.aggregation.stateFormatVersion", "2"},
      {"spark.sql.streaming.flatMapGroupsWithState.stateFormatVersion", "2"},
      {"spark.sql.streaming.join.stateFormatVersion", "2"},
      {"spark.sql.streaming.multipleWatermarkPolicy", "min"},
      {"spark.sql.streaming.queryEvolution.enableSourceEvolution", "false"},
      {"spark.sql.streaming.stateStore.compression.codec", "lz4"},
      {"spark.sql.streaming.stateStore.encodingFormat", "unsaferow"},
      {"spark.sql.streaming.stateStore.providerClass",
       "org.apache.spark.sql.execution.streaming.state.HDFSBackedStateStoreProvider"},
      {"spark.sql.streaming.stateStore.rocksdb.formatVersion", "5"},
      {"spark.sql.streaming.stateStore.rocksdb.mergeOperatorVersion", "2"},
      {"spark.sql.streaming.stateStore.rowChecksum.enabled", "false"},
      {"spark.sql.streaming.statefulOperator.alwaysNullableOutput.enabled", "true"},
      {"spark.sql.streaming.statefulOperator.useStrictDistribution", "true"},
  };
  return *conf;
}

}  // namespace rivulet::checkpoint
