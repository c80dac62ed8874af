// DATE, TIMESTAMP, TIMESTAMP_NTZ and INTERVAL DAY TO SECOND: _Column._date,
// _timestamp_micros, _timestamp_ntz_micros and _interval_micros. The builtin date,
// datetime and timedelta are read through the datetime C API; anything else the Python
// encoder might take (a subclass, a datetime in a time zone other than UTC) goes to the
// column's own per-value method, so it is converted by the very code that converts it
// there. This is the only file that uses the datetime C API: its capsule pointer is
// per file.

#include <Python.h>  // datetime.h needs it first
#include <datetime.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "rowcodec/column_buffers.h"
#include "rowcodec/column_encoder.h"
#include "rowcodec/python_values.h"

namespace nb = nanobind;

namespace rivulet::rowcodec {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;
constexpr int64_t kEpochOrdinal = 719163;  // date(1970, 1, 1).toordinal()

// Days from 1970-01-01 to a proleptic Gregorian date: toordinal() - kEpochOrdinal.
constexpr int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year =
      (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}
static_assert(DaysFromCivil(1970, 1, 1) == 0);
static_assert(DaysFromCivil(1, 1, 1) == 1 - kEpochOrdinal);
static_assert(DaysFromCivil(9999, 12, 31) == 3652059 - kEpochOrdinal);

int64_t DaysOf(PyObject* date) {
  return DaysFromCivil(PyDateTime_GET_YEAR(date), PyDateTime_GET_MONTH(date),
                       PyDateTime_GET_DAY(date));
}

// A datetime's wall-clock fields as microseconds from 1970-01-01T00:00.
int64_t NaiveMicros(PyObject* datetime) {
  const int64_t seconds = PyDateTime_DATE_GET_HOUR(datetime) * 3600 +
                          PyDateTime_DATE_GET_MINUTE(datetime) * 60 +
                          PyDateTime_DATE_GET_SECOND(datetime);
  return DaysOf(datetime) * kMicrosPerDay + seconds * kMicrosPerSecond +
         PyDateTime_DATE_GET_MICROSECOND(datetime);
}

PyObject* TzInfo(PyObject* datetime) {
#if PY_VERSION_HEX >= 0x030A0000
  return PyDateTime_DATE_GET_TZINFO(datetime);
#else
  auto* fields = reinterpret_cast<PyDateTime_DateTime*>(datetime);
  return fields->hastzinfo ? fields->tzinfo : Py_None;
#endif
}

// Microseconds in int64 fixed-width values (timestamps and intervals).
class Int64Encoder : public ColumnEncoder {
 public:
  void Emit(Body& body) const final {
    validity_.EmitTo(body);
    body.AddBuffer(values_.data(), values_.size() * sizeof(int64_t));
  }
  void Reset() final {
    validity_.Reset();
    Recycle(values_);
  }

 protected:
  Int64Encoder(const ColumnSpec& spec, const char* method)
      : nullable_(spec.nullable),
        source_rules_(spec.source_rules),
        support_(*spec.support),
        per_value_(spec.column.attr(method)) {}

  bool AppendValue(int64_t micros) {
    validity_.AppendValid();
    values_.push_back(micros);
    return true;
  }
  bool AppendNull() {
    if (!nullable_) return false;
    validity_.AppendNull();
    values_.push_back(0);
    return true;
  }
  // The column's per-value method, column.<method>(same_row, 0, value).
  bool AppendByPython(PyObject* value) {
    PyObject* args[] = {support_.same_row.ptr(), zero_.ptr(), value};
    nb::object micros =
        nb::steal(PyObject_Vectorcall(per_value_.ptr(), args, 3, nullptr));
    int64_t v = 0;
    if (!micros.is_valid() || !ExactInt64(micros.ptr(), &v)) return false;
    if (MayEqualNone(value, support_)) return false;
    return AppendValue(v);
  }

  const bool nullable_;
  const bool source_rules_;
  const Support& support_;

 private:
  nb::object per_value_;
  nb::object zero_ = nb::int_(0);
  Validity validity_;
  std::vector<int64_t> values_;
};

// TIMESTAMP: microseconds since the epoch, UTC. A naive datetime is UTC, or under source
// rules local time (datetime.astimezone, as the Python encoder converts it).
class TimestampEncoder final : public Int64Encoder {
 public:
  explicit TimestampEncoder(const ColumnSpec& spec)
      : Int64Encoder(spec, "_timestamp_micros"),
        astimezone_(nb::steal(Name("astimezone"))) {
    if (!astimezone_.is_valid()) throw nb::python_error();
  }

  bool Append(PyObject* value) override {
    if (PyDateTime_CheckExact(value)) {
      PyObject* tz = TzInfo(value);
      if (tz == support_.utc.ptr() || (tz == Py_None && !source_rules_)) {
        return AppendValue(NaiveMicros(value));
      }
      if (tz == Py_None) {
        nb::object in_utc = nb::steal(
            PyObject_CallMethodOneArg(value, astimezone_.ptr(), support_.utc.ptr()));
        if (!in_utc.is_valid()) return false;
        if (PyDateTime_CheckExact(in_utc.ptr()) &&
            TzInfo(in_utc.ptr()) == support_.utc.ptr()) {
          return AppendValue(NaiveMicros(in_utc.ptr()));
        }
      }
      return AppendByPython(value);
    }
    if (value == Py_None) return AppendNull();
    return AppendByPython(value);
  }

