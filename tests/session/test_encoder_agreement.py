"""The compiled row encoder (rivulet._rowcodec) is the one the installed package and its
workers use, and it writes what the pure-Python encoder writes, byte for byte: for every
type, with and without nulls, nested, in any slicing of the rows into batches, under both
rule sets (source_rules, as a data source's read() is converted, and without). Values it
cannot vouch for are left to the Python encoder, which then writes the batch. Refusals are
in test_encoder_refusals.py."""

import array
import collections
import datetime as dt
import decimal
import enum
import json
import os
import random
import sys
import time
import weakref

import pytest

import rivulet
from encoder_agreement import (
    PURE_PYTHON, assert_same_stream, compiled_stream, not_null, pure_python, python_stream,
    refusal, row_encoder, schema,
)
from rivulet import arrow_ipc
from rivulet import types as T
from rivulet._arrow_ipc import compiled

D = decimal.Decimal
td = dt.timedelta
UTC = dt.timezone.utc
PLUS_0530 = dt.timezone(td(hours=5, minutes=30))
MINUS_8 = dt.timezone(td(hours=-8))
LONGEST = td(days=106751991, seconds=14454, microseconds=775807)  # 2**63 - 1 microseconds
MOST_NEGATIVE = td(days=-106751991)
FLOAT32_MAX = 3.4028234663852886e38

BOOLEAN, BYTE, SHORT, INT, LONG = (T.BooleanType(), T.ByteType(), T.ShortType(),
                                   T.IntegerType(), T.LongType())
FLOAT, DOUBLE, STRING, BINARY = T.FloatType(), T.DoubleType(), T.StringType(), T.BinaryType()
DATE, TIMESTAMP, NTZ = T.DateType(), T.TimestampType(), T.TimestampNTZType()
INTERVAL, VARIANT, VOID = T.DayTimeIntervalType(), T.VariantType(), T.NullType()


def variant(text):
    return T.VariantVal.parseJson(text)


class Point:
    """A struct given as an object's attributes (source rules only)."""

    def __init__(self, x, y):
        self.y, self.x = y, x


class Label(str, enum.Enum):
    RED = "red"


class MyDate(dt.date):
    pass


class MyDatetime(dt.datetime):
    pass


class MyTimedelta(dt.timedelta):
    pass


class MyDecimal(decimal.Decimal):
    pass


class MyList(list):
    pass


class Shown:
    def __str__(self):
        return "shown ✓"


def moved_to_end():
    ordered = collections.OrderedDict([("a", 1), ("b", 2), ("c", 3)])
    ordered.move_to_end("a")
    return ordered


# ---- cases: (name, schema, rows, the rule sets they hold under) ----

BOTH = (False, True)
STRICT = (False,)
SOURCE = (True,)
ALL_ATOMIC = schema(
    ("b", BOOLEAN), ("y", BYTE), ("s", SHORT), ("i", INT), ("l", LONG), ("f", FLOAT),
    ("d", DOUBLE), ("dec", T.DecimalType(10, 2)), ("wide", T.DecimalType(38, 10)),
    ("str", STRING), ("c", T.CharType(3)), ("vc", T.VarcharType(5)), ("bin", BINARY),
    ("day", DATE), ("ts", TIMESTAMP), ("ntz", NTZ), ("iv", INTERVAL), ("v", VARIANT),
    ("n", VOID),
)
ATOMIC_ROW = (
    True, -128, 32767, -2**31, 2**63 - 1, 1.5, -2.25, D("12.34"),
    D("1234567890123456789012345678.0123456789"), "héllo", "abc", "x", b"\x00\xff",
    dt.date(2026, 12, 2), dt.datetime(2026, 12, 2, 4, 5, 6, 789, tzinfo=UTC),
    dt.datetime(2026, 12, 2, 4, 5, 6), td(days=1, microseconds=3), variant('{"a":[1,2.5]}'),
    None,
)


def atomic_rows(count):
    rows = []
    for k in range(count):
        row = list(ATOMIC_ROW)
        row[3] += k
        row[9] = "héllo" * k
        row[12] = bytes(range(k))
        row[13] = dt.date(2026, 12, 2) + td(days=k)
        rows.append(tuple(row))
    return rows


