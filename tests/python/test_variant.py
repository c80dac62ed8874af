"""VariantVal (rivulet.types, served as pyspark.sql.types.VariantVal): JSON in as Spark's
parse_json types it, JSON out as Spark's JVM writes it, Python values, and the variant
binary encoding of the Parquet Variant spec."""

import datetime
import decimal
import json
import struct
import uuid

import pytest

from rivulet.errors import PySparkValueError
from rivulet.types import VariantVal

from conftest import run_python_with

# JSON text in, the text Spark 4.3's JVM gives back for parse_json of it (its json sink).
SPARK_TEXTS = [
    ('{"a":[1,2.5,"x"],"b":null,"c":true,"d":{"e":-7}}', '{"a":[1,2.5,"x"],"b":null,"c":true,"d":{"e":-7}}'),
    ("12345678901234567890", "12345678901234567890"),
    ("1e20", "1.0E20"),
    ("-0.0", "0"),
    ("3.14159265358979323846", "3.14159265358979323846"),
    ("1.0", "1"),
    ("0.1", "0.1"),
    ("1.5e-7", "1.5E-7"),
    ('{"z":1,"a":2,"m":{"b":[{"c":"d"}]}}', '{"a":2,"m":{"b":[{"c":"d"}]},"z":1}'),
    ('"\\u00e9\\n\\"q\\""', '"\u00e9\\n\\"q\\""'),
    ("[]", "[]"),
    ("{}", "{}"),
    ("null", "null"),
    ("false", "false"),
]

# More of Spark's texts (org.apache.spark.types.variant, Spark 4.3): numbers, escapes.
MORE_SPARK_TEXTS = [
    ("-0", "0"),
    ("100.0", "100"),
    ("1e2", "100.0"),
    ("1.0E-3", "0.001"),
    ("1e-4", "1.0E-4"),
    ("1234567.0e0", "1234567.0"),
    ("12345678.9e0", "1.23456789E7"),
    ("1E400", '"Infinity"'),
    ("123456789012345678901234567890123456789", "1.2345678901234568E38"),  # 39 digits
    ("0.00000000000000000000000000000000000001", "0.00000000000000000000000000000000000001"),
    ("0.000000000000000000000000000000000000001", "1.0E-39"),  # 39 fraction digits
    ('"\\u001f\\u007f/\\b\\f\\t\\r"', '"\\u001F\x7f/\\b\\f\\t\\r"'),
    ('"\\ud83d\\ude00"', '"\U0001f600"'),
    (' { "b" : [ ] , "a" : 1 } ', '{"a":1,"b":[]}'),
]


@pytest.mark.parametrize("text, spark", SPARK_TEXTS + MORE_SPARK_TEXTS)
def test_parse_json_then_to_json_gives_sparks_text(text, spark):
    variant = VariantVal.parseJson(text)
    assert variant.toJson() == spark
    assert str(variant) == spark


def primitive_type(variant):
    """The type id of a primitive variant (basic type 0), from its header byte."""
    assert variant.value[0] & 3 == 0
    return variant.value[0] >> 2


def test_numbers_get_sparks_types():
    int8, int16, int32, int64, double, decimal4, decimal8, decimal16 = 3, 4, 5, 6, 7, 8, 9, 10
    cases = [
        ("127", int8), ("-128", int8), ("128", int16), ("-32769", int32), ("2147483648", int64),
        ("9223372036854775807", int64), ("9223372036854775808", decimal16),
        ("0.1", decimal4), ("0.0000000001", decimal8), ("1234567890.5", decimal8),
        ("1234567890123456789.5", decimal16), ("1e2", double), ("1.5e-7", double),
        ("123456789012345678901234567890123456789", double),
    ]
    assert [(text, primitive_type(VariantVal.parseJson(text))) for text, _ in cases] == cases


