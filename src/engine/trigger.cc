#include <charconv>

#include "rivulet/query.h"

namespace rivulet {
namespace {

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  double amount = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
  std::string_view unit(end, text.data() + text.size() - end);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  double scale = -1;
  if (unit == "ms" || unit == "millisecond" || unit == "milliseconds") scale = 1;
  if (unit == "s" || unit == "second" || unit == "seconds" || unit.empty()) scale = 1000;
  if (unit == "m" || unit == "min" || unit == "minute" || unit == "minutes")
    scale = 60000;
  if (ec != std::errc() || scale < 0 || amount < 0) {
    return Status::InvalidArgument(
        "bad interval '" + std::string(text) +
        "': expected a number and a unit (ms, s, min), e.g. 500ms");
  }
  return std::chrono::milliseconds(static_cast<int64_t>(amount * scale));
}

}  // namespace

Result<Trigger> Trigger::Parse(std::string_view text) {
  if (text == "default" || text.empty()) return Trigger{};
  if (text == "once") return Trigger{Kind::kOnce};
  if (text == "available-now" || text == "availableNow")
    return Trigger{Kind::kAvailableNow};
  constexpr std::string_view kPrefix = "processing-time=";
  if (text.starts_with(kPrefix)) {
    RIVULET_ASSIGN_OR_RETURN(auto interval, ParseDuration(text.substr(kPrefix.size())));
    return Trigger{Kind::kProcessingTime, interval};
  }
  return Status::InvalidArgument("unknown trigger '" + std::string(text) +
                                 "': expected default, once, available-now or "
                                 "processing-time=<interval>");
}

std::string Trigger::ToString() const {
  switch (kind) {
    case Kind::kDefault:
      return "default";
    case Kind::kOnce:
      return "once";
    case Kind::kAvailableNow:
      return "available-now";
    case Kind::kProcessingTime:
      return "processing-time=" + std::to_string(interval.count()) + "ms";
  }
  return "default";
}

}  // namespace rivulet