def not_null_schema(s):
    return T.StructType([T.StructField(f.name, f.dataType, isinstance(f.dataType, T.NullType))
                         for f in s.fields])


def nested_not_null(inner):
    """A struct of one NOT NULL field of each kind, in a nullable column."""
    return schema(("s", T.StructType([not_null("f%d" % k, t) for k, t in enumerate(inner)])))


EVERY_KIND = [
    BOOLEAN, BYTE, SHORT, INT, LONG, FLOAT, DOUBLE, STRING, BINARY, DATE, TIMESTAMP, NTZ,
    INTERVAL, VARIANT, VOID, T.ArrayType(INT), T.MapType(STRING, INT),
    T.StructType([not_null("a", INT), T.StructField("b", STRING)]),
]

CASES = [
    ("every atomic type with nulls", ALL_ATOMIC,
     atomic_rows(3) + [(None,) * 19] + atomic_rows(2), BOTH),
    ("every atomic type, NOT NULL, across bitmap bytes", not_null_schema(ALL_ATOMIC),
     atomic_rows(17), BOTH),
    ("booleans across bitmap bytes", schema(("b", BOOLEAN)),
     [(k % 3 == 0,) for k in range(17)] + [(None,), (True,)], BOTH),
    ("integer boundaries", schema(("y", BYTE), ("s", SHORT), ("i", INT), ("l", LONG)),
     [(-128, -2**15, -2**31, -2**63), (127, 2**15 - 1, 2**31 - 1, 2**63 - 1), (0, -1, 1, 0),
      (None, None, None, None)], BOTH),
    ("floats truncated toward zero for integers", schema(("y", BYTE), ("l", LONG)),
     [(127.9, 1.9), (-128.9, -1.9), (-0.0, 9.2233720368547e18), (0.5, -9.223372036854775808e18)],
     SOURCE),
    ("doubles from floats and ints", schema(("d", DOUBLE)),
     [(2**53 + 1,), (-2**60,), (float("nan"),), (float("inf"),), (float("-inf"),), (-0.0,),
      (1e308,), (5e-324,), (10**308,), (None,)], BOTH),
    ("floats rounded to float32", schema(("f", FLOAT)),
     [(FLOAT32_MAX,), (-FLOAT32_MAX,), (3.4e38,), (1e-45,), (0.1,), (float("nan"),),
      (float("inf"),), (2**127,), (None,)], BOTH),
    ("a float rounding down to FLT_MAX", schema(("f", FLOAT)),
     [(3.4028235e38,), (1.0,)], BOTH),
    ("booleans as doubles", schema(("d", DOUBLE), ("f", FLOAT)),
     [(True, False), (False, True), (None, 1)], SOURCE),
    ("decimals at full precision", schema(("d", T.DecimalType(38, 0)), ("e", T.DecimalType(5, 2))),
     [(D("9" * 38), D("999.99")), (D("-" + "9" * 38), D("-0.01")), (D("0"), D("1E+2")),
      (D("-0"), D("0.10")), (D(2**64), D("123.4")), (D(-2**64 - 1), None), (None, D("0E-7"))],
     BOTH),
    ("decimals from ints and subclasses", schema(("d", T.DecimalType(20, 3))),
     [(5,), (-(10**17) + 1,), (MyDecimal("1.5"),), (0,), (None,)], STRICT),
    ("decimals rounded half-even, NaN as null", schema(("d", T.DecimalType(5, 2))),
     [(D("1.005"),), (D("1.015"),), (D("-1.005"),), (D("123.456"),), (D("NaN"),),
      (D("-sNaN"),), (MyDecimal("0.125"),), (None,)], SOURCE),
    ("strings, ASCII or not", schema(("s", STRING), ("c", T.CharType(2)), ("v", T.VarcharType(9))),
     [("héllo", "日本", "🎉"), ("", "", ""), ("a" * 100, "ab", None), (None, None, "\x00")],
     BOTH),
    ("strings from any value", schema(("s", STRING)),
     [(7,), (1.5,), (True,), (False,), (D("1.10"),), (dt.date(2024, 1, 2),), (b"x",),
      (Shown(),), (Label.RED,), ([1, "a"],), (None,), ("plain",)], SOURCE),
    ("binary from bytes, bytearray and memoryview", schema(("b", BINARY)),
     [(b"",), (b"\x00\xff",), (bytearray(b"ab"),), (memoryview(b"xyz"),),
      (memoryview(b"abcdef")[1:4],), (None,)], BOTH),
    ("dates, datetimes in a date column, subclasses", schema(("d", DATE)),
     [(dt.date(1, 1, 1),), (dt.date(9999, 12, 31),), (dt.date(1970, 1, 1),),
      (dt.datetime(2024, 2, 29, 23, 59),), (MyDate(2000, 3, 1),), (None,)], BOTH),
    ("aware timestamps in any zone", schema(("t", TIMESTAMP)),
     [(dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=UTC),),
      (dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=PLUS_0530),),
      (dt.datetime(1, 1, 1, 12, tzinfo=PLUS_0530),),
      (dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),),
      (dt.datetime(9999, 12, 31, 12, tzinfo=MINUS_8),),
      (MyDatetime(2020, 6, 1, tzinfo=UTC),), (None,)], BOTH),
    ("naive timestamps", schema(("t", TIMESTAMP)),
     [(dt.datetime(2024, 1, 2, 3, 4, 5),), (dt.datetime(1970, 1, 1),),
      (dt.datetime(2024, 7, 1, 12, 30, fold=1),), (MyDatetime(2020, 6, 1),), (None,)], BOTH),
    ("timestamps without a time zone", schema(("t", NTZ)),
     [(dt.datetime(2024, 1, 2, 3, 4, 5),), (dt.datetime(1, 1, 1),),
      (dt.datetime(9999, 12, 31, 23, 59, 59, 999999),), (MyDatetime(2020, 6, 1),), (None,)],
     BOTH),
    ("aware timestamps without a time zone, by their fields", schema(("t", NTZ)),
     [(dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=PLUS_0530),)], STRICT),
    ("intervals", schema(("d", INTERVAL)),
     [(td(0),), (LONGEST,), (MOST_NEGATIVE,), (td(microseconds=-1),), (td(days=-1, seconds=5),),
      (MyTimedelta(hours=1),), (None,)], BOTH),
    ("intervals from ints and floats", schema(("d", INTERVAL)),
     [(5,), (2**63 - 1,), (-2**63,), (1.5,), (-1.9,), (td(seconds=1),)], SOURCE),
    ("variants", schema(("v", VARIANT)),
     [(variant('{"a":[1,2.5,"x"]}'),), (None,), (variant("null"),),
      (T.VariantVal(bytearray(b"\x0c\x01"), memoryview(b"\x01\x00\x00")),)], BOTH),
    ("arrays of lists", schema(("a", T.ArrayType(LONG)), ("n", T.ArrayType(T.ArrayType(INT)))),
     [([1, 2], [[1], [], None]), ([], []), (None, None), ([None], [[None, 3]]),
      (MyList([7]), MyList())], BOTH),
    ("arrays of tuples", schema(("a", T.ArrayType(STRING))),
     [(("x", "y"),), ((),), (["z"],)], STRICT),
    ("arrays of array.array", schema(("a", T.ArrayType(LONG)), ("f", T.ArrayType(DOUBLE))),
     [(array.array("q", [1, 2]), array.array("d", [0.5])), (array.array("b"), [1.5])], SOURCE),
    ("maps", schema(("m", T.MapType(STRING, LONG)), ("a", T.MapType(INT, T.ArrayType(STRING)))),
     [({"a": 1, "b": None}, {1: ["x"], 2: None, 3: []}), ({}, {}), (None, None),
      (moved_to_end(), collections.defaultdict(list, {4: ["y"]}))], BOTH),
    ("maps with struct keys and values",
     schema(("m", T.MapType(T.StructType([T.StructField("k", INT)]),
                            T.StructType([T.StructField("v", STRING)])))),
     [({(1,): ("one",), (2,): None},), ({},)], BOTH),
    ("structs by position and by name",
     schema(("p", T.StructType([T.StructField("x", LONG), T.StructField("y", STRING)]))),
     [((1, "a"),), ({"y": "b", "x": 2},), ({"x": 3},), (T.Row(x=4, y="c"),), (T.Row(5, "d"),),
      (collections.namedtuple("P", "x y")(6, "e"),), (None,)], BOTH),
    ("structs from Rows by name",
     schema(("p", T.StructType([T.StructField("x", LONG), T.StructField("y", STRING)]))),
     [(T.Row(y="c", x=4),), (T.Row(x=5),)], STRICT),
    ("structs from lists", schema(("p", T.StructType([T.StructField("x", LONG)]))),
     [([1],), ([None],)], STRICT),
    ("structs from attributes",
     schema(("p", T.StructType([T.StructField("x", LONG), T.StructField("y", LONG)]))),
     [(Point(1, 2),), (Point(None, 3),)], SOURCE),
    ("null structs over NOT NULL fields of every kind", nested_not_null(EVERY_KIND),
     [(None,), ((True, 1, 2, 3, 4, 0.5, 1.5, "s", b"b", dt.date(2024, 1, 1),
                 dt.datetime(2024, 1, 1, tzinfo=UTC), dt.datetime(2024, 1, 1), td(1), variant("1"),
                 None, [1], {"k": 1}, (1, "x")),), (None,)], BOTH),
    ("null structs over a NOT NULL decimal", nested_not_null([T.DecimalType(5, 2)]),
     [(None,), ((D("1.25"),),)], BOTH),
    ("arrays of structs, maps of arrays, structs in structs",
     schema(("a", T.ArrayType(T.StructType([not_null("x", INT), T.StructField("t", STRING)]))),
            ("m", T.MapType(STRING, T.ArrayType(T.ArrayType(LONG, False)))),
            ("s", T.StructType([T.StructField("in", T.StructType([not_null("z", LONG)])),
                                T.StructField("w", DOUBLE)]))),
     [([(1, "a"), None, (2, None)], {"k": [[1, 2], []], "n": None}, ((5,), 0.5)),
      ([], {}, (None, None)), (None, None, None), ([None], {"e": []}, ((6,), None))], BOTH),
    ("rows as tuples, lists, dicts and Rows", schema(("id", LONG), ("name", STRING)),
     [(1, "a"), [2, "b"], {"name": "c", "id": 3}, {"id": 4}, T.Row(name="e", id=5),
      T.Row(6, "f"), collections.namedtuple("R", "id name")(7, "g")], BOTH),
    ("one row", schema(("id", LONG)), [(1,)], BOTH),
    ("no rows", schema(("id", LONG), ("s", T.ArrayType(STRING))), [], BOTH),
]


