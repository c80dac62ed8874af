#pragma once

// Progress of one micro-batch, in the shape of Spark's StreamingQueryProgress.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rivulet {

struct SourceProgress {
  std::string description;
  std::string start_offset;  // offset JSON text; empty means null
  std::string end_offset;
  std::string latest_offset;  // from ReportLatestOffset; empty means null
  int64_t num_input_rows = 0;
  double input_rows_per_second = 0;
  double processed_rows_per_second = 0;
  std::map<std::string, std::string> metrics;
};

struct SinkProgress {
  std::string description;
  int64_t num_output_rows = -1;  // -1: unknown
  std::map<std::string, std::string> metrics;
};

struct StreamingQueryProgress {
  std::string id;            // the query id, kept in the checkpoint's metadata file
  std::string run_id;        // new for every start
  std::string name;          // empty means null
  int64_t timestamp_ms = 0;  // trigger start, epoch ms
  int64_t batch_id = 0;
  int64_t batch_duration_ms = 0;
  int64_t num_input_rows = 0;
  double input_rows_per_second = 0;
  double processed_rows_per_second = 0;
  // latestOffset, walCommit, queryPlanning, getBatch, addBatch, commitOffsets,
  // triggerExecution (ms), kept sorted as Spark prints them.
  std::map<std::string, int64_t> duration_ms;
  std::vector<SourceProgress> sources;
  SinkProgress sink;

  // Spark's StreamingQueryProgress.json: compact, fields in Spark's order, rates rounded
  // to one decimal, offsets as parsed JSON.
  std::string ToJson() const;
};

}  // namespace rivulet
