"""The pure-Python Arrow IPC codec (rivulet.arrow_ipc): round trips, errors that name the
column, the row and the expected type, and validation both ways with Arrow JS."""

import datetime
import decimal
import json
import os
import shutil
import struct
import subprocess
import sys

import pytest

import arrow_fixture as F
from conftest import run_python_with
from rivulet import arrow_ipc
from rivulet import types as T
from rivulet._arrow_ipc.flatbuffer_writer import _Table
from rivulet._arrow_ipc.format import _EOS
from rivulet._arrow_ipc.writer import _message

JS_DIR = os.path.join(F.TESTS_DIR, "arrow_js")


def schema_of(ddl_fields):
    return T.StructType([T.StructField(n, t, nullable) for n, t, nullable in ddl_fields])


# ---- round trips ----


@pytest.mark.parametrize("name", ["all_types", "strings_and_numbers"])
def test_fixture_round_trips_with_every_type_nulls_and_nesting(name):
    schema, expected, batches = F.load(name)
    data = arrow_ipc.encode_stream_batches(batches, schema)
    decoded_schema, decoded = arrow_ipc.decode_stream_batches(data)
    assert decoded_schema == schema
    assert [F.rows_to_json(b, decoded_schema) for b in decoded] == expected


def test_field_metadata_and_nullability_are_kept():
    schema, _, batches = F.load("all_types")
    decoded_schema, _ = arrow_ipc.decode_stream(arrow_ipc.encode_stream(batches[0], schema))
    field = decoded_schema.fields[3]
    assert field.metadata == {"comment": "row id", "origin": "fixture"}
    assert field.nullable is False


def test_empty_batches_and_no_rows():
    schema = schema_of([("id", T.LongType(), True), ("s", T.StringType(), True)])
    data = arrow_ipc.encode_stream([], schema)
    assert arrow_ipc.decode_stream_batches(data) == (schema, [[]])
    assert arrow_ipc.decode_stream(arrow_ipc.encode_stream_batches([], schema)) == (schema, [])


def test_tuples_lists_dicts_and_rows_encode_alike():
    schema = schema_of([("id", T.IntegerType(), True), ("name", T.StringType(), True)])
    as_tuples = arrow_ipc.encode_stream([(1, "a"), (2, None)], schema)
    assert arrow_ipc.encode_stream([[1, "a"], [2, None]], schema) == as_tuples
    assert arrow_ipc.encode_stream([{"name": "a", "id": 1}, {"id": 2}], schema) == as_tuples
    assert arrow_ipc.encode_stream([T.Row(name="a", id=1), T.Row(id=2, name=None)], schema) == as_tuples
    assert arrow_ipc.encode_stream([T.Row(1, "a"), T.Row(2, None)], schema) == as_tuples
    assert arrow_ipc.encode_columns([[1, 2], ["a", None]], schema) == as_tuples


def test_structs_take_tuples_dicts_and_rows():
    inner = T.StructType([T.StructField("a", T.IntegerType()), T.StructField("b", T.StringType())])
    schema = schema_of([("s", inner, True)])
    rows = [((1, "x"),), ({"b": "y", "a": 2},), (T.Row(b="z", a=3),), (None,)]
    _, decoded = arrow_ipc.decode_stream(arrow_ipc.encode_stream(rows, schema))
    assert decoded == [((1, "x"),), ((2, "y"),), ((3, "z"),), (None,)]
    assert decoded[1][0].b == "y"


def test_timestamps_aware_are_converted_to_utc_and_naive_taken_as_utc():
    schema = schema_of([("ts", T.TimestampType(), True), ("ntz", T.TimestampNTZType(), True)])
    plus2 = datetime.timezone(datetime.timedelta(hours=2))
    rows = [
        (datetime.datetime(2024, 1, 1, 12, tzinfo=plus2), datetime.datetime(2024, 1, 1, 12, tzinfo=plus2)),
        (datetime.datetime(2024, 1, 1, 12), datetime.datetime(2024, 1, 1, 12, 0, 0, 7)),
    ]
    _, decoded = arrow_ipc.decode_stream(arrow_ipc.encode_stream(rows, schema))
    utc = datetime.timezone.utc
    assert decoded == [
        (datetime.datetime(2024, 1, 1, 10, tzinfo=utc), datetime.datetime(2024, 1, 1, 12)),
        (datetime.datetime(2024, 1, 1, 12, tzinfo=utc), datetime.datetime(2024, 1, 1, 12, 0, 0, 7)),
    ]


def test_decimals_ints_and_floats_from_ints():
    schema = schema_of([("d", T.DecimalType(38, 10), True), ("f", T.FloatType(), True)])
    big = decimal.Decimal("1234567890123456789012345678.0123456789")
    _, decoded = arrow_ipc.decode_stream(arrow_ipc.encode_stream([(big, 3), (5, 0.5)], schema))
    assert decoded == [(big, 3.0), (decimal.Decimal(5), 0.5)]


# ---- source rules: values a data source's read() returns, converted as Spark converts them ----


def source_rows(rows, fields):
    data = arrow_ipc.encode_stream_batches([rows], schema_of(fields), source_rules=True)
    return arrow_ipc.decode_stream(data)[1]


def source_error(rows, fields):
    return encode_error(rows, fields, source_rules=True)


def test_source_rules_convert_what_spark_converts():
    fields = [("s", T.StringType(), True), ("i", T.IntegerType(), True),
              ("d", T.DoubleType(), True)]
    rows = [(7, 1.5, True), (True, -1.7, 3), (False, 2.0, False), (1.5, None, None)]
    assert source_rows(rows, fields) == [
        ("7", 1, 1.0), ("true", -1, 3.0), ("false", 2, 0.0), ("1.5", None, None)]
    # What pyarrow refuses there, rivulet refuses too.
    assert "expected int, got bool True" in source_error([(None, True, None)], fields)
    assert "expected int, got str '3'" in source_error([(None, "3", None)], fields)
    assert "expected int, got float nan" in source_error([(None, float("nan"), None)], fields)
    assert "expected boolean, got int 1" in source_error([(1,)], [("b", T.BooleanType(), True)])