def slicings(rows):
    """The rows as one batch, one row per batch, and in uneven slices around an empty batch."""
    third = max(1, len(rows) // 3)
    return {"one batch": [rows], "a row per batch": [[r] for r in rows],
            "slices": [rows[:third], [], rows[third:]]}


PARAMS = [pytest.param(s, rows, rules, id="%s, %s" % (name, "source" if rules else "strict"))
          for name, s, rows, rule_sets in CASES for rules in rule_sets]


@pytest.mark.parametrize("s, rows, source_rules", PARAMS)
def test_the_compiled_encoder_writes_the_python_encoders_bytes(s, rows, source_rules):
    for name, batches in slicings(rows).items():
        try:
            assert_same_stream(batches, s, source_rules)
        except AssertionError:
            print("slicing:", name)
            raise


def test_floats_beyond_float32_after_a_leading_nan_become_infinite_in_both():
    # The Python encoder refuses them only where max(map(abs, data)) of the batch is
    # infinite, and max() keeps a NaN it starts with (test_encoder_refusals.py has the rest).
    s = schema(("f", FLOAT))
    for source_rules in BOTH:
        assert_same_stream([[(float("nan"),), (1e39,), (-1e300,)]], s, source_rules)


def test_a_naive_timestamp_is_local_time_under_source_rules_in_both():
    s = schema(("t", TIMESTAMP))
    rows = [(dt.datetime(2024, 1, 2, 3, 4, 5),), (dt.datetime(2024, 7, 2, 3, 4, 5),)]
    before = os.environ.get("TZ")
    try:
        os.environ["TZ"] = "America/New_York"
        time.tzset()
        assert_same_stream([rows], s, True)
        _, decoded = arrow_ipc.decode_stream(compiled_stream([rows], s, True))
        assert [r[0].isoformat() for r in decoded] == [
            "2024-01-02T08:04:05+00:00", "2024-07-02T07:04:05+00:00"]
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def test_pysparks_variant_values_are_variants_too():
    from pyspark.sql.types import VariantVal

    s = schema(("v", VARIANT), ("a", T.ArrayType(VARIANT)))
    rows = [(VariantVal(b"\x0c\x01", b"\x01\x00\x00"), [variant("2"), None])]
    for source_rules in BOTH:
        assert_same_stream([rows], s, source_rules)


def test_pandas_timestamps_and_timedeltas_are_converted_by_the_python_methods():
    pd = pytest.importorskip("pandas")
    s = schema(("t", TIMESTAMP), ("n", NTZ), ("d", DATE), ("i", INTERVAL))
    rows = [(pd.Timestamp("2024-01-02 03:04:05.123456789", tz="Europe/Paris"),
             pd.Timestamp("2024-01-02 03:04:05.5"), pd.Timestamp("2024-01-02"),
             pd.Timedelta(days=1, nanoseconds=1500))]
    assert_same_stream([rows], s, False)


def test_the_encoder_columns_take_column_lists_too():
    s = schema(("id", LONG), ("tags", T.ArrayType(STRING)), ("p", T.StructType(
        [T.StructField("x", DOUBLE)])))
    columns = [[1, None, 3], [["a"], [], None], [(0.5,), None, {"x": 1.5}]]
    encoder = row_encoder(s, False)
    assert encoder.encode_columns(columns) is not None
    with pure_python():
        expected = arrow_ipc.encode_columns(columns, s)
    assert arrow_ipc.encode_columns(columns, s) == expected
    assert arrow_ipc.encode_columns([(1, 2), iter([[], []]), [None, None]], s) == (
        python_encode_columns([(1, 2), iter([[], []]), [None, None]], s))


def python_encode_columns(columns, s):
    with pure_python():
        return arrow_ipc.encode_columns(columns, s)


# ---- what the compiled encoder leaves to the Python encoder ----


class EqualsNone(tuple):
    """A struct value that claims to equal None: `None in values` counts it as a null."""

    def __eq__(self, other):
        return other is None or tuple.__eq__(self, other)

    __hash__ = tuple.__hash__


class Letters(str):
    pass


LEFT_TO_PYTHON = [
    ("a str subclass without source rules", schema(("s", STRING)), [("a",), (Letters("b"),)]),
    ("a memoryview of int32 items", schema(("b", BINARY)),
     [(memoryview(array.array("i", [1, 2])),)]),
    ("a bytes subclass", schema(("b", BINARY)), [(type("Blob", (bytes,), {})(b"x"),)]),
    ("a value equal to None", schema(("p", T.StructType([T.StructField("x", LONG)]))),
     [((1,),), (EqualsNone((2,)),)]),
]


@pytest.mark.parametrize("s, rows", [pytest.param(s, rows, id=name)
                                     for name, s, rows in LEFT_TO_PYTHON])
def test_values_it_cannot_vouch_for_are_left_to_the_python_encoder(s, rows):
    assert row_encoder(s, False).encode_rows(list(rows)) is None
    assert arrow_ipc.encode_stream_batches([rows], s) == python_stream([rows], s, False)


def test_a_call_from_inside_a_conversion_is_declined():
    s = schema(("s", STRING))
    encoder = row_encoder(s, True)
    inner = []

    class Reentrant:
        def __str__(self):
            inner.append(encoder.encode_rows([("x",)]))
            return "outer"

    assert encoder.encode_rows([(Reentrant(),)]) is not None
    assert inner == [None]


def test_the_compiled_encoder_keeps_no_reference_to_what_it_encoded():
    s = schema(("s", STRING), ("p", T.StructType([T.StructField("t", STRING)])), ("n", INT))
    encoder = row_encoder(s, True)
    for last in (1, "not an int"):  # taken, then declined
        value, inner = Shown(), Shown()
        alive = [weakref.ref(value), weakref.ref(inner)]
        rows = [{"s": value, "p": {"t": inner}, "n": 0}, {"n": last}]
        encoder.encode_rows(rows)
        del rows, value, inner
        assert [ref() for ref in alive] == [None, None]


# ---- random rows: seeded, the seed printed; RIVULET_TEST_SEED replays a failure ----

RANDOM_SCHEMA = schema(
    ("b", BOOLEAN), ("y", BYTE), ("i", INT), ("l", LONG), ("f", FLOAT), ("d", DOUBLE),
    ("dec", T.DecimalType(12, 3)), ("s", STRING), ("bin", BINARY), ("day", DATE),
    ("ts", TIMESTAMP), ("ntz", NTZ), ("iv", INTERVAL), ("v", VARIANT),
    ("a", T.ArrayType(T.StructType([T.StructField("x", INT), not_null("t", STRING)]))),
    ("m", T.MapType(STRING, T.ArrayType(LONG))),
    ("st", T.StructType([not_null("n", LONG), T.StructField("in", T.StructType(
        [not_null("z", DOUBLE), not_null("w", DATE)]))])),
    not_null("id", LONG),
)
TEXT = "ab éß日本🎉\x00"
WRONG = ["x", 1, 1.5, True, b"z", [], {}, (), dt.date(2024, 1, 1), D("1.5"), None]


def random_value(rng, data_type, nullable, source_rules):
    if nullable and rng.random() < 0.15:
        return None
    if isinstance(data_type, T.BooleanType):
        return rng.random() < 0.5
    if isinstance(data_type, (T.ByteType, T.IntegerType, T.LongType)):
        bits = {T.ByteType: 8, T.IntegerType: 32, T.LongType: 64}[type(data_type)]
        value = rng.choice([rng.randint(-2**(bits - 1), 2**(bits - 1) - 1), -2**(bits - 1),
                            2**(bits - 1) - 1, rng.randint(-5, 5)])
        return float(value // 2) if source_rules and rng.random() < 0.2 else value
    if isinstance(data_type, (T.FloatType, T.DoubleType)):
        return rng.choice([rng.uniform(-1e6, 1e6), rng.randint(-2**60, 2**60), float("nan"),
                           float("inf"), -0.0, rng.uniform(-1e300, 1e300) if isinstance(
                               data_type, T.DoubleType) else 1e38])
    if isinstance(data_type, T.DecimalType):
        return D(rng.randint(-10**12 + 1, 10**12 - 1)).scaleb(-3)
    if isinstance(data_type, T.StringType):
        if source_rules and rng.random() < 0.1:
            return rng.randint(-100, 100)
        return "".join(rng.choice(TEXT) for _ in range(rng.randint(0, 8)))
    if isinstance(data_type, T.BinaryType):
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 8)))
    if isinstance(data_type, T.DateType):
        return dt.date.fromordinal(rng.randint(1, 3652059))
    if isinstance(data_type, (T.TimestampType, T.TimestampNTZType)):
        value = dt.datetime(2000, 1, 1) + td(microseconds=rng.randint(-2**55, 2**55))
        zone = rng.choice([None, UTC, PLUS_0530, MINUS_8])
        if isinstance(data_type, T.TimestampNTZType) and source_rules:
            zone = None
        return value.replace(tzinfo=zone)
    if isinstance(data_type, T.DayTimeIntervalType):
        if source_rules and rng.random() < 0.2:
            return rng.randint(-2**62, 2**62)
        return td(microseconds=rng.randint(-2**62, 2**62))
    if isinstance(data_type, T.VariantType):
        return variant(json.dumps({"k": rng.randint(0, 9), "s": rng.choice(TEXT)}))
    if isinstance(data_type, T.ArrayType):
        return [random_value(rng, data_type.elementType, data_type.containsNull, source_rules)
                for _ in range(rng.randint(0, 3))]
    if isinstance(data_type, T.MapType):
        return {"k%d" % k: random_value(rng, data_type.valueType, data_type.valueContainsNull,
                                        source_rules) for k in range(rng.randint(0, 3))}
    if isinstance(data_type, T.StructType):
        values = tuple(random_value(rng, f.dataType, f.nullable, source_rules)
                       for f in data_type.fields)
        if rng.random() < 0.3:
            return dict(zip(data_type.names, values))
        return values
    raise AssertionError(data_type)


