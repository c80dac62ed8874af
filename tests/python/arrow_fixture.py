"""The shared Arrow fixtures (tests/arrow_js/fixtures/*.json) as Python values, and Python
values as the fixtures' canonical JSON (described in src/ipc/ipc_testing.h).

Run as a script it encodes a fixture with the pure-Python codec, for the C++ test that
compares its bytes with the C++ writer's: ``arrow_fixture.py encode NAME OUT``.
"""

import datetime
import decimal
import json
import math
import os
import sys

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_DIR = os.path.dirname(TESTS_DIR)
FIXTURE_DIR = os.path.join(TESTS_DIR, "arrow_js", "fixtures")
sys.path.insert(0, os.path.join(REPO_DIR, "python"))

from rivulet import arrow_ipc  # noqa: E402
from rivulet import types as T  # noqa: E402

EPOCH = datetime.date(1970, 1, 1)
UTC = datetime.timezone.utc


def from_json(value, dt):
    """A canonical JSON value as the Python value the codec takes."""
    if value is None:
        return None
    if isinstance(dt, T.LongType):
        return int(value)
    if isinstance(dt, (T.FloatType, T.DoubleType)):
        return float(value) if isinstance(value, str) else float(value)
    if isinstance(dt, T.DecimalType):
        return decimal.Decimal(value)
    if isinstance(dt, T.BinaryType):
        return bytes.fromhex(value)
    if isinstance(dt, T.DateType):
        return EPOCH + datetime.timedelta(days=value)
    if isinstance(dt, T.TimestampType):
        return datetime.datetime(1970, 1, 1, tzinfo=UTC) + datetime.timedelta(microseconds=int(value))
    if isinstance(dt, T.TimestampNTZType):
        return datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=int(value))
    if isinstance(dt, T.ArrayType):
        return [from_json(v, dt.elementType) for v in value]
    if isinstance(dt, T.MapType):
        return {from_json(k, dt.keyType): from_json(v, dt.valueType) for k, v in value}
    if isinstance(dt, T.StructType):
        return tuple(from_json(value.get(f.name), f.dataType) for f in dt.fields)
    return value


def to_json(value, dt):
    """A decoded Python value as canonical JSON."""
    if value is None:
        return None
    if isinstance(dt, (T.LongType)):
        return str(value)
    if isinstance(dt, (T.FloatType, T.DoubleType)):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(dt, T.DecimalType):
        return format(value.quantize(decimal.Decimal(1).scaleb(-dt.scale)), "f")
    if isinstance(dt, T.BinaryType):
        return value.hex()
    if isinstance(dt, T.DateType):
        return (value - EPOCH).days
    if isinstance(dt, T.TimestampType):
        delta = value - datetime.datetime(1970, 1, 1, tzinfo=UTC)
        return str(delta // datetime.timedelta(microseconds=1))
    if isinstance(dt, T.TimestampNTZType):
        delta = value - datetime.datetime(1970, 1, 1)
        return str(delta // datetime.timedelta(microseconds=1))
    if isinstance(dt, T.ArrayType):
        return [to_json(v, dt.elementType) for v in value]
    if isinstance(dt, T.MapType):
        return [[to_json(k, dt.keyType), to_json(v, dt.valueType)] for k, v in value.items()]
    if isinstance(dt, T.StructType):
        return {f.name: to_json(v, f.dataType) for f, v in zip(dt.fields, value)}
    return value


def rows_to_json(rows, schema):
    return [[to_json(v, f.dataType) for v, f in zip(row, schema.fields)] for row in rows]


def load(name):
    """(StructType, canonical JSON batches, Python row batches) of a fixture."""
    with open(os.path.join(FIXTURE_DIR, name + ".json"), encoding="utf-8") as f:
        doc = json.load(f)
    schema = T.StructType.fromJson(doc["schema"])
    batches = [
        [tuple(from_json(v, f.dataType) for v, f in zip(row, schema.fields)) for row in rows]
        for rows in doc["batches"]
    ]
    return schema, doc["batches"], batches


def main(argv):
    if len(argv) != 4 or argv[1] != "encode":
        sys.stderr.write("usage: arrow_fixture.py encode NAME OUT\n")
        return 2
    schema, _, batches = load(argv[2])
    with open(argv[3], "wb") as f:
        f.write(arrow_ipc.encode_stream_batches(batches, schema))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
