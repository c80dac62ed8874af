#pragma once

// Dates, timestamps and day-time intervals as Spark prints them (show(), and inside a
// variant's JSON). Proleptic Gregorian calendar, UTC; any int64 of microseconds prints.

#include <cstdint>
#include <string>

namespace rivulet {

// "2024-01-02"; years before 1 print with a minus sign.
std::string FormatDate(int64_t days);

// How many fraction digits a timestamp prints.
enum class Fraction {
  kTrimmed,  // "03:04:05.1234", and none when zero (show())
  kSix,      // "03:04:05.123400" (a variant's JSON)
};
// "2024-01-02 03:04:05.123456".
std::string FormatTimestamp(int64_t micros, Fraction fraction = Fraction::kTrimmed);

// Spark's text of an INTERVAL DAY TO SECOND: "INTERVAL '1 02:00:03.000005' DAY TO
// SECOND", the fraction trimmed of trailing zeros, and a negative interval as the
// magnitude after a minus sign ("INTERVAL '-0 00:00:00.000001' DAY TO SECOND").
std::string FormatDayTimeInterval(int64_t micros);

}  // namespace rivulet