def test_source_rules_round_decimals_half_even_and_refuse_ints_and_overflow():
    D = decimal.Decimal
    fields = [("v", T.DecimalType(5, 2), True)]
    rows = [(D("1.005"),), (D("1.015"),), (D("1.234"),), (D("123.456"),), (D("NaN"),)]
    assert source_rows(rows, fields) == [(D("1.00"),), (D("1.02"),), (D("1.23"),),
                                         (D("123.46"),), (None,)]
    assert "value Decimal('12345.6') out of range for decimal(5,2)" in source_error([(D("12345.6"),)], fields)
    assert "expected decimal(5,2), got int 3" in source_error([(3,)], fields)
    assert "expected decimal(5,2), got float 1.5" in source_error([(1.5,)], fields)


def test_source_rules_take_a_naive_timestamp_as_the_workers_local_time():
    code = (
        "import datetime, time, os; os.environ['TZ'] = 'America/New_York'; time.tzset(); "
        "from rivulet import arrow_ipc, types as T; "
        "s = T.StructType([T.StructField('t', T.TimestampType()), "
        "T.StructField('n', T.TimestampNTZType())]); "
        "d = datetime.datetime(2024, 1, 2, 3, 4, 5); "
        "data = arrow_ipc.encode_stream_batches([[(d, d)]], s, source_rules=True); "
        "print(arrow_ipc.decode_stream(data)[1][0][0].isoformat()); "
        "print(arrow_ipc.decode_stream(data)[1][0][1].isoformat())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": os.path.join(F.REPO_DIR, "python")},
        capture_output=True, text=True, check=True,
    )
    # 03:04:05 in New York (EST, UTC-5) is 08:04:05 UTC, as Spark writes it; NTZ is as it is.
    assert out.stdout.split() == ["2024-01-02T08:04:05+00:00", "2024-01-02T03:04:05"]
    aware = datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc)
    assert "expected a naive datetime for timestamp_ntz" in source_error(
        [(aware,)], [("n", T.TimestampNTZType(), True)])


def test_source_rules_take_structs_by_position_or_name_and_arrays_as_lists_only():
    point = T.StructType([T.StructField("x", T.LongType()), T.StructField("y", T.LongType())])
    fields = [("p", point, True), ("a", T.ArrayType(T.LongType()), True)]

    class Obj:
        def __init__(self):
            self.y, self.x = 2, 1

    rows = [(T.Row(y=2, x=1), [1]), ({"y": 2, "x": 1}, [2]), (Obj(), [])]
    decoded = source_rows(rows, fields)
    # A nested Row goes by position, as Spark's conversion takes any tuple.
    assert [tuple(r[0]) for r in decoded] == [(2, 1), (1, 2), (1, 2)]
    assert "expected array<bigint>, got tuple (1,)" in source_error([(None, (1,))], fields)


def test_the_codec_does_not_need_pyarrow():
    code = (
        "import sys; sys.modules['pyarrow'] = None; "
        "from rivulet import arrow_ipc, types as T; "
        "s = T.StructType([T.StructField('x', T.LongType())]); "
        "print(arrow_ipc.decode_stream(arrow_ipc.encode_stream([(1,)], s))[1])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": os.path.join(F.REPO_DIR, "python")},
        capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == "[(1,)]"


# ---- interval day to second (Arrow duration[us]) and variant (a struct of two binaries) ----


td = datetime.timedelta
# The extreme timedeltas that pyarrow converts to int64 microseconds.
LONGEST = td(days=106751991, seconds=14454, microseconds=775807)  # 2**63 - 1 microseconds
MOST_NEGATIVE = td(days=-106751991)  # days * 86400000000 is the last step that fits


def variant(text):
    return T.VariantVal.parseJson(text)


def plain(value):
    """A decoded value with its VariantVals as ("variant", value, metadata) and Rows as
    tuples, so that values compare."""
    if isinstance(value, T.VariantVal):
        return ("variant", bytes(value.value), bytes(value.metadata))
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


INTERVALS_AND_VARIANTS = T._parse_ddl_schema(
    "d INTERVAL DAY TO SECOND, v VARIANT, a ARRAY<INTERVAL DAY TO SECOND>, "
    "m MAP<STRING, VARIANT>, s STRUCT<v: VARIANT, d: INTERVAL DAY TO SECOND>")


def intervals_and_variants():
    return [
        (td(days=1, seconds=2, microseconds=3), variant('{"a":[1,2.5,"x"]}'),
         [td(microseconds=-1), None], {"k": variant("12345678901234567890"), "n": None},
         (variant('"s"'), td(0))),
        (None, None, None, None, None),
        (LONGEST, variant("null"), [MOST_NEGATIVE], {}, (None, None)),
    ]


def test_intervals_and_variants_round_trip_at_any_depth_with_nulls():
    data = arrow_ipc.encode_stream(intervals_and_variants(), INTERVALS_AND_VARIANTS)
    schema, rows = arrow_ipc.decode_stream(data)
    assert schema == INTERVALS_AND_VARIANTS
    assert plain(rows) == plain(intervals_and_variants())
    assert rows[0][1].toJson() == '{"a":[1,2.5,"x"]}'


# Reads an IPC stream from stdin with pyarrow and prints its schema and rows as JSON.
PYARROW_READ = r"""
import json, sys
import pyarrow as pa

table = pa.ipc.open_stream(sys.stdin.buffer.read()).read_all()

def field(f):
    out = {"name": f.name, "type": str(f.type), "nullable": f.nullable,
           "metadata": {k.decode(): v.decode() for k, v in (f.metadata or {}).items()}}
    t = f.type
    if pa.types.is_struct(t):
        out["children"] = [field(t.field(i)) for i in range(t.num_fields)]
    elif pa.types.is_list(t):
        out["children"] = [field(t.value_field)]
    elif pa.types.is_map(t):
        out["children"] = [field(t.key_field), field(t.item_field)]
    return out

def value(v):
    if isinstance(v, bytes):
        return v.hex()
    if hasattr(v, "total_seconds"):
        return v // type(v)(microseconds=1)
    if isinstance(v, dict):
        return {k: value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [value(x) for x in v]
    return v

print(json.dumps({"fields": [field(f) for f in table.schema], "rows": value(table.to_pylist())}))
"""