def random_row(rng, source_rules):
    values = [random_value(rng, f.dataType, f.nullable, source_rules)
              for f in RANDOM_SCHEMA.fields]
    if rng.random() < 0.02:  # one value that does not fit (or, by chance, does)
        values[rng.randrange(len(values))] = rng.choice(WRONG)
    if rng.random() < 0.2:
        return T.Row(**dict(zip(RANDOM_SCHEMA.names, values)))
    return tuple(values)


def test_random_rows_agree_or_are_refused_alike():
    seed = int(os.environ.get("RIVULET_TEST_SEED", time.time_ns() % 2**32))
    print("RIVULET_TEST_SEED=%d" % seed)
    rng = random.Random(seed)
    taken = refused = 0
    for trial in range(200):
        source_rules = trial % 2 == 1
        rows = [random_row(rng, source_rules) for _ in range(rng.randint(0, 40))]
        with pure_python():
            try:
                expected = arrow_ipc.encode_stream_batches([rows], RANDOM_SCHEMA,
                                                           source_rules=source_rules)
            except (TypeError, ValueError, OverflowError):
                expected = None
        if expected is None:
            assert row_encoder(RANDOM_SCHEMA, source_rules).encode_rows(rows) is None
            with pure_python():
                error = refusal([rows], RANDOM_SCHEMA, source_rules)
            assert refusal([rows], RANDOM_SCHEMA, source_rules) == error
            refused += 1
        else:
            assert compiled_stream([rows], RANDOM_SCHEMA, source_rules) == expected
            taken += 1
    assert taken > 50 and refused > 0, (taken, refused)


