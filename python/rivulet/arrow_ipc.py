"""Arrow IPC streams in pure Python: rows of a schema to stream bytes and back.

The engine and its Python workers exchange data as Arrow IPC streams. This module writes
exactly the bytes the engine's C++ writer writes for the same rows and schema (the rules are
in docs/format/arrow-ipc.md), and reads streams from any Arrow writer, mapping Arrow types to
the nearest Spark type as the engine does. It needs only the standard library.

    encode_stream(rows, schema) -> bytes          one record batch
    encode_stream_batches(batches, schema) -> bytes   one record batch per list of rows
    encode_columns(columns, schema) -> bytes      one record batch from column value lists
    decode_stream(data) -> (StructType, [tuple])
    decode_stream_batches(data) -> (StructType, [[tuple]])

Rows may be tuples or lists (by position), dicts (by field name; a missing name is None) or
Row objects (by name when they have names). Values by Spark type: int for byte/short/int/
long (bool is refused); float or int for float/double; decimal.Decimal or int for decimal
(no rounding: more fraction digits than the scale is an error); str for string; bytes or
bytearray for binary; bool for boolean; datetime.date (or datetime) for date;
datetime.datetime for timestamp (an aware one is converted to UTC, a naive one is taken as
UTC) and timestamp_ntz (its wall-clock time, any tzinfo ignored); list or tuple for arrays;
dict for maps; tuple, list, dict or Row for structs. A value that does not fit raises
TypeError or ValueError naming the column (dotted for nested fields), the row, the expected
type and the value: "column 'id' (row 3): expected int, got str 'x'".

Decoded values: timestamps are aware datetimes in UTC, timestamp_ntz naive datetimes,
decimals decimal.Decimal, maps dicts, nested structs Row objects with field names, and
top-level rows plain tuples. Compressed streams cannot be decoded without an LZ4 or zstd
module; such a stream raises ValueError.
"""

import datetime as _dt
import decimal as _decimal
import struct as _struct
import sys as _sys
from array import array as _array
from bisect import bisect_right as _bisect_right
from itertools import accumulate as _accumulate
from operator import itemgetter as _itemgetter

from rivulet.sql import types as _T

__all__ = [
    "encode_stream",
    "encode_stream_batches",
    "encode_columns",
    "decode_stream",
    "decode_stream_batches",
]

if _sys.byteorder != "little":  # pragma: no cover - the engine runs on little-endian only
    raise ImportError("rivulet.arrow_ipc needs a little-endian machine")

_CONTINUATION = b"\xff\xff\xff\xff"
_EOS = _CONTINUATION + b"\x00\x00\x00\x00"
_V5 = 4
_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()
_UTC = _dt.timezone.utc
_EPOCH_UTC = _dt.datetime(1970, 1, 1, tzinfo=_UTC)
_EPOCH_NAIVE = _dt.datetime(1970, 1, 1)
_MICROS_PER_DAY = 86400 * 1000000
_FLOAT32_MAX = 3.4028234663852886e38
# Exact decimal arithmetic for up to 38 digits shifted by up to 38 places.
_DECIMAL_CONTEXT = _decimal.Context(prec=100, Emax=999999, Emin=-999999)

# Arrow Type union ids and MessageHeader ids.
_T_NULL, _T_INT, _T_FLOAT, _T_BINARY, _T_UTF8, _T_BOOL, _T_DECIMAL, _T_DATE = 1, 2, 3, 4, 5, 6, 7, 8
_T_TIME, _T_TIMESTAMP, _T_INTERVAL, _T_LIST, _T_STRUCT, _T_UNION = 9, 10, 11, 12, 13, 14
_T_FIXED_BINARY, _T_FIXED_LIST, _T_MAP, _T_DURATION = 15, 16, 17, 18
_T_LARGE_BINARY, _T_LARGE_UTF8, _T_LARGE_LIST = 19, 20, 21
_H_SCHEMA, _H_DICTIONARY, _H_RECORD_BATCH = 1, 2, 3

_UNSUPPORTED_NAMES = {
    14: "union",
    22: "run_end_encoded",
    23: "binary_view",
    24: "utf8_view",
    25: "list_view",
    26: "large_list_view",
}


# ---------------------------------------------------------------------------------------------
# The deterministic flatbuffer writer (the rules of src/ipc/flatbuffer_writer.h)
# ---------------------------------------------------------------------------------------------

_SCALAR = 0
_STRING = 1
_TABLE = 2
_TABLE_VECTOR = 3
_ALIGNED8_VECTOR = 4


class _Table:
    """A flatbuffer table under construction: slot -> (kind, width, payload)."""

    __slots__ = ("fields",)

    def __init__(self):
        self.fields = {}

    def scalar(self, slot, fmt, value):
        self.fields[slot] = (_SCALAR, _struct.calcsize(fmt), _struct.pack(fmt, value))
        return self

    def string(self, slot, text):
        self.fields[slot] = (_STRING, 4, text.encode("utf-8"))
        return self

    def table(self, slot, table):
        self.fields[slot] = (_TABLE, 4, table)
        return self

    def tables(self, slot, tables):
        self.fields[slot] = (_TABLE_VECTOR, 4, tables)
        return self

    def aligned8(self, slot, data, count):
        self.fields[slot] = (_ALIGNED8_VECTOR, 4, (data, count))
        return self

    def finish(self):
        out = bytearray(4)
        root = _write_table(out, self)
        _struct.pack_into("<I", out, 0, root)
        out += bytes(-len(out) % 8)
        return bytes(out)


def _pad(out, multiple, remainder=0):
    out += bytes((remainder - len(out)) % multiple)


def _write_table(out, table):
    slots = sorted(table.fields)
    offsets = {}
    inline = 4
    for slot in slots:
        width = table.fields[slot][1]
        inline = (inline + width - 1) // width * width
        offsets[slot] = inline
        inline += width
    num_slots = slots[-1] + 1 if slots else 0
    vtable_size = 4 + 2 * num_slots
    out += bytes((-(len(out) + vtable_size)) % 8)
    vtable_pos = len(out)
    vtable = [0] * num_slots
    for slot in slots:
        vtable[slot] = offsets[slot]
    out += _struct.pack("<HH%dH" % num_slots, vtable_size, inline, *vtable)
    table_pos = len(out)
    body = bytearray(inline)
    _struct.pack_into("<i", body, 0, table_pos - vtable_pos)
    for slot in slots:
        kind, width, payload = table.fields[slot]
        if kind == _SCALAR:
            body[offsets[slot] : offsets[slot] + width] = payload
    out += body
    for slot in slots:
        kind, _, payload = table.fields[slot]
        at = table_pos + offsets[slot]
        if kind == _STRING:
            _pad(out, 4)
            pos = len(out)
            out += _struct.pack("<I", len(payload)) + payload + b"\x00"
        elif kind == _TABLE:
            pos = _write_table(out, payload)
        elif kind == _TABLE_VECTOR:
            _pad(out, 4)
            pos = len(out)
            out += _struct.pack("<I", len(payload)) + bytes(4 * len(payload))
            for j, child in enumerate(payload):
                element = pos + 4 + 4 * j
                _struct.pack_into("<I", out, element, _write_table(out, child) - element)
        elif kind == _ALIGNED8_VECTOR:
            _pad(out, 8, 4)
            pos = len(out)
            data, count = payload
            out += _struct.pack("<I", count) + data
        else:
            continue
        _struct.pack_into("<I", out, at, pos - at)
    return table_pos


