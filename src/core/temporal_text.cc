#include "core/temporal_text.h"

#include <cstdio>

namespace rivulet {
namespace {

struct CivilDate {
  int64_t year;
  int month;
  int day;
};

// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  int64_t doe = days - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// ".123456", or trimmed of trailing zeros ("" for none).
void AppendFraction(int64_t micros, Fraction digits, std::string* out) {
  if (micros == 0 && digits == Fraction::kTrimmed) return;
  char buf[16];
  std::snprintf(buf, sizeof(buf), ".%06d", static_cast<int>(micros));
  std::string text = buf;
  if (digits == Fraction::kTrimmed) text.erase(text.find_last_not_of('0') + 1);
  *out += text;
}

}  // namespace

std::string FormatDate(int64_t days) {
  CivilDate d = CivilFromDays(days);
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%s%04lld-%02d-%02d", d.year < 0 ? "-" : "",
                static_cast<long long>(d.year < 0 ? -d.year : d.year), d.month, d.day);
  return buf;
}

std::string FormatTimestamp(int64_t micros, Fraction fraction_digits) {
  constexpr int64_t kMicrosPerDay = 86'400'000'000;
  int64_t days = FloorDiv(micros, kMicrosPerDay);
  int64_t of_day = micros - days * kMicrosPerDay;
  int64_t seconds = of_day / 1'000'000;
  int64_t fraction = of_day % 1'000'000;
  char buf[32];
  std::snprintf(buf, sizeof(buf), " %02d:%02d:%02d", static_cast<int>(seconds / 3600),
                static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60));
  std::string out = FormatDate(days) + buf;
  AppendFraction(fraction, fraction_digits, &out);
  return out;
}

std::string FormatDayTimeInterval(int64_t micros) {
  // The magnitude in unsigned arithmetic, so that INT64_MIN has one.
  const uint64_t magnitude =
      micros < 0 ? ~static_cast<uint64_t>(micros) + 1 : static_cast<uint64_t>(micros);
  const uint64_t seconds = magnitude / 1'000'000;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "INTERVAL '%s%llu %02d:%02d:%02d",
                micros < 0 ? "-" : "", static_cast<unsigned long long>(seconds / 86400),
                static_cast<int>(seconds / 3600 % 24),
                static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60));
  std::string out = buf;
  AppendFraction(static_cast<int64_t>(magnitude % 1'000'000), Fraction::kTrimmed, &out);
  out += "' DAY TO SECOND";
  return out;
}

}  // namespace rivulet
