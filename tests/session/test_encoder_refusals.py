"""What the pure-Python encoder refuses, the compiled row encoder (rivulet._rowcodec) never
turns into bytes: it declines the batch, and the Python encoder raises its error, the same
exception with the same message whichever encoder is on. Every refusal of each type, under
the rule sets where it applies (source_rules, as a data source's read() is converted, or
without them)."""

import array
import datetime as dt
import decimal

import pytest

from encoder_agreement import (
    assert_same_refusal, assert_same_stream, not_null, pure_python, refusal, row_encoder, schema,
)
from rivulet import types as T

D = decimal.Decimal
td = dt.timedelta
UTC = dt.timezone.utc
PLUS_0530 = dt.timezone(td(hours=5, minutes=30))
MINUS_8 = dt.timezone(td(hours=-8))
LONGEST = td(days=106751991, seconds=14454, microseconds=775807)  # 2**63 - 1 microseconds

BOOLEAN, BYTE, SHORT, INT, LONG = (T.BooleanType(), T.ByteType(), T.ShortType(),
                                   T.IntegerType(), T.LongType())
FLOAT, DOUBLE, STRING, BINARY = T.FloatType(), T.DoubleType(), T.StringType(), T.BinaryType()
DATE, TIMESTAMP, NTZ = T.DateType(), T.TimestampType(), T.TimestampNTZType()
INTERVAL, VARIANT, VOID = T.DayTimeIntervalType(), T.VariantType(), T.NullType()
BOTH, STRICT, SOURCE = (False, True), (False,), (True,)
MALFORMED = ("[MALFORMED_VARIANT] Variant binary is malformed. Please check the data source "
             "is valid.")
HUGE = 2**1024  # beyond a double


class NoText:
    def __str__(self):
        raise ValueError("no text")


class NotText:
    def __str__(self):
        return 5


class Surrogate:
    def __str__(self):
        return "\ud800"


class Point:
    def __init__(self):
        self.x = 1

    def __repr__(self):
        return "Point()"


def one_field(data_type):
    return schema(("s", T.StructType([T.StructField("a", data_type)])))


