"""Column values to the body of a record batch.

``_encoders(schema)`` is one ``_Column`` per top-level field of a StructType.
``column.encode(values, rows, body)`` checks the values against the field's Spark type and
appends the field's nodes and buffers, then its children's, to ``body`` (a ``_Body``);
``rows(i)`` is the row that value ``i`` came from, for error messages. ``_rows_to_columns``
turns rows (tuples, lists, dicts or Rows) into one list of values per field. A value that
does not fit raises TypeError or ValueError naming the column, the row, the expected type and
the value.

With ``source_rules`` the values a Python data source's ``read()`` returns are converted as
Spark converts them (``LocalDataToArrowConversion`` and pyarrow, PySpark 4.3): any value
for a string column becomes its ``str()`` ("true"/"false" for booleans); a float for an
integer column is truncated toward zero; a boolean for a floating-point column is 0.0 or 1.0;
decimals are rounded half-even to the column's scale and an int is refused; a naive datetime
for a timestamp column is local time (``astimezone``) and an aware one is refused for
timestamp_ntz; an int for an interval day to second column is microseconds and a float is
truncated to microseconds; arrays take lists only; a struct takes a tuple or Row by position,
a dict or an object's attributes by name. Without it (``createDataFrame``), values must have
the column's own Python type. Both ways an interval takes a datetime.timedelta (refused,
as pyarrow refuses it, if days * 86400000000 microseconds or the total overflows int64), and
a variant only a VariantVal (rivulet's, or real pyspark's), anything else refused with
Spark's [MALFORMED_VARIANT].
"""

import datetime as _dt
import decimal as _decimal
import sys as _sys
from array import array as _array
from bisect import bisect_right as _bisect_right
from itertools import accumulate as _accumulate
from operator import itemgetter as _itemgetter

from rivulet._arrow_ipc.format import (
    _DECIMAL_CONTEXT, _EPOCH_NAIVE, _EPOCH_ORDINAL, _EPOCH_UTC, _UTC,
)
from rivulet.sql import types as _T