# ---- the encoder in use ----


def test_the_module_is_the_installed_packages_and_the_encoders_use_it():
    package_dir = os.path.dirname(rivulet.__file__)
    from rivulet import _rowcodec

    assert os.path.dirname(_rowcodec.__file__) == package_dir
    assert os.environ.get(PURE_PYTHON) is None
    s = schema(("id", LONG))
    assert isinstance(compiled.encoders(s)[1], _rowcodec.RowEncoder)
    with pure_python():
        assert compiled.encoders(s)[1] is None


def test_the_compiled_encoder_is_made_once_per_schema_and_anew_when_it_changes():
    s = schema(("id", LONG))
    first = compiled.encoders(s, True)
    again = compiled.encoders(s, True)
    assert again[0] is first[0] and again[1] is first[1]
    assert compiled.encoders(s, False)[1] is not first[1]
    s.add("name", STRING)
    changed = compiled.encoders(s, True)[1]
    assert changed is not first[1]
    assert_same_stream([[(1, "a")]], s, True)


class WhoConverts:
    """A value for a string column under source rules whose str() names the encoder that
    converts it: the Python encoder calls str() from encoder.py, the compiled one from C."""

    def __str__(self):
        caller = sys._getframe(1).f_code.co_filename
        return "python" if caller.endswith("encoder.py") else "compiled"