# (what is refused, schema, rows, rule sets, the error)
CASES = [
    # rows
    ("a row that is not a row", schema(("id", INT), ("x", INT)), [(1, 2), 7], BOTH,
     "TypeError: row 1: expected a tuple, list, dict or Row, got int 7"),
    ("a string as a row", schema(("id", INT)), ["a"], BOTH,
     "TypeError: row 0: expected a tuple, list, dict or Row, got str 'a'"),
    ("a tuple of another width", schema(("id", INT), ("x", INT)), [(1, 2), (1, 2, 3)], BOTH,
     "ValueError: row 1: expected 2 values, got 3"),
    ("a list of another width", schema(("id", INT), ("x", INT)), [[1]], BOTH,
     "ValueError: row 0: expected 2 values, got 1"),
    # void, boolean, integers
    ("a value in a void column", schema(("n", VOID)), [(None,), (1,)], BOTH,
     "TypeError: column 'n' (row 1): expected void, got int 1"),
    ("an int for a boolean", schema(("b", BOOLEAN)), [(True,), (1,)], BOTH,
     "TypeError: column 'b' (row 1): expected boolean, got int 1"),
    ("a str for a bigint", schema(("l", LONG)), [(1,), ("a",)], BOTH,
     "TypeError: column 'l' (row 1): expected bigint, got str 'a'"),
    ("a bool for an int", schema(("i", INT)), [(True,)], BOTH,
     "TypeError: column 'i' (row 0): expected int, got bool True"),
    ("a float for an int without source rules", schema(("i", INT)), [(None,), (1.5,)], STRICT,
     "TypeError: column 'i' (row 1): expected int, got float 1.5"),
    ("a NaN for an int", schema(("i", INT)), [(float("nan"),)], SOURCE,
     "TypeError: column 'i' (row 0): expected int, got float nan"),
    ("an infinity for a bigint", schema(("l", LONG)), [(float("-inf"),)], SOURCE,
     "TypeError: column 'l' (row 0): expected bigint, got float -inf"),
    ("tinyint above its range", schema(("y", BYTE)), [(127,), (128,)], BOTH,
     "ValueError: column 'y' (row 1): value 128 out of range for tinyint"),
    ("tinyint below its range", schema(("y", BYTE)), [(-129,)], BOTH,
     "ValueError: column 'y' (row 0): value -129 out of range for tinyint"),
    ("a truncated float beyond tinyint", schema(("y", BYTE)), [(128.5,)], SOURCE,
     "ValueError: column 'y' (row 0): value 128 out of range for tinyint"),
    ("smallint beyond its range", schema(("s", SHORT)), [(2**15,)], BOTH,
     "ValueError: column 's' (row 0): value 32768 out of range for smallint"),
    ("int beyond its range", schema(("i", INT)), [(-2**31 - 1,)], BOTH,
     "ValueError: column 'i' (row 0): value -2147483649 out of range for int"),
    ("bigint beyond its range", schema(("l", LONG)), [(2**63,)], BOTH,
     "ValueError: column 'l' (row 0): value 9223372036854775808 out of range for bigint"),
    ("a float beyond bigint", schema(("l", LONG)), [(9.3e18,)], SOURCE,
     "ValueError: column 'l' (row 0): value 9300000000000000000 out of range for bigint"),
    # floating point
    ("a str for a double", schema(("d", DOUBLE)), [("1.5",)], BOTH,
     "TypeError: column 'd' (row 0): expected double, got str '1.5'"),
    ("a bool for a double without source rules", schema(("d", DOUBLE)), [(True,)], STRICT,
     "TypeError: column 'd' (row 0): expected double, got bool True"),
    ("a Decimal for a double", schema(("d", DOUBLE)), [(D("1.5"),)], BOTH,
     "TypeError: column 'd' (row 0): expected double, got Decimal Decimal('1.5')"),
    ("an int beyond a double", schema(("d", DOUBLE)), [(1.0,), (HUGE,)], BOTH,
     "ValueError: column 'd' (row 1): value %d out of range for double" % HUGE),
    ("an int beyond a double for a float", schema(("f", FLOAT)), [(HUGE,)], BOTH,
     "ValueError: column 'f' (row 0): value %d out of range for float" % HUGE),
    ("a double beyond float32", schema(("f", FLOAT)), [(1.0,), (1e39,)], BOTH,
     "ValueError: column 'f' (row 1): value 1e+39 out of range for float"),
    ("an int beyond float32", schema(("f", FLOAT)), [(10**39,)], BOTH,
     "ValueError: column 'f' (row 0): value %d out of range for float" % 10**39),
    # Finite and rounded to FLT_MAX in float32, but refused beside an infinity, as the
    # Python encoder checks values beyond FLT_MAX only in a batch holding an infinity.
    ("a float rounding to FLT_MAX beside an infinity", schema(("f", FLOAT)),
     [(3.4028235e38,), (float("inf"),)], BOTH,
     "ValueError: column 'f' (row 0): value 3.4028235e+38 out of range for float"),
    # decimals
    ("a float for a decimal", schema(("d", T.DecimalType(5, 2))), [(0.5,)], BOTH,
     "TypeError: column 'd' (row 0): expected decimal(5,2), got float 0.5"),
    ("an int for a decimal under source rules", schema(("d", T.DecimalType(5, 2))), [(3,)],
     SOURCE, "TypeError: column 'd' (row 0): expected decimal(5,2), got int 3"),
    ("a str for a decimal", schema(("d", T.DecimalType(5, 2))), [("1.5",)], BOTH,
     "TypeError: column 'd' (row 0): expected decimal(5,2), got str '1.5'"),
    ("a NaN decimal without source rules", schema(("d", T.DecimalType(5, 2))), [(D("NaN"),)],
     STRICT, "ValueError: column 'd' (row 0): value NaN is not a finite decimal"),
    ("an infinite decimal", schema(("d", T.DecimalType(5, 2))), [(D("-Infinity"),)], BOTH,
     "ValueError: column 'd' (row 0): value -Infinity is not a finite decimal"),
    ("a decimal beyond its precision", schema(("d", T.DecimalType(5, 2))), [(D("1000"),)],
     BOTH, "ValueError: column 'd' (row 0): value Decimal('1000') out of range for decimal(5,2)"),
    ("an int beyond a decimal's precision", schema(("d", T.DecimalType(5, 2))), [(1000,)],
     STRICT, "ValueError: column 'd' (row 0): value 1000 out of range for decimal(5,2)"),
    ("a decimal that needs rounding", schema(("d", T.DecimalType(5, 2))), [(D("1.234"),)],
     STRICT,
     "ValueError: column 'd' (row 0): value 1.234 does not fit decimal(5,2) without rounding"),
    ("a decimal that rounds beyond its precision", schema(("d", T.DecimalType(5, 2))),
     [(D("999.995"),)], SOURCE,
     "ValueError: column 'd' (row 0): value Decimal('999.995') out of range for decimal(5,2)"),
    ("a decimal beyond 38 digits", schema(("d", T.DecimalType(38, 0))), [(D("1E+38"),)], BOTH,
     "ValueError: column 'd' (row 0): value Decimal('1E+38') out of range for decimal(38,0)"),
    ("a NaN decimal in a NOT NULL column", schema(not_null("d", T.DecimalType(5, 2))),
     [(D("NaN"),)], SOURCE, "ValueError: column 'd' (row 0): null in a NOT NULL column"),
    # strings and binaries
    ("bytes for a string", schema(("s", STRING)), [("a",), (b"b",)], STRICT,
     "TypeError: column 's' (row 1): expected string, got bytes b'b'"),
    ("an int for a string", schema(("s", STRING)), [(1,)], STRICT,
     "TypeError: column 's' (row 0): expected string, got int 1"),
    ("a lone surrogate", schema(("s", STRING)), [("ok",), ("\ud800",)], BOTH,
     "ValueError: column 's' (row 1): string '\\ud800' is not valid Unicode"),
    ("a str() that is a lone surrogate", schema(("s", STRING)), [(Surrogate(),)], SOURCE,
     "ValueError: column 's' (row 0): string '\\ud800' is not valid Unicode"),
    ("a str() that raises", schema(("s", STRING)), [(NoText(),)], SOURCE,
     "ValueError: no text"),
    ("a str() that is no str", schema(("s", STRING)), [(NotText(),)], SOURCE,
     "TypeError: __str__ returned non-string (type int)"),
    ("a str for a binary", schema(("b", BINARY)), [(b"a",), ("b",)], BOTH,
     "TypeError: column 'b' (row 1): expected binary, got str 'b'"),
    ("an int for a binary", schema(("b", BINARY)), [(1,)], BOTH,
     "TypeError: column 'b' (row 0): expected binary, got int 1"),
    # dates, timestamps, intervals
    ("a str for a date", schema(("d", DATE)), [("2024-01-01",)], BOTH,
     "TypeError: column 'd' (row 0): expected date, got str '2024-01-01'"),
    ("an int for a date", schema(("d", DATE)), [(19000,)], BOTH,
     "TypeError: column 'd' (row 0): expected date, got int 19000"),
    ("a date for a timestamp", schema(("t", TIMESTAMP)), [(dt.date(2024, 1, 1),)], BOTH,
     "TypeError: column 't' (row 0): expected timestamp, got date datetime.date(2024, 1, 1)"),
    ("an int for a timestamp", schema(("t", TIMESTAMP)), [(0,)], BOTH,
     "TypeError: column 't' (row 0): expected timestamp, got int 0"),
    ("a timestamp before year 1 in UTC", schema(("t", TIMESTAMP)),
     [(dt.datetime(1, 1, 1, tzinfo=PLUS_0530),)], BOTH,
     "OverflowError: date value out of range"),
    ("a timestamp after year 9999 in UTC", schema(("t", TIMESTAMP)),
     [(dt.datetime(9999, 12, 31, 23, tzinfo=MINUS_8),)], BOTH,
     "OverflowError: date value out of range"),
    ("an aware datetime without a time zone", schema(("t", NTZ)),
     [(dt.datetime(2024, 1, 2),), (dt.datetime(2024, 1, 2, tzinfo=UTC),)], SOURCE,
     "TypeError: column 't' (row 1): expected a naive datetime for timestamp_ntz, got "
     "datetime datetime.datetime(2024, 1, 2, 0, 0, tzinfo=datetime.timez..."),
    ("a date for a timestamp without a time zone", schema(("t", NTZ)),
     [(dt.date(2024, 1, 1),)], BOTH,
     "TypeError: column 't' (row 0): expected timestamp_ntz, got date datetime.date(2024, 1, 1)"),
    ("an int for an interval without source rules", schema(("i", INTERVAL)), [(5,)], STRICT,
     "TypeError: column 'i' (row 0): expected interval day to second, got int 5"),
    ("a float for an interval without source rules", schema(("i", INTERVAL)), [(1.5,)], STRICT,
     "TypeError: column 'i' (row 0): expected interval day to second, got float 1.5"),
    ("a bool for an interval", schema(("i", INTERVAL)), [(True,)], BOTH,
     "TypeError: column 'i' (row 0): expected interval day to second, got bool True"),
    ("a str for an interval", schema(("i", INTERVAL)), [("1",)], BOTH,
     "TypeError: column 'i' (row 0): expected interval day to second, got str '1'"),
    ("an int beyond an interval", schema(("i", INTERVAL)), [(2**63,)], SOURCE,
     "ValueError: column 'i' (row 0): value 9223372036854775808 out of range for interval "
     "day to second"),
    ("an infinite float for an interval", schema(("i", INTERVAL)), [(float("inf"),)], SOURCE,
     "TypeError: column 'i' (row 0): expected interval day to second, got float inf"),
    ("a timedelta beyond int64 microseconds", schema(("i", INTERVAL)),
     [(LONGEST + td(microseconds=1),)], BOTH,
     "ValueError: column 'i' (row 0): value datetime.timedelta(days=106751991, seconds=14454, "
     "microseconds=775808) out of range for interval day to second"),
    # -106751991 days -14454.775807 s fits int64, but Python holds it as -106751992 days plus
    # 71945.224193 s, and pyarrow's first step, days * 86400000000, overflows.
    ("a timedelta whose days overflow on the way", schema(("i", INTERVAL)),
     [(td(days=-106751991, seconds=-14454, microseconds=-775807),)], BOTH,
     "ValueError: column 'i' (row 0): value datetime.timedelta(days=-106751992, seconds=71945, "
     "microseconds=224193) out of range for interval day to second"),
    # variants
    ("bytes for a variant", schema(("v", VARIANT)), [(b"\x0c\x01",)], BOTH,
     "TypeError: column 'v' (row 0): expected variant (a VariantVal), got bytes "
     "b'\\x0c\\x01': " + MALFORMED),
    ("a dict for a variant", schema(("v", VARIANT)), [({"value": b"", "metadata": b""},)],
     BOTH, "TypeError: column 'v' (row 0): expected variant (a VariantVal), got dict "
     "{'value': b'', 'metadata': b''}: " + MALFORMED),
    ("a VariantVal of a str", schema(("v", VARIANT)), [(T.VariantVal("x", b""),)], BOTH,
     "TypeError: column 'v.value' (row 0): expected binary, got str 'x'"),
    ("a VariantVal without metadata", schema(("v", VARIANT)),
     [(T.VariantVal(b"\x0c\x01", None),)], BOTH,
     "ValueError: column 'v.metadata' (row 0): null in a NOT NULL column"),
    # arrays and maps
    ("a tuple for an array under source rules", schema(("a", T.ArrayType(LONG))),
     [([1],), ((1,),)], SOURCE,
     "TypeError: column 'a' (row 1): expected array<bigint>, got tuple (1,)"),
    ("an array.array without source rules", schema(("a", T.ArrayType(LONG))),
     [(array.array("q", [1]),)], STRICT,
     "TypeError: column 'a' (row 0): expected array<bigint>, got array array('q', [1])"),
    ("a str for an array", schema(("a", T.ArrayType(STRING))), [("ab",)], BOTH,
     "TypeError: column 'a' (row 0): expected array<string>, got str 'ab'"),
    ("a wrong element", schema(("a", T.ArrayType(INT))), [([1],), ([2, "x"],)], BOTH,
     "TypeError: column 'a.element' (row 1): expected int, got str 'x'"),
    ("a null element where none may be", schema(("a", T.ArrayType(INT, False))),
     [([1],), ([2, None],)], BOTH,
     "ValueError: column 'a.element' (row 1): null in an array that does not contain nulls"),
    ("a list for a map", schema(("m", T.MapType(STRING, INT))), [([("k", 1)],)], BOTH,
     "TypeError: column 'm' (row 0): expected map<string,int>, got list [('k', 1)]"),
    ("a null map key", schema(("m", T.MapType(STRING, INT))), [({"k": 1},), ({None: 2},)],
     BOTH, "ValueError: column 'm.key' (row 1): null map key"),
    ("a null map value where none may be", schema(("m", T.MapType(STRING, INT, False))),
     [({"k": None},)], BOTH,
     "ValueError: column 'm.value' (row 0): null in a map that does not contain null values"),
    ("a wrong map value", schema(("m", T.MapType(STRING, T.ArrayType(INT)))),
     [({"k": [1, "x"]},)], BOTH,
     "TypeError: column 'm.value.element' (row 0): expected int, got str 'x'"),
    # structs
    ("an int for a struct", one_field(INT), [(5,)], BOTH,
     "TypeError: column 's' (row 0): expected struct<a:int>, got int 5"),
    ("a struct of another width", one_field(INT), [((1, 2),)], BOTH,
     "ValueError: column 's' (row 0): expected 1 struct fields, got 2"),
    ("a list for a struct under source rules", one_field(INT), [([1],)], SOURCE,
     "TypeError: column 's' (row 0): expected struct<a:int>, got list [1]"),
    ("an object for a struct without source rules", one_field(INT), [(Point(),)], STRICT,
     "TypeError: column 's' (row 0): expected struct<a:int>, got Point Point()"),
    ("a null NOT NULL struct field", schema(("s", T.StructType([not_null("a", INT)]))),
     [((1,),), ((None,),)], BOTH, "ValueError: column 's.a' (row 1): null in a NOT NULL column"),
    ("a wrong value deep inside", one_field(T.ArrayType(T.MapType(STRING, INT))),
     [(([{"a": 1}],),), (([{"b": 2}, {"c": "x"}],),)], BOTH,
     "TypeError: column 's.a.element.value' (row 1): expected int, got str 'x'"),
]