VARIANT_FIELDS = [
    {"name": "value", "type": "binary", "nullable": False, "metadata": {}},
    {"name": "metadata", "type": "binary", "nullable": False, "metadata": {"variant": "true"}},
]
VARIANT_TYPE = "struct<value: binary not null, metadata: binary not null>"


def test_pyarrow_reads_intervals_as_durations_and_variants_as_pysparks_struct():
    data = arrow_ipc.encode_stream(intervals_and_variants(), INTERVALS_AND_VARIANTS)
    read = json.loads(run_python_with(("pyarrow",), PYARROW_READ, data))
    fields = {f["name"]: f for f in read["fields"]}
    assert fields["d"]["type"] == "duration[us]"
    assert fields["v"]["type"] == VARIANT_TYPE and fields["v"]["children"] == VARIANT_FIELDS
    assert fields["a"]["type"] == "list<element: duration[us]>"
    assert fields["m"]["children"][1]["children"] == VARIANT_FIELDS
    assert fields["s"]["children"][0]["children"] == VARIANT_FIELDS
    assert fields["s"]["children"][1]["type"] == "duration[us]"
    v = variant('{"a":[1,2.5,"x"]}')
    first, nulls, last = read["rows"]
    assert first["d"] == 86400 * 10**6 + 2 * 10**6 + 3
    assert first["v"] == {"value": v.value.hex(), "metadata": v.metadata.hex()}
    assert first["a"] == [-1, None]
    assert [k for k, _ in first["m"]] == ["k", "n"] and first["m"][1][1] is None
    assert nulls == {"d": None, "v": None, "a": None, "m": None, "s": None}
    assert last["d"] == 2**63 - 1 and last["a"] == [-106751991 * 86400 * 10**6]
    assert last["s"] == {"v": None, "d": None}


# Writes an IPC stream with pyarrow: durations of each unit and variants, as PySpark sends
# them, at the top level and nested.
PYARROW_WRITE = r"""
import datetime, sys
import pyarrow as pa
from rivulet.types import VariantVal

v = VariantVal.parseJson('{"k":[true,null]}')
variant = pa.struct([pa.field("value", pa.binary(), nullable=False),
                     pa.field("metadata", pa.binary(), nullable=False, metadata={"variant": "true"})])
cell = {"value": v.value, "metadata": v.metadata}
schema = pa.schema([
    ("us", pa.duration("us")), ("s", pa.duration("s")), ("ms", pa.duration("ms")), ("ns", pa.duration("ns")),
    ("v", variant), ("a", pa.list_(variant)), ("m", pa.map_(pa.string(), variant)),
    ("st", pa.struct([("v", variant), ("d", pa.duration("us"))])),
])
table = pa.table({
    "us": [5, None], "s": [-2, None], "ms": [1500, None], "ns": [-1001, None],
    "v": [cell, None], "a": [[cell, None], None], "m": [[("x", cell)], None],
    "st": [{"v": cell, "d": 7}, None],
}, schema=schema)
sink = pa.BufferOutputStream()
with pa.ipc.new_stream(sink, schema) as writer:
    writer.write_table(table)
sys.stdout.buffer.write(sink.getvalue().to_pybytes())
"""


def test_pyarrow_streams_of_durations_and_variants_decode_to_timedeltas_and_variant_vals():
    schema, rows = arrow_ipc.decode_stream(run_python_with(("pyarrow",), PYARROW_WRITE))
    interval, var = T.DayTimeIntervalType(), T.VariantType()
    assert [f.dataType for f in schema.fields] == [
        interval, interval, interval, interval, var, T.ArrayType(var), T.MapType(T.StringType(), var),
        T.StructType([T.StructField("v", var), T.StructField("d", interval)])]
    # Every unit becomes microseconds, nanoseconds floored (as for timestamps).
    us, s, ms, ns, v, a, m, st = rows[0]
    assert (us, s, ms, ns) == (td(microseconds=5), td(seconds=-2), td(milliseconds=1500), td(microseconds=-2))
    assert v.toJson() == '{"k":[true,null]}' and isinstance(v, T.VariantVal)
    assert a[0].toJson() == '{"k":[true,null]}' and a[1] is None
    assert m["x"].toPython() == {"k": [True, None]}
    assert st.v.toJson() == '{"k":[true,null]}' and st.d == td(microseconds=7)
    assert rows[1] == (None,) * 8


def test_source_rules_take_intervals_as_pyarrow_takes_them():
    fields = [("d", T.DayTimeIntervalType(), True)]
    rows = [(td(days=1, microseconds=5),), (5,), (1.5,), (None,), (LONGEST,), (MOST_NEGATIVE,)]
    assert source_rows(rows, fields) == [
        (td(days=1, microseconds=5),), (td(microseconds=5),), (td(microseconds=1),), (None,),
        (LONGEST,), (MOST_NEGATIVE,)]
    assert source_error([(True,)], fields) == (
        "TypeError: column 'd' (row 0): expected interval day to second, got bool True")
    assert source_error([("1",)], fields) == (
        "TypeError: column 'd' (row 0): expected interval day to second, got str '1'")
    assert source_error([(2**63,)], fields) == (
        "ValueError: column 'd' (row 0): value 9223372036854775808 out of range for interval day to second")
    assert source_error([(float("inf"),)], fields) == (
        "TypeError: column 'd' (row 0): expected interval day to second, got float inf")