# ---------------------------------------------------------------------------------------------
# Schema metadata
# ---------------------------------------------------------------------------------------------


def _int_table(bits):
    return _Table().scalar(0, "<i", bits).scalar(1, "<?", True)


def _field_table(name, data_type, nullable, metadata):
    type_id, type_table, children = _describe_type(data_type, name)
    t = (
        _Table()
        .string(0, name)
        .scalar(1, "<?", bool(nullable))
        .scalar(2, "<B", type_id)
        .table(3, type_table)
        .tables(5, children)
    )
    if metadata:
        pairs = sorted(((str(k), str(v)) for k, v in metadata.items()), key=lambda kv: kv[0].encode())
        t.tables(6, [_Table().string(0, k).string(1, v) for k, v in pairs])
    return t


def _describe_type(dt, name):
    cls = type(dt)
    simple = _SIMPLE_TYPES.get(cls)
    if simple is not None:
        return simple()
    if isinstance(dt, _T.DecimalType):
        t = _Table().scalar(0, "<i", dt.precision).scalar(1, "<i", dt.scale).scalar(2, "<i", 128)
        return _T_DECIMAL, t, []
    if isinstance(dt, _T.ArrayType):
        return _T_LIST, _Table(), [_field_table("element", dt.elementType, dt.containsNull, None)]
    if isinstance(dt, _T.MapType):
        entries = (
            _Table()
            .string(0, "entries")
            .scalar(1, "<?", False)
            .scalar(2, "<B", _T_STRUCT)
            .table(3, _Table())
            .tables(
                5,
                [
                    _field_table("key", dt.keyType, False, None),
                    _field_table("value", dt.valueType, dt.valueContainsNull, None),
                ],
            )
        )
        return _T_MAP, _Table().scalar(0, "<?", False), [entries]
    if isinstance(dt, _T.StructType):
        return _T_STRUCT, _Table(), [_field_table(f.name, f.dataType, f.nullable, f.metadata) for f in dt.fields]
    raise TypeError("column '%s': type %s has no Arrow mapping" % (name, dt.simpleString()))


_SIMPLE_TYPES = {
    _T.NullType: lambda: (_T_NULL, _Table(), []),
    _T.BooleanType: lambda: (_T_BOOL, _Table(), []),
    _T.ByteType: lambda: (_T_INT, _int_table(8), []),
    _T.ShortType: lambda: (_T_INT, _int_table(16), []),
    _T.IntegerType: lambda: (_T_INT, _int_table(32), []),
    _T.LongType: lambda: (_T_INT, _int_table(64), []),
    _T.FloatType: lambda: (_T_FLOAT, _Table().scalar(0, "<h", 1), []),
    _T.DoubleType: lambda: (_T_FLOAT, _Table().scalar(0, "<h", 2), []),
    _T.StringType: lambda: (_T_UTF8, _Table(), []),
    _T.CharType: lambda: (_T_UTF8, _Table(), []),
    _T.VarcharType: lambda: (_T_UTF8, _Table(), []),
    _T.BinaryType: lambda: (_T_BINARY, _Table(), []),
    _T.DateType: lambda: (_T_DATE, _Table().scalar(0, "<h", 0), []),
    _T.TimestampType: lambda: (_T_TIMESTAMP, _Table().scalar(0, "<h", 2).string(1, "UTC"), []),
    _T.TimestampNTZType: lambda: (_T_TIMESTAMP, _Table().scalar(0, "<h", 2), []),
}


def _schema_message(schema):
    fields = [_field_table(f.name, f.dataType, f.nullable, f.metadata) for f in schema.fields]
    return _message(_H_SCHEMA, _Table().tables(1, fields), 0)


def _message(header_type, header, body_length):
    metadata = (
        _Table()
        .scalar(0, "<h", _V5)
        .scalar(1, "<B", header_type)
        .table(2, header)
        .scalar(3, "<q", body_length)
        .finish()
    )
    return _CONTINUATION + _struct.pack("<i", len(metadata)) + metadata


# ---------------------------------------------------------------------------------------------
# Encoding columns
# ---------------------------------------------------------------------------------------------


class _Body:
    """Field nodes, buffers and body bytes of one record batch."""

    __slots__ = ("nodes", "buffers", "parts", "length")

    def __init__(self):
        self.nodes = []
        self.buffers = []
        self.parts = []
        self.length = 0

    def node(self, length, null_count):
        self.nodes.append((length, null_count))

    def buffer(self, data):
        size = len(data)
        self.buffers.append((self.length, size))
        if size:
            self.parts.append(data)
            pad = -size % 8
            if pad:
                self.parts.append(bytes(pad))
            self.length += size + pad


_BITS_TO_ASCII = bytes.maketrans(b"\x00\x01", b"01")
_NONE_TYPE = type(None)