PARAMS = [pytest.param(s, rows, rules, expected,
                       id="%s, %s" % (name, "source" if rules else "strict"))
          for name, s, rows, rule_sets, expected in CASES for rules in rule_sets]


@pytest.mark.parametrize("s, rows, source_rules, expected", PARAMS)
def test_each_refusal_is_the_python_encoders_and_never_compiled_bytes(s, rows, source_rules,
                                                                       expected):
    assert_same_refusal(rows, s, source_rules, expected)


NOT_NULL_KINDS = [
    BOOLEAN, BYTE, SHORT, INT, LONG, FLOAT, DOUBLE, T.DecimalType(5, 2), STRING, BINARY, DATE,
    TIMESTAMP, NTZ, INTERVAL, VARIANT, T.ArrayType(INT), T.MapType(STRING, INT),
    T.StructType([T.StructField("a", INT)]),
]


@pytest.mark.parametrize("data_type", NOT_NULL_KINDS, ids=lambda t: t.simpleString())
@pytest.mark.parametrize("source_rules", BOTH, ids=["strict", "source"])
def test_a_null_in_a_not_null_column_of_any_type_is_refused(data_type, source_rules):
    assert_same_refusal([(None,)], schema(not_null("c", data_type)), source_rules,
                        "ValueError: column 'c' (row 0): null in a NOT NULL column")


def test_a_refusal_in_a_later_batch_is_that_batchs():
    s = schema(("i", INT))
    batches = [[(1,)], [], [(2,), ("x",)]]
    expected = "TypeError: column 'i' (row 1): expected int, got str 'x'"
    with pure_python():
        assert refusal(batches, s, True) == expected
    assert refusal(batches, s, True) == expected


def test_after_declining_a_batch_the_compiled_encoder_encodes_the_next_one_afresh():
    s = schema(("i", INT), ("a", T.ArrayType(STRING)))
    assert row_encoder(s, False).encode_rows([(1, ["a", None]), (2, [3])]) is None
    assert_same_stream([[(3, ["b"])]], s, False)