def test_the_bytes_are_sparks():
    variant = VariantVal.parseJson('{"z":1,"a":2,"m":{"b":[{"c":"d"}]}}')
    # Keys numbered as first seen (z a m b c); the fields sorted by key, their values in
    # document order; offsets as small as the data allows.
    assert variant.metadata.hex() == "01050001020304057a616d6263"
    assert variant.value.hex() == "0203010200020400140c010c02020103000b0301000702010400020564"
    assert VariantVal.parseJson('"x"').value == b"\x05x"  # a short string
    long_text = "y" * 64
    assert VariantVal.parseJson(json.dumps(long_text)).value == b"\x40\x40\x00\x00\x00" + long_text.encode()
    assert VariantVal.parseJson("[]").value == b"\x03\x00\x00"
    assert VariantVal.parseJson("null").metadata == b"\x01\x00\x00"


def test_big_containers_use_wider_counts_and_offsets():
    items = list(range(300))
    assert VariantVal.parseJson(json.dumps(items)).toPython() == items
    fields = {"k%03d" % i: "v" * 250 for i in range(300)}  # 76 kB of values
    variant = VariantVal.parseJson(json.dumps(fields))
    assert variant.value[0] == (1 << 4 | 1 << 2 | 2) << 2 | 2  # large, 2-byte ids, 3-byte offsets
    assert variant.toPython() == fields


def test_what_spark_refuses_to_parse():
    with pytest.raises(PySparkValueError) as duplicate:
        VariantVal.parseJson('{"a":{"b":1,"b":2}}')
    assert str(duplicate.value) == (
        "[VARIANT_DUPLICATE_KEY] Failed to build variant because of a duplicate object key `b`."
    )
    for text in ["NaN", "[1,]", "{", "1 2", '"\\ud800"']:
        with pytest.raises(ValueError):
            VariantVal.parseJson(text)


def test_to_python():
    assert VariantVal.parseJson('{"a":[1,2.5,"x"],"b":null,"c":true,"d":{"e":-7}}').toPython() == {
        "a": [1, decimal.Decimal("2.5"), "x"], "b": None, "c": True, "d": {"e": -7}}
    assert VariantVal.parseJson("1e20").toPython() == 1e20
    assert str(VariantVal.parseJson("1.0").toPython()) == "1.0"  # the stored scale
    assert VariantVal.parseJson("12345678901234567890").toPython() == 12345678901234567890


def test_repr_shows_the_bytes():
    variant = VariantVal(b"\x0c\x01", b"\x01\x00\x00")
    assert repr(variant) == "VariantVal(b'\\x0c\\x01', b'\\x01\\x00\\x00')"
    assert (variant.value, variant.metadata) == (b"\x0c\x01", b"\x01\x00\x00")
    assert str(variant) == "1"


EMPTY_METADATA = b"\x01\x00\x00"


def primitive(type_id, content):
    return VariantVal(bytes([type_id << 2]) + content, EMPTY_METADATA)


def i32(n):
    return struct.pack("<i", n)


def i64(n):
    return struct.pack("<q", n)


# Primitives parse_json does not make, and the text Spark's Variant.toJson gives for them.
SCALARS = [
    (primitive(11, i32(19000)), "UTC", '"2022-01-08"'),
    (primitive(11, i32(-719163)), "UTC", '"0000-12-31"'),
    (primitive(11, i32(2932897)), "UTC", '"+10000-01-01"'),
    (primitive(12, i64(1704164645123456)), "UTC", '"2024-01-02 03:04:05.123456+00:00"'),
    (primitive(12, i64(1704164645123456)), "America/New_York", '"2024-01-01 22:04:05.123456-05:00"'),
    (primitive(12, i64(0)), "Asia/Kolkata", '"1970-01-01 05:30:00+05:30"'),
    (primitive(13, i64(1704164645123456)), "America/New_York", '"2024-01-02 03:04:05.123456"'),
    (primitive(13, i64(-1)), "UTC", '"1969-12-31 23:59:59.999999"'),
    (primitive(14, struct.pack("<f", 0.1)), "UTC", "0.1"),
    (primitive(14, struct.pack("<f", float("nan"))), "UTC", '"NaN"'),
    (primitive(7, struct.pack("<d", -0.0)), "UTC", "-0.0"),
    (primitive(7, struct.pack("<d", float("-inf"))), "UTC", '"-Infinity"'),
    (primitive(15, i32(2) + b"\x00\xff"), "UTC", '"AP8="'),
    (primitive(16, i32(3) + b"abc"), "UTC", '"abc"'),
    (primitive(20, bytes(range(16))), "UTC", '"00010203-0405-0607-0809-0a0b0c0d0e0f"'),
    (primitive(10, bytes([38]) + (10**38 - 1).to_bytes(16, "little", signed=True)), "UTC",
     "0.99999999999999999999999999999999999999"),
    (primitive(9, bytes([2]) + i64(-1)), "UTC", "-0.01"),
    (primitive(8, bytes([3]) + i32(1500)), "UTC", "1.5"),
]