def test_a_timedelta_whose_microseconds_overflow_int64_on_the_way_is_refused():
    fields = [("d", T.DayTimeIntervalType(), True)]
    one = td(microseconds=1)
    assert encode_error([(LONGEST + one,)], fields) == (
        "ValueError: column 'd' (row 0): value datetime.timedelta(days=106751991, seconds=14454, "
        "microseconds=775808) out of range for interval day to second")
    # -106751991 days -14454.775807 s fits int64, but Python holds it as -106751992 days plus
    # 71945.224193 s, and pyarrow's first step, days * 86400000000, overflows.
    normalised = td(days=-106751991, seconds=-14454, microseconds=-775807)
    assert normalised.days == -106751992
    assert source_error([(normalised,)], fields) == (
        "ValueError: column 'd' (row 0): value datetime.timedelta(days=-106751992, seconds=71945, "
        "microseconds=224193) out of range for interval day to second")
    assert encode_error([(MOST_NEGATIVE - one,)], fields).startswith("ValueError: column 'd' (row 0): value ")


def test_without_source_rules_an_interval_takes_only_a_timedelta():
    fields = [("d", T.DayTimeIntervalType(), True)]
    assert encode_error([(5,)], fields) == (
        "TypeError: column 'd' (row 0): expected interval day to second, got int 5")
    assert encode_error([(1.5,)], fields) == (
        "TypeError: column 'd' (row 0): expected interval day to second, got float 1.5")


@pytest.mark.parametrize("source_rules", [True, False])
@pytest.mark.parametrize("value, described", [
    (b"\x0c\x01", "bytes b'\\x0c\\x01'"),
    ('{"a":1}', "str '{\"a\":1}'"),
    ({"value": b"\x0c\x01", "metadata": b"\x01\x00\x00"},
     "dict {'value': b'\\x0c\\x01', 'metadata': b'\\x01\\x00\\x00'}"),
])
def test_a_variant_column_takes_only_variant_vals(value, described, source_rules):
    fields = [("id", T.IntegerType(), True), ("v", T.VariantType(), True)]
    assert encode_error([(1, variant("1")), (2, value)], fields, source_rules) == (
        "TypeError: column 'v' (row 1): expected variant (a VariantVal), got %s: [MALFORMED_VARIANT] "
        "Variant binary is malformed. Please check the data source is valid." % described)


def test_variants_in_nested_columns_are_checked_too():
    fields = [("a", T.ArrayType(T.VariantType()), True)]
    assert source_error([([variant("1")],), ([variant("2"), "x"],)], fields) == (
        "TypeError: column 'a.element' (row 1): expected variant (a VariantVal), got str 'x': "
        "[MALFORMED_VARIANT] Variant binary is malformed. Please check the data source is valid.")
    fields = [("v", T.VariantType(), True)]
    assert encode_error([(T.VariantVal("x", b""),)], fields) == (
        "TypeError: column 'v.value' (row 0): expected binary, got str 'x'")


# ---- errors name the column, the row, the expected type and the value ----


def encode_error(rows, fields, source_rules=False):
    with pytest.raises((TypeError, ValueError)) as info:
        arrow_ipc.encode_stream_batches([rows], schema_of(fields), source_rules=source_rules)
    return type(info.value).__name__ + ": " + str(info.value)


def test_a_value_of_the_wrong_type_is_refused():
    assert encode_error([(1,), (2,), (3,), ("x",)], [("id", T.IntegerType(), True)]) == (
        "TypeError: column 'id' (row 3): expected int, got str 'x'"
    )
    assert encode_error([(True,)], [("id", T.LongType(), True)]) == (
        "TypeError: column 'id' (row 0): expected bigint, got bool True"
    )
    assert encode_error([(None,), (1.5,)], [("id", T.LongType(), True)]) == (
        "TypeError: column 'id' (row 1): expected bigint, got float 1.5"
    )
    assert encode_error([("a",), (b"b",)], [("s", T.StringType(), True)]) == (
        "TypeError: column 's' (row 1): expected string, got bytes b'b'"
    )
    assert encode_error([(b"a",), ("b",)], [("b", T.BinaryType(), True)]) == (
        "TypeError: column 'b' (row 1): expected binary, got str 'b'"
    )
    assert encode_error([(datetime.date(2024, 1, 1),)], [("t", T.TimestampType(), True)]) == (
        "TypeError: column 't' (row 0): expected timestamp, got date datetime.date(2024, 1, 1)"
    )
    assert encode_error([(1,)], [("b", T.BooleanType(), True)]) == (
        "TypeError: column 'b' (row 0): expected boolean, got int 1"
    )
    assert encode_error([(0.5,)], [("d", T.DecimalType(5, 2), True)]) == (
        "TypeError: column 'd' (row 0): expected decimal(5,2), got float 0.5"
    )


def test_a_value_out_of_range_is_refused():
    assert encode_error([(127,), (128,)], [("b", T.ByteType(), True)]) == (
        "ValueError: column 'b' (row 1): value 128 out of range for tinyint"
    )
    assert encode_error([(2**63,)], [("l", T.LongType(), True)]) == (
        "ValueError: column 'l' (row 0): value 9223372036854775808 out of range for bigint"
    )
    assert encode_error([(1e39,)], [("f", T.FloatType(), True)]) == (
        "ValueError: column 'f' (row 0): value 1e+39 out of range for float"
    )
    assert encode_error([(decimal.Decimal("1000"),)], [("d", T.DecimalType(5, 2), True)]) == (
        "ValueError: column 'd' (row 0): value Decimal('1000') out of range for decimal(5,2)"
    )
    assert encode_error([(decimal.Decimal("1.234"),)], [("d", T.DecimalType(5, 2), True)]) == (
        "ValueError: column 'd' (row 0): value 1.234 does not fit decimal(5,2) without rounding"
    )


def test_nulls_where_the_schema_forbids_them_are_refused():
    assert encode_error([(1,), (None,)], [("id", T.IntegerType(), False)]) == (
        "ValueError: column 'id' (row 1): null in a NOT NULL column"
    )
    arr = T.ArrayType(T.IntegerType(), containsNull=False)
    assert encode_error([([1],), ([2, None],)], [("a", arr, True)]) == (
        "ValueError: column 'a.element' (row 1): null in an array that does not contain nulls"
    )
    m = T.MapType(T.StringType(), T.IntegerType())
    assert encode_error([({"k": 1},), ({None: 2},)], [("m", m, True)]) == (
        "ValueError: column 'm.key' (row 1): null map key"
    )


