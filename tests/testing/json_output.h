#pragma once

// Reads back what the json sink committed: the files its metadata log lists, as parsed
// rows.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sinks/file_sink_log.h"
#include "testing/process.h"

namespace rivulet::testing {

inline std::vector<nlohmann::json> CommittedJsonRows(const std::string& dir) {
  std::vector<nlohmann::json> rows;
  auto files = FileSinkLog::ReadCommittedFiles(dir);
  if (!files.ok()) return rows;
  const std::string prefix = dir + "/";
  for (const auto& file : *files) {
    std::istringstream lines(Slurp(prefix + file));
    for (std::string line; std::getline(lines, line);)
      rows.push_back(nlohmann::json::parse(line));
  }
  return rows;
}

inline std::vector<int64_t> CommittedValues(const std::string& dir) {
  std::vector<int64_t> values;
  for (const auto& row : CommittedJsonRows(dir))
    values.push_back(row["value"].get<int64_t>());
  return values;
}

}  // namespace rivulet::testing