_MICROS_PER_DAY = 86400 * 1000000
_datetime = _dt.datetime
_timedelta = _dt.timedelta
_FLOAT32_MAX = 3.4028234663852886e38


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

    def __init__(self, path, dt, nullable, null_message="null in a NOT NULL column",
                 source_rules=False):
        self.path = path
        self.dt = dt
        self.nullable = nullable
        self.null_message = null_message
        self.source_rules = source_rules
        self.type_name = dt.simpleString()
        self.children = []
        if isinstance(dt, _T.ArrayType):
            self.children = [
                _Column(path + ".element", dt.elementType, dt.containsNull,
                        "null in an array that does not contain nulls", source_rules)
            ]
        elif isinstance(dt, _T.MapType):
            self.children = [
                _Column(path + ".key", dt.keyType, False, "null map key", source_rules),
                _Column(path + ".value", dt.valueType, dt.valueContainsNull,
                        "null in a map that does not contain null values", source_rules),
            ]
        elif isinstance(dt, _T.VariantType):
            self.children = [
                _Column(path + "." + name, _T.BinaryType(), False, source_rules=source_rules)
                for name in ("value", "metadata")
            ]
        elif isinstance(dt, _T.StructType):
            self.names = [f.name for f in dt.fields]
            self.children = [
                _Column(path + "." + f.name, f.dataType, f.nullable, source_rules=source_rules)
                for f in dt.fields
            ]
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
            self.quantum = _decimal.Decimal("1E-%d" % dt.scale)
            self.rounding = _decimal.Context(prec=dt.precision, rounding=_decimal.ROUND_HALF_EVEN)
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
        if isinstance(dt, _T.DayTimeIntervalType) and (dt.startField, dt.endField) == (0, 3):
            return self._day_time_interval
        if isinstance(dt, _T.VariantType):
            return self._variant
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
            return _decimal.Decimal(0)  # a Decimal: source rules refuse an int
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
        if isinstance(dt, _T.DayTimeIntervalType):
            return _dt.timedelta(0)
        if isinstance(dt, _T.VariantType):
            return _T.VariantVal(b"", b"")
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
        if self.source_rules and float in kinds:
            values = [self._truncated(rows(i), v) if type(v) is float else v
                      for i, v in enumerate(values)]
            kinds.discard(float)
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

    def _truncated(self, row, v):
        """A float for an integer column, as pyarrow converts it: toward zero, if finite."""
        if v != v or v in (float("inf"), float("-inf")):
            raise self.mismatch(row, v)
        return int(v)

    def _float(self, values, rows, body):
        kinds = set(map(type, values))
        if self.source_rules and bool in kinds:
            values = [float(v) if type(v) is bool else v for v in values]
            kinds.discard(bool)
            kinds.add(float)
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
        Decimal = _decimal.Decimal
        if self.source_rules:
            # Spark turns a NaN decimal into null and rounds the rest half-even.
            values = [None if isinstance(v, Decimal) and v.is_nan() else v for v in values]
        self.validity(values, rows, body)
        limit = self.limit
        out = bytearray(16 * len(values))
        for i, v in enumerate(values):
            if v is None:
                continue
            kind = type(v)
            if self.source_rules:
                if not isinstance(v, Decimal):
                    raise self.mismatch(rows(i), v)
                if not v.is_finite():
                    raise self.error(rows(i), "value %s is not a finite decimal" % v, ValueError)
                try:
                    unscaled = int(v.quantize(self.quantum, context=self.rounding).scaleb(
                        self.dt.scale, _DECIMAL_CONTEXT))
                except _decimal.InvalidOperation:
                    raise self.out_of_range(rows(i), v) from None
            elif kind is int:
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
        if self.source_rules and not set(map(type, values)) <= {str, _NONE_TYPE}:
            values = [v if v is None or type(v) is str else _spark_str(v) for v in values]

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
                out[i] = to_int(rows, i, v)
        del flags
        body.buffer(out.tobytes())

    # The per-value conversions of the 64-bit columns, value i of a column's values
    # (``rows(i)`` names its row in errors). The compiled encoder calls them too, for the
    # values it does not convert itself (subclasses, time zones other than UTC).

    def _timestamp(self, values, rows, body):
        self._fixed64(values, rows, body, self._timestamp_micros)

    def _timestamp_micros(self, rows, i, v):
        if type(v) is not _datetime and not isinstance(v, _datetime):
            raise self.mismatch(rows(i), v)
        if v.tzinfo is None and self.source_rules:
            v = v.astimezone(_UTC)  # Python's rule: a naive datetime is local time
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

    def _timestamp_ntz(self, values, rows, body):
        self._fixed64(values, rows, body, self._timestamp_ntz_micros)

    def _timestamp_ntz_micros(self, rows, i, v):
        if type(v) is not _datetime and not isinstance(v, _datetime):
            raise self.mismatch(rows(i), v)
        if self.source_rules and v.tzinfo is not None:
            raise self.error(rows(i), "expected a naive datetime for timestamp_ntz, got %s"
                             % _describe(v))
        return (
            (v.toordinal() - _EPOCH_ORDINAL) * _MICROS_PER_DAY
            + (v.hour * 3600 + v.minute * 60 + v.second) * 1000000
            + v.microsecond
        )

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

    def _day_time_interval(self, values, rows, body):
        self._fixed64(values, rows, body, self._interval_micros)

    def _interval_micros(self, rows, i, v):
        """Microseconds: a timedelta's as pyarrow computes them; with source rules an int is
        taken as microseconds and a float truncated to them, as pyarrow takes them."""
        kind = type(v)
        if kind is _timedelta or isinstance(v, _timedelta):
            micros = _timedelta_micros(v)
        elif self.source_rules and kind is int:
            micros = v
        elif self.source_rules and kind is float:
            micros = self._truncated(rows(i), v)
        else:
            raise self.mismatch(rows(i), v)
        if micros is None or not _INT64_MIN <= micros <= _INT64_MAX:
            raise self.out_of_range(rows(i), v)
        return micros

    def _variant(self, values, rows, body):
        """A struct of the values' value and metadata bytes; anything but a VariantVal is
        refused with Spark's error."""
        self.validity(values, rows, body)
        classes = _variant_classes()
        for i, v in enumerate(values):
            if v is not None and not isinstance(v, classes):
                raise self.error(rows(i), "expected %s (a VariantVal), got %s: %s"
                                 % (self.type_name, _describe(v), _MALFORMED_VARIANT))
        self.children[0].encode([b"" if v is None else v.value for v in values], rows, body)
        self.children[1].encode([b"" if v is None else v.metadata for v in values], rows, body)

    def _list_or_map(self, values, rows, body):
        is_map = isinstance(self.dt, _T.MapType)
        self.validity(values, rows, body)
        ok = (dict,) if is_map else ((list, _array) if self.source_rules else (list, tuple))
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
                fields = _source_struct_fields(v, names) if self.source_rules else _struct_fields(v, names)
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


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_MALFORMED_VARIANT = (
    "[MALFORMED_VARIANT] Variant binary is malformed. Please check the data source is valid."
)


def _timedelta_micros(v):
    """A timedelta's microseconds, computed as pyarrow computes them, in int64 steps that
    each must fit: None if days * 86400000000 does not fit (though the total might: days
    are normalised, so timedelta(days=-106751991, microseconds=-1) has days -106751992),
    or the total does not."""
    days = v.days * _MICROS_PER_DAY
    if not _INT64_MIN <= days <= _INT64_MAX:
        return None
    return days + v.seconds * 1000000 + v.microseconds


def _variant_classes():
    """The classes a variant value may be: rivulet's VariantVal, and real pyspark's when a
    source has imported it."""
    classes = (_T.VariantVal,)
    pyspark_types = _sys.modules.get("pyspark.sql.types")
    other = getattr(pyspark_types, "VariantVal", None)
    if isinstance(other, type) and other is not _T.VariantVal:
        classes += (other,)
    return classes


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


def _source_struct_fields(v, names):
    """A struct value as Spark takes it from a data source: a tuple (a Row too) by position,
    a dict or an object's attributes by name."""
    if isinstance(v, tuple):
        return v
    if isinstance(v, dict):
        return [v.get(n) for n in names]
    attributes = getattr(v, "__dict__", None)
    if attributes is None:
        return None
    return [attributes.get(n) for n in names]


def _spark_str(v):
    """A non-string value for a string column, as Spark's conversion makes it."""
    if v is True:
        return "true"
    if v is False:
        return "false"
    return str(v)


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


def _encoders(schema, source_rules=False):
    if not isinstance(schema, _T.StructType):
        raise TypeError("schema must be a StructType, got %s" % _describe(schema))
    return [_Column(f.name, f.dataType, f.nullable, source_rules=source_rules)
            for f in schema.fields]