def who_converts_source():
    from pyspark.sql.datasource import DataSource, SimpleDataSourceStreamReader

    class Reader(SimpleDataSourceStreamReader):
        def initialOffset(self):
            return {"done": False}

        def read(self, start):
            if start["done"]:
                return iter([]), start
            return iter([(WhoConverts(),)]), {"done": True}

        def readBetweenOffsets(self, start, end):
            return iter([] if start["done"] else [(WhoConverts(),)])

    class WhoConvertsSource(DataSource):
        @classmethod
        def name(cls):
            return "who_converts"

        def schema(self):
            return "encoder STRING"

        def simpleStreamReader(self, schema):
            return Reader()

    return WhoConvertsSource


def converter_seen_by_a_worker(spark):
    spark.dataSource.register(who_converts_source())
    seen = []
    query = (
        spark.readStream.format("who_converts").load().writeStream
        .foreachBatch(lambda df, batch_id: seen.extend(r[0] for r in df.collect()))
        .trigger(once=True).start()
    )
    query.awaitTermination(60)
    return seen


def test_a_python_sources_rows_are_encoded_by_the_compiled_encoder_in_its_worker(spark):
    assert converter_seen_by_a_worker(spark) == ["compiled"]


def test_the_environment_variable_makes_workers_use_the_python_encoder(spark, monkeypatch):
    monkeypatch.setenv(PURE_PYTHON, "1")
    assert converter_seen_by_a_worker(spark) == ["python"]