def test_errors_in_nested_values_name_the_dotted_path_and_the_top_level_row():
    inner = T.StructType([T.StructField("tags", T.ArrayType(T.IntegerType()))])
    rows = [(([1, 2],),), (([3],),), (([4, "x"],),)]
    assert encode_error(rows, [("s", inner, True)]) == (
        "TypeError: column 's.tags.element' (row 2): expected int, got str 'x'"
    )
    assert encode_error([((1, 2),)], [("s", inner, True)]) == (
        "ValueError: column 's' (row 0): expected 1 struct fields, got 2"
    )
    assert encode_error([(5,)], [("s", inner, True)]) == (
        "TypeError: column 's' (row 0): expected struct<tags:array<int>>, got int 5"
    )


def test_rows_that_are_not_rows_are_refused():
    fields = [("id", T.IntegerType(), True), ("x", T.IntegerType(), True)]
    assert encode_error([(1, 2), 7], fields) == "TypeError: row 1: expected a tuple, list, dict or Row, got int 7"
    assert encode_error([(1, 2), (1, 2, 3)], fields) == "ValueError: row 1: expected 2 values, got 3"


# ---- decoding never trusts its input ----


def decode_error(data):
    with pytest.raises(ValueError) as info:
        arrow_ipc.decode_stream(data)
    return str(info.value)


def test_truncated_and_lying_streams_are_clear_errors():
    schema = schema_of([("x", T.IntegerType(), True)])
    data = arrow_ipc.encode_stream([(7,), (8,), (9,)], schema)
    assert decode_error(b"") == "stream ends before its schema message"
    assert decode_error(data[:-20]) == "stream is truncated: the body at byte 296 runs past the end"
    # Every truncation decodes (at a message boundary) or raises ValueError, nothing else.
    for cut in range(len(data)):
        try:
            arrow_ipc.decode_stream(data[:cut])
        except ValueError:
            pass
    assert decode_error(data + b"x") == "1 bytes after the end-of-stream marker"
    assert decode_error(data[:144] + b"\xff\xff\xff\xff\xf8\xff\xff\xff") == "negative metadata length -8"


def test_lengths_beyond_32_bit_offsets_are_refused():
    schema = schema_of([("n", T.NullType(), True)])
    schema_message = arrow_ipc.encode_stream_batches([], schema)[:-8]
    nodes = struct.pack("<qq", 2**31, 2**31)
    header = _Table().scalar(0, "<q", 2**31).aligned8(1, nodes, 1).aligned8(2, b"", 0)
    data = schema_message + _message(3, header, 0) + _EOS
    assert decode_error(data) == (
        "message at byte %d: column 'n': length 2147483648 is more than the engine's "
        "2147483647 values" % len(schema_message)
    )


# Hand-built messages, so that each case states which length, offset or count lies.


def field(name, type_id, type_table, children=(), nullable=True):
    t = _Table().string(0, name).scalar(1, "<?", nullable).scalar(2, "<B", type_id)
    return t.table(3, type_table).tables(5, list(children))


def int_type(bits, signed=True):
    return _Table().scalar(0, "<i", bits).scalar(1, "<?", signed)


def schema_message(*fields):
    return _message(1, _Table().tables(1, list(fields)), 0)


def batch_table(length, nodes, buffers):
    return (
        _Table()
        .scalar(0, "<q", length)
        .aligned8(1, b"".join(struct.pack("<qq", *n) for n in nodes), len(nodes))
        .aligned8(2, b"".join(struct.pack("<qq", *b) for b in buffers), len(buffers))
    )


def batch_message(length, nodes, buffers, body):
    body += bytes(-len(body) % 8)
    return _message(3, batch_table(length, nodes, buffers), len(body)) + body


INT_SCHEMA = schema_message(field("x", 2, int_type(32)))
STRING_SCHEMA = schema_message(field("s", 5, _Table()))
AT = "message at byte %d: " % len(INT_SCHEMA)
AT_S = "message at byte %d: " % len(STRING_SCHEMA)
EOS = _EOS


def ints(*v):
    return struct.pack("<%di" % len(v), *v)


def test_hand_built_streams_decode():
    assert arrow_ipc.decode_stream(INT_SCHEMA + batch_message(2, [(2, 0)], [(0, 0), (0, 8)], ints(7, 8)) + EOS)[1] == [(7,), (8,)]


