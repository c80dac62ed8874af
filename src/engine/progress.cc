#include "rivulet/progress.h"

#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

namespace rivulet {
namespace {

using Json = nlohmann::ordered_json;

// Spark prints offsets as parsed JSON when they parse, else as strings.
Json OffsetJson(const std::string& text) {
  if (text.empty()) return nullptr;
  auto parsed = Json::parse(text, nullptr, false);
  return parsed.is_discarded() ? Json(text) : parsed;
}

// Rounded to one decimal (HALF_UP); NaN and infinity are left out, as Spark does.
void PutRate(Json& j, const char* key, double rate) {
  if (std::isfinite(rate)) j[key] = std::floor(rate * 10 + 0.5) / 10;
}

std::string IsoMillis(int64_t ms) {
  time_t secs = static_cast<time_t>(ms / 1000);
  tm parts{};
  gmtime_r(&secs, &parts);
  char buf[64];
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900,
           parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
           static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace

std::string StreamingQueryProgress::ToJson() const {
  Json j;
  j["id"] = id;
  j["runId"] = run_id;
  j["name"] = name.empty() ? Json(nullptr) : Json(name);
  j["timestamp"] = IsoMillis(timestamp_ms);
  j["batchId"] = batch_id;
  j["batchDuration"] = batch_duration_ms;
  j["numInputRows"] = num_input_rows;
  PutRate(j, "inputRowsPerSecond", input_rows_per_second);
  PutRate(j, "processedRowsPerSecond", processed_rows_per_second);
  if (!duration_ms.empty()) {
    Json d = Json::object();
    for (const auto& [key, ms] : duration_ms) d[key] = ms;
    j["durationMs"] = d;
  }
  j["stateOperators"] = Json::array();
  j["sources"] = Json::array();
  for (const auto& s : sources) {
    Json src;
    src["description"] = s.description;
    src["startOffset"] = OffsetJson(s.start_offset);
    src["endOffset"] = OffsetJson(s.end_offset);
    src["latestOffset"] = OffsetJson(s.latest_offset);
    src["numInputRows"] = s.num_input_rows;
    PutRate(src, "inputRowsPerSecond", s.input_rows_per_second);
    PutRate(src, "processedRowsPerSecond", s.processed_rows_per_second);
    if (!s.metrics.empty()) src["metrics"] = s.metrics;
    j["sources"].push_back(src);
  }
  Json sink_json;
  sink_json["description"] = sink.description;
  sink_json["numOutputRows"] = sink.num_output_rows;
  if (!sink.metrics.empty()) sink_json["metrics"] = sink.metrics;
  j["sink"] = sink_json;
  return j.dump();
}

}  // namespace rivulet