@pytest.mark.parametrize("variant, zone, spark", SCALARS)
def test_other_primitives_render_as_spark_renders_them(variant, zone, spark):
    assert variant.toJson(zone) == spark


def test_other_primitives_to_python():
    utc = datetime.timezone.utc
    assert primitive(11, i32(19000)).toPython() == datetime.date(2022, 1, 8)
    assert primitive(12, i64(1500000)).toPython() == datetime.datetime(1970, 1, 1, 0, 0, 1, 500000, tzinfo=utc)
    assert primitive(13, i64(-1)).toPython() == datetime.datetime(1969, 12, 31, 23, 59, 59, 999999)
    assert primitive(15, i32(2) + b"\x00\xff").toPython() == b"\x00\xff"
    assert primitive(20, bytes(range(16))).toPython() == uuid.UUID(bytes=bytes(range(16)))
    assert primitive(14, struct.pack("<f", 0.5)).toPython() == 0.5


MALFORMED = "[MALFORMED_VARIANT] Variant binary is malformed. Please check the data source is valid."


@pytest.mark.parametrize("variant", [
    VariantVal(b"", EMPTY_METADATA),                      # no header
    VariantVal(b"\x0c", EMPTY_METADATA),                  # an int8 without its byte
    VariantVal(b"\x00", b"\x02\x00\x00"),                 # metadata version 2
    VariantVal(b"\x00", b""),                             # no metadata
    VariantVal(b"\x02\x01\x01\x00\x02\x0c\x01", b"\x01\x01\x00\x01a"),  # key id 1 of 1 key
    VariantVal(b"\x03\x05\x00", EMPTY_METADATA),          # 5 elements, no offsets
    VariantVal(primitive(8, bytes([0]) + i32(10**9)).value, EMPTY_METADATA),  # 10 digits
    VariantVal("1", EMPTY_METADATA),                      # not bytes
])
def test_malformed_variants_are_refused_with_sparks_error(variant):
    with pytest.raises(PySparkValueError) as refused:
        variant.toJson()
    assert str(refused.value) == MALFORMED


def test_unknown_primitive_types_are_refused_with_sparks_error():
    with pytest.raises(PySparkValueError) as refused:
        primitive(17, bytes(8)).toPython()
    assert str(refused.value) == (
        "[UNKNOWN_PRIMITIVE_TYPE_IN_VARIANT] Unknown primitive type with id 17 was found in a "
        "variant value."
    )


def test_variants_that_pyspark_built_render_as_spark_renders_them():
    code = (
        "import json, sys\n"
        "from pyspark.sql.types import VariantVal\n"
        "out = []\n"
        "for text in json.load(sys.stdin):\n"
        "    v = VariantVal.parseJson(text)\n"
        "    out.append([v.value.hex(), v.metadata.hex()])\n"
        "print(json.dumps(out))\n"
    )
    texts = SPARK_TEXTS + [("[1e20,-0.0,{\"k\":12345678901234567890}]", '[1.0E20,0,{"k":12345678901234567890}]')]
    built = json.loads(run_python_with(("pyspark",), code, json.dumps([t for t, _ in texts]).encode()))
    rendered = [VariantVal(bytes.fromhex(v), bytes.fromhex(m)).toJson() for v, m in built]
    assert rendered == [spark for _, spark in texts]