@pytest.mark.parametrize(
    "stream, message",
    [
        (INT_SCHEMA + batch_message(3, [(3, 0)], [(0, 0), (8, 100)], ints(7, 8, 9)) + EOS,
         AT + "column 'x': buffer 1 (offset 8, length 100) is outside the 16-byte message body"),
        (INT_SCHEMA + batch_message(5, [(5, 0)], [(0, 0), (0, 12)], ints(7, 8, 9)) + EOS,
         AT + "column 'x': values buffer of 12 bytes is too short for 5 values of 4 bytes"),
        (INT_SCHEMA + batch_message(3, [(-1, 0)], [(0, 0), (0, 12)], ints(7, 8, 9)) + EOS,
         AT + "column 'x': negative length -1"),
        (INT_SCHEMA + batch_message(3, [(3, -2)], [(0, 0), (0, 12)], ints(7, 8, 9)) + EOS,
         AT + "column 'x': null count -2 is not within its length 3"),
        (INT_SCHEMA + batch_message(-3, [(3, 0)], [(0, 0), (0, 12)], ints(7, 8, 9)) + EOS,
         AT + "negative record batch length -3"),
        (INT_SCHEMA + batch_message(3, [(3, 2)], [(0, 1), (8, 12)], b"\x05" + bytes(7) + ints(7, 8, 9)) + EOS,
         AT + "column 'x': null count 2 does not match the validity bitmap's 1"),
        (INT_SCHEMA + batch_message(3, [(3, 1)], [(0, 0), (0, 12)], ints(7, 8, 9)) + EOS,
         AT + "column 'x': validity buffer of 0 bytes is shorter than the 1 its length needs"),
        (INT_SCHEMA + batch_message(3, [(3, 0)], [(0, 0)], ints(7, 8, 9)) + EOS,
         AT + "record batch has 1 buffers, too few for the schema (at column 'x')"),
        (INT_SCHEMA + batch_message(3, [], [(0, 0), (0, 12)], ints(7, 8, 9)) + EOS,
         AT + "record batch has 0 field nodes, too few for the schema (at column 'x')"),
        (INT_SCHEMA + batch_message(3, [(3, 0), (3, 0)], [(0, 0), (0, 12)], ints(7, 8, 9)) + EOS,
         AT + "record batch has 2 field nodes, the schema needs 1"),
        (INT_SCHEMA + batch_message(3, [(3, 0)], [(0, 0), (0, 12), (0, 0)], ints(7, 8, 9)) + EOS,
         AT + "record batch has 3 buffers, the schema needs 2"),
        (INT_SCHEMA + batch_message(4, [(3, 0)], [(0, 0), (0, 12)], ints(7, 8, 9)) + EOS,
         AT + "column 'x': has 3 values, the record batch 4 rows"),
        (STRING_SCHEMA + batch_message(2, [(2, 0)], [(0, 0), (0, 12), (16, 5)], ints(0, 5, 3) + bytes(4) + b"abcde") + EOS,
         AT_S + "column 's': offsets go backwards at index 2 (5 then 3)"),
        (STRING_SCHEMA + batch_message(2, [(2, 0)], [(0, 0), (0, 12), (16, 5)], ints(0, 2, 50) + bytes(4) + b"abcde") + EOS,
         AT_S + "column 's': last offset 50 is past the 5 available"),
        (STRING_SCHEMA + batch_message(1, [(1, 0)], [(0, 0), (0, 8), (8, 5)], ints(-4, 2) + b"abcde") + EOS,
         AT_S + "column 's': first offset -4 is negative"),
        (STRING_SCHEMA + batch_message(2, [(2, 0)], [(0, 0), (0, 4), (8, 5)], ints(0) + bytes(4) + b"abcde") + EOS,
         AT_S + "column 's': offsets buffer of 4 bytes is too short for 2 values"),
        (batch_message(1, [(1, 0)], [(0, 0), (0, 4)], ints(7)) + EOS,
         "message at byte 0: a record batch before the schema message"),
        (INT_SCHEMA + INT_SCHEMA + EOS, AT + "a second schema message"),
        (INT_SCHEMA + struct.pack("<Ii", 0xFFFFFFFF, 16) + struct.pack("<IIII", 4, 1000, 7, 9),
         "flatbuffer reference to bytes -996..-992 of 16"),
    ],
)
def test_lying_messages_are_refused(stream, message):
    assert decode_error(stream) == message


def dictionary_schema():
    f = field("c", 5, _Table())
    f.table(4, _Table().scalar(0, "<q", 5).table(1, int_type(8)))
    return schema_message(f)


def dictionary(dict_id, delta, words):
    offsets = [0]
    for w in words:
        offsets.append(offsets[-1] + len(w))
    offset_bytes = ints(*offsets)
    padded = len(offset_bytes) + (-len(offset_bytes) % 8)
    data = "".join(words).encode()
    body = offset_bytes + bytes(padded - len(offset_bytes)) + data
    body += bytes(-len(body) % 8)
    header = batch_table(len(words), [(len(words), 0)], [(0, 0), (0, len(offset_bytes)), (padded, len(data))])
    table = _Table().scalar(0, "<q", dict_id).table(1, header).scalar(2, "<?", delta)
    return _message(2, table, len(body)) + body


def test_dictionaries_and_deltas_decode_and_lying_indices_are_refused():
    head = dictionary_schema() + dictionary(5, False, ["a", "b"])
    stream = (
        head + batch_message(3, [(3, 0)], [(0, 0), (0, 3)], b"\x01\x00\x01")
        + dictionary(5, True, ["c"]) + batch_message(2, [(2, 0)], [(0, 0), (0, 2)], b"\x02\x00")
        + dictionary(5, False, ["z"]) + batch_message(1, [(1, 0)], [(0, 0), (0, 1)], b"\x00") + EOS
    )
    assert arrow_ipc.decode_stream_batches(stream)[1] == [[("b",), ("a",), ("b",)], [("c",), ("a",)], [("z",)]]
    assert decode_error(head + batch_message(2, [(2, 0)], [(0, 0), (0, 2)], b"\x01\x02") + EOS) == (
        "message at byte %d: column 'c': dictionary index 2 (row 1) is out of range for a dictionary of 2 values"
        % len(head)
    )
    assert decode_error(dictionary_schema() + batch_message(1, [(1, 0)], [(0, 0), (0, 1)], b"\x00") + EOS) == (
        "message at byte %d: column 'c': no dictionary with id 5 came before the record batch" % len(dictionary_schema())
    )
    assert decode_error(dictionary_schema() + dictionary(9, False, ["a"]) + EOS) == (
        "message at byte %d: dictionary batch for id 9, which no column uses" % len(dictionary_schema())
    )


def test_unsupported_and_foreign_types():
    union = field("u", 14, _Table())
    assert decode_error(schema_message(field("s", 13, _Table(), [union]))) == (
        "column 's.u': unsupported Arrow type union"
    )
    d256 = _Table().scalar(0, "<i", 40).scalar(1, "<i", 2).scalar(2, "<i", 256)
    assert decode_error(schema_message(field("d", 7, d256))) == "column 'd': unsupported Arrow type decimal256(40, 2)"
    assert decode_error(schema_message(field("i", 2, int_type(24)))) == "column 'i': unsupported Arrow type int24"
    ms_date = _Table().scalar(0, "<h", 1)
    ns = _Table().scalar(0, "<h", 3)
    schema = schema_message(field("u", 2, int_type(64, False)), field("d", 8, ms_date), field("t", 10, ns), field("s", 20, _Table()))
    body = struct.pack("<Qqqqq", 2**64 - 1, -1, -1001, 0, 2) + b"hi"
    buffers = [(0, 0), (0, 8), (0, 0), (8, 8), (0, 0), (16, 8), (0, 0), (24, 16), (40, 2)]
    stream = schema + batch_message(1, [(1, 0)] * 4, buffers, body) + EOS
    decoded_schema, rows = arrow_ipc.decode_stream(stream)
    assert decoded_schema.simpleString() == "struct<u:decimal(20,0),d:date,t:timestamp_ntz,s:string>"
    assert rows == [(decimal.Decimal(2**64 - 1), datetime.date(1969, 12, 31), datetime.datetime(1969, 12, 31, 23, 59, 59, 999998), "hi")]