def _bitmap(flags):
    """LSB-first bitmap of a bytes object of 0/1 values."""
    n = len(flags)
    if not n:
        return b""
    return int(flags[::-1].translate(_BITS_TO_ASCII), 2).to_bytes((n + 7) // 8, "little")


def _describe(v):
    text = repr(v)
    if len(text) > 60:
        text = text[:57] + "..."
    return "%s %s" % (type(v).__name__, text)


class _Column:
    """Encodes the values of one field (a top-level column or a nested child)."""

    def __init__(self, path, dt, nullable, null_message="null in a NOT NULL column"):
        self.path = path
        self.dt = dt
        self.nullable = nullable
        self.null_message = null_message
        self.type_name = dt.simpleString()
        self.children = []
        if isinstance(dt, _T.ArrayType):
            self.children = [
                _Column(path + ".element", dt.elementType, dt.containsNull,
                        "null in an array that does not contain nulls")
            ]
        elif isinstance(dt, _T.MapType):
            self.children = [
                _Column(path + ".key", dt.keyType, False, "null map key"),
                _Column(path + ".value", dt.valueType, dt.valueContainsNull,
                        "null in a map that does not contain null values"),
            ]
        elif isinstance(dt, _T.StructType):
            self.names = [f.name for f in dt.fields]
            self.children = [_Column(path + "." + f.name, f.dataType, f.nullable) for f in dt.fields]
        self.encode = self._encoder()

    # -- errors --

    def error(self, row, message, cls=TypeError):
        return cls("column '%s' (row %d): %s" % (self.path, row, message))

    def mismatch(self, row, v):
        return self.error(row, "expected %s, got %s" % (self.type_name, _describe(v)))

    def out_of_range(self, row, v):
        return self.error(row, "value %r out of range for %s" % (v, self.type_name), ValueError)

    # -- nulls --

    def validity(self, values, rows, body, has_nulls=None):
        """Writes the node and the validity buffer; returns the validity as a bytes object
        of 0/1 values, or None when there are no nulls."""
        n = len(values)
        if not (None in values if has_nulls is None else has_nulls):
            body.node(n, 0)
            body.buffer(b"")
            return None
        if not self.nullable:
            raise self.error(rows(values.index(None)), self.null_message, ValueError)
        flags = bytes([v is not None for v in values])
        nulls = n - flags.count(1)
        body.node(n, nulls)
        body.buffer(_bitmap(flags))
        return flags

    # -- per type --

    def _encoder(self):
        dt = self.dt
        if isinstance(dt, _T.NullType):
            return self._null
        if isinstance(dt, _T.BooleanType):
            return self._bool
        for cls, code, lo, hi in _INT_TYPES:
            if isinstance(dt, cls):
                self.code, self.lo, self.hi = code, lo, hi
                return self._int
        if isinstance(dt, (_T.FloatType, _T.DoubleType)):
            self.code = "f" if isinstance(dt, _T.FloatType) else "d"
            return self._float
        if isinstance(dt, _T.DecimalType):
            self.limit = 10 ** dt.precision
            return self._decimal
        if isinstance(dt, (_T.StringType, _T.CharType, _T.VarcharType)):
            return self._string
        if isinstance(dt, _T.BinaryType):
            return self._binary
        if isinstance(dt, _T.TimestampNTZType):
            return self._timestamp_ntz
        if isinstance(dt, _T.TimestampType):
            return self._timestamp
        if isinstance(dt, _T.DateType):
            return self._date
        if isinstance(dt, (_T.ArrayType, _T.MapType)):
            return self._list_or_map
        if isinstance(dt, _T.StructType):
            return self._struct
        raise TypeError("column '%s': type %s has no Arrow mapping" % (self.path, self.type_name))

    def zero(self):
        """The value a NOT NULL child holds under a null struct (zero bytes on the wire)."""
        dt = self.dt
        if isinstance(dt, _T.NullType):
            return None
        if isinstance(dt, _T.BooleanType):
            return False
        if isinstance(dt, (_T.FloatType, _T.DoubleType)):
            return 0.0
        if isinstance(dt, _T.DecimalType):
            return 0
        if isinstance(dt, (_T.StringType, _T.CharType, _T.VarcharType)):
            return ""
        if isinstance(dt, _T.BinaryType):
            return b""
        if isinstance(dt, _T.TimestampNTZType):
            return _EPOCH_NAIVE
        if isinstance(dt, _T.TimestampType):
            return _EPOCH_UTC
        if isinstance(dt, _T.DateType):
            return _dt.date(1970, 1, 1)
        if isinstance(dt, _T.ArrayType):
            return []
        if isinstance(dt, _T.MapType):
            return {}
        if isinstance(dt, _T.StructType):
            return tuple(None if c.nullable else c.zero() for c in self.children)
        return 0

    def _null(self, values, rows, body):
        for i, v in enumerate(values):
            if v is not None:
                raise self.mismatch(rows(i), v)
        body.node(len(values), len(values))

    def _bool(self, values, rows, body):
        flags = self.validity(values, rows, body)
        kinds = set(map(type, values))
        kinds.discard(type(None))
        if kinds - {bool}:
            for i, v in enumerate(values):
                if v is not None and type(v) is not bool:
                    raise self.mismatch(rows(i), v)
        if flags is not None:
            values = [v is True for v in values]
        body.buffer(_bitmap(bytes(values)))

    def _int(self, values, rows, body):
        kinds = set(map(type, values))
        flags = self.validity(values, rows, body, _NONE_TYPE in kinds)
        if flags is not None:
            kinds.discard(_NONE_TYPE)
            values = [0 if v is None else v for v in values]
        if kinds - {int}:
            for i, v in enumerate(values):
                if type(v) is not int and not (flags is not None and not flags[i]):
                    raise self.mismatch(rows(i), v)
        try:
            data = _array(self.code, values)
        except OverflowError:
            for i, v in enumerate(values):
                if not self.lo <= v <= self.hi:
                    raise self.out_of_range(rows(i), v) from None
            raise
        body.buffer(data.tobytes())

    def _float(self, values, rows, body):
        kinds = set(map(type, values))
        flags = self.validity(values, rows, body, _NONE_TYPE in kinds)
        if flags is not None:
            kinds.discard(_NONE_TYPE)
            values = [0.0 if v is None else v for v in values]
        if kinds - {float, int}:
            for i, v in enumerate(values):
                if type(v) not in (float, int) and not (flags is not None and not flags[i]):
                    raise self.mismatch(rows(i), v)
        try:
            data = _array(self.code, values)
        except OverflowError:  # an int too large for a double
            for i, v in enumerate(values):
                try:
                    float(v)
                except OverflowError:
                    raise self.out_of_range(rows(i), v) from None
            raise
        if self.code == "f" and values:
            biggest = max(map(abs, data))
            if biggest == float("inf"):
                for i, v in enumerate(values):
                    if abs(v) > _FLOAT32_MAX and abs(v) != float("inf"):
                        raise self.out_of_range(rows(i), v)
        body.buffer(data.tobytes())

    def _decimal(self, values, rows, body):
        self.validity(values, rows, body)
        limit = self.limit
        out = bytearray(16 * len(values))
        Decimal = _decimal.Decimal
        for i, v in enumerate(values):
            if v is None:
                continue
            kind = type(v)
            if kind is int:
                unscaled = v * 10 ** self.dt.scale
            elif kind is Decimal or isinstance(v, Decimal):
                if not v.is_finite():
                    raise self.error(rows(i), "value %s is not a finite decimal" % v, ValueError)
                scaled = v.scaleb(self.dt.scale, _DECIMAL_CONTEXT)
                unscaled = int(scaled)
                if scaled != unscaled:
                    raise self.error(
                        rows(i), "value %s does not fit %s without rounding" % (v, self.type_name), ValueError
                    )
            else:
                raise self.mismatch(rows(i), v)
            if not -limit < unscaled < limit:
                raise self.out_of_range(rows(i), v)
            out[16 * i : 16 * i + 16] = unscaled.to_bytes(16, "little", signed=True)
        body.buffer(bytes(out))

    def _offsets_and_data(self, values, rows, body, kinds_ok, convert):
        flags = self.validity(values, rows, body)
        if flags is not None:
            values = [self._empty if v is None else v for v in values]
        try:
            data, lengths = convert(values, rows)
        except TypeError:  # joining refuses a value of another type
            for i, v in enumerate(values):
                if type(v) not in kinds_ok:
                    raise self.mismatch(rows(i), v) from None
            raise
        # array() fills from a list much faster than from an iterator (~10% of encoding).
        offsets = _array("i", list(_accumulate(lengths, initial=0)))
        if offsets[-1] > 0x7FFFFFFF:  # pragma: no cover - needs 2 GiB of data
            raise ValueError("column '%s': more than 2147483647 bytes of data in one batch" % self.path)
        body.buffer(offsets.tobytes())
        body.buffer(data)

    _empty = ""

    def _string(self, values, rows, body):
        self._empty = ""

        def convert(values, rows):
            joined = "".join(values)
            if joined.isascii():
                return joined.encode("ascii"), map(len, values)
            try:
                encoded = [s.encode("utf-8") for s in values]
            except UnicodeEncodeError:
                for i, s in enumerate(values):
                    try:
                        s.encode("utf-8")
                    except UnicodeEncodeError:
                        raise self.error(rows(i), "string %s is not valid Unicode" % _describe(s)[4:], ValueError) from None
                raise
            return b"".join(encoded), map(len, encoded)

        self._offsets_and_data(values, rows, body, {str}, convert)

    def _binary(self, values, rows, body):
        self._empty = b""

        def convert(values, rows):
            return b"".join(values), map(len, values)

        self._offsets_and_data(values, rows, body, {bytes, bytearray, memoryview}, convert)

    def _fixed64(self, values, rows, body, to_int):
        flags = self.validity(values, rows, body)
        out = _array("q", bytes(8 * len(values)))
        for i, v in enumerate(values):
            if v is not None:
                out[i] = to_int(i, v)
        del flags
        body.buffer(out.tobytes())

    def _timestamp(self, values, rows, body):
        datetime = _dt.datetime

        def to_int(i, v):
            if type(v) is not datetime and not isinstance(v, datetime):
                raise self.mismatch(rows(i), v)
            if v.tzinfo is not None:
                offset = v.utcoffset()
                if offset is not None:
                    v = v.replace(tzinfo=None) - offset
                else:
                    v = v.replace(tzinfo=None)
            return (
                (v.toordinal() - _EPOCH_ORDINAL) * _MICROS_PER_DAY
                + (v.hour * 3600 + v.minute * 60 + v.second) * 1000000
                + v.microsecond
            )

        self._fixed64(values, rows, body, to_int)

    def _timestamp_ntz(self, values, rows, body):
        datetime = _dt.datetime

        def to_int(i, v):
            if type(v) is not datetime and not isinstance(v, datetime):
                raise self.mismatch(rows(i), v)
            return (
                (v.toordinal() - _EPOCH_ORDINAL) * _MICROS_PER_DAY
                + (v.hour * 3600 + v.minute * 60 + v.second) * 1000000
                + v.microsecond
            )

        self._fixed64(values, rows, body, to_int)

    def _date(self, values, rows, body):
        flags = self.validity(values, rows, body)
        date = _dt.date
        out = _array("i", bytes(4 * len(values)))
        for i, v in enumerate(values):
            if v is None:
                continue
            if not isinstance(v, date):
                raise self.mismatch(rows(i), v)
            out[i] = v.toordinal() - _EPOCH_ORDINAL
        del flags
        body.buffer(out.tobytes())

    def _list_or_map(self, values, rows, body):
        is_map = isinstance(self.dt, _T.MapType)
        self.validity(values, rows, body)
        ok = (dict,) if is_map else (list, tuple)
        lengths = []
        for i, v in enumerate(values):
            if v is None:
                lengths.append(0)
            elif isinstance(v, ok):
                lengths.append(len(v))
            else:
                raise self.mismatch(rows(i), v)
        offsets = _array("i", list(_accumulate(lengths, initial=0)))
        body.buffer(offsets.tobytes())

        def child_rows(j):
            return rows(_bisect_right(offsets, j) - 1)

        total = offsets[-1]
        if is_map:
            keys = []
            items = []
            for v in values:
                if v:
                    keys.extend(v.keys())
                    items.extend(v.values())
            body.node(total, 0)  # the entries struct, never null
            body.buffer(b"")
            self.children[0].encode(keys, child_rows, body)
            self.children[1].encode(items, child_rows, body)
        else:
            flat = []
            for v in values:
                if v:
                    flat.extend(v)
            self.children[0].encode(flat, child_rows, body)

    def _struct(self, values, rows, body):
        self.validity(values, rows, body)
        width = len(self.children)
        names = self.names
        placeholder = self.zero()
        columns = [[] for _ in range(width)]
        for i, v in enumerate(values):
            if v is None:
                fields = placeholder
            else:
                fields = _struct_fields(v, names)
                if fields is None:
                    raise self.mismatch(rows(i), v)
                if len(fields) != width:
                    raise self.error(
                        rows(i), "expected %d struct fields, got %d" % (width, len(fields)), ValueError
                    )
            for column, f in zip(columns, fields):
                column.append(f)
        for child, column in zip(self.children, columns):
            child.encode(column, rows, body)


_INT_TYPES = [
    (_T.ByteType, "b", -(2**7), 2**7 - 1),
    (_T.ShortType, "h", -(2**15), 2**15 - 1),
    (_T.IntegerType, "i", -(2**31), 2**31 - 1),
    (_T.LongType, "q", -(2**63), 2**63 - 1),
]


def _struct_fields(v, names):
    """The field values of a struct value, in schema order, or None if it is not one."""
    if isinstance(v, dict):
        get = v.get
        return [get(n) for n in names]
    if isinstance(v, (tuple, list)):
        row_names = getattr(v, "__fields__", None)
        if row_names is not None and isinstance(v, _T.Row):
            by_name = dict(zip(row_names, v))
            return [by_name.get(n) for n in names]
        return v
    return None


def _identity(i):
    return i


def _rows_to_columns(rows, schema):
    names = [f.name for f in schema.fields]
    width = len(names)
    if not rows:
        return [[] for _ in range(width)]
    kinds = set(map(type, rows))
    if kinds <= {tuple, list} and set(map(len, rows)) == {width}:
        return [list(map(_itemgetter(k), rows)) for k in range(width)]
    columns = [[] for _ in range(width)]
    for i, row in enumerate(rows):
        fields = _struct_fields(row, names)
        if fields is None:
            raise TypeError(
                "row %d: expected a tuple, list, dict or Row, got %s" % (i, _describe(row))
            )
        if len(fields) != width:
            raise ValueError("row %d: expected %d values, got %d" % (i, width, len(fields)))
        for column, f in zip(columns, fields):
            column.append(f)
    return columns


def _record_batch(columns, encoders, num_rows):
    body = _Body()
    for encoder, values in zip(encoders, columns):
        if len(values) != num_rows:
            raise ValueError(
                "column '%s' has %d values, expected %d" % (encoder.path, len(values), num_rows)
            )
        encoder.encode(values, _identity, body)
    nodes = b"".join(_struct.pack("<qq", *n) for n in body.nodes)
    buffers = b"".join(_struct.pack("<qq", *b) for b in body.buffers)
    header = (
        _Table()
        .scalar(0, "<q", num_rows)
        .aligned8(1, nodes, len(body.nodes))
        .aligned8(2, buffers, len(body.buffers))
    )
    return [_message(_H_RECORD_BATCH, header, body.length)] + body.parts


def _encoders(schema):
    if not isinstance(schema, _T.StructType):
        raise TypeError("schema must be a StructType, got %s" % _describe(schema))
    return [_Column(f.name, f.dataType, f.nullable) for f in schema.fields]


def encode_columns(columns, schema):
    """One record batch stream from column value lists (one list per field, equal lengths)."""
    encoders = _encoders(schema)
    if len(columns) != len(encoders):
        raise ValueError("expected %d columns, got %d" % (len(encoders), len(columns)))
    columns = [c if isinstance(c, list) else list(c) for c in columns]
    num_rows = len(columns[0]) if columns else 0
    parts = [_schema_message(schema)]
    parts += _record_batch(columns, encoders, num_rows)
    parts.append(_EOS)
    return b"".join(parts)


def encode_stream_batches(batches, schema):
    """A stream with one record batch per list of rows."""
    encoders = _encoders(schema)
    parts = [_schema_message(schema)]
    for rows in batches:
        rows = rows if isinstance(rows, list) else list(rows)
        parts += _record_batch(_rows_to_columns(rows, schema), encoders, len(rows))
    parts.append(_EOS)
    return b"".join(parts)


def encode_stream(rows, schema):
    """A stream of the rows as one record batch."""
    return encode_stream_batches([rows], schema)


# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------


class _Corrupt(ValueError):
    pass


class _FlatReader:
    """Reads flatbuffer tables from a bytes object, checking every position it follows."""

    __slots__ = ("buf", "size")

    def __init__(self, buf):
        self.buf = buf
        self.size = len(buf)

    def check(self, pos, n):
        if pos < 0 or pos + n > self.size:
            raise _Corrupt("flatbuffer reference to bytes %d..%d of %d" % (pos, pos + n, self.size))

    def u32(self, pos):
        self.check(pos, 4)
        return _struct.unpack_from("<I", self.buf, pos)[0]

    def root(self):
        return self.table_at(self.u32(0))

    def table_at(self, pos):
        self.check(pos, 4)
        vtable = pos - _struct.unpack_from("<i", self.buf, pos)[0]
        self.check(vtable, 4)
        vsize, _ = _struct.unpack_from("<HH", self.buf, vtable)
        if vsize < 4 or vsize % 2:
            raise _Corrupt("flatbuffer vtable of %d bytes" % vsize)
        self.check(vtable, vsize)
        return _FlatTable(self, pos, vtable, vsize)


class _FlatTable:
    __slots__ = ("r", "pos", "vtable", "vsize")

    def __init__(self, reader, pos, vtable, vsize):
        self.r, self.pos, self.vtable, self.vsize = reader, pos, vtable, vsize

    def _field(self, slot):
        at = 4 + 2 * slot
        if at + 2 > self.vsize:
            return 0
        return _struct.unpack_from("<H", self.r.buf, self.vtable + at)[0]

    def scalar(self, slot, fmt, default=0):
        off = self._field(slot)
        if not off:
            return default
        self.r.check(self.pos + off, _struct.calcsize(fmt))
        return _struct.unpack_from(fmt, self.r.buf, self.pos + off)[0]

    def _target(self, slot):
        off = self._field(slot)
        if not off:
            return None
        at = self.pos + off
        return at + self.r.u32(at)

    def table(self, slot):
        target = self._target(slot)
        return None if target is None else self.r.table_at(target)

    def string(self, slot):
        target = self._target(slot)
        if target is None:
            return None
        n = self.r.u32(target)
        self.r.check(target + 4, n)
        try:
            return self.r.buf[target + 4 : target + 4 + n].decode("utf-8")
        except UnicodeDecodeError:
            raise _Corrupt("flatbuffer string is not UTF-8") from None

    def tables(self, slot):
        target = self._target(slot)
        if target is None:
            return []
        n = self.r.u32(target)
        self.r.check(target + 4, 4 * n)
        return [self.r.table_at(target + 4 + 4 * j + self.r.u32(target + 4 + 4 * j)) for j in range(n)]

    def structs(self, slot, fmt):
        target = self._target(slot)
        if target is None:
            return []
        n = self.r.u32(target)
        size = _struct.calcsize(fmt)
        self.r.check(target + 4, size * n)
        return list(_struct.iter_unpack(fmt, self.r.buf[target + 4 : target + 4 + size * n]))


class _Plan:
    """How to read one field: its wire layout and its Spark type."""

    __slots__ = ("path", "wire", "arg", "dt", "nullable", "dictionary", "index", "children", "names")

    def __init__(self):
        self.children = []
        self.dictionary = None
        self.names = []


def _unsupported(path, name):
    return ValueError("column '%s': unsupported Arrow type %s" % (path, name))


_UNIT_NAMES = ["s", "ms", "us", "ns"]


def _plan_field(field, parent):
    p = _Plan()
    name = field.string(0) or ""
    p.path = name if not parent else parent + "." + name
    p.nullable = bool(field.scalar(1, "<?", False))
    type_id = field.scalar(2, "<B")
    t = field.table(3)
    children = field.tables(5)

    def child_plans(kind, expected=None):
        if expected is not None and len(children) != expected:
            raise _Corrupt("column '%s': %s field has %d children, not %d" % (p.path, kind, len(children), expected))
        p.children = [_plan_field(c, p.path) for c in children]

    def need_table():
        if t is None:
            raise _Corrupt("column '%s': type table is missing" % p.path)
        return t

    if type_id == _T_NULL:
        p.wire, p.dt, p.nullable = "null", _T.NullType(), True
    elif type_id == _T_BOOL:
        p.wire, p.dt = "bool", _T.BooleanType()
    elif type_id == _T_INT:
        bits = need_table().scalar(0, "<i")
        signed = bool(t.scalar(1, "<?"))
        mapping = {
            (8, True): _T.ByteType, (16, True): _T.ShortType, (32, True): _T.IntegerType,
            (64, True): _T.LongType, (8, False): _T.ShortType, (16, False): _T.IntegerType,
            (32, False): _T.LongType,
        }
        if (bits, signed) == (64, False):
            p.dt = _T.DecimalType(20, 0)
        elif (bits, signed) in mapping:
            p.dt = mapping[(bits, signed)]()
        else:
            raise _unsupported(p.path, ("int%d" if signed else "uint%d") % bits)
        p.wire, p.arg = "int", (bits, signed)
    elif type_id == _T_FLOAT:
        precision = need_table().scalar(0, "<h")
        if precision == 1:
            p.wire, p.dt = "f32", _T.FloatType()
        elif precision == 2:
            p.wire, p.dt = "f64", _T.DoubleType()
        else:
            raise _unsupported(p.path, "float16")
    elif type_id == _T_DECIMAL:
        need_table()
        precision, scale, bits = t.scalar(0, "<i"), t.scalar(1, "<i"), t.scalar(2, "<i", 128)
        if bits != 128 or not 1 <= precision <= 38 or not 0 <= scale <= precision:
            raise _unsupported(p.path, "decimal%d(%d, %d)" % (bits, precision, scale))
        p.wire, p.dt = "decimal", _T.DecimalType(precision, scale)
    elif type_id == _T_DATE:
        unit = need_table().scalar(0, "<h", 1)
        p.wire, p.dt = ("date32" if unit == 0 else "date64"), _T.DateType()
    elif type_id == _T_TIMESTAMP:
        unit = need_table().scalar(0, "<h")
        if not 0 <= unit <= 3:
            raise _unsupported(p.path, "timestamp[%d]" % unit)
        tz = t.string(1)
        p.wire, p.arg = "timestamp", unit
        p.dt = _T.TimestampType() if tz else _T.TimestampNTZType()
    elif type_id in (_T_UTF8, _T_LARGE_UTF8):
        p.wire, p.arg, p.dt = "binary", type_id == _T_LARGE_UTF8, _T.StringType()
    elif type_id in (_T_BINARY, _T_LARGE_BINARY):
        p.wire, p.arg, p.dt = "binary", type_id == _T_LARGE_BINARY, _T.BinaryType()
    elif type_id == _T_FIXED_BINARY:
        width = need_table().scalar(0, "<i")
        if width < 0:
            raise _Corrupt("column '%s': negative fixed_size_binary width %d" % (p.path, width))
        p.wire, p.arg, p.dt = "fixed_binary", width, _T.BinaryType()
    elif type_id in (_T_LIST, _T_LARGE_LIST, _T_FIXED_LIST):
        kind = {_T_LIST: "list", _T_LARGE_LIST: "large_list", _T_FIXED_LIST: "fixed_size_list"}[type_id]
        child_plans(kind, 1)
        p.wire = "fixed_list" if type_id == _T_FIXED_LIST else "list"
        p.arg = type_id == _T_LARGE_LIST
        if type_id == _T_FIXED_LIST:
            p.arg = need_table().scalar(0, "<i")
            if p.arg < 0:
                raise _Corrupt("column '%s': negative fixed_size_list size %d" % (p.path, p.arg))
        p.dt = _T.ArrayType(p.children[0].dt, p.children[0].nullable)
    elif type_id == _T_STRUCT:
        child_plans("struct")
        p.wire = "struct"
        p.names = [(c.string(0) or "") for c in children]
        p.dt = _T.StructType(
            [
                _T.StructField(n, c.dt, c.nullable, _metadata(f))
                for n, c, f in zip(p.names, p.children, children)
            ]
        )
    elif type_id == _T_MAP:
        child_plans("map", 1)
        entries = p.children[0]
        if entries.wire != "struct" or entries.dictionary is not None or len(entries.children) != 2:
            raise _Corrupt("column '%s': map entries are not a struct of key and value" % p.path)
        key, value = entries.children
        p.wire, p.dt = "map", _T.MapType(key.dt, value.dt, value.nullable)
    elif type_id == _T_TIME:
        bits = need_table().scalar(1, "<i", 32)
        unit = t.scalar(0, "<h", 1)
        raise _unsupported(p.path, "time%d[%s]" % (bits, _UNIT_NAMES[unit] if 0 <= unit <= 3 else unit))
    elif type_id == _T_DURATION:
        unit = need_table().scalar(0, "<h", 1)
        raise _unsupported(p.path, "duration[%s]" % (_UNIT_NAMES[unit] if 0 <= unit <= 3 else unit))
    elif type_id == _T_INTERVAL:
        raise _unsupported(p.path, "interval")
    elif type_id == 0:
        raise _Corrupt("column '%s': field has no type" % p.path)
    elif type_id in _UNSUPPORTED_NAMES:
        raise _unsupported(p.path, _UNSUPPORTED_NAMES[type_id])
    else:
        raise _unsupported(p.path, "with type id %d" % type_id)

    dictionary = field.table(4)
    if dictionary is not None:
        index = dictionary.table(1)
        bits, signed = (32, True) if index is None else (index.scalar(0, "<i"), bool(index.scalar(1, "<?")))
        if bits not in (8, 16, 32, 64):
            raise _Corrupt("column '%s': dictionary index bit width %d is not 8, 16, 32 or 64" % (p.path, bits))
        p.dictionary = dictionary.scalar(0, "<q")
        p.index = (bits, signed)
    return p


def _metadata(field):
    pairs = {}
    for kv in field.tables(6):
        key = kv.string(0)
        if key is not None:
            pairs[key] = kv.string(1) or ""
    return pairs


_INT_CODES = {(8, True): "b", (16, True): "h", (32, True): "i", (64, True): "q",
              (8, False): "B", (16, False): "H", (32, False): "I", (64, False): "Q"}
_BYTE_BITS = [tuple((b >> k) & 1 for k in range(8)) for b in range(256)]


class _BatchReader:
    """Hands out one record batch's field nodes and buffers, checking each range."""

    def __init__(self, header, body):
        self.nodes = header.structs(1, "<qq")
        self.buffers = header.structs(2, "<qq")
        self.body = body
        self.node_i = 0
        self.buffer_i = 0
        compression = header.table(3)
        if compression is not None:
            raise ValueError(
                "compressed Arrow IPC bodies (%s) are not supported by the pure-Python codec"
                % ("LZ4 frame" if compression.scalar(0, "<b") == 0 else "zstd")
            )

    def node(self, path):
        if self.node_i >= len(self.nodes):
            raise _Corrupt(
                "record batch has %d field nodes, too few for the schema (at column '%s')"
                % (len(self.nodes), path)
            )
        length, nulls = self.nodes[self.node_i]
        self.node_i += 1
        if length < 0:
            raise _Corrupt("column '%s': negative length %d" % (path, length))
        if length > 0x7FFFFFFF:  # as the engine, which indexes values with 32-bit offsets
            raise _Corrupt("column '%s': length %d is more than the engine's 2147483647 values" % (path, length))
        if not 0 <= nulls <= length:
            raise _Corrupt("column '%s': null count %d is not within its length %d" % (path, nulls, length))
        return length, nulls

    def buffer(self, path):
        if self.buffer_i >= len(self.buffers):
            raise _Corrupt(
                "record batch has %d buffers, too few for the schema (at column '%s')"
                % (len(self.buffers), path)
            )
        offset, length = self.buffers[self.buffer_i]
        index = self.buffer_i
        self.buffer_i += 1
        if offset < 0 or length < 0 or offset + length > len(self.body):
            raise _Corrupt(
                "column '%s': buffer %d (offset %d, length %d) is outside the %d-byte message body"
                % (path, index, offset, length, len(self.body))
            )
        return self.body[offset : offset + length]

    def done(self):
        if self.node_i != len(self.nodes):
            raise _Corrupt("record batch has %d field nodes, the schema needs %d" % (len(self.nodes), self.node_i))
        if self.buffer_i != len(self.buffers):
            raise _Corrupt("record batch has %d buffers, the schema needs %d" % (len(self.buffers), self.buffer_i))


def _valid_flags(bitmap, length):
    flags = [bit for byte in bitmap[: (length + 7) // 8] for bit in _BYTE_BITS[byte]]
    return flags[:length]


def _numbers(data, code, length, path):
    arr = _array(code)
    need = arr.itemsize * length
    if len(data) < need:
        raise _Corrupt(
            "column '%s': values buffer of %d bytes is too short for %d values of %d bytes"
            % (path, len(data), length, arr.itemsize)
        )
    arr.frombytes(data[:need])
    return arr


def _offsets(data, length, large, limit, path):
    if length == 0 and not data:
        return [0]
    code = "q" if large else "i"
    size = 8 if large else 4
    if len(data) < size * (length + 1):
        raise _Corrupt("column '%s': offsets buffer of %d bytes is too short for %d values" % (path, len(data), length))
    arr = _array(code)
    arr.frombytes(data[: size * (length + 1)])
    if arr[0] < 0:
        raise _Corrupt("column '%s': first offset %d is negative" % (path, arr[0]))
    previous = arr[0]
    for i in range(1, length + 1):
        if arr[i] < previous:
            raise _Corrupt("column '%s': offsets go backwards at index %d (%d then %d)" % (path, i, previous, arr[i]))
        previous = arr[i]
    if previous > limit:
        raise _Corrupt("column '%s': last offset %d is past the %d available" % (path, previous, limit))
    return arr


class _Decoder:
    def __init__(self):
        self.plans = None
        self.schema = None
        self.dictionaries = {}
        self.dictionary_plans = {}
        self.batches = []

    def set_schema(self, schema):
        if schema.scalar(0, "<h") != 0:
            raise ValueError("big-endian Arrow data is not supported")
        fields = schema.tables(1)
        self.plans = [_plan_field(f, "") for f in fields]
        self.schema = _T.StructType(
            [_T.StructField(f.string(0) or "", p.dt, p.nullable, _metadata(f)) for f, p in zip(fields, self.plans)]
        )

        def collect(p):
            if p.dictionary is not None:
                self.dictionary_plans[p.dictionary] = p
            for c in p.children:
                collect(c)

        for p in self.plans:
            collect(p)

    def message(self, metadata, body):
        msg = _FlatReader(metadata).root()
        version = msg.scalar(0, "<h")
        if version < 3:
            raise ValueError("Arrow metadata version V%d is too old (V4 or later is supported)" % (version + 1))
        kind = msg.scalar(1, "<B")
        header = msg.table(2)
        if header is None:
            raise _Corrupt("message without its header")
        if kind == _H_SCHEMA:
            if self.plans is not None:
                raise _Corrupt("a second schema message")
            self.set_schema(header)
        elif kind == _H_DICTIONARY:
            if self.plans is None:
                raise _Corrupt("a dictionary batch before the schema message")
            self.dictionary(header, body)
        elif kind == _H_RECORD_BATCH:
            if self.plans is None:
                raise _Corrupt("a record batch before the schema message")
            self.record_batch(header, body)
        else:
            raise ValueError("unsupported Arrow message type %d" % kind)

    def dictionary(self, header, body):
        dict_id = header.scalar(0, "<q")
        data = header.table(1)
        if data is None:
            raise _Corrupt("dictionary batch without data")
        plan = self.dictionary_plans.get(dict_id)
        if plan is None:
            raise _Corrupt("dictionary batch for id %d, which no column uses" % dict_id)
        reader = _BatchReader(data, body)
        values = self.column(reader, plan, as_values=True)
        reader.done()
        if header.scalar(2, "<?") and dict_id in self.dictionaries:
            self.dictionaries[dict_id] = self.dictionaries[dict_id] + values
        else:
            self.dictionaries[dict_id] = values

    def record_batch(self, header, body):
        length = header.scalar(0, "<q")
        if length < 0:
            raise _Corrupt("negative record batch length %d" % length)
        reader = _BatchReader(header, body)
        columns = []
        for plan in self.plans:
            values = self.column(reader, plan)
            if len(values) != length:
                raise _Corrupt("column '%s': has %d values, the record batch %d rows" % (plan.path, len(values), length))
            columns.append(values)
        reader.done()
        if columns:
            self.batches.append(list(zip(*columns)))
        else:
            self.batches.append([() for _ in range(length)])

    def column(self, reader, plan, as_values=False):
        """The Python values of one field."""
        path = plan.path
        length, nulls = reader.node(path)
        if plan.wire == "null" and (plan.dictionary is None or as_values):
            return [None] * length
        bitmap = reader.buffer(path)
        flags = None
        if nulls:
            if len(bitmap) < (length + 7) // 8:
                raise _Corrupt(
                    "column '%s': validity buffer of %d bytes is shorter than the %d its length needs"
                    % (path, len(bitmap), (length + 7) // 8)
                )
            flags = _valid_flags(bitmap, length)
            if length - sum(flags) != nulls:
                raise _Corrupt(
                    "column '%s': null count %d does not match the validity bitmap's %d"
                    % (path, nulls, length - sum(flags))
                )
        if plan.dictionary is not None and not as_values:
            bits, signed = plan.index
            indices = _numbers(reader.buffer(path), _INT_CODES[(bits, signed)], length, path)
            dictionary = self.dictionaries.get(plan.dictionary)
            if dictionary is None:
                raise _Corrupt("column '%s': no dictionary with id %d came before the record batch" % (path, plan.dictionary))
            out = []
            size = len(dictionary)
            for i, index in enumerate(indices):
                if flags is not None and not flags[i]:
                    out.append(None)
                elif 0 <= index < size:
                    out.append(dictionary[index])
                else:
                    raise _Corrupt(
                        "column '%s': dictionary index %d (row %d) is out of range for a dictionary of %d values"
                        % (path, index, i, size)
                    )
            return out
        values = self.values(reader, plan, length)
        if flags is not None:
            values = [v if f else None for v, f in zip(values, flags)]
        return values

    def values(self, reader, plan, length):
        path = plan.path
        wire = plan.wire
        if wire == "bool":
            data = reader.buffer(path)
            if len(data) < (length + 7) // 8:
                raise _Corrupt("column '%s': values buffer of %d bytes is too short for %d values" % (path, len(data), length))
            return [bool(b) for b in _valid_flags(data, length)]
        if wire == "int":
            values = _numbers(reader.buffer(path), _INT_CODES[plan.arg], length, path).tolist()
            if plan.arg == (64, False):
                return [_decimal.Decimal(v) for v in values]
            return values
        if wire in ("f32", "f64"):
            return _numbers(reader.buffer(path), "f" if wire == "f32" else "d", length, path).tolist()
        if wire == "decimal":
            data = reader.buffer(path)
            if len(data) < 16 * length:
                raise _Corrupt("column '%s': values buffer of %d bytes is too short for %d values of 16 bytes" % (path, len(data), length))
            scale = -plan.dt.scale
            from_bytes = int.from_bytes
            Decimal = _decimal.Decimal
            return [
                Decimal(from_bytes(data[16 * i : 16 * i + 16], "little", signed=True)).scaleb(scale, _DECIMAL_CONTEXT)
                for i in range(length)
            ]
        if wire == "date32":
            return [_dt.date.fromordinal(d + _EPOCH_ORDINAL) if -_EPOCH_ORDINAL < d < 2932897 else _date_error(path, d)
                    for d in _numbers(reader.buffer(path), "i", length, path)]
        if wire == "date64":
            return [_dt.date.fromordinal(ms // 86400000 + _EPOCH_ORDINAL) if -_EPOCH_ORDINAL < ms // 86400000 < 2932897
                    else _date_error(path, ms // 86400000) for ms in _numbers(reader.buffer(path), "q", length, path)]
        if wire == "timestamp":
            raw = _numbers(reader.buffer(path), "q", length, path)
            epoch = _EPOCH_UTC if isinstance(plan.dt, _T.TimestampType) else _EPOCH_NAIVE
            per_micro = [1000000, 1000, 1, None][plan.arg]
            td = _dt.timedelta
            out = []
            for v in raw:
                micros = v * per_micro if per_micro else v // 1000
                try:
                    out.append(epoch + td(microseconds=micros))
                except OverflowError:
                    raise ValueError("column '%s': timestamp %d %s is out of Python's datetime range"
                                     % (path, v, _UNIT_NAMES[plan.arg])) from None
            return out
        if wire == "binary":
            offsets_data = reader.buffer(path)
            data = reader.buffer(path)
            offsets = _offsets(offsets_data, length, plan.arg, len(data), path)
            if isinstance(plan.dt, _T.StringType):
                try:
                    if data.isascii():
                        text = data.decode("ascii")
                        return [text[a:b] for a, b in zip(offsets, offsets[1:])]
                    return [data[a:b].decode("utf-8") for a, b in zip(offsets, offsets[1:])]
                except UnicodeDecodeError:
                    raise _Corrupt("column '%s': string data is not UTF-8" % path) from None
            return [data[a:b] for a, b in zip(offsets, offsets[1:])]
        if wire == "fixed_binary":
            width = plan.arg
            data = reader.buffer(path)
            if len(data) < width * length:
                raise _Corrupt("column '%s': values buffer of %d bytes is too short for %d values of %d bytes" % (path, len(data), length, width))
            return [data[width * i : width * (i + 1)] for i in range(length)]
        if wire in ("list", "map"):
            offsets_data = reader.buffer(path)
            if wire == "map":
                entries = plan.children[0]
                n, nulls = reader.node(entries.path)
                reader.buffer(entries.path)
                if nulls:
                    raise _Corrupt("column '%s': map entries must not be null" % path)
                keys = self.column(reader, entries.children[0])
                items = self.column(reader, entries.children[1])
                if len(keys) < n or len(items) < n:
                    raise _Corrupt("column '%s': map keys or values are fewer than its entries" % path)
                if None in keys[:n]:
                    raise _Corrupt("column '%s': null map key" % path)
                offsets = _offsets(offsets_data, length, False, n, path)
                try:
                    return [dict(zip(keys[a:b], items[a:b])) for a, b in zip(offsets, offsets[1:])]
                except TypeError:
                    raise ValueError("column '%s': map keys are not hashable in Python" % path) from None
            child = self.column(reader, plan.children[0])
            offsets = _offsets(offsets_data, length, plan.arg, len(child), path)
            return [child[a:b] for a, b in zip(offsets, offsets[1:])]
        if wire == "fixed_list":
            size = plan.arg
            child = self.column(reader, plan.children[0])
            if len(child) < size * length:
                raise _Corrupt("column '%s': child has %d values, fewer than %d lists of %d" % (path, len(child), length, size))
            return [child[size * i : size * (i + 1)] for i in range(length)]
        if wire == "struct":
            children = []
            for c in plan.children:
                values = self.column(reader, c)
                if len(values) < length:
                    raise _Corrupt("column '%s': has %d values, fewer than its struct's %d" % (c.path, len(values), length))
                children.append(values)
            names = plan.names
            make = _T._create_row
            return [make(names, fields) for fields in zip(*children)] if children else [make(names, ()) for _ in range(length)]
        raise _Corrupt("column '%s': cannot read wire layout %s" % (path, wire))  # pragma: no cover


def _date_error(path, days):
    raise ValueError("column '%s': date %d days from 1970-01-01 is out of Python's date range" % (path, days))


def decode_stream_batches(data):
    """(StructType, [[row tuple]]): the schema and the rows of each record batch."""
    data = bytes(data)
    decoder = _Decoder()
    pos = 0
    size = len(data)
    ended = False
    try:
        while pos < size:
            if size - pos < 4:
                raise _Corrupt("stream is truncated at byte %d" % pos)
            (first,) = _struct.unpack_from("<I", data, pos)
            prefix = 4
            length = first
            if first == 0xFFFFFFFF:
                if size - pos < 8:
                    raise _Corrupt("stream is truncated at byte %d" % pos)
                (length,) = _struct.unpack_from("<i", data, pos + 4)
                prefix = 8
            else:
                (length,) = _struct.unpack_from("<i", data, pos)
            if length == 0:
                pos += prefix
                ended = True
                break
            if length < 0:
                raise _Corrupt("negative metadata length %d" % length)
            start = pos + prefix
            if start + length > size:
                raise _Corrupt("stream is truncated: metadata at byte %d runs past the end" % start)
            metadata = data[start : start + length]
            body_length = _FlatReader(metadata).root().scalar(3, "<q")
            if body_length < 0:
                raise _Corrupt("negative message body length %d" % body_length)
            if start + length + body_length > size:
                raise _Corrupt("stream is truncated: the body at byte %d runs past the end" % (start + length))
            body = data[start + length : start + length + body_length]
            try:
                decoder.message(metadata, body)
            except _Corrupt as e:
                raise _Corrupt("message at byte %d: %s" % (pos, e)) from None
            pos = start + length + body_length
    except _struct.error as e:  # pragma: no cover - every read is range-checked first
        raise _Corrupt("malformed Arrow stream: %s" % e) from None
    if ended and pos != size:
        raise _Corrupt("%d bytes after the end-of-stream marker" % (size - pos))
    if decoder.schema is None:
        raise _Corrupt("stream ends before its schema message")
    return decoder.schema, decoder.batches


def decode_stream(data):
    """(StructType, [row tuple]): the schema and the rows of all record batches."""
    schema, batches = decode_stream_batches(data)
    return schema, [row for batch in batches for row in batch]