 private:
  nb::object astimezone_;
};

// TIMESTAMP_NTZ: the wall-clock fields; under source rules an aware datetime is refused.
class TimestampNtzEncoder final : public Int64Encoder {
 public:
  explicit TimestampNtzEncoder(const ColumnSpec& spec)
      : Int64Encoder(spec, "_timestamp_ntz_micros") {}

  bool Append(PyObject* value) override {
    if (PyDateTime_CheckExact(value)) {
      if (source_rules_ && TzInfo(value) != Py_None) return false;
      return AppendValue(NaiveMicros(value));
    }
    if (value == Py_None) return AppendNull();
    return AppendByPython(value);
  }
};

// INTERVAL DAY TO SECOND: a timedelta's microseconds in pyarrow's int64 steps (days *
// 86400000000 must fit, then the total); under source rules an int is microseconds and
// a float is truncated to them.
class IntervalEncoder final : public Int64Encoder {
 public:
  explicit IntervalEncoder(const ColumnSpec& spec)
      : Int64Encoder(spec, "_interval_micros") {}

  bool Append(PyObject* value) override {
    int64_t micros = 0;
    if (PyDelta_CheckExact(value)) {
      int64_t days = 0;
      if (__builtin_mul_overflow(static_cast<int64_t>(PyDateTime_DELTA_GET_DAYS(value)),
                                 kMicrosPerDay, &days) ||
          __builtin_add_overflow(
              days, int64_t{PyDateTime_DELTA_GET_SECONDS(value)} * kMicrosPerSecond,
              &micros) ||
          __builtin_add_overflow(
              micros, int64_t{PyDateTime_DELTA_GET_MICROSECONDS(value)}, &micros)) {
        return false;
      }
      return AppendValue(micros);
    }
    if (value == Py_None) return AppendNull();
    if (source_rules_ && PyLong_CheckExact(value)) {
      return ExactInt64(value, &micros) && AppendValue(micros);
    }
    if (source_rules_ && PyFloat_CheckExact(value)) {
      return TruncatedToInt64(PyFloat_AS_DOUBLE(value), &micros) && AppendValue(micros);
    }
    return AppendByPython(value);
  }
};

// DATE: days since the epoch, of a date or a datetime (a datetime is a date); for any
// other date, date.toordinal() as the Python encoder calls it.
class DateEncoder final : public ColumnEncoder {
 public:
  explicit DateEncoder(const ColumnSpec& spec)
      : nullable_(spec.nullable),
        support_(*spec.support),
        toordinal_(nb::steal(Name("toordinal"))) {
    if (!toordinal_.is_valid()) throw nb::python_error();
  }

  bool Append(PyObject* value) override {
    if (PyDate_CheckExact(value) || PyDateTime_CheckExact(value)) {
      return AppendDays(DaysOf(value));
    }
    if (value == Py_None) {
      if (!nullable_) return false;
      validity_.AppendNull();
      values_.push_back(0);
      return true;
    }
    if (!IsInstance(value, reinterpret_cast<PyObject*>(PyDateTimeAPI->DateType)))
      return false;
    nb::object ordinal = nb::steal(PyObject_CallMethodNoArgs(value, toordinal_.ptr()));
    int64_t days = 0;
    if (!ordinal.is_valid() || !ExactInt64(ordinal.ptr(), &days)) return false;
    if (MayEqualNone(value, support_)) return false;
    return AppendDays(days - kEpochOrdinal);
  }
  void Emit(Body& body) const override {
    validity_.EmitTo(body);
    body.AddBuffer(values_.data(), values_.size() * sizeof(int32_t));
  }
  void Reset() override {
    validity_.Reset();
    Recycle(values_);
  }

 private:
  // array("i") takes an int32 only.
  bool AppendDays(int64_t days) {
    if (days < std::numeric_limits<int32_t>::min() ||
        days > std::numeric_limits<int32_t>::max()) {
      return false;
    }
    validity_.AppendValid();
    values_.push_back(static_cast<int32_t>(days));
    return true;
  }

  const bool nullable_;
  const Support& support_;
  nb::object toordinal_;
  Validity validity_;
  std::vector<int32_t> values_;
};

}  // namespace

void ImportDatetimeApi() {
  PyDateTime_IMPORT;
  if (PyDateTimeAPI == nullptr) throw nb::python_error();
}

std::unique_ptr<ColumnEncoder> MakeDateEncoder(ColumnSpec&& spec) {
  return std::make_unique<DateEncoder>(spec);
}

std::unique_ptr<ColumnEncoder> MakeTimestampEncoder(ColumnSpec&& spec) {
  return std::make_unique<TimestampEncoder>(spec);
}

std::unique_ptr<ColumnEncoder> MakeTimestampNtzEncoder(ColumnSpec&& spec) {
  return std::make_unique<TimestampNtzEncoder>(spec);
}

std::unique_ptr<ColumnEncoder> MakeIntervalEncoder(ColumnSpec&& spec) {
  return std::make_unique<IntervalEncoder>(spec);
}

}  // namespace rivulet::rowcodec