def test_a_struct_is_a_variant_when_its_metadata_field_is_tagged():
    binary = _Table()
    untagged = schema_message(field("s", 13, _Table(), [field("value", 4, binary), field("metadata", 4, binary)]))
    assert arrow_ipc.decode_stream(untagged + EOS)[0].simpleString() == "struct<s:struct<value:binary,metadata:binary>>"

    def tagged():
        f = field("metadata", 4, binary, nullable=False)
        return f.tables(6, [_Table().string(0, "variant").string(1, "true")])

    for children, found in [([field("value", 5, _Table()), tagged()], "struct<value:string,metadata:binary>"),
                            ([tagged(), field("value", 4, binary)], "struct<metadata:binary,value:binary>"),
                            ([tagged()], "struct<metadata:binary>")]:
        assert decode_error(schema_message(field("v", 13, _Table(), children))) == (
            "message at byte 0: column 'v': a variant (tagged variant=true) must be "
            "struct<value: binary, metadata: binary>, found " + found)


def test_durations_beyond_int64_microseconds_are_refused():
    seconds = schema_message(field("d", 18, _Table().scalar(0, "<h", 0)))
    body = struct.pack("<qq", 1, 2**62)
    assert decode_error(seconds + batch_message(2, [(2, 0)], [(0, 0), (0, 16)], body) + EOS) == (
        "column 'd': duration 4611686018427387904 s (row 1) does not fit in microseconds")


def test_lying_metadata_is_refused():
    be = _Table().scalar(0, "<h", 1).tables(1, [])
    assert decode_error(_message(1, be, 0)) == "big-endian Arrow data is not supported"
    old = _Table().scalar(0, "<h", 2).scalar(1, "<B", 1).table(2, _Table()).scalar(3, "<q", 0).finish()
    framed = struct.pack("<Ii", 0xFFFFFFFF, len(old)) + old
    assert decode_error(framed) == "Arrow metadata version V3 is too old (V4 or later is supported)"
    assert decode_error(INT_SCHEMA + _message(4, _Table(), 0) + EOS) == (
        "unsupported Arrow message type 4"
    )
    headless = _Table().scalar(0, "<h", 4).scalar(1, "<B", 1).scalar(3, "<q", 0).finish()
    assert decode_error(struct.pack("<Ii", 0xFFFFFFFF, len(headless)) + headless) == (
        "message at byte 0: message without its header"
    )
    no_type = _Table().string(0, "y").scalar(1, "<?", True).tables(5, [])
    assert decode_error(schema_message(no_type)) == "message at byte 0: column 'y': field has no type"
    no_table = _Table().string(0, "x").scalar(1, "<?", True).scalar(2, "<B", 2).tables(5, [])
    assert decode_error(schema_message(no_table)) == "message at byte 0: column 'x': type table is missing"
    odd = field("c", 5, _Table())
    odd.table(4, _Table().scalar(0, "<q", 1).table(1, int_type(12)))
    assert decode_error(schema_message(odd)) == (
        "message at byte 0: column 'c': dictionary index bit width 12 is not 8, 16, 32 or 64"
    )
    negative_body = _message(3, batch_table(0, [(0, 0)], [(0, 0), (0, 0)]), -16)
    assert decode_error(INT_SCHEMA + negative_body + EOS) == "negative message body length -16"
    assert decode_error(INT_SCHEMA + b"\xff\xff") == "stream is truncated at byte %d" % len(INT_SCHEMA)


def test_lying_nested_and_typed_buffers_are_refused():
    struct_schema = schema_message(field("s", 13, _Table(), [field("a", 2, int_type(32))]))
    at = "message at byte %d: " % len(struct_schema)
    assert decode_error(struct_schema + batch_message(2, [(2, 0), (1, 0)], [(0, 0), (0, 0), (0, 4)], ints(1)) + EOS) == (
        at + "column 's.a': has 1 values, fewer than its struct's 2"
    )
    kv = [field("key", 2, int_type(32)), field("value", 2, int_type(32))]
    map_schema = schema_message(field("m", 17, _Table().scalar(0, "<?", False),
                                      [field("entries", 13, _Table(), kv, False)]))
    at = "message at byte %d: " % len(map_schema)
    body = ints(0, 1) + b"\x00" + bytes(7) + ints(0, 0) + ints(5, 0)
    assert decode_error(map_schema + batch_message(
        1, [(1, 0), (1, 0), (1, 1), (1, 0)], [(0, 0), (0, 8), (0, 0), (8, 1), (16, 4), (0, 0), (24, 4)], body) + EOS) == (
        at + "column 'm': null map key"
    )
    assert decode_error(map_schema + batch_message(
        1, [(1, 0), (1, 1), (1, 0), (1, 0)], [(0, 0), (0, 8), (8, 1), (0, 0), (16, 4), (0, 0), (24, 4)], body) + EOS) == (
        at + "column 'm': map entries must not be null"
    )
    for type_id, type_table, name, message in [
        (6, _Table(), "b", "values buffer of 0 bytes is too short for 9 values"),
        (7, _Table().scalar(0, "<i", 5).scalar(1, "<i", 2).scalar(2, "<i", 128), "d",
         "values buffer of 0 bytes is too short for 9 values of 16 bytes"),
        (15, _Table().scalar(0, "<i", 3), "f", "values buffer of 0 bytes is too short for 9 values of 3 bytes"),
    ]:
        schema = schema_message(field(name, type_id, type_table))
        assert decode_error(schema + batch_message(9, [(9, 0)], [(0, 0), (0, 0)], b"") + EOS) == (
            "message at byte %d: column '%s': %s" % (len(schema), name, message)
        )
    fixed_list = schema_message(field("l", 16, _Table().scalar(0, "<i", 2), [field("v", 2, int_type(32))]))
    assert decode_error(fixed_list + batch_message(2, [(2, 0), (3, 0)], [(0, 0), (0, 0), (0, 12)], ints(1, 2, 3)) + EOS) == (
        "message at byte %d: column 'l': child has 3 values, fewer than 2 lists of 2" % len(fixed_list)
    )


def test_values_python_cannot_hold_are_refused():
    date_schema = schema_message(field("d", 8, _Table().scalar(0, "<h", 0)))
    assert decode_error(date_schema + batch_message(1, [(1, 0)], [(0, 0), (0, 4)], ints(2**31 - 1)) + EOS) == (
        "column 'd': date 2147483647 days from 1970-01-01 is out of Python's date range"
    )
    ts_schema = schema_message(field("t", 10, _Table().scalar(0, "<h", 0)))
    assert decode_error(ts_schema + batch_message(1, [(1, 0)], [(0, 0), (0, 8)], struct.pack("<q", 2**60)) + EOS) == (
        "column 't': timestamp 1152921504606846976 s is out of Python's datetime range"
    )
    assert decode_error(STRING_SCHEMA + batch_message(1, [(1, 0)], [(0, 0), (0, 8), (8, 2)], ints(0, 2) + b"\xff\xfe") + EOS) == (
        AT_S + "column 's': string data is not UTF-8"
    )
    list_key = schema_message(field("m", 17, _Table().scalar(0, "<?", False), [field("entries", 13, _Table(), [
        field("key", 12, _Table(), [field("element", 2, int_type(32))]), field("value", 2, int_type(32))], False)]))
    body = ints(0, 1) + bytes(0) + ints(0, 1) + ints(7, 0) + ints(5, 0)
    buffers = [(0, 0), (0, 8), (0, 0), (0, 0), (8, 8), (0, 0), (16, 4), (0, 0), (24, 4)]
    assert decode_error(list_key + batch_message(1, [(1, 0), (1, 0), (1, 0), (1, 0), (1, 0)], buffers, body) + EOS) == (
        "column 'm': map keys are not hashable in Python"
    )


def test_encoding_refuses_what_has_no_arrow_form():
    assert encode_error([(decimal.Decimal("NaN"),)], [("d", T.DecimalType(5, 2), True)]) == (
        "ValueError: column 'd' (row 0): value NaN is not a finite decimal"
    )
    assert encode_error([("ok",), ("\ud800",)], [("s", T.StringType(), True)]) == (
        "ValueError: column 's' (row 1): string '\\ud800' is not valid Unicode"
    )
    assert encode_error([(None,), (1,)], [("n", T.NullType(), True)]) == (
        "TypeError: column 'n' (row 1): expected void, got int 1"
    )
    # Arrow carries day-time intervals as DayTimeIntervalType(0, 3) only, as Spark reads them.
    assert encode_error([(None,)], [("i", T.DayTimeIntervalType(1, 3), True)]) == (
        "TypeError: column 'i': type interval hour to second has no Arrow mapping"
    )
    with pytest.raises(TypeError) as info:
        arrow_ipc.encode_stream([], [("x", T.LongType())])
    assert str(info.value) == "schema must be a StructType, got list [('x', LongType())]"
    schema = schema_of([("a", T.LongType(), True), ("b", T.LongType(), True)])
    with pytest.raises(ValueError) as info:
        arrow_ipc.encode_columns([[1]], schema)
    assert str(info.value) == "expected 2 columns, got 1"
    with pytest.raises(ValueError) as info:
        arrow_ipc.encode_columns([[1], [1, 2]], schema)
    assert str(info.value) == "column 'b' has 2 values, expected 1"


# ---- Arrow JS ----


def node_available():
    if shutil.which("node") is None:
        return False
    if not os.path.isdir(os.path.join(JS_DIR, "node_modules", "apache-arrow")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True, capture_output=True)
    return True


needs_node = pytest.mark.skipif(not node_available(), reason="node is not installed")


@needs_node
@pytest.mark.parametrize("name", ["all_types", "strings_and_numbers"])
def test_arrow_js_reads_what_the_python_codec_writes(tmp_path, name):
    schema, expected, batches = F.load(name)
    path = tmp_path / "python.arrows"
    path.write_bytes(arrow_ipc.encode_stream_batches(batches, schema))
    out = subprocess.run(["node", os.path.join(JS_DIR, "read_ipc.mjs"), str(path)],
                         capture_output=True, text=True, check=True)
    read = json.loads(out.stdout)
    assert [f["name"] for f in read["fields"]] == schema.fieldNames()
    assert read["batches"] == expected


@pytest.fixture(scope="module")
def js_streams(tmp_path_factory):
    out = tmp_path_factory.mktemp("arrow-js")
    subprocess.run(["node", os.path.join(JS_DIR, "write_ipc.mjs"), str(out)], check=True)
    return out


@needs_node
@pytest.mark.parametrize(
    "file",
    ["all_types.arrows", "table_from_arrays.arrows", "dictionary_deltas.arrows",
     "foreign_types.arrows", "float16.arrows", "time32.arrows"],
)
def test_the_python_codec_reads_what_arrow_js_writes(js_streams, file):
    expected = json.loads((js_streams / file.replace(".arrows", ".expected.json")).read_text())
    data = (js_streams / file).read_bytes()
    if "error" in expected:
        assert decode_error(data) == expected["error"]
        return
    schema, batches = arrow_ipc.decode_stream_batches(data)
    if expected["schema"] == "fixture:all_types":
        assert schema == F.load("all_types")[0]
    else:
        assert schema.simpleString() == expected["schema"]
    assert [F.rows_to_json(b, schema) for b in batches] == expected["batches"]


@needs_node
def test_compressed_streams_need_a_codec_the_standard_library_lacks(js_streams):
    data = (js_streams / "all_types_lz4.arrows").read_bytes()
    assert decode_error(data) == (
        "compressed Arrow IPC bodies (LZ4 frame) are not supported by the pure-Python codec"
    )
